// Bracketed root finding for scalar functions: the goal seeking of scenarios
// ("which cut in trade costs lifts the share to 50%?") and of the financing
// engine ("which guarantee fee equates the two costs?"). Each evaluation may
// be a whole GE solve or a Monte Carlo run, so the methods keep a bracket and
// count evaluations; both return a summary with mizani's one termination type.
#pragma once

#include <functional>
#include <limits>
#include <string>

#include "mizani/termination.h"

namespace mizani::numerics {

struct RootSummary {
  double root = std::numeric_limits<double>::quiet_NaN();
  // f(root), signed; for BisectRoot f at the kept end of the last bracket.
  double value = std::numeric_limits<double>::quiet_NaN();
  int iterations = 0;  // evaluations after the two ends
  Termination termination = Termination::kNumericalFailure;
  std::string message;

  bool converged() const { return termination == Termination::kConverged; }
};

struct IllinoisOptions {
  double f_tolerance = 1e-10;  // stop once |f(x)| <= f_tolerance
  // Stop once the bracket is narrower than x_tolerance * (1 + |x|).
  double x_tolerance = 1e-12;
  int max_iterations = 100;
};

// Illinois variant of regula falsi (Dowell & Jarratt 1971, BIT 11:168-174):
// keeps a bracket and halves the stale end's value when the same end is kept
// twice, which restores superlinear convergence. The ends must bracket a root
// (f_low and f_high of opposite signs, or one of them zero); the caller has
// evaluated them, so that it can say why a target is unreachable. Exceptions
// thrown by f propagate. Converged when |f| <= f_tolerance; otherwise the
// termination says why it stopped and `root` is the last candidate.
RootSummary IllinoisRoot(const std::function<double(double)>& f, double low, double f_low,
                         double high, double f_high, const IllinoisOptions& options);

// Bisection of a monotone function on [low, high] for a fixed number of
// halvings; `root` is the midpoint of the final bracket. kNumericalFailure when
// an end is not finite or the ends do not bracket a root.
RootSummary BisectRoot(const std::function<double(double)>& f, double low, double high,
                       int iterations);

}  // namespace mizani::numerics

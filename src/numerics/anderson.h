// Anderson acceleration of a fixed point x = G(x) (type II, Walker & Ni 2011,
// "Anderson acceleration for fixed-point iterations", SINUM 49(4), eq. 3.2
// with relaxation). It mixes the last m steps f = G(x) - x: with
// dF = [f_{k-i+1} - f_{k-i}] and dG = [G_{k-i+1} - G_{k-i}],
//   gamma   = argmin || f_k - dF gamma ||_2   (least squares, pivoted QR)
//   x_{k+1} = x_k + beta f_k - (dG - (1 - beta) dF) gamma.
// On a linear map it is equivalent to GMRES, so it converges in at most
// dim + 1 steps with memory >= dim. Nothing here knows about trade: the GE
// solver (src/ge/ge.cc) adds its own safeguards around the mixer.
#pragma once

#include <Eigen/Core>
#include <Eigen/QR>
#include <functional>
#include <string>

#include "mizani/termination.h"

namespace mizani::numerics {

// The mixing state: a ring of the last `memory` differences of steps and maps.
class AndersonMixer {
 public:
  AndersonMixer(int dimension, int memory);

  // Records the step f_k = G(x_k) - x_k taken at x_k (adds one difference to
  // the history once a previous step is known). A no-op with memory 0.
  void Record(const Eigen::VectorXd& x, const Eigen::VectorXd& step);
  // The mixed iterate from x_k and f_k into `candidate`; false (candidate
  // untouched) while the history is empty.
  bool Propose(const Eigen::VectorXd& x, const Eigen::VectorXd& step, double damping,
               Eigen::VectorXd& candidate);
  // Discards the history (after a rejected step, say).
  void Reset();
  int history() const { return history_; }

 private:
  int memory_;
  Eigen::MatrixXd delta_step_, delta_map_;
  Eigen::VectorXd prev_step_, prev_map_, current_map_;
  int history_ = 0;
  int next_column_ = 0;
  bool have_previous_ = false;
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> least_squares_;
};

struct AndersonOptions {
  int memory = 8;
  double damping = 1.0;      // beta in (0, 1]
  double tolerance = 1e-12;  // stop once max_i |G(x)_i - x_i| <= tolerance
  int max_iterations = 1000;
};

struct FixedPointSummary {
  Eigen::VectorXd x;
  int iterations = 0;   // evaluations of G after the start point
  double residual = 0;  // max_i |G(x)_i - x_i| at x
  Termination termination = Termination::kNumericalFailure;
  std::string message;
  bool converged() const { return termination == Termination::kConverged; }
};

// The plain accelerated iteration, without safeguards: `map` writes G(x) into
// its second argument. kNumericalFailure when an iterate is not finite.
FixedPointSummary AndersonFixedPoint(
    const std::function<void(const Eigen::VectorXd& x, Eigen::VectorXd& g)>& map,
    Eigen::VectorXd x0, const AndersonOptions& options);

}  // namespace mizani::numerics

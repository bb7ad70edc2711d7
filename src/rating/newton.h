// Damped Newton ascent on an analytic Hessian, shared by the pooled and the
// random-effects ordered models (ordered.cc, random_effects.cc).
#pragma once

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <string>

#include "mizani/termination.h"

namespace mizani::rating::internal {

struct NewtonOutcome {
  Termination termination = Termination::kMaxIterations;
  std::string message;
  int iterations = 0;
};

// Maximises objective(theta, gradient*, hessian*) (the log-likelihood;
// derivatives filled when not null) from `theta`, stopping when max
// |gradient| / num_obs < tolerance, or, when `decrement_tolerance` > 0,
// when the gain the Newton step predicts (g'H^-1 g / 2, in log-likelihood
// units, scale-free) falls below it. Newton direction on minus the Hessian,
// Levenberg damping when it is not positive definite, step halving until
// the objective does not fall.
template <class Objective>
NewtonOutcome DampedNewton(Objective&& objective, Eigen::VectorXd& theta, double num_obs,
                           int max_iterations, double tolerance, double decrement_tolerance = 0.0) {
  NewtonOutcome outcome;
  outcome.message = fmt::format("no convergence in {} Newton iterations", max_iterations);
  Eigen::VectorXd gradient;
  Eigen::MatrixXd hessian;
  double value = objective(theta, &gradient, &hessian);
  for (int iteration = 0; iteration < max_iterations; ++iteration) {
    outcome.iterations = iteration;
    if (gradient.cwiseAbs().maxCoeff() / num_obs < tolerance) {
      outcome.termination = Termination::kConverged;
      outcome.message = fmt::format("converged: max |gradient| / N below {:g}", tolerance);
      return outcome;
    }
    const Eigen::MatrixXd information = -hessian;
    Eigen::VectorXd direction;
    double damping = 0.0;
    const double scale = std::max(information.diagonal().cwiseAbs().maxCoeff(), 1e-12);
    for (int attempt = 0; attempt < 30; ++attempt) {
      Eigen::MatrixXd damped = information;
      damped.diagonal().array() += damping;
      Eigen::LLT<Eigen::MatrixXd> llt(damped);
      if (llt.info() == Eigen::Success) {
        direction = llt.solve(gradient);
        if (direction.allFinite() && direction.dot(gradient) > 0) break;
      }
      direction.resize(0);
      damping = damping == 0.0 ? 1e-8 * scale : damping * 10.0;
    }
    if (direction.size() == 0) direction = gradient / scale;
    if (damping == 0.0 && 0.5 * direction.dot(gradient) < decrement_tolerance) {
      outcome.termination = Termination::kConverged;
      outcome.message = fmt::format(
          "converged: the Newton step would gain less than {:g} in log-likelihood (max "
          "|gradient| / N {:.2g})",
          decrement_tolerance, gradient.cwiseAbs().maxCoeff() / num_obs);
      return outcome;
    }
    double step = 1.0;
    bool improved = false;
    for (int halving = 0; halving < 50; ++halving) {
      const Eigen::VectorXd candidate = theta + step * direction;
      const double candidate_value = objective(candidate, nullptr, nullptr);
      if (std::isfinite(candidate_value) && candidate_value >= value - 1e-12 * std::abs(value)) {
        theta = candidate;
        improved = true;
        break;
      }
      step *= 0.5;
    }
    if (!improved) {
      outcome.termination = Termination::kNumericalFailure;
      outcome.message = "line search failed: no step improves the log-likelihood";
      return outcome;
    }
    value = objective(theta, &gradient, &hessian);
    outcome.iterations = iteration + 1;
  }
  if (gradient.cwiseAbs().maxCoeff() / num_obs < tolerance) {
    outcome.termination = Termination::kConverged;
    outcome.message = fmt::format("converged: max |gradient| / N below {:g}", tolerance);
  }
  return outcome;
}

}  // namespace mizani::rating::internal

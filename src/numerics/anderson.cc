#include "numerics/anderson.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace mizani::numerics {

AndersonMixer::AndersonMixer(int dimension, int memory)
    : memory_(memory),
      delta_step_(dimension, memory),
      delta_map_(dimension, memory),
      prev_step_(dimension),
      prev_map_(dimension),
      current_map_(dimension) {}

void AndersonMixer::Record(const Eigen::VectorXd& x, const Eigen::VectorXd& step) {
  if (memory_ <= 0) return;
  current_map_ = x + step;
  if (have_previous_) {
    delta_step_.col(next_column_) = step - prev_step_;
    delta_map_.col(next_column_) = current_map_ - prev_map_;
    next_column_ = (next_column_ + 1) % memory_;
    history_ = std::min(history_ + 1, memory_);
  }
  prev_step_ = step;
  prev_map_.swap(current_map_);
  have_previous_ = true;
}

bool AndersonMixer::Propose(const Eigen::VectorXd& x, const Eigen::VectorXd& step, double damping,
                            Eigen::VectorXd& candidate) {
  if (history_ == 0) return false;
  // The column order of the history does not matter to the least squares.
  least_squares_.compute(delta_step_.leftCols(history_));
  const Eigen::VectorXd gamma = least_squares_.solve(step);
  candidate =
      x + damping * step -
      (delta_map_.leftCols(history_) - (1.0 - damping) * delta_step_.leftCols(history_)) * gamma;
  return true;
}

void AndersonMixer::Reset() {
  history_ = 0;
  next_column_ = 0;
  have_previous_ = false;
}

FixedPointSummary AndersonFixedPoint(
    const std::function<void(const Eigen::VectorXd& x, Eigen::VectorXd& g)>& map,
    Eigen::VectorXd x0, const AndersonOptions& options) {
  FixedPointSummary summary;
  const auto dimension = static_cast<int>(x0.size());
  AndersonMixer mixer(dimension, options.memory);
  summary.x = std::move(x0);
  Eigen::VectorXd g(dimension), step(dimension), candidate(dimension);
  for (;; ++summary.iterations) {
    map(summary.x, g);
    step = g - summary.x;
    summary.residual = step.size() == 0 ? 0.0 : step.cwiseAbs().maxCoeff();
    if (!step.allFinite()) {
      summary.message =
          fmt::format("the map is not finite after {} iterations", summary.iterations);
      return summary;
    }
    if (summary.residual <= options.tolerance) {
      summary.termination = Termination::kConverged;
      summary.message = fmt::format("converged in {} iterations (max |G(x) - x| {:.3g})",
                                    summary.iterations, summary.residual);
      return summary;
    }
    if (summary.iterations >= options.max_iterations) {
      summary.termination = Termination::kMaxIterations;
      summary.message = fmt::format("stopped after {} iterations with max |G(x) - x| {:.3g}",
                                    summary.iterations, summary.residual);
      return summary;
    }
    mixer.Record(summary.x, step);
    if (!mixer.Propose(summary.x, step, options.damping, candidate)) {
      candidate = summary.x + options.damping * step;
    }
    summary.x.swap(candidate);
  }
}

}  // namespace mizani::numerics

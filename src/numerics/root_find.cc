#include "numerics/root_find.h"

#include <fmt/format.h>

#include <cmath>

namespace mizani::numerics {

RootSummary IllinoisRoot(const std::function<double(double)>& f, double low, double f_low,
                         double high, double f_high, const IllinoisOptions& options) {
  RootSummary summary;
  if (std::isnan(f_low) || std::isnan(f_high)) {
    summary.message = "the function is not defined at an end of the bracket";
    return summary;
  }
  if (f_low * f_high > 0) {
    summary.message = fmt::format("[{}, {}] does not bracket a root", low, high);
    return summary;
  }
  // Start from the better end: it is the answer when it already meets the test.
  summary.root = std::abs(f_low) < std::abs(f_high) ? low : high;
  summary.value = std::abs(f_low) < std::abs(f_high) ? f_low : f_high;
  while (summary.iterations < options.max_iterations &&
         std::abs(summary.value) > options.f_tolerance) {
    const double candidate = high - f_high * (high - low) / (f_high - f_low);
    const double f_candidate = f(candidate);
    ++summary.iterations;
    summary.root = candidate;
    summary.value = f_candidate;
    if (f_candidate * f_high < 0) {
      low = high;
      f_low = f_high;
    } else {
      f_low *= 0.5;  // the Illinois step: the same end kept twice
    }
    high = candidate;
    f_high = f_candidate;
    if (std::abs(high - low) <= options.x_tolerance * (1 + std::abs(high))) break;
  }
  if (std::abs(summary.value) <= options.f_tolerance) {
    summary.termination = Termination::kConverged;
    summary.message = fmt::format("|f| = {:.2g} after {} iterations", std::abs(summary.value),
                                  summary.iterations);
  } else if (std::isnan(summary.value)) {
    summary.termination = Termination::kNumericalFailure;
    summary.message = fmt::format("the function is not defined at {}", summary.root);
  } else {
    summary.termination = Termination::kMaxIterations;
    summary.message = fmt::format("stopped after {} iterations {:.2g} away from zero",
                                  summary.iterations, std::abs(summary.value));
  }
  return summary;
}

RootSummary BisectRoot(const std::function<double(double)>& f, double low, double high,
                       int iterations) {
  RootSummary summary;
  double value_low = f(low);
  const double value_high = f(high);
  if (std::isnan(value_low) || std::isnan(value_high) || (value_low > 0) == (value_high > 0)) {
    summary.message = fmt::format("[{}, {}] does not bracket a root", low, high);
    return summary;
  }
  for (; summary.iterations < iterations; ++summary.iterations) {
    const double middle = 0.5 * (low + high);
    const double value = f(middle);
    if ((value > 0) == (value_low > 0)) {
      low = middle;
      value_low = value;
    } else {
      high = middle;
    }
  }
  summary.root = 0.5 * (low + high);
  summary.value = value_low;
  summary.termination = Termination::kConverged;
  summary.message = fmt::format("bracket [{}, {}] after {} halvings", low, high, iterations);
  return summary;
}

}  // namespace mizani::numerics

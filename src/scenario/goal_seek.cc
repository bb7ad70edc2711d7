// The goal-seeking stage of a run (runner.cc): the size of one shock that
// brings an outcome to a target, found by the Illinois method on a bracket
// (numerics::IllinoisRoot). Every evaluation is a GE solve, warm-started from
// the previous size's solution.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <variant>

#include "common/strings.h"
#include "mizani/error.h"
#include "numerics/root_find.h"
#include "scenario/internal.h"

namespace mizani {

const char* ImbalanceText(ImbalanceMode mode) {
  switch (mode) {
    case ImbalanceMode::kAdditive:
      return "additive";
    case ImbalanceMode::kMultiplicative:
      return "multiplicative";
    case ImbalanceMode::kRemoved:
      return "removed";
  }
  return "?";
}

namespace {

double GoalValue(const GoalSpec& goal, const GeResult& ge, const std::vector<std::string>& codes) {
  if (goal.outcome == GoalOutcome::kIntraGroupShare) {
    for (const GeGroupResult& group : ge.groups) {
      if (group.name == goal.group) return group.intra_share_after;
    }
    return std::nan("");
  }
  const int country_idx = IndexOf(codes, goal.country);
  const GeCountryResults& countries = ge.countries;
  switch (goal.outcome) {
    case GoalOutcome::kExportsChangePct:
      return countries.exports_change_pct(country_idx);
    case GoalOutcome::kImportsChangePct:
      return countries.imports_change_pct(country_idx);
    case GoalOutcome::kRealGdpChangePct:
      return countries.real_gdp_change_pct(country_idx);
    case GoalOutcome::kWelfareChangePct:
      return countries.welfare_change_pct(country_idx);
    case GoalOutcome::kIntraGroupShare:
      break;
  }
  return std::nan("");
}

std::string GoalOutcomeText(const GoalSpec& goal) {
  switch (goal.outcome) {
    case GoalOutcome::kIntraGroupShare:
      return fmt::format("the intra-group share of {}'s international trade", goal.group);
    case GoalOutcome::kExportsChangePct:
      return fmt::format("{}'s exports change (%)", goal.country);
    case GoalOutcome::kImportsChangePct:
      return fmt::format("{}'s imports change (%)", goal.country);
    case GoalOutcome::kRealGdpChangePct:
      return fmt::format("{}'s real GDP change (%)", goal.country);
    case GoalOutcome::kWelfareChangePct:
      return fmt::format("{}'s welfare change (%)", goal.country);
  }
  return "the outcome";
}

// The outcome minus the target at each size of the shock, with the state the
// search shares between evaluations.
class GoalFunction {
 public:
  GoalFunction(const GoalSeekInputs& inputs, const RunProgress& progress, GoalResult& result)
      : inputs_(inputs),
        goal_(inputs.scenario.goal),
        varied_(inputs.scenario.shocks[inputs.shock_index]),
        progress_(progress),
        result_(result) {}

  // nullopt where the GE has no solution (with additive imbalances a deep cut
  // can leave a surplus country a negative expenditure). `warm`: start from
  // the previous size's solution.
  std::optional<double> TryEvaluate(double size, bool warm) {
    const ShockOverride at{inputs_.shock_index, size};
    const Eigen::MatrixXd effects =
        BuildPartialEffects(inputs_.scenario, inputs_.codes, inputs_.coefficients, at);
    GeResult ge = inputs_.model.Solve(effects, warm ? warm_ : nullptr);
    if (ge.termination == Termination::kNumericalFailure) {
      no_solution_ = ge.message;
      progress_(fmt::format("goal: no GE solution at {}: {}", SizeText(varied_, size), ge.message));
      return std::nullopt;
    }
    if (!ge.converged()) {
      throw Error(ErrorCode::kNotConverged,
                  fmt::format("goal seeking: GE did not converge at {}: {}",
                              SizeText(varied_, size), ge.message));
    }
    last_ = std::move(ge);
    warm_ = &last_;
    const double value = GoalValue(goal_, last_, inputs_.codes);
    result_.trace.emplace_back(size, value);
    progress_(fmt::format("goal: {} -> {:.8g}", SizeText(varied_, size), value));
    return value - goal_.target;
  }

  // Inside the bracket, where the ends have solutions.
  double Evaluate(double size) {
    const std::optional<double> value = TryEvaluate(size, true);
    if (!value) {
      throw Error(ErrorCode::kNotConverged,
                  fmt::format("goal seeking: GE did not converge at {}: {}",
                              SizeText(varied_, size), no_solution_));
    }
    return *value;
  }

  void ForgetWarmStart() { warm_ = nullptr; }

 private:
  const GoalSeekInputs& inputs_;
  const GoalSpec& goal_;
  const Shock& varied_;
  const RunProgress& progress_;
  GoalResult& result_;
  const GeResult* warm_ = nullptr;
  GeResult last_;
  std::string no_solution_;
};

}  // namespace

std::string SizeText(const Shock& shock, double value) {
  return std::visit([&](const auto& kind) { return kind.SizeText(value); }, shock.spec);
}

GoalResult SeekGoal(const GoalSeekInputs& inputs, const RunProgress& progress) {
  const GoalSpec& goal = inputs.scenario.goal;
  const Shock& varied = inputs.scenario.shocks[inputs.shock_index];
  GoalResult goal_result;
  GoalFunction function(inputs, progress, goal_result);
  std::string notes_on_range;
  double low = goal.low, high = goal.high;
  std::optional<double> f_low_found = function.TryEvaluate(low, false);
  std::optional<double> f_high_found = function.TryEvaluate(high, false);
  if (!f_low_found && !f_high_found) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{}: the GE has no solution at either end of the range [{}, {}] "
                            "of shock '{}'; narrow the range, or use imbalances = "
                            "\"multiplicative\" or \"removed\"",
                            goal.where.Describe(), goal.low, goal.high, goal.shock));
  }
  // An end without a solution is moved, by bisection, to the last size that
  // has one: the target is sought over the sizes where the GE exists.
  if (!f_low_found || !f_high_found) {
    double solved = f_low_found ? low : high;
    double unsolved = f_low_found ? high : low;
    std::optional<double> f_solved = f_low_found ? f_low_found : f_high_found;
    constexpr int kBoundarySteps = 30;
    for (int step = 0; step < kBoundarySteps; ++step) {
      const double middle = 0.5 * (solved + unsolved);
      if (std::optional<double> f_middle = function.TryEvaluate(middle, false)) {
        solved = middle;
        f_solved = f_middle;
      } else {
        unsolved = middle;
      }
    }
    notes_on_range =
        fmt::format(" (beyond {} the GE has no solution with {} imbalances)",
                    SizeText(varied, solved), ImbalanceText(inputs.scenario.model.imbalance));
    progress(fmt::format("goal: searching up to {}{}", SizeText(varied, solved), notes_on_range));
    (f_low_found ? high : low) = solved;
    (f_low_found ? f_high_found : f_low_found) = f_solved;
    function.ForgetWarmStart();
  }
  const double f_low = *f_low_found;
  const double f_high = *f_high_found;
  if (std::isnan(f_low) || std::isnan(f_high)) {
    throw Error(ErrorCode::kBadScenario, "goal seeking: the outcome is not defined");
  }
  if (f_low * f_high > 0) {
    const double value_low = f_low + goal.target, value_high = f_high + goal.target;
    const bool low_is_max = value_low >= value_high;
    throw Error(
        ErrorCode::kTargetUnreachable,
        fmt::format("{}: {} cannot reach the target {:.6g}: it reaches at most {:.6g} at {} "
                    "and at least {:.6g} at {} (range [{}, {}] of shock '{}'){}",
                    goal.where.Describe(), GoalOutcomeText(goal), goal.target,
                    std::max(value_low, value_high), SizeText(varied, low_is_max ? low : high),
                    std::min(value_low, value_high), SizeText(varied, low_is_max ? high : low),
                    goal.low, goal.high, goal.shock, notes_on_range));
  }
  numerics::IllinoisOptions root_options;
  root_options.f_tolerance = goal.tolerance;
  root_options.x_tolerance = 1e-12;
  root_options.max_iterations = goal.max_iterations;
  const numerics::RootSummary root = numerics::IllinoisRoot(
      [&](double size) { return function.Evaluate(size); }, low, f_low, high, f_high, root_options);
  const double error = std::abs(root.value);
  goal_result.iterations = root.iterations;
  goal_result.value = root.root;
  goal_result.reached = root.converged();
  if (!goal_result.reached) {
    throw Error(ErrorCode::kNotConverged,
                fmt::format("goal seeking stopped after {} iterations {} away from the target",
                            goal_result.iterations, error));
  }
  goal_result.message =
      fmt::format("{} reaches {:.6g} at {} ({} iterations, |error| {:.2g})", GoalOutcomeText(goal),
                  goal.target, SizeText(varied, root.root), goal_result.iterations, error);
  progress(goal_result.message);
  return goal_result;
}

}  // namespace mizani

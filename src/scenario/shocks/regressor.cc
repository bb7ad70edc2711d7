// kind = "regressor": a regressor of the [estimation] formula set to a new
// value on the selected pairs. The Advanced Guide's counterfactuals are of
// this form: "trade without borders" sets INTL_BRDR to 0 on every pair
// (Yotov et al. 2016, ch. 2, Step II, p. 105) and the NAFTA application sets
// RTA to 0 among the members (p. 114). The partial effect of pair ij is
// b_ij = beta (to - x_ij), x_ij the pair's value in the baseline year, so
// t_CFL / t_BLN is exactly the term changed.
#include <fmt/format.h>

#include <cmath>

#include "scenario/shocks/support.h"

namespace mizani {

std::vector<std::string> RegressorShock::Keys() { return {"term", "to"}; }

void RegressorShock::Parse(const scenario_parse::ShockKeys& keys) {
  const auto name = keys.reader.String(keys.table, keys.path, "term");
  if (!name || name->empty()) {
    keys.reader.Fail(keys.where,
                     "needs term = \"<regressor of the [estimation] formula>\" (a column of the "
                     "data, e.g. \"INTL_BRDR\") and to = <its new value> (default 0)");
  }
  term = *name;
  const auto value = keys.reader.Number(keys.table, keys.path, "to");
  if (value && !std::isfinite(*value)) keys.reader.Fail(keys.Ref("to"), "expected a finite number");
  to = value.value_or(0.0);
}

ShockEffect RegressorShock::Effect(const ShockEffectInputs& inputs) const {
  const auto found = inputs.coefficients->find(term);
  if (found == inputs.coefficients->end()) {
    scenario_shocks::Fail(inputs.where,
                          fmt::format("term '{}' is not an estimated coefficient", term));
  }
  const double beta = found->second;
  const double value = inputs.size.value_or(to);
  ShockEffect effect;
  effect.log_effect = beta * value;
  effect.slope = -beta;
  effect.pair_values = &baseline_values;
  effect.signature = fmt::format("{} = {}", term, value);
  effect.subject = term;
  return effect;
}

std::string RegressorShock::SizeText(double value) {
  return fmt::format("a value of {:.4g}", value);
}

std::string RegressorShock::Describe(const std::string& pairs, double /*theta*/,
                                     const std::map<std::string, double>& coefficients,
                                     std::optional<double> sought) const {
  const auto found = coefficients.find(term);
  const double beta = found != coefficients.end() ? found->second : std::nan("");
  const double value = sought.value_or(to);
  return fmt::format(
      "Regressor {} set to {:g} {}: b = \u03b2 ({:g} \u2212 x) with \u03b2 = {:.4f} (estimated), "
      "flows \u00d7{:.3f} where x = 1 before GE adjustment{}",
      term, value, pairs, value, beta, std::exp(beta * (value - 1)),
      sought ? " \u2014 the value found by goal seeking" : "");
}

// From the term switched off (0) to a unit dummy kept (1).
std::optional<GoalRange> RegressorShock::DefaultGoalRange() { return GoalRange{0, 1}; }

std::optional<std::string> RegressorShock::CheckGoalRange(double /*low*/, double /*high*/) {
  return std::nullopt;
}

}  // namespace mizani

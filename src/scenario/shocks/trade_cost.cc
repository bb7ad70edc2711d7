// kind = "trade_cost": iceberg trade costs change by a percentage; the one
// relative kind (two such shocks on a pair compose multiplicatively).
#include <fmt/format.h>

#include <cmath>

#include "scenario/shocks/support.h"

namespace mizani {

std::vector<std::string> TradeCostShock::Keys() { return {"country", "side", "change_pct"}; }

void TradeCostShock::Parse(const scenario_parse::ShockKeys& keys) {
  const auto change = keys.reader.Number(keys.table, keys.path, "change_pct");
  if (!change) {
    keys.reader.Fail(keys.where,
                     "needs change_pct: the percent change of trade costs (-10 = a 10% cut)");
  }
  if (*change <= -100) {
    keys.reader.Fail(keys.Ref("change_pct"),
                     "trade costs cannot fall by 100% or more (change_pct must exceed -100)");
  }
  change_pct = *change;
}

ShockEffect TradeCostShock::Effect(const ShockEffectInputs& inputs) const {
  const double change = inputs.size.value_or(change_pct);
  if (change <= -100)
    scenario_shocks::Fail(inputs.where, "trade costs cannot fall by 100% or more");
  // tau' = tau (1 + c/100) and flows scale with tau^-theta.
  return {-inputs.theta * std::log1p(change / 100), ""};
}

std::string TradeCostShock::SizeText(double value) {
  return value < 0 ? fmt::format("a {:.4g}% cut", -value) : fmt::format("a {:.4g}% rise", value);
}

std::string TradeCostShock::Describe(const std::string& pairs, double theta,
                                     const std::map<std::string, double>& /*coefficients*/,
                                     std::optional<double> sought) const {
  const double change = sought.value_or(change_pct);
  const double effect = -theta * std::log1p(change / 100);
  return fmt::format("Trade costs {}: {:+.4g}% (b = \u2212\u03b8 ln(1 + c) = {:.4f}){}", pairs,
                     change, effect, sought ? " \u2014 the size found by goal seeking" : "");
}

// From a 99% cut (costs cannot fall by 100%) to no change.
std::optional<GoalRange> TradeCostShock::DefaultGoalRange() const { return GoalRange{-99, 0}; }

std::optional<std::string> TradeCostShock::CheckGoalRange(double low, double /*high*/) {
  if (low <= -100) return "range: a trade-cost change must exceed -100 (percent)";
  return std::nullopt;
}

}  // namespace mizani

// The ad-valorem rate change shared by the tariff and ntb kinds: everything
// but their name and description.
#include <fmt/format.h>

#include <cmath>

#include "scenario/shocks/support.h"

namespace mizani {

std::vector<std::string> RateChange::Keys() { return {"from_pct", "to_pct"}; }

void RateChange::Parse(const scenario_parse::ShockKeys& keys) {
  const auto from = keys.reader.Number(keys.table, keys.path, "from_pct");
  const auto to = keys.reader.Number(keys.table, keys.path, "to_pct");
  if (!from || !to) {
    keys.reader.Fail(keys.where,
                     "needs from_pct and to_pct: the ad-valorem rate in percent before and "
                     "after (e.g. from_pct = 17, to_pct = 0)");
  }
  for (const char* key : {"from_pct", "to_pct"}) {
    if (*keys.reader.Number(keys.table, keys.path, key) <= -100) {
      keys.reader.Fail(keys.Ref(key), "an ad-valorem rate must exceed -100 (percent)");
    }
  }
  from_pct = *from;
  to_pct = *to;
}

ShockEffect RateChange::Effect(const ShockEffectInputs& inputs) const {
  // Goal seeking varies the new rate.
  const double to = inputs.size.value_or(to_pct);
  if (to <= -100) scenario_shocks::Fail(inputs.where, "the new rate must exceed -100%");
  // b = -theta ln((1 + t') / (1 + t)): the ad-valorem wedge enters trade
  // costs multiplicatively (Yotov et al. 2016, ch. 2, eq. for tariffs).
  return {-inputs.theta * std::log((1 + to / 100) / (1 + from_pct / 100)),
          fmt::format("from {}% to {}%", from_pct, to)};
}

std::string RateChange::SizeText(double value) {
  return fmt::format("a new rate of {:.4g}%", value);
}

// Goal seeking lowers the rate from where it stands, down to zero.
std::optional<GoalRange> RateChange::DefaultGoalRange() const { return GoalRange{0, from_pct}; }

std::optional<std::string> RateChange::CheckGoalRange(double /*low*/, double /*high*/) {
  return std::nullopt;
}

namespace scenario_shocks {

std::string DescribeRates(const RateChange& rates, const char* label, const std::string& pairs,
                          double theta) {
  const double effect = -theta * std::log((1 + rates.to_pct / 100) / (1 + rates.from_pct / 100));
  return fmt::format(
      "{} {}: {:g}% \u2192 {:g}% (partial effect b = \u2212\u03b8 ln((1+t\u2032)/(1+t)) = "
      "{:.4f}, flows \u00d7{:.3f} before GE adjustment)",
      label, pairs, rates.from_pct, rates.to_pct, effect, std::exp(effect));
}

}  // namespace scenario_shocks

}  // namespace mizani

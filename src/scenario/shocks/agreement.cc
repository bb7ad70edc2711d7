// kind = "agreement": a trade agreement switched on or removed; its effect is
// a gravity coefficient, given or estimated (Yotov et al. 2016, ch. 2).
#include <fmt/format.h>

#include <cmath>

#include "scenario/shocks/support.h"

namespace mizani {

std::vector<std::string> AgreementShock::Keys() {
  return {"coefficient", "term", "remove", "unless"};
}

void AgreementShock::Parse(const scenario_parse::ShockKeys& keys) {
  const scenario_parse::Reader& reader = keys.reader;
  remove = reader.Bool(keys.table, keys.path, "remove").value_or(false);
  unless_column = reader.String(keys.table, keys.path, "unless").value_or("");
  if (remove && !unless_column.empty()) {
    reader.Fail(keys.Ref("unless"),
                "'unless' applies to agreements switched on, not to remove = true");
  }
  const toml::node* given = keys.table.get("coefficient");
  if (given == nullptr) {
    reader.Fail(keys.where,
                "missing 'coefficient': a number, or \"estimated\" with term = \"RTA\"");
  }
  if (given->is_number()) {
    coefficient = *given->value<double>();
    if (keys.table.get("term") != nullptr) {
      reader.Fail(keys.Ref("term"), "'term' applies only with coefficient = \"estimated\"");
    }
  } else if (given->is_string() && *given->value<std::string>() == "estimated") {
    const auto term = reader.String(keys.table, keys.path, "term");
    if (!term) {
      reader.Fail(keys.Ref("coefficient"),
                  "coefficient = \"estimated\" needs term = \"<regressor of the "
                  "[estimation] formula>\"");
    }
    estimated_term = *term;
  } else {
    reader.Fail(keys.Ref("coefficient"), "expected a number or \"estimated\"");
  }
}

ShockEffect AgreementShock::Effect(const ShockEffectInputs& inputs) const {
  double value = 0;
  std::string signature;
  if (inputs.size || coefficient) {
    value = inputs.size ? *inputs.size : *coefficient;
    signature = fmt::format("coefficient {}", value);
  } else {
    const auto found = inputs.coefficients->find(estimated_term);
    if (found == inputs.coefficients->end()) {
      std::string known;
      for (const auto& [name, estimate] : *inputs.coefficients) {
        known += (known.empty() ? "" : ", ") + name;
      }
      scenario_shocks::Fail(inputs.where,
                            fmt::format("term '{}' is not an estimated coefficient (available: {})",
                                        estimated_term, known.empty() ? "none" : known));
    }
    value = found->second;
    signature = "estimated " + estimated_term;
  }
  // Switching the dummy on multiplies the flow by exp(beta); removing an
  // agreement in force divides it (Yotov et al. 2016, ch. 2, NAFTA).
  signature += remove ? " removed" : " added";
  return {remove ? -value : value, signature};
}

std::string AgreementShock::SizeText(double value) {
  return fmt::format("a coefficient of {:.4g}", value);
}

std::string AgreementShock::Describe(const std::string& pairs, double /*theta*/,
                                     const std::map<std::string, double>& coefficients,
                                     std::optional<double> /*sought*/) const {
  const auto found = coefficients.find(estimated_term);
  const double value = coefficient                   ? *coefficient
                       : found != coefficients.end() ? found->second
                                                     : std::nan("");
  std::string text =
      fmt::format("Agreement {}: b = {:.4f} ({}), flows \u00d7{:.3f} before GE adjustment", pairs,
                  value, coefficient ? "given" : "estimated " + estimated_term, std::exp(value));
  if (!unless_column.empty()) {
    text +=
        fmt::format("; pairs with {} = 1 in the baseline year keep their agreement", unless_column);
  }
  return text;
}

// An estimated coefficient is the data's, not the user's, to vary.
std::optional<GoalRange> AgreementShock::DefaultGoalRange() const {
  if (!coefficient) return std::nullopt;
  return GoalRange{0, 3};
}

std::optional<std::string> AgreementShock::CheckGoalRange(double /*low*/, double /*high*/) {
  return std::nullopt;
}

}  // namespace mizani

// What every shock kind shares: its pair selection in words, the dispatch to
// the kind (an exhaustive std::visit over ShockSpec) and messages.
#include <fmt/format.h>

#include <variant>

#include "scenario/internal.h"
#include "scenario/shocks/support.h"

namespace mizani {

namespace scenario_shocks {

void Fail(const SourceRef& where, const std::string& message) {
  throw Error(ErrorCode::kBadScenario, fmt::format("{}: {}", where.Describe(), message));
}

}  // namespace scenario_shocks

namespace {

std::string Join(const CountrySpec& spec) {
  std::string text;
  for (const std::string& entry : spec.entries) text += (text.empty() ? "" : ", ") + entry;
  return text;
}

}  // namespace

std::string PairSelection::Describe() const {
  if (!members.empty()) return "among " + Join(members);
  if (!between_a.empty()) {
    return fmt::format("between {} and {}", Join(between_a), Join(between_b));
  }
  if (!exporters.empty()) return fmt::format("{} \u2192 {}", Join(exporters), Join(importers));
  const char* side_text = side == TradeSide::kExports   ? "exports"
                          : side == TradeSide::kImports ? "imports"
                                                        : "exports and imports";
  return fmt::format("{}'s {} with every partner", Join(country), side_text);
}

std::string DescribeShock(const Shock& shock, const ScenarioOutcome& outcome) {
  const std::optional<double> sought =
      outcome.goal ? std::optional<double>(outcome.goal->value) : std::nullopt;
  return std::visit(
      [&](const auto& kind) {
        return kind.Describe(shock.pairs.Describe(), outcome.theta, outcome.coefficients, sought);
      },
      shock.spec);
}

std::string EstimatedTerm(const Shock& shock) {
  if (const auto* regressor = std::get_if<RegressorShock>(&shock.spec)) return regressor->term;
  const auto* agreement = std::get_if<AgreementShock>(&shock.spec);
  return agreement != nullptr ? agreement->estimated_term : std::string();
}

}  // namespace mizani

#include "ge/ge_common.h"

#include <fmt/format.h>

#include <cmath>

#include "mizani/error.h"

namespace mizani::ge_internal {

ExpenditureRule ExpenditureRuleFor(const GeOptions& options) {
  if (options.mode != GeMode::kFullEndowment) return ExpenditureRule::kFixed;
  switch (options.imbalance) {
    case ImbalanceMode::kAdditive:
      return ExpenditureRule::kAdditive;
    case ImbalanceMode::kMultiplicative:
      return ExpenditureRule::kMultiplicative;
    case ImbalanceMode::kRemoved:
      return ExpenditureRule::kBalanced;
  }
  return ExpenditureRule::kAdditive;
}

std::string CountryLabel(const std::vector<std::string>& codes, int country_idx) {
  if (country_idx >= 0 && country_idx < static_cast<int>(codes.size()) &&
      codes[country_idx] != std::to_string(country_idx)) {
    return fmt::format("country {} ({})", country_idx, codes[country_idx]);
  }
  return fmt::format("country {}", country_idx);
}

void ValidatePartialEffects(const Eigen::MatrixXd& partial_effects, int num_countries,
                            const std::vector<std::string>& codes) {
  if (partial_effects.rows() != num_countries || partial_effects.cols() != num_countries) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("partial-effect matrix B is {} x {}; the baseline has {} countries",
                            partial_effects.rows(), partial_effects.cols(), num_countries));
  }
  for (int importer_idx = 0; importer_idx < num_countries; ++importer_idx) {
    for (int exporter_idx = 0; exporter_idx < num_countries; ++exporter_idx) {
      const double effect = partial_effects(exporter_idx, importer_idx);
      if (!(effect > 0) || !std::isfinite(effect)) {
        throw Error(ErrorCode::kBadScenario,
                    fmt::format("partial effect B from {} to {} is {}; B = exp(b) must be "
                                "positive and finite",
                                CountryLabel(codes, exporter_idx),
                                CountryLabel(codes, importer_idx), effect));
      }
    }
  }
}

}  // namespace mizani::ge_internal

#include "ge/ge_common.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

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

void FillRealOutcomes(bool full_endowment, const Eigen::VectorXd& log_price,
                      const Eigen::ArrayXd& inward_hat, const Eigen::VectorXd& new_expenditure,
                      const Eigen::VectorXd& expenditure, ExpenditureRule rule,
                      double expenditure_scale, GeCountryResults& countries) {
  const Eigen::Index num_countries = log_price.size();
  if (full_endowment) {
    const Eigen::ArrayXd price_hat = log_price.array().exp();
    countries.factory_gate_price_hat = price_hat;
    countries.real_gdp_change_pct = 100.0 * (price_hat / inward_hat - 1.0);
    const double kappa = rule == ExpenditureRule::kMultiplicative ? expenditure_scale : 1.0;
    countries.welfare_change_pct =
        100.0 * ((new_expenditure.array() / (kappa * expenditure.array())) / inward_hat - 1.0);
  } else {
    countries.factory_gate_price_hat = Eigen::VectorXd::Ones(num_countries);
    countries.real_gdp_change_pct =
        Eigen::VectorXd::Constant(num_countries, std::numeric_limits<double>::quiet_NaN());
    countries.welfare_change_pct = countries.real_gdp_change_pct;
  }
}

std::vector<GeGroupResult> GroupResults(const GeOptions& options,
                                        const Eigen::MatrixXd& baseline_flows,
                                        const Eigen::MatrixXd& new_flows) {
  std::vector<GeGroupResult> groups;
  for (const auto& [name, members] : options.groups) {
    GeGroupResult group;
    group.name = name;
    group.members = members;
    group.intra_share_before = IntraGroupTradeShare(baseline_flows, members);
    group.intra_share_after = IntraGroupTradeShare(new_flows, members);
    groups.push_back(std::move(group));
  }
  return groups;
}

}  // namespace mizani::ge_internal

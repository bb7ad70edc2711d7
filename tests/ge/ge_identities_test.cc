// Identities every GE solution must satisfy, on random 30- and 200-country
// baselines: market clearing, budget constraints, the imbalance rule, and
// invariance of real outcomes to the normalisation.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "ge/ge_fixtures.h"
#include "mizani/ge.h"

namespace mizani {
namespace {

using ::mizani::testing::FirstCountries;
using ::mizani::testing::IndexCodes;
using ::mizani::testing::RandomFlows;

constexpr double kTheta = 4.0;

double MaxRelative(const Eigen::VectorXd& value, const Eigen::VectorXd& reference) {
  return ((value - reference).array() / reference.array()).abs().maxCoeff();
}

class GeIdentities : public ::testing::TestWithParam<std::tuple<int, ImbalanceMode, GeMode>> {};

TEST_P(GeIdentities, MarketsClearAndRealOutcomesIgnoreNormalisation) {
  const auto [num_countries, imbalance, mode] = GetParam();
  const Eigen::MatrixXd flows = RandomFlows(num_countries, 1000 + num_countries);
  // A group agreement plus a unilateral tariff-like cost rise on one importer.
  Eigen::MatrixXd effects =
      AgreementPartialEffects(num_countries, FirstCountries(num_countries / 5), 0.6);
  effects.col(num_countries - 1).array() *= 0.8;
  effects(num_countries - 1, num_countries - 1) = 1.0;

  GeOptions world;
  world.imbalance = imbalance;
  world.mode = mode;
  GeOptions reference = world;
  reference.normalization = Normalization::kReferencePrice;
  reference.reference_country = 3;
  const GeProblem world_problem(flows, IndexCodes(num_countries), kTheta, world);
  const GeProblem reference_problem(flows, IndexCodes(num_countries), kTheta, reference);
  const GeResult by_world = world_problem.Solve(effects);
  const GeResult by_reference = reference_problem.Solve(effects);
  ASSERT_TRUE(by_world.converged()) << by_world.message;
  ASSERT_TRUE(by_reference.converged()) << by_reference.message;
  RecordProperty("iterations", by_world.iterations);

  for (const GeResult* result : {&by_world, &by_reference}) {
    const GeCountryResults& countries = result->countries;
    // Market clearing and budget constraints, recomputed from the flows.
    const Eigen::VectorXd sales = result->new_flows.rowwise().sum();
    const Eigen::VectorXd purchases = result->new_flows.colwise().sum().transpose();
    EXPECT_LE(MaxRelative(sales, countries.output_after), 1e-10);
    EXPECT_LE(MaxRelative(purchases, countries.expenditure_after), 1e-10);
    EXPECT_LE(result->market_clearing_residual, 1e-10);
    EXPECT_LE(result->budget_residual, 1e-10);
    EXPECT_NEAR(countries.expenditure_after.sum() / countries.output_after.sum(), 1.0, 1e-12);
    // No trade appears where there was none.
    EXPECT_FALSE(((result->baseline_flows.array() == 0) && (result->new_flows.array() != 0)).any());
  }

  // The normalisations themselves.
  if (mode == GeMode::kFullEndowment) {
    EXPECT_NEAR(by_world.countries.output_after.sum() / by_world.countries.output_before.sum(), 1.0,
                1e-13);
  }
  EXPECT_NEAR(by_reference.countries.inward_resistance_hat(3), 1.0, 1e-13);

  // The imbalance rule.
  const GeCountryResults& countries = by_world.countries;
  if (mode == GeMode::kFullEndowment && imbalance == ImbalanceMode::kAdditive) {
    const Eigen::VectorXd deficit_before = countries.expenditure_before - countries.output_before;
    const Eigen::VectorXd deficit_after = countries.expenditure_after - countries.output_after;
    EXPECT_LT((deficit_after - deficit_before).cwiseAbs().maxCoeff(),
              1e-9 * countries.output_before.maxCoeff());
  }
  if (mode == GeMode::kFullEndowment && imbalance == ImbalanceMode::kMultiplicative) {
    const Eigen::ArrayXd phi_before =
        countries.expenditure_before.array() / countries.output_before.array();
    const Eigen::ArrayXd phi_after =
        countries.expenditure_after.array() / countries.output_after.array();
    EXPECT_LT((phi_after / phi_before - by_world.expenditure_scale).abs().maxCoeff(), 1e-12);
    EXPECT_NEAR(by_world.expenditure_scale, 1.0, 0.01);
  }
  if (imbalance == ImbalanceMode::kRemoved) {
    EXPECT_LT(countries.trade_balance_before.cwiseAbs().maxCoeff(),
              1e-9 * countries.output_before.maxCoeff());
  }

  // Real outcomes agree between normalisations; nominal ones differ by one factor.
  const GeCountryResults& other = by_reference.countries;
  EXPECT_LT((by_world.flow_change_pct - by_reference.flow_change_pct).cwiseAbs().maxCoeff(), 1e-7);
  if (mode == GeMode::kFullEndowment) {
    EXPECT_LT((countries.welfare_change_pct - other.welfare_change_pct).cwiseAbs().maxCoeff(),
              1e-7);
    EXPECT_LT((countries.real_gdp_change_pct - other.real_gdp_change_pct).cwiseAbs().maxCoeff(),
              1e-7);
    EXPECT_LT((countries.exports_change_pct - other.exports_change_pct).cwiseAbs().maxCoeff(),
              1e-7);
    const Eigen::ArrayXd price_ratio =
        other.factory_gate_price_hat.array() / countries.factory_gate_price_hat.array();
    EXPECT_LT((price_ratio / price_ratio(0) - 1).abs().maxCoeff(), 1e-9);
  }
  // Relative resistances are real too.
  const Eigen::ArrayXd inward_ratio =
      other.inward_resistance_hat.array() / countries.inward_resistance_hat.array();
  EXPECT_LT((inward_ratio / inward_ratio(0) - 1).abs().maxCoeff(), 1e-9);
}

std::string CaseName(const ::testing::TestParamInfo<GeIdentities::ParamType>& info) {
  static constexpr const char* kImbalance[] = {"Additive", "Multiplicative", "Removed"};
  static constexpr const char* kMode[] = {"Conditional", "Full"};
  return fmt::format("N{}{}{}", std::get<0>(info.param),
                     kImbalance[static_cast<int>(std::get<1>(info.param))],
                     kMode[static_cast<int>(std::get<2>(info.param))]);
}

INSTANTIATE_TEST_SUITE_P(
    RandomBaselines, GeIdentities,
    ::testing::Combine(::testing::Values(30, 200),
                       ::testing::Values(ImbalanceMode::kAdditive, ImbalanceMode::kMultiplicative,
                                         ImbalanceMode::kRemoved),
                       ::testing::Values(GeMode::kFullEndowment, GeMode::kConditional)),
    CaseName);

}  // namespace
}  // namespace mizani

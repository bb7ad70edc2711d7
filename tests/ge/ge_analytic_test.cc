// GE solver against cases with known answers: no shock, symmetry, and the
// welfare formula of Arkolakis, Costinot & Rodriguez-Clare (2012, AER 102(1)).
#include <gtest/gtest.h>

#include <cmath>

#include "ge/ge_fixtures.h"
#include "mizani/ge.h"

namespace mizani {
namespace {

using ::mizani::testing::FirstCountries;
using ::mizani::testing::IndexCodes;
using ::mizani::testing::RandomFlows;

constexpr double kTheta = 4.0;  // sigma = 5, as in the gegravity example

// ACR: with balanced trade and unchanged domestic costs, welfare changes by
// pi_hat_jj^(-1/theta) in every country; here from the solver's own flows.
Eigen::VectorXd AcrWelfareHat(const GeResult& result, double theta) {
  const Eigen::ArrayXd share_before =
      result.baseline_flows.diagonal().array() / result.countries.expenditure_before.array();
  const Eigen::ArrayXd share_after =
      result.new_flows.diagonal().array() / result.countries.expenditure_after.array();
  return (share_after / share_before).pow(-1.0 / theta);
}

Eigen::VectorXd WelfareHat(const GeResult& result) {
  return (1.0 + result.countries.welfare_change_pct.array() / 100.0).matrix();
}

TEST(GeAnalytic, NoShockReturnsBaselineInAtMostOneIteration) {
  const Eigen::MatrixXd flows = RandomFlows(30, 11);
  const Eigen::MatrixXd no_change = Eigen::MatrixXd::Ones(30, 30);
  for (ImbalanceMode imbalance :
       {ImbalanceMode::kAdditive, ImbalanceMode::kMultiplicative, ImbalanceMode::kRemoved}) {
    for (GeMode mode : {GeMode::kFullEndowment, GeMode::kConditional}) {
      GeOptions options;
      options.imbalance = imbalance;
      options.mode = mode;
      const GeResult result = SolveGe(flows, IndexCodes(30), kTheta, no_change, options);
      ASSERT_TRUE(result.converged()) << result.message;
      EXPECT_LE(result.iterations, 1);
      // The balanced baseline of kRemoved is itself a solution to the
      // tolerance only, so the re-solve may move it by about that much.
      const double tolerance = imbalance == ImbalanceMode::kRemoved ? 1e-10 : 1e-12;
      const Eigen::MatrixXd& baseline = result.baseline_flows;
      EXPECT_LT((result.new_flows - baseline).cwiseAbs().maxCoeff() / baseline.maxCoeff(),
                tolerance);
      EXPECT_LT((result.countries.factory_gate_price_hat.array() - 1).abs().maxCoeff(), tolerance);
      EXPECT_LT((result.countries.inward_resistance_hat.array() - 1).abs().maxCoeff(), tolerance);
      EXPECT_LT((result.countries.outward_resistance_hat.array() - 1).abs().maxCoeff(), tolerance);
      if (imbalance == ImbalanceMode::kRemoved) {
        // The balanced baseline really is balanced.
        EXPECT_LT((baseline.rowwise().sum() - baseline.colwise().sum().transpose())
                          .cwiseAbs()
                          .maxCoeff() /
                      baseline.maxCoeff(),
                  1e-9);
        EXPECT_GT(result.imbalance_removal_iterations, 0);
      } else {
        EXPECT_EQ(baseline, flows);
      }
    }
  }
}

TEST(GeAnalytic, TwoSymmetricCountriesMatchClosedForm) {
  Eigen::MatrixXd flows(2, 2);
  flows << 80, 20, 20, 80;
  const double cost_cut = std::exp(0.5);  // B on both international flows
  Eigen::MatrixXd effects(2, 2);
  effects << 1, cost_cut, cost_cut, 1;
  const GeResult result = SolveGe(flows, {"A", "B"}, kTheta, effects);
  ASSERT_TRUE(result.converged()) << result.message;
  // Symmetry: w_hat_1 = w_hat_2 = 1 under the world-output normalisation, so
  // P_hat^-theta = pi_11 + pi_21 B and welfare = P_hat^-1 (ACR).
  EXPECT_NEAR(result.countries.factory_gate_price_hat(0), 1.0, 1e-13);
  EXPECT_NEAR(result.countries.factory_gate_price_hat(1), 1.0, 1e-13);
  const double expected_welfare = std::pow(0.8 + 0.2 * cost_cut, 1.0 / kTheta);
  EXPECT_NEAR(WelfareHat(result)(0), expected_welfare, 1e-12);
  EXPECT_NEAR(WelfareHat(result)(1), expected_welfare, 1e-12);
  EXPECT_NEAR(AcrWelfareHat(result, kTheta)(0), expected_welfare, 1e-12);
  // International flows rise by B / P_hat^-theta.
  EXPECT_NEAR(result.new_flows(0, 1), 20.0 * cost_cut / (0.8 + 0.2 * cost_cut), 1e-11);
}

TEST(GeAnalytic, AcrWelfareHoldsForThreeAsymmetricCountries) {
  // A symmetric flow matrix is balanced (row sums = column sums), while the
  // countries differ in size and openness and the shock is asymmetric.
  Eigen::MatrixXd flows(3, 3);
  flows << 500, 40, 15,  //
      40, 200, 25,       //
      15, 25, 60;
  Eigen::MatrixXd effects(3, 3);
  effects << 1, 1.3, 1.5,  //
      1.1, 1, 0.9,         //
      1.2, 1.4, 1;
  const GeResult result = SolveGe(flows, {"BIG", "MID", "SML"}, kTheta, effects);
  ASSERT_TRUE(result.converged()) << result.message;
  EXPECT_LT((WelfareHat(result) - AcrWelfareHat(result, kTheta)).cwiseAbs().maxCoeff(), 1e-10);
  // Real GDP equals welfare with balanced trade.
  EXPECT_LT((result.countries.real_gdp_change_pct - result.countries.welfare_change_pct)
                .cwiseAbs()
                .maxCoeff(),
            1e-10);
}

TEST(GeAnalytic, AcrWelfareHoldsAfterRemovingImbalances) {
  const Eigen::MatrixXd flows = RandomFlows(12, 5);
  Eigen::MatrixXd effects = AgreementPartialEffects(12, {0, 3, 7}, 0.6);
  effects(5, 2) = 0.7;  // and one unilateral cost rise
  GeOptions options;
  options.imbalance = ImbalanceMode::kRemoved;
  const GeResult result = SolveGe(flows, IndexCodes(12), kTheta, effects, options);
  ASSERT_TRUE(result.converged()) << result.message;
  EXPECT_LT((WelfareHat(result) - AcrWelfareHat(result, kTheta)).cwiseAbs().maxCoeff(), 1e-10);
}

TEST(GeAnalytic, ThreeSymmetricCountriesPairCutHurtsTheOutsider) {
  Eigen::MatrixXd flows(3, 3);
  flows << 70, 10, 10,  //
      10, 70, 10,       //
      10, 10, 70;
  const Eigen::MatrixXd effects = AgreementPartialEffects(3, {0, 1}, 0.4);
  const GeResult result = SolveGe(flows, {"A", "B", "C"}, kTheta, effects);
  ASSERT_TRUE(result.converged()) << result.message;
  const GeCountryResults& countries = result.countries;
  EXPECT_NEAR(countries.factory_gate_price_hat(0), countries.factory_gate_price_hat(1), 1e-13);
  EXPECT_NEAR(countries.welfare_change_pct(0), countries.welfare_change_pct(1), 1e-11);
  EXPECT_GT(countries.welfare_change_pct(0), 0.5);
  EXPECT_LT(countries.welfare_change_pct(2), 0.0);
  EXPECT_LT(countries.factory_gate_price_hat(2), countries.factory_gate_price_hat(0));
  // Trade creation inside the pair, diversion away from the outsider.
  EXPECT_GT(result.new_flows(0, 1), flows(0, 1));
  EXPECT_LT(result.new_flows(2, 0), flows(2, 0));
  EXPECT_LT(result.new_flows(0, 2), flows(0, 2));
  EXPECT_LT((WelfareHat(result) - AcrWelfareHat(result, kTheta)).cwiseAbs().maxCoeff(), 1e-10);
}

TEST(GeAnalytic, OutwardResistanceFollowsAndersonVanWincoop) {
  const Eigen::MatrixXd flows = RandomFlows(20, 3);
  const Eigen::MatrixXd effects = AgreementPartialEffects(20, FirstCountries(6), 0.5);
  const GeResult result = SolveGe(flows, IndexCodes(20), kTheta, effects);
  ASSERT_TRUE(result.converged()) << result.message;
  const GeCountryResults& countries = result.countries;
  // World output is unchanged under the default normalisation, so the brief's
  // Pi_hat_i^-theta = sum_j (X_ij / Y_i) B_ij E_hat_j / P_hat_j^-theta applies as written.
  for (int exporter_idx = 0; exporter_idx < 20; ++exporter_idx) {
    double outward = 0;
    for (int importer_idx = 0; importer_idx < 20; ++importer_idx) {
      const double expenditure_hat =
          countries.expenditure_after(importer_idx) / countries.expenditure_before(importer_idx);
      outward += flows(exporter_idx, importer_idx) / countries.output_before(exporter_idx) *
                 effects(exporter_idx, importer_idx) * expenditure_hat /
                 std::pow(countries.inward_resistance_hat(importer_idx), -kTheta);
    }
    EXPECT_NEAR(std::pow(countries.outward_resistance_hat(exporter_idx), -kTheta), outward,
                1e-11 * outward);
    // and equals w_hat^(1 + theta) in the full-endowment model.
    EXPECT_NEAR(outward, std::pow(countries.factory_gate_price_hat(exporter_idx), 1 + kTheta),
                1e-9 * outward);
  }
}

TEST(GeAnalytic, ConditionalHoldsOutputAndExpenditure) {
  const Eigen::MatrixXd flows = RandomFlows(30, 21);
  const Eigen::MatrixXd effects = AgreementPartialEffects(30, FirstCountries(8), 0.5);
  GeOptions options;
  options.mode = GeMode::kConditional;
  const GeResult result = SolveGe(flows, IndexCodes(30), kTheta, effects, options);
  ASSERT_TRUE(result.converged()) << result.message;
  const Eigen::VectorXd output = flows.rowwise().sum();
  const Eigen::VectorXd expenditure = flows.colwise().sum().transpose();
  EXPECT_LT(((result.new_flows.rowwise().sum() - output).array() / output.array()).abs().maxCoeff(),
            1e-10);
  EXPECT_LT(
      ((result.new_flows.colwise().sum().transpose() - expenditure).array() / expenditure.array())
          .abs()
          .maxCoeff(),
      1e-10);
  EXPECT_TRUE(std::isnan(result.countries.welfare_change_pct(0)));
  // Members' trade with each other rises.
  EXPECT_GT(result.new_flows(0, 1), flows(0, 1));
}

TEST(GeAnalytic, AndersonAgreesWithPlainFixedPointAndIsFaster) {
  const Eigen::MatrixXd flows = RandomFlows(40, 8);
  const Eigen::MatrixXd effects = AgreementPartialEffects(40, FirstCountries(10), 0.8);
  GeOptions plain;
  plain.algorithm = GeAlgorithm::kFixedPoint;
  plain.max_iterations = 20000;
  const GeResult slow = SolveGe(flows, IndexCodes(40), kTheta, effects, plain);
  const GeResult fast = SolveGe(flows, IndexCodes(40), kTheta, effects);
  ASSERT_TRUE(slow.converged()) << slow.message;
  ASSERT_TRUE(fast.converged()) << fast.message;
  EXPECT_LT((slow.countries.factory_gate_price_hat - fast.countries.factory_gate_price_hat)
                .cwiseAbs()
                .maxCoeff(),
            1e-10);
  EXPECT_LT(fast.iterations, slow.iterations);
}

TEST(GeAnalytic, WarmStartReusesTheSolution) {
  const Eigen::MatrixXd flows = RandomFlows(50, 4);
  const GeProblem problem(flows, IndexCodes(50), kTheta);
  const GeResult first = problem.Solve(AgreementPartialEffects(50, FirstCountries(10), 0.50));
  ASSERT_TRUE(first.converged()) << first.message;
  const GeResult again =
      problem.Solve(AgreementPartialEffects(50, FirstCountries(10), 0.50), &first);
  EXPECT_TRUE(again.converged());
  EXPECT_EQ(again.iterations, 0);
  const Eigen::MatrixXd nearby = AgreementPartialEffects(50, FirstCountries(10), 0.52);
  const GeResult cold = problem.Solve(nearby);
  const GeResult warm = problem.Solve(nearby, &first);
  ASSERT_TRUE(warm.converged()) << warm.message;
  EXPECT_LT(warm.iterations, cold.iterations);
  EXPECT_LT(
      (warm.countries.welfare_change_pct - cold.countries.welfare_change_pct).cwiseAbs().maxCoeff(),
      1e-8);
}

TEST(GeAnalytic, IntraGroupShareCountsBothDirections) {
  Eigen::MatrixXd flows(3, 3);
  flows << 100, 6, 2,  //
      4, 100, 3,       //
      1, 5, 100;
  // Members 0 and 1: intra = 6 + 4; exports 8 + 7, imports 5 + 11.
  EXPECT_NEAR(IntraGroupTradeShare(flows, {0, 1}), 2.0 * 10.0 / 31.0, 1e-15);
  EXPECT_NEAR(IntraGroupTradeShare(flows, {0, 1, 2}), 1.0, 1e-15);
  EXPECT_EQ(IntraGroupTradeShare(flows, {2}), 0.0);
  EXPECT_EQ(IntraGroupTradeShare(flows, {}), 0.0);
}

TEST(GeAnalytic, GroupResultsReportSharesBeforeAndAfter) {
  const Eigen::MatrixXd flows = RandomFlows(30, 9);
  GeOptions options;
  options.groups["bloc"] = {0, 1, 2, 3, 4};
  options.groups["outsiders"] = {20, 21};
  const GeResult result =
      SolveGe(flows, IndexCodes(30), kTheta,
              AgreementPartialEffects(30, options.groups["bloc"], 0.7), options);
  ASSERT_TRUE(result.converged()) << result.message;
  ASSERT_EQ(result.groups.size(), 2u);
  const GeGroupResult& bloc = result.groups[0];
  EXPECT_EQ(bloc.name, "bloc");
  EXPECT_DOUBLE_EQ(bloc.intra_share_before, IntraGroupTradeShare(flows, bloc.members));
  EXPECT_DOUBLE_EQ(bloc.intra_share_after, IntraGroupTradeShare(result.new_flows, bloc.members));
  EXPECT_GT(bloc.intra_share_after, bloc.intra_share_before);
}

}  // namespace
}  // namespace mizani

// gegravity's Canada-Japan agreement on its 30-country sample (vendored here,
// SOURCE.md), against the results printed in gegravity 0.3's documentation.
//
// gegravity (Herman 2021) does not simulate from the observed flows: it first
// builds a *modeled* baseline. Trade costs are t_ij^(1-sigma) = exp(b'x_ij)
// with the documented coefficients; the multilateral resistances solve
//   P_j^(1-sigma) = sum_i t_ij (Y_i / Y) / Pi_i^(1-sigma),
//   Pi_i^(1-sigma) = sum_j t_ij (E_j / E) / P_j^(1-sigma),
// with Y_i and E_j from the data and DEU's P fixed; modeled trade is
// X_ij = t_ij E_j (Y_i / Y) / (Pi_i^(1-sigma) P_j^(1-sigma)). Its columns add
// up to E_j and its rows to Y_i E / Y, so it is the biproportional scaling of
// the cost matrix to those totals, which this test computes (Sinkhorn).
// mizani's exact hat algebra (mizani/ge.h) then runs on that baseline with
// theta = sigma - 1 = 4, the CAN-JPN partial effect exp(0.4711383), E = phi Y
// (gegravity's closure) and P_DEU = 1 (its normalisation).
//
// The baseline involves no modelling choice and matches gegravity's printed
// values to their last digit. The counterfactual does not, for a documented
// reason: gegravity's full-GE system (OneSectorGE._full_ge) keeps the
// *baseline* shares Y_i / Y and E_j / E in the resistance and price
// equations while factory-gate prices move, so its counterfactual flows do
// not clear goods markets (by up to 0.19% of output here). gegravity_peer.py
// (numpy/scipy, beside this file) solves that system and prints gegravity's
// documented numbers to every digit ("fixed"); with the shares updated by the
// new prices and mizani's E' = kappa phi Y' closure ("cleared") markets clear
// and it gives mizani's numbers to every printed digit. The first test holds
// mizani to the cleared peer (1e-6 points, the printed precision); the second
// to gegravity's published counterfactual within the fixed-share gap the peer
// measures (CAN foreign exports +1.665% here, +1.573% there).
#include <gtest/gtest.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "mizani/ge.h"
#include "mizani/read.h"
#include "mizani/table.h"

namespace mizani {
namespace {

constexpr double kSigma = 5;
constexpr double kPta = 0.4711383;

// The documented PPML estimates (gegravity 0.3 docstring, "ests").
const std::map<std::string, double>& Coefficients() {
  static const std::map<std::string, double> coefficients = {
      {"lndist", -0.3898623}, {"contiguity", 0.891577},     {"common_language", 0.0326249},
      {"pta", kPta},          {"international", -3.412584},
  };
  return coefficients;
}
constexpr double kConstant = 16.32434;

struct World {
  std::vector<std::string> codes;  // sorted
  Eigen::MatrixXd costs;           // t_ij^(1-sigma), exporter rows
  Eigen::VectorXd output, expenditure;

  int Index(const std::string& code) const {
    return static_cast<int>(std::find(codes.begin(), codes.end(), code) - codes.begin());
  }
};

World ReadWorld() {
  const Table table = ReadTable(std::string(MIZANI_CERTIFIED_DIR) + "/gegravity_sample_2006.csv");
  const Column& exporters = table.Get("exporter");
  const Column& importers = table.Get("importer");
  World world;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    world.codes.push_back(exporters.CellText(row_idx));
  }
  std::sort(world.codes.begin(), world.codes.end());
  world.codes.erase(std::unique(world.codes.begin(), world.codes.end()), world.codes.end());
  const auto size = static_cast<Eigen::Index>(world.codes.size());
  world.costs = Eigen::MatrixXd::Constant(size, size, std::nan(""));
  world.output = Eigen::VectorXd::Zero(size);
  world.expenditure = Eigen::VectorXd::Zero(size);
  const std::span<const double> output = RequireNumeric(table, "Y");
  const std::span<const double> expenditure = RequireNumeric(table, "E");
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    const int exporter_idx = world.Index(exporters.CellText(row_idx));
    const int importer_idx = world.Index(importers.CellText(row_idx));
    double index = kConstant;
    for (const auto& [name, beta] : Coefficients()) {
      index += beta * RequireNumeric(table, name)[row_idx];
    }
    world.costs(exporter_idx, importer_idx) = std::exp(index);
    world.output(exporter_idx) = output[row_idx];
    world.expenditure(importer_idx) = expenditure[row_idx];
  }
  return world;
}

// gegravity's modeled baseline: the cost matrix scaled to column totals E_j
// and row totals Y_i E / Y (see the top of the file).
Eigen::MatrixXd ModeledBaseline(const World& world) {
  const Eigen::VectorXd row_totals = world.output * (world.expenditure.sum() / world.output.sum());
  Eigen::VectorXd row_scale = Eigen::VectorXd::Ones(world.costs.rows());
  Eigen::VectorXd column_scale = Eigen::VectorXd::Ones(world.costs.cols());
  for (int sweep = 0; sweep < 10000; ++sweep) {
    column_scale = world.expenditure.cwiseQuotient(world.costs.transpose() * row_scale);
    row_scale = row_totals.cwiseQuotient(world.costs * column_scale);
    const Eigen::VectorXd columns = column_scale.cwiseProduct(world.costs.transpose() * row_scale);
    if ((columns - world.expenditure).cwiseQuotient(world.expenditure).cwiseAbs().maxCoeff() <
        1e-15) {
      break;
    }
  }
  return row_scale.asDiagonal() * world.costs * column_scale.asDiagonal();
}

double Percent(double after, double before) { return 100 * (after / before - 1); }

// The documented trade costs and the modeled baseline (gegravity 0.3).
TEST(CertifiedGegravity, BaselineAsPublished) {
  const World world = ReadWorld();
  ASSERT_EQ(world.codes.size(), 30u);
  ASSERT_TRUE(world.costs.allFinite()) << "the sample is not a complete 30 x 30 square";
  const int canada = world.Index("CAN");
  const int japan = world.Index("JPN");
  const int australia = world.Index("AUS");

  // The documented CAN-JPN trade cost, before and after (printed to 6
  // decimals; the coefficients are given to 7 digits).
  EXPECT_NEAR(world.costs(canada, japan), 11305.165421, 1e-6);
  EXPECT_NEAR(world.costs(canada, japan) * std::exp(kPta), 18108.800547, 1e-6);

  // The modeled baseline: AUS's row as printed ("baseline modeled trade").
  const Eigen::MatrixXd baseline = ModeledBaseline(world);
  const std::map<std::string, double> aus_baseline = {{"AUS", 218129.130005},
                                                      {"AUT", 666.648700},
                                                      {"BEL", 1532.878160},
                                                      {"BRA", 2747.265374},
                                                      {"CAN", 2847.023843}};
  for (const auto& [code, value] : aus_baseline) {
    EXPECT_NEAR(baseline(australia, world.Index(code)), value, 2e-6 * value) << "AUS -> " << code;
  }
}

GeResult SolveAgreement(const World& world, const Eigen::MatrixXd& baseline) {
  GeOptions options;
  options.imbalance = ImbalanceMode::kMultiplicative;  // E = phi Y, as gegravity
  options.normalization = Normalization::kReferencePrice;
  options.reference_country = world.Index("DEU");
  options.tolerance = 1e-13;
  return SolveGe(baseline, world.codes, kSigma - 1,
                 AgreementPartialEffects(30, {world.Index("CAN"), world.Index("JPN")}, kPta),
                 options);
}

// Per country, in percent: factory-gate price, real GDP (Y/P), foreign
// exports, foreign imports, intranational trade.
struct Row {
  const char* code;
  double price, gdp, exports, imports, domestic;
};

Row Measured(const World& world, const GeResult& result, const char* code) {
  const GeCountryResults& countries = result.countries;
  const int country_idx = world.Index(code);
  return {code,
          100 * (countries.factory_gate_price_hat(country_idx) - 1),
          countries.real_gdp_change_pct(country_idx),
          Percent(countries.exports_after(country_idx), countries.exports_before(country_idx)),
          Percent(countries.imports_after(country_idx), countries.imports_before(country_idx)),
          Percent(countries.domestic_after(country_idx), countries.domestic_before(country_idx))};
}

void ExpectRow(const Row& measured, const Row& expected, double absolute, double relative) {
  SCOPED_TRACE(expected.code);
  const auto near = [&](double got, double want, const char* what) {
    EXPECT_NEAR(got, want, absolute + relative * std::abs(want)) << what;
  };
  near(measured.price, expected.price, "factory-gate price");
  near(measured.gdp, expected.gdp, "real GDP");
  near(measured.exports, expected.exports, "foreign exports");
  near(measured.imports, expected.imports, "foreign imports");
  near(measured.domestic, expected.domestic, "intranational trade");
}

// mizani against the market-clearing peer ("cleared" lines of
// `/usr/bin/python3 tests/certified/gegravity_peer.py`).
TEST(CertifiedGegravity, CounterfactualMatchesMarketClearingPeer) {
  const World world = ReadWorld();
  ASSERT_EQ(world.codes.size(), 30u);
  const GeResult result = SolveAgreement(world, ModeledBaseline(world));
  ASSERT_TRUE(result.converged()) << result.message;
  EXPECT_LE(result.market_clearing_residual, 1e-12);
  EXPECT_NEAR(result.countries.inward_resistance_hat(world.Index("DEU")), 1.0, 1e-12);
  const Row peer[] = {
      {"AUS", 0.002314, -0.006385, -0.070712, -0.033387, 0.030831},
      {"AUT", -0.002641, -0.004463, -0.015726, -0.010326, 0.018185},
      {"BEL", -0.001682, -0.001957, -0.019976, -0.011786, 0.009116},
      {"BRA", -0.005641, -0.004802, -0.059197, -0.053893, 0.016541},
      {"CAN", -0.118571, 0.428227, 1.664668, 1.572167, -1.808371},
      {"JPN", 0.209953, 0.050413, 1.165702, 2.205118, 0.011103},
  };
  for (const Row& row : peer) ExpectRow(Measured(world, result, row.code), row, 1.5e-6, 0);
  EXPECT_NEAR(result.new_flows(world.Index("AUS"), world.Index("CAN")), 2782.046303, 2e-6);
}

// mizani against gegravity's published counterfactual (country results for
// AUS, AUT, BEL, BRA, CAN; AUS -> CAN trade), within the fixed-share gap:
// the peer puts gegravity's CAN exports at +1.573180% against +1.664668%
// when markets clear, AUS's domestic trade at +0.019940% against +0.030831%.
// Tolerance 0.025 points plus 8% of the value covers every such gap here
// (the largest absolute one is BRA's domestic trade, -0.006% against
// +0.017%; the largest relative one on a sizeable change is CAN's domestic trade,
// -1.939% against -1.808%, 7%); what the test guards is that mizani
// simulates the same experiment on the same baseline, not the fixed-share
// approximation.
TEST(CertifiedGegravity, CounterfactualNearPublished) {
  const World world = ReadWorld();
  const GeResult result = SolveAgreement(world, ModeledBaseline(world));
  ASSERT_TRUE(result.converged()) << result.message;
  const Row published[] = {
      {"AUS", 0.004143, -0.007106, -0.087678, -0.033760, 0.019940},
      {"AUT", -0.002774, -0.005179, -0.034691, -0.026447, -0.001602},
      {"BEL", -0.002052, -0.002409, -0.037698, -0.030564, -0.011239},
      {"BRA", -0.005588, -0.005496, -0.080228, -0.066497, -0.005961},
      {"CAN", -0.135770, 0.418261, 1.573180, 1.504744, -1.939006},
  };
  for (const Row& row : published) ExpectRow(Measured(world, result, row.code), row, 0.025, 0.08);
  // AUS -> CAN "experiment trade" 2780.118420 and CAN's welfare statistic
  // (E/P) / (E'/P') = 0.995835.
  EXPECT_NEAR(result.new_flows(world.Index("AUS"), world.Index("CAN")), 2780.118420, 3.0);
  const double welfare = result.countries.welfare_change_pct(world.Index("CAN"));
  EXPECT_NEAR(1 / (1 + welfare / 100), 0.995835, 1.5e-4);
}

}  // namespace
}  // namespace mizani

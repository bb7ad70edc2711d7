// GEPPML (Anderson, Larch & Yotov 2018) against exact hat algebra: the two
// paths solve the same model, so on the same inputs every output must agree
// (docs/ge-solver.md, "GEPPML path").
#include "mizani/geppml.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "ge_fixtures.h"
#include "mizani/error.h"
#include "mizani/ge.h"
#include "mizani/read.h"
#include "mizani/table.h"
#include "test_support.h"

namespace mizani {
namespace {

constexpr double kAgreement = 1e-6;  // required relative agreement of the two paths

// Largest relative difference |a - b| / |b| over entries with b != 0.
double MaxRelative(const Eigen::MatrixXd& actual, const Eigen::MatrixXd& expected) {
  EXPECT_EQ(actual.rows(), expected.rows());
  EXPECT_EQ(actual.cols(), expected.cols());
  if (actual.rows() != expected.rows() || actual.cols() != expected.cols()) return INFINITY;
  double worst = 0;
  for (Eigen::Index col_idx = 0; col_idx < expected.cols(); ++col_idx) {
    for (Eigen::Index row_idx = 0; row_idx < expected.rows(); ++row_idx) {
      const double want = expected(row_idx, col_idx);
      const double got = actual(row_idx, col_idx);
      if (want == 0) {
        worst = std::max(worst, std::abs(got));
        continue;
      }
      worst = std::max(worst, std::abs(got - want) / std::abs(want));
    }
  }
  return worst;
}

// Percent changes compared as the ratios 1 + pct / 100 they stand for.
Eigen::VectorXd AsRatio(const Eigen::VectorXd& pct) { return (1.0 + pct.array() / 100.0).matrix(); }

// The largest relative disagreement over every per-country output and the
// new flows; each field is also checked on its own so a failure names it.
double Disagreement(const GeResult& geppml, const GeResult& hat, bool full_endowment) {
  const GeCountryResults& got = geppml.countries;
  const GeCountryResults& want = hat.countries;
  std::map<std::string, double> fields = {
      {"new_flows", MaxRelative(geppml.new_flows, hat.new_flows)},
      {"factory_gate_price_hat",
       MaxRelative(got.factory_gate_price_hat, want.factory_gate_price_hat)},
      {"inward_resistance_hat", MaxRelative(got.inward_resistance_hat, want.inward_resistance_hat)},
      {"inward_resistance_level",
       MaxRelative(got.inward_resistance_level, want.inward_resistance_level)},
      {"outward_resistance_hat",
       MaxRelative(got.outward_resistance_hat, want.outward_resistance_hat)},
      {"output_after", MaxRelative(got.output_after, want.output_after)},
      {"expenditure_after", MaxRelative(got.expenditure_after, want.expenditure_after)},
      {"exports_after", MaxRelative(got.exports_after, want.exports_after)},
      {"imports_after", MaxRelative(got.imports_after, want.imports_after)},
      {"domestic_after", MaxRelative(got.domestic_after, want.domestic_after)},
      {"exports_change",
       MaxRelative(AsRatio(got.exports_change_pct), AsRatio(want.exports_change_pct))},
      {"imports_change",
       MaxRelative(AsRatio(got.imports_change_pct), AsRatio(want.imports_change_pct))},
      {"flow_change",
       MaxRelative(AsRatio(Eigen::Map<const Eigen::VectorXd>(geppml.flow_change_pct.data(),
                                                             geppml.flow_change_pct.size())),
                   AsRatio(Eigen::Map<const Eigen::VectorXd>(hat.flow_change_pct.data(),
                                                             hat.flow_change_pct.size())))},
      {"world_output_hat", std::abs(geppml.world_output_hat / hat.world_output_hat - 1)},
      {"expenditure_scale", std::abs(geppml.expenditure_scale / hat.expenditure_scale - 1)},
  };
  if (full_endowment) {
    fields["real_gdp_change"] =
        MaxRelative(AsRatio(got.real_gdp_change_pct), AsRatio(want.real_gdp_change_pct));
    fields["welfare_change"] =
        MaxRelative(AsRatio(got.welfare_change_pct), AsRatio(want.welfare_change_pct));
  } else {
    EXPECT_TRUE(got.real_gdp_change_pct.array().isNaN().all());
    EXPECT_TRUE(got.welfare_change_pct.array().isNaN().all());
  }
  EXPECT_EQ(got.codes, want.codes);
  EXPECT_EQ(geppml.groups.size(), hat.groups.size());
  for (size_t group_idx = 0; group_idx < std::min(geppml.groups.size(), hat.groups.size());
       ++group_idx) {
    EXPECT_EQ(geppml.groups[group_idx].name, hat.groups[group_idx].name);
    fields["intra_share_after_" + hat.groups[group_idx].name] = std::abs(
        geppml.groups[group_idx].intra_share_after / hat.groups[group_idx].intra_share_after - 1);
  }
  double worst = 0;
  for (const auto& [name, value] : fields) {
    EXPECT_LE(value, kAgreement) << name;
    worst = std::max(worst, value);
  }
  return worst;
}

struct Case {
  const char* name;
  GeMode mode;
  ImbalanceMode imbalance;
  Normalization normalization;
};

class GeppmlAgreement : public ::testing::TestWithParam<Case> {};

// A random 12-country baseline with imbalances and some zero flows; an
// agreement among 4 countries, b = 0.5, theta = 4 (sigma = 5).
TEST_P(GeppmlAgreement, MatchesHatAlgebra) {
  const Case& test_case = GetParam();
  constexpr int kCountries = 12;
  const Eigen::MatrixXd flows = testing::RandomFlows(kCountries, 20240611);
  const std::vector<std::string> codes = testing::IndexCodes(kCountries);
  const Eigen::MatrixXd effects =
      AgreementPartialEffects(kCountries, testing::FirstCountries(4), 0.5);
  GeOptions options;
  options.mode = test_case.mode;
  options.imbalance = test_case.imbalance;
  options.normalization = test_case.normalization;
  options.reference_country = 7;
  options.groups["members"] = testing::FirstCountries(4);

  const GeResult hat = GeProblem(flows, codes, 4.0, options).Solve(effects);
  ASSERT_TRUE(hat.converged()) << hat.message;
  const GeResult geppml = SolveGeppml(flows, codes, 4.0, effects, options);
  ASSERT_TRUE(geppml.converged()) << geppml.message;
  EXPECT_LE(geppml.max_log_excess_supply, options.tolerance);
  EXPECT_LE(geppml.market_clearing_residual, 1e-9);
  EXPECT_LE(geppml.budget_residual, 1e-9);
  EXPECT_LE(MaxRelative(geppml.baseline_flows, hat.baseline_flows), kAgreement);
  const double worst = Disagreement(geppml, hat, test_case.mode == GeMode::kFullEndowment);
  std::printf("GEPPML vs hat algebra, %s: %d re-estimations, largest relative gap %.2e\n",
              test_case.name, geppml.iterations, worst);
  if (test_case.mode == GeMode::kConditional) {
    EXPECT_EQ(geppml.iterations, 0);
    EXPECT_TRUE((geppml.countries.factory_gate_price_hat.array() == 1.0).all());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Modes, GeppmlAgreement,
    ::testing::Values(Case{"additive", GeMode::kFullEndowment, ImbalanceMode::kAdditive,
                           Normalization::kWorldOutput},
                      Case{"multiplicative", GeMode::kFullEndowment, ImbalanceMode::kMultiplicative,
                           Normalization::kWorldOutput},
                      Case{"conditional", GeMode::kConditional, ImbalanceMode::kAdditive,
                           Normalization::kWorldOutput},
                      Case{"removed", GeMode::kFullEndowment, ImbalanceMode::kRemoved,
                           Normalization::kWorldOutput},
                      Case{"additive_reference", GeMode::kFullEndowment, ImbalanceMode::kAdditive,
                           Normalization::kReferencePrice},
                      Case{"multiplicative_reference", GeMode::kFullEndowment,
                           ImbalanceMode::kMultiplicative, Normalization::kReferencePrice},
                      Case{"conditional_reference", GeMode::kConditional, ImbalanceMode::kAdditive,
                           Normalization::kReferencePrice}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(Geppml, NoShockReturnsTheBaseline) {
  constexpr int kCountries = 12;
  const Eigen::MatrixXd flows = testing::RandomFlows(kCountries, 7);
  const Eigen::MatrixXd no_shock = Eigen::MatrixXd::Ones(kCountries, kCountries);
  for (GeMode mode : {GeMode::kFullEndowment, GeMode::kConditional}) {
    for (ImbalanceMode imbalance : {ImbalanceMode::kAdditive, ImbalanceMode::kMultiplicative}) {
      GeOptions options;
      options.mode = mode;
      options.imbalance = imbalance;
      const GeResult result = SolveGeppml(flows, {}, 4.0, no_shock, options);
      ASSERT_TRUE(result.converged()) << result.message;
      EXPECT_EQ(result.iterations, 0);
      EXPECT_LE(MaxRelative(result.new_flows, flows), 1e-10);
      EXPECT_LE((result.countries.factory_gate_price_hat.array() - 1).abs().maxCoeff(), 1e-10);
      EXPECT_LE((result.countries.inward_resistance_hat.array() - 1).abs().maxCoeff(), 1e-10);
      EXPECT_LE((result.countries.outward_resistance_hat.array() - 1).abs().maxCoeff(), 1e-10);
      EXPECT_LE(result.flow_change_pct.cwiseAbs().maxCoeff(), 1e-8);
      if (mode == GeMode::kFullEndowment) {
        EXPECT_LE(result.countries.welfare_change_pct.cwiseAbs().maxCoeff(), 1e-8);
      }
    }
  }
}

TEST(Geppml, BadInputThrowsLikeHatAlgebra) {
  const Eigen::MatrixXd flows = testing::RandomFlows(5, 3);
  auto code_of = [](auto&& call) {
    try {
      call();
    } catch (const Error& error) {
      return error.code();
    }
    return ErrorCode::kOk;
  };
  EXPECT_EQ(code_of([&] { SolveGeppml(flows, {}, 4.0, Eigen::MatrixXd::Ones(4, 4)); }),
            ErrorCode::kBadScenario);
  EXPECT_EQ(code_of([&] { SolveGeppml(flows, {}, 0.0, Eigen::MatrixXd::Ones(5, 5)); }),
            ErrorCode::kBadScenario);
  Eigen::MatrixXd negative = Eigen::MatrixXd::Ones(5, 5);
  negative(1, 2) = -1;
  EXPECT_EQ(code_of([&] { SolveGeppml(flows, {}, 4.0, negative); }), ErrorCode::kBadScenario);
  Eigen::MatrixXd no_home = flows;
  no_home(2, 2) = 0;
  EXPECT_EQ(code_of([&] { SolveGeppml(no_home, {}, 4.0, Eigen::MatrixXd::Ones(5, 5)); }),
            ErrorCode::kBadScenario);
}

TEST(Geppml, ReportsNonConvergence) {
  const Eigen::MatrixXd flows = testing::RandomFlows(12, 11);
  GeOptions options;
  options.max_iterations = 2;
  const GeResult result = SolveGeppml(
      flows, {}, 4.0, AgreementPartialEffects(12, testing::FirstCountries(4), 0.5), options);
  EXPECT_EQ(result.termination, Termination::kMaxIterations) << result.message;
  EXPECT_EQ(result.iterations, 2);
  EXPECT_EQ(result.new_flows.rows(), 12);  // the last iterate is still reported
}

// A square flow matrix from a long table (exporter, importer, trade), rows
// restricted to `year` when the table has that column and year > 0.
struct SquareFlows {
  std::vector<std::string> codes;
  Eigen::MatrixXd flows;
};

SquareFlows ReadSquare(const std::string& path, double year) {
  const Table table = ReadTable(path);
  const Column& exporter = table.Get("exporter");
  const Column& importer = table.Get("importer");
  const std::span<const double> trade = RequireNumeric(table, "trade");
  const Column* years = year > 0 ? table.Find("year") : nullptr;
  std::map<std::string, int> index;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (years != nullptr && years->num[row_idx] != year) continue;
    index[exporter.CellText(row_idx)] = 0;
  }
  SquareFlows square;
  for (auto& [code, country_idx] : index) {
    country_idx = static_cast<int>(square.codes.size());
    square.codes.push_back(code);
  }
  const int num_countries = static_cast<int>(square.codes.size());
  square.flows = Eigen::MatrixXd::Constant(num_countries, num_countries, -1);
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (years != nullptr && years->num[row_idx] != year) continue;
    square.flows(index.at(exporter.CellText(row_idx)), index.at(importer.CellText(row_idx))) =
        trade[row_idx];
  }
  return square;
}

int IndexOf(const std::vector<std::string>& codes, const std::string& code) {
  return static_cast<int>(std::find(codes.begin(), codes.end(), code) - codes.begin());
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// The gegravity (USITC) example: a CAN-JPN agreement, b = 0.4711383, sigma = 5.
TEST(Geppml, GegravitySampleCanadaJapan) {
  MIZANI_REQUIRE_SHARED(path, "gegravity_sample_2006/sample_data_set.csv");
  const SquareFlows sample = ReadSquare(path, 0);
  ASSERT_EQ(sample.codes.size(), 30u);
  ASSERT_GE(sample.flows.minCoeff(), 0.0) << "the sample is not a complete 30 x 30 square";
  const int canada = IndexOf(sample.codes, "CAN");
  const int japan = IndexOf(sample.codes, "JPN");
  ASSERT_LT(canada, 30);
  ASSERT_LT(japan, 30);
  const Eigen::MatrixXd effects = AgreementPartialEffects(30, {canada, japan}, 0.4711383);
  for (GeMode mode : {GeMode::kFullEndowment, GeMode::kConditional}) {
    GeOptions options;
    options.mode = mode;
    options.groups["CAN-JPN"] = {canada, japan};
    const auto hat_start = std::chrono::steady_clock::now();
    const GeResult hat = SolveGe(sample.flows, sample.codes, 4.0, effects, options);
    const double hat_seconds = Seconds(hat_start);
    const auto geppml_start = std::chrono::steady_clock::now();
    const GeResult geppml = SolveGeppml(sample.flows, sample.codes, 4.0, effects, options);
    const double geppml_seconds = Seconds(geppml_start);
    ASSERT_TRUE(hat.converged()) << hat.message;
    ASSERT_TRUE(geppml.converged()) << geppml.message;
    const double worst = Disagreement(geppml, hat, mode == GeMode::kFullEndowment);
    std::printf(
        "gegravity sample, CAN-JPN, %s: GEPPML %d re-estimations %.1f ms, hat algebra %.2f ms, "
        "largest relative gap %.2e\n",
        mode == GeMode::kFullEndowment ? "full endowment" : "conditional", geppml.iterations,
        1e3 * geppml_seconds, 1e3 * hat_seconds, worst);
  }
}

// The Advanced Guide's 69 countries (2006, chapter 2 data): agreement and timing.
TEST(Geppml, AdvancedGuide69Countries) {
  MIZANI_REQUIRE_SHARED(path, "agtpa_yotov2016/csv/Chapter2Application1.csv.gz");
  const SquareFlows guide = ReadSquare(path, 2006);
  ASSERT_EQ(guide.codes.size(), 69u);
  ASSERT_GE(guide.flows.minCoeff(), 0.0) << "the 2006 data are not a complete square";
  std::vector<int> members;
  for (const char* code : {"CAN", "JPN", "KOR", "AUS", "MEX"}) {
    members.push_back(IndexOf(guide.codes, code));
    ASSERT_LT(members.back(), 69) << code;
  }
  const Eigen::MatrixXd effects = AgreementPartialEffects(69, members, 0.5);
  GeOptions options;
  const auto hat_start = std::chrono::steady_clock::now();
  const GeResult hat = SolveGe(guide.flows, guide.codes, 4.0, effects, options);
  const double hat_seconds = Seconds(hat_start);
  const auto geppml_start = std::chrono::steady_clock::now();
  const GeResult geppml = SolveGeppml(guide.flows, guide.codes, 4.0, effects, options);
  const double geppml_seconds = Seconds(geppml_start);
  ASSERT_TRUE(hat.converged()) << hat.message;
  ASSERT_TRUE(geppml.converged()) << geppml.message;
  const double worst = Disagreement(geppml, hat, true);
  std::printf(
      "Advanced Guide 2006, 69 countries: GEPPML %d re-estimations %.1f ms, hat algebra %.2f ms, "
      "largest relative gap %.2e\n",
      geppml.iterations, 1e3 * geppml_seconds, 1e3 * hat_seconds, worst);
}

}  // namespace
}  // namespace mizani

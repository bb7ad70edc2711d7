// Scenario runs on synthetic worlds: goal seeking (checked by re-solving at
// the size found) and the bootstrap (deterministic for a seed whatever the
// thread count; the point estimate inside the interval).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "mizani/error.h"
#include "mizani/read.h"
#include "mizani/scenario.h"
#include "mizani/synth.h"
#include "test_support.h"

namespace mizani {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Names(int count) {
  std::vector<std::string> names;
  for (int country_idx = 0; country_idx < count; ++country_idx) {
    names.push_back(fmt::format("C{}{}", static_cast<char>('A' + country_idx / 26),
                                static_cast<char>('A' + country_idx % 26)));
  }
  return names;
}

class ScenarioRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::mizani::testing::MakeTempDir("scenario-run");
    SynthOptions options;
    options.exporters = options.importers = 16;
    options.years = 4;
    options.first_year = 2000;
    options.share_zeros = 0.05;
    options.seed = 7;
    options.beta_rta = 0.4;
    options.names = Names(16);
    WriteCsv(SynthesizeSquareWorld(options), (fs::path(dir_) / "world.csv").string());
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  Scenario Parse(const std::string& text) const { return ParseScenario(text, "run.toml", dir_); }
  std::string dir_;
};

const char* kGoalScenario = R"(
[data]
path = "world.csv"
baseline_year = 2003
[model]
sigma = 5
[groups]
BLOC = ["CAA", "CAB", "CAC", "CAD"]
[[shocks]]
name = "bloc-costs"
kind = "trade_cost"
members = "BLOC"
change_pct = 0
[goal]
outcome = "intra_group_share"
group = "BLOC"
target = 0.5
shock = "bloc-costs"
tolerance = 1e-9
)";

TEST_F(ScenarioRunTest, GoalSeekReachesTheTargetShare) {
  const Scenario scenario = Parse(kGoalScenario);
  RunOptions options;
  options.quiet = true;
  const ScenarioOutcome outcome = RunScenario(scenario, options);
  ASSERT_TRUE(outcome.goal.has_value());
  EXPECT_TRUE(outcome.goal->reached);
  RecordProperty("goal_iterations", outcome.goal->iterations);
  const double cut = outcome.goal->value;
  EXPECT_LT(cut, 0);
  EXPECT_GT(cut, -99);
  ASSERT_EQ(outcome.ge.groups.size(), 1u);
  EXPECT_LT(outcome.ge.groups[0].intra_share_before, 0.5);
  EXPECT_NEAR(outcome.ge.groups[0].intra_share_after, 0.5, 1e-9);
  // Independent check: rebuild B at the size found and solve from scratch.
  Eigen::MatrixXd flows = outcome.ge.baseline_flows;
  const Eigen::MatrixXd effects = BuildPartialEffects(scenario, outcome.codes, {}, {0, cut});
  const GeResult check = SolveGe(flows, outcome.codes, 4.0, effects);
  ASSERT_TRUE(check.converged());
  EXPECT_NEAR(IntraGroupTradeShare(check.new_flows, {0, 1, 2, 3}), 0.5, 1e-8);
  // The goal's intermediate evaluations bracket the answer.
  EXPECT_GE(outcome.goal->trace.size(), 3u);
}

TEST_F(ScenarioRunTest, GeppmlSolverAgreesWithHatAlgebra) {
  // The same scenario through both solvers (solver = "geppml" re-estimates
  // PPML with the trade costs as an offset; Anderson, Larch & Yotov 2018).
  std::string text = kGoalScenario;
  text.replace(text.find("change_pct = 0"), 14, "change_pct = -20");
  text = text.substr(0, text.find("[goal]"));
  RunOptions options;
  options.quiet = true;
  const ScenarioOutcome hat = RunScenario(Parse(text), options);
  std::string geppml_text = text;
  geppml_text.replace(geppml_text.find("sigma = 5"), 9, "sigma = 5\nsolver = \"geppml\"");
  const ScenarioOutcome geppml = RunScenario(Parse(geppml_text), options);
  ASSERT_TRUE(hat.ge.converged());
  ASSERT_TRUE(geppml.ge.converged()) << geppml.ge.message;
  for (Eigen::Index idx = 0; idx < hat.ge.countries.real_gdp_change_pct.size(); ++idx) {
    const double expected = 1 + hat.ge.countries.real_gdp_change_pct(idx) / 100;
    const double actual = 1 + geppml.ge.countries.real_gdp_change_pct(idx) / 100;
    EXPECT_NEAR(actual, expected, 1e-6 * expected) << hat.codes[idx];
  }
  EXPECT_NEAR(geppml.ge.groups[0].intra_share_after, hat.ge.groups[0].intra_share_after, 1e-6);
}

TEST_F(ScenarioRunTest, GoalSeekReportsAnUnreachableTarget) {
  std::string text = kGoalScenario;
  text.replace(text.find("target = 0.5"), 12, "target = 0.999");
  text.replace(text.find("tolerance = 1e-9"), 16, "range = [-50, 0]");
  const Scenario scenario = Parse(text);
  RunOptions options;
  options.quiet = true;
  try {
    RunScenario(scenario, options);
    FAIL() << "expected kTargetUnreachable";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kTargetUnreachable);
    const std::string message = error.what();
    EXPECT_NE(message.find("reaches at most"), std::string::npos) << message;
    EXPECT_NE(message.find("at a 50% cut"), std::string::npos) << message;
  }
}

const char* kBootstrapScenario = R"(
[data]
path = "world.csv"
baseline_year = 2003
[estimation]
formula = "trade ~ rta | exporter^year + importer^year + pair_id"
[model]
sigma = 5
[groups]
BLOC = ["CAA", "CAB", "CAC", "CAD"]
[[shocks]]
kind = "agreement"
members = "BLOC"
coefficient = "estimated"
term = "rta"
[output]
focus = "CAA->CAB"
[uncertainty]
replications = 24
seed = 11
)";

TEST_F(ScenarioRunTest, PairBootstrapIsReproducibleAcrossThreadCounts) {
  const Scenario scenario = Parse(kBootstrapScenario);
  RunOptions one;
  one.quiet = true;
  one.threads = 1;
  RunOptions two = one;
  two.threads = 2;
  const ScenarioOutcome first = RunScenario(scenario, one);
  const ScenarioOutcome second = RunScenario(scenario, two);
  const UncertaintyResult& a = first.uncertainty;
  const UncertaintyResult& b = second.uncertainty;
  EXPECT_EQ(a.threads, 1);
  EXPECT_EQ(b.threads, 2);
  ASSERT_EQ(a.succeeded, 24);
  ASSERT_EQ(b.succeeded, 24);
  ASSERT_EQ(a.countries.size(), b.countries.size());
  for (size_t output_idx = 0; output_idx < a.countries.size(); ++output_idx) {
    EXPECT_EQ(a.countries[output_idx].lower, b.countries[output_idx].lower)
        << a.countries[output_idx].name;
    EXPECT_EQ(a.countries[output_idx].upper, b.countries[output_idx].upper);
  }
  EXPECT_EQ(a.groups.lower, b.groups.lower);
  EXPECT_EQ(a.coefficients.upper, b.coefficients.upper);
  EXPECT_EQ(a.coefficient_draws, b.coefficient_draws);

  // The point estimates lie inside their intervals.
  const double rta = first.coefficients.at("rta");
  EXPECT_LT(a.coefficients.lower(0), rta);
  EXPECT_GT(a.coefficients.upper(0), rta);
  EXPECT_GT(a.coefficients.upper(0) - a.coefficients.lower(0), 0.01);
  const Eigen::VectorXd& real_gdp = first.ge.countries.real_gdp_change_pct;
  for (const IntervalSet& set : a.countries) {
    if (set.name != "real_gdp_change_pct") continue;
    for (int member_idx = 0; member_idx < 4; ++member_idx) {
      EXPECT_LE(set.lower(member_idx), real_gdp(member_idx)) << member_idx;
      EXPECT_GE(set.upper(member_idx), real_gdp(member_idx)) << member_idx;
    }
  }
  EXPECT_LE(a.groups.lower(0), first.ge.groups[0].intra_share_after);
  EXPECT_GE(a.groups.upper(0), first.ge.groups[0].intra_share_after);
  const double focus = first.ge.flow_change_pct(0, 1);
  EXPECT_LE(a.focus.lower(0), focus);
  EXPECT_GE(a.focus.upper(0), focus);

  // Another seed gives other draws.
  Scenario reseeded = scenario;
  reseeded.uncertainty.seed = 12;
  const ScenarioOutcome third = RunScenario(reseeded, one);
  EXPECT_NE(third.uncertainty.coefficient_draws, a.coefficient_draws);
}

TEST_F(ScenarioRunTest, ParametricDrawsCentreOnTheEstimate) {
  std::string text = kBootstrapScenario;
  text += "method = \"parametric\"\n";
  text.replace(text.find("replications = 24"), 17, "replications = 400");
  const Scenario scenario = Parse(text);
  RunOptions options;
  options.quiet = true;
  const ScenarioOutcome outcome = RunScenario(scenario, options);
  ASSERT_EQ(outcome.uncertainty.succeeded, 400);
  const Eigen::VectorXd draws = outcome.uncertainty.coefficient_draws.col(0);
  const double mean = draws.mean();
  const double sd = std::sqrt((draws.array() - mean).square().sum() / (draws.size() - 1));
  const double se = outcome.estimation->StdErrors()(0);
  const double rta = outcome.coefficients.at("rta");
  // 400 draws: the mean within 4 standard errors of the mean, sd within 15%.
  EXPECT_NEAR(mean, rta, 4 * se / 20);
  EXPECT_NEAR(sd / se, 1.0, 0.15);
}

}  // namespace
}  // namespace mizani

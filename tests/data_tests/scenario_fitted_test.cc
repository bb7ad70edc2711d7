// The Advanced Guide's chapter-2 applications through scenario files
// (model.baseline = "fitted"): the scenario route must reproduce what the C++
// API does (tests/data_tests/ge_fitted_baseline_test.cc).
//  * the NAFTA scenario (tests/nafta_scenario.h) against Table 4, read as the
//    book reads it: the effect of NAFTA in place, (BLN - CFL) / CFL;
//  * examples/nafta_fitted.toml and examples/trade_without_borders.toml, run
//    end to end, against the official Stata outputs of the do-files for all
//    69 countries in every column (conditional and full endowment);
//  * goal seeking, the sigma table and the intervals on a fitted baseline.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "agtpa_official.h"
#include "mizani/scenario.h"
#include "nafta_scenario.h"
#include "scenario/internal.h"
#include "test_support.h"

namespace mizani {
namespace {

double NaftaEffect(double removal_change_pct) {
  return 100 * (1 / (1 + removal_change_pct / 100) - 1);
}

TEST(ScenarioFitted, NaftaReproducesTable4) {
  MIZANI_REQUIRE_SHARED(data, "agtpa_yotov2016/csv/Chapter2Application2.csv.gz");
  std::string text = test_data::NaftaScenarioToml(data, 1994, "full", "");
  text.replace(text.find("imbalances = \"multiplicative\""), 29,
               "imbalances = \"multiplicative\"\nbaseline = \"fitted\"");
  const Scenario scenario = ParseScenario(text, "nafta.toml", "");
  ASSERT_EQ(scenario.model.baseline, BaselineKind::kFitted);
  RunOptions options;
  options.quiet = true;
  const ScenarioOutcome outcome = RunScenario(scenario, options);
  ASSERT_TRUE(outcome.ge.converged()) << outcome.ge.message;
  ASSERT_TRUE(outcome.estimation.has_value());
  EXPECT_EQ(outcome.estimation->formula, "trade ~ RTA | exporter^year + importer^year + pair_id");
  EXPECT_NEAR(outcome.coefficients.at("RTA"), 0.557185, 5e-7);
  const auto index = [&](const char* code) {
    return std::find(outcome.codes.begin(), outcome.codes.end(), code) - outcome.codes.begin();
  };
  // Table 4: exports (3), real GDP (printed as column 6), inward resistance (5).
  const GeCountryResults& countries = outcome.ge.countries;
  struct Row {
    const char* code;
    double exports, real_gdp, imr;
  };
  for (const Row& row : {Row{"CAN", 37.46, 3.40, -1.48}, Row{"MEX", 43.51, 3.81, -2.40},
                         Row{"USA", 14.88, 0.33, -0.18}, Row{"JPN", -0.42, -0.01, -0.02}}) {
    const auto country_idx = index(row.code);
    EXPECT_NEAR(NaftaEffect(countries.exports_change_pct(country_idx)), row.exports, 0.005)
        << row.code;
    EXPECT_NEAR(NaftaEffect(countries.real_gdp_change_pct(country_idx)), row.real_gdp, 0.005)
        << row.code;
    EXPECT_NEAR(NaftaEffect(100 * (countries.inward_resistance_hat(country_idx) - 1)), row.imr,
                0.005)
        << row.code;
  }
  // Germany is the reference: its inward resistance does not move.
  EXPECT_NEAR(countries.inward_resistance_hat(index("DEU")), 1.0, 1e-12);
}

// An example scenario file on the shared data, as `mizani simulate
// examples/NAME --data-dir ../shared/data` runs it; `conditional` switches
// [model] mode to conditional GE (the book reports both steps).
ScenarioOutcome RunExample(const std::string& name, const std::string& data_dir, bool conditional,
                           const std::string& extra_toml = "") {
  ScenarioOverrides overrides;
  overrides.data_dir = data_dir;
  Scenario scenario;
  if (extra_toml.empty()) {
    scenario = LoadScenario(fmt::format("{}/examples/{}", MIZANI_SOURCE_DIR, name), overrides);
  } else {
    std::ifstream in(fmt::format("{}/examples/{}", MIZANI_SOURCE_DIR, name));
    std::stringstream text;
    text << in.rdbuf() << extra_toml;
    scenario = ParseScenario(text.str(), name, MIZANI_SOURCE_DIR, overrides);
  }
  EXPECT_EQ(scenario.model.baseline, BaselineKind::kFitted);
  if (conditional) scenario.model.mode = GeMode::kConditional;
  RunOptions options;
  options.quiet = true;
  options.threads = 2;
  return RunScenario(scenario, options);
}

// The data folder holding `relative` (SharedDataPath gives the file).
std::string DataDir(const std::string& file, const std::string& relative) {
  return file.substr(0, file.size() - relative.size());
}

Eigen::Index CountryIndex(const ScenarioOutcome& outcome, const std::string& code) {
  return std::find(outcome.codes.begin(), outcome.codes.end(), code) - outcome.codes.begin();
}

// Largest |scenario - official| over the 69 countries and the official file's
// eight columns. `effect` turns a removal's percent change into the book's
// reading (identity for trade without borders, (BLN - CFL) / CFL for NAFTA);
// `price` the factory-gate price change likewise.
template <typename Effect, typename Price>
double WorstGap(const ScenarioOutcome& conditional, const ScenarioOutcome& full,
                const std::string& application, const std::string& reference_code, Effect effect,
                Price price) {
  const auto official = test_data::OfficialResults(application);
  EXPECT_EQ(official.size(), 69u);
  EXPECT_EQ(full.codes.size(), 69u);
  double worst = 0;
  for (const auto& [code, values] : official) {
    const std::string data_code = code == "DEU" ? reference_code : code;
    const Eigen::Index cond_idx = CountryIndex(conditional, data_code);
    const Eigen::Index full_idx = CountryIndex(full, data_code);
    if (full_idx >= static_cast<Eigen::Index>(full.codes.size()) ||
        cond_idx >= static_cast<Eigen::Index>(conditional.codes.size())) {
      ADD_FAILURE() << code << " missing from the scenario's countries";
      continue;
    }
    const GeCountryResults& cond = conditional.ge.countries;
    const GeCountryResults& all = full.ge.countries;
    const std::vector<double> ours = {effect(cond.exports_change_pct(cond_idx)),
                                      effect(all.exports_change_pct(full_idx)),
                                      price(100 * (all.factory_gate_price_hat(full_idx) - 1)),
                                      effect(100 * (cond.inward_resistance_hat(cond_idx) - 1)),
                                      effect(100 * (all.inward_resistance_hat(full_idx) - 1)),
                                      effect(100 * (cond.outward_resistance_hat(cond_idx) - 1)),
                                      effect(100 * (all.outward_resistance_hat(full_idx) - 1)),
                                      effect(all.real_gdp_change_pct(full_idx))};
    EXPECT_EQ(values.size(), ours.size()) << code;
    for (size_t col_idx = 0; col_idx < ours.size() && col_idx < values.size(); ++col_idx) {
      EXPECT_TRUE(std::isfinite(ours[col_idx])) << code << " column " << col_idx;
      worst = std::max(worst, std::abs(ours[col_idx] - values[col_idx]));
    }
  }
  return worst;
}

constexpr const char* kBorders = "agtpa_yotov2016/csv/1_TradeWithoutBorder.csv.gz";
constexpr const char* kNafta = "agtpa_yotov2016/csv/Chapter2Application2.csv.gz";

TEST(ScenarioFitted, TradeWithoutBordersExampleMatchesOfficialResults) {
  MIZANI_REQUIRE_SHARED(file, kBorders);
  const std::string data_dir = DataDir(file, kBorders);
  const ScenarioOutcome full = RunExample("trade_without_borders.toml", data_dir, false);
  const ScenarioOutcome conditional = RunExample("trade_without_borders.toml", data_dir, true);
  // Eq. 2-52 (p. 104): -0.791 (0.050), 0.674 (0.107), -2.474 (0.119).
  ASSERT_TRUE(full.estimation.has_value());
  const Eigen::VectorXd se = full.estimation->StdErrors();
  EXPECT_EQ(fmt::format("{:.3f} {:.3f} {:.3f}", full.estimation->coef(0), full.estimation->coef(1),
                        full.estimation->coef(2)),
            "-0.791 0.674 -2.474");
  EXPECT_EQ(fmt::format("{:.3f} {:.3f} {:.3f}", se(0), se(1), se(2)), "0.050 0.107 0.119");
  // The official log stops after 5 re-estimations.
  EXPECT_EQ(full.ge.iterations, 5);
  const double worst = WorstGap(
      conditional, full, "borders", "ZZZ", [](double value) { return value; },
      [](double value) { return value; });
  std::cout << fmt::format(
      "trade_without_borders.toml: largest gap to the official Stata results {:.3g} points\n",
      worst);
  EXPECT_LT(worst, 1e-4);
  // Germany (ZZZ) is the reference: its inward resistance does not move.
  EXPECT_NEAR(full.ge.countries.inward_resistance_hat(CountryIndex(full, "ZZZ")), 1.0, 1e-12);
}

TEST(ScenarioFitted, NaftaExampleMatchesOfficialResults) {
  MIZANI_REQUIRE_SHARED(file, kNafta);
  const std::string data_dir = DataDir(file, kNafta);
  const ScenarioOutcome full = RunExample("nafta_fitted.toml", data_dir, false);
  const ScenarioOutcome conditional = RunExample("nafta_fitted.toml", data_dir, true);
  EXPECT_NEAR(full.coefficients.at("RTA"), 0.557185, 5e-7);
  // The official log stops after 3 re-estimations.
  EXPECT_EQ(full.ge.iterations, 3);
  // Table 4 reads the removal the other way: the effect of NAFTA in place,
  // and the do-file's price column is (1 - p_hat) 100.
  const double worst =
      WorstGap(conditional, full, "nafta", "DEU", NaftaEffect, [](double value) { return -value; });
  std::cout << fmt::format(
      "nafta_fitted.toml: largest gap to the official Stata results {:.3g} points\n", worst);
  EXPECT_LT(worst, 1e-4);
}

// Every scenario gets a sigma table; with a fitted baseline, its column at the
// scenario's own sigma is the main result itself, and real GDP gains from
// removing borders fall as sigma rises (they scale with 1/(sigma - 1)).
TEST(ScenarioFitted, SigmaTableOnFittedBaseline) {
  MIZANI_REQUIRE_SHARED(file, kBorders);
  const ScenarioOutcome outcome =
      RunExample("trade_without_borders.toml", DataDir(file, kBorders), false);
  const SigmaSensitivity& table = outcome.sensitivity;
  ASSERT_EQ(table.sigmas, (std::vector<double>{5, 6, 7, 8, 9}));
  EXPECT_TRUE(table.failures.empty());
  const Eigen::Index own = 2;
  for (Eigen::Index country_idx = 0; country_idx < 69; ++country_idx) {
    EXPECT_EQ(table.real_gdp_change_pct(country_idx, own),
              outcome.ge.countries.real_gdp_change_pct(country_idx));
    EXPECT_EQ(table.exports_change_pct(country_idx, own),
              outcome.ge.countries.exports_change_pct(country_idx));
    for (Eigen::Index sigma_idx = 1; sigma_idx < 5; ++sigma_idx) {
      EXPECT_LT(table.real_gdp_change_pct(country_idx, sigma_idx),
                table.real_gdp_change_pct(country_idx, sigma_idx - 1))
          << outcome.codes[country_idx];
    }
  }
}

// Goal seeking on a fitted baseline (exact full endowment, whose outcome is
// smooth in the shock's size): the border kept at 0.4 gives Canada some real
// GDP change; seeking that change finds 0.4 again, and the run's result is
// the target.
TEST(ScenarioFitted, GoalSeekingOnFittedBaselineReachesItsTarget) {
  MIZANI_REQUIRE_SHARED(file, kBorders);
  const std::string data_dir = DataDir(file, kBorders);
  auto run = [&](const std::string& extra) {
    ScenarioOverrides overrides;
    overrides.data_dir = data_dir;
    std::ifstream in(fmt::format("{}/examples/trade_without_borders.toml", MIZANI_SOURCE_DIR));
    std::stringstream text;
    text << in.rdbuf();
    std::string toml = text.str();
    toml.replace(toml.find("to = 0\n"), 7, "to = 0.4\n");
    toml.replace(toml.find("mode = \"full\""), 13, "mode = \"full\"\nfitted_loop = \"exact\"");
    const Scenario scenario =
        ParseScenario(toml + extra, "borders.toml", MIZANI_SOURCE_DIR, overrides);
    RunOptions options;
    options.quiet = true;
    return RunScenario(scenario, options);
  };
  const ScenarioOutcome direct = run("");
  const Eigen::Index can = CountryIndex(direct, "CAN");
  const double target = direct.ge.countries.real_gdp_change_pct(can);
  ASSERT_TRUE(std::isfinite(target));
  const ScenarioOutcome sought = run(fmt::format(
      "\n[goal]\noutcome = \"real_gdp_change_pct\"\ncountry = \"CAN\"\ntarget = {:.17g}\n"
      "shock = \"no-borders\"\nrange = [0, 1]\ntolerance = 1e-9\n",
      target));
  ASSERT_TRUE(sought.goal.has_value());
  EXPECT_TRUE(sought.goal->reached);
  EXPECT_NEAR(sought.goal->value, 0.4, 1e-6);
  EXPECT_NEAR(sought.ge.countries.real_gdp_change_pct(can), target, 1e-9);
  std::cout << fmt::format("goal: CAN real GDP {:.6f}% reached at INTL_BRDR = {:.9f} ({} steps)\n",
                           target, sought.goal->value, sought.goal->iterations);
}

// Intervals on a fitted baseline: the coefficients drawn from their
// estimated distribution (parametric) with the fitted baseline held, and the
// elasticity drawn too; each interval brackets the point estimate.
TEST(ScenarioFitted, IntervalsOnFittedBaselineBracketThePointEstimate) {
  MIZANI_REQUIRE_SHARED(file, kBorders);
  const ScenarioOutcome outcome = RunExample(
      "trade_without_borders.toml", DataDir(file, kBorders), false,
      "\n[uncertainty]\nmethod = \"parametric\"\nreplications = 20\nseed = 7\nsigma = [6.5, 7, "
      "7.5]\n");
  const UncertaintyResult& result = outcome.uncertainty;
  EXPECT_EQ(result.succeeded, 20);
  ASSERT_EQ(result.coefficients.labels, (std::vector<std::string>{"INTL_BRDR"}));
  EXPECT_LT(result.coefficients.lower(0), outcome.coefficients.at("INTL_BRDR"));
  EXPECT_GT(result.coefficients.upper(0), outcome.coefficients.at("INTL_BRDR"));
  const auto outputs = CountryOutputs(outcome.ge);
  for (size_t output_idx = 0; output_idx < outputs.size(); ++output_idx) {
    const auto& [name, point] = outputs[output_idx];
    const IntervalSet& set = result.countries[output_idx];
    for (Eigen::Index country_idx = 0; country_idx < point.size(); ++country_idx) {
      if (outcome.codes[country_idx] == "ZZZ" && name == "inward_resistance_change_pct") continue;
      EXPECT_LE(set.lower(country_idx), point(country_idx)) << name << " " << country_idx;
      EXPECT_GE(set.upper(country_idx), point(country_idx)) << name << " " << country_idx;
    }
  }
}

// The pair bootstrap re-estimates the cost regression on resampled pairs;
// three draws run through that path.
TEST(ScenarioFitted, PairBootstrapOnFittedBaseline) {
  MIZANI_REQUIRE_SHARED(file, kBorders);
  const ScenarioOutcome outcome =
      RunExample("trade_without_borders.toml", DataDir(file, kBorders), false,
                 "\n[uncertainty]\nmethod = \"pair\"\nreplications = 3\nseed = 3\n");
  EXPECT_EQ(outcome.uncertainty.succeeded, 3);
  const IntervalSet& coefficient = outcome.uncertainty.coefficients;
  EXPECT_TRUE(std::isfinite(coefficient.lower(0)) && std::isfinite(coefficient.upper(0)));
  EXPECT_LT(coefficient.lower(0), coefficient.upper(0));
}

}  // namespace
}  // namespace mizani

namespace mizani {
namespace {

// The panel route's pair bootstrap re-estimates the pair effects, the stage-2
// fill and the RTA term on resampled pairs, and re-fits the 1994 baseline
// (the book's Step 5); three draws, each a different RTA estimate within
// five clustered standard errors (0.102) of 0.557. The observed route's
// pair bootstrap spreads as widely (examples/nafta.toml, 6 draws: 0.196 to
// 0.628).
TEST(ScenarioFitted, PairBootstrapRefitsThePanelBaseline) {
  MIZANI_REQUIRE_SHARED(file, kNafta);
  const ScenarioOutcome outcome =
      RunExample("nafta_fitted.toml", DataDir(file, kNafta), false,
                 "\n[uncertainty]\nmethod = \"pair\"\nreplications = 3\nseed = 11\nunit = "
                 "\"pair_id\"\n");
  const UncertaintyResult& result = outcome.uncertainty;
  EXPECT_EQ(result.succeeded, 3);
  ASSERT_EQ(result.coefficient_draws.rows(), 3);
  for (Eigen::Index rep_idx = 0; rep_idx < 3; ++rep_idx) {
    const double draw = result.coefficient_draws(rep_idx, 0);
    EXPECT_NE(draw, outcome.coefficients.at("RTA"));
    EXPECT_NEAR(draw, 0.557, 0.5);
  }
  EXPECT_NE(result.coefficient_draws(0, 0), result.coefficient_draws(1, 0));
  std::cout << fmt::format("NAFTA pair bootstrap RTA draws {:.6f} {:.6f} {:.6f}\n",
                           result.coefficient_draws(0, 0), result.coefficient_draws(1, 0),
                           result.coefficient_draws(2, 0));
}

}  // namespace
}  // namespace mizani

// The NAFTA scenario (tests/nafta_scenario.h) with model.baseline = "fitted":
// the scenario route must reproduce the Advanced Guide's Table 4 as the C++
// API does (tests/data_tests/ge_fitted_baseline_test.cc), read as the book
// reads it: the effect of NAFTA in place, (BLN - CFL) / CFL, from our removal.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "mizani/scenario.h"
#include "nafta_scenario.h"
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

}  // namespace
}  // namespace mizani

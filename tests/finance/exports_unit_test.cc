// LIC-DSF export-based indicators: PV of external debt/exports and external
// debt service/exports in closed form on a one-loan portfolio; the exports
// stress test moving exactly the export path the framework sets; the
// [exports] table's validation.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "macro_fixture.h"
#include "mizani/error.h"
#include "mizani/finance.h"

namespace mizani::finance {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

MacroPath Macro(int years) { return testing::SteadyMacro(years, 1.08, 0.03, 0.2, -0.02); }

// One external USD loan of 3 (USD bn) at 4%, repaid 1 a year at the ends of
// years 0, 1 and 2; new borrowing is domestic, so the external debt service
// is the loan's alone. USD at a constant 100 KES.
struct OneLoan {
  Portfolio portfolio;
  std::vector<FundingSource> sources{{"domestic", "KES", 0.1, false, 5, 0, 1, false}};
  Strategy strategy{"all domestic", {1.0}};
  std::map<std::string, FxPath> fx{{"USD", ConstantPath(100, 10)}};
  OneLoan() { portfolio.loans = {{"usd", "USD", "Multilateral", 3, 0.04, false, true, 0, 2}}; }
  Projection Run(const MacroPath& macro, const Shock& shock, int horizon) const {
    ProjectionOptions options;
    options.horizon_years = horizon;
    return Project(portfolio, sources, strategy, macro, fx, shock, options);
  }
};

TEST(FinanceExports, RatiosInClosedForm) {
  const OneLoan fixture;
  MacroPath macro = Macro(3);
  macro.exports_usd = {2, 2.5, 4};
  const Projection projection = fixture.Run(macro, Shock{}, 3);
  const auto& rows = projection.rows;
  // Debt service (interest on the start-of-year stock + 1 of principal) in
  // KES over exports in KES, both at 100 KES per USD.
  EXPECT_NEAR(rows[0].exports, 200, 1e-12);
  EXPECT_NEAR(rows[0].external_service_exports, 100 * (0.04 * 3 + 1) / 2, 1e-12);  // 56%
  EXPECT_NEAR(rows[1].external_service_exports, 100 * (0.04 * 2 + 1) / 2.5, 1e-12);
  EXPECT_NEAR(rows[2].external_service_exports, 100 * (0.04 * 1 + 1) / 4, 1e-12);
  // PV at 5% of the payments still due, at the end of each year.
  const double pv0 = 1.08 / 1.05 + 1.04 / (1.05 * 1.05);
  EXPECT_NEAR(rows[0].pv_external_exports, 100 * pv0 / 2, 1e-12);
  EXPECT_NEAR(rows[1].pv_external_exports, 100 * (1.04 / 1.05) / 2.5, 1e-12);
  EXPECT_NEAR(rows[2].pv_external_exports, 0.0, 1e-12);
  // Same PV as the GDP-based ratio uses.
  EXPECT_NEAR(rows[0].pv_external_exports * rows[0].exports, rows[0].pv_external_gdp * rows[0].gdp,
              1e-9);
}

TEST(FinanceExports, NotComputedWithoutExports) {
  const OneLoan fixture;
  const Projection projection = fixture.Run(Macro(3), Shock{}, 3);
  for (const YearRow& row : projection.rows) {
    EXPECT_TRUE(std::isnan(row.exports));
    EXPECT_TRUE(std::isnan(row.pv_external_exports));
    EXPECT_TRUE(std::isnan(row.external_service_exports));
  }
}

TEST(FinanceExports, DollarDebtRatiosIgnoreADepreciation) {
  // Dollar debt service and dollar exports are both converted at the
  // depreciated rate, so their ratio does not move (while debt/GDP does).
  const OneLoan fixture;
  MacroPath macro = Macro(3);
  macro.exports_usd = {2, 2.5, 4};
  const Projection base = fixture.Run(macro, Shock{}, 3);
  const Projection shocked = fixture.Run(macro, Shock{"depreciation", 0.3, 0, 0, 0, 0, 0, 1}, 3);
  for (size_t year_idx = 0; year_idx < base.rows.size(); ++year_idx) {
    EXPECT_NEAR(shocked.rows[year_idx].external_service_exports,
                base.rows[year_idx].external_service_exports, 1e-12);
    EXPECT_NEAR(shocked.rows[year_idx].pv_external_exports, base.rows[year_idx].pv_external_exports,
                1e-12);
  }
  EXPECT_GT(shocked.rows[1].pv_external_gdp, base.rows[1].pv_external_gdp);
}

// The exports test: growth in years 2 and 3 (indices 1, 2) is the lower of
// the historical mean and the baseline growth minus `sds` standard
// deviations; afterwards the baseline growth applies to the lower level.
void ExpectFrameworkPath(double mean, double sd, double sds, double expected_growth) {
  const OneLoan fixture;
  MacroPath macro = Macro(5);
  macro.exports_usd = {10, 11, 12.1, 13.31, 14.641};  // 10% a year
  Shock shock{"exports"};
  shock.export_shock_years = 2;
  shock.export_shock = sds;
  shock.export_growth_mean = mean;
  shock.export_growth_sd = sd;
  const Projection base = fixture.Run(macro, Shock{}, 5);
  const Projection shocked = fixture.Run(macro, shock, 5);
  const std::vector<double> expected{
      10, 10 * (1 + expected_growth), 10 * std::pow(1 + expected_growth, 2),
      10 * std::pow(1 + expected_growth, 2) * 1.1, 10 * std::pow(1 + expected_growth, 2) * 1.21};
  for (size_t year_idx = 0; year_idx < expected.size(); ++year_idx) {
    const YearRow& row = shocked.rows[year_idx];
    const YearRow& reference = base.rows[year_idx];
    EXPECT_NEAR(row.exports / 100, expected[year_idx], 1e-12) << year_idx;
    // Nothing else moves: the debt path is the baseline's.
    EXPECT_DOUBLE_EQ(row.debt, reference.debt);
    EXPECT_DOUBLE_EQ(row.external_debt_service, reference.external_debt_service);
    EXPECT_DOUBLE_EQ(row.pv_external_gdp, reference.pv_external_gdp);
    EXPECT_NEAR(row.external_service_exports * row.exports,
                reference.external_service_exports * reference.exports, 1e-9);
  }
}

TEST(FinanceExports, StressTestSetsTheFrameworkGrowth) {
  // Historical mean 6% < baseline 10%: 6% - 4% = 2% in years 2 and 3.
  ExpectFrameworkPath(0.06, 0.04, 1.0, 0.02);
  // Baseline 10% < historical mean 15%: 10% - 4% = 6%.
  ExpectFrameworkPath(0.15, 0.04, 1.0, 0.06);
  // The combined test's half-size shock: 6% - 2% = 4%.
  ExpectFrameworkPath(0.06, 0.04, 0.5, 0.04);
}

TEST(FinanceExports, ShockInTheFirstYearNeedsThePreviousYear) {
  const OneLoan fixture;
  MacroPath macro = Macro(2);
  macro.exports_usd = {10, 11};
  Shock shock{"exports"};
  shock.shock_start = 0;
  shock.export_shock_years = 1;
  shock.export_shock = 1;
  shock.export_growth_mean = 0.05;
  shock.export_growth_sd = 0.02;
  EXPECT_THROW(fixture.Run(macro, shock, 2), Error);
  macro.base_exports_usd = 9;  // baseline growth 1/9 > 5%: 5% - 2% = 3%
  const Projection projection = fixture.Run(macro, shock, 2);
  EXPECT_NEAR(projection.rows[0].exports / 100, 9 * 1.03, 1e-12);
  EXPECT_NEAR(projection.rows[1].exports / 100, 9 * 1.03 * 1.1, 1e-12);
}

TEST(FinanceExports, GrowthMomentsByHand) {
  // Growth +10% then -10%: mean 0, sd sqrt(0.02 / 1).
  const GrowthMoments moments = GrowthMomentsOf({{2015, 100}, {2016, 110}, {2017, 99}});
  EXPECT_EQ(moments.observations, 2);
  EXPECT_NEAR(moments.mean, 0.0, 1e-15);
  EXPECT_NEAR(moments.sd, std::sqrt(0.02), 1e-15);
}

void ExpectInvalid(const ExportSeries& exports, const std::string& words) {
  try {
    ValidateExports(exports, 2025, 3, "file.toml:40:1");
    FAIL() << "accepted; expected an error with '" << words << "'";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
    const std::string message = error.what();
    EXPECT_NE(message.find("file.toml:40:1"), std::string::npos) << message;
    EXPECT_NE(message.find(words), std::string::npos) << message;
  }
}

TEST(FinanceExports, ValidatorErrors) {
  ExportSeries good;
  good.projection = {{2025, 20}, {2026, 21}, {2027, 22}};
  good.history = {{2022, 17}, {2023, 18}, {2024, 19}};
  EXPECT_NO_THROW(ValidateExports(good, 2025, 3, "file.toml"));
  // Each case changes one thing in the good series.
  const std::vector<std::pair<std::function<void(ExportSeries&)>, std::string>> cases{
      {[](ExportSeries& bad) { bad.projection[2026] = kNan; },
       "(exports.values): exports of 2026 must be a positive finite number"},
      {[](ExportSeries& bad) { bad.projection[2026] = std::numeric_limits<double>::infinity(); },
       "(exports.values): exports of 2026"},
      {[](ExportSeries& bad) { bad.history[2023] = -18; },
       "(exports.history): exports of 2023 must be a positive finite number"},
      {[](ExportSeries& bad) { bad.projection[2025] = 0; }, "exports of 2025 must be a positive"},
      {[](ExportSeries& bad) { bad.projection.erase(2026); },
       "(exports.values): no exports for 2026 (the projection runs 2025-2027)"},
      {[](ExportSeries& bad) {
         bad.history.erase(2023);
         bad.history[2021] = 16;
       },
       "(exports.history): no value for 2023"},
      {[](ExportSeries& bad) { bad.history.erase(2022); }, "(exports.history): 2 years"},
      {[](ExportSeries& bad) { bad.history[2025] = 20; },
       "2025 is not before the first projection year 2025"}};
  for (const auto& [change, words] : cases) {
    ExportSeries bad = good;
    change(bad);
    ExpectInvalid(bad, words);
  }
}

// A small scenario file with an [exports] table, for the reader's errors.
class ExportsScenarioFile : public ::testing::Test {
 protected:
  std::string Write(const std::string& exports) {
    std::string path =
        (std::filesystem::path(::testing::TempDir()) /
         (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".toml"))
            .string();
    std::ofstream file(path);
    file << "[scenario]\nfirst_year = 2025\nhorizon_years = 3\n"
            "[data]\nfolder = \"/nonexistent\"\n"
            "[[source]]\nname = \"domestic\"\ncurrency = \"KES\"\nrate = 0.1\n"
            "[[strategy]]\nname = \"all\"\nshares = { domestic = 1.0 }\n"
         << exports;
    return path;
  }
  void ExpectError(const std::string& exports, const std::string& words) {
    const std::string path = Write(exports);
    try {
      LoadDebtScenario(path);
      FAIL() << "accepted; expected an error with '" << words << "'";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
      const std::string message = error.what();
      EXPECT_NE(message.find(path), std::string::npos) << message;
      EXPECT_NE(message.find(words), std::string::npos) << message;
    }
  }
};

TEST_F(ExportsScenarioFile, ReadsUnitValuesAndHistory) {
  const DebtScenario scenario = LoadDebtScenario(
      Write("[exports]\nunit = \"percent_gdp\"\nvalues = { 2025 = 12.5, 2026 = 12.8, 2027 = 13 }\n"
            "history = { 2022 = 12.1, 2023 = 12.9, 2024 = 12.5 }\n"));
  ASSERT_TRUE(scenario.exports.has_value());
  EXPECT_EQ(scenario.exports->unit, ExportUnit::kPercentOfGdp);
  EXPECT_EQ(scenario.exports->projection.at(2026), 12.8);
  EXPECT_EQ(scenario.exports->history.at(2022), 12.1);
  EXPECT_FALSE(LoadDebtScenario(Write("")).exports.has_value());
}

TEST_F(ExportsScenarioFile, Errors) {
  ExpectError("[exports]\nvalues = { 2025 = 12.5, 2026 = nan, 2027 = 13 }\n",
              "(exports.values.2026): expected a finite number");
  ExpectError("[exports]\nvalues = { 2025 = 12.5, 2026 = -1, 2027 = 13 }\n",
              ":13:1 (exports.values): exports of 2026 must be a positive finite number, got -1");
  ExpectError("[exports]\nvalues = { 2025 = 12.5, 2027 = 13 }\n",
              "(exports.values): no exports for 2026");
  ExpectError(
      "[exports]\nvalues = { 2025 = 1, 2026 = 1, 2027 = 1 }\n"
      "history = { 2020 = 1, 2021 = 1, 2023 = 1, 2024 = 1 }\n",
      "(exports.history): no value for 2022");
  ExpectError("[exports]\nvalues = { first = 1 }\n", "(exports.values): 'first' is not a year");
  ExpectError("[exports]\nunit = \"kes\"\nvalues = { 2025 = 1 }\n",
              "(exports.unit): expected usd_bn or percent_gdp, got 'kes'");
  ExpectError("[exports]\nunit = \"usd_bn\"\n", "(exports.values): missing key 'values'");
  ExpectError("[exports]\nvalue = { 2025 = 1 }\n", "unknown key 'value'");
  ExpectError("[goal]\nindicators = [\"pv_external_exports\"]\n",
              "indicator 'pv_external_exports' needs an [exports] table");
}

}  // namespace
}  // namespace mizani::finance

// examples/kenya_financing.toml on the shared data: the register against
// the independently derived composition table, zero volatility equal to the
// deterministic projection, thread-independent results, the debt dynamics
// summing exactly, and the goal's answer holding at its boundary.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <span>

#include "mizani/finance.h"
#include "mizani/read.h"
#include "test_support.h"

namespace mizani::finance {
namespace {

std::string ExamplePath() {
  return (std::filesystem::path(MIZANI_TEST_DATA_DIR).parent_path().parent_path() / "examples" /
          "kenya_financing.toml")
      .string();
}

DebtScenario Example(int paths) {
  const std::string register_path = ::mizani::testing::SharedDataPath("kenya_debt");
  DebtOverrides overrides;
  overrides.data_dir = std::filesystem::path(register_path).parent_path().string();
  overrides.paths = paths;
  return LoadDebtScenario(ExamplePath(), overrides);
}

#define REQUIRE_DEBT_DATA()                                                             \
  if (::mizani::testing::SharedDataPath("kenya_debt").empty() ||                        \
      ::mizani::testing::SharedDataPath("imf_weo_2025apr").empty() ||                   \
      ::mizani::testing::SharedDataPath("fx_history").empty())                          \
  GTEST_SKIP() << "shared data not found: ../shared/data/kenya_debt, imf_weo_2025apr, " \
                  "fx_history (set MIZANI_SHARED_DATA to the folder holding the data sets)"

TEST(FinanceDebtData, RegisterTotalMatchesCompositionTable) {
  REQUIRE_DEBT_DATA();
  const DebtScenario scenario = Example(10);
  RegisterOptions options = scenario.register_options;
  options.usd_per_unit = LoadCbkUsdRates(scenario.cbk_rates_path, "2023-06-30");
  // CBK rates of 30 June 2023, as quoted in kenya_debt/SOURCE.md.
  EXPECT_NEAR(1 / options.usd_per_unit.at("KES"), 140.5235, 1e-9);
  EXPECT_NEAR(options.usd_per_unit.at("JPY") / options.usd_per_unit.at("KES"), 0.970098, 1e-9);
  options.usd_per_unit["XDR"] = 1.33007;
  const RegisterLoad load = LoadDebtRegister(scenario.register_path, options);
  EXPECT_EQ(load.lines, 1025);
  // kenya_external_debt_composition_2023-06-30.csv (derived separately by
  // the data's curator): total US$38.6bn, by currency rows summing to 38,622.4.
  const std::string composition = ::mizani::testing::SharedDataPath(
      "kenya_debt/kenya_external_debt_composition_2023-06-30.csv");
  ReadOptions read_options;
  read_options.string_columns = {"dimension", "category"};
  const Table table = ReadTable(composition, read_options);
  const Column& dimension = table.Get("dimension");
  const std::span<const double> amounts = RequireNumeric(table, "outstanding_usd_million");
  double by_currency = 0;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (dimension.CellText(row_idx) == "currency") by_currency += amounts[row_idx];
  }
  EXPECT_NEAR(load.total_usd, by_currency, 0.5);  // the table is rounded to 0.1 per row
}

TEST(FinanceDebtData, ZeroVolatilityMonteCarloEqualsDeterministicProjection) {
  REQUIRE_DEBT_DATA();
  DebtScenario scenario = Example(20);
  scenario.fx.volatility_scale = 0;
  scenario.goal_yen_source.clear();  // goals are tested separately
  scenario.dollar_instrument.clear();
  scenario.yen_instrument.clear();
  const DebtOutcome outcome = RunDebtScenario(scenario);
  ASSERT_EQ(outcome.stochastic.size(), scenario.strategies.size());
  for (const StochasticSummary& summary : outcome.stochastic) {
    const Projection* baseline = nullptr;
    for (const Projection& projection : outcome.projections) {
      if (projection.strategy == summary.strategy && projection.shock == "baseline") {
        baseline = &projection;
      }
    }
    ASSERT_NE(baseline, nullptr);
    EXPECT_NEAR(summary.debt_gdp_mean, baseline->rows.back().debt_gdp, 1e-9);
    EXPECT_NEAR(summary.debt_gdp_p95, baseline->rows.back().debt_gdp, 1e-9);
    EXPECT_NEAR(summary.interest_gdp_mean, baseline->rows.back().interest_gdp, 1e-9);
  }
  for (const InstrumentResult& result : outcome.instruments) {
    EXPECT_NEAR(result.kes.mean, result.kes.deterministic, 1e-10);
    EXPECT_NEAR(result.kes.p95, result.kes.deterministic, 1e-10);
  }
  // The example has no [exports] table: the run says what is missing.
  EXPECT_FALSE(scenario.exports.has_value());
  bool said = false;
  for (const std::string& note : outcome.notes) {
    said = said || note.find("need exports of goods and services") != std::string::npos;
  }
  EXPECT_TRUE(said);
  for (const StressResult& stress : outcome.stress) {
    EXPECT_TRUE(std::isnan(stress.max_pv_external_exports));
  }
}

// Kenya's GDP in USD bn (NGDPD) from the WEO file, read here on its own.
std::map<int, double> WeoDollarGdp() {
  ReadOptions options;
  options.string_columns = {"country", "weo_subject_code"};
  const Table table = ReadTable(
      ::mizani::testing::SharedDataPath("imf_weo_2025apr/weo_2025apr_long.csv.gz"), options);
  const Column& country = table.Get("country");
  const Column& code = table.Get("weo_subject_code");
  const std::span<const double> years = RequireNumeric(table, "year");
  const std::span<const double> values = RequireNumeric(table, "value");
  std::map<int, double> gdp;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (country.CellText(row_idx) == "Kenya" && code.CellText(row_idx) == "NGDPD") {
      gdp[static_cast<int>(years[row_idx])] = values[row_idx];
    }
  }
  return gdp;
}

TEST(FinanceDebtData, ExportsInPercentOfGdpUseWeoDollarGdp) {
  REQUIRE_DEBT_DATA();
  const DebtScenario scenario = Example(10);
  ExportSeries percent;
  percent.unit = ExportUnit::kPercentOfGdp;
  percent.projection = {{2025, 12.0}, {2030, 13.0}, {2032, 14.0}};
  percent.history = {{2015, 16.0}};
  const ExportSeries usd = ExportsInUsd(percent, scenario.weo_path, scenario.country);
  const std::map<int, double> gdp = WeoDollarGdp();
  EXPECT_NEAR(usd.projection.at(2025), 0.12 * gdp.at(2025), 1e-12);
  EXPECT_NEAR(usd.projection.at(2030), 0.13 * gdp.at(2030), 1e-12);
  // After 2030, dollar GDP grows at its 2030 rate.
  EXPECT_NEAR(usd.projection.at(2032),
              0.14 * gdp.at(2030) * std::pow(gdp.at(2030) / gdp.at(2029), 2), 1e-9);
  EXPECT_NEAR(usd.history.at(2015), 0.16 * gdp.at(2015), 1e-12);
}

TEST(FinanceDebtData, ExportsStressTestMovesOnlyTheExportRatios) {
  REQUIRE_DEBT_DATA();
  DebtScenario scenario = Example(20);
  scenario.goal_yen_source.clear();
  scenario.dollar_instrument.clear();
  scenario.yen_instrument.clear();
  // A synthetic series (USD bn) for the identities; not Kenya's exports.
  ExportSeries exports;
  for (int year = 2025; year < 2035; ++year)
    exports.projection[year] = 20 * std::pow(1.07, year - 2025);
  exports.history = {{2020, 15}, {2021, 16.5}, {2022, 17}, {2023, 18.7}, {2024, 19}};
  scenario.exports = exports;
  const DebtOutcome outcome = RunDebtScenario(scenario);
  const GrowthMoments moments = GrowthMomentsOf(exports.history);
  for (const Strategy& strategy : scenario.strategies) {
    const StressResult* baseline = nullptr;
    const StressResult* shocked = nullptr;
    for (const StressResult& stress : outcome.stress) {
      if (stress.strategy != strategy.name) continue;
      if (stress.test == "baseline") baseline = &stress;
      if (stress.test == "LIC-DSF: exports") shocked = &stress;
    }
    ASSERT_NE(baseline, nullptr);
    ASSERT_NE(shocked, nullptr) << strategy.name;
    EXPECT_EQ(shocked->max_pv_external_gdp, baseline->max_pv_external_gdp);
    EXPECT_EQ(shocked->max_service_revenue, baseline->max_service_revenue);
    EXPECT_GE(shocked->max_pv_external_exports, baseline->max_pv_external_exports);
    // Baseline growth 7% is above the historical mean, so the test's growth
    // is mean - sd in 2026 and 2027; the level stays lower afterwards.
    const Projection* projection = nullptr;
    for (const Projection& candidate : outcome.projections) {
      if (candidate.strategy == strategy.name && candidate.shock == "LIC-DSF: exports") {
        projection = &candidate;
      }
    }
    ASSERT_NE(projection, nullptr);
    const double factor = std::pow(1 + moments.mean - moments.sd, 2) / std::pow(1.07, 2);
    const Projection* base = nullptr;
    for (const Projection& candidate : outcome.projections) {
      if (candidate.strategy == strategy.name && candidate.shock == "baseline") base = &candidate;
    }
    ASSERT_NE(base, nullptr);
    EXPECT_NEAR(projection->rows[0].exports, base->rows[0].exports, 1e-9);
    for (size_t year_idx = 2; year_idx < projection->rows.size(); ++year_idx) {
      EXPECT_NEAR(projection->rows[year_idx].exports / base->rows[year_idx].exports, factor, 1e-12);
      EXPECT_NEAR(projection->rows[year_idx].external_service_exports * factor,
                  base->rows[year_idx].external_service_exports, 1e-9);
    }
  }
}

TEST(FinanceDebtData, ResultsDoNotDependOnThreadsAndDynamicsSum) {
  REQUIRE_DEBT_DATA();
  DebtScenario scenario = Example(200);
  scenario.goal_yen_source.clear();
  DebtRunOptions one;
  one.threads = 1;
  DebtRunOptions two;
  two.threads = 2;
  const DebtOutcome first = RunDebtScenario(scenario, one);
  const DebtOutcome second = RunDebtScenario(scenario, two);
  ASSERT_EQ(first.stochastic.size(), second.stochastic.size());
  for (size_t idx = 0; idx < first.stochastic.size(); ++idx) {
    EXPECT_EQ(first.stochastic[idx].debt_gdp_p95, second.stochastic[idx].debt_gdp_p95);
    EXPECT_EQ(first.stochastic[idx].interest_gdp_mean, second.stochastic[idx].interest_gdp_mean);
  }
  for (size_t idx = 0; idx < first.instruments.size(); ++idx) {
    EXPECT_EQ(first.instruments[idx].kes.draws, second.instruments[idx].kes.draws);
  }
  for (const Projection& projection : first.projections) {
    for (const YearRow& row : projection.rows) {
      EXPECT_NEAR(row.d_residual, 0.0, 1e-9) << projection.strategy << " " << projection.shock;
    }
  }
  // WEO April 2025: Kenya's 2024 general government gross debt 10,783.68 KES bn.
  EXPECT_NEAR(first.external_start_kes + first.domestic_start_kes, 10783.68, 1e-6);
  // The break-even appreciation makes the yen bond's USD cost the dollar
  // bond's: check it on the deterministic path.
  const InstrumentResult* dollar = nullptr;
  const InstrumentResult* yen = nullptr;
  for (const InstrumentResult& result : first.instruments) {
    if (result.instrument.name == scenario.dollar_instrument) dollar = &result;
    if (result.instrument.name == scenario.yen_instrument) yen = &result;
  }
  ASSERT_NE(dollar, nullptr);
  ASSERT_NE(yen, nullptr);
  EXPECT_NEAR(AllInCostAlongPath(yen->analytics, TrendPath(1.0, first.break_even_appreciation, 12)),
              dollar->analytics.all_in_cost, 1e-10);
}

TEST(FinanceDebtData, LargestYenShareHoldsAtItsBoundary) {
  REQUIRE_DEBT_DATA();
  DebtScenario scenario = Example(20);
  scenario.dollar_instrument.clear();
  scenario.yen_instrument.clear();
  const DebtOutcome outcome = RunDebtScenario(scenario);
  ASSERT_EQ(outcome.goals.size(), 1U);
  const GoalResult& goal = outcome.goals.front();
  if (!goal.reached) GTEST_SKIP() << goal.message;
  // Re-project the depreciation test just below and above the answer.
  const auto max_pv = [&](double yen_share) {
    Strategy strategy = scenario.strategies.front();
    const double moved = yen_share - strategy.shares[1];
    strategy.shares[1] += moved;
    strategy.shares[3] -= moved;
    DebtScenario single = scenario;
    single.strategies = {strategy};
    single.goal_yen_source.clear();
    const DebtOutcome run = RunDebtScenario(single);
    for (const StressResult& stress : run.stress) {
      if (stress.test == "LIC-DSF: one-off depreciation") return stress.max_pv_external_gdp;
    }
    return std::nan("");
  };
  EXPECT_LE(max_pv(goal.value - 1e-4), outcome.thresholds.pv_external_gdp);
  EXPECT_GT(max_pv(goal.value + 1e-3), outcome.thresholds.pv_external_gdp);
}

}  // namespace
}  // namespace mizani::finance

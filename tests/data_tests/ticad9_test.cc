// The TICAD 9 scenario set (examples/ticad9, `mizani demo`) on the Advanced
// Guide data: model identities, hand-computed partial effects, the goal
// re-solved at the size found, the MFN tariff taken from the data, and the
// headline numbers against values computed once (regression guards, loose).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "mizani/read.h"
#include "test_support.h"
#include "ticad9/demo.h"
#include "ticad9/demo_checks.h"

namespace mizani {
namespace {

namespace fs = std::filesystem;

TEST(Ticad9, JapanMfnTariffIsTheDataFigure) {
  MIZANI_REQUIRE_SHARED(path, "agtpa_yotov2016/csv/Chapter1Exercise2.csv.gz");
  const Table table = ReadTable(path);
  const Column& importer = table.Get("importer");
  const auto& year = RequireNumeric(table, "year");
  const auto& tariff = RequireNumeric(table, "MFN_TARIFF");
  double found = std::nan("");
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (importer.CellText(row_idx) == "JPN" && year[row_idx] == 2006 &&
        !std::isnan(tariff[row_idx])) {
      found = tariff[row_idx];
      break;
    }
  }
  // a_japan_opens.toml states from_pct = 2.47.
  EXPECT_NEAR(100 * found, 2.47, 0.005);
}

TEST(Ticad9, FourScenariosOnTheAdvancedGuideData) {
  MIZANI_REQUIRE_SHARED(path, "agtpa_yotov2016/csv/Chapter2Application2.csv.gz");
  DemoOptions options;
  options.data_dir = fs::path(path).parent_path().parent_path().string();
  options.quiet = true;
  const DemoRun run = RunDemo(options);
  EXPECT_FALSE(run.synthetic);
  testing::ExpectDemoChecks(run);
  std::printf("%s", SummarizeDemo(run).c_str());

  // The book's RTA estimate (three-way PPML, N = 28,482).
  const DemoScenario& b = testing::Item(run, "B");
  EXPECT_NEAR(b.outcome.coefficients.at("RTA"), 0.557185, 1e-5);
  EXPECT_EQ(b.outcome.estimation->num_obs, 28482);
  // 50 of the 132 directed African pairs have RTA = 1 in 2006.
  EXPECT_EQ((b.outcome.partial_effects.array() != 1.0).count(), 132 - 50);
  const GeGroupResult& afr = b.outcome.ge.groups.front();
  EXPECT_NEAR(afr.intra_share_before, 0.0399, 5e-4);
  // C matches examples/africa_goal.toml (docs/scenarios.md: a 50.14% cut).
  const DemoScenario& c = testing::Item(run, "C");
  EXPECT_NEAR(c.outcome.goal->value, -50.14, 0.01);
  // A: Kenya's exports to Japan roughly double (B = 2.05 before GE).
  const ScenarioOutcome& a = testing::Item(run, "A").outcome;
  const double exports =
      a.ge.flow_change_pct(testing::CodeIndex(a, "KEN"), testing::CodeIndex(a, "JPN"));
  EXPECT_GT(exports, 90);
  EXPECT_LT(exports, 106);
}

// The whole agenda in one run: the financing, rating and product-line parts
// run through their engines' APIs on the shared data, and the report's
// headlines quote the engines' own results.
TEST(Ticad9, WholeAgendaOnTheSharedData) {
  MIZANI_REQUIRE_SHARED(path, "agtpa_yotov2016/csv/Chapter2Application2.csv.gz");
  MIZANI_REQUIRE_SHARED(weo, "imf_weo_2025apr/weo_2025apr_long.csv.gz");
  MIZANI_REQUIRE_SHARED(fx, "fx_history");
  MIZANI_REQUIRE_SHARED(baci, "baci_hs17_2020_zaf_partial_sample");
  DemoOptions options;
  options.data_dir = fs::path(path).parent_path().parent_path().string();
  options.examples_dir = std::string(MIZANI_SOURCE_DIR) + "/examples";
  options.quiet = true;
  options.replications = 0;  // the bootstrap is the other test's business
  const DemoRun run = RunDemo(options);
  ASSERT_TRUE(run.financing.ran) << run.financing.skipped;
  ASSERT_TRUE(run.rating.ran) << run.rating.skipped;
  ASSERT_TRUE(run.products.ran) << run.products.skipped;

  // E: the yen instrument's expected KES cost, as the debt engine computed it.
  const finance::DebtOutcome& debt = run.financing.outcome;
  const finance::InstrumentResult* yen = nullptr;
  for (const auto& result : debt.instruments) {
    if (result.instrument.name == debt.scenario.yen_instrument) yen = &result;
  }
  ASSERT_NE(yen, nullptr);
  const std::string summary = SummarizeDemo(run);
  EXPECT_NE(
      summary.find(FormatShown(100 * yen->kes.mean, ValueKind::kPercent, 2) + " in shillings"),
      std::string::npos)
      << summary;

  // F: the indicated rating in the headline (read from the explain report's
  // path table) is the one the engine's own summary states from its prediction.
  const std::string& rate_summary = run.rating.outcome.summary;
  const size_t at = rate_summary.find("ordered model ");
  ASSERT_NE(at, std::string::npos) << rate_summary;
  const std::string notch =
      rate_summary.substr(at + 14, rate_summary.find(' ', at + 14) - (at + 14));
  EXPECT_NE(summary.find("indicates " + notch + " for Kenya"), std::string::npos) << summary;

  // F: the accuracy figure is computed in the run (rate evaluate for the
  // model's agency) and agrees with the engine's back-test called directly,
  // whose within-one count is recounted here from its predictions.
  rating::BackTestOptions backtest_options;
  backtest_options.first_test_year = run.rating.config.first_test_year;
  backtest_options.model = run.rating.config.model;
  const rating::BackTestResult backtest =
      rating::BackTest(rating::BuildPanel(run.rating.config.panel), backtest_options);
  ASSERT_FALSE(backtest.predictions.empty());
  int64_t within_one = 0;
  for (const rating::BackTestPrediction& prediction : backtest.predictions) {
    within_one += std::abs(prediction.predicted - prediction.actual) <= 1 ? 1 : 0;
  }
  EXPECT_EQ(within_one, backtest.within_one);

  // G: every line is accounted for, simulated or not.
  EXPECT_EQ(run.products.run.lines.size(), 8u);
  const ReportDocument doc = BuildDemoReport(run);
  const std::string markdown = RenderMarkdown(doc);
  EXPECT_EQ(markdown.find("Not run"), std::string::npos);
  for (const char* text : {"## E. Yen or dollars", "## F. Kenya", "## G. Kenyan product lines",
                           "5th to 95th percentile of the cost in KES"}) {
    EXPECT_NE(markdown.find(text), std::string::npos) << text;
  }
  const std::string accuracy =
      fmt::format("it places {} of S&P's {} sovereign-years within one notch",
                  FormatShown(100 * backtest.WithinOneRate(), ValueKind::kPercent, 2),
                  backtest.predictions.size());
  EXPECT_NE(markdown.find(accuracy), std::string::npos) << accuracy;
  EXPECT_EQ(markdown.find("59% of S&P"), std::string::npos) << "a quoted, not computed, figure";
}

}  // namespace
}  // namespace mizani

// The exchange-rate history and Monte Carlo on the shared data: month-end
// levels against the source's published annual means, zero volatility equal
// to the deterministic path, and thread-independent streams.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "mizani/error.h"
#include "mizani/finance.h"
#include "test_support.h"

namespace mizani::finance {
namespace {

std::string DataDir() {
  const std::string kes = ::mizani::testing::SharedDataPath("fx_history/usd_kes_daily_cbk.csv");
  if (kes.empty()) return "";
  return std::filesystem::path(kes).parent_path().parent_path().string();
}

constexpr const char* kNoData =
    "shared data not found: ../shared/data/fx_history (set MIZANI_SHARED_DATA to the folder "
    "holding the data sets)";

TEST(FinanceFxData, HistoryMonthEnds) {
  const std::string data_dir = DataDir();
  if (data_dir.empty()) GTEST_SKIP() << kNoData;
  const FxHistory history = LoadFxHistory(data_dir, {"KES", "JPY"}, "2005-01");
  ASSERT_EQ(history.currencies.size(), 2U);
  // The KES series ends 2025-06-13 at 129.2401 (last row of the CBK file),
  // so the last common month is 2025-06 and its rate is that value.
  EXPECT_EQ(history.months.back(), "2025-06");
  EXPECT_NEAR(history.last_rate.at("KES"), 129.2401, 1e-9);
  // No gap in KES or JPY since 2005: one return per month step.
  EXPECT_EQ(history.returns[0].size(), history.months.size() - 1);
  // Monthly volatility of USD/JPY log-returns is about 2.5-3% (FRED H.10).
  double sum = 0;
  double sum_squares = 0;
  for (double value : history.returns[1]) {
    sum += value;
    sum_squares += value * value;
  }
  const double count = static_cast<double>(history.returns[1].size());
  const double sd = std::sqrt((sum_squares - sum * sum / count) / (count - 1));
  EXPECT_GT(sd, 0.02);
  EXPECT_LT(sd, 0.035);
}

TEST(FinanceFxData, MissingHistoryIsAnError) {
  const std::string data_dir = DataDir();
  if (data_dir.empty()) GTEST_SKIP() << kNoData;
  EXPECT_THROW(LoadFxHistory(data_dir, {"KES", "GBP"}), Error);
  EXPECT_THROW(LoadFxHistory("/nonexistent-folder", {"KES"}), Error);
}

Instrument YenBond() {
  Instrument bond;
  bond.name = "yen";
  bond.currency = "JPY";
  bond.issue = {2025, 7, 1};
  bond.maturity = {2030, 7, 1};
  bond.coupon = 0.023;
  bond.guarantee_fee = 0.004;
  return bond;
}

TEST(FinanceFxData, ZeroVolatilityEqualsDeterministicPath) {
  const std::string data_dir = DataDir();
  if (data_dir.empty()) GTEST_SKIP() << kNoData;
  const FxHistory history = LoadFxHistory(data_dir, {"KES", "JPY"});
  FxModelOptions options;
  options.volatility_scale = 0;
  options.paths = 50;
  options.horizon_years = 6;
  options.interest_rates = {{"KES", 0.10}, {"USD", 0.043}, {"JPY", 0.012}};
  for (FxModelKind kind : {FxModelKind::kBlockBootstrap, FxModelKind::kNormal}) {
    options.kind = kind;
    const FxSimulation simulation = SimulateFx(history, options);
    const BondAnalytics bond = AnalyzeInstrument(YenBond());
    const CostDistribution cost = KesCostDistribution(bond, "JPY", simulation, 2);
    // The zero-volatility path is the parity path in closed form.
    const double kes_per_jpy = history.last_rate.at("KES") / history.last_rate.at("JPY");
    const FxPath parity = ParityPath(kes_per_jpy, 0.10, 0.012, 6);
    const double deterministic = AllInCostAlongPath(bond, parity);
    EXPECT_NEAR(cost.deterministic, deterministic, 1e-10);
    for (double draw : cost.draws) EXPECT_NEAR(draw, deterministic, 1e-10);
    // In KES the yen bond costs (1 + all-in in yen)(1 + KES/JPY drift) - 1.
    EXPECT_NEAR(deterministic, (1 + bond.all_in_cost) * (1.10 / 1.012) - 1, 1e-10);
  }
}

TEST(FinanceFxData, StreamsDoNotDependOnThreads) {
  const std::string data_dir = DataDir();
  if (data_dir.empty()) GTEST_SKIP() << kNoData;
  const FxHistory history = LoadFxHistory(data_dir, {"KES", "JPY"});
  FxModelOptions options;
  options.paths = 300;
  options.horizon_years = 6;
  options.interest_rates = {{"KES", 0.10}, {"USD", 0.043}, {"JPY", 0.012}};
  options.threads = 1;
  const FxSimulation one = SimulateFx(history, options);
  options.threads = 2;
  const FxSimulation two = SimulateFx(history, options);
  EXPECT_EQ(one.log_change, two.log_change);
  // A different seed gives different paths.
  options.seed += 1;
  const FxSimulation other = SimulateFx(history, options);
  EXPECT_NE(one.log_change, other.log_change);
  // Demeaned bootstrap plus parity drift: the mean log change after 5 years
  // is near 5 * 12 * drift (sampling error of 300 paths ~ 1 point).
  double mean = 0;
  for (int path_idx = 0; path_idx < one.paths; ++path_idx) {
    mean += std::log(one.KesPer("USD", path_idx, 5.0) / one.spot.at("KES"));
  }
  mean /= one.paths;
  EXPECT_NEAR(mean, 5 * std::log(1.10 / 1.043), 0.03);
}

}  // namespace
}  // namespace mizani::finance

// R fixest's own example data (`trade`: 15 EU countries, 20 products,
// 2007-2016): the four-way PPML its documentation prints,
//   fepois(Euros ~ log(dist_km) | Origin + Destination + Product + Year, cluster = ~Origin)
//   log(dist_km) -1.52787 (0.115678), t = -13.208,
// and the OLS counterparts with one- and two-way clustering, computed with
// fixest 0.12.1 (10 significant digits). SmallSample::kFixest throughout.
#include <gtest/gtest.h>

#include <cmath>

#include "mizani/estimate.h"
#include "mizani/read.h"
#include "test_support.h"

namespace {

using mizani::EstimateOptions;
using mizani::ParseFormula;

EstimateOptions Clustered(std::vector<std::string> cluster, mizani::Family family) {
  EstimateOptions options;
  options.family = family;
  options.vcov.type = mizani::VcovType::kCluster;
  options.vcov.cluster = std::move(cluster);
  options.vcov.small_sample = mizani::SmallSample::kFixest;
  return options;
}

TEST(FixestTradeData, FourWayPpmlAsPrintedInTheFixestDocumentation) {
  MIZANI_REQUIRE_SHARED(path, "fixest_trade_eu15/trade.csv.gz");
  const mizani::Table table = mizani::ReadTable(path);
  ASSERT_EQ(table.num_rows, 38325u);
  auto result = mizani::Estimate(
      table, ParseFormula("Euros ~ log(dist_km) | Origin + Destination + Product + Year"), {},
      Clustered({"Origin"}, mizani::Family::kPoisson));
  ASSERT_TRUE(result.converged()) << result.message;
  EXPECT_EQ(result.num_obs, 38325);
  EXPECT_NEAR(result.coef(0), -1.52787, 0.000005);
  EXPECT_NEAR(result.StdErrors()(0), 0.115678, 0.0000005);
  EXPECT_NEAR(result.coef(0) / result.StdErrors()(0), -13.208, 0.0005);
  EXPECT_NEAR(result.coef(0), -1.527874371, 1e-9 * 1.53);
  // fixest's defaults (fixef.tol = 1e-6) leave its standard error 2.8e-6
  // (relative) from the converged value; with fixef.tol = glm.tol = 1e-11 it
  // gives 0.115678164995. mizani's standard errors use the regressors
  // projected at the final weights to the fit's 1e-10 (fit_variance.cc):
  // measured 2e-11 (relative) from that value.
  EXPECT_NEAR(result.StdErrors()(0), 0.1156778436, 1e-5 * 0.116);
  EXPECT_NEAR(result.StdErrors()(0), 0.115678164995, 1e-10 * 0.116);
}

TEST(FixestTradeData, FourWayOlsWithOneAndTwoWayClustering) {
  MIZANI_REQUIRE_SHARED(path, "fixest_trade_eu15/trade.csv.gz");
  const mizani::Table table = mizani::ReadTable(path);
  const auto formula =
      ParseFormula("log(Euros) ~ log(dist_km) | Origin + Destination + Product + Year");
  auto one_way =
      mizani::Estimate(table, formula, {}, Clustered({"Origin"}, mizani::Family::kGaussian));
  EXPECT_NEAR(one_way.coef(0), -2.169875976, 1e-9 * 2.17);
  EXPECT_NEAR(one_way.StdErrors()(0), 0.1542834443, 1e-6 * 0.154);
  // Two-way (Cameron, Gelbach & Miller 2011), fixest's cluster.df = "min".
  auto two_way = mizani::Estimate(table, formula, {},
                                  Clustered({"Origin", "Destination"}, mizani::Family::kGaussian));
  EXPECT_NEAR(two_way.StdErrors()(0), 0.1713674529, 1e-6 * 0.171);
  EXPECT_EQ(two_way.num_clusters, (std::vector<int64_t>{15, 15}));
}

}  // namespace

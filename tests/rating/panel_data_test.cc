// The rating panel and the ordered model on the shared IMF WEO / rating
// data (../shared/data/imf_weo_2025apr); skipped when the data are absent.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "mizani/error.h"
#include "mizani/rating.h"
#include "mizani/read.h"
#include "rating/reference.h"
#include "test_support.h"

namespace mizani::rating {
namespace {

#define REQUIRE_RATING_DATA(ratings, weo)                                 \
  MIZANI_REQUIRE_SHARED(ratings, "imf_weo_2025apr/countriesratings.csv"); \
  MIZANI_REQUIRE_SHARED(weo, "imf_weo_2025apr/weo_2025apr_long.csv.gz")

std::vector<IndicatorSpec> ModelIndicators() {
  return {{"NGDPDPC", "GDP per capita", Transform::kLog},
          {"NGDPD", "GDP", Transform::kLog},
          {"NGDP_RPCH", "growth", Transform::kLevel},
          {"PCPIPCH", "inflation", Transform::kLogOnePlusPercent},
          {"GGXWDG_NGDP", "debt", Transform::kLevel},
          {"GGXCNL_NGDP", "balance", Transform::kLevel},
          {"GGR_NGDP", "revenue", Transform::kLevel},
          {"BCA_NGDPD", "current account", Transform::kLevel}};
}

TEST(RatingPanel, EveryCountrySpellingInBothFilesMaps) {
  REQUIRE_RATING_DATA(ratings, weo);
  ReadOptions options;
  options.string_columns = {"Country"};
  const Table rating_table = ReadTable(ratings, options);
  ReadOptions weo_options;
  weo_options.columns = {"country"};
  const Table weo_table = ReadTable(weo, weo_options);
  std::set<std::string> codes;
  for (const auto* column : {&rating_table.Get("Country"), &weo_table.Get("country")}) {
    for (const std::string& name : column->levels) {
      const auto iso3 = Iso3ForName(name);
      EXPECT_TRUE(iso3.has_value()) << "no ISO3 code for '" << name << "'";
      if (iso3) codes.insert(*iso3);
    }
  }
  EXPECT_EQ(rating_table.Get("Country").levels.size(), 171u);  // SOURCE.md
  EXPECT_EQ(weo_table.Get("country").levels.size(), 196u);
  // 171 rating spellings and 196 WEO names are 196 + 19 entities (the
  // duplicates fold: Cote d'Ivoire x3, Congo x3, Egypt x2, Macao x2, ...).
  for (const std::string& code : codes) EXPECT_NE(FindCountry(code), nullptr) << code;
}

TEST(RatingPanel, KenyaRatingsInForceAtYearEnd) {
  REQUIRE_RATING_DATA(ratings, weo);
  PanelOptions options;
  options.ratings_path = ratings;
  options.weo_path = weo;
  options.indicators = {{"GGXWDG_NGDP", "debt", Transform::kLevel}};
  options.first_year = 2000;
  options.last_year = 2024;
  const Panel panel = BuildPanel(options);
  const int64_t row_2024 = panel.FindRow("KEN", 2024);
  ASSERT_GE(row_2024, 0);
  const SovereignYear& kenya = panel.rows[row_2024];
  // SOURCE.md's table of Kenya's actions: S&P B- (2024-08-23, stable),
  // Moody's Caa1 (2024-07-08, negative), Fitch B- (2024-08-02, stable).
  EXPECT_EQ(kenya.notch[0], *NotchFromLabel("B-"));
  EXPECT_EQ(kenya.notch[1], *NotchFromLabel("CCC+"));
  EXPECT_EQ(kenya.notch[2], *NotchFromLabel("B-"));
  EXPECT_EQ(kenya.notch[3], 0);
  EXPECT_EQ(kenya.outlook[0], Outlook::kStable);
  EXPECT_EQ(kenya.outlook[1], Outlook::kNegative);
  EXPECT_EQ(kenya.previous_notch[0], *NotchFromLabel("B"));  // end of 2023
  EXPECT_DOUBLE_EQ(kenya.x[0], 65.59);                       // WEO GGXWDG_NGDP 2024
  // 2017: Moody's B1 under review (2017-10-02), S&P B+ stable.
  const SovereignYear& kenya_2017 = panel.rows[panel.FindRow("KEN", 2017)];
  EXPECT_EQ(kenya_2017.notch[1], *NotchFromLabel("B+"));
  EXPECT_EQ(kenya_2017.watch[1], Watch::kReview);
  EXPECT_EQ(kenya_2017.outlook[1], Outlook::kNone);
  EXPECT_EQ(kenya_2017.notch[2], 0);  // Fitch's only action is of 2024
  // Not rated before S&P's first action (2006).
  EXPECT_LT(panel.FindRow("KEN", 2005), 0);
  // The one action after the snapshot and the EU's are counted, not hidden.
  int64_t after_snapshot = 0;
  int64_t supranational = 0;
  for (const DropCount& entry : panel.dropped) {
    if (entry.reason.find("after the snapshot") != std::string::npos) after_snapshot = entry.count;
    if (entry.reason.find("supranational") != std::string::npos) supranational = entry.count;
  }
  EXPECT_EQ(after_snapshot, 1);  // S&P Netherlands 10/31/2025 (SOURCE.md)
  EXPECT_GT(supranational, 0);
  int64_t dropped_years = 0;
  for (const DropCount& entry : panel.dropped) {
    if (entry.reason.rfind("sovereign-year left out", 0) == 0) dropped_years += entry.count;
  }
  EXPECT_EQ(dropped_years, static_cast<int64_t>(panel.rows.size()) - panel.CompleteCount());
}

// The model of examples/africa_ratings.toml (S&P, eight indicators with
// Mundlak means) on the panel's African sovereign-years, against
// statsmodels' OrderedModel on the same matrix. (The world panel, 2,694
// rows and 36 parameters, takes statsmodels' numerical Hessians many
// minutes; the African rows exercise the same code in seconds.)
class RealPanelTest : public ::testing::TestWithParam<Link> {};

TEST_P(RealPanelTest, OrderedModelEqualsStatsmodels) {
  REQUIRE_RATING_DATA(ratings, weo);
  PanelOptions options;
  options.ratings_path = ratings;
  options.weo_path = weo;
  options.indicators = ModelIndicators();
  const Panel panel = BuildPanel(options);
  std::vector<size_t> all;
  for (size_t idx = 0; idx < panel.rows.size(); ++idx) {
    if (FindCountry(panel.rows[idx].iso3)->africa) all.push_back(idx);
  }
  ASSERT_GT(all.size(), 300u);
  const CountryMeans means = ComputeCountryMeans(panel, all);
  RatingModelOptions model_options;
  model_options.ordered.link = GetParam();
  const RatingModel model = FitRatingModel(panel, all, model_options, means);
  ASSERT_EQ(model.fit.termination, Termination::kConverged) << model.fit.message;
  // The same rows, regressors and categories, written for statsmodels.
  Eigen::MatrixXd x(model.num_obs, static_cast<Eigen::Index>(model.terms.size()));
  std::vector<int> y;
  std::vector<int> cluster;
  std::map<std::string, int> cluster_of;
  for (size_t row_id : all) {
    const SovereignYear& row = panel.rows[row_id];
    if (panel.complete[row_id] == 0 || row.notch[0] == 0) continue;
    x.row(static_cast<Eigen::Index>(y.size())) = RegressorRow(model, row, means).transpose();
    y.push_back(static_cast<int>(
        std::find(model.category_notch.begin(), model.category_notch.end(), row.notch[0]) -
        model.category_notch.begin()));
    cluster.push_back(
        cluster_of.emplace(row.iso3, static_cast<int>(cluster_of.size())).first->second);
  }
  ASSERT_EQ(static_cast<int64_t>(y.size()), model.num_obs);
  const std::string csv = mizani::testing::MakeTempDir("rating_panel") + "/panel.csv";
  testing::WriteOrderedCsv(csv, x, y, cluster);
  std::string why;
  const auto reference = testing::RunStatsmodels(csv, GetParam(), &why);
  if (!reference) GTEST_SKIP() << why;
  const auto& params = (*reference)["params"];
  ASSERT_EQ(params.size(), static_cast<size_t>(model.fit.theta.size()));
  EXPECT_NEAR(model.fit.log_likelihood, (*reference)["llf"].get<double>(), 1e-6);
  for (Eigen::Index idx = 0; idx < model.fit.theta.size(); ++idx) {
    const auto at = static_cast<size_t>(idx);
    const double scale = std::max(1.0, std::abs(params[at].get<double>()));
    EXPECT_NEAR(model.fit.theta[idx], params[at].get<double>(), 1e-6 * scale)
        << "parameter " << idx;
    // statsmodels' standard errors come from finite-difference Hessians
    // and forward-difference scores (mizani's are analytic): on this panel
    // they differ from the exact ones by up to 2e-6 relative (classical) and
    // 5e-5 (sandwich, through the scores, logit), so they are compared to
    // 1e-5 and 1e-4 relative.
    const double se = (*reference)["bse"][at].get<double>();
    EXPECT_NEAR(std::sqrt(model.fit.cov_classical(idx, idx)), se, 1e-5 * se)
        << "classical SE " << idx;
    EXPECT_NEAR(std::sqrt(model.fit.cov_robust(idx, idx)),
                (*reference)["bse_hc0"][at].get<double>(),
                1e-4 * (*reference)["bse_hc0"][at].get<double>())
        << "robust SE " << idx;
    EXPECT_NEAR(std::sqrt(model.fit.cov_cluster(idx, idx)),
                (*reference)["bse_cluster"][at].get<double>(),
                1e-4 * (*reference)["bse_cluster"][at].get<double>())
        << "clustered SE " << idx;
  }
}

INSTANTIATE_TEST_SUITE_P(Links, RealPanelTest, ::testing::Values(Link::kProbit, Link::kLogit),
                         [](const auto& info) {
                           return info.param == Link::kProbit ? "Probit" : "Logit";
                         });

}  // namespace
}  // namespace mizani::rating

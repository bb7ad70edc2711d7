// The rating panel and the ordered model on the shared IMF WEO / rating
// data (../shared/data/imf_weo_2025apr); skipped when the data are absent.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <iostream>
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
// Mundlak means) on the panel's sovereign-years (the African ones or every
// one), with the matrix it was fitted on written as CSV for a reference.
struct PanelFit {
  RatingModel model;
  std::string csv;
  double seconds = 0.0;
};

PanelFit FitExampleModel(const std::string& ratings, const std::string& weo, Link link, bool world,
                         int random_points = 0) {
  PanelOptions options;
  options.ratings_path = ratings;
  options.weo_path = weo;
  options.indicators = ModelIndicators();
  const Panel panel = BuildPanel(options);
  std::vector<size_t> all;
  for (size_t idx = 0; idx < panel.rows.size(); ++idx) {
    if (world || FindCountry(panel.rows[idx].iso3)->africa) all.push_back(idx);
  }
  const CountryMeans means = ComputeCountryMeans(panel, all);
  RatingModelOptions model_options;
  model_options.ordered.link = link;
  model_options.random_effects = random_points > 0;
  model_options.quadrature_points = random_points;
  PanelFit result;
  const auto started = std::chrono::steady_clock::now();
  result.model = FitRatingModel(panel, all, model_options, means);
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // The same rows, regressors and categories, written for the reference.
  const RatingModel& model = result.model;
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
  EXPECT_EQ(static_cast<int64_t>(y.size()), model.num_obs);
  result.csv = mizani::testing::MakeTempDir("rating_panel") + "/panel.csv";
  testing::WriteOrderedCsv(result.csv, x, y, cluster);
  return result;
}

// Standard errors of the cut-points from a covariance of theta.
Eigen::VectorXd CutpointSe(const RatingModel& model, const Eigen::MatrixXd& cov_theta) {
  return CutpointCovariance(model.fit.theta, static_cast<int>(model.fit.beta.size()), cov_theta)
      .diagonal()
      .cwiseSqrt();
}

// The African sovereign-years against statsmodels' OrderedModel. (The world
// panel, 2,694 rows and 36 parameters, takes statsmodels' numerical Hessians
// many minutes; R's ordinal::clm below covers it.)
class RealPanelTest : public ::testing::TestWithParam<Link> {};

TEST_P(RealPanelTest, OrderedModelEqualsStatsmodels) {
  REQUIRE_RATING_DATA(ratings, weo);
  const PanelFit fitted = FitExampleModel(ratings, weo, GetParam(), false);
  const RatingModel& model = fitted.model;
  ASSERT_GT(model.num_obs, 300);
  ASSERT_EQ(model.fit.termination, Termination::kConverged) << model.fit.message;
  std::string why;
  const auto reference = testing::RunStatsmodels(fitted.csv, GetParam(), &why);
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

// Against R's ordinal::clm, whose covariance is the inverse of its analytic
// Hessian, on the African and the world panel: estimates, log-likelihood
// and classical standard errors to 1e-6; robust and clustered ones against
// sandwiches built around R's estimates from closed-form scores in numpy
// (ordinal_reference.py), also to 1e-6. Cut-point standard errors by the
// delta method from mizani's parametrisation (exact at the optimum).
class RealPanelRTest : public ::testing::TestWithParam<std::tuple<Link, bool>> {};

TEST_P(RealPanelRTest, OrderedModelEqualsRClm) {
  REQUIRE_RATING_DATA(ratings, weo);
  const auto [link, world] = GetParam();
  const PanelFit fitted = FitExampleModel(ratings, weo, link, world);
  const RatingModel& model = fitted.model;
  ASSERT_EQ(model.fit.termination, Termination::kConverged) << model.fit.message;
  std::string why;
  const auto reference = testing::RunClm(fitted.csv, link, &why);
  if (!reference) GTEST_SKIP() << why;
  std::cout << "timing: mizani " << fitted.seconds << " s (" << model.num_obs << " rows), R clm "
            << (*reference)["r_seconds"].get<double>() << " s\n";
  EXPECT_NEAR(model.fit.log_likelihood, (*reference)["llf"].get<double>(), 1e-6);
  const auto expect_relative = [](double value, double expected, const std::string& what) {
    EXPECT_NEAR(value, expected, 1e-6 * std::max(1.0, std::abs(expected))) << what;
  };
  const auto expect_se = [](double value, double expected, const std::string& what) {
    EXPECT_NEAR(value, expected, 1e-6 * expected) << what;
  };
  const Eigen::VectorXd cut_se[3] = {CutpointSe(model, model.fit.cov_classical),
                                     CutpointSe(model, model.fit.cov_robust),
                                     CutpointSe(model, model.fit.cov_cluster)};
  const Eigen::MatrixXd* cov[3] = {&model.fit.cov_classical, &model.fit.cov_robust,
                                   &model.fit.cov_cluster};
  const char* kinds[3] = {"classical", "robust", "cluster"};
  const auto& beta = (*reference)["beta"];
  ASSERT_EQ(beta.size(), static_cast<size_t>(model.fit.beta.size()));
  for (Eigen::Index idx = 0; idx < model.fit.beta.size(); ++idx) {
    const auto at = static_cast<size_t>(idx);
    expect_relative(model.fit.beta[idx], beta[at].get<double>(), "beta " + model.terms[at]);
    for (int kind = 0; kind < 3; ++kind) {
      expect_se(std::sqrt((*cov[kind])(idx, idx)),
                (*reference)[std::string("se_beta_") + kinds[kind]][at].get<double>(),
                std::string(kinds[kind]) + " SE of " + model.terms[at]);
    }
  }
  const auto& cuts = (*reference)["cutpoints"];
  ASSERT_EQ(cuts.size(), static_cast<size_t>(model.fit.cutpoints.size()));
  for (Eigen::Index idx = 0; idx < model.fit.cutpoints.size(); ++idx) {
    const auto at = static_cast<size_t>(idx);
    expect_relative(model.fit.cutpoints[idx], cuts[at].get<double>(),
                    "cut-point " + std::to_string(idx));
    for (int kind = 0; kind < 3; ++kind) {
      expect_se(cut_se[kind][idx],
                (*reference)[std::string("se_cut_") + kinds[kind]][at].get<double>(),
                std::string(kinds[kind]) + " SE of cut-point " + std::to_string(idx));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Panels, RealPanelRTest,
                         ::testing::Combine(::testing::Values(Link::kProbit, Link::kLogit),
                                            ::testing::Bool()),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param) == Link::kProbit ? "Probit"
                                                                                       : "Logit") +
                                  (std::get<1>(info.param) ? "World" : "Africa");
                         });

// The random-effects model of the example (a normal country effect, 25-point
// adaptive Gauss-Hermite quadrature) on the African sovereign-years against
// R's ordinal::clmm with nAGQ = 25 on the same matrix: log-likelihood,
// estimates and the effect's standard deviation to 1e-6.
class RealPanelRandomTest : public ::testing::TestWithParam<Link> {};

TEST_P(RealPanelRandomTest, RandomEffectsEqualRClmm) {
  REQUIRE_RATING_DATA(ratings, weo);
  const PanelFit fitted = FitExampleModel(ratings, weo, GetParam(), false, 25);
  const RatingModel& model = fitted.model;
  ASSERT_EQ(model.fit.termination, Termination::kConverged) << model.fit.message;
  std::string why;
  const auto reference = testing::RunClmm(fitted.csv, GetParam(), 25, &why);
  if (!reference) GTEST_SKIP() << why;
  std::cout << "timing: mizani " << fitted.seconds << " s (" << model.num_obs << " rows), R clmm "
            << (*reference)["seconds"].get<double>() << " s\n";
  EXPECT_NEAR(model.fit.log_likelihood, (*reference)["llf"].get<double>(), 1e-6);
  EXPECT_NEAR(model.sigma_u, (*reference)["sigma"].get<double>(), 1e-6);
  const auto& beta = (*reference)["beta"];
  ASSERT_EQ(beta.size(), static_cast<size_t>(model.fit.beta.size()));
  for (Eigen::Index idx = 0; idx < model.fit.beta.size(); ++idx) {
    const double expected = beta[static_cast<size_t>(idx)].get<double>();
    EXPECT_NEAR(model.fit.beta[idx], expected, 1e-6 * std::max(1.0, std::abs(expected)))
        << model.terms[static_cast<size_t>(idx)];
  }
  const auto& cuts = (*reference)["cutpoints"];
  ASSERT_EQ(cuts.size(), static_cast<size_t>(model.fit.cutpoints.size()));
  for (Eigen::Index idx = 0; idx < model.fit.cutpoints.size(); ++idx) {
    const double expected = cuts[static_cast<size_t>(idx)].get<double>();
    EXPECT_NEAR(model.fit.cutpoints[idx], expected, 1e-6 * std::max(1.0, std::abs(expected)))
        << "cut-point " << idx;
  }
}

INSTANTIATE_TEST_SUITE_P(Links, RealPanelRandomTest, ::testing::Values(Link::kProbit, Link::kLogit),
                         [](const auto& info) {
                           return info.param == Link::kProbit ? "Probit" : "Logit";
                         });

}  // namespace
}  // namespace mizani::rating

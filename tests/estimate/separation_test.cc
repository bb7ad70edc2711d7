// Separation (Santos Silva & Tenreyro 2010; Correia, Guimarães & Zylkin
// 2021): observations where a combination of regressors and fixed effects
// perfectly predicts a zero outcome have no finite MLE. They must be
// detected, removed and counted; observations that merely have y = 0 must not.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "mizani/estimate.h"

namespace {

using mizani::DropReason;
using mizani::EstimateOptions;
using mizani::ModelFrame;

// 6 exporters x 6 importers x 3 years, exporter and importer-year effects,
// regressors x1 (continuous) and x2. Half of the zero flows of exporter 0
// get x2 = 1, all other rows x2 = 0: x2 > 0 implies y = 0, so beta_2 -> -inf.
ModelFrame MakeFrame(bool separated, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  ModelFrame frame;
  std::vector<double> x1, x2;
  std::vector<int32_t> exporter_ids, importer_year_ids;
  int zero_count_exporter0 = 0;
  for (int year = 0; year < 3; ++year) {
    for (int exporter = 0; exporter < 6; ++exporter) {
      for (int importer = 0; importer < 6; ++importer) {
        if (exporter == importer) continue;
        const double value = uniform(rng);
        double y = std::exp(1.0 + 0.5 * value) * (0.5 + uniform(rng));
        // Every exporter and importer-year keeps a positive flow (no
        // all-zero groups), so only the x2 rows can be separated.
        const bool zero = uniform(rng) < 0.35 && exporter != (importer + 1) % 6;
        if (zero) y = 0;
        double flag = 0;
        if (separated && zero && exporter == 0 && (zero_count_exporter0++ % 2 == 0)) flag = 1;
        frame.y.push_back(y);
        x1.push_back(value);
        x2.push_back(flag);
        exporter_ids.push_back(exporter);
        importer_year_ids.push_back(importer * 3 + year);
      }
    }
  }
  const int64_t n = static_cast<int64_t>(frame.y.size());
  frame.X.resize(n, 2);
  for (int64_t obs_idx = 0; obs_idx < n; ++obs_idx) {
    frame.X(obs_idx, 0) = x1[obs_idx];
    frame.X(obs_idx, 1) = x2[obs_idx];
  }
  frame.coef_names = {"x1", "x2"};
  frame.fe_ids = {exporter_ids, importer_year_ids};
  frame.fe_sizes = {6, 18};
  frame.fe_names = {"exporter", "importer^year"};
  frame.rows_read = n;
  return frame;
}

int64_t Dropped(const mizani::EstimateResult& result, DropReason reason) {
  for (const auto& [existing, count] : result.dropped) {
    if (existing == reason) return count;
  }
  return 0;
}

TEST(Separation, DetectsRegressorInducedSeparation) {
  ModelFrame frame = MakeFrame(/*separated=*/true, 3);
  int64_t flagged = 0;
  for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx)
    flagged += frame.X(obs_idx, 1) > 0;
  ASSERT_GT(flagged, 0);
  EstimateOptions options;
  options.drop_singletons = false;
  options.vcov.type = mizani::VcovType::kHetero;
  auto result = mizani::Fit(frame, options);
  ASSERT_TRUE(result.converged()) << result.message;
  EXPECT_EQ(Dropped(result, DropReason::kSeparated), flagged);
  EXPECT_EQ(result.num_obs, frame.num_obs() - flagged);
  // Once the separated rows are gone x2 is identically zero: collinear.
  ASSERT_EQ(result.collinear.size(), 1u);
  EXPECT_EQ(result.collinear[0], "x2");
  // The remaining estimate equals the fit on the data without those rows.
  ModelFrame reduced = MakeFrame(/*separated=*/false, 3);
  std::vector<uint8_t> keep(frame.num_obs());
  ModelFrame manual = reduced;
  {
    // Same rows as the separated design minus the flagged ones.
    ModelFrame source = frame;
    std::vector<double> y;
    std::vector<int32_t> e, iy;
    std::vector<double> x1;
    for (int64_t obs_idx = 0; obs_idx < source.num_obs(); ++obs_idx) {
      if (source.X(obs_idx, 1) > 0) continue;
      y.push_back(source.y[obs_idx]);
      x1.push_back(source.X(obs_idx, 0));
      e.push_back(source.fe_ids[0][obs_idx]);
      iy.push_back(source.fe_ids[1][obs_idx]);
    }
    manual.y = y;
    manual.X.resize(static_cast<Eigen::Index>(y.size()), 1);
    for (size_t row = 0; row < y.size(); ++row)
      manual.X(static_cast<Eigen::Index>(row), 0) = x1[row];
    manual.coef_names = {"x1"};
    manual.fe_ids = {e, iy};
  }
  auto expected = mizani::Fit(manual, options);
  ASSERT_TRUE(expected.converged());
  EXPECT_NEAR(result.coef(0), expected.coef(0), 1e-8 * std::abs(expected.coef(0)));
}

TEST(Separation, ZerosWithoutSeparationAreKept) {
  ModelFrame frame = MakeFrame(/*separated=*/false, 3);
  frame.X.conservativeResize(Eigen::NoChange, 1);
  frame.coef_names = {"x1"};
  EstimateOptions options;
  options.drop_singletons = false;
  options.vcov.type = mizani::VcovType::kIid;
  auto with_check = mizani::Fit(frame, options);
  options.check_separation = false;
  auto without_check = mizani::Fit(frame, options);
  ASSERT_TRUE(with_check.converged());
  EXPECT_EQ(Dropped(with_check, DropReason::kSeparated), 0);
  EXPECT_EQ(with_check.num_obs, without_check.num_obs);
  EXPECT_NEAR(with_check.coef(0), without_check.coef(0), 1e-10);
}

}  // namespace

// The fit reuses the separation check's projection of X for the
// collinearity check (weights 1 where y > 0, 1e-6 where y = 0) only when
// that check keeps every column; otherwise the columns are judged again
// with unit weights. x2 is zero wherever y > 0 and +-1 on the zeros (no
// separation: it takes both signs there): nearly collinear under the
// separation's weights, not under unit weights. With a tolerance between
// the two, x2 must be kept, and the estimates must be those of the fit
// that never ran the separation check.
TEST(Separation, CollinearityJudgedWithUnitWeightsWhenTheReuseFlagsAColumn) {
  ModelFrame frame = MakeFrame(/*separated=*/false, 5);
  int sign = 1;
  int64_t zeros = 0;
  for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx) {
    const bool zero = frame.y[obs_idx] == 0;
    frame.X(obs_idx, 1) = zero ? sign : 0.0;
    if (zero) {
      sign = -sign;
      ++zeros;
    }
  }
  ASSERT_GT(zeros, 10);
  for (double tolerance : {1e-9, 1e-4}) {
    EstimateOptions options;
    options.drop_singletons = false;
    options.collinearity_tolerance = tolerance;
    options.vcov.type = mizani::VcovType::kIid;
    const auto checked = mizani::Fit(frame, options);
    options.check_separation = false;
    const auto unchecked = mizani::Fit(frame, options);
    ASSERT_TRUE(checked.converged()) << checked.message;
    ASSERT_TRUE(unchecked.converged()) << unchecked.message;
    EXPECT_EQ(Dropped(checked, DropReason::kSeparated), 0);
    EXPECT_TRUE(checked.collinear.empty()) << "tolerance " << tolerance;
    ASSERT_EQ(checked.coef.size(), 2);
    ASSERT_EQ(unchecked.coef.size(), 2);
    for (int col_idx = 0; col_idx < 2; ++col_idx) {
      EXPECT_NEAR(checked.coef(col_idx), unchecked.coef(col_idx),
                  1e-8 * std::abs(unchecked.coef(col_idx)));
    }
  }
}

// The estimator families (src/estimate/family.h): the registry and its
// names, the GLM definitions in closed form, and the fits' deviance against
// the families' own unit deviance summed observation by observation.
#include "estimate/family.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "mizani/error.h"
#include "mizani/estimate.h"
#include "test_support.h"

namespace mizani {
namespace {

TEST(EstimatorFamily, RegistryNamesAndImplementations) {
  EXPECT_EQ(ChoiceNames(FamilyNames()),
            (std::vector<std::string>{"ppml", "poisson", "ols", "gaussian"}));
  for (const Family family : {Family::kPoisson, Family::kGaussian}) {
    EXPECT_EQ(estimate::FamilyOf(family).id(), family);
    EXPECT_EQ(FindChoice(FamilyNames(), FamilyKey(family)), family);
    EXPECT_EQ(FindChoice(FamilyNames(), FamilyGlmName(family)), family);
  }
  EXPECT_STREQ(FamilyLabel(Family::kPoisson), "PPML");
  EXPECT_STREQ(FamilyLabel(Family::kGaussian), "OLS");
  EXPECT_FALSE(estimate::FamilyOf(Family::kPoisson).least_squares());
  EXPECT_TRUE(estimate::FamilyOf(Family::kGaussian).least_squares());
}

TEST(EstimatorFamily, GlmDefinitionsInClosedForm) {
  const estimate::EstimatorFamily& poisson = estimate::PoissonFamily();
  EXPECT_DOUBLE_EQ(poisson.Link(std::exp(1.5)), 1.5);
  EXPECT_DOUBLE_EQ(poisson.InverseLink(std::log(7.0)), 7.0);
  EXPECT_EQ(poisson.Variance(3.5), 3.5);
  // d(0, mu) = 2 mu; d(y, y) = 0; d(2, 1) = 2 (2 log 2 - 1).
  EXPECT_DOUBLE_EQ(poisson.UnitDeviance(0, 0.25), 0.5);
  EXPECT_EQ(poisson.UnitDeviance(4, 4), 0);
  EXPECT_DOUBLE_EQ(poisson.UnitDeviance(2, 1), 2 * (2 * std::log(2.0) - 1));
  // Zeros start at 0.015 of the positive outcomes' geometric mean.
  EXPECT_DOUBLE_EQ(poisson.StartMean(0, 10), 0.15);
  EXPECT_DOUBLE_EQ(poisson.StartMean(2, 10), 2.15);
  const estimate::EstimatorFamily& gaussian = estimate::GaussianFamily();
  EXPECT_EQ(gaussian.Link(-2.5), -2.5);
  EXPECT_EQ(gaussian.InverseLink(-2.5), -2.5);
  EXPECT_EQ(gaussian.Variance(9), 1);
  EXPECT_EQ(gaussian.UnitDeviance(3, 1), 4);
}

// y = exp(0.5 x + a_g) e, 12 groups of 40: every outcome positive, no
// singleton, nothing dropped, so the fit's rows are the frame's.
ModelFrame MakeFrame(bool log_outcome) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(0.0, 1.0);
  ModelFrame frame;
  constexpr int kGroups = 12, kPerGroup = 40;
  frame.X.resize(kGroups * kPerGroup, 1);
  frame.coef_names = {"x"};
  frame.fe_ids.emplace_back();
  frame.fe_sizes = {kGroups};
  frame.fe_names = {"g"};
  frame.fe_labels.emplace_back();
  for (int group = 0; group < kGroups; ++group) {
    frame.fe_labels[0].push_back(std::to_string(group));
    const double effect = 0.3 * normal(rng);
    for (int member = 0; member < kPerGroup; ++member) {
      const double x = normal(rng);
      const double y = std::exp(0.5 * x + effect + 0.4 * normal(rng));
      frame.X(static_cast<Eigen::Index>(frame.y.size()), 0) = x;
      frame.y.push_back(log_outcome ? std::log(y) : y);
      frame.fe_ids[0].push_back(group);
    }
  }
  frame.rows_read = frame.num_obs();
  for (int64_t row_idx = 0; row_idx < frame.num_obs(); ++row_idx)
    frame.source_row.push_back(row_idx);
  return frame;
}

// The fit's deviance (PPML: its statistics pass, vectorised logarithms) and
// RSS (OLS) equal the family's unit deviance summed at mu = g^-1(x b + a_g),
// from the reported coefficient and fixed effects.
TEST(EstimatorFamily, FitDevianceIsTheSumOfUnitDeviances) {
  for (const Family family : {Family::kPoisson, Family::kGaussian}) {
    const ModelFrame frame = MakeFrame(family == Family::kGaussian);
    EstimateOptions options;
    options.family = family;
    options.vcov.type = VcovType::kHetero;
    const EstimateResult result = Fit(frame, options);
    ASSERT_TRUE(result.converged()) << result.message;
    ASSERT_EQ(result.num_obs, frame.num_obs());
    ASSERT_EQ(result.fixed_effects.size(), 1u);
    const FixedEffectEstimates& effects = result.fixed_effects[0];
    std::vector<double> effect_of_group(effects.values.size());
    for (size_t level = 0; level < effects.labels.size(); ++level)
      effect_of_group[std::stoi(effects.labels[level])] = effects.values[level];
    const estimate::EstimatorFamily& implementation = estimate::FamilyOf(family);
    double sum = 0;
    for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx) {
      const double eta =
          frame.X(obs_idx, 0) * result.coef(0) + effect_of_group[frame.fe_ids[0][obs_idx]];
      sum += implementation.UnitDeviance(frame.y[obs_idx], implementation.InverseLink(eta));
    }
    const double reported = family == Family::kPoisson ? result.deviance : result.rss;
    EXPECT_NEAR(sum, reported, 1e-8 * reported) << FamilyLabel(family);
  }
}

TEST(EstimatorChoices, VcovAliasesAndParseErrors) {
  EXPECT_EQ(ParseChoice(VcovNames(), "HC1", "vcov"), VcovType::kHetero);
  EXPECT_EQ(ParseChoice(VcovNames(), "CRV1", "vcov"), VcovType::kCluster);
  EXPECT_EQ(ParseChoice(SmallSampleNames(), "fixest", "ssc"), SmallSample::kFixest);
  testing::ExpectError([] { ParseChoice(FamilyNames(), "logit", "family"); }, ErrorCode::kUsage,
                       {"family must be one of 'ppml', 'poisson', 'ols', 'gaussian'; got 'logit'"});
}

TEST(EstimatorChoices, ModelColumnsSortedOnceWithFilterCandidates) {
  const Formula formula = ParseFormula("trade ~ log(DIST) + RTA | exporter^year + importer^year");
  EXPECT_EQ(
      ModelColumns(formula, {"pair_id"}, {"importer != USA", "year in 1986:2006:4"}, {"sector"}),
      (std::vector<std::string>{"DIST", "RTA", "USA", "exporter", "importer", "pair_id", "sector",
                                "trade", "year"}));
}

}  // namespace
}  // namespace mizani

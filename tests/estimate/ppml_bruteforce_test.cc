// PPML and OLS with projected fixed effects against an independent
// brute-force fit: a dense dummy-variable Poisson GLM (IRLS to machine
// precision on the full design), and its sandwich variance.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <numeric>
#include <random>

#include "mizani/estimate.h"

namespace {

using mizani::EstimateOptions;
using mizani::EstimateResult;
using mizani::Family;
using mizani::ModelFrame;
using mizani::SmallSample;
using mizani::VcovType;

struct Panel {
  ModelFrame frame;
  Eigen::MatrixXd dummies;  // full-rank dummy design of the fixed effects
};

// exporters x importers x years, international pairs, two or three FE dims.
Panel MakePanel(int countries, int years, bool pair_fe, double zero_share, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Panel panel;
  ModelFrame& frame = panel.frame;
  std::vector<double> log_dist, rta;
  std::vector<int32_t> exp_year, imp_year, pair;
  std::vector<double> pair_effect(countries * countries);
  for (double& value : pair_effect) value = 0.3 * normal(rng);
  std::vector<double> exp_effect(countries * years), imp_effect(countries * years);
  for (double& value : exp_effect) value = normal(rng);
  for (double& value : imp_effect) value = normal(rng);
  for (int year = 0; year < years; ++year) {
    for (int exporter = 0; exporter < countries; ++exporter) {
      for (int importer = 0; importer < countries; ++importer) {
        if (exporter == importer) continue;
        const double dist = std::log(100.0 + 1000.0 * std::abs(exporter - importer) +
                                     37.0 * ((exporter * 7 + importer * 3) % 11));
        const double agreement =
            (std::abs(exporter - importer) <= 2 && year >= years / 2) ? 1.0 : 0.0;
        const double eta = -0.8 * dist + 0.4 * agreement + exp_effect[exporter * years + year] +
                           imp_effect[importer * years + year] +
                           (pair_fe ? pair_effect[exporter * countries + importer] : 0.0) + 6.0;
        double y = std::exp(eta) * std::exp(0.5 * normal(rng) - 0.125);
        if (uniform(rng) < zero_share) y = 0;
        frame.y.push_back(y);
        log_dist.push_back(dist);
        rta.push_back(agreement);
        exp_year.push_back(exporter * years + year);
        imp_year.push_back(importer * years + year);
        pair.push_back(exporter * countries + importer);
      }
    }
  }
  const int64_t n = static_cast<int64_t>(frame.y.size());
  frame.X.resize(n, 2);
  for (int64_t obs_idx = 0; obs_idx < n; ++obs_idx) {
    frame.X(obs_idx, 0) = log_dist[obs_idx];
    frame.X(obs_idx, 1) = rta[obs_idx];
  }
  frame.coef_names = {"log(dist)", "rta"};
  auto densify = [](std::vector<int32_t> ids, int32_t* size) {
    std::vector<int32_t> map(*std::max_element(ids.begin(), ids.end()) + 1, -1);
    int32_t next = 0;
    for (auto& id : ids) {
      if (map[id] < 0) map[id] = next++;
      id = map[id];
    }
    *size = next;
    return ids;
  };
  int32_t size = 0;
  frame.fe_ids.push_back(densify(exp_year, &size));
  frame.fe_sizes.push_back(size);
  frame.fe_ids.push_back(densify(imp_year, &size));
  frame.fe_sizes.push_back(size);
  if (pair_fe) {
    frame.fe_ids.push_back(densify(pair, &size));
    frame.fe_sizes.push_back(size);
  }
  frame.fe_names = {"exp_year", "imp_year", "pair"};
  frame.fe_names.resize(frame.fe_ids.size());
  frame.cluster_ids.push_back(densify(pair, &size));
  frame.cluster_names = {"pair"};
  frame.rows_read = n;
  return panel;
}

// Dense dummy design for the fixed effects (all levels of every dimension:
// rank-deficient, handled by a complete orthogonal decomposition).
Eigen::MatrixXd Dummies(const ModelFrame& frame) {
  int64_t cols = 0;
  for (int32_t size : frame.fe_sizes) cols += size;
  Eigen::MatrixXd D = Eigen::MatrixXd::Zero(frame.num_obs(), cols);
  int64_t offset = 0;
  for (size_t dim_idx = 0; dim_idx < frame.fe_ids.size(); ++dim_idx) {
    for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx) {
      D(obs_idx, offset + frame.fe_ids[dim_idx][obs_idx]) = 1.0;
    }
    offset += frame.fe_sizes[dim_idx];
  }
  return D;
}

struct BruteForce {
  Eigen::VectorXd beta;
  Eigen::VectorXd mu;
  Eigen::MatrixXd bread_beta;  // beta block of (Z'WZ)^+
  Eigen::MatrixXd Z;
};

// Poisson IRLS on Z = [X, D] to machine precision.
BruteForce BruteForcePoisson(const ModelFrame& frame) {
  const int64_t n = frame.num_obs();
  const int64_t k = frame.X.cols();
  Eigen::MatrixXd D = Dummies(frame);
  Eigen::MatrixXd Z(n, k + D.cols());
  Z << frame.X, D;
  Eigen::Map<const Eigen::VectorXd> y(frame.y.data(), n);
  Eigen::VectorXd mu = (y.array() + y.mean()) / 2;
  Eigen::VectorXd eta = mu.array().log();
  Eigen::VectorXd coef;
  for (int iteration = 0; iteration < 100; ++iteration) {
    Eigen::VectorXd z = eta.array() + (y - mu).array() / mu.array();
    Eigen::VectorXd sw = mu.array().sqrt();
    Eigen::MatrixXd Zw = sw.asDiagonal() * Z;
    Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> cod(Zw);
    Eigen::VectorXd new_coef = cod.solve(sw.asDiagonal() * z);
    Eigen::VectorXd new_eta = Z * new_coef;
    const double change = (new_eta - eta).cwiseAbs().maxCoeff();
    eta = new_eta;
    mu = eta.array().exp();
    coef = new_coef;
    if (change < 1e-13) break;
  }
  BruteForce out;
  out.beta = coef.head(k);
  out.mu = mu;
  out.Z = Z;
  Eigen::MatrixXd H = Z.transpose() * mu.asDiagonal() * Z;
  Eigen::MatrixXd H_pinv = H.completeOrthogonalDecomposition().pseudoInverse();
  out.bread_beta = H_pinv.topLeftCorner(k, k);
  return out;
}

TEST(PpmlBruteForce, TwoWayCoefficientsAndClusteredErrors) {
  Panel panel = MakePanel(9, 3, /*pair_fe=*/false, 0.2, 42);
  BruteForce brute = BruteForcePoisson(panel.frame);
  EstimateOptions options;
  options.check_separation = true;
  options.drop_singletons = false;
  options.vcov.type = VcovType::kCluster;
  options.vcov.small_sample = SmallSample::kStata;
  EstimateResult result = mizani::Fit(panel.frame, options);
  ASSERT_TRUE(result.converged()) << result.message;
  ASSERT_EQ(result.coef.size(), 2);
  // Nothing is separated in this design: every observation is used.
  EXPECT_EQ(result.num_obs, panel.frame.num_obs());
  for (const auto& [reason, count] : result.dropped)
    ADD_FAILURE() << mizani::DropReasonName(reason) << ": " << count;
  for (int col_idx = 0; col_idx < 2; ++col_idx) {
    EXPECT_NEAR(result.coef(col_idx), brute.beta(col_idx), 1e-8 * std::abs(brute.beta(col_idx)))
        << result.coef_names[col_idx];
  }
  // Clustered sandwich with the full dummy design: the beta block of
  // H^+ (sum_g s_g s_g') H^+ with s_g = sum_{i in g} z_i (y_i - mu_i), times G/(G-1).
  const ModelFrame& frame = panel.frame;
  Eigen::Map<const Eigen::VectorXd> y(frame.y.data(), frame.num_obs());
  Eigen::VectorXd resid = y - brute.mu;
  const int32_t num_clusters =
      *std::max_element(frame.cluster_ids[0].begin(), frame.cluster_ids[0].end()) + 1;
  Eigen::MatrixXd scores = Eigen::MatrixXd::Zero(num_clusters, brute.Z.cols());
  for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx) {
    scores.row(frame.cluster_ids[0][obs_idx]) += resid(obs_idx) * brute.Z.row(obs_idx);
  }
  Eigen::MatrixXd H = brute.Z.transpose() * brute.mu.asDiagonal() * brute.Z;
  Eigen::MatrixXd H_pinv = H.completeOrthogonalDecomposition().pseudoInverse();
  Eigen::MatrixXd V = H_pinv * (scores.transpose() * scores) * H_pinv;
  const double g = num_clusters;
  V *= g / (g - 1);
  for (int col_idx = 0; col_idx < 2; ++col_idx) {
    const double se_brute = std::sqrt(V(col_idx, col_idx));
    EXPECT_NEAR(result.StdErrors()(col_idx), se_brute, 1e-6 * se_brute);
  }
  // IID (inverse Hessian) standard errors.
  options.vcov.type = VcovType::kIid;
  EstimateResult iid = mizani::Fit(panel.frame, options);
  for (int col_idx = 0; col_idx < 2; ++col_idx) {
    const double se_brute = std::sqrt(brute.bread_beta(col_idx, col_idx));
    EXPECT_NEAR(iid.StdErrors()(col_idx), se_brute, 1e-6 * se_brute);
  }
}

// Exporter-year and importer-year effects: the levels of each year form
// their own connected set, so the effects are identified up to one constant
// per year. The export pins the first importer-year level of each set at
// zero; without that, the Schur and Jacobi paths (whose iterates drift
// differently along the free constants) exported effects differing by up
// to 1.9 relative on a synth panel.
TEST(PpmlBruteForce, TwoWayEffectsArePinnedInEveryConnectedSet) {
  const int countries = 6, years = 4;
  Panel panel = MakePanel(countries, years, /*pair_fe=*/false, 0.0, 11);
  EstimateOptions options;
  options.drop_singletons = false;
  options.keep_fitted = true;
  std::vector<EstimateResult> results;
  for (mizani::FeSolver solver : {mizani::FeSolver::kSchur, mizani::FeSolver::kJacobi}) {
    options.projection.solver = solver;
    results.push_back(mizani::Fit(panel.frame, options));
    ASSERT_TRUE(results.back().converged()) << results.back().message;
  }
  const ModelFrame& frame = panel.frame;
  for (const EstimateResult& result : results) {
    ASSERT_EQ(result.fixed_effects.size(), 2u);
    EXPECT_NE(result.fe_normalisation.find("4 connected sets"), std::string::npos)
        << result.fe_normalisation;
    // The first importer-year level of each year (the smallest id among
    // the year's rows, which MakePanel lays out year by year) is zero.
    const int64_t rows_per_year = static_cast<int64_t>(countries) * (countries - 1);
    for (int year = 0; year < years; ++year) {
      const auto first = frame.fe_ids[1].begin() + year * rows_per_year;
      const int32_t reference = *std::min_element(first, first + rows_per_year);
      EXPECT_EQ(result.fixed_effects[1].values[reference], 0.0) << "year " << year;
    }
    // The effects reproduce the fitted values.
    for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx) {
      const double eta = result.coef.dot(frame.X.row(obs_idx)) +
                         result.fixed_effects[0].values[frame.fe_ids[0][obs_idx]] +
                         result.fixed_effects[1].values[frame.fe_ids[1][obs_idx]];
      EXPECT_NEAR(std::exp(eta), result.fitted[obs_idx], 1e-7 * result.fitted[obs_idx]);
    }
  }
  // Both paths export the same effects.
  for (size_t dim_idx = 0; dim_idx < 2; ++dim_idx) {
    const std::vector<double>& schur = results[0].fixed_effects[dim_idx].values;
    const std::vector<double>& jacobi = results[1].fixed_effects[dim_idx].values;
    ASSERT_EQ(schur.size(), jacobi.size());
    for (size_t level = 0; level < schur.size(); ++level)
      EXPECT_NEAR(schur[level], jacobi[level], 1e-7 * (1 + std::abs(schur[level])))
          << "dimension " << dim_idx << " level " << level;
  }
}

TEST(PpmlBruteForce, ThreeWayWithPairEffects) {
  Panel panel = MakePanel(8, 4, /*pair_fe=*/true, 0.0, 7);
  BruteForce brute = BruteForcePoisson(panel.frame);
  EstimateOptions options;
  options.drop_singletons = false;
  options.vcov.type = VcovType::kHetero;
  options.vcov.small_sample = SmallSample::kNone;
  options.keep_fitted = true;
  EstimateResult result = mizani::Fit(panel.frame, options);
  ASSERT_TRUE(result.converged()) << result.message;
  // log(dist) is constant within pair: absorbed by the pair effects.
  ASSERT_EQ(result.collinear.size(), 1u);
  EXPECT_EQ(result.collinear[0], "log(dist)");
  ASSERT_EQ(result.coef.size(), 1);
  // Brute force without the absorbed column.
  ModelFrame reduced = panel.frame;
  reduced.X = panel.frame.X.col(1);
  BruteForce brute_reduced = BruteForcePoisson(reduced);
  EXPECT_NEAR(result.coef(0), brute_reduced.beta(0), 1e-8 * std::abs(brute_reduced.beta(0)));
  // First-order conditions: residuals sum to zero within every level of
  // every fixed effect, and X'(y - mu) = 0.
  const ModelFrame& frame = panel.frame;
  for (size_t dim_idx = 0; dim_idx < frame.fe_ids.size(); ++dim_idx) {
    std::vector<double> sum(frame.fe_sizes[dim_idx], 0.0), scale(frame.fe_sizes[dim_idx], 0.0);
    for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx) {
      sum[frame.fe_ids[dim_idx][obs_idx]] += frame.y[obs_idx] - result.fitted[obs_idx];
      scale[frame.fe_ids[dim_idx][obs_idx]] += frame.y[obs_idx];
    }
    for (size_t level = 0; level < sum.size(); ++level) {
      EXPECT_NEAR(sum[level], 0.0, 1e-7 * scale[level])
          << "dimension " << dim_idx << " level " << level;
    }
  }
  double score = 0, scale = 0;
  for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx) {
    score += frame.X(obs_idx, 1) * (frame.y[obs_idx] - result.fitted[obs_idx]);
    scale += frame.y[obs_idx];
  }
  EXPECT_NEAR(score, 0.0, 1e-9 * scale);
  // Fitted values equal the brute force's.
  for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx) {
    EXPECT_NEAR(result.fitted[obs_idx], brute_reduced.mu(obs_idx),
                1e-7 * brute_reduced.mu(obs_idx));
  }
  // Exported fixed effects reproduce the fitted values.
  ASSERT_EQ(result.fixed_effects.size(), 3u);
  for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx) {
    double eta = result.coef(0) * frame.X(obs_idx, 1);
    for (size_t dim_idx = 0; dim_idx < 3; ++dim_idx) {
      eta += result.fixed_effects[dim_idx].values[frame.fe_ids[dim_idx][obs_idx]];
    }
    EXPECT_NEAR(std::exp(eta), result.fitted[obs_idx], 1e-7 * result.fitted[obs_idx]);
  }
  EXPECT_EQ(result.fixed_effects[1].values[0], 0.0);
  EXPECT_EQ(result.fixed_effects[2].values[0], 0.0);
  // Deviance and log-likelihood recomputed from the brute force's fitted
  // values with the textbook formulas (std::lgamma for log y!).
  double deviance = 0, loglik = 0;
  int64_t large = 0;
  for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx) {
    const double y = frame.y[obs_idx], mu = brute_reduced.mu(obs_idx);
    deviance += 2 * ((y > 0 ? y * std::log(y / mu) : 0.0) - (y - mu));
    loglik += y * std::log(mu) - mu - std::lgamma(y + 1);
    large += y >= 9;  // log y! then takes the Stirling series
  }
  ASSERT_GT(large, 0);
  EXPECT_NEAR(result.deviance, deviance, 1e-7 * deviance);
  EXPECT_NEAR(result.log_likelihood, loglik, 1e-7 * std::abs(loglik));
}

// Counts (integers around 3, many of them 1 to 8, whose log y! comes from a
// table, some 9 and more, from the Stirling series): the log-likelihood
// equals the textbook sum with std::lgamma over the fitted values.
TEST(PpmlBruteForce, LogLikelihoodOfSmallCounts) {
  Panel panel = MakePanel(8, 4, /*pair_fe=*/false, 0.0, 11);
  ModelFrame& frame = panel.frame;
  double mean = 0;
  for (double y : frame.y) mean += y / static_cast<double>(frame.y.size());
  int64_t small_counts = 0, large = 0;
  for (double& y : frame.y) {
    y = std::round(3 * y / mean);
    small_counts += y >= 1 && y <= 8;
    large += y >= 9;
  }
  ASSERT_GT(small_counts, frame.num_obs() / 4);
  ASSERT_GT(large, 0);
  // Rows are named by their frame row in the result (all-zero groups go).
  frame.source_row.resize(frame.y.size());
  std::iota(frame.source_row.begin(), frame.source_row.end(), int64_t{0});
  EstimateOptions options;
  options.drop_singletons = false;
  options.keep_fitted = true;
  const EstimateResult result = mizani::Fit(frame, options);
  ASSERT_TRUE(result.converged()) << result.message;
  ASSERT_EQ(result.fitted.size(), result.source_row.size());
  double loglik = 0;
  for (size_t idx = 0; idx < result.fitted.size(); ++idx) {
    const double y = frame.y[static_cast<size_t>(result.source_row[idx])];
    const double mu = result.fitted[idx];
    loglik += y * std::log(mu) - mu - std::lgamma(y + 1);
  }
  EXPECT_NEAR(result.log_likelihood, loglik, 1e-11 * std::abs(loglik));
}

// The start, and with it the whole IRLS path, scales with the outcome
// (irls.cc, StartValues): the same fit in other units (a power of two, so
// that the rescaled outcome is exact) takes the same steps to the same
// coefficients. A start in the outcome's units (fixest's y + 0.1) fails
// this: the steps differ, and the coefficients by the convergence error.
TEST(PpmlBruteForce, PathDoesNotDependOnTheUnitOfTheOutcome) {
  const Panel panel = MakePanel(12, 5, /*pair_fe=*/false, 0.5, 23);
  EstimateOptions options;
  const EstimateResult base = mizani::Fit(panel.frame, options);
  ASSERT_TRUE(base.converged()) << base.message;
  for (const double unit : {1024.0, 1.0 / 1024.0}) {
    ModelFrame scaled = panel.frame;
    for (double& y : scaled.y) y *= unit;
    const EstimateResult result = mizani::Fit(scaled, options);
    ASSERT_TRUE(result.converged()) << result.message;
    EXPECT_EQ(result.iterations, base.iterations) << "unit " << unit;
    for (Eigen::Index col_idx = 0; col_idx < base.coef.size(); ++col_idx) {
      EXPECT_NEAR(result.coef(col_idx), base.coef(col_idx), 1e-12 * std::abs(base.coef(col_idx)))
          << "unit " << unit << ", " << base.coef_names[col_idx];
    }
    EXPECT_NEAR(result.deviance, unit * base.deviance, 1e-10 * unit * base.deviance);
  }
}

TEST(OlsBruteForce, MatchesDenseDummyRegression) {
  Panel panel = MakePanel(9, 3, false, 0.0, 3);
  ModelFrame& frame = panel.frame;
  for (double& value : frame.y) value = std::log(value);
  EstimateOptions options;
  options.family = Family::kGaussian;
  options.drop_singletons = false;
  options.vcov.type = VcovType::kIid;
  options.vcov.small_sample = SmallSample::kStata;
  EstimateResult result = mizani::Fit(frame, options);
  ASSERT_TRUE(result.converged());
  Eigen::MatrixXd D = Dummies(frame);
  Eigen::MatrixXd Z(frame.num_obs(), 2 + D.cols());
  Z << frame.X, D;
  Eigen::Map<const Eigen::VectorXd> y(frame.y.data(), frame.num_obs());
  Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> cod(Z);
  Eigen::VectorXd coef = cod.solve(y);
  const double rss = (y - Z * coef).squaredNorm();
  const int64_t rank = cod.rank();
  const double sigma2 = rss / static_cast<double>(frame.num_obs() - rank);
  Eigen::MatrixXd ZtZ_pinv = (Z.transpose() * Z).completeOrthogonalDecomposition().pseudoInverse();
  for (int col_idx = 0; col_idx < 2; ++col_idx) {
    EXPECT_NEAR(result.coef(col_idx), coef(col_idx), 1e-9 * std::abs(coef(col_idx)));
    const double se = std::sqrt(sigma2 * ZtZ_pinv(col_idx, col_idx));
    EXPECT_NEAR(result.StdErrors()(col_idx), se, 1e-7 * se);
  }
  EXPECT_EQ(result.fe_dof + 2, rank);
}

}  // namespace

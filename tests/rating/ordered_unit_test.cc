// Ordered probit/logit: analytic derivatives against brute-force numerical
// ones, and estimates/standard errors against statsmodels' OrderedModel on a
// small vendored synthetic data set. The random-effects model: quadrature
// exactness, its gradient against differences, its pooled limit, and R's
// ordinal::clmm on a simulated panel.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <random>

#include "mizani/error.h"
#include "mizani/rating.h"
#include "mizani/read.h"
#include "rating/reference.h"
#include "test_support.h"

namespace mizani::rating {
namespace {

struct Synthetic {
  Eigen::MatrixXd x;
  std::vector<int> y;
  std::vector<int> cluster;
};

// theta with one parameter moved up and down by `step`.
std::pair<Eigen::VectorXd, Eigen::VectorXd> Perturbed(const Eigen::VectorXd& theta,
                                                      Eigen::Index param, double step) {
  std::pair<Eigen::VectorXd, Eigen::VectorXd> moved{theta, theta};
  moved.first[param] += step;
  moved.second[param] -= step;
  return moved;
}

Synthetic LoadSynthetic() {
  const Table table =
      ReadCsv(std::string(MIZANI_SOURCE_DIR) + "/tests/rating/data/ordered_synthetic.csv");
  Synthetic data;
  const auto& y = RequireNumeric(table, "y");
  const auto& cluster = RequireNumeric(table, "cluster");
  const auto& x1 = RequireNumeric(table, "x1");
  const auto& x2 = RequireNumeric(table, "x2");
  data.x.resize(static_cast<Eigen::Index>(table.num_rows), 2);
  for (size_t row = 0; row < table.num_rows; ++row) {
    data.y.push_back(static_cast<int>(y[row]));
    data.cluster.push_back(static_cast<int>(cluster[row]));
    data.x(static_cast<Eigen::Index>(row), 0) = x1[row];
    data.x(static_cast<Eigen::Index>(row), 1) = x2[row];
  }
  return data;
}

class OrderedLinkTest : public ::testing::TestWithParam<Link> {};

TEST_P(OrderedLinkTest, AnalyticDerivativesMatchCentralDifferences) {
  const Synthetic data = LoadSynthetic();
  Eigen::VectorXd theta(6);
  theta << 0.3, -0.2, -0.8, -0.5, -0.1, 0.2;  // away from the optimum
  Eigen::VectorXd gradient;
  Eigen::MatrixXd hessian;
  Eigen::MatrixXd scores;
  OrderedLogLikelihood(GetParam(), data.x, data.y, 5, theta, &gradient, &hessian, &scores);
  const double step = 1e-5;
  for (Eigen::Index param = 0; param < theta.size(); ++param) {
    const auto [plus, minus] = Perturbed(theta, param, step);
    Eigen::VectorXd gradient_plus;
    Eigen::VectorXd gradient_minus;
    const double ll_plus =
        OrderedLogLikelihood(GetParam(), data.x, data.y, 5, plus, &gradient_plus, nullptr, nullptr);
    const double ll_minus = OrderedLogLikelihood(GetParam(), data.x, data.y, 5, minus,
                                                 &gradient_minus, nullptr, nullptr);
    EXPECT_NEAR(gradient[param], (ll_plus - ll_minus) / (2 * step),
                1e-5 * (1 + std::abs(gradient[param])));
    const Eigen::VectorXd column = (gradient_plus - gradient_minus) / (2 * step);
    for (Eigen::Index other = 0; other < theta.size(); ++other) {
      EXPECT_NEAR(hessian(other, param), column[other], 1e-5 * (1 + std::abs(column[other])))
          << "Hessian entry " << other << "," << param;
    }
  }
  // Scores sum to the gradient.
  EXPECT_LT((scores.colwise().sum().transpose() - gradient).cwiseAbs().maxCoeff(), 1e-9);
}

TEST_P(OrderedLinkTest, EqualsStatsmodelsOnVendoredSyntheticData) {
  const Synthetic data = LoadSynthetic();
  OrderedOptions options;
  options.link = GetParam();
  const OrderedResult fit = FitOrdered(data.x, data.y, 5, data.cluster, options);
  ASSERT_EQ(fit.termination, Termination::kConverged) << fit.message;
  const std::string csv = mizani::testing::MakeTempDir("ordered") + "/synthetic.csv";
  testing::WriteOrderedCsv(csv, data.x, data.y, data.cluster);
  std::string why;
  const auto reference = testing::RunStatsmodels(csv, GetParam(), &why);
  if (!reference) GTEST_SKIP() << why;
  const auto& params = (*reference)["params"];
  ASSERT_EQ(params.size(), static_cast<size_t>(fit.theta.size()));
  EXPECT_NEAR(fit.log_likelihood, (*reference)["llf"].get<double>(), 1e-8);
  for (Eigen::Index idx = 0; idx < fit.theta.size(); ++idx) {
    const auto at = static_cast<size_t>(idx);
    EXPECT_NEAR(fit.theta[idx], params[at].get<double>(), 1e-6) << "parameter " << idx;
    EXPECT_NEAR(std::sqrt(fit.cov_classical(idx, idx)), (*reference)["bse"][at].get<double>(), 1e-6)
        << "classical SE " << idx;
    EXPECT_NEAR(std::sqrt(fit.cov_robust(idx, idx)), (*reference)["bse_hc0"][at].get<double>(),
                1e-6)
        << "robust SE " << idx;
    EXPECT_NEAR(std::sqrt(fit.cov_cluster(idx, idx)), (*reference)["bse_cluster"][at].get<double>(),
                1e-6)
        << "clustered SE " << idx;
  }
  const Eigen::VectorXd cuts = fit.cutpoints;
  for (Eigen::Index idx = 0; idx < cuts.size(); ++idx) {
    EXPECT_NEAR(cuts[idx], (*reference)["cutpoints"][static_cast<size_t>(idx)].get<double>(), 1e-6);
  }
}

INSTANTIATE_TEST_SUITE_P(Links, OrderedLinkTest, ::testing::Values(Link::kProbit, Link::kLogit),
                         [](const auto& info) {
                           return info.param == Link::kProbit ? "Probit" : "Logit";
                         });

TEST(OrderedModel, ProbabilitiesSumToOneAndFollowTheCutpoints) {
  Eigen::MatrixXd x(3, 1);
  x << -2.0, 0.0, 3.0;
  Eigen::VectorXd beta(1);
  beta << 1.0;
  Eigen::VectorXd cuts(2);
  cuts << -1.0, 1.0;
  const Eigen::MatrixXd probability = OrderedProbabilities(Link::kProbit, x, beta, cuts);
  for (Eigen::Index row = 0; row < 3; ++row) EXPECT_NEAR(probability.row(row).sum(), 1.0, 1e-15);
  // x'b = 0: P(middle) = Phi(1) - Phi(-1) = 0.682689492137086 (closed form).
  EXPECT_NEAR(probability(1, 1), 0.682689492137086, 1e-14);
  // x'b = -2 under the logit: P(lowest) = 1 / (1 + e^-(cut_1 - x'b)) = 1/(1+e^-1).
  const Eigen::MatrixXd logit = OrderedProbabilities(Link::kLogit, x, beta, cuts);
  EXPECT_NEAR(logit(0, 0), 1.0 / (1.0 + std::exp(-1.0)), 1e-15);
}

TEST(OrderedModel, EmptyCategoryIsAnError) {
  Eigen::MatrixXd x(4, 1);
  x << 1, 2, 3, 4;
  const std::vector<int> y = {0, 0, 2, 2};
  EXPECT_THROW(FitOrdered(x, y, 3, {}, OrderedOptions{}), Error);
}

TEST(OrderedModel, DeltaMethodCutpointCovariance) {
  // cut_2 = t0 + exp(t1): var = v00 + e^{2 t1} v11 + 2 e^{t1} v01.
  Eigen::VectorXd theta(3);
  theta << 0.5, 0.1, std::log(0.7);
  Eigen::MatrixXd cov(3, 3);
  cov << 1.0, 0.0, 0.0, 0.0, 0.04, 0.01, 0.0, 0.01, 0.09;
  const Eigen::MatrixXd cut_cov = CutpointCovariance(theta, 1, cov);
  EXPECT_NEAR(cut_cov(0, 0), 0.04, 1e-15);
  EXPECT_NEAR(cut_cov(1, 1), 0.04 + 0.49 * 0.09 + 2 * 0.7 * 0.01, 1e-15);
}

// ------------------------------------------------------ random effects ---

TEST(GaussHermite, ExactForPolynomialsUpToDegreeTwoNMinusOne) {
  // Integral of z^(2m) exp(-z^2) = Gamma(m + 1/2); odd moments vanish.
  for (int points : {1, 2, 5, 10, 20}) {
    const GaussHermiteRule rule = GaussHermite(points);
    for (int degree = 0; degree <= 2 * points - 1; ++degree) {
      double sum = 0.0;
      double magnitude = 0.0;  // of the terms, for the rounding of odd moments
      for (int idx = 0; idx < points; ++idx) {
        sum += rule.weights[idx] * std::pow(rule.nodes[idx], degree);
        magnitude += rule.weights[idx] * std::pow(std::abs(rule.nodes[idx]), degree);
      }
      const double exact = degree % 2 == 1 ? 0.0 : std::tgamma(0.5 * degree + 0.5);
      EXPECT_NEAR(sum, exact, 1e-13 * std::max(1.0, magnitude))
          << points << " points, z^" << degree;
    }
    // Degree 2n is not integrated exactly (the rule's error term).
    double sum = 0.0;
    for (int idx = 0; idx < points; ++idx) {
      sum += rule.weights[idx] * std::pow(rule.nodes[idx], 2 * points);
    }
    EXPECT_GT(std::abs(sum - std::tgamma(points + 0.5)), 1e-6) << points << " points";
  }
}

// A simulated panel: 40 clusters of 3 to 14 observations, two regressors,
// a normal cluster effect with standard deviation 0.8, five categories.
Synthetic SimulatedPanel(Link link) {
  std::mt19937_64 engine(20260412);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  Synthetic data;
  std::vector<std::array<double, 2>> rows;
  for (int group = 0; group < 40; ++group) {
    const double effect = 0.8 * normal(engine);
    const int size = 3 + group % 12;
    for (int obs = 0; obs < size; ++obs) {
      const double x1 = normal(engine);
      const double x2 = uniform(engine);
      const double noise =
          link == Link::kProbit ? normal(engine) : std::log(1.0 / uniform(engine) - 1.0);
      const double latent = 0.9 * x1 - 1.2 * x2 + effect + noise;
      int category = 0;
      for (double cut : {-1.2, -0.3, 0.4, 1.3}) category += latent > cut ? 1 : 0;
      data.y.push_back(category);
      data.cluster.push_back(group);
      rows.push_back({x1, x2});
    }
  }
  data.x.resize(static_cast<Eigen::Index>(rows.size()), 2);
  for (size_t row = 0; row < rows.size(); ++row) {
    data.x(static_cast<Eigen::Index>(row), 0) = rows[row][0];
    data.x(static_cast<Eigen::Index>(row), 1) = rows[row][1];
  }
  return data;
}

class RandomEffectsTest : public ::testing::TestWithParam<Link> {};

TEST_P(RandomEffectsTest, DerivativesMatchCentralDifferences) {
  const Synthetic data = SimulatedPanel(GetParam());
  Eigen::VectorXd theta(7);
  theta << 0.7, -0.9, -1.0, -0.2, -0.3, 0.1, std::log(0.6);  // away from the optimum
  const GaussHermiteRule rule = GaussHermite(12);
  auto log_likelihood = [&](const Eigen::VectorXd& at, Eigen::VectorXd* gradient,
                            Eigen::MatrixXd* hessian) {
    return RandomEffectsLogLikelihood(GetParam(), data.x, data.y, 5, data.cluster, 40, at, rule,
                                      gradient, hessian, nullptr);
  };
  Eigen::VectorXd gradient;
  Eigen::MatrixXd hessian;
  log_likelihood(theta, &gradient, &hessian);
  // The derivatives hold the adaptive nodes fixed: they are those of the
  // integral, equal to the differences to the quadrature's accuracy.
  const double step = 1e-5;
  for (Eigen::Index param = 0; param < theta.size(); ++param) {
    const auto [plus, minus] = Perturbed(theta, param, step);
    Eigen::VectorXd gradient_plus;
    Eigen::VectorXd gradient_minus;
    const double difference = (log_likelihood(plus, &gradient_plus, nullptr) -
                               log_likelihood(minus, &gradient_minus, nullptr)) /
                              (2 * step);
    EXPECT_NEAR(gradient[param], difference, 1e-6 * (1 + std::abs(difference)))
        << "parameter " << param;
    const Eigen::VectorXd column = (gradient_plus - gradient_minus) / (2 * step);
    for (Eigen::Index other = 0; other < theta.size(); ++other) {
      EXPECT_NEAR(hessian(other, param), column[other], 1e-5 * (1 + std::abs(column[other])))
          << "Hessian entry " << other << "," << param;
    }
  }
}

TEST_P(RandomEffectsTest, VanishingEffectIsThePooledModel) {
  const Synthetic data = SimulatedPanel(GetParam());
  Eigen::VectorXd pooled(6);
  pooled << 0.7, -0.9, -1.0, -0.2, -0.3, 0.1;
  Eigen::VectorXd theta(7);
  theta << pooled, -30.0;  // sigma = 1e-13
  const double random =
      RandomEffectsLogLikelihood(GetParam(), data.x, data.y, 5, data.cluster, 40, theta,
                                 GaussHermite(7), nullptr, nullptr, nullptr);
  const double ordered =
      OrderedLogLikelihood(GetParam(), data.x, data.y, 5, pooled, nullptr, nullptr, nullptr);
  EXPECT_NEAR(random, ordered, 1e-10 * std::abs(ordered));
}

TEST_P(RandomEffectsTest, EqualsRClmmOnASimulatedPanel) {
  const Synthetic data = SimulatedPanel(GetParam());
  RandomEffectsOptions options;
  options.link = GetParam();
  options.quadrature_points = 10;
  const RandomEffectsResult fit = FitRandomEffects(data.x, data.y, 5, data.cluster, options);
  ASSERT_EQ(fit.termination, Termination::kConverged) << fit.message;
  const std::string csv = mizani::testing::MakeTempDir("random_effects") + "/simulated.csv";
  testing::WriteOrderedCsv(csv, data.x, data.y, data.cluster);
  std::string why;
  const auto reference = testing::RunClmm(csv, GetParam(), 10, &why);
  if (!reference) GTEST_SKIP() << why;
  EXPECT_NEAR(fit.log_likelihood, (*reference)["llf"].get<double>(), 1e-6);
  EXPECT_NEAR(fit.sigma, (*reference)["sigma"].get<double>(), 1e-6);
  for (Eigen::Index idx = 0; idx < 2; ++idx) {
    EXPECT_NEAR(fit.beta[idx], (*reference)["beta"][static_cast<size_t>(idx)].get<double>(), 1e-6);
  }
  for (Eigen::Index idx = 0; idx < 4; ++idx) {
    EXPECT_NEAR(fit.cutpoints[idx],
                (*reference)["cutpoints"][static_cast<size_t>(idx)].get<double>(), 1e-6);
  }
}

INSTANTIATE_TEST_SUITE_P(Links, RandomEffectsTest, ::testing::Values(Link::kProbit, Link::kLogit),
                         [](const auto& info) {
                           return info.param == Link::kProbit ? "Probit" : "Logit";
                         });

}  // namespace
}  // namespace mizani::rating

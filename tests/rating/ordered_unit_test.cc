// Ordered probit/logit: analytic derivatives against brute-force numerical
// ones, and estimates/standard errors against statsmodels' OrderedModel on a
// small vendored synthetic data set.
#include <gtest/gtest.h>

#include <cmath>

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
    Eigen::VectorXd plus = theta;
    Eigen::VectorXd minus = theta;
    plus[param] += step;
    minus[param] -= step;
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

}  // namespace
}  // namespace mizani::rating

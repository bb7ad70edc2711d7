// Ordered probit and logit by maximum likelihood (rating.h).
//
// The likelihood of category j is F(cut_j - x'b) - F(cut_{j-1} - x'b)
// (McKelvey & Zavoina 1975 for the probit). The gradient and Hessian are
// analytic; the cut-points are parametrised as the first one and the logs
// of the increments, as statsmodels' OrderedModel does, so its estimates and
// standard errors are comparable one for one (tests/rating).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "mizani/error.h"
#include "mizani/rating.h"
#include "rating/link.h"
#include "rating/newton.h"

namespace mizani::rating {

namespace {

using internal::Evaluate;
using internal::IntervalProbability;
using internal::kInf;
using internal::LinkValues;

double InverseCdf(Link link, double probability) {
  if (link == Link::kLogit) return std::log(probability / (1.0 - probability));
  // Newton on the normal distribution function from 0; the probabilities
  // here are cumulative sample frequencies, away from 0 and 1.
  double z = 0.0;
  for (int iteration = 0; iteration < 100; ++iteration) {
    const LinkValues values = Evaluate(link, z);
    const double step = (values.cdf - probability) / std::max(values.pdf, 1e-300);
    z -= std::clamp(step, -1.0, 1.0);
    if (std::abs(step) < 1e-14) break;
  }
  return z;
}

}  // namespace

Eigen::VectorXd CutpointsFromTheta(const Eigen::VectorXd& theta, int num_beta) {
  const int num_cuts = static_cast<int>(theta.size()) - num_beta;
  Eigen::VectorXd cuts(num_cuts);
  for (int cut_idx = 0; cut_idx < num_cuts; ++cut_idx) {
    cuts[cut_idx] =
        cut_idx == 0 ? theta[num_beta] : cuts[cut_idx - 1] + std::exp(theta[num_beta + cut_idx]);
  }
  return cuts;
}

Eigen::MatrixXd CutpointCovariance(const Eigen::VectorXd& theta, int num_beta,
                                   const Eigen::MatrixXd& cov_theta) {
  const int num_params = static_cast<int>(theta.size());
  const int num_cuts = num_params - num_beta;
  // d cut_j / d theta: 1 for the first cut parameter, exp(theta_m) for the
  // increments m <= j.
  Eigen::MatrixXd jacobian = Eigen::MatrixXd::Zero(num_cuts, num_params);
  for (int cut_idx = 0; cut_idx < num_cuts; ++cut_idx) {
    jacobian(cut_idx, num_beta) = 1.0;
    for (int inc = 1; inc <= cut_idx; ++inc) {
      jacobian(cut_idx, num_beta + inc) = std::exp(theta[num_beta + inc]);
    }
  }
  return jacobian * cov_theta * jacobian.transpose();
}

double OrderedLogLikelihood(Link link, const Eigen::Ref<const Eigen::MatrixXd>& x,
                            std::span<const int> y, int num_categories,
                            const Eigen::Ref<const Eigen::VectorXd>& theta,
                            Eigen::VectorXd* gradient, Eigen::MatrixXd* hessian,
                            Eigen::MatrixXd* scores) {
  const int num_beta = static_cast<int>(x.cols());
  const int num_params = static_cast<int>(theta.size());
  const Eigen::VectorXd cuts = CutpointsFromTheta(theta, num_beta);
  const Eigen::VectorXd eta = x * theta.head(num_beta);
  const bool need_score = gradient != nullptr || hessian != nullptr || scores != nullptr;
  if (gradient != nullptr) gradient->setZero(num_params);
  if (hessian != nullptr) hessian->setZero(num_params, num_params);
  if (scores != nullptr) scores->setZero(static_cast<Eigen::Index>(y.size()), num_params);
  // Derivatives of the upper (a) and lower (b) bounds of the observation's
  // interval with respect to theta; reused across observations.
  Eigen::VectorXd grad_upper(num_params);
  Eigen::VectorXd grad_lower(num_params);
  Eigen::VectorXd exp_increment(num_params);
  for (int param_idx = 0; param_idx < num_params; ++param_idx) {
    exp_increment[param_idx] = param_idx > num_beta ? std::exp(theta[param_idx]) : 0.0;
  }
  double log_likelihood = 0.0;
  for (size_t row_idx = 0; row_idx < y.size(); ++row_idx) {
    const int category = y[row_idx];
    const auto row = static_cast<Eigen::Index>(row_idx);
    const double upper_z = category < num_categories - 1 ? cuts[category] - eta[row] : kInf;
    const double lower_z = category > 0 ? cuts[category - 1] - eta[row] : -kInf;
    const LinkValues upper = Evaluate(link, upper_z);
    const LinkValues lower = Evaluate(link, lower_z);
    const double probability = IntervalProbability(upper, lower, lower_z);
    if (!(probability > 0.0)) return -kInf;
    log_likelihood += std::log(probability);
    if (!need_score) continue;
    // d cut_j / d theta for the bounds: 1 for the first cut parameter and
    // exp(theta) for each increment up to j.
    grad_upper.setZero();
    grad_lower.setZero();
    grad_upper.head(num_beta) = -x.row(row).transpose();
    grad_lower.head(num_beta) = -x.row(row).transpose();
    if (category < num_categories - 1) {
      grad_upper[num_beta] = 1.0;
      for (int inc = 1; inc <= category; ++inc)
        grad_upper[num_beta + inc] = exp_increment[num_beta + inc];
    }
    if (category > 0) {
      grad_lower[num_beta] = 1.0;
      for (int inc = 1; inc <= category - 1; ++inc)
        grad_lower[num_beta + inc] = exp_increment[num_beta + inc];
    }
    const double d_upper = upper.pdf / probability;   // d log P / d a
    const double d_lower = -lower.pdf / probability;  // d log P / d b
    if (scores != nullptr) {
      scores->row(row) = (d_upper * grad_upper + d_lower * grad_lower).transpose();
    }
    if (gradient != nullptr) *gradient += d_upper * grad_upper + d_lower * grad_lower;
    if (hessian != nullptr) {
      const double d_upper_upper = upper.pdf_slope / probability - d_upper * d_upper;
      const double d_lower_lower = -lower.pdf_slope / probability - d_lower * d_lower;
      const double d_upper_lower = -d_upper * d_lower;
      hessian->noalias() += d_upper_upper * grad_upper * grad_upper.transpose() +
                            d_lower_lower * grad_lower * grad_lower.transpose() +
                            d_upper_lower * (grad_upper * grad_lower.transpose() +
                                             grad_lower * grad_upper.transpose());
      // Second derivatives of the bounds: exp(theta) on the diagonal of the
      // increments they include.
      if (category < num_categories - 1) {
        for (int inc = 1; inc <= category; ++inc) {
          (*hessian)(num_beta + inc, num_beta + inc) += d_upper * exp_increment[num_beta + inc];
        }
      }
      if (category > 0) {
        for (int inc = 1; inc <= category - 1; ++inc) {
          (*hessian)(num_beta + inc, num_beta + inc) += d_lower * exp_increment[num_beta + inc];
        }
      }
    }
  }
  return log_likelihood;
}

OrderedResult FitOrdered(const Eigen::Ref<const Eigen::MatrixXd>& x, std::span<const int> y,
                         int num_categories, std::span<const int> cluster,
                         const OrderedOptions& options) {
  const auto num_obs = static_cast<int64_t>(y.size());
  const int num_beta = static_cast<int>(x.cols());
  if (x.rows() != num_obs) throw Error(ErrorCode::kInternal, "FitOrdered: x and y differ in size");
  if (num_categories < 2) {
    throw Error(ErrorCode::kBadModel, "an ordered model needs at least two categories");
  }
  if (!x.allFinite()) throw Error(ErrorCode::kBadModel, "a regressor is missing or not finite");
  std::vector<int64_t> counts(num_categories, 0);
  for (int category : y) {
    if (category < 0 || category >= num_categories) {
      throw Error(ErrorCode::kInternal, "FitOrdered: category out of range");
    }
    ++counts[category];
  }
  for (int category = 0; category < num_categories; ++category) {
    if (counts[category] == 0) {
      throw Error(ErrorCode::kBadModel, fmt::format("category {} has no observation", category));
    }
  }
  const int num_params = num_beta + num_categories - 1;
  OrderedResult result;
  result.num_categories = num_categories;
  // Start: no effect of the regressors, cut-points at the inverse
  // distribution function of the cumulative frequencies.
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(num_params);
  {
    int64_t cumulative = 0;
    double previous = 0.0;
    for (int cut_idx = 0; cut_idx < num_categories - 1; ++cut_idx) {
      cumulative += counts[cut_idx];
      const double cut = InverseCdf(options.link, static_cast<double>(cumulative) / num_obs);
      theta[num_beta + cut_idx] = cut_idx == 0 ? cut : std::log(std::max(cut - previous, 1e-6));
      previous = cut;
    }
  }
  const internal::NewtonOutcome newton = internal::DampedNewton(
      [&](const Eigen::VectorXd& at, Eigen::VectorXd* gradient, Eigen::MatrixXd* hessian) {
        return OrderedLogLikelihood(options.link, x, y, num_categories, at, gradient, hessian,
                                    nullptr);
      },
      theta, static_cast<double>(num_obs), options.max_iterations, options.gradient_tolerance);
  result.termination = newton.termination;
  result.message = newton.message;
  result.iterations = newton.iterations;
  Eigen::VectorXd gradient;
  Eigen::MatrixXd hessian;
  Eigen::MatrixXd scores;
  const double log_likelihood =
      OrderedLogLikelihood(options.link, x, y, num_categories, theta, &gradient, &hessian, &scores);
  result.theta = theta;
  result.beta = theta.head(num_beta);
  result.cutpoints = CutpointsFromTheta(theta, num_beta);
  result.log_likelihood = log_likelihood;
  const Eigen::MatrixXd information = -hessian;
  Eigen::LDLT<Eigen::MatrixXd> ldlt(information);
  const Eigen::MatrixXd bread = ldlt.solve(Eigen::MatrixXd::Identity(num_params, num_params));
  if (ldlt.info() != Eigen::Success || !bread.allFinite()) {
    result.termination = Termination::kNumericalFailure;
    result.message = "the information matrix is singular (collinear regressors?)";
    return result;
  }
  result.cov_classical = bread;
  result.cov_robust = bread * (scores.transpose() * scores) * bread;
  if (!cluster.empty()) {
    if (static_cast<int64_t>(cluster.size()) != num_obs) {
      throw Error(ErrorCode::kInternal, "FitOrdered: cluster ids and y differ in size");
    }
    const int num_clusters = *std::max_element(cluster.begin(), cluster.end()) + 1;
    Eigen::MatrixXd cluster_scores = Eigen::MatrixXd::Zero(num_clusters, num_params);
    for (int64_t row_idx = 0; row_idx < num_obs; ++row_idx) {
      cluster_scores.row(cluster[row_idx]) += scores.row(row_idx);
    }
    // statsmodels' default small-sample factor (as Stata's).
    const double correction = static_cast<double>(num_clusters) / (num_clusters - 1) *
                              static_cast<double>(num_obs - 1) /
                              static_cast<double>(num_obs - num_params);
    result.cov_cluster = correction * bread * (cluster_scores.transpose() * cluster_scores) * bread;
    result.num_clusters = num_clusters;
  }
  return result;
}

Eigen::MatrixXd OrderedProbabilities(Link link, const Eigen::Ref<const Eigen::MatrixXd>& x,
                                     const Eigen::VectorXd& beta,
                                     const Eigen::VectorXd& cutpoints) {
  const auto num_categories = cutpoints.size() + 1;
  const Eigen::VectorXd eta = x * beta;
  Eigen::MatrixXd probability(x.rows(), num_categories);
  for (Eigen::Index row = 0; row < x.rows(); ++row) {
    for (Eigen::Index category = 0; category < num_categories; ++category) {
      const double upper_z = category < num_categories - 1 ? cutpoints[category] - eta[row] : kInf;
      const double lower_z = category > 0 ? cutpoints[category - 1] - eta[row] : -kInf;
      probability(row, category) =
          IntervalProbability(Evaluate(link, upper_z), Evaluate(link, lower_z), lower_z);
    }
  }
  return probability;
}

}  // namespace mizani::rating

// The random-effects ordered probit/logit (rating.h): a normal random
// intercept per country integrated by adaptive Gauss-Hermite quadrature
// (Afonso, Gomes & Rother 2011; Pinheiro & Bates 1995 for the adaptation),
// fitted by Newton on the analytic gradient and Hessian. Checked against R's
// ordinal::clmm in tests/rating.
#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <numbers>

#include "mizani/error.h"
#include "mizani/rating.h"
#include "rating/link.h"
#include "rating/newton.h"

namespace mizani::rating {

namespace {

using internal::kInf;

// One observation of a cluster at a value of the standardised effect u:
// the log-probability of its category and the densities at its bounds.
struct AtEffect {
  double log_probability;
  double probability;
  double pdf_upper;
  double pdf_lower;
  double slope_upper;
  double slope_lower;
};

AtEffect Observe(Link link, double upper_z, double lower_z, double shift) {
  const double upper = upper_z - shift;
  const double lower = lower_z - shift;
  const internal::LinkValues at_upper = internal::Evaluate(link, upper);
  const internal::LinkValues at_lower = internal::Evaluate(link, lower);
  const double probability = internal::IntervalProbability(at_upper, at_lower, lower);
  return {std::log(probability), probability,        at_upper.pdf,
          at_lower.pdf,          at_upper.pdf_slope, at_lower.pdf_slope};
}

// The log of a cluster's joint density in u (observations and the N(0, 1)
// prior, without its constant) with its first and second derivatives.
double ClusterLog(Link link, std::span<const int> rows, const Eigen::VectorXd& upper_z,
                  const Eigen::VectorXd& lower_z, double sigma, double effect, double* first,
                  double* second) {
  double value = -0.5 * effect * effect;
  double slope = -effect;
  double curvature = -1.0;
  for (int row : rows) {
    const AtEffect at = Observe(link, upper_z[row], lower_z[row], sigma * effect);
    if (!(at.probability > 0.0)) return -kInf;
    value += at.log_probability;
    const double ratio = (at.pdf_upper - at.pdf_lower) / at.probability;
    slope -= sigma * ratio;
    curvature +=
        sigma * sigma * ((at.slope_upper - at.slope_lower) / at.probability - ratio * ratio);
  }
  if (first != nullptr) *first = slope;
  if (second != nullptr) *second = curvature;
  return value;
}

// The mode of the cluster's joint density (concave in u for the probit and
// logit links) by Newton with step halving; false when it is not found.
bool ClusterMode(Link link, std::span<const int> rows, const Eigen::VectorXd& upper_z,
                 const Eigen::VectorXd& lower_z, double sigma, double* mode, double* curvature) {
  double effect = 0.0;
  double first = 0.0;
  double second = 0.0;
  double value = ClusterLog(link, rows, upper_z, lower_z, sigma, effect, &first, &second);
  for (int iteration = 0; iteration < 200; ++iteration) {
    if (!std::isfinite(value) || !(second < 0.0)) return false;
    if (std::abs(first) < 1e-13) break;
    const double step = -first / second;
    double factor = 1.0;
    double candidate_first = 0.0;
    double candidate_second = 0.0;
    double candidate = -kInf;
    for (int halving = 0; halving < 60; ++halving) {
      candidate = ClusterLog(link, rows, upper_z, lower_z, sigma, effect + factor * step,
                             &candidate_first, &candidate_second);
      if (std::isfinite(candidate) && candidate >= value - 1e-14 * std::abs(value)) break;
      factor *= 0.5;
    }
    effect += factor * step;
    value = candidate;
    first = candidate_first;
    second = candidate_second;
    if (std::abs(factor * step) < 1e-15 * (1.0 + std::abs(effect))) break;
  }
  if (!std::isfinite(value) || !(second < 0.0)) return false;
  *mode = effect;
  *curvature = -second;
  return true;
}

void CheckSizes(const Eigen::Ref<const Eigen::MatrixXd>& x, std::span<const int> y,
                std::span<const int> cluster) {
  if (x.rows() != static_cast<Eigen::Index>(y.size()) || cluster.size() != y.size()) {
    throw Error(ErrorCode::kInternal, "random effects: x, y and cluster ids differ in size");
  }
}

}  // namespace

GaussHermiteRule GaussHermite(int points) {
  if (points < 1) throw Error(ErrorCode::kInternal, "GaussHermite: at least one point");
  // Golub & Welsch: the nodes are the eigenvalues of the Jacobi matrix of
  // the Hermite polynomials; polished by Newton below.
  Eigen::MatrixXd jacobi = Eigen::MatrixXd::Zero(points, points);
  for (int idx = 1; idx < points; ++idx) {
    jacobi(idx, idx - 1) = jacobi(idx - 1, idx) = std::sqrt(0.5 * idx);
  }
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(jacobi);
  GaussHermiteRule rule;
  for (int idx = 0; idx < points; ++idx) {
    // Newton on the orthonormal Hermite polynomial from the eigenvalue; the
    // weight is 2 / p_n'(z)^2 with p_n' = sqrt(2n) p_{n-1} (more accurate
    // than the eigenvector's first component in the tails).
    double node = solver.eigenvalues()[idx];
    double slope = 0.0;
    for (int iteration = 0; iteration < 10; ++iteration) {
      double previous = 0.0;
      double current = std::pow(std::numbers::pi, -0.25);
      for (int degree = 1; degree <= points; ++degree) {
        const double next = node * std::sqrt(2.0 / degree) * current -
                            std::sqrt((degree - 1.0) / degree) * previous;
        previous = current;
        current = next;
      }
      slope = std::sqrt(2.0 * points) * previous;
      const double step = current / slope;
      node -= step;
      if (std::abs(step) < 1e-16 * (1.0 + std::abs(node))) break;
    }
    rule.nodes.push_back(node);
    rule.weights.push_back(2.0 / (slope * slope));
  }
  // Exact symmetry about 0.
  for (int idx = 0; idx < points / 2; ++idx) {
    const int mirror = points - 1 - idx;
    const double node = 0.5 * (rule.nodes[mirror] - rule.nodes[idx]);
    const double weight = 0.5 * (rule.weights[idx] + rule.weights[mirror]);
    rule.nodes[idx] = -node;
    rule.nodes[mirror] = node;
    rule.weights[idx] = rule.weights[mirror] = weight;
  }
  if (points % 2 == 1) rule.nodes[points / 2] = 0.0;
  return rule;
}

double RandomEffectsLogLikelihood(Link link, const Eigen::Ref<const Eigen::MatrixXd>& x,
                                  std::span<const int> y, int num_categories,
                                  std::span<const int> cluster, int num_clusters,
                                  const Eigen::Ref<const Eigen::VectorXd>& theta,
                                  const GaussHermiteRule& rule, Eigen::VectorXd* gradient,
                                  Eigen::MatrixXd* hessian, Eigen::VectorXd* effect) {
  CheckSizes(x, y, cluster);
  const int num_beta = static_cast<int>(x.cols());
  const int num_params = static_cast<int>(theta.size());
  const int num_cuts = num_categories - 1;
  const Eigen::VectorXd cuts = CutpointsFromTheta(theta.head(num_params - 1), num_beta);
  const double sigma = std::exp(theta[num_params - 1]);
  const Eigen::VectorXd eta = x * theta.head(num_beta);
  const auto num_obs = static_cast<Eigen::Index>(y.size());
  Eigen::VectorXd upper_z(num_obs);
  Eigen::VectorXd lower_z(num_obs);
  for (Eigen::Index row = 0; row < num_obs; ++row) {
    const int category = y[row];
    upper_z[row] = category < num_cuts ? cuts[category] - eta[row] : kInf;
    lower_z[row] = category > 0 ? cuts[category - 1] - eta[row] : -kInf;
  }
  std::vector<std::vector<int>> members(num_clusters);
  for (Eigen::Index row = 0; row < num_obs; ++row) {
    members.at(cluster[row]).push_back(static_cast<int>(row));
  }
  // At a node u the cluster's observations follow the pooled model with
  // one more regressor, sigma u, whose coefficient is fixed at 1: the
  // pooled model's derivatives with respect to that coefficient are those
  // with respect to log sigma (plus, for the second derivative, the first:
  // d(sigma u) / d log sigma = sigma u). Augmented theta: (beta, 1, cuts).
  Eigen::VectorXd augmented(num_params);
  augmented << theta.head(num_beta), 1.0, theta.segment(num_beta, num_cuts);
  // Position in theta of each augmented parameter.
  std::vector<int> position(num_params);
  for (int param = 0; param < num_params; ++param) {
    position[param] = param < num_beta ? param : (param == num_beta ? num_params - 1 : param - 1);
  }
  const bool derivatives = gradient != nullptr || hessian != nullptr;
  if (gradient != nullptr) gradient->setZero(num_params);
  if (hessian != nullptr) hessian->setZero(num_params, num_params);
  if (effect != nullptr) effect->setZero(num_clusters);
  const auto num_points = static_cast<int>(rule.nodes.size());
  std::vector<double> log_term(num_points);
  std::vector<double> nodes(num_points);
  std::vector<Eigen::VectorXd> node_gradient(derivatives ? num_points : 0);
  std::vector<Eigen::MatrixXd> node_hessian(hessian != nullptr ? num_points : 0);
  Eigen::MatrixXd cluster_x;
  std::vector<int> cluster_y;
  Eigen::VectorXd raw_gradient;
  Eigen::MatrixXd raw_hessian;
  Eigen::VectorXd mean_gradient(num_params);
  double log_likelihood = 0.0;
  for (int group = 0; group < num_clusters; ++group) {
    const std::vector<int>& rows = members[group];
    if (rows.empty()) continue;
    double mode = 0.0;
    double curvature = 0.0;
    if (!ClusterMode(link, rows, upper_z, lower_z, sigma, &mode, &curvature)) return -kInf;
    const double scale = std::sqrt(2.0 / curvature);
    if (derivatives) {
      cluster_x.resize(static_cast<Eigen::Index>(rows.size()), num_beta + 1);
      cluster_y.resize(rows.size());
      for (size_t obs = 0; obs < rows.size(); ++obs) {
        cluster_x.row(static_cast<Eigen::Index>(obs)).head(num_beta) = x.row(rows[obs]);
        cluster_y[obs] = y[rows[obs]];
      }
    }
    double largest = -kInf;
    for (int point = 0; point < num_points; ++point) {
      nodes[point] = mode + scale * rule.nodes[point];
      double node_log = 0.0;
      if (derivatives) {
        cluster_x.col(num_beta).setConstant(sigma * nodes[point]);
        node_log = OrderedLogLikelihood(link, cluster_x, cluster_y, num_categories, augmented,
                                        &raw_gradient, hessian != nullptr ? &raw_hessian : nullptr,
                                        nullptr) -
                   0.5 * nodes[point] * nodes[point];
        Eigen::VectorXd& node_slope = node_gradient[point];
        node_slope.resize(num_params);
        for (int param = 0; param < num_params; ++param) {
          node_slope[position[param]] = raw_gradient[param];
        }
        if (hessian != nullptr) {
          Eigen::MatrixXd& node_curvature = node_hessian[point];
          node_curvature.resize(num_params, num_params);
          for (int row = 0; row < num_params; ++row) {
            for (int col = 0; col < num_params; ++col) {
              node_curvature(position[row], position[col]) = raw_hessian(row, col);
            }
          }
          node_curvature(num_params - 1, num_params - 1) += node_slope[num_params - 1];
        }
      } else {
        node_log = ClusterLog(link, rows, upper_z, lower_z, sigma, nodes[point], nullptr, nullptr);
      }
      log_term[point] =
          std::log(rule.weights[point]) + rule.nodes[point] * rule.nodes[point] + node_log;
      largest = std::max(largest, log_term[point]);
    }
    if (!std::isfinite(largest)) return -kInf;
    double total = 0.0;
    for (int point = 0; point < num_points; ++point) total += std::exp(log_term[point] - largest);
    // The N(0, 1) prior's constant and the change of variable u = mode +
    // scale z.
    log_likelihood +=
        largest + std::log(total) + std::log(scale) - 0.5 * std::log(2.0 * std::numbers::pi);
    // Posterior weights of the nodes; the derivatives of the log of the
    // cluster's integral (nodes held where the adaptation put them):
    // gradient E[g], Hessian E[H + g g'] - E[g] E[g]' (Louis 1982).
    double posterior_mean = 0.0;
    mean_gradient.setZero();
    for (int point = 0; point < num_points; ++point) {
      const double weight = std::exp(log_term[point] - largest) / total;
      posterior_mean += weight * nodes[point];
      if (!derivatives) continue;
      mean_gradient += weight * node_gradient[point];
      if (hessian != nullptr) {
        hessian->noalias() += weight * (node_hessian[point] +
                                        node_gradient[point] * node_gradient[point].transpose());
      }
    }
    if (gradient != nullptr) *gradient += mean_gradient;
    if (hessian != nullptr) hessian->noalias() -= mean_gradient * mean_gradient.transpose();
    if (effect != nullptr) (*effect)[group] = sigma * posterior_mean;
  }
  return log_likelihood;
}

RandomEffectsResult FitRandomEffects(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                     std::span<const int> y, int num_categories,
                                     std::span<const int> cluster,
                                     const RandomEffectsOptions& options) {
  CheckSizes(x, y, cluster);
  if (options.quadrature_points < 1) {
    throw Error(ErrorCode::kBadModel, "random effects: at least one quadrature point");
  }
  RandomEffectsResult result;
  result.num_categories = num_categories;
  // Start from the pooled model, rescaled for a unit effect variance.
  OrderedOptions pooled_options;
  pooled_options.link = options.link;
  const OrderedResult pooled = FitOrdered(x, y, num_categories, {}, pooled_options);
  if (pooled.termination != Termination::kConverged) {
    result.message = "pooled start: " + pooled.message;
    return result;
  }
  const int num_clusters = *std::max_element(cluster.begin(), cluster.end()) + 1;
  result.num_clusters = num_clusters;
  const int num_beta = static_cast<int>(x.cols());
  const int num_pooled = static_cast<int>(pooled.theta.size());
  const int num_params = num_pooled + 1;
  const double link_variance =
      options.link == Link::kProbit ? 1.0 : std::numbers::pi * std::numbers::pi / 3.0;
  const double rescale = std::sqrt(1.0 + 1.0 / link_variance);
  Eigen::VectorXd theta(num_params);
  theta.head(num_pooled) = pooled.theta;
  theta.head(num_beta + 1) *= rescale;
  for (int param = num_beta + 1; param < num_pooled; ++param) theta[param] += std::log(rescale);
  theta[num_pooled] = 0.0;  // sigma = 1
  const GaussHermiteRule rule = GaussHermite(options.quadrature_points);
  const internal::NewtonOutcome newton = internal::DampedNewton(
      [&](const Eigen::VectorXd& at, Eigen::VectorXd* gradient, Eigen::MatrixXd* hessian) {
        return RandomEffectsLogLikelihood(options.link, x, y, num_categories, cluster, num_clusters,
                                          at, rule, gradient, hessian, nullptr);
      },
      theta, static_cast<double>(y.size()), options.max_iterations, options.gradient_tolerance,
      options.decrement_tolerance);
  result.termination = newton.termination;
  result.message = newton.message;
  result.iterations = newton.iterations;
  result.theta = theta;
  result.beta = theta.head(num_beta);
  result.cutpoints = CutpointsFromTheta(theta.head(num_pooled), num_beta);
  result.sigma = std::exp(theta[num_pooled]);
  Eigen::MatrixXd hessian;
  result.log_likelihood =
      RandomEffectsLogLikelihood(options.link, x, y, num_categories, cluster, num_clusters, theta,
                                 rule, nullptr, &hessian, &result.effect);
  Eigen::LDLT<Eigen::MatrixXd> ldlt(-hessian);
  result.cov = ldlt.solve(Eigen::MatrixXd::Identity(num_params, num_params));
  if (ldlt.info() != Eigen::Success || !result.cov.allFinite()) {
    result.termination = Termination::kNumericalFailure;
    result.message = "the information matrix is singular (collinear regressors?)";
  }
  return result;
}

}  // namespace mizani::rating

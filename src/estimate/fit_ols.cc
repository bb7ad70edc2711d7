// OLS with fixed effects (Family::kGaussian): one projection of [y, X],
// the collinearity check on its cross products, the normal equations, the
// variance and the fixed effects of y - X beta (a stage of Fit,
// fit_stages.h).
#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "common/parallel.h"
#include "estimate/fit_stages.h"
#include "estimate/frame_ops.h"
#include "estimate/variance.h"
#include "mizani/communicator.h"
#include "mizani/estimate.h"

namespace mizani::estimate {

// With options.communicator of several ranks every rank holds the same
// cleaned frame and fits its shard of the rows (docs/distributed.md): the
// projection, the raw sums of squares, the fit statistics and the
// variance's meat reduce across ranks, so every decision and every number
// is the whole sample's, on every rank.
EstimateResult FitGaussian(ModelFrame& frame, const EstimateOptions& options,
                           EstimateResult result) {
  Communicator* comm = ShardingCommunicator(options);
  std::vector<int64_t> rows;
  ModelFrame shard;
  // The rows fitted here: the shard, or the whole frame.
  ModelFrame& work = WorkFrame(frame, comm, rows, shard);
  const std::unique_ptr<FeProjector> projector_of_fit = MakeFitProjector(work, options, comm);
  FeProjector& projector = *projector_of_fit;
  projector.SetWeights(work.weights);
  const int64_t num_obs = work.num_obs();
  int num_cols = static_cast<int>(work.X.cols());
  // Column-major block [y, X].
  std::vector<double> block((num_cols + 1) * num_obs);
  std::copy(work.y.begin(), work.y.end(), block.begin());
  std::copy(work.X.data(), work.X.data() + num_obs * num_cols, block.begin() + num_obs);
  std::vector<double> raw_ss(num_cols + 1, 0.0);
  std::vector<double> unit(work.weights.empty() ? num_obs : 0, 1.0);
  const std::vector<double>& weight_N = work.weights.empty() ? unit : work.weights;
  std::vector<double> alpha;
  // [y~, X~]' W [y~, X~] comes with the projection: X~'WX~ serves the
  // collinearity check, the solve and the variance, X~'Wy~ the solve.
  Eigen::MatrixXd cross(num_cols + 1, num_cols + 1);
  auto stats =
      projector.Project(block.data(), block.data(), num_cols + 1, alpha, options.fe_tolerance,
                        options.fe_max_iterations, nullptr, cross.data());
  Eigen::MatrixXd gram = cross.bottomRightCorner(num_cols, num_cols);
  Eigen::VectorXd cross_y = cross.col(0).tail(num_cols);
  result.fe_iterations = stats.iterations;
  Eigen::Map<Eigen::MatrixXd> X_tilde_map(block.data() + num_obs, num_obs, num_cols);
  Eigen::MatrixXd X_tilde = X_tilde_map;
  Eigen::Map<Eigen::VectorXd> y_tilde(block.data(), num_obs);
  if (num_cols > 0) {
    Eigen::VectorXd raw(num_cols);
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
      double ss = 0;
      for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx)
        ss += weight_N[obs_idx] * work.X(obs_idx, col_idx) * work.X(obs_idx, col_idx);
      raw(col_idx) = ss;
    }
    ReduceSum(comm, std::span<double>(raw.data(), raw.size()));
    auto collinear = FindCollinear(gram, raw, options.collinearity_tolerance);
    if (!collinear.empty()) {
      std::vector<Eigen::Index> kept_cols;
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
        if (std::find(collinear.begin(), collinear.end(), col_idx) == collinear.end())
          kept_cols.push_back(col_idx);
      }
      const auto num_kept = static_cast<Eigen::Index>(kept_cols.size());
      Eigen::MatrixXd kept(num_obs, num_kept), kept_gram(num_kept, num_kept);
      Eigen::VectorXd kept_cross_y(num_kept);
      for (Eigen::Index out_idx = 0; out_idx < num_kept; ++out_idx) {
        kept.col(out_idx) = X_tilde.col(kept_cols[out_idx]);
        kept_cross_y(out_idx) = cross_y(kept_cols[out_idx]);
        for (Eigen::Index other_idx = 0; other_idx < num_kept; ++other_idx)
          kept_gram(out_idx, other_idx) = gram(kept_cols[out_idx], kept_cols[other_idx]);
      }
      X_tilde = std::move(kept);
      gram = std::move(kept_gram);
      cross_y = std::move(kept_cross_y);
      RemoveColumns(frame, collinear, result);
      if (&work != &frame) {
        EstimateResult unused;
        RemoveColumns(shard, collinear, unused);
      }
      num_cols = static_cast<int>(X_tilde.cols());
    }
  }
  Eigen::Map<const Eigen::VectorXd> weight(weight_N.data(), num_obs);
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(num_cols);
  if (num_cols > 0) beta = gram.ldlt().solve(cross_y);
  Eigen::VectorXd resid = y_tilde - X_tilde * beta;
  std::vector<double> resid_N(resid.data(), resid.data() + num_obs);
  Eigen::Map<const Eigen::VectorXd> y(work.y.data(), num_obs);
  // RSS, the weight sum and the weighted outcome sum, then the total sum of
  // squares about the (whole sample's) mean.
  double sums[3] = {(resid.array().square() * weight.array()).sum(), weight.sum(),
                    (y.array() * weight.array()).sum()};
  ReduceSum(comm, sums);
  result.rss = sums[0];
  const double mean_y = sums[2] / sums[1];
  double tss = ((y.array() - mean_y).square() * weight.array()).sum();
  ReduceSum(comm, std::span<double>(&tss, 1));
  result.pseudo_r2 = 1 - result.rss / tss;
  result.deviance_r2 = result.pseudo_r2;
  result.deviance = result.rss;
  result.null_deviance = tss;
  result.fe_dof = FixedEffectDof(frame, {});
  // (Without fixed effects the intercept is a column of X.)
  const int64_t observations = GlobalObservations(frame);
  const int64_t dof_resid = observations - num_cols - result.fe_dof;
  const double sigma2 = result.rss / static_cast<double>(std::max<int64_t>(1, dof_resid));
  result.coef = beta;
  result.coef_names = frame.coef_names;
  FitVariance(frame, options,
              Eigen::Map<const Eigen::MatrixXd>(X_tilde.data(), X_tilde.rows(), X_tilde.cols()),
              weight_N, resid_N, sigma2, result, &gram, result.fe_dof,
              comm != nullptr ? &rows : nullptr);
  if (options.vcov.type == VcovType::kIid && options.vcov.small_sample == SmallSample::kFixest) {
    // fixest's iid OLS: sigma^2 = RSS / (N - K) already carries the correction.
    const double n = static_cast<double>(observations);
    const double k = static_cast<double>(num_cols + result.fe_dof);
    result.vcov *= (n - k) / (n - 1);
  }
  // Fixed effects of y - X beta: alpha_y - alpha_X beta.
  if (!frame.fe_ids.empty()) {
    // Recover the fixed effects of y - X beta by projecting it.
    std::vector<double> target(num_obs);
    for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
      target[obs_idx] = work.y[obs_idx] - work.X.row(obs_idx).dot(beta);
    }
    std::vector<double> dummy(num_obs);
    std::vector<double> alpha_fe;
    projector.Project(target.data(), dummy.data(), 1, alpha_fe, options.fe_tolerance,
                      options.fe_max_iterations);
    ExportFixedEffects(frame, projector, std::move(alpha_fe), result);
  }
  result.iterations = 1;
  result.termination = stats.converged ? Termination::kConverged : Termination::kNumericalFailure;
  result.message = stats.converged
                       ? "converged"
                       : fmt::format("fixed-effect projection did not converge in {} iterations",
                                     stats.iterations);
  return result;
}

}  // namespace mizani::estimate

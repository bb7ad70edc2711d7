// Variance of the coefficients at the end of a fit (a stage of Fit,
// fit_stages.h): the bread from X~'WX~, the fixed-effect degrees of freedom
// for the small-sample corrections, and the estimator of variance.cc.
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "common/parallel.h"
#include "common/trace.h"
#include "estimate/fit_stages.h"
#include "estimate/frame_ops.h"
#include "estimate/hdfe/cross_products.h"
#include "estimate/irls.h"
#include "estimate/variance.h"
#include "mizani/estimate.h"

namespace mizani::estimate {

namespace {

// Weighted cross products of the projected regressors.
template <typename Matrix>
Eigen::MatrixXd WeightedGram(const Matrix& X, const std::vector<double>& w, int threads) {
  return WeightedCrossProducts(X.data(), X.rows(), static_cast<int>(X.cols()),
                               w.empty() ? nullptr : w.data(), threads);
}

}  // namespace

void FitVariance(const ModelFrame& frame, const EstimateOptions& options,
                 const Eigen::Map<const Eigen::MatrixXd>& X_tilde,
                 const std::vector<double>& weight_N, const std::vector<double>& resid_N,
                 double sigma2, EstimateResult& result, const Eigen::MatrixXd* given_gram,
                 int64_t known_fe_dof, const std::vector<int64_t>* rows,
                 const std::vector<double>* freq_rows) {
  const int64_t num_cols = X_tilde.cols();
  if (num_cols == 0) return;
  // X~'WX~, unless the caller has it already (from the projection).
  const Eigen::MatrixXd gram =
      given_gram != nullptr ? *given_gram
                            : WeightedGram(X_tilde, weight_N, ResolveThreads(options.threads));
  VarianceInput input;
  input.X_tilde = &X_tilde;
  input.weights = &weight_N;
  input.resid = &resid_N;
  input.freq = &frame.weights;
  if (rows != nullptr) {
    // Sharded: the arrays hold this rank's rows (OLS: the weights are the
    // frequency weights, or ones; PPML passes its shard's frequency weights).
    input.freq = freq_rows != nullptr ? freq_rows : &weight_N;
    input.rows = rows;
    input.comm = options.communicator;
  }
  input.bread = gram.ldlt().solve(Eigen::MatrixXd::Identity(num_cols, num_cols));
  double observations = frame.weights.empty()
                            ? static_cast<double>(frame.num_obs())
                            : std::accumulate(frame.weights.begin(), frame.weights.end(), 0.0);
  // A sharded frame holds this rank's rows: the whole sample's count.
  if (frame.shard_comm != nullptr)
    frame.shard_comm->AllreduceSum(std::span<double>(&observations, 1));
  input.num_obs = static_cast<int64_t>(std::llround(observations));
  // Fixed effects nested in a cluster variable do not count towards K
  // (fixest's fixef.K = "nested"; Stata's reghdfe does the same).
  std::vector<uint8_t> skip(frame.fe_ids.size(), 0);
  if (options.vcov.type == VcovType::kCluster) {
    for (size_t dim_idx = 0; dim_idx < frame.fe_ids.size(); ++dim_idx) {
      for (size_t cluster_idx = 0; cluster_idx < frame.cluster_ids.size(); ++cluster_idx) {
        if (NestedInCluster(frame, dim_idx, cluster_idx)) skip[dim_idx] = 1;
      }
    }
  }
  // Without a nested dimension this is the model's own count, which the
  // caller may have (a pass over the data with a union-find).
  const bool none_skipped = std::find(skip.begin(), skip.end(), 1) == skip.end();
  int64_t fe_params =
      none_skipped && known_fe_dof >= 0 ? known_fe_dof : FixedEffectDof(frame, skip);
  if (options.vcov.small_sample == SmallSample::kFixest) {
    // fixest counts levels minus one per further dimension, not the rank.
    int64_t counted = 0, dims = 0;
    for (size_t dim_idx = 0; dim_idx < frame.fe_ids.size(); ++dim_idx) {
      if (skip[dim_idx]) continue;
      counted += frame.fe_sizes[dim_idx];
      ++dims;
    }
    fe_params = dims > 0 ? counted - (dims - 1) : 0;
  }
  input.num_params = num_cols + fe_params;
  input.sigma2 = sigma2;
  input.family = options.family;
  VarianceOutput out = ComputeVariance(input, frame, options.vcov);
  result.vcov = std::move(out.vcov);
  result.num_clusters = std::move(out.num_clusters);
  result.vcov_description = std::move(out.description);
}

std::vector<double> PoissonVariance(PoissonState& state, EstimateResult& result) {
  ModelFrame& frame = state.frame;
  const ModelFrame& whole = state.whole;
  const EstimateOptions& options = state.options;
  FeProjector* projector = &state.projector;
  const int64_t num_obs = state.num_obs;
  const int num_cols = state.num_cols;
  const std::vector<double>& weight = state.weight();
  // The memory of eta_old (no longer needed) takes the residuals, z's
  // (with more from the pool) the final projection of X: fewer fresh pages
  // (faults, peak memory). Variance at the final mu: project X once more with the final weights
  // (warm-started), so the bread and the scores belong to the estimate.
  state.UpdateWeights();
  projector->SetWeights(weight);
  std::vector<double> resid_N = std::move(state.eta_old);
  state.ForRows([&](int64_t begin, int64_t end) {
    for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx)
      resid_N[obs_idx] = frame.y[obs_idx] - state.mu[obs_idx];
  });
  result.fe_dof = FixedEffectDof(whole, {});
  if (num_cols > 0) {
    // The IID variance needs only X~'WX~ (the projection's cross products);
    // the sandwich estimators need the scores, hence X~ itself.
    const bool need_x_tilde = options.vcov.type != VcovType::kIid;
    std::vector<double> x_block;
    if (need_x_tilde) {
      x_block = std::move(state.z);
      x_block.resize(static_cast<size_t>(num_obs) * num_cols);
    }
    // Warm start from the regressors' coefficients of the last iteration.
    std::vector<double> alpha_x(projector->num_levels() * num_cols);
    for (int64_t level = 0; level < projector->num_levels(); ++level) {
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
        alpha_x[level * num_cols + col_idx] = state.alpha[level * (num_cols + 1) + col_idx + 1];
      }
    }
    // X~ is solved to the fit's tolerance, as the coefficients are. A
    // looser 1e-8 saved 2-8 passes, but then the standard errors depended
    // on this projection's warm start in their ninth digit, so two fits
    // ending at the same coefficients could print different errors.
    Eigen::MatrixXd gram(num_cols, num_cols);
    projector->Project(frame.X.data(), need_x_tilde ? x_block.data() : nullptr, num_cols, alpha_x,
                       options.fe_tolerance, options.fe_max_iterations, nullptr, gram.data());
    TraceDetail("X projected");
    // (Without X~ the map has no data; the IID estimator reads only its shape.)
    FitVariance(whole, options,
                Eigen::Map<const Eigen::MatrixXd>(need_x_tilde ? x_block.data() : nullptr, num_obs,
                                                  num_cols),
                weight, resid_N, 1.0, result, &gram, result.fe_dof, state.rows, &frame.weights);
  }
  return resid_N;
}

}  // namespace mizani::estimate

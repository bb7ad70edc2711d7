// Collinearity: which regressors are absorbed by the fixed effects or by a
// combination of other regressors (a stage of Fit, fit_stages.h).
#include <Eigen/Dense>
#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "common/trace.h"
#include "estimate/fit_stages.h"
#include "estimate/hdfe/cross_products.h"
#include "estimate/irls.h"
#include "mizani/estimate.h"

namespace mizani::estimate {

// Sequential (Gram–Schmidt style) collinearity check on X~'WX~: a column
// whose part not explained by the columns kept before it has a weighted
// sum of squares below tolerance times its raw weighted sum of squares is
// dropped (absorbed by the fixed effects or a combination of regressors).
std::vector<int> FindCollinear(const Eigen::MatrixXd& gram, const Eigen::VectorXd& raw_ss,
                               double tolerance) {
  std::vector<int> kept, dropped;
  for (int col_idx = 0; col_idx < gram.cols(); ++col_idx) {
    double resid_ss = gram(col_idx, col_idx);
    if (!kept.empty()) {
      Eigen::MatrixXd sub(kept.size(), kept.size());
      Eigen::VectorXd cross(kept.size());
      for (size_t a = 0; a < kept.size(); ++a) {
        cross(a) = gram(kept[a], col_idx);
        for (size_t b = 0; b < kept.size(); ++b) sub(a, b) = gram(kept[a], kept[b]);
      }
      resid_ss -= cross.dot(sub.ldlt().solve(cross));
    }
    if (!(resid_ss > tolerance * std::max(raw_ss(col_idx), 1e-300))) {
      dropped.push_back(col_idx);
    } else {
      kept.push_back(col_idx);
    }
  }
  return dropped;
}

void RemoveColumns(ModelFrame& frame, const std::vector<int>& columns, EstimateResult& result) {
  if (columns.empty()) return;
  std::vector<int> keep;
  for (int col_idx = 0; col_idx < frame.X.cols(); ++col_idx) {
    if (std::find(columns.begin(), columns.end(), col_idx) == columns.end())
      keep.push_back(col_idx);
    else
      result.collinear.push_back(frame.coef_names[col_idx]);
  }
  Eigen::MatrixXd kept_X(frame.X.rows(), static_cast<Eigen::Index>(keep.size()));
  std::vector<std::string> names;
  for (size_t out_idx = 0; out_idx < keep.size(); ++out_idx) {
    kept_X.col(static_cast<Eigen::Index>(out_idx)) = frame.X.col(keep[out_idx]);
    names.push_back(frame.coef_names[keep[out_idx]]);
  }
  frame.X = std::move(kept_X);
  frame.coef_names = std::move(names);
}

void CheckCollinearity(PoissonState& state, ProjectedRegressors& separation_x,
                       EstimateResult& result) {
  ModelFrame& frame = state.frame;
  const EstimateOptions& options = state.options;
  FeProjector* projector = &state.projector;
  const int threads = state.threads;
  const int64_t num_obs = state.num_obs;
  const int num_cols = state.num_cols;
  // Collinearity, before the first step: project the regressors accurately
  // enough that a column absorbed by the fixed effects leaves a residual far
  // below the tolerance (the IRLS steps may project roughly), drop what is
  // collinear, and keep the projection's coefficients as the regressors'
  // warm start. Which columns are collinear does not depend on the weights
  // as long as all are positive, so the frequency weights are used: the
  // starting mu spans many orders of magnitude, and with it as weights the
  // same projection needs 36 passes instead of 4 (three-way benchmark).
  Eigen::MatrixXd raw_gram = WeightedCrossProducts(
      frame.X.data(), num_obs, num_cols, state.freq.empty() ? nullptr : state.freq.data(), threads);
  state.Reduce(std::span<double>(raw_gram.data(), raw_gram.size()));
  std::vector<double> alpha_x;
  std::vector<int> collinear;
  // The separation check has projected X already, with weights 1 where
  // y > 0 and 1e-6 (or its screen's 1e-3) where y = 0: never above the
  // unit weights, so its X~'WX~ is below the unit-weight one in the
  // positive semi-definite order, and so is every residual sum of squares
  // FindCollinear takes from it (the minimum of the same quadratic form).
  // When that check keeps every column, the unit-weight check would too:
  // its projection is skipped, and the separation's coefficients
  // warm-start IRLS. A column it flags is judged again, with the unit
  // weights.
  const bool reuse =
      separation_x.available && state.freq.empty() && separation_x.gram.rows() == num_cols &&
      FindCollinear(separation_x.gram, raw_gram.diagonal(), options.collinearity_tolerance).empty();
  if (reuse) {
    alpha_x = std::move(separation_x.alpha);
  } else {
    projector->SetWeights(state.freq);
    Eigen::MatrixXd projected_gram(num_cols, num_cols);
    // Only the coefficients and X~'WX~ are needed (X~ is not written).
    result.fe_iterations += projector
                                ->Project(frame.X.data(), nullptr, num_cols, alpha_x,
                                          std::max(options.fe_tolerance, 1e-6),
                                          options.fe_max_iterations, nullptr, projected_gram.data())
                                .iterations;
    collinear = FindCollinear(projected_gram, raw_gram.diagonal(), options.collinearity_tolerance);
  }
  TraceDetail(reuse ? "collinearity: separation's projection reused" : "collinearity: projected");
  RemoveColumns(frame, collinear, result);
  if (&state.whole != &frame) {
    EstimateResult listed;  // (the shard's call listed them)
    RemoveColumns(state.whole, collinear, listed);
  }
  const int kept_cols = static_cast<int>(frame.X.cols());
  state.alpha.assign(projector->num_levels() * (kept_cols + 1), 0.0);
  int out_col = 1;
  for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
    if (std::find(collinear.begin(), collinear.end(), col_idx) != collinear.end()) continue;
    for (int64_t level = 0; level < projector->num_levels(); ++level) {
      state.alpha[level * (kept_cols + 1) + out_col] = alpha_x[level * num_cols + col_idx];
    }
    ++out_col;
  }
  state.num_cols = kept_cols;
  Trace("collinearity checked");
}

}  // namespace mizani::estimate

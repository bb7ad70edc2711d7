// IRLS for PPML and the OLS path, on a prepared ModelFrame.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>

#include "common/buffer_pool.h"
#include "common/parallel.h"
#include "common/trace.h"
#include "estimate/frame_ops.h"
#include "estimate/hdfe/cross_products.h"
#include "estimate/hdfe/fe_projector.h"
#include "estimate/irls_kernels.h"
#include "estimate/separation.h"
#include "estimate/variance.h"
#include "mizani/error.h"
#include "mizani/estimate.h"
#include "numerics/simd_exp.h"

namespace mizani {

const char* DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kMissing:
      return "missing value";
    case DropReason::kFiltered:
      return "excluded by filter";
    case DropReason::kNonPositiveLog:
      return "log of a non-positive value";
    case DropReason::kAllZeroGroup:
      return "fixed-effect group with all-zero outcome";
    case DropReason::kSingleton:
      return "singleton fixed-effect group";
    case DropReason::kSeparated:
      return "separated by regressors";
    case DropReason::kZeroWeight:
      return "zero weight";
  }
  return "unknown";
}

void ModelFrame::CountDrop(DropReason reason, int64_t count) {
  if (count <= 0) return;
  for (auto& [existing, total] : dropped) {
    if (existing == reason) {
      total += count;
      return;
    }
  }
  dropped.emplace_back(reason, count);
}

Eigen::VectorXd EstimateResult::StdErrors() const {
  if (vcov.size() == 0) return {};
  return vcov.diagonal().cwiseMax(0.0).cwiseSqrt();
}

namespace {

using estimate::FeProjector;

// Weighted cross products of the projected regressors.
template <typename Matrix>
Eigen::MatrixXd WeightedGram(const Matrix& X, const std::vector<double>& w, int threads) {
  return estimate::WeightedCrossProducts(X.data(), X.rows(), static_cast<int>(X.cols()),
                                         w.empty() ? nullptr : w.data(), threads);
}

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

// log(y!) = lgamma(y + 1) for the log-likelihood, once per observation. For
// y + 1 >= 10 the Stirling series to the x^-7 term (truncation below
// 1 / (1188 x^9) < 1e-12 absolute, Abramowitz & Stegun 6.1.41) costs one
// logarithm instead of glibc's lgamma (measured: a fifth of the statistics
// pass on 2.5M rows); smaller arguments go to std::lgamma. Here x = y + 1
// and its logarithm, taken with others by LogArray.
inline double LogFactorialFromLog(double x, double log_x) {
  constexpr double kHalfLogTwoPi = 0.91893853320467274178;
  const double inv = 1 / x, inv2 = inv * inv;
  const double series =
      inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 * (1.0 / 1680))));
  return (x - 0.5) * log_x - x + kHalfLogTwoPi + series;
}

// Fixed-effect coefficients of the linear predictor, normalised so that
// every dimension after the first has its first level at zero.
void ExportFixedEffects(const ModelFrame& frame, const FeProjector& projector,
                        const std::vector<double>& alpha_G, EstimateResult& result) {
  const auto& offsets = projector.offsets_Q();
  std::vector<double> alpha = alpha_G;
  double shift = 0;
  for (size_t dim_idx = 1; dim_idx < frame.fe_ids.size(); ++dim_idx) {
    const double ref = alpha[offsets[dim_idx]];
    for (int32_t level = 0; level < frame.fe_sizes[dim_idx]; ++level)
      alpha[offsets[dim_idx] + level] -= ref;
    shift += ref;
  }
  for (size_t dim_idx = 0; dim_idx < frame.fe_ids.size(); ++dim_idx) {
    FixedEffectEstimates fe;
    fe.name =
        dim_idx < frame.fe_names.size() ? frame.fe_names[dim_idx] : fmt::format("fe{}", dim_idx);
    fe.values.resize(frame.fe_sizes[dim_idx]);
    for (int32_t level = 0; level < frame.fe_sizes[dim_idx]; ++level) {
      fe.values[level] = alpha[offsets[dim_idx] + level] + (dim_idx == 0 ? shift : 0.0);
    }
    if (dim_idx < frame.fe_labels.size()) fe.labels = frame.fe_labels[dim_idx];
    result.fixed_effects.push_back(std::move(fe));
  }
  if (frame.fe_ids.size() > 1) {
    std::string refs;
    for (size_t dim_idx = 1; dim_idx < frame.fe_ids.size(); ++dim_idx) {
      refs += fmt::format("{}{} = {}", dim_idx > 1 ? ", " : "", result.fixed_effects[dim_idx].name,
                          result.fixed_effects[dim_idx].labels.empty()
                              ? std::string("level 0")
                              : result.fixed_effects[dim_idx].labels[0]);
    }
    result.fe_normalisation =
        fmt::format("effects of {} are zero for the reference level(s) {}; the constant is in {}",
                    "every dimension after the first", refs, result.fixed_effects[0].name);
  } else if (frame.fe_ids.size() == 1) {
    result.fe_normalisation = "one dimension: the effects are identified and carry the constant";
  }
}

void FinishVariance(const ModelFrame& frame, const EstimateOptions& options,
                    const Eigen::Map<const Eigen::MatrixXd>& X_tilde,
                    const std::vector<double>& weight_N, const std::vector<double>& resid_N,
                    double sigma2, EstimateResult& result,
                    const Eigen::MatrixXd* given_gram = nullptr, int64_t known_fe_dof = -1) {
  const int64_t num_cols = X_tilde.cols();
  if (num_cols == 0) return;
  // X~'WX~, unless the caller has it already (from the projection).
  const Eigen::MatrixXd gram =
      given_gram != nullptr ? *given_gram
                            : WeightedGram(X_tilde, weight_N, ResolveThreads(options.threads));
  estimate::VarianceInput input;
  input.X_tilde = &X_tilde;
  input.weights = &weight_N;
  input.resid = &resid_N;
  input.freq = &frame.weights;
  input.bread = gram.ldlt().solve(Eigen::MatrixXd::Identity(num_cols, num_cols));
  input.num_obs = frame.weights.empty() ? frame.num_obs()
                                        : static_cast<int64_t>(std::llround(std::accumulate(
                                              frame.weights.begin(), frame.weights.end(), 0.0)));
  // Fixed effects nested in a cluster variable do not count towards K
  // (fixest's fixef.K = "nested"; Stata's reghdfe does the same).
  std::vector<uint8_t> skip(frame.fe_ids.size(), 0);
  if (options.vcov.type == VcovType::kCluster) {
    for (size_t dim_idx = 0; dim_idx < frame.fe_ids.size(); ++dim_idx) {
      for (const auto& cluster : frame.cluster_ids) {
        if (estimate::NestedInCluster(frame.fe_ids[dim_idx], cluster)) skip[dim_idx] = 1;
      }
    }
  }
  // Without a nested dimension this is the model's own count, which the
  // caller may have (a pass over the data with a union-find).
  const bool none_skipped = std::find(skip.begin(), skip.end(), 1) == skip.end();
  int64_t fe_params =
      none_skipped && known_fe_dof >= 0 ? known_fe_dof : estimate::FixedEffectDof(frame, skip);
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
  estimate::VarianceOutput out = estimate::ComputeVariance(input, frame, options.vcov);
  result.vcov = std::move(out.vcov);
  result.num_clusters = std::move(out.num_clusters);
  result.vcov_description = std::move(out.description);
}

EstimateResult FitGaussian(ModelFrame& frame, const EstimateOptions& options,
                           EstimateResult result) {
  const int threads = ResolveThreads(options.threads);
  FeProjector projector(frame.fe_ids, frame.fe_sizes, threads, frame.num_obs(), options.projection);
  projector.SetWeights(frame.weights);
  const int64_t num_obs = frame.num_obs();
  int num_cols = static_cast<int>(frame.X.cols());
  // Column-major block [y, X].
  std::vector<double> block((num_cols + 1) * num_obs);
  std::copy(frame.y.begin(), frame.y.end(), block.begin());
  std::copy(frame.X.data(), frame.X.data() + num_obs * num_cols, block.begin() + num_obs);
  std::vector<double> raw_ss(num_cols + 1, 0.0);
  std::vector<double> unit(frame.weights.empty() ? num_obs : 0, 1.0);
  const std::vector<double>& weight_N = frame.weights.empty() ? unit : frame.weights;
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
        ss += weight_N[obs_idx] * frame.X(obs_idx, col_idx) * frame.X(obs_idx, col_idx);
      raw(col_idx) = ss;
    }
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
      num_cols = static_cast<int>(X_tilde.cols());
    }
  }
  Eigen::Map<const Eigen::VectorXd> weight(weight_N.data(), num_obs);
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(num_cols);
  if (num_cols > 0) beta = gram.ldlt().solve(cross_y);
  Eigen::VectorXd resid = y_tilde - X_tilde * beta;
  std::vector<double> resid_N(resid.data(), resid.data() + num_obs);
  result.rss = (resid.array().square() * weight.array()).sum();
  const double sum_w = weight.sum();
  Eigen::Map<const Eigen::VectorXd> y(frame.y.data(), num_obs);
  const double mean_y = (y.array() * weight.array()).sum() / sum_w;
  const double tss = ((y.array() - mean_y).square() * weight.array()).sum();
  result.pseudo_r2 = 1 - result.rss / tss;
  result.deviance_r2 = result.pseudo_r2;
  result.deviance = result.rss;
  result.null_deviance = tss;
  result.fe_dof = estimate::FixedEffectDof(frame, {});
  // (Without fixed effects the intercept is a column of X.)
  const int64_t dof_resid = frame.num_obs() - num_cols - result.fe_dof;
  const double sigma2 = result.rss / static_cast<double>(std::max<int64_t>(1, dof_resid));
  result.coef = beta;
  result.coef_names = frame.coef_names;
  FinishVariance(frame, options,
                 Eigen::Map<const Eigen::MatrixXd>(X_tilde.data(), X_tilde.rows(), X_tilde.cols()),
                 weight_N, resid_N, sigma2, result, &gram, result.fe_dof);
  if (options.vcov.type == VcovType::kIid && options.vcov.small_sample == SmallSample::kFixest) {
    // fixest's iid OLS: sigma^2 = RSS / (N - K) already carries the correction.
    const double n = static_cast<double>(frame.num_obs());
    const double k = static_cast<double>(num_cols + result.fe_dof);
    result.vcov *= (n - k) / (n - 1);
  }
  // Fixed effects of y - X beta: alpha_y - alpha_X beta.
  if (!frame.fe_ids.empty()) {
    // Recover the fixed effects of y - X beta by projecting it.
    std::vector<double> target(num_obs);
    for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
      target[obs_idx] = frame.y[obs_idx] - frame.X.row(obs_idx).dot(beta);
    }
    std::vector<double> dummy(num_obs);
    std::vector<double> alpha_fe;
    projector.Project(target.data(), dummy.data(), 1, alpha_fe, options.fe_tolerance,
                      options.fe_max_iterations);
    ExportFixedEffects(frame, projector, alpha_fe, result);
  }
  result.iterations = 1;
  result.termination = stats.converged ? Termination::kConverged : Termination::kNumericalFailure;
  result.message = stats.converged
                       ? "converged"
                       : fmt::format("fixed-effect projection did not converge in {} iterations",
                                     stats.iterations);
  return result;
}

}  // namespace

EstimateResult Fit(ModelFrame frame, const EstimateOptions& options) {
  EstimateResult result;
  result.family = options.family;
  result.rows_read = frame.rows_read;
  // Fitted values are returned in the caller's row order: track each row's
  // original position through the reordering and the removals below.
  // Without keep_fitted nothing needs the mapping: it is freed (memory).
  std::vector<int64_t> caller_source_row;
  if (options.keep_fitted) caller_source_row = std::move(frame.source_row);
  std::vector<int64_t>().swap(frame.source_row);
  if (options.keep_fitted) {
    frame.source_row.resize(frame.num_obs());
    std::iota(frame.source_row.begin(), frame.source_row.end(), int64_t{0});
  }
  if (!frame.weights.empty()) {
    std::vector<uint8_t> keep(frame.num_obs());
    for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx)
      keep[obs_idx] = frame.weights[obs_idx] > 0;
    estimate::CompactFrame(frame, keep, DropReason::kZeroWeight);
  }
  estimate::SortByLargestDimension(frame);
  Trace("sorted by the largest fixed effect");
  // Puts per-observation results back in the caller's order (rows removed
  // by cleaning are absent) and maps source_row back to the caller's.
  auto restore_order = [&caller_source_row](const ModelFrame& sorted_frame,
                                            std::vector<double> values, EstimateResult& out) {
    std::vector<int64_t> position(sorted_frame.num_obs());
    std::iota(position.begin(), position.end(), int64_t{0});
    std::sort(position.begin(), position.end(), [&](int64_t a, int64_t b) {
      return sorted_frame.source_row[a] < sorted_frame.source_row[b];
    });
    out.fitted.resize(position.size());
    out.source_row.clear();
    for (size_t idx = 0; idx < position.size(); ++idx) {
      out.fitted[idx] = values[position[idx]];
      const int64_t original = sorted_frame.source_row[position[idx]];
      if (!caller_source_row.empty()) out.source_row.push_back(caller_source_row[original]);
    }
  };
  using Clock = std::chrono::steady_clock;
  auto seconds_since = [](Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  auto phase_start = Clock::now();
  if (options.family == Family::kPoisson) estimate::DropAllZeroGroups(frame);
  TraceDetail("all-zero groups dropped");
  if (options.drop_singletons) estimate::DropSingletons(frame);
  result.seconds_cleaning = seconds_since(phase_start);
  Trace("cleaned");
  phase_start = Clock::now();
  // The projector (its sort and level tables cost a pass over the data) is
  // shared by the separation check and the IRLS, unless the check drops rows.
  std::unique_ptr<FeProjector> projector;
  BufferPool pool;                             // large work arrays, reused from step to step
  estimate::ProjectedRegressors separation_x;  // X~ of the separation check, when reusable
  if (options.family == Family::kPoisson && options.check_separation && frame.num_obs() > 0) {
    projector =
        std::make_unique<FeProjector>(frame.fe_ids, frame.fe_sizes, ResolveThreads(options.threads),
                                      frame.num_obs(), options.projection);
    if (TraceLevel() >= 2) TraceDetail(fmt::format("projector built ({})", projector->Path()));
    // Separation can empty a group or create singletons: clean again.
    if (estimate::DropSeparated(frame, options, *projector, pool, &separation_x) > 0) {
      projector.reset();
      estimate::DropAllZeroGroups(frame);
      if (options.drop_singletons) estimate::DropSingletons(frame);
    }
  }
  result.seconds_separation = seconds_since(phase_start);
  Trace("separation checked");
  phase_start = Clock::now();
  auto finish_counts = [&] {
    result.num_obs = frame.num_obs();
    result.dropped = frame.dropped;
  };
  if (frame.num_obs() == 0) {
    finish_counts();
    result.termination = Termination::kNoObservations;
    result.message = "no observations left after cleaning";
    return result;
  }
  if (frame.fe_ids.empty()) {
    // No fixed effects: an explicit intercept.
    Eigen::MatrixXd with_const(frame.num_obs(), frame.X.cols() + 1);
    with_const.col(0).setOnes();
    with_const.rightCols(frame.X.cols()) = frame.X;
    frame.X = std::move(with_const);
    frame.coef_names.insert(frame.coef_names.begin(), "(Intercept)");
  }
  if (options.family == Family::kGaussian) {
    finish_counts();
    return FitGaussian(frame, options, std::move(result));
  }

  // ---- PPML by IRLS -------------------------------------------------------
  const int threads = ResolveThreads(options.threads);
  const int64_t num_obs = frame.num_obs();
  int num_cols = static_cast<int>(frame.X.cols());
  if (!projector) {
    projector = std::make_unique<FeProjector>(frame.fe_ids, frame.fe_sizes, threads,
                                              frame.num_obs(), options.projection);
  }
  const std::vector<double>& freq = frame.weights;
  const bool has_offset = !frame.offset.empty();
  // The per-observation steps of an IRLS iteration run on all threads too:
  // on millions of rows they are a fifth of the time.
  auto for_rows = [&](auto&& body) {
    ParallelFor(threads, num_obs, [&](int, int64_t begin, int64_t end) { body(begin, end); });
  };
  // Sum of a per-observation term over all rows, in a fixed order of
  // chunks for a given thread count.
  auto sum_rows = [&](auto&& term) {
    std::vector<double> partial(threads, 0.0);
    ParallelFor(threads, num_obs, [&](int task_idx, int64_t begin, int64_t end) {
      double sum = 0;
      for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) sum += term(obs_idx);
      partial[task_idx] = sum;
    });
    double total = 0;
    for (double value : partial) total += value;
    return total;
  };

  const double total_w = freq.empty() ? static_cast<double>(num_obs)
                                      : sum_rows([&](int64_t obs) { return freq[obs]; });
  const double mean_y = sum_rows([&](int64_t obs_idx) {
                          return (freq.empty() ? 1.0 : freq[obs_idx]) * frame.y[obs_idx];
                        }) /
                        total_w;
  // The deviance, 2 sum fw (y log(y / mu) - (y - mu)), is evaluated in the
  // iterations as 2 (S - sum fw (y eta + y - mu)) with the constant
  // S = sum fw y log y taken once (below): no logarithm per observation and
  // iteration. The reported deviance is recomputed term by term at the end.
  // Start at mu = y + 0.001 mean(y). ppmlhdfe's (y + mean(y)) / 2 puts
  // every zero flow at half the mean, and IRLS then needs many steps to
  // bring the near-separated groups of a gravity panel down (it converges
  // linearly there); starting them low, as fixest's y + 0.1 does in
  // absolute terms, saves a third of the iterations on the Advanced Guide
  // data and on `mizani synth` panels (measured: 11 -> 7 and 17 -> 10).
  constexpr double kStartShift = 1e-3;
  // The working outcome z; X is read where it is (frame.X): the
  // projections take column pointers and return only coefficients.
  std::vector<double> z = pool.Take(num_obs);
  std::vector<double> mu = pool.Take(num_obs), eta = pool.Take(num_obs),
                      eta_old = pool.Take(num_obs);
  // One pass for the start (mu, eta = log mu) and S, in blocks whose
  // logarithms are taken together (LogArray); log y is taken of y where
  // y > 0 and of 1 elsewhere (y log y is 0 there).
  const double sum_ylogy = [&] {
    std::vector<double> partial(threads, 0.0);
    ParallelFor(threads, num_obs, [&](int task_idx, int64_t begin, int64_t end) {
      constexpr int64_t kBlock = 512;
      double log_y[kBlock];
      double sum = 0;
      for (int64_t block_begin = begin; block_begin < end; block_begin += kBlock) {
        const int64_t length = std::min(end, block_begin + kBlock) - block_begin;
        const double* y = frame.y.data() + block_begin;
        for (int64_t idx = 0; idx < length; ++idx) {
          mu[block_begin + idx] = y[idx] + kStartShift * mean_y;
          log_y[idx] = y[idx] > 0 ? y[idx] : 1.0;
        }
        LogArray(mu.data() + block_begin, eta.data() + block_begin, length);
        LogArray(log_y, log_y, length);
        for (int64_t idx = 0; idx < length; ++idx) {
          sum += (freq.empty() ? 1.0 : freq[block_begin + idx]) * y[idx] * log_y[idx];
        }
      }
      partial[task_idx] = sum;
    });
    double total = 0;
    for (double value : partial) total += value;
    return total;
  }();
  // IRLS weights mu * fw; with unit frequency weights they are mu itself.
  std::vector<double> weight_storage(freq.empty() ? 0 : num_obs);
  const std::vector<double>& weight = freq.empty() ? mu : weight_storage;
  auto update_weights = [&] {
    if (freq.empty()) return;
    for_rows([&](int64_t begin, int64_t end) {
      for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx)
        weight_storage[obs_idx] = mu[obs_idx] * freq[obs_idx];
    });
  };
  const double null_dev = 2 * (sum_ylogy - std::log(mean_y) * mean_y * total_w);
  // The starting mu is not a point of the model, so its deviance cannot
  // serve as the bar for step-halving: the first IRLS step is always taken.
  double deviance = std::numeric_limits<double>::infinity();
  std::vector<double> alpha;  // warm start, level-major (z, X...)
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(num_cols);
  Eigen::VectorXd beta_accepted;  // coefficients of the last accepted iterate
  int last_halvings = 0;
  double beta_change_previous = std::numeric_limits<double>::infinity();
  Eigen::VectorXd beta_previous =
      Eigen::VectorXd::Constant(num_cols, std::numeric_limits<double>::infinity());
  double rel_change = 1;
  // Early IRLS steps are far from the solution: a rough projection (1e-3)
  // moves them as well as an exact one (measured: same iterations, a fifth
  // fewer passes over the data on the 2.5M-row benchmark panel).
  double inner_tol = std::max(options.fe_tolerance, 1e-3);
  result.termination = Termination::kMaxIterations;
  int iteration = 0;
  // Collinearity, before the first step: project the regressors accurately
  // enough that a column absorbed by the fixed effects leaves a residual far
  // below the tolerance (the IRLS steps may project roughly), drop what is
  // collinear, and keep the projection's coefficients as the regressors'
  // warm start. Which columns are collinear does not depend on the weights
  // as long as all are positive, so the frequency weights are used: the
  // starting mu spans many orders of magnitude, and with it as weights the
  // same projection needs 36 passes instead of 4 (three-way benchmark).
  if (num_cols > 0) {
    const Eigen::MatrixXd raw_gram = estimate::WeightedCrossProducts(
        frame.X.data(), num_obs, num_cols, freq.empty() ? nullptr : freq.data(), threads);
    std::vector<double> alpha_x;
    std::vector<int> collinear;
    // The separation check has projected X already, with weights 1 where
    // y > 0 and 1e-6 where y = 0: never above the unit weights, so its
    // X~'WX~ is below the unit-weight one in the positive semi-definite
    // order, and so is every residual sum of squares FindCollinear takes
    // from it (the minimum of the same quadratic form). When that check
    // keeps every column, the unit-weight check would too: its projection
    // is skipped, and the separation's coefficients warm-start IRLS. A
    // column it flags is judged again, with the unit weights.
    const bool reuse =
        separation_x.available && freq.empty() && separation_x.gram.rows() == num_cols &&
        FindCollinear(separation_x.gram, raw_gram.diagonal(), options.collinearity_tolerance)
            .empty();
    if (reuse) {
      alpha_x = std::move(separation_x.alpha);
    } else {
      projector->SetWeights(freq);
      Eigen::MatrixXd projected_gram(num_cols, num_cols);
      // Only the coefficients and X~'WX~ are needed (X~ is not written).
      result.fe_iterations +=
          projector
              ->Project(frame.X.data(), nullptr, num_cols, alpha_x,
                        std::max(options.fe_tolerance, 1e-6), options.fe_max_iterations, nullptr,
                        projected_gram.data())
              .iterations;
      collinear =
          FindCollinear(projected_gram, raw_gram.diagonal(), options.collinearity_tolerance);
    }
    TraceDetail(reuse ? "collinearity: separation's projection reused" : "collinearity: projected");
    RemoveColumns(frame, collinear, result);
    const int kept_cols = static_cast<int>(frame.X.cols());
    alpha.assign(projector->num_levels() * (kept_cols + 1), 0.0);
    int out_col = 1;
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
      if (std::find(collinear.begin(), collinear.end(), col_idx) != collinear.end()) continue;
      for (int64_t level = 0; level < projector->num_levels(); ++level) {
        alpha[level * (kept_cols + 1) + out_col] = alpha_x[level * num_cols + col_idx];
      }
      ++out_col;
    }
    num_cols = kept_cols;
    Trace("collinearity checked");
    beta = Eigen::VectorXd::Zero(num_cols);
    beta_previous = Eigen::VectorXd::Constant(num_cols, std::numeric_limits<double>::infinity());
  }
  // z of the first iteration; later ones are written by the previous
  // iteration's pass over the rows (below), which has every input at hand.
  auto working_outcome = [&](int64_t obs_idx) {
    return eta[obs_idx] - (has_offset ? frame.offset[obs_idx] : 0.0) +
           (frame.y[obs_idx] - mu[obs_idx]) / mu[obs_idx];
  };
  for_rows([&](int64_t begin, int64_t end) {
    for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) z[obs_idx] = working_outcome(obs_idx);
  });
  // gamma (below), stacked per level, and where each dimension's part of it
  // and its ids start: the row pass sums the row's levels' gamma.
  const std::vector<int64_t>& fe_offsets = projector->offsets_Q();
  const int num_dims = static_cast<int>(frame.fe_ids.size());
  std::vector<double> effect_G(projector->num_levels(), 0.0);
  std::vector<const int32_t*> ids_Q(num_dims);
  std::vector<const double*> effect_Q(num_dims);
  for (int dim_idx = 0; dim_idx < num_dims; ++dim_idx) {
    ids_Q[dim_idx] = frame.fe_ids[dim_idx].data();
    effect_Q[dim_idx] = effect_G.data() + fe_offsets[dim_idx];
  }
  const double* x_raw = frame.X.data();  // column-major
  // The projected block [z, X], by column.
  std::vector<const double*> block_C(num_cols + 1, z.data());
  for (int col_idx = 0; col_idx < num_cols; ++col_idx)
    block_C[col_idx + 1] = x_raw + col_idx * num_obs;
  for (iteration = 1; iteration <= options.max_iterations; ++iteration) {
    update_weights();
    projector->SetWeights(weight);
    TraceDetail("weights set");
    const double used_tol = inner_tol;
    // The projection also returns [z~, X~]' W [z~, X~] (from its output pass).
    Eigen::MatrixXd cross(num_cols + 1, num_cols + 1);
    auto stats = projector->Project(block_C, nullptr, alpha, used_tol, options.fe_max_iterations,
                                    nullptr, cross.data());
    result.fe_iterations += stats.iterations;
    TraceDetail("projected");
    if (num_cols > 0) {
      beta = cross.bottomRightCorner(num_cols, num_cols).ldlt().solve(cross.col(0).tail(num_cols));
    }
    TraceDetail("gram solved");
    // The weighted least-squares fit of z on X and the fixed effects has
    // z - e = X beta + D gamma with gamma = alpha_z - alpha_X beta (the
    // projection is linear column by column), so the new linear predictor
    // is eta = X beta + D gamma + offset, built from the coefficients
    // without z~ and X~ (which are never written: their stores, and a copy
    // of X, saved).
    for (int64_t level = 0; level < projector->num_levels(); ++level) {
      const double* level_alpha = alpha.data() + level * (num_cols + 1);
      double value = level_alpha[0];
      for (int col_idx = 0; col_idx < num_cols; ++col_idx)
        value -= beta(col_idx) * level_alpha[col_idx + 1];
      effect_G[level] = value;
    }
    // One pass: eta, mu = exp(eta), the deviance terms, and the next
    // iteration's z (irls_kernels.h).
    eta_old.swap(eta);
    estimate::IrlsRows rows;
    rows.num_obs = num_obs;
    rows.y_N = frame.y.data();
    rows.freq_N = freq.empty() ? nullptr : freq.data();
    rows.offset_N = has_offset ? frame.offset.data() : nullptr;
    rows.x_NC = x_raw;
    rows.num_cols = num_cols;
    rows.beta_C = beta.data();
    rows.num_dims = num_dims;
    rows.ids_Q = ids_Q.data();
    rows.effect_Q = effect_Q.data();
    rows.eta_N = eta.data();
    rows.eta_old_N = eta_old.data();
    rows.mu_N = mu.data();
    rows.z_N = z.data();
    auto deviance_sum = [&](estimate::EtaUpdate update) {
      std::vector<double> partial(threads, 0.0);
      ParallelFor(threads, num_obs, [&](int task_idx, int64_t begin, int64_t end) {
        partial[task_idx] = estimate::IrlsRowPass(rows, update, begin, end);
      });
      double cross_sum = 0;
      for (double value : partial) cross_sum += value;
      return 2 * (sum_ylogy - cross_sum);
    };
    double new_dev = deviance_sum(estimate::EtaUpdate::kFullStep);
    int halvings = 0;
    // Step-halving (as fixest and ppmlhdfe): when the deviance is not
    // finite or rises, move half way back towards the previous iterate.
    while (!(std::isfinite(new_dev) && new_dev <= deviance * (1 + 1e-12) + 1e-12) &&
           halvings < 30) {
      ++halvings;
      new_dev = deviance_sum(estimate::EtaUpdate::kHalfway);
      // The coefficients move with the linear predictor.
      if (beta_accepted.size() == beta.size()) beta = 0.5 * (beta + beta_accepted);
    }
    beta_accepted = beta;
    last_halvings = halvings;
    if (!std::isfinite(new_dev)) {
      result.termination = Termination::kNumericalFailure;
      result.message = fmt::format("deviance is not finite at iteration {}", iteration);
      break;
    }
    rel_change =
        std::isfinite(deviance) ? std::abs(new_dev - deviance) / (0.1 + std::abs(new_dev)) : 1.0;
    deviance = new_dev;
    if (options.on_iteration) options.on_iteration(iteration, deviance, rel_change);
    Trace("IRLS iteration");
    // The projection need only be as accurate as the outer iteration is
    // close to convergence (ppmlhdfe's adaptive tolerance); the final
    // iterations use the full tolerance.
    const bool tight = used_tol <= options.fe_tolerance * 1.0000001;
    // The deviance criterion alone is fooled when the deviance is tiny or
    // flat (its denominator is 0.1 + deviance, as fixest's): also require
    // the coefficients to have settled, to 1e-7 relative. When the steps
    // shrink fast, the error left after step d_k is bounded by
    // d_k rho / (1 - rho) with rho = d_k / d_{k-1} (the a-posteriori bound
    // of a sequence converging at least linearly at rate rho; IRLS is
    // Newton's method for the canonical link and converges faster); when
    // that bound is already below the bar, the confirming extra iteration
    // (a fifth of the fit on the three-way benchmark) is skipped.
    const double beta_change = num_cols > 0 ? (beta - beta_previous).cwiseAbs().maxCoeff() : 0.0;
    const double beta_scale = num_cols > 0 ? 1.0 + beta.cwiseAbs().maxCoeff() : 1.0;
    const double beta_bar = 1e-7 * beta_scale;
    const double rate = beta_change / beta_change_previous;
    const bool settled =
        beta_change <= beta_bar || (halvings == 0 && std::isfinite(beta_change_previous) &&
                                    rate < 0.1 && beta_change * rate / (1 - rate) <= beta_bar);
    beta_previous = beta;
    beta_change_previous = beta_change;
    if (rel_change < options.tolerance && tight && settled) {
      result.termination = Termination::kConverged;
      result.message = fmt::format("converged: relative deviance change {:.3g} < {:.3g}",
                                   rel_change, options.tolerance);
      break;
    }
    inner_tol = std::max(options.fe_tolerance, std::min(1e-3, 1e-3 * rel_change));
    // Close to convergence the next step is usually the last: solve it at
    // full accuracy so it can be accepted as final.
    if (rel_change < 1e3 * options.tolerance) inner_tol = options.fe_tolerance;
    // A step that had to be halved after a loose projection was probably
    // spoiled by the projection error, not by the curvature: tighten.
    if (!stats.converged || halvings > 0) inner_tol = options.fe_tolerance;
  }
  result.iterations = std::min(iteration, options.max_iterations);
  result.seconds_irls = seconds_since(phase_start);
  Trace("IRLS done");
  phase_start = Clock::now();
  if (result.termination == Termination::kMaxIterations) {
    result.message = fmt::format(
        "did not converge: relative deviance change {:.3g} after {} iterations (tolerance {:.3g})",
        rel_change, options.max_iterations, options.tolerance);
  }
  finish_counts();
  {
    // One pass for the reported statistics: the deviance term by term (the
    // iterations used a constant plus a sum, which may lose a few digits to
    // cancellation), the squared correlation of y and mu (the pseudo-R2 of
    // Stata's ppml) and the log-likelihood.
    struct Sums {
      double deviance = 0, sm = 0, syy = 0, smm = 0, sym = 0, loglik = 0;
    };
    std::vector<Sums> sums_T(threads);
    ParallelFor(threads, num_obs, [&](int task_idx, int64_t begin, int64_t end) {
      Sums sums;
      // In blocks, the logarithms of each taken together (LogArray):
      // log(y / mu) for the deviance (of 1 where y = 0, whose term is
      // mu), and log(y + 1) for the Stirling series of log y! (y + 1 >= 10;
      // below, lgamma).
      constexpr int64_t kBlock = 512;
      double log_ratio[kBlock], log_x[kBlock];
      for (int64_t block_begin = begin; block_begin < end; block_begin += kBlock) {
        const int64_t length = std::min(end, block_begin + kBlock) - block_begin;
        const double* y_block = frame.y.data() + block_begin;
        const double* mu_block = mu.data() + block_begin;
        for (int64_t idx = 0; idx < length; ++idx) {
          log_ratio[idx] = y_block[idx] > 0 ? y_block[idx] / mu_block[idx] : 1.0;
          log_x[idx] = y_block[idx] + 1;
        }
        LogArray(log_ratio, log_ratio, length);
        LogArray(log_x, log_x, length);
        for (int64_t idx = 0; idx < length; ++idx) {
          const int64_t obs_idx = block_begin + idx;
          const double fw = freq.empty() ? 1.0 : freq[obs_idx];
          const double y = y_block[idx], m = mu_block[idx];
          sums.deviance += fw * 2.0 * (y * log_ratio[idx] - (y - m));
          sums.sm += fw * m;
          sums.syy += fw * y * y;
          sums.smm += fw * m * m;
          sums.sym += fw * y * m;
          const double x = y + 1;
          const double log_factorial =
              y > 0 ? (x >= 10 ? LogFactorialFromLog(x, log_x[idx]) : std::lgamma(x)) : 0.0;
          sums.loglik += fw * (y * eta[obs_idx] - m - log_factorial);
        }
      }
      sums_T[task_idx] = sums;
    });
    Sums total;
    for (const Sums& sums : sums_T) {
      total.deviance += sums.deviance;
      total.sm += sums.sm;
      total.syy += sums.syy;
      total.smm += sums.smm;
      total.sym += sums.sym;
      total.loglik += sums.loglik;
    }
    deviance = total.deviance;
    result.deviance = deviance;
    result.null_deviance = null_dev;
    result.deviance_r2 = 1 - deviance / null_dev;
    result.coef = beta;
    result.coef_names = frame.coef_names;
    const double sw = total_w;
    const double sy = mean_y * total_w;
    const double cov = total.sym / sw - (sy / sw) * (total.sm / sw);
    const double var_y = total.syy / sw - (sy / sw) * (sy / sw);
    const double var_m = total.smm / sw - (total.sm / sw) * (total.sm / sw);
    result.pseudo_r2 = cov * cov / (var_y * var_m);
    result.log_likelihood = total.loglik;
  }
  TraceDetail("stats");
  // The memory of eta_old (no longer needed) takes the residuals, z's
  // (with more from the pool) the final projection of X: fewer fresh pages
  // (faults, peak memory). Variance at the final mu: project X once more with the final weights
  // (warm-started), so the bread and the scores belong to the estimate.
  update_weights();
  projector->SetWeights(weight);
  std::vector<double> resid_N = std::move(eta_old);
  for_rows([&](int64_t begin, int64_t end) {
    for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx)
      resid_N[obs_idx] = frame.y[obs_idx] - mu[obs_idx];
  });
  result.fe_dof = estimate::FixedEffectDof(frame, {});
  if (num_cols > 0) {
    // The IID variance needs only X~'WX~ (the projection's cross products);
    // the sandwich estimators need the scores, hence X~ itself.
    const bool need_x_tilde = options.vcov.type != VcovType::kIid;
    std::vector<double> x_block;
    if (need_x_tilde) {
      x_block = std::move(z);
      x_block.resize(static_cast<size_t>(num_obs) * num_cols);
    }
    // Warm start from the regressors' coefficients of the last iteration.
    std::vector<double> alpha_x(projector->num_levels() * num_cols);
    for (int64_t level = 0; level < projector->num_levels(); ++level) {
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
        alpha_x[level * num_cols + col_idx] = alpha[level * (num_cols + 1) + col_idx + 1];
      }
    }
    // The standard errors need X~ to a few more digits than they print,
    // not to the coefficients' 1e-10: 1e-8 (when the caller asked for no
    // looser) saves a third of the passes of this projection.
    Eigen::MatrixXd gram(num_cols, num_cols);
    projector->Project(frame.X.data(), need_x_tilde ? x_block.data() : nullptr, num_cols, alpha_x,
                       std::max(options.fe_tolerance, 1e-8), options.fe_max_iterations, nullptr,
                       gram.data());
    TraceDetail("X projected");
    // (Without X~ the map has no data; the IID estimator reads only its shape.)
    FinishVariance(frame, options,
                   Eigen::Map<const Eigen::MatrixXd>(need_x_tilde ? x_block.data() : nullptr,
                                                     num_obs, num_cols),
                   weight, resid_N, 1.0, result, &gram, result.fe_dof);
  }
  TraceDetail("variance");
  if (!frame.fe_ids.empty()) {
    // The last step set eta = X beta + D gamma + offset with gamma =
    // alpha_z - alpha_X beta (effect_G), so those are the fixed effects
    // exactly. After a halved last step eta is an average of two iterates:
    // recover them by projecting eta - offset - X beta, which lies in the
    // fixed-effect space.
    // The fixed-effect part of the linear predictor, eta - offset - X beta.
    std::vector<double> fe_part = std::move(resid_N);  // its memory; the residuals are used
    for_rows([&](int64_t begin, int64_t end) {
      for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) {
        double value = eta[obs_idx] - (has_offset ? frame.offset[obs_idx] : 0.0);
        for (int col_idx = 0; col_idx < num_cols; ++col_idx)
          value -= frame.X(obs_idx, col_idx) * beta(col_idx);
        fe_part[obs_idx] = value;
      }
    });
    auto project_fe_part = [&](double tolerance) {
      std::vector<double> coef_G(projector->num_levels(), 0.0), residual(num_obs);
      projector->Project(fe_part.data(), residual.data(), 1, coef_G, tolerance,
                         options.fe_max_iterations);
      return coef_G;
    };
    // Largest gap between fe_part and the sum of the effects, relative to eta.
    auto worst_gap = [&](const std::vector<double>& coef_G) {
      const auto& offsets = projector->offsets_Q();
      std::vector<double> worst_T(threads, 0.0);
      ParallelFor(threads, num_obs, [&](int task_idx, int64_t begin, int64_t end) {
        double worst = 0;
        for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) {
          double value = fe_part[obs_idx];
          for (size_t dim_idx = 0; dim_idx < frame.fe_ids.size(); ++dim_idx)
            value -= coef_G[offsets[dim_idx] + frame.fe_ids[dim_idx][obs_idx]];
          const double gap = std::abs(value) / (1.0 + std::abs(eta[obs_idx]));
          // A NaN gap must fail the check, which std::max would drop.
          worst = std::isnan(gap) ? std::numeric_limits<double>::infinity() : std::max(worst, gap);
        }
        worst_T[task_idx] = worst;
      });
      return *std::max_element(worst_T.begin(), worst_T.end());
    };
    std::vector<double> alpha_fe;
    if (last_halvings == 0 &&
        alpha.size() == static_cast<size_t>(projector->num_levels() * (num_cols + 1))) {
      alpha_fe = effect_G;
    } else {
      alpha_fe = project_fe_part(options.fe_tolerance);
    }
    // If rounding has spoiled the effects, recover them by a fresh projection.
    if (!(worst_gap(alpha_fe) <= 1e-8)) {
      alpha_fe = project_fe_part(options.fe_tolerance * 1e-2);
      const double gap = worst_gap(alpha_fe);
      if (!(gap <= 1e-8)) {
        result.message +=
            fmt::format("; warning: fixed-effect estimates reproduce the fit only to {:.2g}", gap);
      }
    }
    TraceDetail("fe gap");
    ExportFixedEffects(frame, *projector, alpha_fe, result);
  }
  result.seconds_variance = seconds_since(phase_start);
  Trace("variance and fixed effects done");
  if (options.keep_fitted) restore_order(frame, mu, result);
  return result;
}

}  // namespace mizani

#include "estimate/separation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/parallel.h"
#include "common/trace.h"
#include "estimate/frame_ops.h"
#include "estimate/hdfe/fe_projector.h"
#include "estimate/irls_kernels.h"

namespace mizani::estimate {

namespace {

// Weighted least squares with a large weight on y > 0 forces the fit to
// (nearly) zero there; the paper uses the same device. The fit leaks
// about 1 / kPositiveWeight: at 1e6 that is below kZeroTolerance, so
// without separation the first regression already returns fitted values
// under the tolerance and the check ends after one projection (at 1e4 the
// leakage, about 1e-4, forced a second: 21 passes over the data instead
// of 9 on the three-way benchmark, same verdicts on every test).
constexpr double kPositiveWeight = 1e6;
constexpr double kZeroTolerance = 1e-5;
// At a true certificate u lies in the span of X and the fixed effects and
// is zero on y > 0, so the weighted fit reproduces it and the fitted
// values on y > 0 vanish. Where there is no separation only the leakage of
// the finite weight on y > 0 remains, of the same order on both sides. A
// zero is declared separated only when its u exceeds that leakage by this
// factor: without the test, 138 zeros of the Advanced Guide's 2006
// cross-section (u between 8e-6 and 7e-5) were taken for separated, and
// fixest and Stata keep them.
constexpr double kMarginOverLeakage = 100.0;
// An early certificate of no separation (the bound kCertificateBound).
// The iteration is alternating projection, in the inner product weighted
// by W (kPositiveWeight on y > 0, 1 on y = 0), between the span S of X and
// the fixed effects (the weighted regression) and the cone C of vectors
// that are zero on y > 0 and non-negative on y = 0 (setting the positives
// to zero and clipping). A certificate z is a point of S and C; both
// projections are non-expansive and fix z, so ||u_k - t z||_W never grows
// for any t >= 0 (Fejer monotonicity; e.g. Bauschke & Borwein 1996,
// SIAM Review 38). Dividing by t and letting it grow, <u_k, z>_W never
// falls: with u_0 = 1 on the zeros and z = 0 on the positives,
// sum_i z_i u_k,i >= sum_i z_i, so the z-weighted mean of u_k over the
// support of z stays at least 1, and so does its maximum, in every
// iteration and for every certificate. When no zero outcome's fit
// reaches kCertificateBound (slack for the projections' tolerance and the
// zeroing of fits below kZeroTolerance, at most 1e-5 per iteration) no
// certificate exists and the check stops. Without separation the fits on
// the zeros shrink towards zero but the sign test below can need dozens of
// iterations to settle; the bound is met after a few.

// X~'W u~ into cross(1.., 0), by columns, both rebuilt from their
// fixed-effect coefficients (neither is stored).
void CrossXu(const ModelFrame& frame, const std::vector<int64_t>& offsets,
             const std::vector<double>& alpha_u, const std::vector<double>& alpha_x,
             const std::vector<double>& weight, const std::vector<double>& u, int threads,
             Eigen::MatrixXd& cross) {
  const int64_t num_obs = frame.num_obs();
  const int num_cols = static_cast<int>(frame.X.cols());
  const double* X = frame.X.data();
  std::vector<Eigen::VectorXd> partial_T(threads, Eigen::VectorXd::Zero(num_cols));
  ParallelFor(threads, num_obs, [&](int task_idx, int64_t begin, int64_t end) {
    Eigen::VectorXd& partial = partial_T[task_idx];
    for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) {
      const double weighted_u =
          weight[obs_idx] * (u[obs_idx] - EffectAt(frame, offsets, alpha_u.data(), 1, 0, obs_idx));
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
        const double x_tilde = X[col_idx * num_obs + obs_idx] -
                               EffectAt(frame, offsets, alpha_x.data(), num_cols, col_idx, obs_idx);
        partial(col_idx) += x_tilde * weighted_u;
      }
    }
  });
  for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
    cross(col_idx + 1, 0) = 0;
    for (const auto& partial : partial_T) cross(col_idx + 1, 0) += partial(col_idx);
  }
}

// The fixed-effect part of the fitted values, alpha_u - alpha_X gamma, per
// level.
std::vector<double> FittedEffects(const std::vector<double>& alpha_u,
                                  const std::vector<double>& alpha_x,
                                  const Eigen::VectorXd& gamma) {
  const auto num_cols = static_cast<int>(gamma.size());
  std::vector<double> effect_G(alpha_u.size());
  for (size_t level = 0; level < alpha_u.size(); ++level) {
    double value = alpha_u[level];
    for (int col_idx = 0; col_idx < num_cols; ++col_idx)
      value -= alpha_x[level * num_cols + col_idx] * gamma(col_idx);
    effect_G[level] = value;
  }
  return effect_G;
}

// One thread's view of an iteration's fitted values.
struct Tally {
  bool done = true;
  int64_t positive = 0;
  double leakage = 0;
  double largest = 0;  // largest fit on a zero outcome
};

// The threads' tallies combined; each is reset (tasks that got no rows
// leave theirs neutral next time).
Tally SumTallies(std::vector<Tally>& tally_T) {
  Tally total;
  for (Tally& tally : tally_T) {
    total.done = total.done && tally.done;
    total.positive += tally.positive;
    total.leakage = std::max(total.leakage, tally.leakage);
    total.largest = std::max(total.largest, tally.largest);
    tally = Tally();
  }
  return total;
}

void TraceEnding(const SeparationStats& stats) {
  if (!TraceEnabled()) return;
  static constexpr const char* kEndingNames[] = {"no zeros", "fit vanished", "certificate bound",
                                                 "certificate", "iteration limit"};
  Trace(fmt::format("separation: {} regression(s), ended by {} (largest fit on a zero {:.3g})",
                    stats.iterations, kEndingNames[static_cast<int>(stats.ending)],
                    stats.largest_fit));
}

}  // namespace

int64_t DropSeparated(ModelFrame& frame, const EstimateOptions& options, FeProjector& projector,
                      BufferPool& pool, ProjectedRegressors* projected_x, SeparationStats* stats,
                      double certificate_bound) {
  if (projected_x != nullptr) projected_x->available = false;
  SeparationStats local_stats;
  if (stats == nullptr) stats = &local_stats;
  *stats = SeparationStats();
  const int64_t num_obs = frame.num_obs();
  if (std::find(frame.y.begin(), frame.y.end(), 0.0) == frame.y.end()) return 0;

  const int num_cols = static_cast<int>(frame.X.cols());
  const int threads = ResolveThreads(options.threads);
  auto for_rows = [&](auto&& body) {
    ParallelFor(threads, num_obs,
                [&](int task_idx, int64_t begin, int64_t end) { body(task_idx, begin, end); });
  };
  // The certificate u and the weights; X is read where it is.
  std::vector<double> weight = pool.Take(num_obs), u = pool.Take(num_obs);
  for_rows([&](int, int64_t begin, int64_t end) {
    for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) {
      const bool zero = frame.y[obs_idx] == 0;
      weight[obs_idx] = zero ? 1.0 : kPositiveWeight;
      u[obs_idx] = zero ? 1.0 : 0.0;
    }
  });
  TraceDetail("separation: u filled");
  projector.SetWeights(weight);
  // The first pass projects u and X together (one pass over the data
  // carries both) and returns coefficients only: u~ = u - D alpha_u and
  // X~ = X - D alpha_X are evaluated where needed, never stored.
  std::vector<const double*> columns_C(num_cols + 1, u.data());
  for (int col_idx = 0; col_idx < num_cols; ++col_idx)
    columns_C[col_idx + 1] = frame.X.data() + col_idx * num_obs;
  std::vector<double> alpha_first;
  // [u~, X~]' W [u~, X~] (from the projection's output pass) holds X~'WX~
  // and X~'Wu~.
  Eigen::MatrixXd cross(num_cols + 1, num_cols + 1);
  projector.Project(columns_C, nullptr, alpha_first, 1e-6, 5000, nullptr, cross.data());
  const std::vector<int64_t>& offsets = projector.offsets_Q();
  const int64_t num_levels = projector.num_levels();
  // u's coefficients warm-start its later projections.
  std::vector<double> alpha_u(num_levels), alpha_x(num_levels * num_cols);
  for (int64_t level = 0; level < num_levels; ++level) {
    alpha_u[level] = alpha_first[level * (num_cols + 1)];
    for (int col_idx = 0; col_idx < num_cols; ++col_idx)
      alpha_x[level * num_cols + col_idx] = alpha_first[level * (num_cols + 1) + col_idx + 1];
  }
  std::vector<double>().swap(alpha_first);
  Eigen::LDLT<Eigen::MatrixXd> gram_ldlt;
  if (num_cols > 0) gram_ldlt.compute(cross.bottomRightCorner(num_cols, num_cols));
  const double* X = frame.X.data();
  std::vector<const int32_t*> ids_Q(frame.fe_ids.size());
  for (size_t dim_idx = 0; dim_idx < frame.fe_ids.size(); ++dim_idx)
    ids_Q[dim_idx] = frame.fe_ids[dim_idx].data();

  std::vector<uint8_t> separated;  // filled only when the check finds some
  std::vector<Tally> tally_T(threads);
  stats->ending = SeparationEnding::kIterationLimit;
  for (int iteration = 0; iteration < std::max(1, options.separation_max_iterations); ++iteration) {
    stats->iterations = iteration + 1;
    if (iteration > 0) {
      projector.Project(u.data(), nullptr, 1, alpha_u, 1e-5, 5000);
      if (num_cols > 0) CrossXu(frame, offsets, alpha_u, alpha_x, weight, u, threads, cross);
    }
    const Eigen::VectorXd gamma =
        num_cols > 0 ? Eigen::VectorXd(gram_ldlt.solve(cross.col(0).tail(num_cols)))
                     : Eigen::VectorXd();
    // Fitted values of the weighted regression: u - (u~ - X~ gamma)
    // = X gamma + D (alpha_u - alpha_X gamma).
    const std::vector<double> effect_G = FittedEffects(alpha_u, alpha_x, gamma);
    // fitted into u (whose old values are not needed), in blocks that stay
    // in cache for the tally.
    estimate::IrlsRows fit_rows;
    fit_rows.num_obs = num_obs;
    fit_rows.x_NC = X;
    fit_rows.num_cols = num_cols;
    fit_rows.beta_C = gamma.data();
    fit_rows.num_dims = static_cast<int>(ids_Q.size());
    fit_rows.ids_Q = ids_Q.data();
    std::vector<const double*> effect_Q(ids_Q.size());
    for (size_t dim_idx = 0; dim_idx < ids_Q.size(); ++dim_idx)
      effect_Q[dim_idx] = effect_G.data() + offsets[dim_idx];
    fit_rows.effect_Q = effect_Q.data();
    fit_rows.eta_N = u.data();
    for_rows([&](int task_idx, int64_t begin, int64_t end) {
      Tally tally;
      constexpr int64_t kBlock = 512;
      for (int64_t block_begin = begin; block_begin < end; block_begin += kBlock) {
        const int64_t block_end = std::min(end, block_begin + kBlock);
        estimate::LinearPredictor(fit_rows, block_begin, block_end);
        for (int64_t obs_idx = block_begin; obs_idx < block_end; ++obs_idx) {
          double fitted = u[obs_idx];
          if (frame.y[obs_idx] != 0) {
            tally.leakage = std::max(tally.leakage, std::abs(fitted));
            u[obs_idx] = 0;
            continue;
          }
          tally.largest = std::max(tally.largest, fitted);
          if (std::abs(fitted) < kZeroTolerance) fitted = 0;
          if (fitted < 0) tally.done = false;
          tally.positive += fitted > 0;
          u[obs_idx] = std::max(fitted, 0.0);
        }
      }
      tally_T[task_idx] = tally;
    });
    const Tally total = SumTallies(tally_T);
    stats->largest_fit = total.largest;
    if (TraceLevel() >= 2) {
      TraceDetail(
          fmt::format("separation: iteration {}, largest fit on a zero {:.3g}, leakage {:.3g}",
                      iteration + 1, total.largest, total.leakage));
    }
    if (total.positive == 0) {  // the fit is zero everywhere: no separation
      stats->ending = SeparationEnding::kFitVanished;
      break;
    }
    if (total.done) {
      stats->ending = SeparationEnding::kCertificate;
      separated.assign(num_obs, 0);
      for_rows([&](int, int64_t begin, int64_t end) {
        for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) {
          separated[obs_idx] =
              u[obs_idx] > kMarginOverLeakage * total.leakage && u[obs_idx] > kZeroTolerance;
        }
      });
      break;
    }
    // Checked after the sign test, so a design the ReLU iterations settle
    // keeps its verdict; the bound only ends iterations that would go on.
    if (total.largest < certificate_bound) {
      stats->ending = SeparationEnding::kCertificateBound;
      break;
    }
  }
  TraceEnding(*stats);
  projector.SetWeights({});  // it referenced `weight`, which goes back to the pool
  pool.Give(std::move(weight));
  pool.Give(std::move(u));
  const bool any = std::find(separated.begin(), separated.end(), 1) != separated.end();
  if (!any) {
    if (projected_x != nullptr) {
      projected_x->available = true;
      projected_x->gram = cross.bottomRightCorner(num_cols, num_cols) / kPositiveWeight;
      projected_x->alpha = std::move(alpha_x);
    }
    return 0;
  }
  for (uint8_t& flag : separated) flag = flag == 0 ? 1 : 0;  // now: keep
  return CompactFrame(frame, separated, DropReason::kSeparated);
}

}  // namespace mizani::estimate

#include "estimate/separation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "common/parallel.h"
#include "common/trace.h"
#include "estimate/fit_stages.h"
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
// The screen: before the ReLU iterations, a few regressions under a
// smaller weight on y > 0, which only the bound (kCertificateBound, below)
// may end. The bound's argument holds for any weights that are 1 on the zeros,
// and the weighted projection is far better conditioned at 1e3 than at
// 1e6: on the seventh benchmark process (small counts, bench/README.md,
// session 22) [u, X] needed 82 passes to 1e-6 against 445, and the
// largest fit on a zero was 0.842 against 0.808. Below 1e3 the fits on the
// zeros rise towards the share of zeros in a pair (at 1e2: 0.997 there,
// past the bound), so the screen stops proving anything. When it does not
// end the check, the iterations start again from u = 1 under
// kPositiveWeight, warm-started from the screen's coefficients: one
// regression more, on designs that have separated rows or a largest fit
// between the two weights' on either side of the bound.
constexpr double kScreenPositiveWeight = 1e3;
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
// reaches kCertificateBound (a slack of 0.1 for the projections' tolerance
// and the zeroing of fits below kZeroTolerance, at most 1e-5 per
// iteration) no certificate exists and the check stops. Without separation the fits on
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
  if (frame.shard_comm != nullptr) {
    Eigen::VectorXd sums = cross.col(0).tail(num_cols);
    frame.shard_comm->AllreduceSum(std::span<double>(sums.data(), sums.size()));
    cross.col(0).tail(num_cols) = sums;
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
  int64_t pinned = 0;  // zeros pinned in this iteration
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
    total.pinned += tally.pinned;
    tally = Tally();
  }
  return total;
}

void TraceEnding(const SeparationStats& stats) {
  if (!TraceEnabled()) return;
  static constexpr const char* kEndingNames[] = {"no zeros", "fit vanished", "certificate bound",
                                                 "certificate", "iteration limit"};
  Trace(fmt::format(
      "separation: {} screen(s) and {} regression(s) in {} round(s), ended by {} (largest fit on "
      "a zero {:.3g}; {} zero(s) pinned)",
      stats.screens, stats.iterations, stats.rounds, kEndingNames[static_cast<int>(stats.ending)],
      stats.largest_fit, stats.pinned));
}

// Projects [u, X] together (one pass over the data carries every column)
// under the projector's current weights, warm-started from alpha_u and
// alpha_x when they are sized, and returns their coefficients there:
// u~ = u - D alpha_u and X~ = X - D alpha_X are evaluated where needed,
// never stored. cross receives [u~, X~]' W [u~, X~] from the output pass.
// To kJointTolerance in at most max_passes passes; returns the projector's
// account (whether it got there, and how close it came).
constexpr double kJointTolerance = 1e-6;
ProjectionStats ProjectJoint(FeProjector& projector, const std::vector<const double*>& columns_C,
                             std::vector<double>& alpha_u, std::vector<double>& alpha_x,
                             Eigen::MatrixXd& cross, double tolerance = kJointTolerance,
                             int max_passes = 5000) {
  const int num_cols = static_cast<int>(columns_C.size()) - 1;
  const int64_t num_levels = projector.num_levels();
  const int stride = num_cols + 1;
  std::vector<double> alpha_joint;
  if (static_cast<int64_t>(alpha_u.size()) == num_levels) {
    alpha_joint.resize(num_levels * stride);
    for (int64_t level = 0; level < num_levels; ++level) {
      alpha_joint[level * stride] = alpha_u[level];
      for (int col_idx = 0; col_idx < num_cols; ++col_idx)
        alpha_joint[level * stride + col_idx + 1] = alpha_x[level * num_cols + col_idx];
    }
  }
  const ProjectionStats stats = projector.Project(columns_C, nullptr, alpha_joint, tolerance,
                                                  max_passes, nullptr, cross.data());
  alpha_u.resize(num_levels);
  alpha_x.resize(num_levels * num_cols);
  for (int64_t level = 0; level < num_levels; ++level) {
    alpha_u[level] = alpha_joint[level * stride];
    for (int col_idx = 0; col_idx < num_cols; ++col_idx)
      alpha_x[level * num_cols + col_idx] = alpha_joint[level * stride + col_idx + 1];
  }
  return stats;
}

// What one row's fit tells the tally, and the row's new u: a positive
// outcome or a pinned zero (held at zero the same way) measures the
// leakage; a zero's fit is clipped, and with `was_negative` (the
// acceleration) a zero negative twice running is pinned.
void TallyRow(double y, double fitted, bool pin, uint8_t* was_negative, double& weight, double& u,
              Tally& tally) {
  if (y != 0 || weight == kPositiveWeight) {
    tally.leakage = std::max(tally.leakage, std::abs(fitted));
    u = 0;
    return;
  }
  tally.largest = std::max(tally.largest, fitted);
  if (std::abs(fitted) < kZeroTolerance) fitted = 0;
  if (fitted < 0) tally.done = false;
  if (was_negative != nullptr) {
    if (pin && fitted < 0 && *was_negative != 0) {
      weight = kPositiveWeight;
      ++tally.pinned;
    }
    *was_negative = fitted < 0;
  }
  tally.positive += fitted > 0;
  u = std::max(fitted, 0.0);
}

// The largest fit on a zero "stalls" when it keeps this share of its value
// from one iteration to the next. With a certificate it stays at 1 or
// above (the bound's argument); without one it shrinks geometrically (by
// 12% a regression on the unbalanced panel of docs/estimation.md, where
// pinning would have cost four regressions before the bound ended the
// check anyway).
constexpr double kStall = 0.99;
// The projections of the certificate after the first, while no exact
// verdict is near. On the unbalanced panel of docs/estimation.md a
// regression took 34 passes over the data at 1e-5 and 20 at this
// tolerance, and the largest fits on the zeros (0.675, 0.595, 0.525, 0.464)
// agreed to the digits printed. On the sixth benchmark process (small
// counts, years missing at random) 22 regressions at this tolerance and at
// 1e-5 gave largest fits within 6.6e-7 of each other (from 1.37 down to
// 0.05), and within 1e-9 on the third process: far inside the bound's
// slack of 0.1. At most kLooseIterations of them in a round.
constexpr double kLooseTolerance = 1e-2;
constexpr int kLooseIterations = 20;
// The screen's regressions at most (RunScreen). The bound's argument holds
// for every iteration under the screen's weights, not only the first, and
// later regressions project u alone, loosely. On a small-counts panel
// (bench/gravity_panels.py small 560 40 1, session 33) the screen's first
// regression left a largest fit of 0.993 on a zero; the iterations under
// 1e6 then took 0.988 and, after solving [u, X] exactly (354 passes, 1.6
// s of a 3.4 s fit), 0.813, which the bound accepted.
constexpr int kScreenRegressions = 6;
// The tolerance of the projections that only the bound may judge: the
// first joint projection past its budget (StartRound) and the screen's
// projections of u. On that panel, against projections solved to 1e-6 and
// 1e-9 (largest fits 1.03 and 0.859 in the screen's first two
// regressions), 1e-2 gave 0.993 and 0.830 (an error of a third of the
// bound's slack), 1e-3 1.02 and 0.850, 1e-4 1.03 and 0.859, for 15 + 18 +
// 43 passes against 15 + 0 + 21 at 1e-2.
constexpr double kBoundTolerance = 1e-4;

// One iteration's fitted values of the weighted regression, u - (u~ - X~
// gamma) = X gamma + D (alpha_u - alpha_X gamma), into u (whose old values
// are not needed), tallied row by row (TallyRow) in blocks that stay in
// cache.
Tally FitAndTally(const ModelFrame& frame, const std::vector<int64_t>& offsets,
                  const Eigen::VectorXd& gamma, const std::vector<double>& alpha_u,
                  const std::vector<double>& alpha_x, bool pin, std::vector<uint8_t>& was_negative,
                  std::vector<double>& weight, std::vector<double>& u, int threads) {
  const int64_t num_obs = frame.num_obs();
  const int num_cols = static_cast<int>(frame.X.cols());
  std::vector<const int32_t*> ids_Q(frame.fe_ids.size());
  for (size_t dim_idx = 0; dim_idx < frame.fe_ids.size(); ++dim_idx)
    ids_Q[dim_idx] = frame.fe_ids[dim_idx].data();
  std::vector<Tally> tally_T(threads);
  const std::vector<double> effect_G = FittedEffects(alpha_u, alpha_x, gamma);
  estimate::IrlsRows fit_rows;
  fit_rows.num_obs = num_obs;
  fit_rows.x_NC = frame.X.data();
  fit_rows.num_cols = num_cols;
  fit_rows.beta_C = gamma.data();
  fit_rows.num_dims = static_cast<int>(ids_Q.size());
  fit_rows.ids_Q = ids_Q.data();
  std::vector<const double*> effect_Q(ids_Q.size());
  for (size_t dim_idx = 0; dim_idx < ids_Q.size(); ++dim_idx)
    effect_Q[dim_idx] = effect_G.data() + offsets[dim_idx];
  fit_rows.effect_Q = effect_Q.data();
  fit_rows.eta_N = u.data();
  ParallelFor(threads, num_obs, [&](int task_idx, int64_t begin, int64_t end) {
    Tally tally;
    constexpr int64_t kBlock = 512;
    for (int64_t block_begin = begin; block_begin < end; block_begin += kBlock) {
      const int64_t block_end = std::min(end, block_begin + kBlock);
      estimate::LinearPredictor(fit_rows, block_begin, block_end);
      for (int64_t obs_idx = block_begin; obs_idx < block_end; ++obs_idx) {
        TallyRow(frame.y[obs_idx], u[obs_idx], pin,
                 was_negative.empty() ? nullptr : &was_negative[obs_idx], weight[obs_idx],
                 u[obs_idx], tally);
      }
    }
    tally_T[task_idx] = tally;
  });
  Tally total = SumTallies(tally_T);
  if (frame.shard_comm != nullptr) {
    // The whole sample's tally: counts summed, the rest as maxima (done as
    // "some rank not done").
    int64_t counts[2] = {total.positive, total.pinned};
    frame.shard_comm->AllreduceSum(std::span<int64_t>(counts));
    double maxima[3] = {total.leakage, total.largest, total.done ? 0.0 : 1.0};
    frame.shard_comm->AllreduceMax(std::span<double>(maxima));
    total.positive = counts[0];
    total.pinned = counts[1];
    total.leakage = maxima[0];
    total.largest = maxima[1];
    total.done = maxima[2] == 0.0;
  }
  return total;
}

// A round's certificate u, its weights and the coefficients of their
// joint projection with X (read where it is): [u~, X~]' W [u~, X~]
// (`cross`) holds X~'WX~ and X~'Wu~, and u's coefficients warm-start its
// later projections.
struct RoundVectors {
  std::vector<double> weight, u;
  std::vector<const double*> columns_C;  // u, then the columns of X
  Eigen::MatrixXd cross;
  std::vector<double> alpha_u, alpha_x;
  Eigen::LDLT<Eigen::MatrixXd> gram_ldlt;    // of X~'WX~
  double positive_weight = kPositiveWeight;  // on y > 0 in the current weights

  int num_cols() const { return static_cast<int>(columns_C.size()) - 1; }
  void Factorise() {
    if (num_cols() > 0) gram_ldlt.compute(cross.bottomRightCorner(num_cols(), num_cols()));
  }
  // The regressors' coefficients in the weighted regression of u.
  Eigen::VectorXd Gamma() const {
    return num_cols() > 0 ? Eigen::VectorXd(gram_ldlt.solve(cross.col(0).tail(num_cols())))
                          : Eigen::VectorXd();
  }
};

// Starts the iterations: u = 1 on the zeros, weights 1 there and
// `weight_on_positive` on the positive outcomes, and the first joint
// projection (warm-started from the coefficients already in `vectors`, if
// any). Returns whether [u~, X~] was solved to kJointTolerance
// (kFirstJointPasses, separation.h, says why it may not be).
bool StartRound(const ModelFrame& frame, FeProjector& projector, int threads,
                double weight_on_positive, int first_joint_passes, SeparationStats* stats,
                RoundVectors& vectors) {
  const int64_t num_obs = frame.num_obs();
  const int num_cols = static_cast<int>(frame.X.cols());
  vectors.positive_weight = weight_on_positive;
  vectors.columns_C.assign(num_cols + 1, vectors.u.data());
  for (int col_idx = 0; col_idx < num_cols; ++col_idx)
    vectors.columns_C[col_idx + 1] = frame.X.data() + col_idx * num_obs;
  vectors.cross.resize(num_cols + 1, num_cols + 1);
  ParallelFor(threads, num_obs, [&](int, int64_t begin, int64_t end) {
    for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) {
      const bool zero = frame.y[obs_idx] == 0;
      vectors.weight[obs_idx] = zero ? 1.0 : weight_on_positive;
      vectors.u[obs_idx] = zero ? 1.0 : 0.0;
    }
  });
  TraceDetail("separation: u filled");
  projector.SetWeights(vectors.weight);
  const bool exact = ProjectJoint(projector, vectors.columns_C, vectors.alpha_u, vectors.alpha_x,
                                  vectors.cross, kJointTolerance, std::max(1, first_joint_passes))
                         .converged;
  if (!exact) {
    ++stats->loose_first_projections;
    const ProjectionStats loose = ProjectJoint(projector, vectors.columns_C, vectors.alpha_u,
                                               vectors.alpha_x, vectors.cross, kBoundTolerance);
    if (TraceLevel() >= 2) {
      TraceDetail(fmt::format(
          "separation: the first projection took over {} passes; to {:.0e} (relative residual "
          "{:.2g}) for the bound",
          first_joint_passes, kBoundTolerance, loose.worst_relative_residual));
    }
  }
  vectors.Factorise();
  return exact;
}

// Projects u alone to `tolerance`, warm-started from alpha_u (X~ does not
// change with u), and refreshes X~'Wu~ in vectors.cross: what every
// regression after a round's first needs while the weights stay.
void ProjectCertificate(const ModelFrame& frame, FeProjector& projector,
                        const std::vector<int64_t>& offsets, double tolerance, int threads,
                        RoundVectors& vectors) {
  projector.Project(vectors.u.data(), nullptr, 1, vectors.alpha_u, tolerance, 5000);
  if (vectors.num_cols() > 0) {
    CrossXu(frame, offsets, vectors.alpha_u, vectors.alpha_x, vectors.weight, vectors.u, threads,
            vectors.cross);
  }
}

// The screen: up to kScreenRegressions regressions under
// kScreenPositiveWeight, after StartRound, whose only possible verdict is
// the bound's. The first projects [u, X]; the later ones only u, to
// kBoundTolerance, warm-started (X~ does not change with u). Returns
// whether the bound ended the check. It stops when the largest fit on a
// zero, falling at the rate of its last regression, would not get below
// the bound within the regressions left: a certificate holds it at 1 or
// above, so on a design with separated rows the screen costs one loose
// projection of u more than a single regression would.
bool RunScreen(const ModelFrame& frame, FeProjector& projector, const std::vector<int64_t>& offsets,
               double certificate_bound, int threads, SeparationStats* stats,
               RoundVectors& vectors) {
  std::vector<uint8_t> no_pins;
  double previous = 0;
  for (int regression = 0; regression < kScreenRegressions; ++regression) {
    if (regression > 0)
      ProjectCertificate(frame, projector, offsets, kBoundTolerance, threads, vectors);
    ++stats->screens;
    const Tally total =
        FitAndTally(frame, offsets, vectors.Gamma(), vectors.alpha_u, vectors.alpha_x, false,
                    no_pins, vectors.weight, vectors.u, threads);
    stats->largest_fit = total.largest;
    if (TraceLevel() >= 2) {
      TraceDetail(
          fmt::format("separation: screen regression {} (weight {:.0e} on positive outcomes), "
                      "largest fit on a zero {:.3g}",
                      regression + 1, kScreenPositiveWeight, total.largest));
    }
    if (total.largest < certificate_bound) return true;
    if (regression > 0) {
      const double rate = previous > 0 ? total.largest / previous : 1.0;
      const int left = kScreenRegressions - 1 - regression;
      if (rate >= 1.0 || total.largest * std::pow(rate, left) >= certificate_bound) return false;
    }
    previous = total.largest;
  }
  return false;
}

// What one run of the ReLU iterations found.
struct ReluRound {
  std::vector<uint8_t> separated;  // per row; empty when none was found
  bool found = false;              // some row was found separated (on some rank)
  bool pinned = false;             // some zero was pinned (accelerated)
  bool verdict = false;            // an ending that proves the sample is complete
};

// One run of the ReLU iterations on the frame as it is, at most
// `max_iterations` regressions, after the screen (kScreenPositiveWeight)
// when the bound is on (`certificate_bound` > 0). From iteration `pin_from` (0-based; never
// when it is past the limit), while the largest fit on a zero stalls (it
// fell by less than kStall in the last iteration: a certificate holds it
// up, where without one it shrinks and the bound ends the round soon), a
// zero whose fit is negative in two successive iterations is pinned: its
// weight becomes kPositiveWeight, so later fits hold it at zero as they
// hold the positive outcomes. The iterations are then alternating projections onto a smaller
// cone (z = 0 on the pinned zeros as well), whose points are still
// certificates of the whole sample: every row the round calls separated is
// separated. What pinning gives up is maximality (a pinned zero could have
// belonged to a certificate's support) and the bound's proof (the Fejer
// argument needs one inner product throughout), so a pinned round is never a
// verdict of completeness: DropSeparated checks the rest again. Pinning is
// what ppmlhdfe's "accelerate" option does by degrees (weights times 4 up
// to 256 on zeros stuck below zero); here the weight jumps at once, since
// the later plain round keeps the answer exact.
ReluRound RunReluRound(const ModelFrame& frame, const EstimateOptions& options,
                       FeProjector& projector, BufferPool& pool, ProjectedRegressors* projected_x,
                       SeparationStats* stats, double certificate_bound, int pin_from,
                       int max_iterations, int first_joint_passes) {
  ReluRound round;
  ++stats->rounds;
  const int64_t num_obs = frame.num_obs();

  const int num_cols = static_cast<int>(frame.X.cols());
  const int threads = ResolveThreads(options.threads);
  auto for_rows = [&](auto&& body) {
    ParallelFor(threads, num_obs,
                [&](int task_idx, int64_t begin, int64_t end) { body(task_idx, begin, end); });
  };
  // The certificate u and the weights; X is read where it is.
  RoundVectors vectors;
  vectors.weight = pool.Take(num_obs);
  vectors.u = pool.Take(num_obs);
  std::vector<double>& weight = vectors.weight;
  std::vector<double>& u = vectors.u;
  Eigen::MatrixXd& cross = vectors.cross;
  std::vector<double>& alpha_u = vectors.alpha_u;
  std::vector<double>& alpha_x = vectors.alpha_x;
  const std::vector<int64_t>& offsets = projector.offsets_Q();
  // Per row, with `accelerate`, from the second iteration on: the fit was
  // negative in the previous iteration.
  std::vector<uint8_t> was_negative;
  bool joint_exact = false;
  bool screened = false;  // the screen proved there is no certificate
  if (certificate_bound > 0) {
    joint_exact = StartRound(frame, projector, threads, kScreenPositiveWeight, first_joint_passes,
                             stats, vectors);
    screened = RunScreen(frame, projector, offsets, certificate_bound, threads, stats, vectors);
  }
  if (!screened) {
    joint_exact =
        StartRound(frame, projector, threads, kPositiveWeight, first_joint_passes, stats, vectors);
  }
  // Until an iteration ends the round otherwise.
  stats->ending =
      screened ? SeparationEnding::kCertificateBound : SeparationEnding::kIterationLimit;
  std::vector<uint8_t>& separated = round.separated;  // filled only when some are found
  bool reweighted = false;  // weights changed since [u, X] was last projected
  // The largest fit on a zero in the last two iterations, and whether it
  // stalled between them (kStall).
  double last_largest = 0;
  double before_last_largest = 0;
  auto stalled = [&] { return last_largest >= kStall * before_last_largest; };
  // Iterations after the first project u loosely (kLooseTolerance) until
  // one of them might end the round other than by the bound; from then on
  // (`tight`) every projection is exact enough for the sign test.
  bool tight = false;
  for (int iteration = 0; !screened && iteration < std::max(1, max_iterations); ++iteration) {
    ++stats->iterations;
    // (A loose first projection: only the bound may end the first iteration.)
    bool exact = iteration > 0 || joint_exact;
    if (reweighted || (iteration > 0 && !joint_exact)) {
      // New weights change X~ as well as u~, and a loose X~ (the first
      // projection's) would spoil every later fit: both are projected
      // again, warm-started from their coefficients, with X~'WX~ from the
      // output pass.
      if (reweighted) projector.SetWeights(weight);
      ProjectJoint(projector, vectors.columns_C, alpha_u, alpha_x, cross);
      vectors.Factorise();
      reweighted = false;
      joint_exact = true;
    } else if (iteration > 0) {
      exact = tight;
      ProjectCertificate(frame, projector, offsets, exact ? 1e-5 : kLooseTolerance, threads,
                         vectors);
    }
    // (Allocated only once the iterations have not settled the check.)
    if (iteration > 0 && iteration == pin_from - 1) was_negative.assign(num_obs, 0);
    const bool pin = exact && iteration >= pin_from && !was_negative.empty() && stalled();
    const Tally total = FitAndTally(frame, offsets, vectors.Gamma(), alpha_u, alpha_x, pin,
                                    was_negative, weight, u, threads);
    stats->largest_fit = total.largest;
    before_last_largest = last_largest;
    last_largest = total.largest;
    if (total.pinned > 0) {
      stats->pinned += total.pinned;
      round.pinned = true;
      reweighted = true;
    }
    if (TraceLevel() >= 2) {
      TraceDetail(
          fmt::format("separation: iteration {}, largest fit on a zero {:.3g}, leakage {:.3g}",
                      iteration + 1, total.largest, total.leakage));
    }
    // On a loose projection only the bound may end the round (its slack
    // dwarfs the error); the sign tests wait for an exact one.
    if (exact && total.positive == 0) {  // the fit is zero everywhere: no separation
      stats->ending = SeparationEnding::kFitVanished;
      break;
    }
    if (exact && total.done) {
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
    // Its proof needs the weights of the first iteration: not once pinned.
    if (!round.pinned && total.largest < certificate_bound) {
      stats->ending = SeparationEnding::kCertificateBound;
      break;
    }
    // A sign test that would pass, a stalled largest fit or a long run turn
    // the exact projections on.
    if (!exact) {
      tight = total.done || total.positive == 0 || stalled() || iteration >= kLooseIterations;
    }
  }
  round.verdict = !round.pinned && stats->ending != SeparationEnding::kIterationLimit;
  projector.SetWeights({});  // it referenced `weight`, which goes back to the pool
  pool.Give(std::move(weight));
  pool.Give(std::move(u));
  int64_t found = std::count(separated.begin(), separated.end(), uint8_t{1});
  if (frame.shard_comm != nullptr) frame.shard_comm->AllreduceSum(std::span<int64_t>(&found, 1));
  round.found = found > 0;
  if (!round.found) {
    separated.clear();
    if (projected_x != nullptr && !round.pinned && joint_exact) {
      projected_x->available = true;
      projected_x->gram = cross.bottomRightCorner(num_cols, num_cols) / vectors.positive_weight;
      projected_x->alpha = std::move(alpha_x);
    }
  }
  return round;
}

}  // namespace

// Rounds of the ReLU iterations until one gives a verdict. Dropping rows
// that a certificate z separates leaves the separated rows of the rest as
// they were: a certificate z' of the smaller sample plus t z, for t large
// enough to lift z' wherever z > 0, is one of the whole sample, and z
// restricted to the rest is one of the smaller sample. So a round that
// pinned zeros drops what it found, and the next round, on the rows left,
// finds the remainder or proves there is none; the union is the set one
// plain run of the iterations would find, usually in far fewer regressions
// (tests/estimate/separation_test.cc compares both).
int64_t DropSeparated(ModelFrame& frame, const EstimateOptions& options, FeProjector& projector,
                      BufferPool& pool, ProjectedRegressors* projected_x, SeparationStats* stats,
                      double certificate_bound, bool accelerate, int first_joint_passes) {
  if (projected_x != nullptr) projected_x->available = false;
  SeparationStats local_stats;
  if (stats == nullptr) stats = &local_stats;
  *stats = SeparationStats();
  int64_t zeros = std::find(frame.y.begin(), frame.y.end(), 0.0) != frame.y.end() ? 1 : 0;
  if (frame.shard_comm != nullptr) frame.shard_comm->AllreduceMax(std::span<int64_t>(&zeros, 1));
  if (zeros == 0) return 0;
  const int budget = std::max(1, options.separation_max_iterations);
  std::unique_ptr<FeProjector> own_projector;  // once rows were dropped
  FeProjector* current = &projector;
  int64_t dropped = 0;
  // Pinning needs two regressions' signs; it starts with the third.
  constexpr int kPinFrom = 2;
  constexpr int kNever = std::numeric_limits<int>::max();
  int pin_from = accelerate ? kPinFrom : kNever;
  while (true) {
    ReluRound round =
        RunReluRound(frame, options, *current, pool, dropped == 0 ? projected_x : nullptr, stats,
                     certificate_bound, pin_from, budget - stats->iterations, first_joint_passes);
    if (round.found) {
      for (uint8_t& flag : round.separated) flag = flag == 0 ? 1 : 0;  // now: keep
      dropped += CompactFrame(frame, round.separated, DropReason::kSeparated);
      if (round.verdict) break;  // a plain round's certificate has the largest support
      own_projector = MakeFitProjector(frame, options, frame.shard_comm);
      current = own_projector.get();
    } else if (round.verdict || stats->ending == SeparationEnding::kIterationLimit) {
      break;
    } else {
      pin_from = kNever;  // pinned, found nothing: not a proof; plain iterations decide
    }
    if (stats->iterations >= budget) {
      stats->ending = SeparationEnding::kIterationLimit;
      break;
    }
  }
  stats->dropped = dropped;
  TraceEnding(*stats);
  return dropped;
}

namespace {

// What one pass over the rows tells of a column (DropSeparatedByOneRegressor).
struct ColumnSigns {
  bool on_positive = false;  // not zero on some positive outcome
  bool above = false;        // positive on some zero outcome
  bool below = false;        // negative on some zero outcome
};

}  // namespace

int64_t DropSeparatedByOneRegressor(ModelFrame& frame, int threads,
                                    std::vector<std::string>* names) {
  const int num_cols = static_cast<int>(frame.X.cols());
  int64_t dropped = 0;
  // (A sharded frame: the ranks decide together, whatever rows each holds.)
  while ((frame.shard_comm != nullptr || frame.num_obs() > 0) && num_cols > 0) {
    const int64_t num_obs = frame.num_obs();
    const double* X = frame.X.data();
    const double* y = frame.y.data();
    const int task_count = std::max(1, threads);
    std::vector<std::vector<ColumnSigns>> signs_T(task_count, std::vector<ColumnSigns>(num_cols));
    ParallelFor(task_count, num_obs, [&](int task_idx, int64_t begin, int64_t end) {
      std::vector<ColumnSigns>& signs_C = signs_T[task_idx];
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
        const double* x = X + col_idx * num_obs;
        ColumnSigns& signs = signs_C[col_idx];
        for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) {
          if (x[obs_idx] == 0) continue;
          if (y[obs_idx] != 0) {
            signs.on_positive = true;
            break;  // the column cannot prove anything
          }
          (x[obs_idx] > 0 ? signs.above : signs.below) = true;
        }
      }
    });
    // Each column's three flags, over the threads (and the ranks).
    std::vector<int64_t> flags_C(3 * static_cast<size_t>(num_cols), 0);
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
      for (const auto& signs_C : signs_T) {
        flags_C[3 * col_idx] |= static_cast<int64_t>(signs_C[col_idx].on_positive);
        flags_C[3 * col_idx + 1] |= static_cast<int64_t>(signs_C[col_idx].above);
        flags_C[3 * col_idx + 2] |= static_cast<int64_t>(signs_C[col_idx].below);
      }
    }
    if (frame.shard_comm != nullptr) frame.shard_comm->AllreduceMax(std::span<int64_t>(flags_C));
    std::vector<uint8_t> keep;
    bool any_column = false;
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
      const bool on_positive = flags_C[3 * col_idx] != 0;
      const bool above = flags_C[3 * col_idx + 1] != 0, below = flags_C[3 * col_idx + 2] != 0;
      if (on_positive || above == below) continue;  // mixed, or zero
      if (!any_column) keep.assign(num_obs, 1);
      any_column = true;
      const double* x = X + col_idx * num_obs;
      for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx)
        if (x[obs_idx] != 0) keep[obs_idx] = 0;
      if (names != nullptr && col_idx < static_cast<int>(frame.coef_names.size()))
        names->push_back(frame.coef_names[col_idx]);
    }
    if (!any_column) break;
    dropped += CompactFrame(frame, keep, DropReason::kSeparated);
  }
  return dropped;
}

}  // namespace mizani::estimate

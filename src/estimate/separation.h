// Detection of observations separated by the regressors and fixed effects.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "common/buffer_pool.h"
#include "estimate/hdfe/fe_projector.h"
#include "mizani/estimate.h"

namespace mizani::estimate {

// The ReLU method of Correia, Guimarães & Zylkin (2021, "Verifying the
// existence of maximum likelihood estimates for generalized linear models",
// Econometrics Journal; ppmlhdfe): find z in the span of X and the fixed
// effects with z = 0 where y > 0 and z >= 0 where y = 0. Observations with
// z > 0 are separated: their PPML fitted value tends to zero and some
// coefficient diverges. They are removed (counted under kSeparated); the
// remaining estimates are then those ppmlhdfe reports. Returns the number
// of observations dropped.
// `projector` is built on the frame's fixed effects; its weights are
// changed. It is stale once rows were dropped.
// Work arrays come from and go back to `pool`.
//
// The check's first projection carries X as well as the certificate, under
// weights 1 where y > 0 and 1 / K where y = 0 (rescaled; K is 1e6, or 1e3
// when the screen, separation.cc, ends the check). When nothing is dropped,
// `projected_x` (may be null) receives what the fit can reuse from it:
// X~'WX~ under those weights and the fixed-effect coefficients of X
// (level-major), and `available` is set.
struct ProjectedRegressors {
  bool available = false;
  Eigen::MatrixXd gram;       // X~' W X~, W = 1 (y > 0), 1 / K (y = 0), K <= 1e6
  std::vector<double> alpha;  // alpha_GC of X, num_levels x num_cols
};
// How the ReLU iterations ended (for traces and tests).
enum class SeparationEnding {
  kNoZeros,           // no zero outcome: nothing to check
  kFitVanished,       // the fit is zero on every zero outcome: no separation
  kCertificateBound,  // no zero outcome's fit reaches kCertificateBound: no separation
  kCertificate,       // a non-negative fit on the zeros: those above the leakage are separated
  kIterationLimit,    // no verdict within the limit: only rows proven separated dropped
};
struct SeparationStats {
  SeparationEnding ending = SeparationEnding::kNoZeros;  // of the last round
  int iterations = 0;      // weighted regressions (projections of the certificate), all rounds
  int rounds = 0;          // runs of the iterations (a new one after an accelerated drop)
  int64_t pinned = 0;      // zeros pinned by the acceleration, all rounds
  int64_t dropped = 0;     // rows dropped as separated, all rounds
  double largest_fit = 0;  // largest fit on a zero outcome in the last iteration
  // Rounds whose first projection was taken only to 1e-4 (kFirstJointPasses),
  // the screen's included.
  int loose_first_projections = 0;
  // Regressions of the screen (a smaller weight on the positive outcomes,
  // separation.cc), up to six a round while the bound is on; not in
  // `iterations`.
  int screens = 0;
};
// Below this, no zero outcome's fit can belong to a certificate's support
// (separation.cc explains why); the slack below 1 absorbs the projections'
// tolerance and the zeroing of fits under 1e-5. Loose and exact projections
// gave the same largest fits to 6.6e-7 over 22 regressions (separation.cc),
// so 0.1 of slack is five orders of magnitude more than was seen; it was
// 0.5, which cost four more regressions on the sixth process (fits shrink
// by about 15% a regression). `certificate_bound` = 0 switches the early
// stop off (tests compare both).
inline constexpr double kCertificateBound = 0.9;

// The first joint projection of [u, X] in a round (the screen's, and the
// first regression's under 1e6) is solved to 1e-6 when that takes at most
// this many passes (8-11 on the benchmark processes; X~ is then reused by
// the collinearity check and the IRLS start). The weights 1 on zeros and
// 1e6 on positive outcomes can make it far harder: on a panel of small
// counts (89% zeros, years missing at random; bench/README.md, session 21)
// it took 445 passes, and the bound then ended the check after that one
// regression with the same largest fit on a zero (0.808) as after 93
// passes to 1e-2. The screen's weight 1e3 needs 82 there, and its relative
// residual was 3.3e-3 after 15 (session 22). Past the budget the
// projection is taken only to 1e-4 (kBoundTolerance, separation.cc; 1e-2
// until session 33, which on a small-counts panel left the largest fit on a
// zero 0.037 under its exact value), which lets the bound end the check, and
// solved to 1e-6 before any iteration that could end it otherwise; the
// collinearity check then projects X itself (11 passes there, under unit
// weights). The budget was 40 before the screen.
inline constexpr int kFirstJointPasses = 15;

// `accelerate` pins zeros whose fit stays negative (separation.cc); the
// rows dropped are the same either way, in fewer regressions where the
// plain iterations crawl. At most options.separation_max_iterations
// regressions in all; reaching them ends with kIterationLimit, and rows
// already dropped by then were separated. `first_joint_passes`: the budget
// above (tests set it to 1 to take the loose first projection on small
// designs).
int64_t DropSeparated(ModelFrame& frame, const EstimateOptions& options, FeProjector& projector,
                      BufferPool& pool, ProjectedRegressors* projected_x = nullptr,
                      SeparationStats* stats = nullptr,
                      double certificate_bound = kCertificateBound, bool accelerate = true,
                      int first_joint_passes = kFirstJointPasses);

// Separation that one regressor proves alone, checked before the ReLU
// iterations: a column x_k that is zero on every positive outcome and of
// one sign on the zeros is itself a certificate (z = x_k or -x_k), so the
// zeros where it is not zero are separated. The usual case is a dummy that
// marks only zero flows (a sanction, a war). Dropping them first leaves the
// separated rows of the rest as they were (the union argument above
// DropSeparated in separation.cc), so the ReLU check that follows finds the
// remainder; it saves that check the rounds a large support costs it. Repeats
// until no column qualifies (dropping zeros can leave a column one-signed).
// Returns the number of rows dropped (counted under kSeparated); `names`
// (may be null) receives the columns that proved it.
int64_t DropSeparatedByOneRegressor(ModelFrame& frame, int threads,
                                    std::vector<std::string>* names = nullptr);

}  // namespace mizani::estimate

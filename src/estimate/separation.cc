#include "estimate/separation.h"

#include <algorithm>
#include <cmath>

#include "common/parallel.h"
#include "estimate/fe_projector.h"
#include "estimate/frame_ops.h"

namespace mizani::estimate {

int64_t DropSeparated(ModelFrame& frame, const EstimateOptions& options) {
  const int64_t num_obs = frame.num_obs();
  int64_t num_zero = 0;
  for (double value : frame.y) num_zero += value == 0;
  if (num_zero == 0) return 0;

  // Weighted least squares with a large weight on y > 0 forces the fit to
  // (nearly) zero there; the paper uses the same device.
  constexpr double kPositiveWeight = 1e4;
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
  constexpr int kMaxIterations = 200;
  const int num_cols = static_cast<int>(frame.X.cols());
  std::vector<double> weight(num_obs);
  for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
    weight[obs_idx] = frame.y[obs_idx] > 0 ? kPositiveWeight : 1.0;
  }
  FeProjector projector(frame.fe_ids, frame.fe_sizes, ResolveThreads(options.threads));
  projector.SetWeights(weight);
  // Project X once; u changes every iteration.
  std::vector<double> x_block(frame.X.data(), frame.X.data() + num_obs * num_cols);
  std::vector<double> alpha_x, alpha_u;
  if (num_cols > 0) {
    projector.Project(x_block.data(), x_block.data(), num_cols, alpha_x, 1e-6, 5000);
  }
  Eigen::Map<Eigen::MatrixXd> X_tilde(x_block.data(), num_obs, num_cols);
  Eigen::Map<const Eigen::VectorXd> w(weight.data(), num_obs);
  Eigen::LDLT<Eigen::MatrixXd> gram_ldlt;
  if (num_cols > 0) gram_ldlt.compute(X_tilde.transpose() * w.asDiagonal() * X_tilde);

  std::vector<double> u(num_obs), u_tilde(num_obs);
  for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx)
    u[obs_idx] = frame.y[obs_idx] == 0 ? 1.0 : 0.0;
  std::vector<uint8_t> separated(num_obs, 0);
  bool done = false;
  for (int iteration = 0; iteration < kMaxIterations && !done; ++iteration) {
    projector.Project(u.data(), u_tilde.data(), 1, alpha_u, 1e-5, 5000);
    Eigen::Map<Eigen::VectorXd> ut(u_tilde.data(), num_obs);
    Eigen::VectorXd resid = ut;
    if (num_cols > 0)
      resid -= X_tilde * gram_ldlt.solve(X_tilde.transpose() * (w.asDiagonal() * ut));
    // Fitted values of the weighted regression: u - residual.
    done = true;
    int64_t positive = 0;
    double leakage = 0;
    for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
      double fitted = u[obs_idx] - resid(obs_idx);
      if (std::abs(fitted) < kZeroTolerance) fitted = 0;
      if (frame.y[obs_idx] == 0) {
        if (fitted < 0) done = false;
        positive += fitted > 0;
        u[obs_idx] = std::max(fitted, 0.0);
      } else {
        leakage = std::max(leakage, std::abs(u[obs_idx] - resid(obs_idx)));
        u[obs_idx] = 0;
      }
    }
    if (positive == 0) break;  // the fit is zero everywhere: no separation
    if (done) {
      for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
        separated[obs_idx] =
            u[obs_idx] > kMarginOverLeakage * leakage && u[obs_idx] > kZeroTolerance;
      }
    }
  }
  std::vector<uint8_t> keep(num_obs);
  bool any = false;
  for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
    keep[obs_idx] = !separated[obs_idx];
    any |= separated[obs_idx] != 0;
  }
  if (!any) return 0;
  return CompactFrame(frame, keep, DropReason::kSeparated);
}

}  // namespace mizani::estimate

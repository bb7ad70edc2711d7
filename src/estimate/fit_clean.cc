// Sample cleaning before a fit (a stage of Fit, fit_stages.h): zero
// weights, the row order the projection needs, all-zero groups (PPML),
// singletons and separated observations (Correia, Guimarães & Zylkin 2020).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/parallel.h"
#include "common/trace.h"
#include "estimate/family.h"
#include "estimate/fit_stages.h"
#include "estimate/frame_ops.h"
#include "estimate/separation.h"
#include "mizani/estimate.h"

namespace mizani::estimate {

CleanedSample CleanSample(ModelFrame& frame, const EstimateOptions& options, BufferPool& pool,
                          EstimateResult& result) {
  // (A sharded frame: a rank without rows has no weights; the ranks agree.)
  int64_t weighted = frame.weights.empty() ? 0 : 1;
  if (frame.shard_comm != nullptr) frame.shard_comm->AllreduceMax(std::span<int64_t>(&weighted, 1));
  if (weighted != 0) {
    std::vector<uint8_t> keep(frame.num_obs());
    for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx)
      keep[obs_idx] = frame.weights[obs_idx] > 0;
    CompactFrame(frame, keep, DropReason::kZeroWeight);
  }
  SortByLargestDimension(frame);
  Trace("sorted by the largest fixed effect");
  auto phase_start = std::chrono::steady_clock::now();
  const EstimatorFamily& family = FamilyOf(options.family);
  if (family.drops_all_zero_groups()) DropAllZeroGroups(frame);
  TraceDetail("all-zero groups dropped");
  if (options.drop_singletons) DropSingletons(frame);
  result.seconds_cleaning = SecondsSince(phase_start);
  Trace("cleaned");
  phase_start = std::chrono::steady_clock::now();
  // The projector (its sort and level tables cost a pass over the data) is
  // shared by the separation check and the IRLS, unless the check drops rows.
  CleanedSample sample;
  const bool check =
      family.can_be_separated() && options.check_separation && GlobalObservations(frame) > 0;
  if (check) {
    // A regressor that is itself a certificate (a dummy on zero flows only)
    // is settled by one pass over X; its rows would cost the ReLU check
    // rounds. Only zeros go, so no group becomes all-zero; singletons they
    // leave are dropped before the projector is built.
    std::vector<std::string> proving;
    const int64_t by_regressor =
        DropSeparatedByOneRegressor(frame, ResolveThreads(options.threads), &proving);
    if (by_regressor > 0) {
      if (TraceEnabled()) {
        Trace(fmt::format("separation: {} row(s) separated by {} alone", by_regressor,
                          fmt::join(proving, ", ")));
      }
      if (options.drop_singletons) DropSingletons(frame);
    }
  }
  if (check && GlobalObservations(frame) > 0) {
    // (A sharded frame's projector reduces its level sums over the ranks.)
    sample.projector = MakeFitProjector(frame, options, frame.shard_comm);
    if (TraceLevel() >= 2) {
      TraceDetail(fmt::format("projector built ({})", sample.projector->Path()));
    }
    // Separation can empty a group or create singletons: clean again.
    SeparationStats stats;
    if (DropSeparated(frame, options, *sample.projector, pool, &sample.separation_x, &stats) > 0) {
      sample.projector.reset();
      DropAllZeroGroups(frame);
      if (options.drop_singletons) DropSingletons(frame);
    }
    if (stats.ending == SeparationEnding::kIterationLimit) {
      sample.separation_warning = fmt::format(
          "the separation check reached its limit of {} regressions without a verdict (largest "
          "fit on a zero outcome {:.3g}); {}, so a separated observation, if any, makes a "
          "coefficient diverge (raise the limit, --separation-max-iter)",
          stats.iterations, stats.largest_fit,
          stats.dropped == 0
              ? std::string("nothing was dropped as separated")
              : fmt::format("{} observation(s) proven separated were dropped, others were not "
                            "checked to the end",
                            stats.dropped));
    }
  }
  result.seconds_separation = SecondsSince(phase_start);
  Trace("separation checked");
  return sample;
}

void AddIntercept(ModelFrame& frame) {
  Eigen::MatrixXd with_const(frame.num_obs(), frame.X.cols() + 1);
  with_const.col(0).setOnes();
  with_const.rightCols(frame.X.cols()) = frame.X;
  frame.X = std::move(with_const);
  frame.coef_names.insert(frame.coef_names.begin(), "(Intercept)");
}

void FinishCounts(const ModelFrame& frame, EstimateResult& result) {
  result.num_obs = GlobalObservations(frame);
  result.dropped = frame.dropped;
}

}  // namespace mizani::estimate

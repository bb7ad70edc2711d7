// Fit: the driver over the stages of an estimation (fit_stages.h), on a
// prepared ModelFrame.
#include <algorithm>
#include <chrono>
#include <memory>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "common/buffer_pool.h"
#include "common/parallel.h"
#include "common/trace.h"
#include "estimate/family.h"
#include "estimate/fit_stages.h"
#include "estimate/frame_ops.h"
#include "mizani/error.h"
#include "mizani/estimate.h"

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

namespace estimate {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<int64_t> TrackRowOrder(ModelFrame& frame, bool keep_fitted) {
  std::vector<int64_t> caller_source_row;
  if (keep_fitted) caller_source_row = std::move(frame.source_row);
  std::vector<int64_t>().swap(frame.source_row);
  if (keep_fitted) {
    frame.source_row.resize(frame.num_obs());
    std::iota(frame.source_row.begin(), frame.source_row.end(), int64_t{0});
  }
  return caller_source_row;
}

void RestoreRowOrder(const std::vector<int64_t>& caller_source_row, const ModelFrame& sorted_frame,
                     const std::vector<double>& values, EstimateResult& result) {
  std::vector<int64_t> position(sorted_frame.num_obs());
  std::iota(position.begin(), position.end(), int64_t{0});
  // (From shares the frame's rows before its sort are the rows routed to
  // this rank, joined in rank order, each share's in file order: file
  // order again.)
  std::sort(position.begin(), position.end(), [&](int64_t a, int64_t b) {
    return sorted_frame.source_row[a] < sorted_frame.source_row[b];
  });
  result.fitted.resize(position.size());
  result.source_row.clear();
  for (size_t idx = 0; idx < position.size(); ++idx) {
    result.fitted[idx] = values[position[idx]];
    const int64_t original = sorted_frame.source_row[position[idx]];
    if (!caller_source_row.empty()) result.source_row.push_back(caller_source_row[original]);
  }
}

std::unique_ptr<FeProjector> MakeFitProjector(const ModelFrame& work,
                                              const EstimateOptions& options, Communicator* comm) {
  const int threads = ResolveThreads(options.threads);
  // The rows of each level of the shard dimension are on one rank: its
  // level sums need no reduction (about three quarters of the traffic of
  // a three-way model, whose pair dimension it is). The Schur path, when
  // it eliminates that dimension, keeps its runs' means local and reduces
  // only the other levels; if it would eliminate another (its runs split
  // across ranks), the Jacobi path projects.
  // The ranks agree (one message) before anything is built: each plans by
  // its own rows (a rank without rows, or whose rows happen to be
  // contiguous in another dimension, could plan otherwise), and all must
  // take the same path.
  const int shard_dim = comm != nullptr ? ShardDimension(work) : -1;
  ProjectionOptions projection = options.projection;
  if (comm != nullptr && comm->size() > 1) {
    const int planned = FeProjector::PlannedEliminatedDimension(work.fe_ids, work.fe_sizes,
                                                                work.num_obs(), projection);
    int64_t elsewhere = planned == shard_dim ? 0 : 1;
    comm->AllreduceMax(std::span<int64_t>(&elsewhere, 1));
    if (elsewhere != 0) projection.solver = FeSolver::kJacobi;
  }
  auto projector = std::make_unique<FeProjector>(work.fe_ids, work.fe_sizes, threads,
                                                 work.num_obs(), projection);
  projector->SetCommunicator(comm, shard_dim);
  return projector;
}

}  // namespace estimate

// The stages (fit_stages.h): cleaning, then the family's fit path (family.h:
// IRLS for PPML, one projection for OLS), each of which runs collinearity,
// the solve, statistics, variance and fixed-effect recovery.
EstimateResult Fit(ModelFrame frame, const EstimateOptions& options) {
  EstimateResult result;
  result.family = options.family;
  result.rows_read = frame.rows_read;
  const std::vector<int64_t> caller_source_row =
      estimate::TrackRowOrder(frame, options.keep_fitted);
  BufferPool pool;  // large work arrays, reused from step to step
  estimate::CleanedSample sample = estimate::CleanSample(frame, options, pool, result);
  if (estimate::GlobalObservations(frame) == 0) {
    estimate::FinishCounts(frame, result);
    result.termination = Termination::kNoObservations;
    result.message = "no observations left after cleaning";
    return result;
  }
  if (frame.fe_ids.empty()) estimate::AddIntercept(frame);  // (a sharded frame has effects)
  const std::string warning = sample.separation_warning;
  EstimateResult fitted =
      estimate::FamilyOf(options.family)
          .Fit({frame, options, std::move(sample), pool, caller_source_row}, std::move(result));
  if (!warning.empty()) fitted.message += "; warning: " + warning;
  return fitted;
}

}  // namespace mizani

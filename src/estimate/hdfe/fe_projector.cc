#include "estimate/hdfe/fe_projector.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "common/parallel.h"
#include "common/trace.h"
#include "estimate/hdfe/cross_products.h"
#include "estimate/hdfe/pcg.h"
#include "estimate/hdfe/schur_projector.h"
#include "mizani/error.h"

namespace mizani::estimate {

namespace {
// Projections asked for this tolerance or looser use the averaged rule.
constexpr double kAverageRuleFrom = 1e-4;
}  // namespace

bool LevelsContiguous(std::span<const int32_t> ids_N, int64_t num_levels) {
  std::vector<uint8_t> seen(num_levels, 0);
  for (size_t obs_idx = 0; obs_idx < ids_N.size(); ++obs_idx) {
    if (obs_idx > 0 && ids_N[obs_idx] == ids_N[obs_idx - 1]) continue;
    if (seen[ids_N[obs_idx]] != 0) return false;  // the level's second run
    seen[ids_N[obs_idx]] = 1;
  }
  return true;
}

FeProjector::FeProjector(const std::vector<std::vector<int32_t>>& ids_Q,
                         const std::vector<int32_t>& sizes_Q, int threads, int64_t num_obs,
                         const ProjectionOptions& options)
    : num_dims_(static_cast<int>(ids_Q.size())), threads_(ResolveThreads(threads)) {
  num_obs_ = ids_Q.empty() ? num_obs : static_cast<int64_t>(ids_Q[0].size());
  offset_Q_.resize(num_dims_);
  for (int dim_idx = 0; dim_idx < num_dims_; ++dim_idx) {
    offset_Q_[dim_idx] = num_levels_;
    num_levels_ += sizes_Q[dim_idx];
  }
  const int eliminated = PlannedEliminatedDimension(ids_Q, sizes_Q, num_obs, options);
  if (eliminated >= 0) {
    schur_ = std::make_unique<SchurProjector>(ids_Q, sizes_Q, offset_Q_, threads_,
                                              options.simd != SimdKernels::kSse2, eliminated,
                                              options.gap_fill);
    return;
  }
  // Interleave the dimensions so one observation's ids share a cache line.
  gid_NQ_.resize(static_cast<size_t>(num_obs_) * num_dims_);
  ParallelFor(threads_, num_obs_, [&](int, int64_t begin, int64_t end) {
    for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) {
      for (int dim_idx = 0; dim_idx < num_dims_; ++dim_idx) {
        gid_NQ_[obs_idx * num_dims_ + dim_idx] =
            static_cast<int32_t>(offset_Q_[dim_idx] + ids_Q[dim_idx][obs_idx]);
      }
    }
  });
  SetWeights({});
}

int FeProjector::PlannedEliminatedDimension(const std::vector<std::vector<int32_t>>& ids_Q,
                                            const std::vector<int32_t>& sizes_Q, int64_t num_obs,
                                            const ProjectionOptions& options) {
  const auto num_dims = static_cast<int>(ids_Q.size());
  const int64_t rows = ids_Q.empty() ? num_obs : static_cast<int64_t>(ids_Q[0].size());
  if (num_dims < 2 || rows == 0 || options.solver == FeSolver::kJacobi) return -1;
  // The Schur path pays off when the eliminated dimension's observations are
  // already contiguous (a panel sorted by pair); otherwise the reordering
  // it needs costs more than it saves (measured on the two-way benchmark).
  // The frame is sorted by its largest dimension before rows are dropped;
  // the drops can leave another one the largest (exporter-years and
  // importer-years tied at 12,600 became 12,494 and 12,575 once all-zero
  // groups went), and eliminating the sorted one, nearly as large, still
  // beats the Jacobi path (IRLS 0.95 s against 2.22 s on that panel).
  int eliminated = -1;
  const int32_t largest_size = *std::max_element(sizes_Q.begin(), sizes_Q.end());
  for (int dim_idx = 0; dim_idx < num_dims; ++dim_idx) {
    const bool large = 2 * static_cast<int64_t>(sizes_Q[dim_idx]) >= largest_size;
    if (large && (eliminated < 0 || sizes_Q[dim_idx] > sizes_Q[eliminated]) &&
        LevelsContiguous(ids_Q[dim_idx], sizes_Q[dim_idx]))
      eliminated = dim_idx;
  }
  // Forced onto the Schur path without a contiguous dimension: the largest.
  if (eliminated < 0 && options.solver == FeSolver::kSchur) {
    eliminated =
        static_cast<int>(std::max_element(sizes_Q.begin(), sizes_Q.end()) - sizes_Q.begin());
  }
  return eliminated;
}

FeProjector::~FeProjector() = default;

int FeProjector::EliminatedDimension() const { return schur_ ? schur_->eliminated_dim() : -1; }

const char* FeProjector::Path() const {
  if (!schur_) return "jacobi";
  if (schur_->segmented()) return "schur-segments";
  return schur_->gap_filled() ? "schur-filled" : "schur-rows";
}

void FeProjector::SetCommunicator(Communicator* comm, int local_dim) {
  comm_ = comm != nullptr && comm->size() > 1 ? comm : nullptr;
  local_begin_ = local_end_ = 0;
  local_held_G_.clear();
  if (schur_) {
    // The runs' means are taken within a rank: only when every run is
    // whole there, that is when the rows were sharded by the eliminated
    // dimension (MakeFitProjector chooses the Jacobi path otherwise).
    if (comm_ != nullptr && local_dim != schur_->eliminated_dim()) {
      throw Error(ErrorCode::kInternal,
                  "sharded projection: the Schur path needs the rows sharded by its eliminated "
                  "dimension");
    }
    schur_->SetCommunicator(comm_);
    if (comm_ != nullptr) {
      local_begin_ = offset_Q_[local_dim];
      local_end_ = local_dim + 1 < num_dims_ ? offset_Q_[local_dim + 1] : num_levels_;
    }
    SetWeights(caller_weight_);
    return;
  }
  if (comm_ != nullptr && local_dim >= 0 && local_dim < num_dims_) {
    local_begin_ = offset_Q_[local_dim];
    local_end_ = local_dim + 1 < num_dims_ ? offset_Q_[local_dim + 1] : num_levels_;
    local_held_G_.assign(local_end_ - local_begin_, 0);
    for (int64_t obs_idx = 0; obs_idx < num_obs_; ++obs_idx)
      local_held_G_[gid_NQ_[obs_idx * num_dims_ + local_dim] - local_begin_] = 1;
  }
  if (comm_ != nullptr) SetWeights(caller_weight_);
}

void FeProjector::ReduceShared(double* values_GC, int num_cols) {
  if (comm_ == nullptr) return;
  auto reduce = [&](int64_t begin, int64_t end) {
    if (end > begin) {
      comm_->AllreduceSum(std::span<double>(values_GC + begin * num_cols,
                                            static_cast<size_t>((end - begin) * num_cols)));
    }
  };
  if (local_end_ == local_begin_) {
    reduce(0, num_levels_);
    return;
  }
  reduce(0, local_begin_);
  reduce(local_end_, num_levels_);
}

double FeProjector::SumLocal(double part) {
  if (HasLocal()) comm_->AllreduceSum(std::span<double>(&part, 1));
  return part;
}

double FeProjector::MaxLocal(double part) {
  if (HasLocal()) comm_->AllreduceMax(std::span<double>(&part, 1));
  return part;
}

void FeProjector::CompleteLocalLevels(std::vector<double>& alpha_GC, int num_cols) const {
  if (!HasLocal()) return;
  comm_->AllreduceSum(std::span<double>(alpha_GC.data() + local_begin_ * num_cols,
                                        static_cast<size_t>(local_end_ - local_begin_) * num_cols));
}

void FeProjector::SetWeights(std::span<const double> weights_N) {
  caller_weight_ = weights_N;
  if (schur_) {
    schur_->SetWeights(weights_N);
    return;
  }
  weight_N_.assign(weights_N.begin(), weights_N.end());
  level_weight_G_.assign(num_levels_, 0.0);
  if (num_dims_ == 0) return;  // no levels (and gid_NQ_ is empty)
  for (int64_t obs_idx = 0; obs_idx < num_obs_; ++obs_idx) {
    const double weight = weight_N_.empty() ? 1.0 : weight_N_[obs_idx];
    const int32_t* gid = &gid_NQ_[obs_idx * num_dims_];
    for (int dim_idx = 0; dim_idx < num_dims_; ++dim_idx) level_weight_G_[gid[dim_idx]] += weight;
  }
  ReduceShared(level_weight_G_.data(), 1);
}

namespace {

// The hot loop, specialised on the number of dimensions and columns so the
// compiler unrolls both; `kCols == 0` means a run-time column count.
// Gravity panels are usually sorted so that consecutive observations share
// a level (all years of a pair, all partners of an exporter-year): the
// scatter into a level is kept in registers while the level repeats and
// written once when it changes, instead of a read-modify-write per
// observation whose store-to-load chain would serialise the loop.
template <int kDims, int kCols>
void AccumulateRange(int64_t begin, int64_t end, int num_dims_rt, int num_cols_rt,
                     const int32_t* gid_NQ, const double* weight_N, const double* const* src_C,
                     const double* coef_GC, double* acc_GC, double* sq_norm_C) {
  const int num_dims = kDims > 0 ? kDims : num_dims_rt;
  const int num_cols = kCols > 0 ? kCols : num_cols_rt;
  constexpr int kMaxCols = kMaxColumns;
  constexpr int kMaxDims = 8;
  double value_C[kMaxCols];
  double run_QC[kMaxDims][kMaxCols];
  int32_t run_gid_Q[kMaxDims];
  const bool buffered = num_dims <= kMaxDims;
  for (int dim_idx = 0; dim_idx < num_dims && buffered; ++dim_idx) {
    run_gid_Q[dim_idx] = -1;
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) run_QC[dim_idx][col_idx] = 0;
  }
  for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) {
    const int32_t* gid = gid_NQ + obs_idx * num_dims;
    const double weight = weight_N != nullptr ? weight_N[obs_idx] : 1.0;
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
      value_C[col_idx] = src_C != nullptr ? src_C[col_idx][obs_idx] : 0.0;
    }
    for (int dim_idx = 0; dim_idx < num_dims; ++dim_idx) {
      const double* coef = coef_GC + static_cast<int64_t>(gid[dim_idx]) * num_cols;
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) value_C[col_idx] -= coef[col_idx];
    }
    if (sq_norm_C != nullptr && src_C != nullptr) {  // (norms are asked with a source)
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
        sq_norm_C[col_idx] += weight * std::abs(src_C[col_idx][obs_idx]);
      }
    }
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) value_C[col_idx] *= weight;
    if (!buffered) {
      for (int dim_idx = 0; dim_idx < num_dims; ++dim_idx) {
        double* acc = acc_GC + static_cast<int64_t>(gid[dim_idx]) * num_cols;
        for (int col_idx = 0; col_idx < num_cols; ++col_idx) acc[col_idx] += value_C[col_idx];
      }
      continue;
    }
    for (int dim_idx = 0; dim_idx < num_dims; ++dim_idx) {
      if (gid[dim_idx] != run_gid_Q[dim_idx]) {
        if (run_gid_Q[dim_idx] >= 0) {
          double* acc = acc_GC + static_cast<int64_t>(run_gid_Q[dim_idx]) * num_cols;
          for (int col_idx = 0; col_idx < num_cols; ++col_idx)
            acc[col_idx] += run_QC[dim_idx][col_idx];
        }
        run_gid_Q[dim_idx] = gid[dim_idx];
        for (int col_idx = 0; col_idx < num_cols; ++col_idx)
          run_QC[dim_idx][col_idx] = value_C[col_idx];
      } else {
        for (int col_idx = 0; col_idx < num_cols; ++col_idx)
          run_QC[dim_idx][col_idx] += value_C[col_idx];
      }
    }
  }
  for (int dim_idx = 0; dim_idx < num_dims && buffered; ++dim_idx) {
    if (run_gid_Q[dim_idx] < 0) continue;
    double* acc = acc_GC + static_cast<int64_t>(run_gid_Q[dim_idx]) * num_cols;
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) acc[col_idx] += run_QC[dim_idx][col_idx];
  }
}

template <int kDims>
void DispatchCols(int64_t begin, int64_t end, int num_dims, int num_cols, const int32_t* gid_NQ,
                  const double* weight_N, const double* const* src_C, const double* coef_GC,
                  double* acc_GC, double* sq_norm_C) {
  switch (num_cols) {
    case 1:
      AccumulateRange<kDims, 1>(begin, end, num_dims, num_cols, gid_NQ, weight_N, src_C, coef_GC,
                                acc_GC, sq_norm_C);
      break;
    case 2:
      AccumulateRange<kDims, 2>(begin, end, num_dims, num_cols, gid_NQ, weight_N, src_C, coef_GC,
                                acc_GC, sq_norm_C);
      break;
    case 3:
      AccumulateRange<kDims, 3>(begin, end, num_dims, num_cols, gid_NQ, weight_N, src_C, coef_GC,
                                acc_GC, sq_norm_C);
      break;
    case 4:
      AccumulateRange<kDims, 4>(begin, end, num_dims, num_cols, gid_NQ, weight_N, src_C, coef_GC,
                                acc_GC, sq_norm_C);
      break;
    case 6:
      AccumulateRange<kDims, 6>(begin, end, num_dims, num_cols, gid_NQ, weight_N, src_C, coef_GC,
                                acc_GC, sq_norm_C);
      break;
    case 5:
      AccumulateRange<kDims, 5>(begin, end, num_dims, num_cols, gid_NQ, weight_N, src_C, coef_GC,
                                acc_GC, sq_norm_C);
      break;
    default:
      AccumulateRange<kDims, 0>(begin, end, num_dims, num_cols, gid_NQ, weight_N, src_C, coef_GC,
                                acc_GC, sq_norm_C);
  }
}

}  // namespace

void FeProjector::Accumulate(const double* const* src_C, const double* coef_GC, int num_cols,
                             std::vector<double>& acc_GC, double* weighted_norm_C) {
  const int64_t size_GC = num_levels_ * num_cols;
  const int num_tasks =
      static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads_, num_obs_ / 16384)));
  if (static_cast<int>(thread_acc_.size()) < num_tasks) thread_acc_.resize(num_tasks);
  std::vector<std::vector<double>> norm_TC(num_tasks, std::vector<double>(num_cols, 0.0));
  ParallelFor(
      num_tasks, num_obs_,
      [&](int task_idx, int64_t begin, int64_t end) {
        std::vector<double>& acc = thread_acc_[task_idx];
        acc.assign(size_GC, 0.0);
        double* sq_norm = weighted_norm_C != nullptr ? norm_TC[task_idx].data() : nullptr;
        const double* weight = weight_N_.empty() ? nullptr : weight_N_.data();
        switch (num_dims_) {
          case 1:
            DispatchCols<1>(begin, end, num_dims_, num_cols, gid_NQ_.data(), weight, src_C, coef_GC,
                            acc.data(), sq_norm);
            break;
          case 2:
            DispatchCols<2>(begin, end, num_dims_, num_cols, gid_NQ_.data(), weight, src_C, coef_GC,
                            acc.data(), sq_norm);
            break;
          case 3:
            DispatchCols<3>(begin, end, num_dims_, num_cols, gid_NQ_.data(), weight, src_C, coef_GC,
                            acc.data(), sq_norm);
            break;
          default:
            DispatchCols<0>(begin, end, num_dims_, num_cols, gid_NQ_.data(), weight, src_C, coef_GC,
                            acc.data(), sq_norm);
        }
      },
      1);
  // Reduce the per-thread accumulators, in parallel over levels.
  SumTaskArrays(thread_acc_, num_tasks, size_GC, acc_GC);
  if (weighted_norm_C != nullptr) {
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
      double sum = 0;
      for (int task_idx = 0; task_idx < num_tasks; ++task_idx) sum += norm_TC[task_idx][col_idx];
      weighted_norm_C[col_idx] = sum;
    }
  }
  // Sharded rows: the other ranks' sums of the same levels (the one
  // message of a pass: G x C doubles, plus C norms).
  if (comm_ != nullptr) {
    ReduceShared(acc_GC.data(), num_cols);
    if (weighted_norm_C != nullptr)
      comm_->AllreduceSum(std::span<double>(weighted_norm_C, static_cast<size_t>(num_cols)));
  }
}

ProjectionStats FeProjector::Project(const double* in_NC, double* out_NC, int num_cols,
                                     std::vector<double>& alpha_GC, double tolerance,
                                     int max_iterations, const double* scale_C, double* cross_CC) {
  std::vector<const double*> in_C(num_cols);
  for (int col_idx = 0; col_idx < num_cols; ++col_idx) in_C[col_idx] = in_NC + col_idx * num_obs_;
  return Project(in_C, out_NC, alpha_GC, tolerance, max_iterations, scale_C, cross_CC);
}

// One dispatch over the projection paths (Schur complement, fused AVX sweeps,
// alternating projections with acceleration), each a few lines around a
// kernel call that shares the scratch block and the convergence bookkeeping
// set up here: kept whole so the paths stay comparable side by side.
// NOLINTNEXTLINE(readability-function-size)
ProjectionStats FeProjector::Project(std::span<const double* const> in_C, double* out_NC,
                                     std::vector<double>& alpha_GC, double tolerance,
                                     int max_iterations, const double* scale_C, double* cross_CC) {
  const int num_cols = static_cast<int>(in_C.size());
  // No output wanted (the caller needs only alpha and the cross products):
  // the Schur path skips the writes; the others work in a scratch block.
  std::vector<double> scratch;
  if (out_NC == nullptr && (!schur_ || num_cols > kMaxColumns)) {
    scratch.resize(static_cast<size_t>(num_obs_) * num_cols);
    out_NC = scratch.data();
  }
  // Paths without a fused output pass compute the cross products after.
  auto cross_after = [&](const ProjectionStats& stats) {
    if (cross_CC != nullptr) {
      const Eigen::MatrixXd cross =
          WeightedCrossProducts(out_NC, num_obs_, num_cols,
                                caller_weight_.empty() ? nullptr : caller_weight_.data(), threads_);
      Eigen::Map<Eigen::MatrixXd>(cross_CC, num_cols, num_cols) = cross;
      if (comm_ != nullptr)
        comm_->AllreduceSum(std::span<double>(cross_CC, static_cast<size_t>(num_cols) * num_cols));
    }
    return stats;
  };
  if (num_cols > kMaxColumns) {
    // The kernels keep one row's columns in fixed-size buffers: project
    // wide blocks in slices of kMaxColumns columns.
    const int64_t size_GC = num_levels_ * num_cols;
    if (static_cast<int64_t>(alpha_GC.size()) != size_GC) alpha_GC.assign(size_GC, 0.0);
    ProjectionStats total;
    for (int first_col = 0; first_col < num_cols; first_col += kMaxColumns) {
      const int slice_cols = std::min(kMaxColumns, num_cols - first_col);
      std::vector<double> slice_alpha(num_levels_ * slice_cols);
      for (int64_t level = 0; level < num_levels_; ++level) {
        for (int col_idx = 0; col_idx < slice_cols; ++col_idx)
          slice_alpha[level * slice_cols + col_idx] =
              alpha_GC[level * num_cols + first_col + col_idx];
      }
      const ProjectionStats stats = Project(
          in_C.subspan(first_col, slice_cols), out_NC + first_col * num_obs_, slice_alpha,
          tolerance, max_iterations, scale_C != nullptr ? scale_C + first_col : nullptr, nullptr);
      for (int64_t level = 0; level < num_levels_; ++level) {
        for (int col_idx = 0; col_idx < slice_cols; ++col_idx)
          alpha_GC[level * num_cols + first_col + col_idx] =
              slice_alpha[level * slice_cols + col_idx];
      }
      total.iterations += stats.iterations;
      total.converged = total.converged && stats.converged;
      total.worst_relative_residual =
          std::max(total.worst_relative_residual, stats.worst_relative_residual);
    }
    return cross_after(total);
  }
  if (schur_) {
    return schur_->Project(in_C, out_NC, alpha_GC, tolerance, max_iterations, kAverageRuleFrom,
                           cross_CC);
  }
  ProjectionStats stats;
  const int64_t size_GC = num_levels_ * num_cols;
  if (num_dims_ == 0) {
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
      if (out_NC + col_idx * num_obs_ != in_C[col_idx])
        std::copy(in_C[col_idx], in_C[col_idx] + num_obs_, out_NC + col_idx * num_obs_);
    }
    return cross_after(stats);
  }
  if (static_cast<int64_t>(alpha_GC.size()) != size_GC) alpha_GC.assign(size_GC, 0.0);

  // Residual of the normal equations at the warm start: r = D'W(v - D alpha).
  std::vector<double> resid_GC;
  std::vector<double> norm_C(num_cols);
  Accumulate(in_C.data(), alpha_GC.data(), num_cols, resid_GC, norm_C.data());

  std::vector<double> inv_diag_G(num_levels_);
  for (int64_t level_idx = 0; level_idx < num_levels_; ++level_idx) {
    inv_diag_G[level_idx] = level_weight_G_[level_idx] > 0 ? 1.0 / level_weight_G_[level_idx] : 0.0;
  }
  // Stop when every level's weighted mean residual, |r_g| / W_g, is below
  // tolerance times the weighted root-mean-square of the column. r_g is the
  // gradient of the fixed-effect normal equations for level g, so this is
  // the first-order condition level by level (residuals sum to zero within
  // every level), which a global norm would let slip for small levels.
  double total_weight = 0;
  // Every observation sits in exactly one level of dimension 0.
  const int64_t dim0_end = num_dims_ > 1 ? offset_Q_[1] : num_levels_;
  for (int64_t level_idx = 0; level_idx < dim0_end; ++level_idx)
    total_weight += level_weight_G_[level_idx];
  if (local_begin_ == 0 && local_end_ > 0) total_weight = SumLocal(total_weight);
  auto in_local = [&](int64_t level_idx) {
    return level_idx >= local_begin_ && level_idx < local_end_;
  };
  // Loose projections (early IRLS steps) only need a good direction on
  // average: judge them by the weight-averaged level residual,
  // sum_g |r_g| / sum_g W_g. Tight ones must hold level by level.
  const bool average_rule = tolerance >= kAverageRuleFrom;
  double total_level_weight = 0;
  double local_level_weight = 0;
  for (int64_t level_idx = 0; level_idx < num_levels_; ++level_idx)
    (in_local(level_idx) ? local_level_weight : total_level_weight) += level_weight_G_[level_idx];
  total_level_weight += SumLocal(local_level_weight);
  // (Sharded with a local dimension: its levels' part of each test is
  // added, or maximised, across ranks.)
  auto worst_level = [&](const std::vector<double>& resid, int col_idx) {
    double worst = 0;
    double worst_local = 0;
    if (average_rule) {
      for (int64_t level_idx = 0; level_idx < num_levels_; ++level_idx) {
        (in_local(level_idx) ? worst_local : worst) +=
            std::abs(resid[level_idx * num_cols + col_idx]);
      }
      return (worst + SumLocal(worst_local)) / std::max(total_level_weight, 1e-300);
    }
    for (int64_t level_idx = 0; level_idx < num_levels_; ++level_idx) {
      double& target = in_local(level_idx) ? worst_local : worst;
      target =
          std::max(target, std::abs(resid[level_idx * num_cols + col_idx]) * inv_diag_G[level_idx]);
    }
    return std::max(worst, MaxLocal(worst_local));
  };
  std::vector<double> threshold_C(num_cols);
  for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
    // Weighted mean absolute value: unlike a root-mean-square it is not
    // inflated by a few observations with tiny weight and a huge value
    // (the PPML working outcome where mu is tiny and y is not).
    const double mean_abs = norm_C[col_idx] / std::max(total_weight, 1e-300);
    const double scale = scale_C != nullptr && scale_C[col_idx] > 0 ? scale_C[col_idx] : mean_abs;
    threshold_C[col_idx] = tolerance * std::max(scale, 1e-300);
  }
  // One CG step is one pass: Accumulate with src == nullptr gives -D'WD d.
  const PcgOutcome outcome = SolvePcg(
      num_levels_, num_cols, inv_diag_G, alpha_GC, resid_GC, threshold_C, max_iterations,
      [&](const double* direction_GC, int num_packed, std::vector<double>& product_GC) {
        Accumulate(nullptr, direction_GC, num_packed, product_GC, nullptr);
      },
      worst_level, PcgLocalBlock{local_begin_, local_end_},
      [this](double part) { return SumLocal(part); });
  const std::vector<double>& rz_C = outcome.rz_C;
  const int iteration = outcome.iterations;
  stats.iterations = iteration;
  stats.converged = outcome.converged;
  if (TraceLevel() >= 2) {
    // Sharded: each pass reduces G x C doubles (docs/distributed.md).
    const std::string volume =
        comm_ == nullptr ? std::string()
                         : fmt::format(", {} bytes allreduced per pass ({} ranks)",
                                       (num_levels_ - (local_end_ - local_begin_)) * num_cols * 8,
                                       comm_->size());
    TraceDetail(fmt::format("projection (Jacobi): {} column(s), tolerance {:.3g}, {} passes{}",
                            num_cols, tolerance, iteration, volume));
  }
  for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
    stats.worst_relative_residual =
        std::max(stats.worst_relative_residual,
                 std::sqrt(std::max(rz_C[col_idx], 0.0)) / std::max(norm_C[col_idx], 1e-300));
  }

  // D'WD is singular: adding c to every level of dimension 0 and
  // subtracting it from every level of another dimension leaves D alpha
  // unchanged. Rounding lets CG (and the warm starts carried across IRLS
  // iterations) drift along these directions, until the coefficients are
  // huge and their sums lose every digit. Re-centre each further dimension
  // on a zero mean, moving the constant into dimension 0: D alpha is exact
  // (every observation has one level in each dimension).
  // Sharded with a local dimension: its levels are summed across ranks, and
  // a constant moves only the levels this rank holds (the others stay zero
  // here, for CompleteLocalLevels).
  auto shift = [&](int64_t level_idx) {
    return !in_local(level_idx) || local_held_G_[level_idx - local_begin_] != 0;
  };
  for (int dim_idx = 1; dim_idx < num_dims_; ++dim_idx) {
    const int64_t begin = offset_Q_[dim_idx];
    const int64_t end = dim_idx + 1 < num_dims_ ? offset_Q_[dim_idx + 1] : num_levels_;
    const bool local = in_local(begin);
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
      double mean = 0;
      for (int64_t level_idx = begin; level_idx < end; ++level_idx)
        mean += alpha_GC[level_idx * num_cols + col_idx];
      if (local) mean = SumLocal(mean);
      mean /= static_cast<double>(std::max<int64_t>(1, end - begin));
      for (int64_t level_idx = begin; level_idx < end; ++level_idx) {
        if (shift(level_idx)) alpha_GC[level_idx * num_cols + col_idx] -= mean;
      }
      const int64_t dim0_end = offset_Q_.size() > 1 ? offset_Q_[1] : num_levels_;
      for (int64_t level_idx = 0; level_idx < dim0_end; ++level_idx) {
        if (shift(level_idx)) alpha_GC[level_idx * num_cols + col_idx] += mean;
      }
    }
  }

  // out = v - D alpha.
  ParallelFor(threads_, num_obs_, [&](int, int64_t begin, int64_t end) {
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
      const double* src = in_C[col_idx];
      double* dst = out_NC + col_idx * num_obs_;
      for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) {
        const int32_t* gid = &gid_NQ_[obs_idx * num_dims_];
        double value = src[obs_idx];
        for (int dim_idx = 0; dim_idx < num_dims_; ++dim_idx) {
          value -= alpha_GC[static_cast<int64_t>(gid[dim_idx]) * num_cols + col_idx];
        }
        dst[obs_idx] = value;
      }
    }
  });
  return cross_after(stats);
}

}  // namespace mizani::estimate

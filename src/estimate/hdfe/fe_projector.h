// Weighted projection of columns off a high-dimensional fixed-effect space.
//
// Length suffixes of arrays, used throughout src/estimate and its hdfe/
// projection kernels (after fixest's demeaning.cpp); this is the one place
// they are defined:
//   _N  one entry per observation
//   _Q  one entry per fixed-effect dimension
//   _G  one entry per fixed-effect level, all dimensions stacked (level g of
//       dimension q sits at offset_Q[q] + g)
//   _C  one entry per column being projected (or regressor)
//   _T  one entry per thread (partial sums)
//   _GC level-major with the C columns being projected contiguous per level;
//       likewise _NQ (observation-major, Q per observation) and _CC (C x C)
// schur_projector.h adds _R (levels of the dimensions not eliminated) and
// _E (levels of the eliminated one), _S (segments) and _P (register pairs).
//
// For a column v the projection solves the normal equations of the
// fixed-effect regression, (D'WD) alpha = D'W v, where D is the N x G dummy
// matrix (never formed), and returns v - D alpha. D'WD is symmetric positive
// semi-definite (singular: one redundancy per extra dimension and per
// disconnected component), and the system is consistent, so preconditioned
// conjugate gradients converge to a solution; the projection v - D alpha is
// unique even though alpha is not. The preconditioner is the diagonal of
// D'WD (the weight sum of each level), which makes one CG step cost one pass
// over the observations, the same as one sweep of alternating projections
// per dimension, while converging in far fewer steps on gravity panels
// (Hestenes & Stiefel 1952; the CG approach of Correia's reghdfe, 2017).
// Every pass splits the observations across threads with per-thread level
// accumulators, so all cores work inside one projection, not only across
// columns.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "mizani/communicator.h"
#include "mizani/estimate.h"

namespace mizani::estimate {

class SchurProjector;

// The most columns one projection pass carries (the kernels keep a row's
// columns in registers or fixed buffers); Project slices wider blocks.
inline constexpr int kMaxColumns = 16;

struct ProjectionStats {
  int64_t iterations = 0;  // CG iterations (passes over the data)
  bool converged = true;
  double worst_relative_residual = 0;
};

// True when every level of `ids_N` (levels in [0, num_levels)) occupies one
// run of consecutive rows. Levels without rows are allowed: rows dropped
// after the levels were numbered (all-zero groups, singletons, separated
// rows) leave such levels behind, and a frame sorted before the drops stays
// sorted.
bool LevelsContiguous(std::span<const int32_t> ids_N, int64_t num_levels);

class FeProjector {
 public:
  // ids_Q[q][obs] in [0, sizes_Q[q]). Without fixed effects (ids_Q empty)
  // the projection is the identity on `num_obs` rows.
  FeProjector(const std::vector<std::vector<int32_t>>& ids_Q, const std::vector<int32_t>& sizes_Q,
              int threads, int64_t num_obs = 0, const ProjectionOptions& options = {});
  ~FeProjector();
  FeProjector(const FeProjector&) = delete;
  // The dimension the constructor's Schur path would eliminate on these ids
  // and options, -1 when it would build the Jacobi path: for callers that
  // must agree on the path before building (sharded fits, fit.cc).
  static int PlannedEliminatedDimension(const std::vector<std::vector<int32_t>>& ids_Q,
                                        const std::vector<int32_t>& sizes_Q, int64_t num_obs,
                                        const ProjectionOptions& options);
  FeProjector& operator=(const FeProjector&) = delete;

  // Observation weights (non-negative); an empty span means unit weights.
  // They may be referenced rather than copied (the Schur path with rows in
  // run order): keep them alive and unchanged until the next SetWeights.
  void SetWeights(std::span<const double> weights_N);

  // Projects `num_cols` columns. in_NC and out_NC are column-major N x C
  // (out may alias in, or be null when only alpha_GC and cross_CC are
  // wanted: IRLS rebuilds its linear predictor from the coefficients). alpha_GC is the warm start
  // and receives the fixed-effect coefficients (resized and zeroed when its size is wrong).
  // Convergence: every level's weighted mean residual is below tolerance
  // times a scale per column: `scale_C[c]` when given (e.g. 1 for a column
  // in log units), otherwise the column's weighted mean absolute value.
  // cross_CC (may be null) receives out' W out (num_cols x num_cols, with
  // the current weights), which IRLS needs next: on the Schur path it is
  // summed in the output pass, saving a pass over the block.
  ProjectionStats Project(const double* in_NC, double* out_NC, int num_cols,
                          std::vector<double>& alpha_GC, double tolerance, int max_iterations,
                          const double* scale_C = nullptr, double* cross_CC = nullptr);
  // The same with the input columns anywhere in memory: in_C[c] points at
  // column c's N values (IRLS projects [z, X] with z and X apart, and
  // nothing is copied to put them side by side). out_NC stays contiguous.
  ProjectionStats Project(std::span<const double* const> in_C, double* out_NC,
                          std::vector<double>& alpha_GC, double tolerance, int max_iterations,
                          const double* scale_C = nullptr, double* cross_CC = nullptr);

  // Rows sharded across the ranks of `comm` (docs/distributed.md): this
  // projector holds the rank's rows, with level ids global (the same level
  // numbering on every rank). Every pass then adds the other ranks' level
  // sums (AllreduceSum of the level accumulators, the level weights, the
  // column norms and the cross products), so alpha_GC, the convergence
  // decisions and cross_CC are those of the whole sample, on every rank, and
  // out_NC holds the rank's rows of the whole sample's projection. On the
  // Schur path `local_dim` must be its eliminated dimension (Error
  // kInternal otherwise): its runs stay whole on their rank and only the
  // remaining levels are reduced (schur_projector.h). Call before
  // SetWeights.
  // `local_dim` (-1: none) is a dimension whose every level has all its
  // rows on one rank (the rows were sharded by its levels): its level sums
  // are complete on their rank and zero elsewhere, so passes do not reduce
  // them (only the dot products and convergence tests of the CG over them,
  // a few scalars), and alpha_GC holds them only on their rank until
  // CompleteLocalLevels.
  void SetCommunicator(Communicator* comm, int local_dim = -1);
  // Sums the local dimension's coefficients across ranks, so every rank
  // holds all of alpha_GC (num_cols per level); nothing without one.
  void CompleteLocalLevels(std::vector<double>& alpha_GC, int num_cols) const;

  // Which path projects: "jacobi" (CG on all levels), "schur-rows",
  // "schur-segments" or "schur-filled" (one dimension eliminated; ids per
  // row, runs cut into segments of constant level steps, or ids per row
  // with the conjugate-gradient passes over gap-filled segments,
  // schur_projector.h).
  const char* Path() const;
  // The dimension the Schur path eliminates; -1 on the Jacobi path.
  int EliminatedDimension() const;

  int64_t num_obs() const { return num_obs_; }
  int64_t num_levels() const { return num_levels_; }
  int num_dims() const { return num_dims_; }
  const std::vector<int64_t>& offsets_Q() const { return offset_Q_; }
  // Weight sum of each level under the current weights.
  const std::vector<double>& level_weight_G() const { return level_weight_G_; }

 private:
  // acc_GC[gid*C+c] = sum_obs w * (src_C[c][obs] - sum_q coef_GC[gid_q*C+c])
  // (with src_C == nullptr: - sum of w * coef, the matvec of D'WD, negated).
  void Accumulate(const double* const* src_C, const double* coef_GC, int num_cols,
                  std::vector<double>& acc_GC, double* weighted_norm_C);

  // With two or more dimensions, when the largest one's observations are
  // contiguous, it is eliminated exactly and CG runs on the Schur
  // complement (schur_projector.h); otherwise the Jacobi-preconditioned
  // path below. ProjectionOptions::solver forces one (comparisons).
  std::unique_ptr<SchurProjector> schur_;
  Communicator* comm_ = nullptr;  // sharded rows; null: the whole sample is here
  // Levels [local_begin_, local_end_) are the local dimension's (empty: none).
  int64_t local_begin_ = 0;
  int64_t local_end_ = 0;
  std::vector<uint8_t> local_held_G_;  // per local level: it has rows here
  // Sums values_GC (num_cols per level) across ranks, except the local
  // dimension's levels.
  void ReduceShared(double* values_GC, int num_cols);
  // Sharded with a local dimension.
  bool HasLocal() const { return comm_ != nullptr && local_end_ > local_begin_; }
  // The ranks' total (maximum) of a sum (maximum) over the local
  // dimension's levels; `part` itself without one.
  double SumLocal(double part);
  double MaxLocal(double part);
  int64_t num_obs_ = 0;
  int num_dims_ = 0;
  int64_t num_levels_ = 0;
  int threads_ = 1;
  std::vector<int64_t> offset_Q_;
  std::vector<int32_t> gid_NQ_;            // global level ids, row-major N x Q
  std::vector<double> weight_N_;           // empty: unit weights
  std::span<const double> caller_weight_;  // as given to SetWeights (kept alive by the caller)
  std::vector<double> level_weight_G_;
  std::vector<std::vector<double>> thread_acc_;
};

}  // namespace mizani::estimate

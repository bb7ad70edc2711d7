// Fixed-effect projection with one dimension eliminated exactly.
//
// The dimension with the most levels (the pair effects of a three-way
// gravity model, or one of the two dimensions of a two-way model) is
// block-diagonal in the normal equations D'WD: given the other dimensions'
// coefficients x, its own are weighted means, alpha_e = mean_w(v - D_R x)
// within each of its levels. Substituting them leaves the Schur complement
//   S = D_R' W (I - P_e) D_R,   P_e the weighted projection on dimension e,
// a smaller and better-conditioned system in the remaining levels only
// (Schur complements of SPD matrices are no worse conditioned; Golub & Van
// Loan, Matrix Computations, ch. 10). It is solved by conjugate gradients
// with diag(S) as preconditioner. Observations are kept sorted by the
// eliminated level (a counting sort, done once), so applying S is still one
// pass over the data: for each level of e, its rows are read, their
// weighted mean taken, and the deviations scattered into the other levels.
//
// Suffixes as in fe_projector.h; `_R` indexes the levels of the remaining
// dimensions, stacked; `_E` the levels of the eliminated dimension.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mizani/estimate.h"

namespace mizani {
class Communicator;
}

namespace mizani::estimate {

struct ProjectionStats;
struct RunRows;

// The most missing rows a gap-filled segment fills in one place
// (BuildFilledSegments): a pair's panel missing up to three years in a row.
inline constexpr int kMaxFill = 3;

class SchurProjector {
 public:
  // ids_Q[q][obs] in [0, sizes_Q[q]); needs at least two dimensions.
  // offset_Q: where each dimension's levels start in the caller's stacked
  // coefficient vector (alpha_GC of FeProjector). `eliminated_dim` is the
  // dimension solved exactly (-1: the largest).
  SchurProjector(const std::vector<std::vector<int32_t>>& ids_Q,
                 const std::vector<int32_t>& sizes_Q, const std::vector<int64_t>& offset_Q,
                 int threads, bool allow_avx = true, int eliminated_dim = -1,
                 GapFill gap_fill = GapFill::kAuto);

  // The weights are referenced, not copied, when the rows are already in
  // run order: they must stay alive and unchanged until the next
  // SetWeights (see FeProjector::SetWeights).
  void SetWeights(std::span<const double> weights_N);

  bool segmented() const { return segmented_; }
  // Segments of the segment layout (0 on the row layout).
  int64_t num_segments() const {
    return segmented_ ? static_cast<int64_t>(seg_length_S_.size()) : 0;
  }
  int eliminated_dim() const { return eliminated_dim_; }
  // The row layout's ids are 16-bit (NarrowIds).
  bool narrow_ids() const { return !rid16_NQ_.empty(); }
  // The conjugate-gradient passes run over gap-filled segments
  // (BuildFilledSegments); the rows they add, and the segments. The other
  // passes then read the rows' levels from the ids or, where those were
  // dropped (large panels), from the segments.
  bool gap_filled() const { return filled_; }
  int64_t filled_rows() const { return filled_ ? num_filled_pos_ - num_obs_ : 0; }
  int64_t num_filled_segments() const {
    return filled_ ? static_cast<int64_t>(fill_seg_length_S_.size()) : 0;
  }

  // Rows sharded across the ranks of `comm` (size > 1; null: one process)
  // by the eliminated dimension's levels, so every run is whole on its
  // rank (FeProjector::SetCommunicator). The runs' means stay local; the
  // remaining levels' sums of each pass (the Schur product), their weight
  // sums, the column norms and the cross products are added across ranks,
  // so the CG over the remaining levels takes the same steps on every rank
  // and alpha_GC holds every remaining level's coefficients everywhere and
  // the eliminated ones only where their rows are (zero elsewhere). Call
  // before SetWeights.
  void SetCommunicator(Communicator* comm) { comm_ = comm; }

  // Same contract as FeProjector::Project; alpha_GC uses the caller's
  // stacked layout (all dimensions) and receives every dimension's
  // coefficients, the eliminated one included.
  // cross_CC (may be null): receives out' W out, num_cols x num_cols
  // row-major, computed in the output pass.
  ProjectionStats Project(std::span<const double* const> in_C, double* out_NC,
                          std::vector<double>& alpha_GC, double tolerance, int max_iterations,
                          double average_rule_from, double* cross_CC);

 private:
  // For every level of e (a run of sorted rows): value = src - D_R coef,
  // minus its weighted run mean; scatters w * value into acc_RC. With
  // src == nullptr the result is -S coef. Also returns sum w |src| per column.
  void Apply(const double* const* src_sorted_C, const double* coef_RC, int num_cols,
             std::vector<double>& acc_RC, double* abs_sum_C);

  // The row layout the kernels take (run_kernels.h).
  RunRows Layout() const;
  // rest_of_caller_R_: the remaining levels numbered by first appearance
  // in run order, or along the runs when that order steps backwards often
  // (the .cc says why).
  void NumberRestLevels(const std::vector<std::vector<int32_t>>& ids_Q, GapFill gap_fill);
  // Steps from one row of a run to the next, a remaining dimension's levels
  // numbered in `order` (rank = position): all, backwards, and +1.
  // level_at(pos): the caller's level of the sorted row `pos`.
  struct StepCounts {
    int64_t steps = 0, descents = 0, units = 0;
    int64_t fillable = 0;  // from +1 to +(kMaxFill + 1): a gap-filled segment goes on
  };
  template <class LevelAt>
  StepCounts CountSteps(const std::vector<int32_t>& order, const LevelAt& level_at) const;
  // The levels in an order that every run follows where the runs agree
  // (a topological order of "a comes right before b in some run", depth
  // first, ties by the first position `first`; by_first: the levels sorted
  // by it).
  template <class LevelAt>
  std::vector<int32_t> OrderAlongRuns(const std::vector<int32_t>& by_first,
                                      std::span<const int64_t> first,
                                      const LevelAt& level_at) const;
  // The eliminated levels' coefficients (elim_EC, run-major) into the
  // caller's stacked layout, each run's at its level.
  void CopyEliminatedCoefficients(const std::vector<double>& elim_EC, int num_cols,
                                  std::vector<double>& alpha_GC) const;
  // Copies the remaining dimensions' coefficients between the caller's
  // stacked layout (all dimensions) and the contiguous _R layout, in the
  // direction `to_rest` says; both level-major with num_cols columns.
  void CopyRestCoefficients(int num_cols, bool to_rest, double* caller_GC, double* rest_RC) const;
  // inv_diag_R_ from level_weight_R_ and the removed sums (both added
  // across ranks first when sharded).
  void FinishWeightSums(std::vector<double>& removed_R);
  // The runs cut into segments of constant level steps (the segment
  // layout), not yet taken: usable only when they average four rows or
  // more (else empty).
  struct PlainSegments {
    std::vector<int64_t> begin_E;
    std::vector<int32_t> length_S, first_SQ, step_SQ;
    bool usable = false;
  };
  PlainSegments CutPlainSegments() const;
  // Switches to the segment layout with `plain` and frees rid_NQ_.
  void AdoptSegments(PlainSegments plain);
  // On the row layout, replaces rid_NQ_ by rid16_NQ_ when the levels fit.
  void NarrowIds();
  // Cuts the runs into segments of unit steps across gaps of at most
  // kMaxFill missing rows, and keeps them for the passes that read no
  // source (the conjugate-gradient steps) when `gap_fill` and the cost
  // model, which weighs them against the rows and `plain`, say so (the .cc
  // says why and how it was measured). Returns false when the model
  // prefers the rows to the plain segments.
  bool BuildFilledSegments(GapFill gap_fill, const PlainSegments& plain);
  // Whether gap filling is worth trying at all under `gap_fill`.
  bool FillMayPay(GapFill gap_fill) const;
  // fill_weight_ from weight_N_ (zero on the filled positions).
  void FillWeights();
  // The segment layout of the filled positions.
  RunRows FilledLayout() const;

  // Sharded: adds values_RC (the projector's numbering, num_cols per
  // level) across ranks. Each rank numbers the remaining levels by first
  // appearance in its own rows, so the values travel in the caller's
  // numbering, the same everywhere.
  void ReduceRest(double* values_RC, int num_cols);
  void ReduceSum(std::span<double> values);

  Communicator* comm_ = nullptr;
  std::vector<double> reduce_buffer_;
  int64_t num_obs_ = 0;
  int num_rest_ = 0;        // remaining dimensions
  int eliminated_dim_ = 0;  // in the caller's numbering
  int64_t num_rest_levels_ = 0;
  int64_t num_elim_levels_ = 0;
  int threads_ = 1;
  std::vector<int64_t> caller_offset_Q_;
  std::vector<int> rest_dims_;        // caller's dimension of each remaining one
  std::vector<int64_t> rest_offset_;  // start of each remaining dimension in _R
  // The projector's number (_R) of each remaining level, indexed by
  // rest_offset_[q] + the caller's id; a permutation within each dimension.
  std::vector<int32_t> rest_of_caller_R_;
  std::vector<int64_t> order_N_;  // sorted position -> original observation
  bool identity_order_ = true;
  // Rows of run r: [run_start_E_[r], run_start_E_[r + 1]). A run is the
  // rows of one eliminated level: level r when level_of_run_E_ is empty,
  // else level_of_run_E_[r] (rows grouped by level in another order of the
  // levels, which the caller chose for locality; levels without rows last).
  std::vector<int64_t> run_start_E_;
  std::vector<int32_t> level_of_run_E_;
  std::vector<int32_t> rid_NQ_;     // remaining levels per sorted row, row-major
  std::vector<uint16_t> rid16_NQ_;  // the same in 16 bits (NarrowIds); then rid_NQ_ is empty
  // Segment layout (run_kernels.h); when segmented_, rid_NQ_ is empty.
  bool segmented_ = false;
  bool allow_avx_ = true;  // the AVX kernel may run (ProjectionOptions::simd)
  std::vector<int64_t> seg_begin_E_;
  std::vector<int32_t> seg_length_S_, seg_first_SQ_, seg_step_SQ_;
  // In run order; null: unit weights. Points into the caller's weights when
  // the rows are already in run order, else into weight_storage_.
  const double* weight_N_ = nullptr;
  std::vector<double> weight_storage_;
  std::vector<double> run_weight_E_;
  // After SetWeights, the run and level weight sums (and diag(S)) are owed
  // by the next Apply, which gathers them in its passes (distinct runs).
  bool weight_sums_pending_ = false;
  std::vector<double> level_weight_R_;
  std::vector<double> inv_diag_R_;  // 1 / diag(S)
  std::vector<std::vector<double>> thread_acc_;
  // Gap-filled segments (BuildFilledSegments): positions of the runs with
  // their gaps filled, num_filled_pos_ in all; the same runs as run_start_E_.
  bool filled_ = false;
  int64_t num_filled_pos_ = 0;
  std::vector<int64_t> fill_run_start_E_, fill_seg_begin_E_;
  std::vector<int32_t> fill_seg_length_S_, fill_seg_first_SQ_, fill_seg_step_SQ_;
  std::vector<uint8_t> fill_offset_N_;   // per row in run order: its position in its segment
  std::vector<double> fill_weight_;      // the weights at the filled positions (0 on fills)
  std::vector<int64_t> task_run_begin_;  // runs split into balanced tasks
  bool distinct_within_runs_ = true;     // no two rows of a run share a remaining level
};

}  // namespace mizani::estimate

// The per-observation kernels of the Schur-complement projector
// (schur_projector.h): observations come in runs, one run per level of the
// eliminated dimension, and each row has one level in every remaining
// dimension. Kept free of I/O and of the projector's state: they take the
// run layout and flat arrays.
//
// Suffixes as in fe_projector.h; `_E` per run (eliminated level), `_S` per
// segment, `_R` per remaining level (all remaining dimensions stacked).
//
// Where a row's remaining levels come from, two layouts:
//  - rows: rid_NQ holds them, one entry per row and remaining dimension;
//  - segments: a run is cut into segments along which every remaining level
//    steps by a constant (in a balanced panel sorted by pair and year, the
//    exporter-year and importer-year ids of a pair's years are consecutive:
//    one segment per run). A segment stores its first levels and steps, so
//    the pass over the data reads no ids at all.
#pragma once

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "estimate/hdfe/fe_projector.h"
#include "estimate/hdfe/run_kernels_avx.h"

namespace mizani::estimate {

// The most remaining dimensions the segment layout handles.
inline constexpr int kMaxSegmentDims = 8;

struct RunRows {
  int num_rest = 0;
  int64_t num_obs = 0;
  const int64_t* run_start_E = nullptr;  // rows of run r: [run_start_E[r], run_start_E[r + 1])
  // Row layout: one of the two is set. Narrow ids (every remaining level
  // below 65,536 and at most kMaxSegmentDims remaining dimensions) halve
  // the bytes of ids a pass reads.
  const int32_t* rid_NQ = nullptr;
  const uint16_t* rid16_NQ = nullptr;
  // Segment layout: segments of run r are [seg_begin_E[r], seg_begin_E[r + 1]).
  const int64_t* seg_begin_E = nullptr;
  const int32_t* seg_length_S = nullptr;
  const int32_t* seg_first_SQ = nullptr;  // levels of the segment's first row
  const int32_t* seg_step_SQ = nullptr;   // their step from one row to the next
  // Row layout without ids (the gap-filled segments of schur_projector.h):
  // a run's rows lie in its segments, from fill_seg_begin_E[r] on, which
  // have unit steps from the levels fill_seg_first_SQ; fill_offset_N[pos]
  // is row pos's position in its segment (0 for the first row of each).
  const uint8_t* fill_offset_N = nullptr;
  const int64_t* fill_seg_begin_E = nullptr;
  const int32_t* fill_seg_first_SQ = nullptr;
  const double* weight_N = nullptr;      // null: unit weights
  const double* run_weight_E = nullptr;  // weight sum of each run
  bool allow_avx = true;                 // false: never the AVX kernel (ProjectionOptions)
};

// Calls fn(pos, level_Q) for every row of `run`, level_Q pointing at the
// row's kRest (or rows.num_rest when kRest is 0) remaining levels.
template <int kRest, bool kSegmented, typename Fn>
inline void ForEachRow(const RunRows& rows, int64_t run, Fn&& fn) {
  const int num_rest = kRest > 0 ? kRest : rows.num_rest;
  if constexpr (kSegmented) {
    int64_t pos = rows.run_start_E[run];
    for (int64_t seg = rows.seg_begin_E[run]; seg < rows.seg_begin_E[run + 1]; ++seg) {
      int32_t level_Q[kMaxSegmentDims], step_Q[kMaxSegmentDims];
      for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx) {
        level_Q[rest_idx] = rows.seg_first_SQ[seg * num_rest + rest_idx];
        step_Q[rest_idx] = rows.seg_step_SQ[seg * num_rest + rest_idx];
      }
      const int32_t length = rows.seg_length_S[seg];
      for (int32_t row_in_seg = 0; row_in_seg < length; ++row_in_seg, ++pos) {
        fn(pos, static_cast<const int32_t*>(level_Q));
        for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx)
          level_Q[rest_idx] += step_Q[rest_idx];
      }
    }
  } else if (rows.fill_offset_N != nullptr) {
    // A row's levels: its segment's first levels plus its offset there. A
    // row at offset 0 starts the next segment (the run's first row its
    // first), counted without a branch.
    int32_t level_Q[kMaxSegmentDims];
    int64_t first_at = (rows.fill_seg_begin_E[run] - 1) * num_rest;
    for (int64_t pos = rows.run_start_E[run]; pos < rows.run_start_E[run + 1]; ++pos) {
      const int32_t offset = rows.fill_offset_N[pos];
      first_at += offset == 0 ? num_rest : 0;
      for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx)
        level_Q[rest_idx] = rows.fill_seg_first_SQ[first_at + rest_idx] + offset;
      fn(pos, static_cast<const int32_t*>(level_Q));
    }
  } else if (rows.rid16_NQ != nullptr) {
    int32_t level_Q[kMaxSegmentDims];
    for (int64_t pos = rows.run_start_E[run]; pos < rows.run_start_E[run + 1]; ++pos) {
      for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx)
        level_Q[rest_idx] = rows.rid16_NQ[pos * num_rest + rest_idx];
      fn(pos, static_cast<const int32_t*>(level_Q));
    }
  } else {
    for (int64_t pos = rows.run_start_E[run]; pos < rows.run_start_E[run + 1]; ++pos)
      fn(pos, rows.rid_NQ + pos * num_rest);
  }
}

// value_C = src_C[.][pos] - sum over remaining dimensions of coef(level, .)
// (src_C null: zero). src_C[c] points at column c's N values.
template <int kRest, int kCols>
inline void RowValues(const RunRows& rows, int num_cols_rt, const double* const* src_C,
                      const double* coef_RC, int64_t pos, const int32_t* level_Q, double* value_C) {
  const int num_rest = kRest > 0 ? kRest : rows.num_rest;
  const int num_cols = kCols > 0 ? kCols : num_cols_rt;
  for (int col_idx = 0; col_idx < num_cols; ++col_idx)
    value_C[col_idx] = src_C != nullptr ? src_C[col_idx][pos] : 0.0;
  for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx) {
    const double* coef = coef_RC + static_cast<int64_t>(level_Q[rest_idx]) * num_cols;
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) value_C[col_idx] -= coef[col_idx];
  }
}

// A segment of the segment layout seen from its first row: its position
// and length, and per remaining dimension where its coefficients and
// accumulators start and the stride from one row's to the next (kCols
// doubles per level).
struct SegmentView {
  int64_t pos = 0;
  int64_t length = 0;
  bool unit = true;  // every step is one: the rows' levels are consecutive
  const double* coef_Q[kMaxSegmentDims] = {};
  double* acc_Q[kMaxSegmentDims] = {};
  int64_t stride_Q[kMaxSegmentDims] = {};
  int64_t first_Q[kMaxSegmentDims] = {};  // the first row's levels
  int64_t step_Q[kMaxSegmentDims] = {};   // and their step
};

template <int kCols, bool kWithSums>
inline SegmentView ViewSegment(const RunRows& rows, int num_rest, int64_t seg, int64_t pos,
                               const double* coef_RC, double* acc_RC) {
  SegmentView segment;
  segment.pos = pos;
  segment.length = rows.seg_length_S[seg];
  for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx) {
    const int64_t first = rows.seg_first_SQ[seg * num_rest + rest_idx];
    const int32_t step = rows.seg_step_SQ[seg * num_rest + rest_idx];
    segment.coef_Q[rest_idx] = coef_RC + first * kCols;
    // A kernel that adds no sums passes no array: an offset from a null
    // pointer would be undefined behaviour, so its view has none.
    if constexpr (kWithSums) segment.acc_Q[rest_idx] = acc_RC + first * kCols;
    segment.stride_Q[rest_idx] = static_cast<int64_t>(step) * kCols;
    segment.first_Q[rest_idx] = first;
    segment.step_Q[rest_idx] = step;
    segment.unit = segment.unit && step == 1;
  }
  return segment;
}

// Calls fn(segment) for every segment of `run`, in order. A kernel that adds
// no sums passes nullptr for acc_RC (and its segments have no acc_Q).
template <int kCols, typename Fn, typename Sums>
inline void ForEachSegment(const RunRows& rows, int num_rest, int64_t run, const double* coef_RC,
                           Sums acc_RC, Fn&& fn) {
  constexpr bool kWithSums = !std::is_same_v<Sums, std::nullptr_t>;
  int64_t pos = rows.run_start_E[run];
  for (int64_t seg = rows.seg_begin_E[run]; seg < rows.seg_begin_E[run + 1]; ++seg) {
    const SegmentView segment =
        ViewSegment<kCols, kWithSums>(rows, num_rest, seg, pos, coef_RC, acc_RC);
    pos += segment.length;
    fn(segment);
  }
}

// One row of a run as the packed source and output kernels see it: its
// position, and where its coefficients and accumulators (kCols doubles a
// level) and its levels are in every remaining dimension. SegmentRow is
// row `row` of a segment (segment layout), IdRow a row with its ids (row
// layout); ForEachRunRow walks a run's rows with the one its layout has.
template <int kCols>
struct SegmentRow {
  const SegmentView& segment;
  int64_t row;
  int64_t pos() const { return segment.pos + row; }
  const double* coef(int rest_idx) const {
    return segment.coef_Q[rest_idx] + row * segment.stride_Q[rest_idx];
  }
  double* acc(int rest_idx) const {
    return segment.acc_Q[rest_idx] + row * segment.stride_Q[rest_idx];
  }
  int64_t level(int rest_idx) const {
    return segment.first_Q[rest_idx] + row * segment.step_Q[rest_idx];
  }
};

template <int kCols>
struct IdRow {
  int64_t position;
  const int32_t* level_Q;
  const double* coef_RC;
  double* acc_RC;  // null for a kernel that adds no sums
  int64_t pos() const { return position; }
  const double* coef(int rest_idx) const {
    return coef_RC + static_cast<int64_t>(level_Q[rest_idx]) * kCols;
  }
  double* acc(int rest_idx) const {
    return acc_RC + static_cast<int64_t>(level_Q[rest_idx]) * kCols;
  }
  int64_t level(int rest_idx) const { return level_Q[rest_idx]; }
};

// Calls fn(row) for every row of `run`, in order (acc_RC: the accumulators,
// or nullptr for a kernel that adds no sums).
template <int kRest, int kCols, bool kSegmented, typename Sums, typename Fn>
inline void ForEachRunRow(const RunRows& rows, int num_rest, int64_t run, const double* coef_RC,
                          Sums acc_RC, Fn&& fn) {
  if constexpr (kSegmented) {
    ForEachSegment<kCols>(rows, num_rest, run, coef_RC, acc_RC, [&](const SegmentView& segment) {
      for (int64_t row = 0; row < segment.length; ++row) fn(SegmentRow<kCols>{segment, row});
    });
  } else {
    double* acc = nullptr;
    if constexpr (!std::is_same_v<Sums, std::nullptr_t>) acc = acc_RC;
    ForEachRow<kRest, false>(rows, run, [&](int64_t pos, const int32_t* level_Q) {
      fn(IdRow<kCols>{pos, level_Q, coef_RC, acc});
    });
  }
}

#if defined(__SSE2__)
// A row's source (src_C[c][pos]) and value = source - the sum of its
// coefficients, with the columns in pairs (an odd last one alone).
template <int kCols, typename Row>
inline void SourceRowValues(const Row& at, int num_rest, const double* const* src_C, __m128d* src_P,
                            double* src_last, __m128d* value_P, double* value_last) {
  constexpr int kPairs = kCols / 2;
  const int64_t pos = at.pos();
  for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) {
    src_P[pair_idx] = _mm_set_pd(src_C[2 * pair_idx + 1][pos], src_C[2 * pair_idx][pos]);
    value_P[pair_idx] = src_P[pair_idx];
  }
  if constexpr (kCols % 2 == 1) *value_last = *src_last = src_C[kCols - 1][pos];
  for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx) {
    const double* coef = at.coef(rest_idx);
    for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx)
      value_P[pair_idx] = _mm_sub_pd(value_P[pair_idx], _mm_loadu_pd(coef + 2 * pair_idx));
    if constexpr (kCols % 2 == 1) *value_last -= coef[kCols - 1];
  }
}
#endif

#if defined(__SSE2__)
// A row's values (pairs and an odd last column) to and from kCols doubles:
// loop 1 of a kernel keeps them for loop 2.
template <int kCols>
inline void SaveRow(const __m128d* value_P, double value_last, double* saved) {
  for (int pair_idx = 0; pair_idx < kCols / 2; ++pair_idx)
    _mm_storeu_pd(saved + 2 * pair_idx, value_P[pair_idx]);
  if constexpr (kCols % 2 == 1) saved[kCols - 1] = value_last;
}

template <int kCols>
inline void LoadRow(const double* saved, __m128d* value_P, double* value_last) {
  for (int pair_idx = 0; pair_idx < kCols / 2; ++pair_idx)
    value_P[pair_idx] = _mm_loadu_pd(saved + 2 * pair_idx);
  if constexpr (kCols % 2 == 1) *value_last = saved[kCols - 1];
}
#endif

// Weight sums the projector needs after new weights, gathered by the first
// pass that follows (ApplyKernel) instead of a pass of their own.
struct WeightSums {
  double* run_weight_E = nullptr;    // sum of w over each run (written)
  double* level_weight_R = nullptr;  // sum of w per remaining level (added to)
  double* removed_R = nullptr;       // sum over runs of w_row^2 / W_run per level (added to)
};

// S applied to coef on runs [run_begin, run_end): for every run, the values
// src - D_R coef, minus their weighted run mean, scattered weighted into
// acc_RC. With src null the result is -S coef. abs_sum_C (may be null)
// receives sum w |src| per column. With sums, the run weights are summed
// here (rows.run_weight_E is not read) and the level sums added.
struct ApplyKernel {
#if defined(__SSE2__)
  // The CG pass (src null, no sums) on the row layout (MatvecSegments below
  // serves the segment layout): a level's coefficients are adjacent
  // (level-major layout), so the columns are handled two at a time in
  // packed registers (an odd last column alone; one column, which the
  // conjugate gradients pass once the other columns have converged, alone).
  // The first loop keeps each row's values for the second when the run is
  // short (a pair's years): the second then reads no coefficients, only
  // the ids of the levels it adds to. The arithmetic, and its order, is
  // that of the generic loop below, so the results are identical.
  template <int kRest, int kCols, bool kSegmented>
  static void MatvecPacked(const RunRows& rows, int64_t run_begin, int64_t run_end,
                           const double* coef_RC, double* acc_RC) {
    static_assert(kCols >= 1 && kCols <= kMaxColumns);
    constexpr int kPairs = kCols / 2;
    constexpr int kPairSlots = kPairs > 0 ? kPairs : 1;
    constexpr bool kOdd = kCols % 2 == 1;
    // 4 KiB of the stack: 512 values (a run of 256 rows at two columns).
    constexpr int64_t kSavedRows = 512 / kCols;
    const int num_rest = kRest > 0 ? kRest : rows.num_rest;
    // value = -(sum over dimensions of the row's coefficients), in order.
    auto row_values = [&](const int32_t* level_Q, __m128d* pair_P, double* last) {
      for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) pair_P[pair_idx] = _mm_setzero_pd();
      *last = 0.0;
      for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx) {
        const double* coef = coef_RC + static_cast<int64_t>(level_Q[rest_idx]) * kCols;
        for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx)
          pair_P[pair_idx] = _mm_sub_pd(pair_P[pair_idx], _mm_loadu_pd(coef + 2 * pair_idx));
        if constexpr (kOdd) *last -= coef[kCols - 1];
      }
    };
    double saved_RC[kSavedRows * kCols];
    for (int64_t run = run_begin; run < run_end; ++run) {
      __m128d sum_P[kPairSlots], value_P[kPairSlots], mean_P[kPairSlots];
      double sum_last = 0, value_last = 0;
      for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) sum_P[pair_idx] = _mm_setzero_pd();
      const int64_t first_pos = rows.run_start_E[run];
      const bool saving = rows.run_start_E[run + 1] - first_pos <= kSavedRows;
      ForEachRow<kRest, kSegmented>(rows, run, [&](int64_t pos, const int32_t* level_Q) {
        const double weight = rows.weight_N != nullptr ? rows.weight_N[pos] : 1.0;
        row_values(level_Q, value_P, &value_last);
        if (saving) SaveRow<kCols>(value_P, value_last, saved_RC + (pos - first_pos) * kCols);
        for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) {
          sum_P[pair_idx] =
              _mm_add_pd(sum_P[pair_idx], _mm_mul_pd(_mm_set1_pd(weight), value_P[pair_idx]));
        }
        if constexpr (kOdd) sum_last += weight * value_last;
      });
      const double run_weight = rows.run_weight_E[run];
      for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) {
        mean_P[pair_idx] = run_weight > 0 ? _mm_div_pd(sum_P[pair_idx], _mm_set1_pd(run_weight))
                                          : _mm_setzero_pd();
      }
      const double mean_last = run_weight > 0 ? sum_last / run_weight : 0.0;
      ForEachRow<kRest, kSegmented>(rows, run, [&](int64_t pos, const int32_t* level_Q) {
        const double weight = rows.weight_N != nullptr ? rows.weight_N[pos] : 1.0;
        if (saving) {
          LoadRow<kCols>(saved_RC + (pos - first_pos) * kCols, value_P, &value_last);
        } else {
          row_values(level_Q, value_P, &value_last);
        }
        for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) {
          value_P[pair_idx] =
              _mm_mul_pd(_mm_set1_pd(weight), _mm_sub_pd(value_P[pair_idx], mean_P[pair_idx]));
        }
        value_last = weight * (value_last - mean_last);
        for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx) {
          double* target = acc_RC + static_cast<int64_t>(level_Q[rest_idx]) * kCols;
          for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) {
            _mm_storeu_pd(target + 2 * pair_idx,
                          _mm_add_pd(_mm_loadu_pd(target + 2 * pair_idx), value_P[pair_idx]));
          }
          if constexpr (kOdd) target[kCols - 1] += value_last;
        }
      });
    }
  }
#endif

#if defined(__SSE2__)
  // Loop 2 of the segment kernels for one row: w (value - mean), added to
  // the row's accumulators in every remaining dimension (pairs of columns
  // in registers, an odd last column alone).
  template <int kCols, typename Row>
  static void AddDeviation(const Row& at, int num_rest, double weight, const __m128d* value_P,
                           double value_last, const __m128d* mean_P, double mean_last) {
    constexpr int kPairs = kCols / 2;
    __m128d deviation_P[kPairs > 0 ? kPairs : 1];
    for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) {
      deviation_P[pair_idx] =
          _mm_mul_pd(_mm_set1_pd(weight), _mm_sub_pd(value_P[pair_idx], mean_P[pair_idx]));
    }
    const double deviation_last = weight * (value_last - mean_last);
    for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx) {
      double* target = at.acc(rest_idx);
      for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) {
        _mm_storeu_pd(target + 2 * pair_idx,
                      _mm_add_pd(_mm_loadu_pd(target + 2 * pair_idx), deviation_P[pair_idx]));
      }
      if constexpr (kCols % 2 == 1) target[kCols - 1] += deviation_last;
    }
  }
#endif

#if defined(__SSE2__)
  // The CG pass on the segment layout. A segment's rows step through each
  // remaining dimension's levels by a constant, so their coefficients sit
  // at a fixed stride (contiguous when the step is one: the projector
  // numbers levels in the order the runs meet them, which makes that the
  // usual case in both gravity models). The run sum is carried in two
  // accumulators (even and odd rows), halving the chain of dependent adds
  // that bounds the first loop; one column with unit steps takes two rows
  // per register.
  template <int kRest, int kCols>
  static void MatvecSegments(const RunRows& rows, int64_t run_begin, int64_t run_end,
                             const double* coef_RC, double* acc_RC) {
    static_assert(kCols >= 1 && kCols <= kMaxColumns);
    constexpr int kPairs = kCols / 2;
    constexpr int kPairSlots = kPairs > 0 ? kPairs : 1;
    constexpr bool kOdd = kCols % 2 == 1;
    const int num_rest = kRest > 0 ? kRest : rows.num_rest;
    const double* weight_N = rows.weight_N;
    // value = -(sum over dimensions of the row's coefficients).
    auto row_values = [&](const SegmentView& segment, int64_t row, __m128d* pair_P, double* last) {
      for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) pair_P[pair_idx] = _mm_setzero_pd();
      *last = 0.0;
      for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx) {
        const double* coef = segment.coef_Q[rest_idx] + row * segment.stride_Q[rest_idx];
        for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx)
          pair_P[pair_idx] = _mm_sub_pd(pair_P[pair_idx], _mm_loadu_pd(coef + 2 * pair_idx));
        if constexpr (kOdd) *last -= coef[kCols - 1];
      }
    };
    auto weight_at = [&](int64_t pos) { return weight_N != nullptr ? weight_N[pos] : 1.0; };
    // Rows row and row + 1 of a one-column unit segment.
    auto two_values = [&](const SegmentView& segment, int64_t row) {
      __m128d value = _mm_setzero_pd();
      for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx)
        value = _mm_sub_pd(value, _mm_loadu_pd(segment.coef_Q[rest_idx] + row));
      return value;
    };
    auto two_weights = [&](int64_t pos) {
      return weight_N != nullptr ? _mm_loadu_pd(weight_N + pos) : _mm_set1_pd(1.0);
    };
    for (int64_t run = run_begin; run < run_end; ++run) {
      __m128d even_P[kPairSlots], odd_P[kPairSlots], value_P[kPairSlots], mean_P[kPairSlots];
      for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx)
        even_P[pair_idx] = odd_P[pair_idx] = _mm_setzero_pd();
      double even_last = 0, odd_last = 0, value_last = 0;
      __m128d two_even = _mm_setzero_pd(), two_odd = _mm_setzero_pd();
      auto for_each_segment = [&](auto&& fn) {
        ForEachSegment<kCols>(rows, num_rest, run, coef_RC, acc_RC, fn);
      };
      // Loop 1: the run's weighted sum of the values.
      for_each_segment([&](const SegmentView& segment) {
        int64_t row = 0;
        if constexpr (kCols == 1) {
          if (segment.unit) {
            for (; row + 3 < segment.length; row += 4) {
              two_even = _mm_add_pd(
                  two_even, _mm_mul_pd(two_weights(segment.pos + row), two_values(segment, row)));
              two_odd = _mm_add_pd(two_odd, _mm_mul_pd(two_weights(segment.pos + row + 2),
                                                       two_values(segment, row + 2)));
            }
          }
        }
        // (Each accumulator named in its own statement: selected through a
        // pointer they would live in memory.)
        auto add_row = [&](int64_t at, __m128d* sum_P, double* sum_last) {
          const double weight = weight_at(segment.pos + at);
          row_values(segment, at, value_P, &value_last);
          for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) {
            sum_P[pair_idx] =
                _mm_add_pd(sum_P[pair_idx], _mm_mul_pd(_mm_set1_pd(weight), value_P[pair_idx]));
          }
          if constexpr (kOdd) *sum_last += weight * value_last;
        };
        for (; row + 1 < segment.length; row += 2) {
          add_row(row, even_P, &even_last);
          add_row(row + 1, odd_P, &odd_last);
        }
        if (row < segment.length) add_row(row, even_P, &even_last);
      });
      const double run_weight = rows.run_weight_E[run];
      const double inv_weight = run_weight > 0 ? 1.0 / run_weight : 0.0;
      for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) {
        mean_P[pair_idx] =
            _mm_mul_pd(_mm_add_pd(even_P[pair_idx], odd_P[pair_idx]), _mm_set1_pd(inv_weight));
      }
      double mean_last = 0;
      if constexpr (kOdd) {
        double two[2];
        _mm_storeu_pd(two, _mm_add_pd(two_even, two_odd));
        mean_last = (even_last + odd_last + (two[0] + two[1])) * inv_weight;
      }
      // Loop 2: scatter the weighted deviations from the mean.
      for_each_segment([&](const SegmentView& segment) {
        int64_t row = 0;
        if constexpr (kCols == 1) {
          if (segment.unit) {
            const __m128d mean = _mm_set1_pd(mean_last);
            for (; row + 1 < segment.length; row += 2) {
              const __m128d deviation = _mm_mul_pd(two_weights(segment.pos + row),
                                                   _mm_sub_pd(two_values(segment, row), mean));
              for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx) {
                double* target = segment.acc_Q[rest_idx] + row;
                _mm_storeu_pd(target, _mm_add_pd(_mm_loadu_pd(target), deviation));
              }
            }
          }
        }
        for (; row < segment.length; ++row) {
          const double weight = weight_at(segment.pos + row);
          row_values(segment, row, value_P, &value_last);
          AddDeviation<kCols>(SegmentRow<kCols>{segment, row}, num_rest, weight, value_P,
                              value_last, mean_P, mean_last);
        }
      });
    }
  }
#endif

#if defined(__SSE2__)
  // The first pass of a projection (a source, the absolute sums and, after
  // new weights, the weight sums), on either layout: the columns in pairs
  // as in MatvecSegments, a short run's values kept from loop 1 for loop 2,
  // and the same operations in the same order as the generic loop below
  // per column, so the results are identical. (On the row layout the
  // generic loop, which gathers every row's coefficients twice and handles
  // one column at a time, took 2.5 times a conjugate-gradient pass on the
  // seventh process's two-way model; session 25.)
  template <int kRest, int kCols, bool kSegmented>
  static void SourcePacked(const RunRows& rows, int64_t run_begin, int64_t run_end,
                           const double* const* src_C, const double* coef_RC, double* acc_RC,
                           double* abs_sum_C, const WeightSums* sums) {
    static_assert(kCols >= 2 && kCols <= kMaxColumns);
    constexpr int kPairs = kCols / 2;
    constexpr bool kOdd = kCols % 2 == 1;
    const int num_rest = kRest > 0 ? kRest : rows.num_rest;
    const double* weight_N = rows.weight_N;
    const __m128d sign = _mm_set1_pd(-0.0);
    __m128d abs_P[kPairs];
    double abs_last = 0;
    for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) abs_P[pair_idx] = _mm_setzero_pd();
    // The values of a run's rows, kept from loop 1 for loop 2 when the run
    // fits (as in ResidualPacked).
    constexpr int64_t kSavedRows = 512;
    double saved_NC[kSavedRows * kCols];
    for (int64_t run = run_begin; run < run_end; ++run) {
      const bool saving = rows.run_start_E[run + 1] - rows.run_start_E[run] <= kSavedRows;
      double* saved = saved_NC;
      auto for_each_row = [&](auto&& fn) {
        ForEachRunRow<kRest, kCols, kSegmented>(rows, num_rest, run, coef_RC, acc_RC, fn);
      };
      __m128d sum_P[kPairs], src_P[kPairs], value_P[kPairs], mean_P[kPairs];
      for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) sum_P[pair_idx] = _mm_setzero_pd();
      double sum_last = 0, src_last = 0, value_last = 0, weight_sum = 0;
      // Loop 1: the run's weighted sums.
      for_each_row([&](const auto& at) {
        const double weight = weight_N != nullptr ? weight_N[at.pos()] : 1.0;
        const __m128d weight2 = _mm_set1_pd(weight);
        weight_sum += weight;
        SourceRowValues<kCols>(at, num_rest, src_C, src_P, &src_last, value_P, &value_last);
        if (saving) {
          SaveRow<kCols>(value_P, value_last, saved);
          saved += kCols;
        }
        if (abs_sum_C != nullptr) {
          for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) {
            abs_P[pair_idx] = _mm_add_pd(abs_P[pair_idx],
                                         _mm_mul_pd(weight2, _mm_andnot_pd(sign, src_P[pair_idx])));
          }
          if constexpr (kOdd) abs_last += weight * std::abs(src_last);
        }
        for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx)
          sum_P[pair_idx] = _mm_add_pd(sum_P[pair_idx], _mm_mul_pd(weight2, value_P[pair_idx]));
        if constexpr (kOdd) sum_last += weight * value_last;
      });
      const double run_weight = sums != nullptr ? weight_sum : rows.run_weight_E[run];
      if (sums != nullptr) sums->run_weight_E[run] = run_weight;
      const double inv_run_weight = run_weight > 0 ? 1.0 / run_weight : 0.0;
      for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) {
        mean_P[pair_idx] = run_weight > 0 ? _mm_div_pd(sum_P[pair_idx], _mm_set1_pd(run_weight))
                                          : _mm_setzero_pd();
      }
      const double mean_last = run_weight > 0 ? sum_last / run_weight : 0.0;
      // Loop 2 (the run's rows are in cache): scatter the weighted deviations.
      const double* kept = saved_NC;
      for_each_row([&](const auto& at) {
        const double weight = weight_N != nullptr ? weight_N[at.pos()] : 1.0;
        if (sums != nullptr) {
          const double removed = weight * weight * inv_run_weight;
          for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx) {
            const int64_t level = at.level(rest_idx);
            sums->level_weight_R[level] += weight;
            sums->removed_R[level] += removed;
          }
        }
        if (saving) {
          LoadRow<kCols>(kept, value_P, &value_last);
          kept += kCols;
        } else {
          SourceRowValues<kCols>(at, num_rest, src_C, src_P, &src_last, value_P, &value_last);
        }
        AddDeviation<kCols>(at, num_rest, weight, value_P, value_last, mean_P, mean_last);
      });
    }
    if (abs_sum_C != nullptr) {
      for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) {
        double two[2];
        _mm_storeu_pd(two, abs_P[pair_idx]);
        abs_sum_C[2 * pair_idx] += two[0];
        abs_sum_C[2 * pair_idx + 1] += two[1];
      }
      if constexpr (kOdd) abs_sum_C[kCols - 1] += abs_last;
    }
  }
#endif

  template <int kRest, int kCols, bool kSegmented>
  static void Run(const RunRows& rows, int num_cols_rt, int64_t run_begin, int64_t run_end,
                  const double* const* src_C, const double* coef_RC, double* acc_RC,
                  double* abs_sum_C, const WeightSums* sums) {
#if defined(__SSE2__)
    if constexpr (kCols >= 1) {
      if (src_C == nullptr && sums == nullptr && abs_sum_C == nullptr) {
        if constexpr (kSegmented) {
          if constexpr (kCols == 1 || kCols == 2 || kCols == 4 || kCols == 5) {
            if (rows.allow_avx && AvxKernelsAvailable()) {
              MatvecSegmentsAvx<kRest, kCols>(rows, run_begin, run_end, coef_RC, acc_RC);
              return;
            }
          }
          MatvecSegments<kRest, kCols>(rows, run_begin, run_end, coef_RC, acc_RC);
          return;
        } else {
          MatvecPacked<kRest, kCols, kSegmented>(rows, run_begin, run_end, coef_RC, acc_RC);
          return;
        }
      }
    }
    if constexpr (kCols >= 2) {
      if (src_C != nullptr) {
        SourcePacked<kRest, kCols, kSegmented>(rows, run_begin, run_end, src_C, coef_RC, acc_RC,
                                               abs_sum_C, sums);
        return;
      }
    }
#endif
    const int num_cols = kCols > 0 ? kCols : num_cols_rt;
    const int num_rest = kRest > 0 ? kRest : rows.num_rest;
    double sum_C[kMaxColumns], mean_C[kMaxColumns], value_C[kMaxColumns];
    double abs_local[kMaxColumns] = {};  // summed locally, added once
    for (int64_t run = run_begin; run < run_end; ++run) {
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) sum_C[col_idx] = 0;
      double weight_sum = 0;
      // Pass 1: the run's weighted mean of src - D_R coef.
      ForEachRow<kRest, kSegmented>(rows, run, [&](int64_t pos, const int32_t* level_Q) {
        const double weight = rows.weight_N != nullptr ? rows.weight_N[pos] : 1.0;
        weight_sum += weight;
        RowValues<kRest, kCols>(rows, num_cols, src_C, coef_RC, pos, level_Q, value_C);
        if (abs_sum_C != nullptr) {
          for (int col_idx = 0; col_idx < num_cols; ++col_idx)
            abs_local[col_idx] += weight * std::abs(src_C[col_idx][pos]);
        }
        for (int col_idx = 0; col_idx < num_cols; ++col_idx)
          sum_C[col_idx] += weight * value_C[col_idx];
      });
      const double run_weight = sums != nullptr ? weight_sum : rows.run_weight_E[run];
      if (sums != nullptr) sums->run_weight_E[run] = run_weight;
      const double inv_run_weight = run_weight > 0 ? 1.0 / run_weight : 0.0;
      for (int col_idx = 0; col_idx < num_cols; ++col_idx)
        mean_C[col_idx] = run_weight > 0 ? sum_C[col_idx] / run_weight : 0.0;
      // Pass 2 (the run's rows are in cache): scatter the weighted deviations.
      ForEachRow<kRest, kSegmented>(rows, run, [&](int64_t pos, const int32_t* level_Q) {
        const double weight = rows.weight_N != nullptr ? rows.weight_N[pos] : 1.0;
        if (sums != nullptr) {
          const double removed = weight * weight * inv_run_weight;
          for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx) {
            sums->level_weight_R[level_Q[rest_idx]] += weight;
            sums->removed_R[level_Q[rest_idx]] += removed;
          }
        }
        RowValues<kRest, kCols>(rows, num_cols, src_C, coef_RC, pos, level_Q, value_C);
        for (int col_idx = 0; col_idx < num_cols; ++col_idx)
          value_C[col_idx] = weight * (value_C[col_idx] - mean_C[col_idx]);
        for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx) {
          double* target = acc_RC + static_cast<int64_t>(level_Q[rest_idx]) * num_cols;
          for (int col_idx = 0; col_idx < num_cols; ++col_idx) target[col_idx] += value_C[col_idx];
        }
      });
    }
    if (abs_sum_C != nullptr) {
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) abs_sum_C[col_idx] += abs_local[col_idx];
    }
  }
};

#if defined(__SSE2__)
// Adds weight v_r v_c to the lower triangle r >= c of the cross products,
// each row r in pairs of columns (cross_RP[r][p] holds columns 2p, 2p + 1).
// The row's values come in registers (pairs, and an odd last one): read
// back from memory where they were just stored in halves, they would stall
// on store forwarding (half of this pass's time, measured). The products
// and their order are those of the scalar loop.
template <int kCols>
inline void AccumulateCross(const __m128d* value_P, double value_last, double weight,
                            __m128d (*cross_RP)[(kCols + 1) / 2]) {
  constexpr int kPairs = kCols / 2;
  constexpr int kCrossPairs = (kCols + 1) / 2;
  __m128d pair_P[kCrossPairs];
  for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) pair_P[pair_idx] = value_P[pair_idx];
  if constexpr (kCols % 2 == 1) pair_P[kPairs] = _mm_set_sd(value_last);  // (last, 0)
  const __m128d weight2 = _mm_set1_pd(weight);
  for (int row_col = 0; row_col < kCols; ++row_col) {
    __m128d value;
    if (row_col / 2 < kPairs) {
      const __m128d pair = value_P[row_col / 2];
      value = row_col % 2 == 0 ? _mm_unpacklo_pd(pair, pair) : _mm_unpackhi_pd(pair, pair);
    } else {
      value = _mm_set1_pd(value_last);
    }
    const __m128d weighted = _mm_mul_pd(weight2, value);
    for (int pair_idx = 0; 2 * pair_idx <= row_col; ++pair_idx) {
      cross_RP[row_col][pair_idx] =
          _mm_add_pd(cross_RP[row_col][pair_idx], _mm_mul_pd(weighted, pair_P[pair_idx]));
    }
  }
}

// Adds the lower triangle summed by AccumulateCross to cross_CC (row-major).
template <int kCols>
inline void AddCross(const __m128d (*cross_RP)[(kCols + 1) / 2], double* cross_CC) {
  for (int row_col = 0; row_col < kCols; ++row_col) {
    for (int pair_idx = 0; 2 * pair_idx <= row_col; ++pair_idx) {
      double two[2];
      _mm_storeu_pd(two, cross_RP[row_col][pair_idx]);
      cross_CC[row_col * kCols + 2 * pair_idx] += two[0];
      if (2 * pair_idx + 1 <= row_col) cross_CC[row_col * kCols + 2 * pair_idx + 1] += two[1];
    }
  }
}
#endif

// The output pass on runs [run_begin, run_end): the values src - D_R x,
// their weighted run mean (the eliminated dimension's coefficient, written
// run-major to elim_EC; the plain mean when the run has no weight) and
// dst = value - mean (dst null: not written, when the caller needs only the
// coefficients and cross products). The values are recomputed in the second
// loop (the run's rows are in cache) rather than stored. With cross_CC (num_cols^2,
// lower triangle used) it also adds up sum w dst_c dst_d, the cross products
// the caller needs next (IRLS: [z~, X~]'W[z~, X~]), while the row is in
// registers instead of in another pass over the block.
struct ResidualKernel {
#if defined(__SSE2__)
  // Run with two or more columns, on either layout: the columns in pairs
  // (SourceRowValues), a short run's values kept from loop 1 for loop 2,
  // and the same operations in the same order per column as the generic
  // loop below, so the results are identical.
  template <int kRest, int kCols, bool kSegmented>
  static void ResidualPacked(const RunRows& rows, int64_t run_begin, int64_t run_end,
                             const double* const* src_C, const double* coef_RC, double* dst_NC,
                             double* elim_EC, double* cross_CC) {
    static_assert(kCols >= 2 && kCols <= kMaxColumns);
    constexpr int kPairs = kCols / 2;
    constexpr bool kOdd = kCols % 2 == 1;
    constexpr int kCrossPairs = (kCols + 1) / 2;
    const int num_rest = kRest > 0 ? kRest : rows.num_rest;
    const double* weight_N = rows.weight_N;
    __m128d cross_RP[kCols][kCrossPairs];
    for (int row_col = 0; row_col < kCols; ++row_col) {
      for (int pair_idx = 0; pair_idx < kCrossPairs; ++pair_idx)
        cross_RP[row_col][pair_idx] = _mm_setzero_pd();
    }
    // A row's values one by one, with a zero after the last column (the
    // cross products read them in pairs).
    double value_C[kCols + 1] = {};
    __m128d src_P[kPairs], value_P[kPairs], sum_P[kPairs], mean_P[kPairs];
    double src_last = 0, value_last = 0;
    // The values of a run's rows, kept from loop 1 for loop 2 when the run
    // fits (gravity runs: 40 or 249 rows) instead of gathered again from
    // the columns.
    constexpr int64_t kSavedRows = 512;
    double saved_NC[kSavedRows * kCols];
    for (int64_t run = run_begin; run < run_end; ++run) {
      for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) sum_P[pair_idx] = _mm_setzero_pd();
      double sum_last = 0;
      const bool saving = rows.run_start_E[run + 1] - rows.run_start_E[run] <= kSavedRows;
      double* saved = saved_NC;
      auto for_each_row = [&](auto&& fn) {
        ForEachRunRow<kRest, kCols, kSegmented>(rows, num_rest, run, coef_RC, nullptr, fn);
      };
      for_each_row([&](const auto& at) {
        const double weight = weight_N != nullptr ? weight_N[at.pos()] : 1.0;
        SourceRowValues<kCols>(at, num_rest, src_C, src_P, &src_last, value_P, &value_last);
        if (saving) {
          SaveRow<kCols>(value_P, value_last, saved);
          saved += kCols;
        }
        for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) {
          sum_P[pair_idx] =
              _mm_add_pd(sum_P[pair_idx], _mm_mul_pd(_mm_set1_pd(weight), value_P[pair_idx]));
        }
        if constexpr (kOdd) sum_last += weight * value_last;
      });
      const double run_weight = rows.run_weight_E[run];
      double* mean = elim_EC + run * kCols;
      if (run_weight > 0) {
        for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx)
          _mm_storeu_pd(mean + 2 * pair_idx, _mm_div_pd(sum_P[pair_idx], _mm_set1_pd(run_weight)));
        if constexpr (kOdd) mean[kCols - 1] = sum_last / run_weight;
      } else {
        // A run without weight: its coefficient is the plain mean.
        for (int col_idx = 0; col_idx < kCols; ++col_idx) mean[col_idx] = 0;
        int64_t length = 0;
        for_each_row([&](const auto& at) {
          ++length;
          SourceRowValues<kCols>(at, num_rest, src_C, src_P, &src_last, value_P, &value_last);
          for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx)
            _mm_storeu_pd(value_C + 2 * pair_idx, value_P[pair_idx]);
          if constexpr (kOdd) value_C[kCols - 1] = value_last;
          for (int col_idx = 0; col_idx < kCols; ++col_idx) mean[col_idx] += value_C[col_idx];
        });
        for (int col_idx = 0; col_idx < kCols; ++col_idx)
          mean[col_idx] = length > 0 ? mean[col_idx] / static_cast<double>(length) : 0.0;
      }
      for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx)
        mean_P[pair_idx] = _mm_loadu_pd(mean + 2 * pair_idx);
      const double mean_last = kOdd ? mean[kCols - 1] : 0.0;
      const double* kept = saved_NC;
      for_each_row([&](const auto& at) {
        const int64_t pos = at.pos();
        if (saving) {
          LoadRow<kCols>(kept, value_P, &value_last);
          kept += kCols;
        } else {
          SourceRowValues<kCols>(at, num_rest, src_C, src_P, &src_last, value_P, &value_last);
        }
        for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx)
          value_P[pair_idx] = _mm_sub_pd(value_P[pair_idx], mean_P[pair_idx]);
        if constexpr (kOdd) value_last -= mean_last;
        if (dst_NC != nullptr) {
          for (int pair_idx = 0; pair_idx < kPairs; ++pair_idx) {
            _mm_storel_pd(dst_NC + (2 * pair_idx) * rows.num_obs + pos, value_P[pair_idx]);
            _mm_storeh_pd(dst_NC + (2 * pair_idx + 1) * rows.num_obs + pos, value_P[pair_idx]);
          }
          if constexpr (kOdd) dst_NC[(kCols - 1) * rows.num_obs + pos] = value_last;
        }
        if (cross_CC == nullptr) return;
        AccumulateCross<kCols>(value_P, value_last, weight_N != nullptr ? weight_N[pos] : 1.0,
                               cross_RP);
      });
    }
    if (cross_CC != nullptr) AddCross<kCols>(cross_RP, cross_CC);
  }
#endif

  template <int kRest, int kCols, bool kSegmented>
  static void Run(const RunRows& rows, int num_cols_rt, int64_t run_begin, int64_t run_end,
                  const double* const* src_C, const double* coef_RC, double* dst_NC,
                  double* elim_EC, double* cross_CC) {
#if defined(__SSE2__)
    if constexpr (kCols >= 2) {
      ResidualPacked<kRest, kCols, kSegmented>(rows, run_begin, run_end, src_C, coef_RC, dst_NC,
                                               elim_EC, cross_CC);
      return;
    }
#endif
    // The generic loop: one column, a column count fixed only at run time,
    // or no SSE2 (with it, two to five columns take ResidualPacked above).
    const int num_cols = kCols > 0 ? kCols : num_cols_rt;
    double weighted_C[kMaxColumns], value_C[kMaxColumns];
    // Cross products summed locally (registers when kCols is fixed), added
    // to cross_CC once: through the pointer, every row would store them.
    double cross_local[kMaxColumns * kMaxColumns] = {};
    for (int64_t run = run_begin; run < run_end; ++run) {
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) weighted_C[col_idx] = 0;
      ForEachRow<kRest, kSegmented>(rows, run, [&](int64_t pos, const int32_t* level_Q) {
        const double weight = rows.weight_N != nullptr ? rows.weight_N[pos] : 1.0;
        RowValues<kRest, kCols>(rows, num_cols, src_C, coef_RC, pos, level_Q, value_C);
        for (int col_idx = 0; col_idx < num_cols; ++col_idx)
          weighted_C[col_idx] += weight * value_C[col_idx];
      });
      const int64_t length = rows.run_start_E[run + 1] - rows.run_start_E[run];
      const double run_weight = rows.run_weight_E[run];
      double* mean = elim_EC + run * num_cols;
      if (run_weight > 0) {
        for (int col_idx = 0; col_idx < num_cols; ++col_idx)
          mean[col_idx] = weighted_C[col_idx] / run_weight;
      } else {
        // A run without weight: its coefficient is the plain mean.
        for (int col_idx = 0; col_idx < num_cols; ++col_idx) mean[col_idx] = 0;
        ForEachRow<kRest, kSegmented>(rows, run, [&](int64_t pos, const int32_t* level_Q) {
          RowValues<kRest, kCols>(rows, num_cols, src_C, coef_RC, pos, level_Q, value_C);
          for (int col_idx = 0; col_idx < num_cols; ++col_idx) mean[col_idx] += value_C[col_idx];
        });
        for (int col_idx = 0; col_idx < num_cols; ++col_idx)
          mean[col_idx] = length > 0 ? mean[col_idx] / static_cast<double>(length) : 0.0;
      }
      ForEachRow<kRest, kSegmented>(rows, run, [&](int64_t pos, const int32_t* level_Q) {
        RowValues<kRest, kCols>(rows, num_cols, src_C, coef_RC, pos, level_Q, value_C);
        for (int col_idx = 0; col_idx < num_cols; ++col_idx) value_C[col_idx] -= mean[col_idx];
        if (dst_NC != nullptr) {
          for (int col_idx = 0; col_idx < num_cols; ++col_idx)
            dst_NC[col_idx * rows.num_obs + pos] = value_C[col_idx];
        }
        if (cross_CC != nullptr) {
          const double weight = rows.weight_N != nullptr ? rows.weight_N[pos] : 1.0;
          for (int row_col = 0; row_col < num_cols; ++row_col) {
            const double weighted = weight * value_C[row_col];
            for (int other_col = 0; other_col <= row_col; ++other_col)
              cross_local[row_col * num_cols + other_col] += weighted * value_C[other_col];
          }
        }
      });
    }
    if (cross_CC != nullptr) {
      for (int row_col = 0; row_col < num_cols; ++row_col) {
        for (int other_col = 0; other_col <= row_col; ++other_col)
          cross_CC[row_col * num_cols + other_col] += cross_local[row_col * num_cols + other_col];
      }
    }
  }
};

// Runs Kernel::Run<kRest, kCols, kSegmented>(rows, num_cols, args...) with
// the counts the gravity models use compiled in (one or two remaining
// dimensions, one to five columns), so the loops over them unroll and a
// row's values stay in registers; other counts take the run-time path
// (template argument 0).
template <typename Kernel, typename... Args>
void DispatchRunKernel(const RunRows& rows, int num_cols, bool segmented, Args... args) {
  auto with_rest = [&]<int kRest, bool kSegmented>() {
    switch (num_cols) {
      case 1:
        return Kernel::template Run<kRest, 1, kSegmented>(rows, num_cols, args...);
      case 2:
        return Kernel::template Run<kRest, 2, kSegmented>(rows, num_cols, args...);
      case 3:
        return Kernel::template Run<kRest, 3, kSegmented>(rows, num_cols, args...);
      case 4:
        return Kernel::template Run<kRest, 4, kSegmented>(rows, num_cols, args...);
      case 5:
        return Kernel::template Run<kRest, 5, kSegmented>(rows, num_cols, args...);
      default:
        return Kernel::template Run<kRest, 0, kSegmented>(rows, num_cols, args...);
    }
  };
  auto with_layout = [&]<bool kSegmented>() {
    switch (rows.num_rest) {
      case 1:
        return with_rest.template operator()<1, kSegmented>();
      case 2:
        return with_rest.template operator()<2, kSegmented>();
      default:
        return with_rest.template operator()<0, kSegmented>();
    }
  };
  if (segmented) {
    with_layout.template operator()<true>();
  } else {
    with_layout.template operator()<false>();
  }
}

}  // namespace mizani::estimate

// First-appearance numbering of dense keys: the factor ids of the data
// layer (table.cc) and the re-densified fixed-effect ids after the model
// frame loses rows (estimate/frame_ops.cc); and the range of a numeric
// column, which says whether its values can serve as keys directly.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/parallel.h"

namespace mizani::data {

// Dense ids, in order of first appearance, for keys in [0, key_space)
// given by key_of(row) (negative: missing, id -1). Written into ids_N;
// returns the key of each id. On several threads each numbers the keys of
// its own contiguous rows, one serial pass over the distinct keys of the
// threads in row order fixes the global numbers, and a last pass
// translates: the same numbering as one pass over the rows, in two passes
// that split across the threads (each thread's table costs key_space ids,
// so large key spaces stay on one thread).
template <typename KeyOf>
std::vector<int64_t> DensifyKeys(size_t num_rows, uint64_t key_space, KeyOf&& key_of, int threads,
                                 std::vector<int32_t>& ids_N) {
  ids_N.resize(num_rows);
  constexpr uint64_t kMaxThreadTable = uint64_t{1} << 20;
  const int num_tasks = key_space <= kMaxThreadTable ? std::max(1, threads) : 1;
  const auto rows = static_cast<int64_t>(num_rows);
  // Per task: its keys in order of first appearance among its rows.
  std::vector<std::vector<int64_t>> keys_T(num_tasks);
  std::vector<int64_t> task_begin_T(num_tasks + 1, rows);
  ParallelFor(num_tasks, rows, [&](int task_idx, int64_t begin, int64_t end) {
    task_begin_T[task_idx] = begin;
    std::vector<int32_t> local(key_space, -1);
    std::vector<int64_t>& keys = keys_T[task_idx];
    for (int64_t row_idx = begin; row_idx < end; ++row_idx) {
      const int64_t key = key_of(row_idx);
      if (key < 0) {
        ids_N[row_idx] = -1;
        continue;
      }
      int32_t& id = local[static_cast<uint64_t>(key)];
      if (id < 0) {
        id = static_cast<int32_t>(keys.size());
        keys.push_back(key);
      }
      ids_N[row_idx] = id;
    }
  });
  // Global numbers in task order; each task's local id -> global id.
  std::vector<int32_t> global(key_space, -1);
  std::vector<int64_t> level_keys;
  std::vector<std::vector<int32_t>> translate_T(num_tasks);
  for (int task_idx = 0; task_idx < num_tasks; ++task_idx) {
    for (int64_t key : keys_T[task_idx]) {
      int32_t& id = global[static_cast<uint64_t>(key)];
      if (id < 0) {
        id = static_cast<int32_t>(level_keys.size());
        level_keys.push_back(key);
      }
      translate_T[task_idx].push_back(id);
    }
  }
  // The first task's numbers are the global ones (its keys come first, in
  // its order): only the later tasks' rows are translated, split evenly
  // over the threads.
  const int64_t first = task_begin_T[1 < num_tasks ? 1 : 0];
  if (num_tasks > 1 && first < rows) {
    ParallelFor(num_tasks, rows - first, [&](int, int64_t begin, int64_t end) {
      // The task whose rows hold begin + first: the last that starts at or before it.
      auto task_idx = static_cast<int>(
          std::upper_bound(task_begin_T.begin(), task_begin_T.end(), begin + first) -
          task_begin_T.begin() - 1);
      for (int64_t row_idx = begin + first; row_idx < end + first; ++task_idx) {
        const std::vector<int32_t>& translate = translate_T[task_idx];
        const int64_t stop = std::min(end + first, task_begin_T[task_idx + 1]);
        for (; row_idx < stop; ++row_idx) {
          if (ids_N[row_idx] >= 0) ids_N[row_idx] = translate[ids_N[row_idx]];
        }
      }
    });
  }
  return level_keys;
}

// The range of a numeric column's non-missing values, on all threads.
struct ValueRange {
  double min_value = std::numeric_limits<double>::infinity();
  double max_value = -std::numeric_limits<double>::infinity();
  bool all_integers = true;
};

// One task's share. Two lanes at a time where SSE2 is there (every x86-64):
// min and max take the accumulator when the value is NaN, so missing values
// drop out without a branch, and |x| < 2^52 is a whole number exactly when
// (|x| + 2^52) - 2^52 gives it back (the sum rounds to an integer; from 2^52
// up every double is one). The scalar loop's floor() compiled to a dozen
// instructions with a branch per value and no vector form; this loop takes
// about a third of its time on the 2.49M-row year column of a gravity
// panel (6.8 ms against 18-23 ms, session 20).
inline ValueRange RangeOfRows(const double* values, int64_t count) {
  ValueRange range;
  int64_t row_idx = 0;
#if defined(__SSE2__)
  const __m128d two_52 = _mm_set1_pd(4503599627370496.0);
  const __m128d abs_mask = _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffff));
  __m128d low = _mm_set1_pd(range.min_value);
  __m128d high = _mm_set1_pd(range.max_value);
  __m128d fractional = _mm_setzero_pd();
  for (; row_idx + 2 <= count; row_idx += 2) {
    const __m128d value = _mm_loadu_pd(values + row_idx);
    low = _mm_min_pd(value, low);  // (NaN in the first operand: the second)
    high = _mm_max_pd(value, high);
    const __m128d magnitude = _mm_and_pd(value, abs_mask);
    const __m128d rounded = _mm_sub_pd(_mm_add_pd(magnitude, two_52), two_52);
    fractional = _mm_or_pd(
        fractional, _mm_and_pd(_mm_cmplt_pd(magnitude, two_52), _mm_cmpneq_pd(rounded, magnitude)));
  }
  alignas(16) double low_lanes[2];
  alignas(16) double high_lanes[2];
  _mm_store_pd(low_lanes, low);
  _mm_store_pd(high_lanes, high);
  range.min_value = std::min(low_lanes[0], low_lanes[1]);
  range.max_value = std::max(high_lanes[0], high_lanes[1]);
  range.all_integers = _mm_movemask_pd(fractional) == 0;
#endif
  for (; row_idx < count; ++row_idx) {
    const double value = values[row_idx];
    if (std::isnan(value)) continue;
    range.min_value = std::min(range.min_value, value);
    range.max_value = std::max(range.max_value, value);
    if (value != std::floor(value)) range.all_integers = false;
  }
  return range;
}

inline ValueRange RangeOf(std::span<const double> values, int threads) {
  const int num_tasks = std::max(1, threads);
  std::vector<ValueRange> range_T(num_tasks);
  ParallelFor(num_tasks, static_cast<int64_t>(values.size()),
              [&](int task_idx, int64_t begin, int64_t end) {
                range_T[task_idx] = RangeOfRows(values.data() + begin, end - begin);
              });
  ValueRange whole;
  for (const ValueRange& range : range_T) {
    whole.min_value = std::min(whole.min_value, range.min_value);
    whole.max_value = std::max(whole.max_value, range.max_value);
    whole.all_integers = whole.all_integers && range.all_integers;
  }
  return whole;
}

}  // namespace mizani::data

#include "estimate/hdfe/run_kernels_avx.h"

#include <atomic>

#include "common/cpu_features.h"
#include "estimate/hdfe/run_kernels.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MIZANI_AVX_KERNELS 1
#endif

namespace mizani::estimate {

namespace {

std::atomic<bool> avx_enabled{true};

}  // namespace

// The kernels the dispatch in run_kernels.h calls.
#define MIZANI_INSTANTIATE(kRest)                                                            \
  template void MatvecSegmentsAvx<kRest, 1>(const RunRows&, int64_t, int64_t, const double*, \
                                            double*);                                        \
  template void MatvecSegmentsAvx<kRest, 2>(const RunRows&, int64_t, int64_t, const double*, \
                                            double*);                                        \
  template void MatvecSegmentsAvx<kRest, 4>(const RunRows&, int64_t, int64_t, const double*, \
                                            double*);                                        \
  template void MatvecSegmentsAvx<kRest, 5>(const RunRows&, int64_t, int64_t, const double*, \
                                            double*);

bool AvxKernelsAvailable() {
  return avx_enabled.load(std::memory_order_relaxed) && ProcessorHasAvx();
}

void UseAvxKernels(bool enabled) { avx_enabled.store(enabled, std::memory_order_relaxed); }

#if defined(MIZANI_AVX_KERNELS)

// Everything from here to the pragma pop is compiled for AVX; it calls no
// function defined in a header (whose out-of-line copy, compiled for AVX,
// could be the one the linker keeps for the whole program).
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx")
#endif
#define MIZANI_AVX __attribute__((always_inline)) inline

namespace {

// -(sum over dimensions of the coefficients) at flat offset `at` of a unit
// segment: four consecutive values.
MIZANI_AVX __m256d FourValues(const SegmentView& segment, int num_rest, int64_t at) {
  __m256d value = _mm256_setzero_pd();
  for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx)
    value = _mm256_sub_pd(value, _mm256_loadu_pd(segment.coef_Q[rest_idx] + at));
  return value;
}

MIZANI_AVX void AddFour(const SegmentView& segment, int num_rest, int64_t at, __m256d value) {
  for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx) {
    double* target = segment.acc_Q[rest_idx] + at;
    _mm256_storeu_pd(target, _mm256_add_pd(_mm256_loadu_pd(target), value));
  }
}

// Weights of rows pos and pos + 1, each twice: [w0, w0, w1, w1].
MIZANI_AVX __m256d PairedWeights(const double* weight_N, int64_t pos) {
  if (weight_N == nullptr) return _mm256_set1_pd(1.0);
  const __m256d both = _mm256_broadcast_pd(reinterpret_cast<const __m128d*>(weight_N + pos));
  return _mm256_permute_pd(both, 0b1100);
}

// One row's value in column col, generic (any segment).
template <int kCols>
double RowValue(const SegmentView& segment, int num_rest, int64_t row, int col) {
  double value = 0;
  for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx)
    value -= segment.coef_Q[rest_idx][row * segment.stride_Q[rest_idx] + col];
  return value;
}

// ForEachSegment (run_kernels.h) compiled for AVX: the header's, defined
// for the default target, cannot inline the AVX loop bodies, and called
// out of line they kept the run's accumulators in memory (2.5 -> 4.2 ms
// per pass, three-way, two columns). Here the walk and the bodies are
// forced inline.
#define MIZANI_INLINE_LAMBDA __attribute__((always_inline))
template <int kCols, typename Fn>
MIZANI_AVX void ForEachSegmentAvx(const RunRows& rows, int num_rest, int64_t run,
                                  const double* coef_RC, double* acc_RC, Fn&& fn) {
  int64_t pos = rows.run_start_E[run];
  for (int64_t seg = rows.seg_begin_E[run]; seg < rows.seg_begin_E[run + 1]; ++seg) {
    const SegmentView segment = ViewSegment<kCols, true>(rows, num_rest, seg, pos, coef_RC, acc_RC);
    pos += segment.length;
    fn(segment);
  }
}

}  // namespace

template <int kRest, int kCols>
void MatvecSegmentsAvx(const RunRows& rows, int64_t run_begin, int64_t run_end,
                       const double* coef_RC, double* acc_RC) {
  static_assert(kCols == 1 || kCols == 2 || kCols == 4 || kCols == 5);
  const int num_rest = kRest > 0 ? kRest : rows.num_rest;
  const double* weight_N = rows.weight_N;
  // Columns in 256-bit chunks when a row is not packed with others.
  constexpr int kQuads = kCols >= 4 ? 1 : 0;  // columns 0-3 in a chunk, the fifth alone
  for (int64_t run = run_begin; run < run_end; ++run) {
    // Loop 1: the weighted sum of the values, per column.
    __m256d even = _mm256_setzero_pd(), odd = _mm256_setzero_pd();
    double tail_C[kCols] = {};
    ForEachSegmentAvx<kCols>(
        rows, num_rest, run, coef_RC, acc_RC, [&](const SegmentView& segment) MIZANI_INLINE_LAMBDA {
          int64_t row = 0;
          if (segment.unit) {
            if constexpr (kCols == 1) {
              for (; row + 7 < segment.length; row += 8) {
                const __m256d w0 = weight_N != nullptr
                                       ? _mm256_loadu_pd(weight_N + segment.pos + row)
                                       : _mm256_set1_pd(1.0);
                const __m256d w1 = weight_N != nullptr
                                       ? _mm256_loadu_pd(weight_N + segment.pos + row + 4)
                                       : _mm256_set1_pd(1.0);
                even = _mm256_add_pd(even, _mm256_mul_pd(w0, FourValues(segment, num_rest, row)));
                odd = _mm256_add_pd(odd, _mm256_mul_pd(w1, FourValues(segment, num_rest, row + 4)));
              }
            } else if constexpr (kCols == 2) {
              for (; row + 3 < segment.length; row += 4) {
                even = _mm256_add_pd(even, _mm256_mul_pd(PairedWeights(weight_N, segment.pos + row),
                                                         FourValues(segment, num_rest, 2 * row)));
                odd =
                    _mm256_add_pd(odd, _mm256_mul_pd(PairedWeights(weight_N, segment.pos + row + 2),
                                                     FourValues(segment, num_rest, 2 * row + 4)));
              }
            } else if constexpr (kQuads == 1) {
              for (; row + 1 < segment.length; row += 2) {
                const double w0 = weight_N != nullptr ? weight_N[segment.pos + row] : 1.0;
                const double w1 = weight_N != nullptr ? weight_N[segment.pos + row + 1] : 1.0;
                even = _mm256_add_pd(
                    even,
                    _mm256_mul_pd(_mm256_set1_pd(w0), FourValues(segment, num_rest, row * kCols)));
                odd = _mm256_add_pd(
                    odd, _mm256_mul_pd(_mm256_set1_pd(w1),
                                       FourValues(segment, num_rest, (row + 1) * kCols)));
                for (int col = 4; col < kCols; ++col) {
                  tail_C[col] += w0 * RowValue<kCols>(segment, num_rest, row, col) +
                                 w1 * RowValue<kCols>(segment, num_rest, row + 1, col);
                }
              }
            }
          }
          for (; row < segment.length; ++row) {
            const double weight = weight_N != nullptr ? weight_N[segment.pos + row] : 1.0;
            for (int col = 0; col < kCols; ++col)
              tail_C[col] += weight * RowValue<kCols>(segment, num_rest, row, col);
          }
        });
    double sum_C[kCols];
    {
      alignas(32) double lanes[4];
      _mm256_store_pd(lanes, _mm256_add_pd(even, odd));
      for (int col = 0; col < kCols; ++col) sum_C[col] = tail_C[col];
      if constexpr (kCols == 1) {
        sum_C[0] += (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
      } else if constexpr (kCols == 2) {
        sum_C[0] += lanes[0] + lanes[2];
        sum_C[1] += lanes[1] + lanes[3];
      } else if constexpr (kQuads == 1) {
        for (int col = 0; col < 4; ++col) sum_C[col] += lanes[col];
      }
    }
    const double run_weight = rows.run_weight_E[run];
    const double inv_weight = run_weight > 0 ? 1.0 / run_weight : 0.0;
    double mean_C[kCols];
    for (int col = 0; col < kCols; ++col) mean_C[col] = sum_C[col] * inv_weight;
    __m256d mean4;
    if constexpr (kCols == 1) {
      mean4 = _mm256_set1_pd(mean_C[0]);
    } else if constexpr (kCols == 2) {
      mean4 = _mm256_setr_pd(mean_C[0], mean_C[1], mean_C[0], mean_C[1]);
    } else {
      mean4 = _mm256_loadu_pd(mean_C);
    }
    // Loop 2: scatter the weighted deviations from the mean.
    ForEachSegmentAvx<kCols>(
        rows, num_rest, run, coef_RC, acc_RC, [&](const SegmentView& segment) MIZANI_INLINE_LAMBDA {
          int64_t row = 0;
          if (segment.unit) {
            if constexpr (kCols == 1) {
              for (; row + 3 < segment.length; row += 4) {
                const __m256d weight = weight_N != nullptr
                                           ? _mm256_loadu_pd(weight_N + segment.pos + row)
                                           : _mm256_set1_pd(1.0);
                AddFour(segment, num_rest, row,
                        _mm256_mul_pd(weight,
                                      _mm256_sub_pd(FourValues(segment, num_rest, row), mean4)));
              }
            } else if constexpr (kCols == 2) {
              for (; row + 1 < segment.length; row += 2) {
                AddFour(
                    segment, num_rest, 2 * row,
                    _mm256_mul_pd(PairedWeights(weight_N, segment.pos + row),
                                  _mm256_sub_pd(FourValues(segment, num_rest, 2 * row), mean4)));
              }
            } else if constexpr (kQuads == 1) {
              for (; row < segment.length; ++row) {
                const double weight = weight_N != nullptr ? weight_N[segment.pos + row] : 1.0;
                AddFour(segment, num_rest, row * kCols,
                        _mm256_mul_pd(
                            _mm256_set1_pd(weight),
                            _mm256_sub_pd(FourValues(segment, num_rest, row * kCols), mean4)));
                for (int col = 4; col < kCols; ++col) {
                  const double deviation =
                      weight * (RowValue<kCols>(segment, num_rest, row, col) - mean_C[col]);
                  for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx)
                    segment.acc_Q[rest_idx][row * kCols + col] += deviation;
                }
              }
            }
          }
          for (; row < segment.length; ++row) {
            const double weight = weight_N != nullptr ? weight_N[segment.pos + row] : 1.0;
            for (int col = 0; col < kCols; ++col) {
              const double deviation =
                  weight * (RowValue<kCols>(segment, num_rest, row, col) - mean_C[col]);
              for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx)
                segment.acc_Q[rest_idx][row * segment.stride_Q[rest_idx] + col] += deviation;
            }
          }
        });
  }
}

#undef MIZANI_AVX
#undef MIZANI_INLINE_LAMBDA
MIZANI_INSTANTIATE(0)
MIZANI_INSTANTIATE(1)
MIZANI_INSTANTIATE(2)
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#else

// Never called (AvxKernelsAvailable() is false): the symbols only.
template <int kRest, int kCols>
void MatvecSegmentsAvx(const RunRows&, int64_t, int64_t, const double*, double*) {}
MIZANI_INSTANTIATE(0)
MIZANI_INSTANTIATE(1)
MIZANI_INSTANTIATE(2)

#endif

#undef MIZANI_INSTANTIATE

}  // namespace mizani::estimate

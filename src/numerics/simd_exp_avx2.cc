// ExpArray and LogArray four values at a time (simd_exp_avx2.h). Each step
// is the pair kernel's (simd_exp.cc) on 256-bit registers, in the same
// order and without fused multiply-add, so every lane rounds as it does
// there.
#include "numerics/simd_exp_avx2.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MIZANI_AVX2_ARRAY_MATH 1
#endif

namespace mizani::array_math {

#if defined(MIZANI_AVX2_ARRAY_MATH)

// Everything from here to the pragma pop is compiled for AVX2 (not FMA: a
// fused multiply-add would round differently from the pair kernel). It
// calls no function defined in a header, whose out-of-line copy compiled
// for AVX2 could be the one the linker keeps for the whole program.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2")
#endif

namespace {

// out = vector(x) for each quad of values all within [low, high] (false
// for NaN); a quad with any other value, and the last count % 4 values, go
// to the pair kernel, which treats them as it would in a pass of its own
// (its pairs start at even indices, as the quads' halves do).
template <typename Vector, typename Pairs>
__attribute__((always_inline)) inline void MapQuads(const double* in, double* out, int64_t count,
                                                    double low, double high, Vector&& vector,
                                                    Pairs&& pairs) {
  const __m256d lowest = _mm256_set1_pd(low), highest = _mm256_set1_pd(high);
  int64_t idx = 0;
  for (; idx + 3 < count; idx += 4) {
    const __m256d x = _mm256_loadu_pd(in + idx);
    const __m256d inside =
        _mm256_and_pd(_mm256_cmp_pd(x, lowest, _CMP_GE_OQ), _mm256_cmp_pd(x, highest, _CMP_LE_OQ));
    if (_mm256_movemask_pd(inside) != 15) {
      pairs(in + idx, out + idx, 4);
      continue;
    }
    _mm256_storeu_pd(out + idx, vector(x));
  }
  if (idx < count) pairs(in + idx, out + idx, count - idx);
}

}  // namespace

void ExpQuadsAvx2(const double* in, double* out, int64_t count) {
  const __m256d log2e = _mm256_set1_pd(kLog2e), ln2_hi = _mm256_set1_pd(kLn2Hi),
                ln2_lo = _mm256_set1_pd(kLn2Lo), one = _mm256_set1_pd(1.0),
                two = _mm256_set1_pd(2.0);
  const __m128i bias = _mm_set1_epi32(1023);
  MapQuads(
      in, out, count, kLowest, kHighest,
      [&](__m256d x) {
        // k = nearest integer to x / ln2 (the default rounding mode).
        const __m128i k32 = _mm256_cvtpd_epi32(_mm256_mul_pd(x, log2e));
        const __m256d k = _mm256_cvtepi32_pd(k32);
        const __m256d hi = _mm256_sub_pd(x, _mm256_mul_pd(k, ln2_hi));
        const __m256d lo = _mm256_mul_pd(k, ln2_lo);
        const __m256d r = _mm256_sub_pd(hi, lo);
        const __m256d t = _mm256_mul_pd(r, r);
        __m256d poly = _mm256_set1_pd(kP5);
        poly = _mm256_add_pd(_mm256_set1_pd(kP4), _mm256_mul_pd(t, poly));
        poly = _mm256_add_pd(_mm256_set1_pd(kP3), _mm256_mul_pd(t, poly));
        poly = _mm256_add_pd(_mm256_set1_pd(kP2), _mm256_mul_pd(t, poly));
        poly = _mm256_add_pd(_mm256_set1_pd(kP1), _mm256_mul_pd(t, poly));
        const __m256d c = _mm256_sub_pd(r, _mm256_mul_pd(t, poly));
        // exp(r) = 1 - ((lo - r c / (2 - c)) - hi)
        const __m256d ratio = _mm256_div_pd(_mm256_mul_pd(r, c), _mm256_sub_pd(two, c));
        const __m256d exp_r = _mm256_sub_pd(one, _mm256_sub_pd(_mm256_sub_pd(lo, ratio), hi));
        // 2^k: k + 1023 (in [1, 2046] here) in the exponent field.
        const __m256i biased = _mm256_cvtepu32_epi64(_mm_add_epi32(k32, bias));
        return _mm256_mul_pd(exp_r, _mm256_castsi256_pd(_mm256_slli_epi64(biased, 52)));
      },
      ExpPairs);
}

void LogQuadsAvx2(const double* in, double* out, int64_t count) {
  const __m256i mantissa_bits = _mm256_set1_epi64x(0x000fffffffffffffLL);
  const __m256i one_bits = _mm256_set1_epi64x(0x3ff0000000000000LL);
  // Gathers the low 32 bits of each 64-bit lane into the low half.
  const __m256i low_words = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
  const __m256d one = _mm256_set1_pd(1.0), two = _mm256_set1_pd(2.0), half = _mm256_set1_pd(0.5);
  const __m256d sqrt2 = _mm256_set1_pd(kSqrt2);
  const __m256d ln2_hi = _mm256_set1_pd(kLn2Hi), ln2_lo = _mm256_set1_pd(kLn2Lo);
  MapQuads(
      in, out, count, kSmallestNormal, kLargestFinite,
      [&](__m256d x) {
        const __m256i bits = _mm256_castpd_si256(x);
        // The unbiased exponent of each value, as four doubles.
        const __m256i exponent64 = _mm256_srli_epi64(bits, 52);
        const __m128i exponent32 =
            _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(exponent64, low_words));
        __m256d k = _mm256_sub_pd(_mm256_cvtepi32_pd(exponent32), _mm256_set1_pd(1023.0));
        // The mantissa in [1, 2), halved above sqrt(2) (and k raised by one).
        __m256d m =
            _mm256_castsi256_pd(_mm256_or_si256(_mm256_and_si256(bits, mantissa_bits), one_bits));
        const __m256d above = _mm256_cmp_pd(m, sqrt2, _CMP_GT_OQ);
        m = _mm256_or_pd(_mm256_and_pd(above, _mm256_mul_pd(m, half)), _mm256_andnot_pd(above, m));
        k = _mm256_add_pd(k, _mm256_and_pd(above, one));
        const __m256d f = _mm256_sub_pd(m, one);
        const __m256d s = _mm256_div_pd(f, _mm256_add_pd(two, f));
        const __m256d z = _mm256_mul_pd(s, s);
        const __m256d w = _mm256_mul_pd(z, z);
        __m256d t1 = _mm256_add_pd(_mm256_set1_pd(kLg4), _mm256_mul_pd(w, _mm256_set1_pd(kLg6)));
        t1 = _mm256_mul_pd(w, _mm256_add_pd(_mm256_set1_pd(kLg2), _mm256_mul_pd(w, t1)));
        __m256d t2 = _mm256_add_pd(_mm256_set1_pd(kLg5), _mm256_mul_pd(w, _mm256_set1_pd(kLg7)));
        t2 = _mm256_add_pd(_mm256_set1_pd(kLg3), _mm256_mul_pd(w, t2));
        t2 = _mm256_mul_pd(z, _mm256_add_pd(_mm256_set1_pd(kLg1), _mm256_mul_pd(w, t2)));
        const __m256d r = _mm256_add_pd(t1, t2);
        const __m256d hfsq = _mm256_mul_pd(half, _mm256_mul_pd(f, f));
        // k ln2_hi - ((hfsq - (s (hfsq + R) + k ln2_lo)) - f)
        const __m256d inner =
            _mm256_add_pd(_mm256_mul_pd(s, _mm256_add_pd(hfsq, r)), _mm256_mul_pd(k, ln2_lo));
        return _mm256_sub_pd(_mm256_mul_pd(k, ln2_hi),
                             _mm256_sub_pd(_mm256_sub_pd(hfsq, inner), f));
      },
      LogPairs);
}

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#else  // no AVX2 kernels on this compiler or processor family

void ExpQuadsAvx2(const double* in, double* out, int64_t count) { ExpPairs(in, out, count); }
void LogQuadsAvx2(const double* in, double* out, int64_t count) { LogPairs(in, out, count); }

#endif

}  // namespace mizani::array_math

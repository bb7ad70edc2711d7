#include "numerics/simd_exp.h"

#include <atomic>
#include <cmath>

#include "common/cpu_features.h"
#include "numerics/simd_exp_avx2.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mizani {

namespace array_math {

namespace {

#if defined(__SSE2__)
// out = vector(x) for each pair of values both within [low, high] (false
// for NaN), else the scalar function value by value, as for an odd last one.
template <typename Scalar, typename Vector>
void MapPairs(const double* in, double* out, int64_t count, double low, double high,
              Scalar&& scalar, Vector&& vector) {
  const __m128d lowest = _mm_set1_pd(low), highest = _mm_set1_pd(high);
  int64_t idx = 0;
  for (; idx + 1 < count; idx += 2) {
    const __m128d x = _mm_loadu_pd(in + idx);
    const __m128d inside = _mm_and_pd(_mm_cmpge_pd(x, lowest), _mm_cmple_pd(x, highest));
    if (_mm_movemask_pd(inside) != 3) {
      const double first = scalar(in[idx]), second = scalar(in[idx + 1]);
      out[idx] = first;
      out[idx + 1] = second;
      continue;
    }
    _mm_storeu_pd(out + idx, vector(x));
  }
  if (idx < count) out[idx] = scalar(in[idx]);
}
#endif

}  // namespace

void ExpPairs(const double* in, double* out, int64_t count) {
  auto scalar = [](double x) { return std::exp(x); };
#if defined(__SSE2__)
  const __m128d log2e = _mm_set1_pd(kLog2e), ln2_hi = _mm_set1_pd(kLn2Hi),
                ln2_lo = _mm_set1_pd(kLn2Lo), one = _mm_set1_pd(1.0), two = _mm_set1_pd(2.0);
  const __m128i bias = _mm_set1_epi32(1023), zero = _mm_setzero_si128();
  MapPairs(in, out, count, kLowest, kHighest, scalar, [&](__m128d x) {
    // k = nearest integer to x / ln2 (the default rounding mode).
    const __m128i k32 = _mm_cvtpd_epi32(_mm_mul_pd(x, log2e));
    const __m128d k = _mm_cvtepi32_pd(k32);
    const __m128d hi = _mm_sub_pd(x, _mm_mul_pd(k, ln2_hi));
    const __m128d lo = _mm_mul_pd(k, ln2_lo);
    const __m128d r = _mm_sub_pd(hi, lo);
    const __m128d t = _mm_mul_pd(r, r);
    __m128d poly = _mm_set1_pd(kP5);
    poly = _mm_add_pd(_mm_set1_pd(kP4), _mm_mul_pd(t, poly));
    poly = _mm_add_pd(_mm_set1_pd(kP3), _mm_mul_pd(t, poly));
    poly = _mm_add_pd(_mm_set1_pd(kP2), _mm_mul_pd(t, poly));
    poly = _mm_add_pd(_mm_set1_pd(kP1), _mm_mul_pd(t, poly));
    const __m128d c = _mm_sub_pd(r, _mm_mul_pd(t, poly));
    // exp(r) = 1 - ((lo - r c / (2 - c)) - hi)
    const __m128d ratio = _mm_div_pd(_mm_mul_pd(r, c), _mm_sub_pd(two, c));
    const __m128d exp_r = _mm_sub_pd(one, _mm_sub_pd(_mm_sub_pd(lo, ratio), hi));
    // 2^k: k + 1023 in the exponent field (k + 1023 in [1, 2046] here).
    const __m128i biased = _mm_unpacklo_epi32(_mm_add_epi32(k32, bias), zero);
    return _mm_mul_pd(exp_r, _mm_castsi128_pd(_mm_slli_epi64(biased, 52)));
  });
#else
  for (int64_t idx = 0; idx < count; ++idx) out[idx] = scalar(in[idx]);
#endif
}

void LogPairs(const double* in, double* out, int64_t count) {
  auto scalar = [](double x) { return std::log(x); };
#if defined(__SSE2__)
  const __m128i mantissa_bits = _mm_set1_epi64x(0x000fffffffffffffLL);
  const __m128i one_bits = _mm_set1_epi64x(0x3ff0000000000000LL);
  const __m128d one = _mm_set1_pd(1.0), two = _mm_set1_pd(2.0), half = _mm_set1_pd(0.5);
  const __m128d sqrt2 = _mm_set1_pd(kSqrt2);
  const __m128d ln2_hi = _mm_set1_pd(kLn2Hi), ln2_lo = _mm_set1_pd(kLn2Lo);
  MapPairs(in, out, count, kSmallestNormal, kLargestFinite, scalar, [&](__m128d x) {
    const __m128i bits = _mm_castpd_si128(x);
    // The unbiased exponent of each value, as two doubles.
    const __m128i exponent64 = _mm_srli_epi64(bits, 52);
    const __m128i exponent32 = _mm_shuffle_epi32(exponent64, _MM_SHUFFLE(3, 1, 2, 0));
    __m128d k = _mm_sub_pd(_mm_cvtepi32_pd(exponent32), _mm_set1_pd(1023.0));
    // The mantissa in [1, 2), halved above sqrt(2) (and k raised by one).
    __m128d m = _mm_castsi128_pd(_mm_or_si128(_mm_and_si128(bits, mantissa_bits), one_bits));
    const __m128d above = _mm_cmpgt_pd(m, sqrt2);
    m = _mm_or_pd(_mm_and_pd(above, _mm_mul_pd(m, half)), _mm_andnot_pd(above, m));
    k = _mm_add_pd(k, _mm_and_pd(above, one));
    const __m128d f = _mm_sub_pd(m, one);
    const __m128d s = _mm_div_pd(f, _mm_add_pd(two, f));
    const __m128d z = _mm_mul_pd(s, s);
    const __m128d w = _mm_mul_pd(z, z);
    __m128d t1 = _mm_add_pd(_mm_set1_pd(kLg4), _mm_mul_pd(w, _mm_set1_pd(kLg6)));
    t1 = _mm_mul_pd(w, _mm_add_pd(_mm_set1_pd(kLg2), _mm_mul_pd(w, t1)));
    __m128d t2 = _mm_add_pd(_mm_set1_pd(kLg5), _mm_mul_pd(w, _mm_set1_pd(kLg7)));
    t2 = _mm_add_pd(_mm_set1_pd(kLg3), _mm_mul_pd(w, t2));
    t2 = _mm_mul_pd(z, _mm_add_pd(_mm_set1_pd(kLg1), _mm_mul_pd(w, t2)));
    const __m128d r = _mm_add_pd(t1, t2);
    const __m128d hfsq = _mm_mul_pd(half, _mm_mul_pd(f, f));
    // k ln2_hi - ((hfsq - (s (hfsq + R) + k ln2_lo)) - f)
    const __m128d inner = _mm_add_pd(_mm_mul_pd(s, _mm_add_pd(hfsq, r)), _mm_mul_pd(k, ln2_lo));
    return _mm_sub_pd(_mm_mul_pd(k, ln2_hi), _mm_sub_pd(_mm_sub_pd(hfsq, inner), f));
  });
#else
  for (int64_t idx = 0; idx < count; ++idx) out[idx] = scalar(in[idx]);
#endif
}

}  // namespace array_math

namespace {

std::atomic<bool> avx2_enabled{true};

}  // namespace

bool Avx2ArrayMathAvailable() {
  return avx2_enabled.load(std::memory_order_relaxed) && ProcessorHasAvx2();
}

void UseAvx2ArrayMath(bool enabled) { avx2_enabled.store(enabled, std::memory_order_relaxed); }

void ExpArray(const double* in, double* out, int64_t count) {
  if (Avx2ArrayMathAvailable()) {
    array_math::ExpQuadsAvx2(in, out, count);
  } else {
    array_math::ExpPairs(in, out, count);
  }
}

void LogArray(const double* in, double* out, int64_t count) {
  if (Avx2ArrayMathAvailable()) {
    array_math::LogQuadsAvx2(in, out, count);
  } else {
    array_math::LogPairs(in, out, count);
  }
}

}  // namespace mizani

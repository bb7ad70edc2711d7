#include "numerics/simd_exp.h"

#include <cmath>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mizani {

namespace {

// fdlibm e_exp.c constants.
constexpr double kLog2e = 1.44269504088896338700e+00;
constexpr double kLn2Hi = 6.93147180369123816490e-01;  // ln2 to 32 bits: k * kLn2Hi is exact
constexpr double kLn2Lo = 1.90821492927058770002e-10;  // ln2 - kLn2Hi
constexpr double kP1 = 1.66666666666666019037e-01;
constexpr double kP2 = -2.77777777770155933842e-03;
constexpr double kP3 = 6.61375632143793436117e-05;
constexpr double kP4 = -1.65339022054652515390e-06;
constexpr double kP5 = 4.13813679705723846039e-08;
// Where 2^k stays a normal number (and k fits the exponent field).
constexpr double kLowest = -708.0;
constexpr double kHighest = 709.0;

// fdlibm e_log.c constants.
constexpr double kLg1 = 6.666666666666735130e-01;
constexpr double kLg2 = 3.999999999940941908e-01;
constexpr double kLg3 = 2.857142874366239149e-01;
constexpr double kLg4 = 2.222219843214978396e-01;
constexpr double kLg5 = 1.818357216161805012e-01;
constexpr double kLg6 = 1.531383769920937332e-01;
constexpr double kLg7 = 1.479819860511658591e-01;
constexpr double kSqrt2 = 1.41421356237309504880;
constexpr double kSmallestNormal = 2.2250738585072014e-308;
constexpr double kLargestFinite = 1.7976931348623157e308;

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

void ExpArray(const double* in, double* out, int64_t count) {
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

void LogArray(const double* in, double* out, int64_t count) {
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

}  // namespace mizani

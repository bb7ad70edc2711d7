#include "common/simd_exp.h"

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

}  // namespace

void ExpArray(const double* in, double* out, int64_t count) {
  int64_t idx = 0;
#if defined(__SSE2__)
  const __m128d log2e = _mm_set1_pd(kLog2e), ln2_hi = _mm_set1_pd(kLn2Hi),
                ln2_lo = _mm_set1_pd(kLn2Lo), one = _mm_set1_pd(1.0), two = _mm_set1_pd(2.0);
  const __m128d lowest = _mm_set1_pd(kLowest), highest = _mm_set1_pd(kHighest);
  const __m128i bias = _mm_set1_epi32(1023), zero = _mm_setzero_si128();
  for (; idx + 1 < count; idx += 2) {
    const __m128d x = _mm_loadu_pd(in + idx);
    // Both in range (false for NaN): else the library, value by value.
    const __m128d inside = _mm_and_pd(_mm_cmpge_pd(x, lowest), _mm_cmple_pd(x, highest));
    if (_mm_movemask_pd(inside) != 3) {
      const double first = std::exp(in[idx]), second = std::exp(in[idx + 1]);
      out[idx] = first;
      out[idx + 1] = second;
      continue;
    }
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
    const __m128d scale = _mm_castsi128_pd(_mm_slli_epi64(biased, 52));
    _mm_storeu_pd(out + idx, _mm_mul_pd(exp_r, scale));
  }
#endif
  for (; idx < count; ++idx) out[idx] = std::exp(in[idx]);
}

}  // namespace mizani

// The two widths of ExpArray and LogArray (simd_exp.h): pairs in SSE2
// registers (simd_exp.cc, every x86-64 processor) and quads in AVX2
// registers (simd_exp_avx2.cc, compiled for AVX2 alone and called only when
// the processor has it). Internal to the numerics layer.
//
// The quads run the pairs' operations in the same order, without fused
// multiply-add (which would round differently), so each lane gets the bits
// the pair kernel gives it. A quad with an argument outside the vector
// range goes to the pair kernel as two pairs, and a remainder of two or
// three values likewise, so even the values handed to the C library are
// the same: the output never depends on the width.
#pragma once

#include <cstdint>

namespace mizani::array_math {

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

// Each pair of values both within the vector range by the vector kernel,
// the others (and an odd last value) by std::exp or std::log.
void ExpPairs(const double* in, double* out, int64_t count);
void LogPairs(const double* in, double* out, int64_t count);

// Four values at a time; only when ProcessorHasAvx2() (common/cpu_features.h).
void ExpQuadsAvx2(const double* in, double* out, int64_t count);
void LogQuadsAvx2(const double* in, double* out, int64_t count);

}  // namespace mizani::array_math

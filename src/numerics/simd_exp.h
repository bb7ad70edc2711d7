// exp() and log() over an array, two values per SSE2 register, or four per
// AVX2 register where the processor has them (checked at run time: the build
// targets plain x86-64). Both widths give the same bits (simd_exp_avx2.h).
//
// The IRLS row pass takes one exponential per observation and iteration
// (mu = exp(eta)): millions per iteration, a third of the pass with the C
// library's scalar exp. This is the algorithm of fdlibm's e_exp.c (Sun
// Microsystems, 1993; the basis of most C libraries' exp): reduction
// x = k ln2 + r with ln2 split in two parts (Cody & Waite), |r| <= ln2/2,
// then exp(r) from a degree-5 minimax polynomial in r^2 through a rational
// form, and the scaling by 2^k built in the exponent bits. Its error is
// below one unit in the last place, like the library's; results may differ
// from std::exp in the last bit. Arguments outside [-708, 709] (where 2^k
// would leave the normal range), infinities and NaN go to std::exp.
#pragma once

#include <cstdint>

namespace mizani {

// out[idx] = exp(in[idx]) for idx in [0, count); out may alias in.
void ExpArray(const double* in, double* out, int64_t count);

// out[idx] = log(in[idx]), likewise, after fdlibm's e_log.c: x = 2^k m with
// m in [sqrt(2)/2, sqrt(2)), f = m - 1, s = f / (2 + f), and log(1 + f)
// from a degree-14 polynomial in s (its even part as fdlibm's Lg1..Lg7).
// Zero, negative, subnormal, infinite and NaN arguments go to std::log.
void LogArray(const double* in, double* out, int64_t count);

// Whether ExpArray and LogArray take four values at a time: the processor
// has AVX2 and UseAvx2ArrayMath(false) did not switch it off.
bool Avx2ArrayMathAvailable();

// Switches the four-wide path off (false) or back on where the processor
// has it (true): for tests and benchmarks that compare the two.
void UseAvx2ArrayMath(bool enabled);

}  // namespace mizani

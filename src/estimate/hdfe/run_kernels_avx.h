// The CG pass of the Schur projector on segments (run_kernels.h,
// ApplyKernel::MatvecSegments) with 256-bit AVX registers, for processors
// that have them (checked at run time: the build targets plain x86-64).
// Unit-step segments carry four rows per register with one column, two
// rows with two columns, a row's first four columns with four or five;
// other segments go row by row. No fused multiply-add: the products and
// sums round as in the SSE2 kernel, only the order of the run sums differs.
#pragma once

#include <cstdint>

namespace mizani::estimate {

struct RunRows;

// Whether the AVX kernels may run: the processor has AVX and they were not
// switched off by UseAvxKernels(false). A projection also honours its own
// ProjectionOptions::simd (RunRows::allow_avx).
bool AvxKernelsAvailable();

// Switches the AVX kernels off (false) or back on where the processor has
// them (true): for tests and benchmarks that compare the two.
void UseAvxKernels(bool enabled);

// As ApplyKernel::MatvecSegments<kRest, kCols>; instantiated for kRest in
// {0, 1, 2} (0: the run-time count) and kCols in {1, 2, 4, 5}.
template <int kRest, int kCols>
void MatvecSegmentsAvx(const RunRows& rows, int64_t run_begin, int64_t run_end,
                       const double* coef_RC, double* acc_RC);

}  // namespace mizani::estimate

// What the processor offers beyond the x86-64 baseline the build targets,
// asked once at run time: the kernels compiled for wider registers
// (estimate/hdfe/run_kernels_avx.cc, numerics/simd_exp_avx2.cc) run only
// where these say so. And how many of the machine's CPUs the process may
// use (the default thread count, mizani/machine.h).
#pragma once

#include "mizani/machine.h"  // ProcessorsAvailable

namespace mizani {

// 256-bit floating-point registers (AVX).
bool ProcessorHasAvx();

// 256-bit integer operations too (AVX2).
bool ProcessorHasAvx2();

}  // namespace mizani

#include "common/cpu_features.h"

namespace mizani {

// (__builtin_cpu_supports takes a literal only.)
#if defined(__x86_64__) && defined(__GNUC__)
bool ProcessorHasAvx() {
  static const bool has_avx = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx") != 0;
  }();
  return has_avx;
}

bool ProcessorHasAvx2() {
  static const bool has_avx2 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return has_avx2;
}
#else
bool ProcessorHasAvx() { return false; }
bool ProcessorHasAvx2() { return false; }
#endif

}  // namespace mizani

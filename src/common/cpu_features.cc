#include "common/cpu_features.h"

#if defined(__linux__)
#include <sched.h>
#endif

#include <thread>

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

int ProcessorsAvailable() {
  static const int available = [] {
#if defined(__linux__)
    cpu_set_t mask;
    CPU_ZERO(&mask);
    if (sched_getaffinity(0, sizeof(mask), &mask) == 0) {
      const int count = CPU_COUNT(&mask);
      if (count > 0) return count;
    }
#endif
    const unsigned machine = std::thread::hardware_concurrency();
    return machine == 0 ? 1 : static_cast<int>(machine);
  }();
  return available;
}

}  // namespace mizani

#include "common/memory.h"

#include <cstdint>
#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mizani {

void ReturnFreedMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

void ReturnPages(void* begin, void* end, size_t min_bytes) {
#if defined(__linux__)
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto from = reinterpret_cast<uintptr_t>(begin);
  const auto to = reinterpret_cast<uintptr_t>(end);
  // Whole pages only: the one holding the last value stays.
  const size_t lead = (page - from % page) % page;
  if (to <= from + lead) return;
  const size_t length = (to - from - lead) / page * page;
  if (length == 0 || length < min_bytes) return;
  // (An error leaves the pages as they were: only memory is lost.)
  madvise(static_cast<char*>(begin) + lead, length, MADV_DONTNEED);
#else
  (void)begin;
  (void)end;
  (void)min_bytes;
#endif
}

}  // namespace mizani

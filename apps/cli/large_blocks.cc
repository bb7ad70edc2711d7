// The command's global operator new and delete: large blocks go through a
// cache of freed blocks (mizani/block_cache.h), everything else straight
// to malloc. Only the command does this; the library leaves allocation to
// its host. Sanitizer builds keep the runtime's own operators (and their
// checks).
#include <malloc.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>

#include "mizani/block_cache.h"
#include "mizani/settings.h"

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) && defined(__GLIBC__)

namespace {

// 4 MiB: the mmap threshold main() sets, so every cached block is a
// mapping of its own. 64 MiB: three arrays of 2.5M doubles, enough for the
// same-size arrays a fit frees and takes again, small next to its peak.
constexpr size_t kMinBlock = size_t{4} << 20;
constexpr size_t kCapBytes = size_t{64} << 20;
constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kWholeTail = size_t{1} << 20;
// Blocks from 1 MiB take huge pages too (when the process has them): the
// per-row masks of the all-zero-group and singleton drops of a 2.5M-row
// panel (2.5 MiB each) took 580 and 200 faults of 4 KiB from the heap,
// where a 4 KiB fault costs some 11 us and a huge page's about 0.13 ms
// (session 28). Rounded up to a whole huge page (MappedSize), such a block
// asks glibc for at least 4 MiB with the alignment, so it gets a mapping
// of its own, as larger blocks do; only blocks from kMinBlock are cached.
constexpr size_t kMinHugeBlock = size_t{1} << 20;

mizani::BlockCache& Cache() {
  // Built in static storage on first use and never destroyed: operator
  // delete may run after static destructors.
  alignas(mizani::BlockCache) static unsigned char storage[sizeof(mizani::BlockCache)];
  static mizani::BlockCache* cache = ::new (storage)
      mizani::BlockCache(kMinBlock, kCapBytes, [](void* block) { std::free(block); });
  return *cache;
}

// A large block is its own mapping (see kMinBlock); transparent huge pages
// for it (where the kernel grants them on request, its "madvise" mode) take one fault
// per 2 MiB instead of per 4 KiB and one TLB entry for what the level
// gathers of the projection kernels touch at random. Given only when the
// process has huge pages (heap_pages.cc, Settings::huge_pages); an error
// leaves the block as it was.
void AdviseHugePages(void* block, size_t size) {
  constexpr uintptr_t kPage = 4096;
  const size_t lead = reinterpret_cast<uintptr_t>(block) % kPage;
  madvise(static_cast<char*>(block) - lead, size + lead, MADV_HUGEPAGE);
}

// A cached block handed out for a smaller request (down to a quarter of
// its size, BlockCache::Take): its whole pages more than 1 MiB past the
// request go back to the system, so they do not count in the resident
// memory while the block serves it (they fault in again, cleared, if the
// block later serves a larger request). With huge pages, whole huge pages
// only: giving back part of one splits it, and the part faulted in again
// 4 KiB at a time (some 600 faults of the 2.5M-row three-way fit; 2 MiB
// more peak memory; session 28).
void TrimTail(void* block, size_t size, size_t usable) {
  const uintptr_t kPage = mizani::HugePagesAdvised() ? kHugePage : 4096;
  const uintptr_t start = reinterpret_cast<uintptr_t>(block);
  // Offsets from the block (pointer arithmetic, not integers made pointers).
  const size_t keep = (start + size + kPage - 1) / kPage * kPage - start;
  const size_t end = (start + usable) / kPage * kPage - start;
  if (end > keep + (size_t{1} << 20)) {
    madvise(static_cast<char*>(block) + keep, end - keep, MADV_DONTNEED);
  }
}

// The bytes a huge-page block takes for `size`. A last partial 2 MiB of
// at least kWholeTail is rounded up to a whole huge page, which holds at
// most 1 MiB the block does not use; a shorter one stays in 4 KiB pages
// (MADV_NOHUGEPAGE). Before session 28 every tail stayed in 4 KiB pages:
// the 2.5M-row columns' tails took 230-400 faults each, some 2,000 of the
// three-way fit's 9,000 (and about 4 ms of system time per column).
size_t MappedSize(size_t size) {
  const size_t tail = size % kHugePage;
  return tail >= kWholeTail ? size - tail + kHugePage : size;
}

void* Allocate(size_t size) {
  if (size >= kMinBlock) {
    size_t usable = 0;
    if (void* block = Cache().Take(size, &usable)) {
      TrimTail(block, size, usable);
      return block;
    }
    Cache().Shed(size);  // (a fresh block instead: the cache makes room)
  }
  const bool huge = size >= kMinHugeBlock && mizani::HugePagesAdvised();
  void* block = nullptr;
  if (huge) {
    // At a huge-page boundary: a block from malloc starts just past a
    // mapping's first page, and the kernel gives huge pages only to whole
    // aligned 2 MiB ranges of it, so on average its first megabyte took
    // 4 KiB faults. Aligned (the tail as MappedSize says), the 2.5M-row
    // three-way fit took 9,491-9,646 faults instead of 19,889 (session 26).
    if (posix_memalign(&block, kHugePage, MappedSize(size)) != 0) block = nullptr;
  } else {
    block = std::malloc(size == 0 ? 1 : size);
  }
  if (block == nullptr) throw std::bad_alloc();
  if (huge) {
    const size_t mapped = MappedSize(size);
    AdviseHugePages(block, mapped);
    const size_t whole = mapped / kHugePage * kHugePage;
    if (whole < mapped) {
      madvise(static_cast<char*>(block) + whole, mapped - whole, MADV_NOHUGEPAGE);
    }
  }
  return block;
}

void Release(void* block) noexcept {
  if (block == nullptr) return;
  const size_t usable = malloc_usable_size(block);
  if (usable >= kMinBlock) {
    Cache().Give(block, usable);
  } else {
    std::free(block);
  }
}

}  // namespace

void* operator new(size_t size) { return Allocate(size); }
void* operator new[](size_t size) { return Allocate(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  try {
    return Allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  try {
    return Allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* block) noexcept { Release(block); }
void operator delete[](void* block) noexcept { Release(block); }
void operator delete(void* block, size_t) noexcept { Release(block); }
void operator delete[](void* block, size_t) noexcept { Release(block); }
void operator delete(void* block, const std::nothrow_t&) noexcept { Release(block); }
void operator delete[](void* block, const std::nothrow_t&) noexcept { Release(block); }

#endif

// A cache of large freed memory blocks, for the `mizani` command's
// allocator (apps/cli/large_blocks.cc).
//
// A fit allocates and frees dozens of per-observation arrays of the same
// few sizes (N doubles, N 32-bit ids, ...). Each large block is its own
// mapping (the command fixes glibc's mmap threshold, so freed memory goes
// back to the system instead of fragmenting the heap), and each fresh
// mapping costs a page fault and a page clearing per 4 KiB on first touch:
// some 5,000 faults for a 20 MB array. Keeping a few freed blocks and
// handing them out again for requests of up to their size avoids most of
// them, while the cap bounds what the cache adds to the peak memory.
// Kept free of the allocator it serves: the blocks come from and go back
// to callbacks, so it can be tested on its own.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace mizani {

class BlockCache {
 public:
  using Release = void (*)(void*);

  // Blocks of at least min_block usable bytes are cached, at most
  // cap_bytes of them in all. `release` frees a block the cache lets go.
  BlockCache(size_t min_block, size_t cap_bytes, Release release)
      : min_block_(min_block), cap_bytes_(cap_bytes), release_(release) {}

  // A cached block of at least `size` usable bytes, but at most four times
  // as many (a large block is not spent on a much smaller request), the
  // smallest such; nullptr when there is none. `usable` receives its size,
  // so that the caller may give back the pages past `size` (the command's
  // allocator does). Four times, not the quarter more it once was: a fit
  // frees arrays of the table's rows and then takes arrays of the frame's
  // rows, fewer where rows were dropped (all-zero pairs), and 32-bit ids
  // half the size of doubles. Held in the cache for requests they could
  // not serve, the freed blocks added 45-54 MiB to the peak of three-way fits
  // that drop a quarter of their rows (bench/README.md, session 20).
  void* Take(size_t size, size_t* usable = nullptr);

  // Offers a block being freed, with its usable size. Small blocks, blocks
  // larger than the cap, and blocks when the cache is full (after the
  // oldest were released to make room) are released at once.
  void Give(void* block, size_t usable);

  // After a miss (Take found no block) for `bytes`: the oldest cached
  // blocks are released until at least `bytes` have gone or none is left;
  // returns the bytes released. None of them could serve the request, and
  // the new block it takes instead would otherwise add to the memory the
  // cache already holds: blocks that fit no later request (32-bit ids where
  // the fit now takes doubles) stayed until the cap pushed them out, and
  // set the peak of a three-way fit 18 MiB higher where fewer arrays had
  // been freed before it (bench/README.md, session 24).
  size_t Shed(size_t bytes);

  size_t min_block() const { return min_block_; }
  size_t cached_bytes() const;
  int64_t hits() const;

 private:
  struct Entry {
    void* block = nullptr;
    size_t usable = 0;
    uint64_t age = 0;  // order of arrival, oldest released first
  };
  static constexpr int kSlots = 16;

  // The cached entry that arrived first (nullptr when empty); called with
  // mutex_ held, by Give (the cap) and Shed (a miss).
  Entry* OldestLocked();

  mutable std::mutex mutex_;
  size_t min_block_;
  size_t cap_bytes_;
  Release release_;
  std::array<Entry, kSlots> entries_{};
  size_t cached_bytes_ = 0;
  uint64_t arrivals_ = 0;
  int64_t hits_ = 0;
};

}  // namespace mizani

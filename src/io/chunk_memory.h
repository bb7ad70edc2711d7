// Memory for the parallel CSV parse: blocks from the heap or the kernel, a
// column's values appended block by block, and the release of file-mapping
// pages a scan has passed (so that reading a 200 MB file does not keep it
// resident).
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "mizani/settings.h"

namespace mizani::io {

// One block of a chunk's values. A large block is anonymous memory straight
// from the kernel and back with munmap: malloc may keep a freed block resident
// in its arena, and the merge frees each block of a chunk's values right after
// copying it to keep the peak down. A small block comes from the heap: for a
// small file the pair of system calls per column and read (and the TLB
// flushes of munmap) would cost more than the parse.
class ChunkBlock {
 public:
  // Blocks below this size come from the heap.
  static constexpr size_t kMapThreshold = size_t{256} << 10;

  ChunkBlock() = default;
  explicit ChunkBlock(size_t size) : size_(size) {
    if (size < kMapThreshold) {
      data_ = ::operator new(size);
      return;
    }
    data_ = size % kHugePage == 0 && HugePagesAdvised() ? MapHuge(size) : MapPlain(size);
  }
  ChunkBlock(ChunkBlock&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(other.size_) {}
  ChunkBlock& operator=(ChunkBlock&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    return *this;
  }
  ChunkBlock(const ChunkBlock&) = delete;
  ChunkBlock& operator=(const ChunkBlock&) = delete;
  ~ChunkBlock() {
    if (data_ == nullptr) return;
    if (size_ < kMapThreshold) {
      ::operator delete(data_);
    } else {
      munmap(data_, size_);
    }
  }

  static constexpr size_t kHugePage = size_t{2} << 20;

  static void* MapPlain(size_t size) {
    void* region = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) throw std::bad_alloc();
    return region;
  }
  // A block of whole huge pages at a huge-page boundary: one page fault
  // per 2 MiB instead of 512.
  static void* MapHuge(size_t size) {
    auto* region = static_cast<char*>(MapPlain(size + kHugePage));
    const size_t lead = (kHugePage - reinterpret_cast<uintptr_t>(region) % kHugePage) % kHugePage;
    if (lead > 0) munmap(region, lead);
    munmap(region + lead + size, kHugePage - lead);
    madvise(region + lead, size, MADV_HUGEPAGE);
    return region + lead;
  }

  void* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

// A chunk's values of one column: appended without ever copying or
// reallocating (a vector would need a row count first, or double its memory
// while growing), then drained block by block into the table column. The
// first block is 4 KiB from the heap, so that a small file's column costs no
// system call; the second is 1 MiB mapped, so that a column of a few
// thousand rows does not take a huge page (skipped when the host asked for
// huge pages, see AddBlock); the rest are 2 MiB, advised to be huge pages
// (MapHuge) when the host asked for them (Settings::huge_pages), a few
// dozen system calls and one page fault each for a large column. The unused
// tail of a chunk's last block costs no memory while it is 4 KiB pages, at
// most one huge page per chunk and column otherwise. With 4 KiB pages
// throughout, the 2.5M-row three-way fit (a 198 MB file) took 1.33 s
// instead of 1.18 s (medians of 9 paired runs; overall peak memory the
// same, the read's own peak 99 MiB instead of 142). (Blocks doubling
// through the heap sizes were tried: the freed ones stayed in malloc's
// arenas, 9 MiB more resident after reading a 198 MB file.) Without the
// setting (the library's default since session 17, which a host such as
// the Python module keeps) the blocks are plain mappings in 4 KiB pages;
// the command chooses per run (apps/cli/heap_pages.cc).
template <class T>
class BlockList {
 public:
  void push_back(T value) {
    if (next_ == limit_) AddBlock();
    *next_++ = value;
  }

  // Hands consume(values, count) each block in order, freeing it right after.
  template <class Consume>
  void Drain(Consume&& consume) {
    for (size_t block_idx = 0; block_idx < blocks_.size(); ++block_idx) {
      const T* values = static_cast<const T*>(blocks_[block_idx].data());
      size_t count = block_idx + 1 < blocks_.size() ? blocks_[block_idx].size() / sizeof(T)
                                                    : static_cast<size_t>(next_ - values);
      consume(values, count);
      blocks_[block_idx] = ChunkBlock();
    }
    Clear();
  }

  void Clear() {
    blocks_.clear();
    next_ = nullptr;
    limit_ = nullptr;
  }

 private:
  static constexpr size_t kFirstBlockBytes = size_t{4} << 10;
  static constexpr size_t kSecondBlockBytes = size_t{1} << 20;
  static constexpr size_t kLastBlockBytes = ChunkBlock::kHugePage;

  void AddBlock() {
    // With huge pages the 1 MiB block is skipped: its 256 faults of 4 KiB
    // cost more than a huge page's one (each some 11 us where the
    // hypervisor keeps the page tables; session 26), and the command asks
    // for huge pages only for files of 16 MiB and more per process.
    const size_t bytes = blocks_.empty()                              ? kFirstBlockBytes
                         : blocks_.size() == 1 && !HugePagesAdvised() ? kSecondBlockBytes
                                                                      : kLastBlockBytes;
    blocks_.emplace_back(bytes / sizeof(T) * sizeof(T));
    next_ = static_cast<T*>(blocks_.back().data());
    limit_ = next_ + bytes / sizeof(T);
  }

  std::vector<ChunkBlock> blocks_;
  T* next_ = nullptr;
  T* limit_ = nullptr;
};

// The size of the windows in which the CSV reader reads a mapped file
// (ChunkParser::ScanWindows in csv_chunk.h); 0 reads through the mapping
// instead. For tests (windows of a few dozen bytes put their edges
// everywhere) and for measuring the two ways against each other.
void SetReadWindowBytes(size_t bytes);
size_t ReadWindowBytes();

// The window buffers of one read: a parse task takes one and gives it back
// when its chunk is done, so that a read allocates and faults in one buffer
// per thread rather than one per chunk. A buffer grown for a record longer
// than a window comes back grown.
class WindowPool {
 public:
  explicit WindowPool(size_t window_bytes) : window_bytes_(window_bytes) {}

  std::vector<char> Take() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!free_.empty()) {
        std::vector<char> window = std::move(free_.back());
        free_.pop_back();
        return window;
      }
    }
    return std::vector<char>(window_bytes_);
  }

  void Give(std::vector<char> window) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(window));
  }

 private:
  const size_t window_bytes_;
  std::mutex mutex_;
  std::vector<std::vector<char>> free_;
};

// Gives back the pages of a file mapping that a scan has passed: mapped file
// pages count in the resident size until unmapped, so a 200 MB file would
// otherwise stay resident for the whole read. (A file read in windows, the
// usual case since session 31, touches its mapping only where a chunk goes
// through the mapping: after a quote the block scanner cannot place, or to
// read a chunk's rows again as text.) A released page that is read
// again (MakeString, level texts in the merge, the exact re-parse after an
// error) faults back in from the page cache with the same bytes.
class PageReleaser {
 public:
  PageReleaser() = default;  // releases nothing
  // Only whole pages inside [begin, end): a page at the edge may hold bytes
  // of the neighbouring chunk, which another thread may be reading.
  PageReleaser(const char* begin, const char* end)
      : base_(const_cast<char*>(begin)),  // madvise takes a non-const pointer
        released_to_(RoundUp(Address(begin))),
        limit_(RoundDown(Address(end))),
        next_check_(Address(begin) + kStep) {}

  // Nothing before `cursor` is needed any more; releases in steps, since each
  // madvise call interrupts the other threads to flush their TLBs.
  void Passed(const char* cursor) {
    if (Address(cursor) >= next_check_) ReleaseBefore(cursor);
  }

  void ReleaseBefore(const char* cursor) {
    uintptr_t stop = std::min(RoundDown(Address(cursor)), limit_);
    if (stop > released_to_) {
      // The address as an offset from the chunk's own pointer (no integer
      // to pointer cast).
      madvise(base_ + (released_to_ - Address(base_)), stop - released_to_, MADV_DONTNEED);
      released_to_ = stop;
    }
    next_check_ = Address(cursor) + kStep;
  }

 private:
  static constexpr uintptr_t kStep = uintptr_t{4} << 20;

  static uintptr_t Address(const char* pointer) { return reinterpret_cast<uintptr_t>(pointer); }
  static uintptr_t PageSize() {
    static const auto page_size = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    return page_size;
  }
  static uintptr_t RoundDown(uintptr_t address) { return address - address % PageSize(); }
  static uintptr_t RoundUp(uintptr_t address) { return RoundDown(address + PageSize() - 1); }

  char* base_ = nullptr;
  uintptr_t released_to_ = 0;
  uintptr_t limit_ = 0;
  uintptr_t next_check_ = std::numeric_limits<uintptr_t>::max();
};

}  // namespace mizani::io

#include "mizani/block_cache.h"

namespace mizani {

BlockCache::Entry* BlockCache::OldestLocked() {
  Entry* found = nullptr;
  for (Entry& entry : entries_) {
    if (entry.block != nullptr && (found == nullptr || entry.age < found->age)) found = &entry;
  }
  return found;
}

void* BlockCache::Take(size_t size, size_t* usable) {
  if (size < min_block_) return nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  Entry* best = nullptr;
  for (Entry& entry : entries_) {
    if (entry.block == nullptr || entry.usable < size || entry.usable / 4 > size) continue;
    if (best == nullptr || entry.usable < best->usable) best = &entry;
  }
  if (best == nullptr) return nullptr;
  void* block = best->block;
  if (usable != nullptr) *usable = best->usable;
  cached_bytes_ -= best->usable;
  *best = Entry();
  ++hits_;
  return block;
}

void BlockCache::Give(void* block, size_t usable) {
  if (block == nullptr) return;
  if (usable < min_block_ || usable > cap_bytes_) {
    release_(block);
    return;
  }
  // Released outside the lock: the callback may take time (munmap).
  std::array<void*, kSlots> to_release{};
  int num_release = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Entry* free_slot = nullptr;
    for (Entry& entry : entries_) {
      if (entry.block == nullptr) {
        free_slot = &entry;
        break;
      }
    }
    while (free_slot == nullptr || cached_bytes_ + usable > cap_bytes_) {
      Entry* victim = OldestLocked();
      if (victim == nullptr) break;  // (cannot happen: usable <= cap_bytes_)
      to_release[num_release++] = victim->block;
      cached_bytes_ -= victim->usable;
      *victim = Entry();
      if (free_slot == nullptr) free_slot = victim;
    }
    *free_slot = Entry{block, usable, arrivals_++};
    cached_bytes_ += usable;
  }
  for (int idx = 0; idx < num_release; ++idx) release_(to_release[idx]);
}

size_t BlockCache::Shed(size_t bytes) {
  std::array<void*, kSlots> to_release{};
  int num_release = 0;
  size_t released = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    while (released < bytes) {
      Entry* oldest = OldestLocked();
      if (oldest == nullptr) break;
      to_release[num_release++] = oldest->block;
      released += oldest->usable;
      cached_bytes_ -= oldest->usable;
      *oldest = Entry();
    }
  }
  // Released outside the lock, as in Give.
  for (int idx = 0; idx < num_release; ++idx) release_(to_release[idx]);
  return released;
}

size_t BlockCache::cached_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return cached_bytes_;
}

int64_t BlockCache::hits() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return hits_;
}

}  // namespace mizani

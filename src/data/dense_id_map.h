// An open-addressing map from 64-bit keys to dense ids in insertion order:
// the factor ids of numeric columns (table.cc) and the codes of short text
// labels while a CSV chunk is parsed (io/csv_chunk.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace mizani::data {

// Open-addressing map from 64-bit keys to dense ids, numbered in insertion
// order. std::unordered_map allocates a node per key and is several times
// slower on the millions of rows a gravity panel has.
class DenseIdMap {
 public:
  static constexpr uint64_t kEmpty = std::numeric_limits<uint64_t>::max();

  explicit DenseIdMap(size_t expected) {
    size_t capacity = 16;
    shift_ = 60;
    while (capacity < 2 * expected) {
      capacity *= 2;
      --shift_;
    }
    slots_.assign(capacity, Entry{kEmpty, -1});
  }

  // Returns the id of `key`, giving it the next id when new. `key` must not
  // be kEmpty (callers pass non-NaN double bits or non-negative integers).
  int32_t Insert(uint64_t key) {
    const size_t mask = slots_.size() - 1;
    size_t pos = Slot(key);
    while (true) {
      Entry& slot = slots_[pos];
      if (slot.key == key) return slot.id;
      if (slot.key == kEmpty) {
        slot.key = key;
        slot.id = size_++;
        if (2 * static_cast<size_t>(size_) > slots_.size()) Grow();
        return size_ - 1;
      }
      pos = (pos + 1) & mask;
    }
  }

  int32_t size() const { return size_; }

 private:
  struct Entry {
    uint64_t key;
    int32_t id;
  };

  // Keys are often small consecutive integers: Fibonacci hashing (the top
  // bits of key times 2^64 / golden ratio; Knuth, TAOCP vol. 3, 6.4)
  // spreads them over the table so linear probing stays short. One
  // multiply: the xor-shift mix it replaced cost 25 ms in the parse of a
  // shuffled 2.49M-row panel, two label lookups a row (session 19).
  size_t Slot(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
  }

  void Grow() {
    std::vector<Entry> old = std::move(slots_);
    slots_.assign(old.size() * 2, Entry{kEmpty, -1});
    --shift_;
    const size_t mask = slots_.size() - 1;
    for (const Entry& slot : old) {
      if (slot.key == kEmpty) continue;
      size_t pos = Slot(slot.key);
      while (slots_[pos].key != kEmpty) pos = (pos + 1) & mask;
      slots_[pos] = slot;
    }
  }

  std::vector<Entry> slots_;
  int shift_ = 60;  // 64 - log2(slots_.size())
  int32_t size_ = 0;
};

}  // namespace mizani::data

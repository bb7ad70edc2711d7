// Recycles large per-observation work arrays within one fit. A fresh
// 20 MB vector costs some 5,000 page faults (and the kernel zeroing the
// pages) on first touch; the separation check, the IRLS and the variance
// step each need several, one after the other. Handing them back and taking
// them again reuses pages already mapped, and never holds more than the
// live arrays' peak.
#pragma once

#include <cstddef>
#include <vector>

namespace mizani {

class BufferPool {
 public:
  // A vector of `size` elements with unspecified (but initialised) values:
  // the smallest pooled buffer large enough, else a new one.
  std::vector<double> Take(size_t size) {
    auto fits = free_.end();
    for (auto it = free_.begin(); it != free_.end(); ++it) {
      if (it->capacity() >= size && (fits == free_.end() || it->capacity() < fits->capacity()))
        fits = it;
    }
    if (fits == free_.end()) return std::vector<double>(size);
    std::vector<double> buffer = std::move(*fits);
    free_.erase(fits);
    buffer.resize(size);
    return buffer;
  }

  // Returns a buffer for later Take calls.
  void Give(std::vector<double>&& buffer) {
    if (buffer.capacity() == 0) return;
    free_.push_back(std::move(buffer));
    buffer = std::vector<double>();
  }

  // Frees everything held (before a step that must not carry the pool's
  // memory in its peak).
  void Clear() { free_.clear(); }

 private:
  std::vector<std::vector<double>> free_;
};

}  // namespace mizani

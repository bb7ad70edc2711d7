// Whole-file input for the CSV reader (file_bytes.cc).
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace mizani::io {

// The bytes of a file: a read-only memory map for plain files, or the
// decompressed text for gzip. A mapped file's descriptor stays open, so that
// the CSV reader can read it in windows (pread) and use the mapping only for
// what it reads out of order (csv_chunk.h, ChunkParser::ScanWindows).
class FileBytes {
 public:
  FileBytes() = default;
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  ~FileBytes() { Unmap(); }

  // Maps `path` read-only (nothing for an empty file). Throws
  // Error(kFileUnreadable).
  void Map(const std::string& path);

  void Own(std::unique_ptr<char[]> data, size_t size) {
    Unmap();
    owned_ = std::move(data);
    owned_size_ = size;
  }

  std::string_view view() const {
    if (mapped_ != nullptr) return {static_cast<const char*>(mapped_), mapped_size_};
    return {owned_.get(), owned_size_};
  }
  // True when view() is a file mapping, whose pages may be dropped and read
  // again from the file; gzip text lives in owned memory that must be kept.
  bool mapped() const { return mapped_ != nullptr; }
  // The open descriptor of a mapped file; -1 otherwise.
  int descriptor() const { return descriptor_; }

 private:
  void Unmap();

  void* mapped_ = nullptr;
  int descriptor_ = -1;
  size_t mapped_size_ = 0;
  std::unique_ptr<char[]> owned_;
  size_t owned_size_ = 0;
};

// Loads the whole file; gzip is recognised by its magic bytes rather than the
// extension so a mislabelled file still reads. Throws Error(kFileUnreadable)
// naming the file.
void LoadFile(const std::string& path, FileBytes* bytes);

}  // namespace mizani::io

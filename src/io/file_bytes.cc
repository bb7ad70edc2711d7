// Whole-file input for the CSV reader: a read-only memory map of a plain
// file, or the decompressed text of a gzip file.
#include "io/file_bytes.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <new>

#include "mizani/error.h"

namespace mizani::io {
namespace {

[[noreturn]] void ThrowUnreadable(const std::string& path, const std::string& why) {
  throw Error(ErrorCode::kFileUnreadable, fmt::format("{}: cannot read the file: {}", path, why));
}

void CheckIsReadableFile(const std::string& path) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) ThrowUnreadable(path, "no such file");
  if (std::filesystem::is_directory(status)) ThrowUnreadable(path, "it is a directory");
}

struct GzipText {
  std::unique_ptr<char[]> data;  // not zero-filled: every byte used is written
  size_t size = 0;
};

// `size_hint`: the uncompressed size if known (0 otherwise), to read into one
// buffer without regrowing it.
GzipText LoadGzip(const std::string& path, size_t size_hint) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) ThrowUnreadable(path, std::strerror(errno));
  // A large internal buffer and large reads keep zlib in its fast path.
  gzbuffer(file, 1u << 20);
  constexpr size_t kBlock = size_t{16} << 20;
  size_t capacity = std::max(size_hint + 1, kBlock);
  // Memory for the text: running out is a property of this file (a
  // decompression bomb, or a table too large for the machine), reported as
  // such rather than as an internal error.
  auto allocate = [&](size_t bytes) {
    std::unique_ptr<char[]> block(new (std::nothrow) char[bytes]);
    if (block == nullptr) {
      gzclose(file);
      ThrowUnreadable(path, fmt::format("its text does not fit in memory ({} MB needed "
                                        "so far)",
                                        bytes >> 20));
    }
    return block;
  };
  GzipText text{allocate(capacity), 0};
  while (true) {
    if (text.size == capacity) {
      capacity *= 2;
      std::unique_ptr<char[]> larger = allocate(capacity);
      std::memcpy(larger.get(), text.data.get(), text.size);
      text.data = std::move(larger);
    }
    auto request = static_cast<unsigned>(std::min(kBlock, capacity - text.size));
    int got = gzread(file, text.data.get() + text.size, request);
    if (got <= 0) break;
    text.size += static_cast<size_t>(got);
  }
  // A truncated stream reads up to the damage and then reports an error here
  // ("unexpected end of file"), which must not pass as a shorter table.
  int code = Z_OK;
  const char* message = gzerror(file, &code);
  std::string why = message != nullptr ? message : "";
  gzclose(file);
  if (code != Z_OK && code != Z_STREAM_END) {
    ThrowUnreadable(path, fmt::format("corrupt or truncated gzip data ({})", why));
  }
  return text;
}

}  // namespace

void FileBytes::Map(const std::string& path) {
  int descriptor = open(path.c_str(), O_RDONLY);
  if (descriptor < 0) ThrowUnreadable(path, std::strerror(errno));
  struct stat info {};
  if (fstat(descriptor, &info) != 0) {
    int error = errno;
    close(descriptor);
    ThrowUnreadable(path, std::strerror(error));
  }
  if (info.st_size > 0) {
    void* region =
        mmap(nullptr, static_cast<size_t>(info.st_size), PROT_READ, MAP_PRIVATE, descriptor, 0);
    if (region == MAP_FAILED) {
      int error = errno;
      close(descriptor);
      ThrowUnreadable(path, std::strerror(error));
    }
    mapped_ = region;
    mapped_size_ = static_cast<size_t>(info.st_size);
    madvise(mapped_, mapped_size_, MADV_SEQUENTIAL);
    descriptor_ = descriptor;
    return;
  }
  close(descriptor);
}

void FileBytes::Unmap() {
  if (mapped_ != nullptr) munmap(mapped_, mapped_size_);
  if (descriptor_ >= 0) close(descriptor_);
  mapped_ = nullptr;
  mapped_size_ = 0;
  descriptor_ = -1;
}

void LoadFile(const std::string& path, FileBytes* bytes) {
  CheckIsReadableFile(path);
  bytes->Map(path);
  std::string_view content = bytes->view();
  if (content.size() >= 2 && static_cast<unsigned char>(content[0]) == 0x1f &&
      static_cast<unsigned char>(content[1]) == 0x8b) {
    // The trailer stores the uncompressed size modulo 2^32; it is only a
    // hint (files over 4 GiB or with several members grow the buffer).
    uint32_t stored_size = 0;
    if (content.size() >= 18) {
      // Little-endian in the file whatever the machine.
      for (size_t byte_idx = 0; byte_idx < 4; ++byte_idx) {
        auto byte = static_cast<unsigned char>(content[content.size() - 4 + byte_idx]);
        stored_size |= static_cast<uint32_t>(byte) << (8 * byte_idx);
      }
    }
    // Deflate expands at most 1032-fold (RFC 1951: a 258-byte match in at
    // least two bits), so a larger claim is damage: it is ignored, never
    // allocated, and the buffer grows only as text actually arrives.
    constexpr size_t kMaxDeflateRatio = 1032;
    const bool plausible =
        stored_size >= content.size() && stored_size / kMaxDeflateRatio <= content.size();
    size_t hint = plausible ? stored_size : 0;
    GzipText text = LoadGzip(path, hint);
    bytes->Own(std::move(text.data), text.size);
  }
}

}  // namespace mizani::io

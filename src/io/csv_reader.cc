// CSV reading and writing. Gravity panels have millions of rows, so the reader
// maps the whole file and parses it in parallel chunks split at line breaks. A
// chunk is classified 64 bytes at a time into bitmasks of separators and
// quotes, from which the field boundaries follow without a branch per byte;
// numeric fields are converted in place and never become std::string.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <memory>
#include <new>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "common/strings.h"
#include "data/text.h"
#include "mizani/error.h"
#include "mizani/read.h"

namespace mizani {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

[[noreturn]] void ThrowUnreadable(const std::string& path, const std::string& why) {
  throw Error(ErrorCode::kFileUnreadable, fmt::format("{}: cannot read the file: {}", path, why));
}

void CheckIsReadableFile(const std::string& path) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) ThrowUnreadable(path, "no such file");
  if (std::filesystem::is_directory(status)) ThrowUnreadable(path, "it is a directory");
}

// The bytes of a file: a read-only memory map for plain files (no copy of a
// 200 MB file into a buffer, and the parse threads fault pages in parallel),
// or the decompressed text for gzip.
class FileBytes {
 public:
  FileBytes() = default;
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  ~FileBytes() {
    if (mapped_ != nullptr) munmap(mapped_, mapped_size_);
  }

  void Map(const std::string& path) {
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
    }
    close(descriptor);
  }

  void Own(std::unique_ptr<char[]> data, size_t size) {
    if (mapped_ != nullptr) munmap(mapped_, mapped_size_);
    mapped_ = nullptr;
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

 private:
  void* mapped_ = nullptr;
  size_t mapped_size_ = 0;
  std::unique_ptr<char[]> owned_;
  size_t owned_size_ = 0;
};

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

// Loads the whole file; gzip is recognised by its magic bytes rather than the
// extension so a mislabelled file still reads.
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

struct Field {
  std::string_view text;  // without the surrounding quotes
  bool quoted = false;
  bool escaped = false;  // holds "" pairs that stand for one quote
};

enum class RecordStatus { kOk, kUnterminatedQuote, kTextAfterQuote };

struct RecordInfo {
  int num_fields = 0;
  int64_t quoted_newlines = 0;  // line breaks inside quoted fields
  int bad_field = -1;           // field index of a quoting error
};

// Moves past blank lines, counting them; false at the end of the input.
bool SkipBlankLines(const char*& cursor, const char* end, int64_t* line) {
  while (cursor < end && (*cursor == '\n' || *cursor == '\r')) {
    if (*cursor == '\r' && cursor + 1 < end && cursor[1] == '\n') ++cursor;
    ++cursor;
    ++*line;
  }
  return cursor < end;
}

// First delimiter, '\n' or '\r' at or after `cursor` (or `end`). Tests eight
// bytes at a time: a byte equal to c is a zero byte of word ^ (c * 0x01..01),
// and (w - 0x01..01) & ~w & 0x80..80 flags zero bytes, the lowest one exactly.
inline const char* FindFieldEnd(const char* cursor, const char* end, char delimiter) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  const uint64_t delimiters = kOnes * static_cast<unsigned char>(delimiter);
  constexpr uint64_t kNewlines = kOnes * '\n';
  constexpr uint64_t kReturns = kOnes * '\r';
  // The lowest flag is exact only counted from the least significant byte,
  // which is the first in memory on little-endian machines only.
  while (std::endian::native == std::endian::little && end - cursor >= 8) {
    uint64_t word;
    std::memcpy(&word, cursor, 8);
    uint64_t with_delimiter = word ^ delimiters;
    uint64_t with_newline = word ^ kNewlines;
    uint64_t with_return = word ^ kReturns;
    uint64_t flags = ((with_delimiter - kOnes) & ~with_delimiter) |
                     ((with_newline - kOnes) & ~with_newline) |
                     ((with_return - kOnes) & ~with_return);
    flags &= kHighs;
    if (flags != 0) return cursor + std::countr_zero(flags) / 8;
    cursor += 8;
  }
  while (cursor < end && *cursor != delimiter && *cursor != '\n' && *cursor != '\r') ++cursor;
  return cursor;
}

// Scans one record starting at `cursor` and calls on_field(index, field) for
// each field. Leaves `cursor` after the record's line break.
template <class OnField>
RecordStatus ScanRecord(const char*& cursor, const char* end, char delimiter, OnField&& on_field,
                        RecordInfo* info) {
  *info = RecordInfo{};
  while (true) {
    Field field;
    if (cursor < end && *cursor == '"') {
      const char* text_begin = ++cursor;
      while (true) {
        const void* found = std::memchr(cursor, '"', static_cast<size_t>(end - cursor));
        if (found == nullptr) {
          info->bad_field = info->num_fields;
          return RecordStatus::kUnterminatedQuote;
        }
        const char* quote = static_cast<const char*>(found);
        if (quote + 1 < end && quote[1] == '"') {
          field.escaped = true;
          cursor = quote + 2;
          continue;
        }
        field.text = std::string_view(text_begin, static_cast<size_t>(quote - text_begin));
        cursor = quote + 1;
        break;
      }
      field.quoted = true;
      info->quoted_newlines += std::count(field.text.begin(), field.text.end(), '\n');
    } else {
      const char* text_begin = cursor;
      cursor = FindFieldEnd(cursor, end, delimiter);
      field.text = std::string_view(text_begin, static_cast<size_t>(cursor - text_begin));
    }
    on_field(info->num_fields, field);
    ++info->num_fields;
    if (cursor >= end) return RecordStatus::kOk;
    char next = *cursor;
    if (next == delimiter) {
      ++cursor;
      continue;
    }
    if (next == '\n') {
      ++cursor;
      return RecordStatus::kOk;
    }
    if (next == '\r') {
      ++cursor;
      if (cursor < end && *cursor == '\n') ++cursor;
      return RecordStatus::kOk;
    }
    info->bad_field = info->num_fields - 1;
    return RecordStatus::kTextAfterQuote;
  }
}

std::string Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t char_idx = 0; char_idx < text.size(); ++char_idx) {
    out.push_back(text[char_idx]);
    if (text[char_idx] == '"' && char_idx + 1 < text.size() && text[char_idx + 1] == '"') {
      ++char_idx;
    }
  }
  return out;
}

bool IsMissingField(const Field& field) {
  return field.text.empty() || (!field.quoted && data::IsMissingToken(field.text));
}

// The block scanner: bit i of each mask describes byte i of a 64-byte block.
constexpr size_t kBlockBytes = 64;

struct BlockMasks {
  uint64_t separators = 0;  // delimiter, '\n' or '\r', inside quotes or not
  uint64_t quotes = 0;
};

#if defined(__SSE2__)
// The 16 flags of one comparison as bits, placed at `shift`.
inline uint64_t MaskBits(__m128i flags, int shift) {
  return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(flags))) << shift;
}
#endif

inline BlockMasks ClassifyBlock(const char* block, char delimiter) {
  BlockMasks masks;
#if defined(__SSE2__)
  const __m128i delimiters = _mm_set1_epi8(delimiter);
  const __m128i newlines = _mm_set1_epi8('\n');
  const __m128i returns = _mm_set1_epi8('\r');
  const __m128i quotes = _mm_set1_epi8('"');
  for (int part_idx = 0; part_idx < 4; ++part_idx) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * part_idx));
    __m128i separators =
        _mm_or_si128(_mm_cmpeq_epi8(bytes, delimiters),
                     _mm_or_si128(_mm_cmpeq_epi8(bytes, newlines), _mm_cmpeq_epi8(bytes, returns)));
    masks.separators |= MaskBits(separators, 16 * part_idx);
    masks.quotes |= MaskBits(_mm_cmpeq_epi8(bytes, quotes), 16 * part_idx);
  }
#else
  for (size_t byte_idx = 0; byte_idx < kBlockBytes; ++byte_idx) {
    char symbol = block[byte_idx];
    uint64_t bit = uint64_t{1} << byte_idx;
    if (symbol == delimiter || symbol == '\n' || symbol == '\r') masks.separators |= bit;
    if (symbol == '"') masks.quotes |= bit;
  }
#endif
  return masks;
}

// Bit i of the result is the parity of the set bits 0..i: with `bits` the
// quotes of a block, the bytes inside quotes (counting an opening quote, not
// a closing one). A "" escape closes and reopens, which leaves the text
// inside as it should.
inline uint64_t PrefixXor(uint64_t bits) {
  for (int shift = 1; shift < 64; shift *= 2) bits ^= bits << shift;
  return bits;
}

// Anonymous memory straight from the kernel and back with munmap: malloc may
// keep a freed block resident in its arena, and the merge frees each block of
// a chunk's values right after copying it to keep the peak down.
class AnonymousBlock {
 public:
  AnonymousBlock() = default;
  explicit AnonymousBlock(size_t size) : size_(size) {
    void* region = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) throw std::bad_alloc();
    data_ = region;
  }
  AnonymousBlock(AnonymousBlock&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(other.size_) {}
  AnonymousBlock& operator=(AnonymousBlock&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    return *this;
  }
  ~AnonymousBlock() {
    if (data_ != nullptr) munmap(data_, size_);
  }

  void* data() const { return data_; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

// A chunk's values of one column: appended without ever copying or
// reallocating (a vector would need a row count first, or double its memory
// while growing), then drained block by block into the table column.
template <class T>
class BlockList {
 public:
  void push_back(T value) {
    if (next_ == limit_) AddBlock();
    *next_++ = value;
  }

  // Hands consume(values, count) each block in order, unmapping it right after.
  template <class Consume>
  void Drain(Consume&& consume) {
    for (size_t block_idx = 0; block_idx < blocks_.size(); ++block_idx) {
      const T* values = static_cast<const T*>(blocks_[block_idx].data());
      size_t count =
          block_idx + 1 < blocks_.size() ? kPerBlock : static_cast<size_t>(next_ - values);
      consume(values, count);
      blocks_[block_idx] = AnonymousBlock();
    }
    Clear();
  }

  void Clear() {
    blocks_.clear();
    next_ = nullptr;
    limit_ = nullptr;
  }

 private:
  // 1 MiB: a few dozen system calls for a large column, while the unused
  // tail of a chunk's last block is never touched and costs no memory.
  static constexpr size_t kPerBlock = (size_t{1} << 20) / sizeof(T);

  void AddBlock() {
    blocks_.emplace_back(kPerBlock * sizeof(T));
    next_ = static_cast<T*>(blocks_.back().data());
    limit_ = next_ + kPerBlock;
  }

  std::vector<AnonymousBlock> blocks_;
  T* next_ = nullptr;
  T* limit_ = nullptr;
};

// Gives back the pages of a file mapping that a scan has passed: mapped file
// pages count in the resident size until unmapped, so a 200 MB file would
// otherwise stay resident for the whole read. A released page that is read
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

// What every chunk parser needs to know about the file's columns.
struct Layout {
  std::string file;
  char delimiter = ',';
  int num_fields = 0;
  std::vector<std::string> header;
  std::vector<int> slot_of_field;  // -1 for the fields not read
  std::vector<int> field_of_slot;
  std::vector<bool> force_string;
  // The block scanner needs the delimiter to differ from a quote and a line
  // break; any other delimiter goes through ScanRecord only.
  bool block_scan = true;
  bool release_pages = false;  // the text is a file mapping
};

// How a chunk's fast parse ended. A chunk ending inside quotes may just have
// been split inside a quoted field.
enum class ChunkStatus { kOk, kMalformed, kEndsInsideQuotes };

// Copies of texts in large blocks that never move. Levels are copied out of
// the file because its pages are released behind the parse: a level pointing
// into one would fault it back in (with its neighbours) at every lookup.
class TextArena {
 public:
  std::string_view Store(std::string_view text) {
    if (text.size() > free_) {
      size_t size = std::max(kBlockBytes, text.size());
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));
      next_ = blocks_.back().get();
      free_ = size;
    }
    std::memcpy(next_, text.data(), text.size());
    std::string_view stored(next_, text.size());
    next_ += text.size();
    free_ -= text.size();
    return stored;
  }

 private:
  static constexpr size_t kBlockBytes = size_t{64} << 10;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;
  size_t free_ = 0;
};

// One column of one chunk while parsing: numeric until a value fails to
// parse, then text (interned to codes; the levels' texts live in `texts`, one
// arena per column so the merge may turn columns into text on several
// threads).
struct ChunkColumn {
  bool is_string = false;
  BlockList<double> num;
  BlockList<int32_t> codes;
  std::vector<std::string_view> levels;
  std::unordered_map<std::string_view, int32_t> index;
  TextArena texts;
  // Sorted panels repeat the same exporter for thousands of rows; comparing
  // with the previous value skips most hash lookups.
  std::string_view last_text;
  int32_t last_code = -1;
};

class ChunkParser {
 public:
  ChunkParser(const char* begin, const char* end, const Layout& layout)
      : begin_(begin),
        end_(end),
        layout_(layout),
        columns_(layout.field_of_slot.size()),
        field_ends_(static_cast<size_t>(layout.num_fields)) {
    if (layout.release_pages) releaser_ = PageReleaser(begin, end);
    for (size_t slot = 0; slot < columns_.size(); ++slot)
      columns_[slot].is_string = layout.force_string[slot];
  }
  // Movable only: the columns own their memory blocks.
  ChunkParser(ChunkParser&&) = default;
  ChunkParser(const ChunkParser&) = delete;
  ChunkParser& operator=(const ChunkParser&) = delete;

  // The fast parse: the block scanner, with ScanRecord for the records it
  // cannot take. It only detects malformed input; ParseExact explains it.
  ChunkStatus ParseFast() {
    const char* cursor = begin_;
    while (cursor < end_) {
      if (layout_.block_scan) {
        ChunkStatus problem = ChunkStatus::kOk;
        if (ScanBlocks(&cursor, &problem)) break;
        if (problem != ChunkStatus::kOk) return problem;
      }
      // A quote the block scanner cannot place: this record and a few more go
      // through ScanRecord, so a file full of them (12" pipe as plain text)
      // does not restart the block scanner on every line.
      constexpr int kExactRun = 64;
      int64_t line = 0;  // only ParseExact reports lines
      RecordStatus status;
      RecordInfo info;
      for (int record_idx = 0; record_idx < kExactRun || !layout_.block_scan; ++record_idx) {
        if (!NextExactRecord(cursor, &line, &status, &info)) break;
        if (status == RecordStatus::kUnterminatedQuote) return ChunkStatus::kEndsInsideQuotes;
        if (status != RecordStatus::kOk || info.num_fields != layout_.num_fields) {
          return ChunkStatus::kMalformed;
        }
        ++num_rows_;
        releaser_.Passed(cursor);
      }
    }
    releaser_.ReleaseBefore(end_);
    return ChunkStatus::kOk;
  }

  // Record by record with ScanRecord, throwing Error with the row and line of
  // the first malformed record; `first_line` is the line of the chunk's start.
  void ParseExact(int64_t first_line) {
    const char* cursor = begin_;
    int64_t line = first_line;
    RecordStatus status;
    RecordInfo info;
    while (NextExactRecord(cursor, &line, &status, &info)) {
      int64_t row = num_rows_ + 1;
      if (status != RecordStatus::kOk) {
        const std::string& column =
            layout_.header[static_cast<size_t>(std::min(info.bad_field, layout_.num_fields - 1))];
        throw Error(ErrorCode::kBadData,
                    fmt::format("{} (line {}): {}", Where(layout_.file, row, column), line,
                                status == RecordStatus::kUnterminatedQuote
                                    ? "quoted field has no closing quote"
                                    : "unexpected text after the closing quote"));
      }
      if (info.num_fields != layout_.num_fields) {
        throw Error(
            ErrorCode::kBadData,
            fmt::format("{} (line {}): expected {} fields as in the header, found {}",
                        Where(layout_.file, row, ""), line, layout_.num_fields, info.num_fields));
      }
      ++num_rows_;
      line += 1 + info.quoted_newlines;
      releaser_.Passed(cursor);
    }
    releaser_.ReleaseBefore(end_);
  }

  // Turns a numeric column into text, re-reading this chunk's rows so far:
  // the original text ("007", "1e3") must be kept, not re-printed numbers.
  void MakeString(size_t slot) {
    ChunkColumn& column = columns_[slot];
    if (column.is_string) return;
    column.is_string = true;
    column.num.Clear();
    int target_field = layout_.field_of_slot[slot];
    PageReleaser releaser = layout_.release_pages ? PageReleaser(begin_, end_) : PageReleaser();
    const char* cursor = begin_;
    int64_t line = 0;
    RecordInfo info;
    for (int64_t row_idx = 0; row_idx < num_rows_; ++row_idx) {
      SkipBlankLines(cursor, end_, &line);
      ScanRecord(
          cursor, end_, layout_.delimiter,
          [&](int field_idx, const Field& field) {
            if (field_idx == target_field) StoreString(column, field);
          },
          &info);
      releaser.Passed(cursor);
    }
    releaser.ReleaseBefore(cursor);
  }

  int64_t num_rows() const { return num_rows_; }
  std::vector<ChunkColumn>& columns() { return columns_; }

 private:
  // Skips blank lines and scans one record with ScanRecord, storing its
  // fields; false when the chunk has no record left.
  bool NextExactRecord(const char*& cursor, int64_t* line, RecordStatus* status, RecordInfo* info) {
    if (!SkipBlankLines(cursor, end_, line)) return false;
    *status = ScanRecord(
        cursor, end_, layout_.delimiter,
        [this](int field_idx, const Field& field) {
          if (field_idx >= layout_.num_fields) return;
          int slot = layout_.slot_of_field[static_cast<size_t>(field_idx)];
          if (slot >= 0) Store(static_cast<size_t>(slot), field);
        },
        info);
    return true;
  }

  // Stores the records from *cursor (a record start, outside quotes) on,
  // block by block. True at the end of the chunk. False with *status kOk
  // when a quote does not sit where the quote parity says (text like 12"
  // pipe, which the parity would read as an opening quote, or text after a
  // closing quote): *cursor is then the start of that record, whose fields
  // are not stored yet. False with another status on malformed input.
  bool ScanBlocks(const char** cursor, ChunkStatus* status) {
    const char delimiter = layout_.delimiter;
    const int last_field = layout_.num_fields - 1;
    const char* record_start = *cursor;
    int num_ends = 0;  // delimiters of the current record so far
    // Carried from the previous block: all ones if it ended inside quotes;
    // bit 0 set if its last byte is a separator or a closing quote, after
    // which a quote may open a field or finish a "" escape (the start of the
    // scan counts as one); bit 0 set if its last byte is a closing quote.
    uint64_t inside_carry = 0;
    uint64_t boundary_carry = 1;
    uint64_t close_carry = 0;
    for (const char* block = *cursor; block < end_; block += kBlockBytes) {
      releaser_.Passed(record_start);
      auto available = static_cast<size_t>(end_ - block);
      BlockMasks masks;
      uint64_t valid = ~uint64_t{0};
      if (available >= kBlockBytes) {
        masks = ClassifyBlock(block, delimiter);
      } else {
        // Zero bytes match no class; the next chunk's bytes must not count.
        char padded[kBlockBytes] = {};
        std::memcpy(padded, block, available);
        masks = ClassifyBlock(padded, delimiter);
        valid = (uint64_t{1} << available) - 1;
      }
      uint64_t inside = PrefixXor(masks.quotes) ^ inside_carry;
      uint64_t opens = masks.quotes & inside;
      uint64_t closes = masks.quotes & ~inside;
      uint64_t after_boundary = ((masks.separators | closes) << 1) | boundary_carry;
      uint64_t after_close = (closes << 1) | close_carry;
      // The second quotes of "" escapes.
      uint64_t escapes = after_close & opens;
      if (escapes != 0) last_escape_ = block + (63 - std::countl_zero(escapes));
      uint64_t irregular =
          ((opens & ~after_boundary) | (after_close & ~(masks.separators | opens))) & valid;
      uint64_t structural = masks.separators & ~inside;
      // Up to the first irregular quote the parity agrees with ScanRecord.
      if (irregular != 0) structural &= (uint64_t{1} << std::countr_zero(irregular)) - 1;
      while (structural != 0) {
        const char* at = block + std::countr_zero(structural);
        structural &= structural - 1;
        if (*at == delimiter) {
          if (num_ends == last_field) {
            *status = ChunkStatus::kMalformed;
            return false;
          }
          field_ends_[static_cast<size_t>(num_ends++)] = at;
          continue;
        }
        // A line break right at a record start is a blank line (or the '\n'
        // of a CRLF).
        if (num_ends == 0 && at == record_start) {
          record_start = at + 1;
          continue;
        }
        if (num_ends != last_field) {
          *status = ChunkStatus::kMalformed;
          return false;
        }
        field_ends_[static_cast<size_t>(num_ends)] = at;
        StoreRecord(record_start);
        record_start = at + 1;
        num_ends = 0;
      }
      if (irregular != 0) {
        *cursor = record_start;
        return false;
      }
      inside_carry = static_cast<uint64_t>(static_cast<int64_t>(inside) >> 63);
      boundary_carry = (masks.separators | closes) >> 63;
      close_carry = closes >> 63;
    }
    if (inside_carry != 0) {
      *status = ChunkStatus::kEndsInsideQuotes;
      return false;
    }
    // The last record of the file may lack a line break.
    if (num_ends > 0 || record_start < end_) {
      if (num_ends != last_field) {
        *status = ChunkStatus::kMalformed;
        return false;
      }
      field_ends_[static_cast<size_t>(num_ends)] = end_;
      StoreRecord(record_start);
    }
    *cursor = end_;
    return true;
  }

  // Stores the requested fields of the record from `record_start` whose
  // delimiters and line break are in field_ends_.
  void StoreRecord(const char* record_start) {
    for (size_t slot = 0; slot < columns_.size(); ++slot) {
      auto field_idx = static_cast<size_t>(layout_.field_of_slot[slot]);
      const char* begin = field_idx == 0 ? record_start : field_ends_[field_idx - 1] + 1;
      const char* stop = field_ends_[field_idx];
      Field field;
      if (begin < stop && *begin == '"') {
        // The block scanner checked that the closing quote is the last byte.
        field.text = std::string_view(begin + 1, static_cast<size_t>(stop - begin - 2));
        field.quoted = true;
        // Most records have no "" escape; looking for one is a call per field.
        field.escaped = last_escape_ != nullptr && last_escape_ > begin &&
                        std::memchr(field.text.data(), '"', field.text.size()) != nullptr;
      } else {
        field.text = std::string_view(begin, static_cast<size_t>(stop - begin));
      }
      Store(slot, field);
    }
    ++num_rows_;
  }

  void Store(size_t slot, const Field& field) {
    ChunkColumn& column = columns_[slot];
    if (column.is_string) {
      StoreString(column, field);
      return;
    }
    double value = kMissing;
    if (!IsMissingField(field) && !data::ParseNumber(field.text, &value)) {
      MakeString(slot);
      StoreString(column, field);
      return;
    }
    column.num.push_back(value);
  }

  void StoreString(ChunkColumn& column, const Field& field) {
    if (IsMissingField(field)) {
      column.codes.push_back(-1);
      return;
    }
    if (!field.escaped && column.last_code >= 0 && field.text == column.last_text) {
      column.codes.push_back(column.last_code);
      return;
    }
    std::string_view text = field.text;
    std::string unescaped;
    if (field.escaped) {
      unescaped = Unescape(text);
      text = unescaped;
    }
    auto found = column.index.find(text);
    if (found == column.index.end()) {
      std::string_view stored = column.texts.Store(text);
      found = column.index.emplace(stored, static_cast<int32_t>(column.levels.size())).first;
      column.levels.push_back(stored);
    }
    int32_t code = found->second;
    column.codes.push_back(code);
    if (!field.escaped) {
      column.last_text = found->first;
      column.last_code = code;
    }
  }

  const char* begin_;
  const char* end_;
  const Layout& layout_;
  std::vector<ChunkColumn> columns_;
  std::vector<const char*> field_ends_;  // of the record the block scanner is in
  PageReleaser releaser_;
  // The last "" escape in the blocks classified so far; none in a record that
  // starts after it.
  const char* last_escape_ = nullptr;
  int64_t num_rows_ = 0;
};

char DetectDelimiter(std::string_view header_line) {
  // Counts candidates outside quotes; a quoted name may contain a comma.
  int commas = 0;
  int tabs = 0;
  int semicolons = 0;
  bool in_quotes = false;
  for (char symbol : header_line) {
    if (symbol == '"') in_quotes = !in_quotes;
    if (in_quotes) continue;
    commas += symbol == ',';
    tabs += symbol == '\t';
    semicolons += symbol == ';';
  }
  if (tabs > commas && tabs >= semicolons) return '\t';
  if (semicolons > commas && semicolons > tabs) return ';';
  return ',';
}

std::string Trim(std::string_view text) {
  size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  size_t last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

// Whether the text from `at` reads as two well-formed records: the header's
// field count, and quotes only around whole fields. Text after a '\n' inside
// a quoted field rarely passes, since it runs into the closing quote.
bool LooksLikeRecordStart(const char* at, const char* end, const Layout& layout) {
  for (int record_idx = 0; record_idx < 2; ++record_idx) {
    int64_t line = 0;
    if (!SkipBlankLines(at, end, &line)) return true;
    bool stray_quote = false;
    RecordInfo info;
    RecordStatus status = ScanRecord(
        at, end, layout.delimiter,
        [&](int, const Field& field) {
          stray_quote |= !field.quoted && field.text.find('"') != std::string_view::npos;
        },
        &info);
    if (status != RecordStatus::kOk || stray_quote || info.num_fields != layout.num_fields) {
      return false;
    }
  }
  return true;
}

// Chunk bounds for `num_chunks` roughly equal pieces of [begin, end), each
// just after a '\n'. With `count_quotes` false a boundary is a guess, the
// first '\n' from which LooksLikeRecordStart (or any '\n' after a few
// dozen failed tries), and the parse verifies it: a chunk split inside a
// quoted field ends inside quotes (see ReadCsv). With `count_quotes` true a
// '\n' is a boundary only after an even number of quote characters, which
// costs a serial count over the file.
std::vector<const char*> SplitAtRecords(const char* begin, const char* end, size_t num_chunks,
                                        const Layout& layout, bool count_quotes) {
  constexpr int kMaxGuesses = 64;
  std::vector<const char*> bounds{begin};
  size_t quotes = 0;
  const char* counted_to = begin;
  for (size_t chunk_idx = 1; chunk_idx < num_chunks; ++chunk_idx) {
    const char* target = begin + (end - begin) * static_cast<ptrdiff_t>(chunk_idx) /
                                     static_cast<ptrdiff_t>(num_chunks);
    // Never before the previous boundary, which would give an empty chunk.
    target = std::max(target, bounds.back());
    const char* boundary = nullptr;
    int guesses = 0;
    while (target < end) {
      const void* found = std::memchr(target, '\n', static_cast<size_t>(end - target));
      if (found == nullptr) break;
      const char* after = static_cast<const char*>(found) + 1;
      bool plausible;
      if (count_quotes) {
        quotes += static_cast<size_t>(std::count(counted_to, after, '"'));
        counted_to = after;
        plausible = quotes % 2 == 0;
      } else {
        plausible = ++guesses > kMaxGuesses || LooksLikeRecordStart(after, end, layout);
      }
      if (plausible) {
        boundary = after;
        break;
      }
      target = after;
    }
    if (boundary == nullptr || boundary >= end) break;
    bounds.push_back(boundary);
  }
  bounds.push_back(end);
  return bounds;
}

// Runs task(task_idx) for every index below `num_tasks` on up to
// `num_threads` threads, which take the tasks in order (more tasks than
// threads even out uneven progress). An exception (out of memory) is
// rethrown once every thread is done.
template <class Task>
void RunTasks(size_t num_tasks, size_t num_threads, const Task& task) {
  std::vector<std::exception_ptr> failures(num_tasks);
  std::atomic<size_t> next_task{0};
  auto work = [&] {
    for (size_t task_idx = next_task++; task_idx < num_tasks; task_idx = next_task++) {
      try {
        task(task_idx);
      } catch (...) {
        failures[task_idx] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> workers;
  for (size_t thread_idx = 1; thread_idx < std::min(num_threads, num_tasks); ++thread_idx) {
    workers.emplace_back(work);
  }
  work();
  for (std::thread& worker : workers) worker.join();
  for (const std::exception_ptr& failure : failures) {
    if (failure != nullptr) std::rethrow_exception(failure);
  }
}

// Joins the chunks' pieces of one column into a table column, freeing each
// piece as it goes so that pieces and table columns never all coexist.
Column MergeColumn(const std::string& name, std::vector<ChunkParser>& parsers, size_t slot,
                   size_t total_rows) {
  Column out;
  out.name = name;
  bool any_string = false;
  for (ChunkParser& parser : parsers) any_string |= parser.columns()[slot].is_string;
  if (!any_string) {
    out.type = ColumnType::kNumeric;
    out.num.reserve(total_rows);
    for (ChunkParser& parser : parsers) {
      parser.columns()[slot].num.Drain([&](const double* values, size_t count) {
        out.num.insert(out.num.end(), values, values + count);
      });
    }
    return out;
  }
  out.type = ColumnType::kString;
  out.codes.reserve(total_rows);
  std::unordered_map<std::string_view, int32_t> global_index;
  for (ChunkParser& parser : parsers) {
    parser.MakeString(slot);
    ChunkColumn& piece = parser.columns()[slot];
    std::vector<int32_t> remap(piece.levels.size());
    for (size_t level_idx = 0; level_idx < piece.levels.size(); ++level_idx) {
      auto [it, inserted] = global_index.try_emplace(piece.levels[level_idx],
                                                     static_cast<int32_t>(out.levels.size()));
      if (inserted) out.levels.emplace_back(piece.levels[level_idx]);
      remap[level_idx] = it->second;
    }
    piece.codes.Drain([&](const int32_t* codes, size_t count) {
      for (size_t code_idx = 0; code_idx < count; ++code_idx) {
        int32_t code = codes[code_idx];
        out.codes.push_back(code < 0 ? -1 : remap[static_cast<size_t>(code)]);
      }
    });
    piece.index = {};
    piece.levels = {};
  }
  return out;
}

}  // namespace

Table ReadCsv(const std::string& path, const ReadOptions& options) {
  FileBytes file_bytes;
  LoadFile(path, &file_bytes);
  const std::string_view bytes = file_bytes.view();
  const char* cursor = bytes.data();
  const char* end = bytes.data() + bytes.size();
  // Excel writes a UTF-8 byte order mark that would otherwise stick to the
  // first column name.
  if (bytes.size() >= 3 && std::memcmp(cursor, "\xEF\xBB\xBF", 3) == 0) cursor += 3;

  int64_t line = 1;
  if (!SkipBlankLines(cursor, end, &line)) {
    throw Error(ErrorCode::kBadData, fmt::format("{}: the file is empty (no header row)", path));
  }
  const char* header_end =
      static_cast<const char*>(std::memchr(cursor, '\n', static_cast<size_t>(end - cursor)));
  char delimiter =
      options.delimiter != 0
          ? options.delimiter
          : DetectDelimiter(std::string_view(
                cursor, static_cast<size_t>((header_end ? header_end : end) - cursor)));

  std::vector<std::string> header;
  RecordInfo info;
  RecordStatus status = ScanRecord(
      cursor, end, delimiter,
      [&](int, const Field& field) {
        header.push_back(Trim(field.escaped ? Unescape(field.text) : std::string(field.text)));
      },
      &info);
  if (status != RecordStatus::kOk) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{}: header row: quoted column name is not closed properly", path));
  }
  line += 1 + info.quoted_newlines;
  std::unordered_map<std::string, int> field_of_name;
  for (size_t field_idx = 0; field_idx < header.size(); ++field_idx) {
    if (header[field_idx].empty()) header[field_idx] = fmt::format("column_{}", field_idx + 1);
    auto [it, inserted] = field_of_name.emplace(header[field_idx], static_cast<int>(field_idx));
    if (!inserted) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: header row: column name '{}' appears twice (columns {} and {})",
                              path, header[field_idx], it->second + 1, field_idx + 1));
    }
  }

  // Which fields to keep, in the order the caller asked for.
  std::vector<int> field_of_slot;
  if (options.columns.empty()) {
    for (size_t field_idx = 0; field_idx < header.size(); ++field_idx) {
      field_of_slot.push_back(static_cast<int>(field_idx));
    }
  } else {
    std::unordered_set<std::string> seen;
    for (const std::string& name : options.columns) {
      auto found = field_of_name.find(name);
      if (found == field_of_name.end()) {
        throw Error(ErrorCode::kBadModel, fmt::format("{}: no such column (the file has: {})",
                                                      Where(path, -1, name), JoinNames(header)));
      }
      if (seen.insert(name).second) field_of_slot.push_back(found->second);
    }
  }
  for (const std::string& name : options.string_columns) {
    if (field_of_name.count(name) == 0) {
      throw Error(ErrorCode::kBadModel,
                  fmt::format("{}: no such column to read as text (the file has: {})",
                              Where(path, -1, name), JoinNames(header)));
    }
  }
  std::vector<int> slot_of_field(header.size(), -1);
  std::vector<bool> force_string(field_of_slot.size(), false);
  for (size_t slot = 0; slot < field_of_slot.size(); ++slot) {
    const std::string& name = header[static_cast<size_t>(field_of_slot[slot])];
    slot_of_field[static_cast<size_t>(field_of_slot[slot])] = static_cast<int>(slot);
    force_string[slot] = std::find(options.string_columns.begin(), options.string_columns.end(),
                                   name) != options.string_columns.end();
  }

  Layout layout;
  layout.file = path;
  layout.delimiter = delimiter;
  layout.num_fields = static_cast<int>(header.size());
  layout.header = std::move(header);
  layout.slot_of_field = std::move(slot_of_field);
  layout.field_of_slot = std::move(field_of_slot);
  layout.force_string = std::move(force_string);
  layout.block_scan = delimiter != '"' && delimiter != '\n' && delimiter != '\r';
  layout.release_pages = file_bytes.mapped();

  // Parallel parse for large inputs, split at guessed record boundaries. Row
  // numbers in messages are only known after the earlier chunks are done, and
  // the fast parse only detects problems; so on any error the whole input is
  // parsed again on one thread, which reports the first error with exact
  // numbers. A chunk that ends inside quotes, after clean chunks before it,
  // may only have been split inside a quoted field: then the input is split
  // again at exact record boundaries first.
  constexpr size_t kMinChunkBytes = size_t{4} << 20;
  size_t num_threads = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), 8);
  size_t num_chunks =
      num_threads == 1
          ? 1
          : std::min(num_threads * 4, static_cast<size_t>(end - cursor) / kMinChunkBytes + 1);
  std::vector<ChunkParser> parsers;
  for (bool count_quotes : {false, true}) {
    std::vector<const char*> bounds = SplitAtRecords(cursor, end, num_chunks, layout, count_quotes);
    parsers.reserve(bounds.size() - 1);
    for (size_t chunk_idx = 0; chunk_idx + 1 < bounds.size(); ++chunk_idx) {
      parsers.emplace_back(bounds[chunk_idx], bounds[chunk_idx + 1], layout);
    }
    std::vector<ChunkStatus> statuses(parsers.size());
    RunTasks(parsers.size(), num_threads,
             [&](size_t chunk_idx) { statuses[chunk_idx] = parsers[chunk_idx].ParseFast(); });
    auto failed = std::find_if(statuses.begin(), statuses.end(),
                               [](ChunkStatus status) { return status != ChunkStatus::kOk; });
    if (failed == statuses.end()) break;
    parsers.clear();
    bool split_inside_quotes =
        *failed == ChunkStatus::kEndsInsideQuotes && failed + 1 != statuses.end();
    if (!split_inside_quotes) break;
  }
  if (parsers.empty()) {
    parsers.emplace_back(cursor, end, layout);
    parsers[0].ParseExact(line);
  }

  Table table;
  table.source = path;
  for (const ChunkParser& parser : parsers)
    table.num_rows += static_cast<size_t>(parser.num_rows());
  // One column per task: the page faults of the new columns are much of the
  // merge's cost, and they go faster on several threads.
  table.columns.resize(layout.field_of_slot.size());
  RunTasks(table.columns.size(), num_threads, [&](size_t slot) {
    table.columns[slot] =
        MergeColumn(layout.header[static_cast<size_t>(layout.field_of_slot[slot])], parsers, slot,
                    table.num_rows);
  });
  return table;
}

void WriteCsv(const Table& table, const std::string& path) {
  // Written beside the target and renamed into place: a failure never
  // leaves half a file, and an existing file is replaced only by a whole one.
  const std::string temp = fmt::format("{}.tmp-{}", path, ::getpid());
  const bool gzip = EndsWith(Lowercase(path), ".gz");
  std::FILE* file = gzip ? nullptr : std::fopen(temp.c_str(), "wb");
  gzFile gz_file = gzip ? gzopen(temp.c_str(), "wb6") : nullptr;
  if (file == nullptr && gz_file == nullptr) {
    throw Error(ErrorCode::kOutputFailed,
                fmt::format("{}: cannot write the file: {}", path, std::strerror(errno)));
  }
  std::string buffer;
  buffer.reserve(size_t{1} << 20);
  bool write_failed = false;
  auto flush = [&] {
    if (buffer.empty()) return;
    const bool written =
        gzip ? gzwrite(gz_file, buffer.data(), static_cast<unsigned>(buffer.size())) ==
                   static_cast<int>(buffer.size())
             : std::fwrite(buffer.data(), 1, buffer.size(), file) == buffer.size();
    if (!written) write_failed = true;
    buffer.clear();
  };
  // Text is always quoted, as R's write.csv does: a code like "NA" (Namibia)
  // then never reads back as missing.
  auto append_quoted = [&](std::string_view text) {
    buffer.push_back('"');
    for (char symbol : text) {
      if (symbol == '"') buffer.push_back('"');
      buffer.push_back(symbol);
    }
    buffer.push_back('"');
  };
  for (size_t column_idx = 0; column_idx < table.columns.size(); ++column_idx) {
    if (column_idx > 0) buffer.push_back(',');
    append_quoted(table.columns[column_idx].name);
  }
  buffer.push_back('\n');
  for (size_t row_idx = 0; row_idx < table.num_rows && !write_failed; ++row_idx) {
    for (size_t column_idx = 0; column_idx < table.columns.size(); ++column_idx) {
      if (column_idx > 0) buffer.push_back(',');
      const Column& column = table.columns[column_idx];
      if (column.type == ColumnType::kNumeric) {
        // Integers exactly, other values in the shortest text that reads
        // back to the same double; missing as an empty field.
        data::AppendNumber(column.num[row_idx], &buffer);
      } else if (column.codes[row_idx] >= 0) {
        append_quoted(column.levels[static_cast<size_t>(column.codes[row_idx])]);
      }
    }
    buffer.push_back('\n');
    if (buffer.size() > (size_t{1} << 20) - 4096) flush();
  }
  flush();
  if (gzip ? gzclose(gz_file) != Z_OK : std::fclose(file) != 0) write_failed = true;
  int error = errno;
  if (!write_failed && std::rename(temp.c_str(), path.c_str()) != 0) {
    error = errno;
    write_failed = true;
  }
  if (write_failed) {
    std::remove(temp.c_str());
    throw Error(ErrorCode::kOutputFailed,
                fmt::format("{}: cannot write the file: {}", path, std::strerror(error)));
  }
}

}  // namespace mizani

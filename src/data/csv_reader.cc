// CSV reading and writing. Gravity panels have millions of rows, so the reader
// loads the whole file into one buffer and parses it with a hand-written
// scanner, in parallel chunks split at record boundaries; numeric fields are
// converted in place with std::from_chars and never become std::string.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <limits>
#include <memory>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>

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
  GzipText text{std::unique_ptr<char[]>(new char[capacity]), 0};
  while (true) {
    if (text.size == capacity) {
      capacity *= 2;
      std::unique_ptr<char[]> larger(new char[capacity]);
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
    size_t hint = stored_size >= content.size() ? stored_size : 0;
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

// Where the parse of a chunk stands, for messages.
struct Position {
  std::string file;
  int64_t first_row = 0;   // data rows before the chunk
  int64_t first_line = 1;  // physical line of the chunk's first byte
};

// One column of one chunk while parsing: numeric until a value fails to
// parse, then text (interned to codes with string_views into the buffer).
struct ChunkColumn {
  bool is_string = false;
  std::vector<double> num;
  std::vector<int32_t> codes;
  std::vector<std::string_view> levels;
  std::unordered_map<std::string_view, int32_t> index;
  // Sorted panels repeat the same exporter for thousands of rows; comparing
  // with the previous value skips most hash lookups.
  std::string_view last_text;
  int32_t last_code = -1;
};

class ChunkParser {
 public:
  ChunkParser(const char* begin, const char* end, char delimiter, int num_fields,
              const std::vector<int>& slot_of_field, const std::vector<int>& field_of_slot,
              const std::vector<std::string>& header, const std::vector<bool>& force_string,
              Position position)
      : begin_(begin),
        end_(end),
        delimiter_(delimiter),
        num_fields_(num_fields),
        slot_of_field_(slot_of_field),
        field_of_slot_(field_of_slot),
        header_(header),
        position_(std::move(position)),
        columns_(field_of_slot.size()) {
    for (size_t slot = 0; slot < columns_.size(); ++slot)
      columns_[slot].is_string = force_string[slot];
  }

  void Parse() {
    // Newlines bound the row count; reserving avoids regrowing 2.5M-entry vectors.
    size_t row_bound = static_cast<size_t>(std::count(begin_, end_, '\n')) + 1;
    for (ChunkColumn& column : columns_) {
      if (column.is_string) {
        column.codes.reserve(row_bound);
      } else {
        column.num.reserve(row_bound);
      }
    }
    const char* cursor = begin_;
    int64_t line = position_.first_line;
    RecordInfo info;
    while (SkipBlankLines(cursor, end_, &line)) {
      RecordStatus status = ScanRecord(
          cursor, end_, delimiter_,
          [this](int field_idx, const Field& field) {
            if (field_idx >= num_fields_) return;
            int slot = slot_of_field_[static_cast<size_t>(field_idx)];
            if (slot >= 0) Store(static_cast<size_t>(slot), field);
          },
          &info);
      int64_t row = position_.first_row + num_rows_ + 1;
      if (status != RecordStatus::kOk) {
        const std::string& column =
            header_[static_cast<size_t>(std::min(info.bad_field, num_fields_ - 1))];
        throw Error(ErrorCode::kBadData,
                    fmt::format("{} (line {}): {}", Where(position_.file, row, column), line,
                                status == RecordStatus::kUnterminatedQuote
                                    ? "quoted field has no closing quote"
                                    : "unexpected text after the closing quote"));
      }
      if (info.num_fields != num_fields_) {
        throw Error(
            ErrorCode::kBadData,
            fmt::format("{} (line {}): expected {} fields as in the header, found {}",
                        Where(position_.file, row, ""), line, num_fields_, info.num_fields));
      }
      ++num_rows_;
      line += 1 + info.quoted_newlines;
    }
  }

  // Turns a numeric column into text, re-reading this chunk's rows so far:
  // the original text ("007", "1e3") must be kept, not re-printed numbers.
  void MakeString(size_t slot) {
    ChunkColumn& column = columns_[slot];
    if (column.is_string) return;
    column.is_string = true;
    column.num = std::vector<double>();
    column.codes.reserve(static_cast<size_t>(num_rows_) + 1);
    int target_field = field_of_slot_[slot];
    const char* cursor = begin_;
    int64_t line = 0;
    RecordInfo info;
    for (int64_t row_idx = 0; row_idx < num_rows_; ++row_idx) {
      SkipBlankLines(cursor, end_, &line);
      ScanRecord(
          cursor, end_, delimiter_,
          [&](int field_idx, const Field& field) {
            if (field_idx == target_field) StoreString(column, field);
          },
          &info);
    }
  }

  int64_t num_rows() const { return num_rows_; }
  std::vector<ChunkColumn>& columns() { return columns_; }

 private:
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
    int32_t code;
    if (found != column.index.end()) {
      code = found->second;
    } else {
      if (field.escaped) text = owned_.emplace_back(std::move(unescaped));
      code = static_cast<int32_t>(column.levels.size());
      column.levels.push_back(text);
      column.index.emplace(text, code);
    }
    column.codes.push_back(code);
    if (!field.escaped) {
      column.last_text = text;
      column.last_code = code;
    }
  }

  const char* begin_;
  const char* end_;
  char delimiter_;
  int num_fields_;
  const std::vector<int>& slot_of_field_;
  const std::vector<int>& field_of_slot_;
  const std::vector<std::string>& header_;
  Position position_;
  std::vector<ChunkColumn> columns_;
  std::deque<std::string> owned_;  // unescaped texts; a deque never moves them
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

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// Record boundaries for `num_chunks` roughly equal pieces of [begin, end). A
// newline is a boundary only if it lies outside quotes, i.e. after an even
// number of quote characters; the parser double-checks (see ReadCsv).
std::vector<const char*> SplitAtRecords(const char* begin, const char* end, size_t num_chunks) {
  std::vector<const char*> bounds{begin};
  size_t quotes = 0;
  const char* counted_to = begin;
  for (size_t chunk_idx = 1; chunk_idx < num_chunks; ++chunk_idx) {
    const char* target = begin + (end - begin) * static_cast<ptrdiff_t>(chunk_idx) /
                                     static_cast<ptrdiff_t>(num_chunks);
    // Never before the previous boundary, which would give an empty chunk.
    target = std::max(target, bounds.back());
    const char* boundary = nullptr;
    while (target < end) {
      const void* found = std::memchr(target, '\n', static_cast<size_t>(end - target));
      if (found == nullptr) break;
      const char* newline = static_cast<const char*>(found);
      quotes += static_cast<size_t>(std::count(counted_to, newline, '"'));
      counted_to = newline;
      if (quotes % 2 == 0) {
        boundary = newline + 1;
        break;
      }
      target = newline + 1;
    }
    if (boundary == nullptr || boundary >= end) break;
    bounds.push_back(boundary);
  }
  bounds.push_back(end);
  return bounds;
}

// Joins the chunks' pieces of one column into a table column.
Column MergeColumn(const std::string& name, std::vector<ChunkParser>& parsers, size_t slot,
                   size_t total_rows) {
  Column out;
  out.name = name;
  bool any_string = false;
  for (ChunkParser& parser : parsers) any_string |= parser.columns()[slot].is_string;
  if (!any_string) {
    out.type = ColumnType::kNumeric;
    if (parsers.size() == 1) {
      out.num = std::move(parsers[0].columns()[slot].num);
      return out;
    }
    out.num.reserve(total_rows);
    for (ChunkParser& parser : parsers) {
      std::vector<double>& piece = parser.columns()[slot].num;
      out.num.insert(out.num.end(), piece.begin(), piece.end());
      piece = std::vector<double>();
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
    for (int32_t code : piece.codes) {
      out.codes.push_back(code < 0 ? -1 : remap[static_cast<size_t>(code)]);
    }
    piece.codes = std::vector<int32_t>();
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

  int num_fields = static_cast<int>(header.size());
  auto make_parser = [&](const char* begin, const char* stop, Position position) {
    return ChunkParser(begin, stop, delimiter, num_fields, slot_of_field, field_of_slot, header,
                       force_string, std::move(position));
  };

  // Parallel parse for large inputs. Row numbers in messages are only known
  // after the earlier chunks are done, and a chunk boundary is only trusted
  // when every chunk parses cleanly; so on any error the whole input is parsed
  // again on one thread, which reports the first error with exact numbers.
  constexpr size_t kMinChunkBytes = size_t{4} << 20;
  size_t num_chunks =
      std::min<size_t>({std::max(1u, std::thread::hardware_concurrency()), size_t{8},
                        static_cast<size_t>(end - cursor) / kMinChunkBytes + 1});
  std::vector<const char*> bounds = SplitAtRecords(cursor, end, num_chunks);
  std::vector<ChunkParser> parsers;
  if (bounds.size() > 2) {
    for (size_t chunk_idx = 0; chunk_idx + 1 < bounds.size(); ++chunk_idx) {
      parsers.push_back(
          make_parser(bounds[chunk_idx], bounds[chunk_idx + 1], Position{path, 0, 0}));
    }
    std::vector<std::exception_ptr> failures(parsers.size());
    std::vector<std::thread> workers;
    for (size_t chunk_idx = 1; chunk_idx < parsers.size(); ++chunk_idx) {
      workers.emplace_back([&, chunk_idx] {
        try {
          parsers[chunk_idx].Parse();
        } catch (...) {
          failures[chunk_idx] = std::current_exception();
        }
      });
    }
    try {
      parsers[0].Parse();
    } catch (...) {
      failures[0] = std::current_exception();
    }
    for (std::thread& worker : workers) worker.join();
    bool failed = std::any_of(failures.begin(), failures.end(),
                              [](const std::exception_ptr& failure) { return failure != nullptr; });
    if (failed) parsers.clear();
  }
  if (parsers.empty()) {
    parsers.push_back(make_parser(cursor, end, Position{path, 0, line}));
    parsers[0].Parse();
  }

  Table table;
  table.source = path;
  for (const ChunkParser& parser : parsers)
    table.num_rows += static_cast<size_t>(parser.num_rows());
  table.columns.reserve(field_of_slot.size());
  for (size_t slot = 0; slot < field_of_slot.size(); ++slot) {
    table.columns.push_back(MergeColumn(header[static_cast<size_t>(field_of_slot[slot])], parsers,
                                        slot, table.num_rows));
  }
  return table;
}

void WriteCsv(const Table& table, const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    throw Error(ErrorCode::kOutputFailed,
                fmt::format("{}: cannot write the file: {}", path, std::strerror(errno)));
  }
  std::string buffer;
  buffer.reserve(size_t{1} << 20);
  bool write_failed = false;
  auto flush = [&] {
    if (!buffer.empty() && std::fwrite(buffer.data(), 1, buffer.size(), file) != buffer.size()) {
      write_failed = true;
    }
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
  if (std::fclose(file) != 0) write_failed = true;
  if (write_failed) {
    throw Error(ErrorCode::kOutputFailed,
                fmt::format("{}: cannot write the file: {}", path, std::strerror(errno)));
  }
}

}  // namespace mizani

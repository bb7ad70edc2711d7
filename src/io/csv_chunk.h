// One chunk of a CSV file parsed on one thread: the block scanner for
// well-formed records, ScanRecord for the rest, and each requested column
// kept numeric until a value does not parse. ReadCsv (csv_reader.cc) splits
// the file into chunks at record boundaries and merges the chunks' columns.
#pragma once

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/parallel.h"
#include "data/dense_id_map.h"
#include "data/text.h"
#include "io/chunk_memory.h"
#include "io/csv_scan.h"
#include "mizani/error.h"
#include "mizani/table.h"

namespace mizani::io {

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

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
  // A mapped file read in windows (ChunkParser::ScanWindows): its open
  // descriptor, the mapping's first byte (file offset 0) and the read's
  // window buffers. Unset (-1, null): the text is read where it lies.
  int descriptor = -1;
  const char* file_base = nullptr;
  WindowPool* windows = nullptr;
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

// Texts of at most kShortTextBytes (country and product codes, the usual
// fixed-effect labels) are looked up by one 64-bit key, their bytes and
// length packed (PackShortText), in a data::DenseIdMap, where the
// node-based std::unordered_map costs a string hash and a pointer chase:
// on a panel whose rows are not grouped by exporter and importer (read in
// year-major order, or shuffled) each row looks up two labels, and this
// cut the parse of 2.49M rows (bench/README.md, session 19). Longer texts
// keep the general map; a text is routed by its length, so the two never
// hold the same text.
inline constexpr size_t kShortTextBytes = 7;

// The key of a text of at most kShortTextBytes: its bytes in the low bytes
// (little-endian), its length in the top byte (never DenseIdMap::kEmpty).
inline uint64_t PackShortText(std::string_view text) {
  uint64_t key = 0;
  std::memcpy(&key, text.data(), text.size());
  return key | (static_cast<uint64_t>(text.size()) << 56);
}

// PackShortText of a text inside a buffer that is readable up to `limit`:
// one 8-byte load, masked to the text's bytes, where 8 bytes are there. The
// copy of a variable length is a library call per label (on a shuffled
// panel, two a row).
inline uint64_t PackShortTextIn(std::string_view text, const char* limit) {
  if (limit - text.data() < 8) return PackShortText(text);
  uint64_t word = 0;
  std::memcpy(&word, text.data(), 8);
  const uint64_t mask = (uint64_t{1} << (8 * text.size())) - 1;  // (size <= 7)
  return (word & mask) | (static_cast<uint64_t>(text.size()) << 56);
}

// One column of one chunk while parsing: numeric until a value fails to
// parse, then text (interned to codes; the levels' texts live in `texts`, one
// arena per column so the merge may turn columns into text on several
// threads).
struct ChunkColumn {
  bool is_string = false;
  BlockList<double> num;
  BlockList<int32_t> codes;
  std::vector<std::string_view> levels;
  std::unordered_map<std::string_view, int32_t> index;  // texts longer than 7 bytes
  // Texts of at most 7 bytes: PackShortText key -> short id, and the code
  // of each short id.
  data::DenseIdMap short_index{16};
  std::vector<int32_t> short_codes;
  TextArena texts;
  // Sorted panels repeat the same exporter for thousands of rows; comparing
  // with the previous value skips most hash lookups. Short texts compare
  // their packed keys (never DenseIdMap::kEmpty), longer ones their bytes.
  uint64_t last_short_key = data::DenseIdMap::kEmpty;
  int32_t last_short_code = -1;
  std::string_view last_text;
  int32_t last_code = -1;
};

class ChunkParser {
 public:
  ChunkParser(const char* begin, const char* end, const Layout& layout)
      : begin_(begin),
        end_(end),
        text_limit_(end),
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
    if (layout_.block_scan && layout_.windows != nullptr) {
      ChunkStatus problem = ChunkStatus::kOk;
      if (ScanWindows(&cursor, &problem)) return ChunkStatus::kOk;
      if (problem != ChunkStatus::kOk) return problem;
      // Otherwise on through the mapping, from the record at `cursor`.
    }
    while (cursor < end_) {
      if (layout_.block_scan) {
        ChunkStatus problem = ChunkStatus::kOk;
        if (ScanBlocks(&cursor, end_, /*last=*/true, &problem)) break;
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
    // The texts below lie in the chunk's own bytes, even while the parse
    // that called this reads a window.
    const char* window_limit = std::exchange(text_limit_, end_);
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
    text_limit_ = window_limit;
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

  // The block scan of the chunk from *cursor (a record start in the mapping)
  // on, from copies of the file read window by window (pread into a buffer
  // of layout_.windows) rather than through the mapping. Why: where the
  // hypervisor keeps the guest's page tables (this project's machines), a
  // mapped file's pages cost a trap each to map and another to release
  // behind the parse. On the seventh process's 80 MB panel, one thread:
  // mapping it page by page took 51 ms, reading it into one 8 MiB buffer
  // over and over 14 ms; the chunk's parse through the mapping 174-182 ms
  // against 108 ms with its pages already mapped (bench/README.md, session
  // 31). A record that a window's end cuts moves to the start of the next
  // window (the buffer doubles for a record longer than it). True when the
  // chunk is done. False with *status kOk where the rest must go through
  // the mapping (a quote the block scanner cannot place; a failed read,
  // which the mapping then reports as before): *cursor is then the start of
  // that record in the mapping, whose fields are not stored yet. False with
  // another status on malformed input.
  bool ScanWindows(const char** cursor, ChunkStatus* status) {
    std::vector<char> window = layout_.windows->Take();
    const char* window_at = *cursor;  // where window[0] is in the mapping
    size_t carry = 0;                 // bytes of a cut record at the start
    bool done = false;
    while (true) {
      if (carry == window.size()) window.resize(2 * window.size());
      const size_t size =
          std::min(window.size() - carry, static_cast<size_t>(end_ - (window_at + carry)));
      if (!ReadAt(window.data() + carry, size, window_at + carry)) {
        *cursor = window_at;
        break;
      }
      char* const data = window.data();
      const char* const window_end = data + carry + size;
      const bool last = window_at + carry + size == end_;
      text_limit_ = window_end;
      last_escape_ = nullptr;
      const char* scan = data;
      if (!ScanBlocks(&scan, window_end, last, status)) {
        if (*status == ChunkStatus::kOk) *cursor = window_at + (scan - data);
        break;
      }
      if (last) {
        done = true;
        break;
      }
      carry = static_cast<size_t>(window_end - scan);
      std::memmove(data, scan, carry);
      window_at += scan - data;
    }
    text_limit_ = end_;
    last_escape_ = nullptr;
    layout_.windows->Give(std::move(window));
    return done;
  }

  // Reads `size` bytes of the file, those the mapping holds at `mapped_at`.
  bool ReadAt(char* target, size_t size, const char* mapped_at) const {
    auto offset = static_cast<off_t>(mapped_at - layout_.file_base);
    while (size > 0) {
      const ssize_t got = pread(layout_.descriptor, target, size, offset);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return false;
      target += got;
      size -= static_cast<size_t>(got);
      offset += got;
    }
    return true;
  }

  // Stores the records from *cursor (a record start, outside quotes) up to
  // `end`, block by block. True at `end`: when `last` (the chunk's end) after
  // its final record, which may lack a line break; otherwise (a window's
  // end) with *cursor at the start of the record that `end` cuts (`end`
  // itself when none), whose fields are not stored. False with *status kOk
  // when a quote does not sit where the quote parity says (text like 12"
  // pipe, which the parity would read as an opening quote, or text after a
  // closing quote): *cursor is then the start of that record, whose fields
  // are not stored yet. False with another status on malformed input.
  bool ScanBlocks(const char** cursor, const char* end, bool last, ChunkStatus* status) {
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
    // Within a window there is nothing of the mapping to release.
    const bool release = end == end_;
    for (const char* block = *cursor; block < end; block += kBlockBytes) {
      if (release) releaser_.Passed(record_start);
      auto available = static_cast<size_t>(end - block);
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
    if (!last) {
      *cursor = record_start;
      return true;
    }
    if (inside_carry != 0) {
      *status = ChunkStatus::kEndsInsideQuotes;
      return false;
    }
    // The last record of the file may lack a line break.
    if (num_ends > 0 || record_start < end) {
      if (num_ends != last_field) {
        *status = ChunkStatus::kMalformed;
        return false;
      }
      field_ends_[static_cast<size_t>(num_ends)] = end;
      StoreRecord(record_start);
    }
    *cursor = end;
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

  // The code of a text of at most kShortTextBytes, `key` its PackShortText;
  // a new text becomes a level.
  static int32_t ShortTextCode(ChunkColumn& column, uint64_t key, std::string_view text) {
    const int32_t short_id = column.short_index.Insert(key);
    if (short_id == static_cast<int32_t>(column.short_codes.size())) {  // a new text
      column.short_codes.push_back(static_cast<int32_t>(column.levels.size()));
      column.levels.push_back(column.texts.Store(text));
    }
    return column.short_codes[short_id];
  }

  void StoreString(ChunkColumn& column, const Field& field) {
    if (IsMissingField(field)) {
      column.codes.push_back(-1);
      return;
    }
    if (!field.escaped && field.text.size() <= kShortTextBytes) {
      // The text lies in the chunk's bytes or a window of them, readable up
      // to text_limit_: the usual label, without a copy.
      const uint64_t key = PackShortTextIn(field.text, text_limit_);
      if (key != column.last_short_key) {
        column.last_short_key = key;
        column.last_short_code = ShortTextCode(column, key, field.text);
      }
      column.codes.push_back(column.last_short_code);
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
    int32_t code = -1;
    std::string_view stored;
    if (text.size() <= kShortTextBytes) {  // (here only with a "" escape)
      code = ShortTextCode(column, PackShortText(text), text);
      stored = column.levels[code];
    } else {
      auto found = column.index.find(text);
      if (found == column.index.end()) {
        stored = column.texts.Store(text);
        found = column.index.emplace(stored, static_cast<int32_t>(column.levels.size())).first;
        column.levels.push_back(stored);
      }
      code = found->second;
      stored = found->first;
    }
    column.codes.push_back(code);
    if (!field.escaped) {
      column.last_text = stored;
      column.last_code = code;
    }
  }

  const char* begin_;
  const char* end_;
  // Where the bytes of the texts being stored end: end_, or the end of the
  // window ScanWindows is parsing.
  const char* text_limit_;
  const Layout& layout_;
  std::vector<ChunkColumn> columns_;
  std::vector<const char*> field_ends_;  // of the record the block scanner is in
  PageReleaser releaser_;
  // The last "" escape in the blocks classified so far; none in a record that
  // starts after it.
  const char* last_escape_ = nullptr;
  int64_t num_rows_ = 0;
};

// Chunk bounds for `num_chunks` roughly equal pieces of [begin, end), each
// just after a '\n' (see csv_chunk.cc).
std::vector<const char*> SplitAtRecords(const char* begin, const char* end, size_t num_chunks,
                                        const Layout& layout, bool count_quotes);

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
  // One `work` per thread, on ParallelFor's kept workers (or its own threads).
  const auto num_workers = static_cast<int>(std::min(num_threads, num_tasks));
  ParallelFor(
      num_workers, num_workers, [&](int, int64_t, int64_t) { work(); }, 1);
  for (const std::exception_ptr& failure : failures) {
    if (failure != nullptr) std::rethrow_exception(failure);
  }
}

// The number of chunks the parse splits `bytes` of records into: one per
// thread on small inputs, up to two per thread (more tasks than threads
// even out uneven progress) for chunks of at least 4 MiB. Each chunk ends
// every column in a partly used block (a 2 MiB huge page, zeroed whole when
// first touched) and adds a piece to every merge: with four chunks per
// thread the seventh process's two-way read (8 columns, 80 MB) peaked at
// 240 MiB against 200 MiB with two, and the three-way fit took 0.855 of
// the time with two (medians of 9 pairs; one per thread was slower, the
// threads finishing apart; bench/README.md, session 31).
inline size_t ChunkCount(size_t bytes, size_t num_threads) {
  constexpr size_t kMinChunkBytes = size_t{4} << 20;
  return num_threads == 1 ? 1 : std::min(num_threads * 2, bytes / kMinChunkBytes + 1);
}

// Text levels of pieces joined in order (a file's chunks, the ranks' shares
// of it) numbered in order of first appearance, as one pass over the rows
// would number them. The texts given to Add must outlive the union.
class LevelUnion {
 public:
  explicit LevelUnion(std::vector<std::string>& levels) : levels_(levels) {}

  // The union's id of each of a piece's levels; new ones are appended to
  // the levels.
  std::vector<int32_t> Add(std::span<const std::string_view> piece_levels) {
    std::vector<int32_t> remap(piece_levels.size());
    for (size_t level_idx = 0; level_idx < piece_levels.size(); ++level_idx) {
      auto [it, inserted] =
          index_.try_emplace(piece_levels[level_idx], static_cast<int32_t>(levels_.size()));
      if (inserted) levels_.emplace_back(piece_levels[level_idx]);
      remap[level_idx] = it->second;
    }
    return remap;
  }

  // A piece's code in the union's numbering (missing, -1, stays missing).
  static int32_t Map(const std::vector<int32_t>& remap, int32_t code) {
    return code < 0 ? -1 : remap[static_cast<size_t>(code)];
  }

 private:
  std::vector<std::string>& levels_;
  std::unordered_map<std::string_view, int32_t> index_;
};

// Joins the chunks' pieces of one column into a table column, freeing each
// piece as it goes so that pieces and table columns never all coexist. The
// column is text when any piece is, or when `as_text` (another rank's share
// of the file found text in it: ReadCsvShares).
Column MergeColumn(const std::string& name, std::vector<ChunkParser>& parsers, size_t slot,
                   size_t total_rows, bool as_text = false);

}  // namespace mizani::io

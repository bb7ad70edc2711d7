// Chunk boundaries and the merge of the chunks' columns (csv_chunk.h).
#include "io/csv_chunk.h"

#include <algorithm>
#include <atomic>
#include <cstring>

namespace mizani::io {
namespace {

// 2 MiB: large enough that the reads' system calls cost little (40 for an
// 80 MB file), small enough that a window stays in the cache while it is
// parsed.
constexpr size_t kDefaultWindowBytes = size_t{2} << 20;
std::atomic<size_t> read_window_bytes{kDefaultWindowBytes};

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

}  // namespace

void SetReadWindowBytes(size_t bytes) { read_window_bytes.store(bytes, std::memory_order_relaxed); }

size_t ReadWindowBytes() { return read_window_bytes.load(std::memory_order_relaxed); }

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

Column MergeColumn(const std::string& name, std::vector<ChunkParser>& parsers, size_t slot,
                   size_t total_rows, bool as_text) {
  Column out;
  out.name = name;
  bool any_string = as_text;
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
  // The union's keys point into each piece's text arena, which lives with
  // its parser (only the piece's index and level list are freed below).
  LevelUnion levels(out.levels);
  for (ChunkParser& parser : parsers) {
    parser.MakeString(slot);
    ChunkColumn& piece = parser.columns()[slot];
    const std::vector<int32_t> remap = levels.Add(piece.levels);
    piece.codes.Drain([&](const int32_t* codes, size_t count) {
      for (size_t code_idx = 0; code_idx < count; ++code_idx)
        out.codes.push_back(LevelUnion::Map(remap, codes[code_idx]));
    });
    piece.index = {};
    piece.short_index = data::DenseIdMap(1);
    piece.short_codes = {};
    piece.levels = {};
  }
  return out;
}

}  // namespace mizani::io

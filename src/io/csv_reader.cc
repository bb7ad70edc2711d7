// CSV reading. Gravity panels have millions of rows, so the reader maps the
// whole file (file_bytes.h) and parses it in parallel chunks split at line
// breaks (csv_chunk.h). A chunk is classified 64 bytes at a time into
// bitmasks of separators and quotes (csv_scan.h), from which the field
// boundaries follow without a branch per byte; numeric fields are converted
// in place and never become std::string. Writing is in csv_writer.cc.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "common/parallel.h"
#include "common/strings.h"
#include "io/csv_chunk.h"
#include "io/csv_scan.h"
#include "io/csv_shares.h"
#include "io/file_bytes.h"
#include "mizani/error.h"
#include "mizani/read.h"
#include "mizani/trace.h"

namespace mizani {
namespace {

using io::ChunkParser;
using io::ChunkStatus;
using io::Field;
using io::FileBytes;
using io::Layout;
using io::LoadFile;
using io::MergeColumn;
using io::RecordInfo;
using io::RecordStatus;
using io::RunTasks;
using io::ScanRecord;
using io::SkipBlankLines;
using io::SplitAtRecords;
using io::Unescape;

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

// A mapped file's records are read in windows (ChunkParser::ScanWindows),
// the mapping kept for what is read out of order.
void UseWindows(const FileBytes& file_bytes, std::optional<io::WindowPool>& windows,
                io::Layout& layout) {
  const size_t window_bytes = io::ReadWindowBytes();
  if (!file_bytes.mapped() || window_bytes == 0) return;
  windows.emplace(window_bytes);
  layout.descriptor = file_bytes.descriptor();
  layout.file_base = file_bytes.view().data();
  layout.windows = &*windows;
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
  std::optional<io::WindowPool> windows;
  UseWindows(file_bytes, windows, layout);

  // Parallel parse for large inputs, split at guessed record boundaries. Row
  // numbers in messages are only known after the earlier chunks are done, and
  // the fast parse only detects problems; so on any error the whole input is
  // parsed again on one thread, which reports the first error with exact
  // numbers. A chunk that ends inside quotes, after clean chunks before it,
  // may only have been split inside a quoted field: then the input is split
  // again at exact record boundaries first.
  const size_t num_threads = std::min<size_t>(ResolveThreads(options.threads), 8);
  const size_t num_chunks = io::ChunkCount(static_cast<size_t>(end - cursor), num_threads);
  // Several ranks (mpirun): each parses its share of the records
  // (csv_shares.h); any trouble sends every rank to the whole-file parse
  // below, which explains it.
  if (options.communicator != nullptr && options.communicator->size() > 1) {
    if (std::optional<Table> table = io::ReadCsvShares(cursor, end, layout, num_threads,
                                                       *options.communicator, options.keep_share)) {
      return std::move(*table);
    }
  }
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

  TraceDetail("csv parsed");
  Table table;
  table.source = path;
  for (const ChunkParser& parser : parsers)
    table.num_rows += static_cast<size_t>(parser.num_rows());
  // One column per task: the page faults of the new columns are much of the
  // merge's cost, and they go faster on several threads. A file too small to
  // split is merged on this thread: starting a thread would cost more.
  table.columns.resize(layout.field_of_slot.size());
  const size_t merge_threads = num_chunks == 1 ? 1 : num_threads;
  RunTasks(table.columns.size(), merge_threads, [&](size_t slot) {
    table.columns[slot] =
        MergeColumn(layout.header[static_cast<size_t>(layout.field_of_slot[slot])], parsers, slot,
                    table.num_rows);
  });
  return table;
}

}  // namespace mizani

// ReadCsvShares (csv_shares.h).
//
// Why every rank still assembles the whole table for one model: the model
// frame, the cleaning and the separation check run on all rows on every
// rank today (docs/distributed.md, "Status"); the shares divide the parse,
// the part of reading that costs (a 198 MB panel: some 0.5 s of CPU per
// 2.5M rows), and on many machines each file byte is read by one rank
// instead of all. `--by` keeps the shares (keep_share) and sends each row
// to the rank that fits its group (EstimateBy), so no rank holds the table.
#include "io/csv_shares.h"

#include <algorithm>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/wire.h"
#include "io/share_levels.h"
#include "mizani/error.h"

namespace mizani::io {
namespace {

// Reads sizeof(T) * count bytes at *at; the pieces come from this program
// on the other ranks, but a short one is still an error, never a read past
// the end. Returns where the values end.
template <class T>
const char* TakeFromPiece(const std::string& piece, const char* at, T* out, size_t count) {
  const size_t wanted = sizeof(T) * count;
  if (static_cast<size_t>(piece.data() + piece.size() - at) < wanted) {
    throw Error(ErrorCode::kInternal, "read in shares: a rank's column is shorter than its header");
  }
  std::memcpy(out, at, wanted);
  return at + wanted;
}

// Appends the level count, then each level's length and text.
void AppendLevels(const std::vector<std::string>& levels, std::string& out) {
  const uint64_t num_levels = levels.size();
  AppendBytes(out, num_levels);
  for (const std::string& level : levels) {
    const uint64_t length = level.size();
    AppendBytes(out, length);
    out += level;
  }
}

// A piece's levels (AppendLevels's form) from *at on; returns where they
// end. The views point into `piece`.
const char* TakeLevels(const std::string& piece, const char* at,
                       std::vector<std::string_view>& piece_levels) {
  uint64_t num_levels = 0;
  at = TakeFromPiece(piece, at, &num_levels, 1);
  piece_levels.clear();
  for (uint64_t level_idx = 0; level_idx < num_levels; ++level_idx) {
    uint64_t length = 0;
    at = TakeFromPiece(piece, at, &length, 1);
    if (static_cast<uint64_t>(piece.data() + piece.size() - at) < length) {
      throw Error(ErrorCode::kInternal, "read in shares: a rank's level is cut short");
    }
    piece_levels.emplace_back(at, length);
    at += length;
  }
  return at;
}

// A share's column as bytes: the values (numeric), or its levels
// (AppendLevels) then the codes (text).
std::string Pack(const Column& column) {
  std::string out;
  if (column.type == ColumnType::kNumeric) {
    AppendBytes(out, column.num.data(), column.num.size());
    return out;
  }
  AppendLevels(column.levels, out);
  AppendBytes(out, column.codes.data(), column.codes.size());
  return out;
}

// The ranks' pieces of one column joined in rank order. Text levels keep the
// order of first appearance: the levels of rank 0's share, then those of
// rank 1's not seen before, and so on, as the single-process merge joins
// its chunks in file order.
void Unpack(const std::vector<std::string>& pieces, Column& column) {
  if (column.type == ColumnType::kNumeric) {
    size_t total = 0;
    for (const std::string& piece : pieces) total += piece.size() / sizeof(double);
    column.num.resize(total);
    size_t row = 0;
    for (const std::string& piece : pieces) {
      const size_t count = piece.size() / sizeof(double);
      TakeFromPiece(piece, piece.data(), column.num.data() + row, count);
      row += count;
    }
    return;
  }
  // Every piece's levels first (the union's keys point into the pieces),
  // then the codes.
  LevelUnion levels(column.levels);
  std::vector<std::vector<int32_t>> remaps(pieces.size());
  std::vector<const char*> code_starts(pieces.size());
  size_t total = 0;
  for (size_t rank = 0; rank < pieces.size(); ++rank) {
    const std::string& piece = pieces[rank];
    std::vector<std::string_view> piece_levels;
    const char* at = TakeLevels(piece, piece.data(), piece_levels);
    remaps[rank] = levels.Add(piece_levels);
    code_starts[rank] = at;
    total += static_cast<size_t>(piece.data() + piece.size() - at) / sizeof(int32_t);
  }
  column.codes.resize(total);
  size_t row = 0;
  for (size_t rank = 0; rank < pieces.size(); ++rank) {
    const std::string& piece = pieces[rank];
    const size_t count =
        static_cast<size_t>(piece.data() + piece.size() - code_starts[rank]) / sizeof(int32_t);
    int32_t* out = column.codes.data() + row;
    TakeFromPiece(piece, code_starts[rank], out, count);
    for (size_t code_idx = 0; code_idx < count; ++code_idx) {
      if (out[code_idx] >= static_cast<int32_t>(remaps[rank].size())) {
        throw Error(ErrorCode::kInternal, "shared CSV read: a code without its level");
      }
      out[code_idx] = LevelUnion::Map(remaps[rank], out[code_idx]);
    }
    row += count;
  }
}

}  // namespace

std::optional<Table> ReadCsvShares(const char* begin, const char* end, const Layout& layout,
                                   size_t num_threads, Communicator& comm, bool keep_share) {
  const auto num_ranks = static_cast<size_t>(comm.size());
  const auto rank = static_cast<size_t>(comm.rank());
  // The cut is a function of the bytes alone (guessed record starts, as the
  // single-process parse guesses them), so every rank finds the same one
  // without a message. A file with fewer records than ranks leaves the last
  // ranks an empty share.
  const std::vector<const char*> shares = SplitAtRecords(begin, end, num_ranks, layout, false);
  const char* share_begin = rank + 1 < shares.size() ? shares[rank] : end;
  const char* share_end = rank + 1 < shares.size() ? shares[rank + 1] : end;

  const auto share_bytes = static_cast<size_t>(share_end - share_begin);
  std::vector<ChunkParser> parsers;
  if (share_bytes > 0) {
    const std::vector<const char*> bounds =
        SplitAtRecords(share_begin, share_end, ChunkCount(share_bytes, num_threads), layout, false);
    parsers.reserve(bounds.size() - 1);
    for (size_t chunk_idx = 0; chunk_idx + 1 < bounds.size(); ++chunk_idx)
      parsers.emplace_back(bounds[chunk_idx], bounds[chunk_idx + 1], layout);
  }
  std::vector<ChunkStatus> statuses(parsers.size());
  RunTasks(parsers.size(), num_threads,
           [&](size_t chunk_idx) { statuses[chunk_idx] = parsers[chunk_idx].ParseFast(); });
  const bool clean = std::all_of(statuses.begin(), statuses.end(),
                                 [](ChunkStatus status) { return status == ChunkStatus::kOk; });

  // One reduction settles both questions: did every share parse, and which
  // columns are text anywhere (slot s: entry s + 1).
  const size_t num_slots = layout.field_of_slot.size();
  std::vector<int64_t> flags(num_slots + 1, 0);
  flags[0] = clean ? 0 : 1;
  for (size_t slot = 0; slot < num_slots; ++slot) {
    for (ChunkParser& parser : parsers) flags[slot + 1] |= parser.columns()[slot].is_string ? 1 : 0;
  }
  comm.AllreduceMax(std::span<int64_t>(flags));
  if (flags[0] != 0) return std::nullopt;

  size_t share_rows = 0;
  for (const ChunkParser& parser : parsers) share_rows += static_cast<size_t>(parser.num_rows());
  std::vector<Column> local(num_slots);
  RunTasks(num_slots, parsers.empty() ? 1 : num_threads, [&](size_t slot) {
    local[slot] = MergeColumn(layout.header[static_cast<size_t>(layout.field_of_slot[slot])],
                              parsers, slot, share_rows, flags[slot + 1] != 0);
  });
  parsers.clear();

  Table table;
  table.source = layout.file;
  if (keep_share) {
    // This rank's records only; where they start in the file, from every
    // share's count.
    std::vector<int64_t> counts(num_ranks, 0);
    counts[rank] = static_cast<int64_t>(share_rows);
    comm.AllreduceSum(std::span<int64_t>(counts));
    table.share_first_row = 0;
    for (size_t peer = 0; peer < rank; ++peer)
      table.share_first_row += static_cast<size_t>(counts[peer]);
    table.is_share = true;
    table.num_rows = share_rows;
    table.columns = std::move(local);
    for (Column& column : table.columns)
      if (column.type == ColumnType::kString) UnifyLevels(comm, column);
    return table;
  }
  table.columns.resize(num_slots);
  for (size_t slot = 0; slot < num_slots; ++slot) {
    Column& column = table.columns[slot];
    column.name = local[slot].name;
    column.type = local[slot].type;
    std::vector<std::string> pieces = comm.Allgatherv(Pack(local[slot]));
    local[slot] = Column();
    Unpack(pieces, column);
  }
  std::vector<int64_t> rows{static_cast<int64_t>(share_rows)};
  comm.AllreduceSum(std::span<int64_t>(rows));
  table.num_rows = static_cast<size_t>(rows[0]);
  return table;
}

}  // namespace mizani::io

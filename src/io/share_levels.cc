// Text levels of a table read in shares (share_levels.h).
#include "io/share_levels.h"

#include <cstdint>
#include <utility>

#include "common/wire.h"
#include "io/csv_chunk.h"

namespace mizani::io {

void AppendLevels(const std::vector<std::string>& levels, std::string& out) {
  const uint64_t num_levels = levels.size();
  AppendBytes(out, num_levels);
  for (const std::string& level : levels) {
    const uint64_t length = level.size();
    AppendBytes(out, length);
    out += level;
  }
}

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

void UnifyLevels(Communicator& comm, Column& column) {
  std::string bytes;
  AppendLevels(column.levels, bytes);
  const std::vector<std::string> pieces = comm.Allgatherv(bytes);
  bytes.clear();
  std::vector<std::string> global;
  LevelUnion levels(global);
  std::vector<int32_t> own_remap;
  std::vector<std::string_view> piece_levels;
  for (size_t rank = 0; rank < pieces.size(); ++rank) {
    TakeLevels(pieces[rank], pieces[rank].data(), piece_levels);
    std::vector<int32_t> remap = levels.Add(piece_levels);
    if (rank == static_cast<size_t>(comm.rank())) own_remap = std::move(remap);
  }
  for (int32_t& code : column.codes) {
    if (code >= static_cast<int32_t>(own_remap.size()))
      throw Error(ErrorCode::kInternal, "read in shares: a code without its level");
    code = LevelUnion::Map(own_remap, code);
  }
  column.levels = std::move(global);
}

}  // namespace mizani::io

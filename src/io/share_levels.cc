// Text levels of a table read in shares (share_levels.h).
#include "io/share_levels.h"

#include <cstdint>
#include <utility>

#include "common/rank_keys.h"
#include "common/wire.h"

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
  RankKeys levels;
  for (const std::string& level : column.levels) levels.Add(0, level);
  JoinedKeys joined = std::move(levels.Join(comm, /*keep_keys=*/true, /*keep_payloads=*/false)[0]);
  const auto num_local = static_cast<int32_t>(joined.id_of_local.size());
  for (int32_t& code : column.codes) {
    if (code < 0) continue;  // missing stays missing
    if (code >= num_local)
      throw Error(ErrorCode::kInternal, "read in shares: a code without its level");
    code = joined.id_of_local[static_cast<size_t>(code)];
  }
  column.levels = std::move(joined.keys);
}

}  // namespace mizani::io

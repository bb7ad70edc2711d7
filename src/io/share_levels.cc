// Text levels of a table read in shares (share_levels.h).
#include "io/share_levels.h"

#include <cstdint>
#include <string>
#include <utility>

#include "common/rank_keys.h"
#include "mizani/error.h"

namespace mizani::io {

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

// One model fitted by several ranks from their shares of the file
// (docs/distributed.md, "One model from shares"): BuildModelFrame on a
// table share (Table::is_share) builds this rank's part of the frame with
// the whole sample's level numbering, then sends each row to the rank that
// fits its level of the largest fixed-effect dimension. No rank holds the
// table or the whole frame.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mizani/communicator.h"
#include "mizani/estimate.h"
#include "mizani/table.h"

namespace mizani::estimate {

// Renumbers each factor of a share (factor_columns[f] are factor f's
// columns in `share`) to the whole file's numbering, the one a single
// process reading the whole file gives: levels in order of first
// appearance in the file. Each rank sends its levels (in order of first
// appearance in its share: a key of the columns' values, texts by their
// codes in the whole file's levels, and the label) in one all-gather; every
// rank joins them in rank order.
// Afterwards each factor has the whole file's labels, and ids index them.
// A collective.
void GlobalizeFactors(const Table& share,
                      const std::vector<std::vector<std::string>>& factor_columns,
                      const std::vector<Factor*>& factors, Communicator& comm);

// Sends every row of `frame` (ids already the whole sample's) to the rank
// of its level of the largest dimension (level modulo the rank count,
// ShardRows's rule), one all-to-all per array, and keeps what this rank
// receives, in rank order (the file's order within a level). Sets
// frame.shard_comm. A collective. Each exchange is cut into rounds of at
// most `round_bytes` sent by a rank (of 8-byte values; the same on every
// rank), which bounds the routing's buffers beside the frame.
inline constexpr int64_t kRouteRoundBytes = int64_t{16} << 20;
void RouteFrameRows(ModelFrame& frame, Communicator& comm, int64_t round_bytes = kRouteRoundBytes);

}  // namespace mizani::estimate

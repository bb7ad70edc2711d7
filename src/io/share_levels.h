// Text levels of a table read in shares by several ranks (ReadCsvShares,
// ReadDta with ReadOptions::keep_share): their agreement, so that a code
// names the same level on every rank.
#pragma once

#include "mizani/communicator.h"
#include "mizani/table.h"

namespace mizani::io {

// A text column of this rank's share given the levels of every share,
// joined in rank order (first appearance in the file: the levels of rank
// 0's share, then those of rank 1's not seen before, and so on, as a single
// process meets them), with its codes renumbered into them: a code then
// names the same level on every rank. Only the levels travel. A
// collective: every rank calls it for the same columns in the same order.
void UnifyLevels(Communicator& comm, Column& column);

}  // namespace mizani::io

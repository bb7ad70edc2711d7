// Text levels of a table read in shares by several ranks (ReadCsvShares,
// ReadDta with ReadOptions::keep_share): their wire form, and their
// agreement, so that a code names the same level on every rank.
#pragma once

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "mizani/communicator.h"
#include "mizani/error.h"
#include "mizani/table.h"

namespace mizani::io {

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
void AppendLevels(const std::vector<std::string>& levels, std::string& out);

// A piece's levels (AppendLevels's form) from *at on; returns where they
// end. The views point into `piece`.
const char* TakeLevels(const std::string& piece, const char* at,
                       std::vector<std::string_view>& piece_levels);

// A text column of this rank's share given the levels of every share,
// joined in rank order (first appearance in the file: the levels of rank
// 0's share, then those of rank 1's not seen before, and so on, as a single
// process meets them), with its codes renumbered into them: a code then
// names the same level on every rank. Only the levels travel. A
// collective: every rank calls it for the same columns in the same order.
void UnifyLevels(Communicator& comm, Column& column);

}  // namespace mizani::io

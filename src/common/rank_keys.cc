// RankKeys (rank_keys.h).
#include "common/rank_keys.h"

#include <cstring>
#include <unordered_map>

#include "common/wire.h"
#include "mizani/error.h"

namespace mizani {
namespace {

// Reads one value at *at from a rank's piece; a short piece is an error,
// never a read past its end.
template <class T>
T TakeValue(std::string_view piece, size_t* at) {
  T value;
  if (piece.size() - *at < sizeof(T)) {
    throw Error(ErrorCode::kInternal, "keys joined across ranks: a rank's piece is cut short");
  }
  std::memcpy(&value, piece.data() + *at, sizeof(T));
  *at += sizeof(T);
  return value;
}

std::string_view TakeText(std::string_view piece, size_t* at) {
  const auto length = TakeValue<uint32_t>(piece, at);
  if (piece.size() - *at < length) {
    throw Error(ErrorCode::kInternal, "keys joined across ranks: a rank's key is cut short");
  }
  const std::string_view text = piece.substr(*at, length);
  *at += length;
  return text;
}

}  // namespace

void RankKeys::Add(int set, std::string_view key, std::string_view payload) {
  if (key.size() > UINT32_MAX || payload.size() > UINT32_MAX) {
    throw Error(ErrorCode::kInternal, "keys joined across ranks: a key of 4 GiB or more");
  }
  AppendBytes(bytes_, static_cast<int32_t>(set));
  AppendBytes(bytes_, static_cast<uint32_t>(key.size()));
  bytes_.append(key);
  AppendBytes(bytes_, static_cast<uint32_t>(payload.size()));
  bytes_.append(payload);
}

std::vector<JoinedKeys> RankKeys::Join(Communicator& comm, bool keep_keys, bool keep_payloads) {
  const std::vector<std::string> pieces = comm.Allgatherv(bytes_);
  std::string().swap(bytes_);
  std::vector<JoinedKeys> joined(static_cast<size_t>(num_sets_));
  // The maps' keys point into the pieces, which outlive them.
  std::vector<std::unordered_map<std::string_view, int32_t>> number_of(joined.size());
  for (size_t rank = 0; rank < pieces.size(); ++rank) {
    const std::string_view piece = pieces[rank];
    const bool own = static_cast<int>(rank) == comm.rank();
    size_t at = 0;
    while (at < piece.size()) {
      const auto set = TakeValue<int32_t>(piece, &at);
      if (set < 0 || set >= num_sets_) {
        throw Error(ErrorCode::kInternal, "keys joined across ranks: a key of no set");
      }
      const std::string_view key = TakeText(piece, &at);
      const std::string_view payload = TakeText(piece, &at);
      JoinedKeys& out = joined[static_cast<size_t>(set)];
      const auto [it, inserted] = number_of[static_cast<size_t>(set)].try_emplace(key, out.count);
      if (inserted) {
        ++out.count;
        if (keep_keys) out.keys.emplace_back(key);
        if (keep_payloads) out.payloads.emplace_back(payload);
      }
      if (own) out.id_of_local.push_back(it->second);
    }
  }
  return joined;
}

}  // namespace mizani

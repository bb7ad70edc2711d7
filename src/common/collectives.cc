#include "common/collectives.h"

#include <algorithm>
#include <cstdint>
#include <span>
#include <string_view>

namespace mizani {
namespace {

// At most this many bytes in one call (per rank for an all-gather, in all
// for an all-to-all).
constexpr size_t kPieceBytes = size_t{1} << 30;

// The rounds every rank makes: the most any rank's pieces need (at least 1).
int64_t AgreeRounds(Communicator& comm, size_t largest, size_t piece) {
  std::vector<int64_t> rounds{
      std::max<int64_t>(1, static_cast<int64_t>((largest + piece - 1) / piece))};
  comm.AllreduceMax(std::span<int64_t>(rounds));
  return rounds[0];
}

// Round `round` of `bytes` cut in pieces of `piece` (empty past the end).
std::string_view PieceOf(const std::string& bytes, int64_t round, size_t piece) {
  const size_t from = std::min(bytes.size(), static_cast<size_t>(round) * piece);
  return std::string_view(bytes).substr(from, std::min(piece, bytes.size() - from));
}

}  // namespace

std::vector<std::string> GatherLarge(Communicator& comm, const std::string& bytes) {
  const int64_t rounds = AgreeRounds(comm, bytes.size(), kPieceBytes);
  std::vector<std::string> all(static_cast<size_t>(comm.size()));
  for (int64_t round = 0; round < rounds; ++round) {
    std::vector<std::string> pieces = comm.Allgatherv(PieceOf(bytes, round, kPieceBytes));
    for (size_t rank = 0; rank < all.size(); ++rank) all[rank] += pieces[rank];
  }
  return all;
}

std::vector<std::string> AlltoallLarge(Communicator& comm, const std::vector<std::string>& send) {
  const size_t piece = kPieceBytes / static_cast<size_t>(comm.size());
  size_t largest = 0;
  for (const std::string& bytes : send) largest = std::max(largest, bytes.size());
  const int64_t rounds = AgreeRounds(comm, largest, piece);
  std::vector<std::string> received(send.size());
  std::vector<std::string> part(send.size());
  for (int64_t round = 0; round < rounds; ++round) {
    for (size_t peer = 0; peer < send.size(); ++peer)
      part[peer].assign(PieceOf(send[peer], round, piece));
    std::vector<std::string> got = comm.Alltoallv(part);
    for (size_t peer = 0; peer < got.size(); ++peer) received[peer] += got[peer];
  }
  return received;
}

}  // namespace mizani

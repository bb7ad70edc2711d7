// The Open MPI communicator (mizani/communicator.h), built with the CMake
// option MIZANI_MPI only.
#ifdef MIZANI_MPI

#include <fmt/format.h>
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <numeric>

#include "mizani/communicator.h"
#include "mizani/error.h"

namespace mizani {
namespace {

// An MPI call's status as an exception (errors are fatal in MPI's default
// handler, so this is a second line).
void Check(int status, const char* what) {
  if (status != MPI_SUCCESS)
    throw Error(ErrorCode::kInternal, fmt::format("MPI: {} failed ({})", what, status));
}

int CountOf(size_t bytes, const char* what) {
  if (bytes > static_cast<size_t>(INT_MAX))
    throw Error(ErrorCode::kInternal,
                fmt::format("MPI: {} of {} bytes exceeds one message's limit", what, bytes));
  return static_cast<int>(bytes);
}

// Open MPI's start-up asks each of its high-speed point-to-point layers
// (UCX, and libfabric and PSM2 through `cm`) whether it can run before it
// picks one. On one host they add nothing to shared memory, and the asking
// cost 0.2 s of every run on the machines here (`mpirun -np 1 mizani
// --version`: 0.34-0.35 s, 0.13-0.14 s with `--mca pml ob1`, session 21).
// So when mpirun reports every rank on this host and the user has chosen
// no layer (OMPI_MCA_pml unset: `--mca pml X` and `-x` set it), ob1 is
// asked for: the layer over shared memory and TCP that Open MPI 4 and 5
// both have. Every rank sees the same sizes, so all choose alike. Returns
// whether it was asked for (docs/distributed.md).
bool PreferOb1OnOneHost() {
  const char* world = std::getenv("OMPI_COMM_WORLD_SIZE");
  const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  if (world == nullptr || local == nullptr || std::strcmp(world, local) != 0) return false;
  if (std::getenv("OMPI_MCA_pml") != nullptr) return false;
  return setenv("OMPI_MCA_pml", "ob1", 0) == 0;
}

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator(int* argc, char*** argv, int64_t round_bytes)
      : round_bytes_(round_bytes), one_host_ob1_(PreferOb1OnOneHost()) {
    int provided = 0;
    // Threads compute inside a rank; only the main thread calls MPI.
    Check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    Check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
    Check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
  }
  ~MpiCommunicator() override { MPI_Finalize(); }
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  // Reduced on rank 0 and broadcast, so every rank holds the same bits
  // (an allreduce may round differently on different ranks).
  void AllreduceSum(std::span<double> values) override {
    ++stats_.allreduce_calls;
    stats_.allreduce_bytes += static_cast<int64_t>(values.size_bytes());
    if (size_ == 1 || values.empty()) return;
    const int count = CountOf(values.size(), "AllreduceSum");
    if (rank_ == 0) {
      Check(MPI_Reduce(MPI_IN_PLACE, values.data(), count, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD),
            "MPI_Reduce");
    } else {
      Check(MPI_Reduce(values.data(), nullptr, count, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD),
            "MPI_Reduce");
    }
    Check(MPI_Bcast(values.data(), count, MPI_DOUBLE, 0, MPI_COMM_WORLD), "MPI_Bcast");
  }
  void AllreduceSum(std::span<int64_t> values) override { Reduce(values, MPI_INT64_T, MPI_SUM); }
  void AllreduceMax(std::span<int64_t> values) override { Reduce(values, MPI_INT64_T, MPI_MAX); }
  // (The maximum is exact, so every rank gets the same bits.)
  void AllreduceMax(std::span<double> values) override { Reduce(values, MPI_DOUBLE, MPI_MAX); }

  // MPI counts bytes in `int`, so one call carries under 2 GiB. Both byte
  // collectives cut their messages into rounds of at most round_bytes_ a
  // call in all (kMaxRoundBytes, 1 GiB, unless StartCommunicator was asked
  // for less: the tests' way to make small messages take several rounds),
  // as many rounds on every rank: a caller sends any size.
  std::vector<std::string> Allgatherv(std::string_view bytes) override {
    ++stats_.allgather_calls;
    stats_.allgather_bytes += static_cast<int64_t>(bytes.size());
    auto my_size = static_cast<int64_t>(bytes.size());
    std::vector<int64_t> sizes(static_cast<size_t>(size_));
    Check(MPI_Allgather(&my_size, 1, MPI_INT64_T, sizes.data(), 1, MPI_INT64_T, MPI_COMM_WORLD),
          "MPI_Allgather");
    // Every rank knows every size: the same rounds everywhere, no message.
    const int64_t piece = PieceBytes();
    int64_t rounds = 1;
    for (const int64_t size : sizes) rounds = std::max(rounds, RoundsFor(size, piece));
    std::vector<std::string> parts(sizes.size());
    for (size_t rank = 0; rank < parts.size(); ++rank)
      parts[rank].reserve(static_cast<size_t>(sizes[rank]));
    std::vector<int> counts(sizes.size());
    for (int64_t round = 0; round < rounds; ++round) {
      for (size_t rank = 0; rank < sizes.size(); ++rank)
        counts[rank] = PieceCount(sizes[rank], round, piece);
      const std::vector<int> displs = Displacements(counts, "Allgatherv");
      std::string all(static_cast<size_t>(displs.back() + counts.back()), '\0');
      const int mine = counts[static_cast<size_t>(rank_)];
      Check(MPI_Allgatherv(bytes.data() + std::min(my_size, round * piece), mine, MPI_BYTE,
                           all.data(), counts.data(), displs.data(), MPI_BYTE, MPI_COMM_WORLD),
            "MPI_Allgatherv");
      Append(all, counts, displs, parts);
      ++stats_.byte_rounds;
    }
    return parts;
  }

  std::vector<std::string> Alltoallv(const std::vector<std::string>& send) override {
    if (send.size() != static_cast<size_t>(size_))
      throw Error(ErrorCode::kInternal, "Alltoallv: one buffer per rank");
    ++stats_.alltoall_calls;
    std::vector<int64_t> send_sizes(send.size());
    for (size_t peer = 0; peer < send.size(); ++peer) {
      send_sizes[peer] = static_cast<int64_t>(send[peer].size());
      stats_.alltoall_bytes += send_sizes[peer];
    }
    std::vector<int64_t> recv_sizes(send.size());
    Check(MPI_Alltoall(send_sizes.data(), 1, MPI_INT64_T, recv_sizes.data(), 1, MPI_INT64_T,
                       MPI_COMM_WORLD),
          "MPI_Alltoall");
    // A rank knows only its own pairs: the rounds are the most any needs.
    const int64_t piece = PieceBytes();
    int64_t rounds = 1;
    for (size_t peer = 0; peer < send.size(); ++peer) {
      rounds = std::max(rounds, RoundsFor(std::max(send_sizes[peer], recv_sizes[peer]), piece));
    }
    Check(MPI_Allreduce(MPI_IN_PLACE, &rounds, 1, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD),
          "MPI_Allreduce");
    std::vector<std::string> received(send.size());
    for (size_t peer = 0; peer < received.size(); ++peer)
      received[peer].reserve(static_cast<size_t>(recv_sizes[peer]));
    std::vector<int> send_counts(send.size());
    std::vector<int> recv_counts(send.size());
    std::string packed;
    for (int64_t round = 0; round < rounds; ++round) {
      packed.clear();
      for (size_t peer = 0; peer < send.size(); ++peer) {
        send_counts[peer] = PieceCount(send_sizes[peer], round, piece);
        recv_counts[peer] = PieceCount(recv_sizes[peer], round, piece);
        if (send_counts[peer] > 0)
          packed.append(send[peer], static_cast<size_t>(round * piece),
                        static_cast<size_t>(send_counts[peer]));
      }
      const std::vector<int> send_displs = Displacements(send_counts, "Alltoallv");
      const std::vector<int> recv_displs = Displacements(recv_counts, "Alltoallv");
      std::string got(static_cast<size_t>(recv_displs.back() + recv_counts.back()), '\0');
      Check(
          MPI_Alltoallv(packed.data(), send_counts.data(), send_displs.data(), MPI_BYTE, got.data(),
                        recv_counts.data(), recv_displs.data(), MPI_BYTE, MPI_COMM_WORLD),
          "MPI_Alltoallv");
      Append(got, recv_counts, recv_displs, received);
      ++stats_.byte_rounds;
    }
    return received;
  }

  [[noreturn]] void Abort(int code) override {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::exit(code);  // MPI_Abort does not return; for the compiler
  }

  std::string Describe() const override {
    return fmt::format("Open MPI, {} rank{}{}", size_, size_ == 1 ? "" : "s",
                       one_host_ob1_ ? " on one host (pml ob1)" : "");
  }

 private:
  template <typename T>
  void Reduce(std::span<T> values, MPI_Datatype type, MPI_Op op) {
    ++stats_.allreduce_calls;
    stats_.allreduce_bytes += static_cast<int64_t>(values.size_bytes());
    if (size_ == 1 || values.empty()) return;
    Check(MPI_Allreduce(MPI_IN_PLACE, values.data(), CountOf(values.size(), "MPI_Allreduce"), type,
                        op, MPI_COMM_WORLD),
          "MPI_Allreduce");
  }

  static std::vector<int> Displacements(const std::vector<int>& counts, const char* what) {
    std::vector<int> displs(counts.size(), 0);
    int64_t total = 0;
    for (size_t idx = 0; idx < counts.size(); ++idx) {
      displs[idx] = static_cast<int>(total);
      total += counts[idx];
    }
    CountOf(static_cast<size_t>(total), what);
    return displs;
  }

  // Bytes per rank (or per pair) in one call: the round's total stays
  // within round_bytes_.
  int64_t PieceBytes() const { return std::max<int64_t>(1, round_bytes_ / size_); }

  // The rounds a message of `size` bytes takes in pieces of `piece`.
  static int64_t RoundsFor(int64_t size, int64_t piece) { return (size + piece - 1) / piece; }

  // The bytes of round `round` of a message of `size` bytes.
  static int PieceCount(int64_t size, int64_t round, int64_t piece) {
    return static_cast<int>(std::clamp<int64_t>(size - round * piece, 0, piece));
  }

  static void Append(const std::string& all, const std::vector<int>& counts,
                     const std::vector<int>& displs, std::vector<std::string>& parts) {
    for (size_t idx = 0; idx < counts.size(); ++idx)
      parts[idx].append(all, static_cast<size_t>(displs[idx]), static_cast<size_t>(counts[idx]));
  }

  int rank_ = 0;
  int size_ = 1;
  int64_t round_bytes_;
  bool one_host_ob1_;  // PreferOb1OnOneHost asked for ob1
};

}  // namespace

std::unique_ptr<Communicator> MakeMpiCommunicator(int* argc, char*** argv, int64_t round_bytes) {
  return std::make_unique<MpiCommunicator>(argc, argv, round_bytes);
}

}  // namespace mizani

#endif  // MIZANI_MPI

// Processes that work on one task together (`mpirun -np K mizani ...`,
// docs/distributed.md). The library sees only this interface: a single
// process has a communicator of size 1 whose collectives copy or do nothing,
// and a build with the CMake option MIZANI_MPI adds an Open MPI one, started
// only when a launcher (mpirun, srun) started the process. A plain `mizani`
// never calls MPI_Init.
//
// Every call is a collective: all ranks make the same calls in the same
// order. Byte counts are what this rank contributes to each call.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mizani {

// Calls and bytes sent by this rank, per kind of collective.
struct CommunicationStats {
  int64_t allreduce_calls = 0, allreduce_bytes = 0;
  int64_t allgather_calls = 0, allgather_bytes = 0;
  int64_t alltoall_calls = 0, alltoall_bytes = 0;
  // MPI calls the byte collectives above made (more than their calls when a
  // message took several rounds).
  int64_t byte_rounds = 0;
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Element-wise sums (maximum) over the ranks, in place on every rank.
  // Sums are taken in rank order, so every rank gets the same bits.
  virtual void AllreduceSum(std::span<double> values) = 0;
  virtual void AllreduceSum(std::span<int64_t> values) = 0;
  virtual void AllreduceMax(std::span<int64_t> values) = 0;
  virtual void AllreduceMax(std::span<double> values) = 0;
  // Every rank's bytes, indexed by rank, on every rank. Any size: the MPI
  // communicator splits what exceeds one call's `int` counts into rounds.
  virtual std::vector<std::string> Allgatherv(std::string_view bytes) = 0;
  // send[r] goes to rank r (send.size() == size()); returns what each rank
  // sent to this one, indexed by sender.
  virtual std::vector<std::string> Alltoallv(const std::vector<std::string>& send) = 0;
  // Ends every process of the job with exit status `code`: for an error
  // that only some ranks meet (the others would wait in a collective).
  [[noreturn]] virtual void Abort(int code) = 0;
  // "single process" or "Open MPI, 4 ranks".
  virtual std::string Describe() const = 0;

  const CommunicationStats& stats() const { return stats_; }

 protected:
  CommunicationStats stats_;
};

// Every rank calls this once, at the same point, with the exception this
// rank met before it (or none): when any rank failed, every rank throws the
// first failing rank's error (its code and message; an
// ErrorFromAnotherShare gives way to another rank's error), so all exit
// alike and rank 0 reports it, where the failing rank alone would leave the
// others waiting in a collective. One all-gather.
void PassFailureGate(Communicator& comm, const std::exception_ptr& failure);

// The communicator of one process alone (size 1).
std::unique_ptr<Communicator> MakeLocalCommunicator();

// True when a launcher started this process (OMPI_COMM_WORLD_SIZE, PMIX_RANK
// or PMI_SIZE in the environment).
bool LaunchedByMpiLauncher();
// True when this build has the MPI communicator (CMake option MIZANI_MPI).
bool MpiCommunicatorBuilt();

// The most bytes one MPI call of a byte collective carries: MPI counts bytes
// in `int`, so Allgatherv and Alltoallv cut larger messages into rounds.
inline constexpr int64_t kMaxRoundBytes = int64_t{1} << 30;

// The job's communicator: MPI (MPI_Init now, MPI_Finalize when it is
// destroyed) when built with it and started by a launcher; otherwise the
// local one. Call once, early in main, before threads start. `round_bytes`
// (1 to kMaxRoundBytes; Error(kInternal) otherwise, before MPI_Init) lowers
// the byte collectives' rounds: tests make small messages take several.
std::unique_ptr<Communicator> StartCommunicator(int* argc, char*** argv,
                                                int64_t round_bytes = kMaxRoundBytes);

}  // namespace mizani

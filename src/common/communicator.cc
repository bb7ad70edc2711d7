// The single-process communicator and the choice of communicator
// (mizani/communicator.h); the MPI one is in communicator_mpi.cc.
#include "mizani/communicator.h"

#include <fmt/format.h>

#include <cstdlib>

#include "mizani/error.h"

namespace mizani {

#ifdef MIZANI_MPI
// communicator_mpi.cc
std::unique_ptr<Communicator> MakeMpiCommunicator(int* argc, char*** argv, int64_t round_bytes);
#endif

namespace {

class LocalCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void AllreduceSum(std::span<double> /*values*/) override {}
  void AllreduceSum(std::span<int64_t> /*values*/) override {}
  void AllreduceMax(std::span<int64_t> /*values*/) override {}
  void AllreduceMax(std::span<double> /*values*/) override {}
  std::vector<std::string> Allgatherv(std::string_view bytes) override {
    return {std::string(bytes)};
  }
  std::vector<std::string> Alltoallv(const std::vector<std::string>& send) override {
    if (send.size() != 1) throw Error(ErrorCode::kInternal, "Alltoallv: one buffer per rank");
    return send;
  }
  [[noreturn]] void Abort(int code) override { std::exit(code); }
  std::string Describe() const override { return "single process"; }
};

}  // namespace

std::unique_ptr<Communicator> MakeLocalCommunicator() {
  return std::make_unique<LocalCommunicator>();
}

bool LaunchedByMpiLauncher() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr ||
         std::getenv("PMI_SIZE") != nullptr;
}

bool MpiCommunicatorBuilt() {
#ifdef MIZANI_MPI
  return true;
#else
  return false;
#endif
}

std::unique_ptr<Communicator> StartCommunicator(int* argc, char*** argv, int64_t round_bytes) {
  if (round_bytes < 1 || round_bytes > kMaxRoundBytes) {
    throw Error(ErrorCode::kInternal,
                fmt::format("StartCommunicator: round_bytes {} is outside 1 to {}", round_bytes,
                            kMaxRoundBytes));
  }
#ifdef MIZANI_MPI
  if (LaunchedByMpiLauncher()) return MakeMpiCommunicator(argc, argv, round_bytes);
#else
  (void)argc;
  (void)argv;
#endif
  return MakeLocalCommunicator();
}

}  // namespace mizani

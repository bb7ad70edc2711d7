// The single-process communicator and the choice of communicator
// (mizani/communicator.h); the MPI one is in communicator_mpi.cc.
#include "mizani/communicator.h"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/wire.h"
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

namespace {

// Field `index` (an int64_t) of a failure gate's message: a flag, the
// code, then the text.
int64_t Field(const std::string& part, size_t index) {
  int64_t value = 0;
  if (part.size() >= (index + 1) * sizeof(int64_t))
    std::memcpy(&value, part.data() + index * sizeof(int64_t), sizeof(value));
  return value;
}

}  // namespace

void PassFailureGate(Communicator& comm, const std::exception_ptr& failure) {
  std::string bytes;
  if (failure) {
    int64_t code = static_cast<int64_t>(ErrorCode::kInternal);
    int64_t elsewhere = 0;
    std::string message;
    try {
      std::rethrow_exception(failure);
    } catch (const ErrorFromAnotherShare& error) {
      code = static_cast<int64_t>(error.code());
      elsewhere = 1;
      message = error.what();
    } catch (const Error& error) {
      code = static_cast<int64_t>(error.code());
      message = error.what();
    } catch (const std::exception& error) {
      message = error.what();
    }
    AppendBytes(bytes, elsewhere);
    AppendBytes(bytes, code);
    bytes += message;
  }
  const std::vector<std::string> parts = comm.Allgatherv(bytes);
  // The first rank's error whose cause is its own share, else the first.
  int chosen = -1;
  for (size_t rank = 0; rank < parts.size(); ++rank) {
    if (parts[rank].empty()) continue;
    const bool elsewhere = Field(parts[rank], 0) != 0;
    if (chosen < 0 || !elsewhere) chosen = static_cast<int>(rank);
    if (!elsewhere) break;
  }
  if (chosen < 0) return;
  if (chosen == comm.rank()) std::rethrow_exception(failure);
  const std::string& part = parts[static_cast<size_t>(chosen)];
  throw Error(static_cast<ErrorCode>(Field(part, 1)), part.substr(2 * sizeof(int64_t)));
}

}  // namespace mizani

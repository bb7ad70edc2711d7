// Subcommands of the `mizani` command. Each registers its options on the
// CLI11 app and returns the callback that runs it; callbacks throw
// mizani::Error, which main.cc turns into the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "mizani/communicator.h"

namespace mizani::cli {

struct GlobalFlags {
  bool quiet = false;
  std::string shared_data_dir;  // from the environment (environment.h)
  // The job's processes (size 1 unless launched by mpirun/srun in an MPI
  // build; docs/distributed.md). Never null while a command runs.
  Communicator* comm = nullptr;
};

using Runner = std::function<int()>;

Runner AddEstimateCommand(CLI::App& app, const GlobalFlags& flags);
Runner AddSynthCommand(CLI::App& app, const GlobalFlags& flags);
Runner AddSimulateCommand(CLI::App& app, const GlobalFlags& flags);
Runner AddDemoCommand(CLI::App& app, const GlobalFlags& flags);
Runner AddPeCommand(CLI::App& app, const GlobalFlags& flags);
Runner AddDebtCommand(CLI::App& app, const GlobalFlags& flags);
Runner AddRateCommand(CLI::App& app, const GlobalFlags& flags);
Runner AddBaselineCommand(CLI::App& app, const GlobalFlags& flags);

}  // namespace mizani::cli

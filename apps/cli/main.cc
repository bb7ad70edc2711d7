// The `mizani` command: a thin layer over the core library. Every error
// becomes an exit code here, through the library's error boundary
// (mizani/status.h; docs/cli.md has the table).
#include <fmt/format.h>
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>
#include <memory>

#include "commands.h"
#include "environment.h"
#include "heap_pages.h"
#include "mizani/communicator.h"
#include "mizani/error.h"
#include "mizani/status.h"

int main(int argc, char** argv) {
  mizani::cli::SetUpHugePages(argv);
#if defined(__GLIBC__)
  // Arrays of millions of rows come and go (the table, the terms, the
  // frame, the work arrays). glibc's default raises its mmap threshold after
  // each such free, so later ones land on the heap, whose freed memory is
  // not given back: measured on the 2.5M-row two-way benchmark, 359 MiB
  // resident during the fit instead of 277. A fixed threshold keeps every
  // large array in its own mapping, returned to the system when freed; the
  // fit recycles its hot work arrays itself (common/buffer_pool.h), and the
  // command's operator new keeps a few freed blocks for the next arrays of
  // the same size (large_blocks.cc: some 5,000 page faults saved per 20 MB
  // array; 0.1 s of the two-way benchmark's 1.2 s).
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  // Setting the threshold also fixes the trim threshold at its 128 KiB
  // default, so a heap (a worker thread's arena too) gave back its top
  // whenever a few hundred KiB there were freed, and took them again,
  // freshly cleared, at the next projection: on the 2.5M-row three-way fit
  // 137 page faults of 4 KiB in each of the 9 projections, 1,250 in all
  // (some 11 us each on the benchmark machines). Up to 16 MiB of free heap
  // top stays resident instead (session 28).
  mallopt(M_TRIM_THRESHOLD, 16 << 20);
#endif
  // Under mpirun/srun (MPI build): MPI_Init here, MPI_Finalize when `comm`
  // goes; a plain start never touches MPI (docs/distributed.md).
  const std::unique_ptr<mizani::Communicator> comm = mizani::StartCommunicator(&argc, &argv);
  const bool root = comm->rank() == 0;
  if (mizani::LaunchedByMpiLauncher() && !mizani::MpiCommunicatorBuilt()) {
    std::fprintf(stderr,
                 "mizani: warning: started by an MPI launcher, but this build has no MPI "
                 "(cmake -DMIZANI_MPI=ON): every process runs the whole command alone\n");
  }
  std::string exit_codes = "Exit codes:";
  for (const auto& [code, name] : mizani::kExitCodes) {
    exit_codes += fmt::format("{} {} {}", code == mizani::ErrorCode::kOk ? "" : ",",
                              static_cast<int>(code), name);
  }
  CLI::App app{
      "mizani: structural gravity estimation (PPML/OLS with high-dimensional fixed effects)\n"
      "and general-equilibrium counterfactuals.\n\n" +
      exit_codes + " (docs/cli.md)."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("mizani ") + MIZANI_CLI_VERSION);
  mizani::cli::Environment environment = mizani::cli::ReadEnvironment();
  // The CSV reader advises huge pages only when the process has them.
  environment.settings.huge_pages = !mizani::cli::HugePagesOff();
  if (!root) environment.settings.trace_level = 0;  // rank 0 traces for the job
  mizani::ApplySettings(environment.settings);
  mizani::cli::GlobalFlags flags;
  flags.shared_data_dir = environment.shared_data_dir;
  flags.comm = comm.get();
  app.add_flag("-q,--quiet", flags.quiet, "No progress messages on stderr");
  std::map<CLI::App*, mizani::cli::Runner> runners;
  auto add = [&](const char* name, const char* help, auto factory) {
    CLI::App* sub = app.add_subcommand(name, help);
    runners[sub] = factory(*sub, flags);
    // `-q` works before or after the subcommand name.
    if (sub->get_option_no_throw("--quiet") == nullptr) {
      sub->add_flag("-q,--quiet", flags.quiet, "No progress messages on stderr");
    }
  };
  add("estimate",
      "Estimate a gravity model by PPML or OLS with fixed effects (fixest formula syntax)",
      mizani::cli::AddEstimateCommand);
  add("synth", "Write a synthetic bilateral trade panel with known coefficients",
      mizani::cli::AddSynthCommand);
  add("simulate",
      "Run a counterfactual scenario file (TOML): estimation, shocks, GE, bootstrap, goal seek",
      mizani::cli::AddSimulateCommand);
  add("demo", "Run the TICAD 9 scenario set (Kenya, Japan, African trade) into one HTML report",
      mizani::cli::AddDemoCommand);
  add("pe", "Product-level SMART/GSIM: tariffs and NTBs on HS6 lines", mizani::cli::AddPeCommand);
  add("debt", "Financing: yen or dollars? Cost, risk and sustainability of borrowing strategies",
      mizani::cli::AddDebtCommand);
  add("rate", "Sovereign credit ratings: fit, evaluate, score, explain (docs/rating.md)",
      mizani::cli::AddRateCommand);
  add("baseline", "Build a many-country GE baseline (domestic flows, covariates) from gravity data",
      mizani::cli::AddBaselineCommand);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Every rank parses the same arguments; one prints help or the error.
    const int rc = root ? app.exit(e) : (e.get_exit_code() == 0 ? 0 : 1);
    return rc == 0 ? 0 : static_cast<int>(mizani::ErrorCode::kUsage);
  }
  // Under several ranks only `estimate` shares the work; every other
  // command runs on rank 0 alone. Progress and output come from rank 0.
  if (!root) {
    flags.quiet = true;
    bool estimate = false;
    for (const auto& [sub, runner] : runners)
      estimate |= sub->parsed() && sub->get_name() == "estimate";
    if (!estimate) return 0;
  }
  // The library's error boundary (mizani/status.h) turns whatever a command
  // throws into the exit code and the message.
  int exit_code = static_cast<int>(mizani::ErrorCode::kUsage);
  const mizani::Status status = mizani::Guard([&] {
    for (auto& [sub, runner] : runners) {
      if (sub->parsed()) {
        exit_code = runner();
        return;
      }
    }
  });
  if (!status.ok()) {
    // The ranks meet the same input errors (each reads the same file and
    // arguments): rank 0 reports, every rank exits with the code.
    if (root) std::fprintf(stderr, "mizani: %s\n", status.ToString().c_str());
    return static_cast<int>(status.code);
  }
  return exit_code;
}

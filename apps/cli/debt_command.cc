// `mizani debt scenario.toml -o DIR`: financing cost, risk and sustainability
// of borrowing strategies (docs/finance.md).
#include <cstdio>
#include <memory>

#include "commands.h"
#include "environment.h"
#include "mizani/error.h"
#include "mizani/finance.h"

namespace mizani::cli {

namespace {

struct DebtArgs {
  std::string scenario;
  std::string output;
  std::string data_dir;
  int paths = -1;
  int64_t seed = -1;
  int threads = 0;
  bool quiet = false;
};

}  // namespace

Runner AddDebtCommand(CLI::App& app, const GlobalFlags& flags) {
  auto args = std::make_shared<DebtArgs>();
  app.footer(
      "Run a financing scenario (TOML, docs/finance.md): bond analytics on QuantLib, "
      "exchange-rate\n"
      "Monte Carlo from the FX history, MTDS-style strategies and LIC-DSF-style stress tests, "
      "goal\n"
      "seeking. Writes results.json, every table as CSV and the report into the output folder,\n"
      "all-or-nothing.\n\n"
      "Example:\n"
      "  mizani debt examples/kenya_financing.toml -o out --data-dir ../shared/data");
  app.add_option("scenario", args->scenario, "Scenario file (.toml)")->required();
  app.add_option("-o,--output", args->output, "Output folder")->required();
  app.add_option("--data-dir", args->data_dir,
                 "Folder of the shared data (replaces [data] folder)");
  app.add_option("--paths", args->paths, "Monte Carlo paths (replaces [fx] paths)");
  app.add_option("--seed", args->seed, "Random seed (replaces [fx] seed)");
  app.add_option("--threads", args->threads,
                 "Worker threads (default: one per CPU the process may use)");
  app.add_flag("-q,--quiet", args->quiet, "No progress messages on stderr");

  return [args, &flags]() -> int {
    const bool quiet = args->quiet || flags.quiet;
    finance::DebtOverrides overrides;
    overrides.data_dir = args->data_dir;
    if (args->paths > 0) overrides.paths = args->paths;
    if (args->paths == 0 || args->paths < -1) {
      throw Error(ErrorCode::kUsage, "--paths must be at least 1");
    }
    if (args->seed >= 0) overrides.seed = static_cast<uint64_t>(args->seed);
    const finance::DebtScenario scenario = finance::LoadDebtScenario(args->scenario, overrides);
    finance::DebtRunOptions options;
    options.threads = args->threads;
    WarnIfThreadsShareCpus(args->threads);
    if (!quiet) {
      options.progress = [](const std::string& line) {
        std::fprintf(stderr, "mizani: %s\n", line.c_str());
      };
    }
    const finance::DebtOutcome outcome = finance::RunDebtScenario(scenario, options);
    finance::WriteDebtOutputs(outcome, args->output);
    const std::string summary = finance::SummarizeDebt(outcome);
    std::fwrite(summary.data(), 1, summary.size(), stdout);
    std::printf("  results written to %s\n", args->output.c_str());
    return 0;
  };
}

}  // namespace mizani::cli

// `mizani simulate scenario.toml`: run a counterfactual scenario file
// (docs/scenarios.md) and write its tables, results.json and report.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "commands.h"
#include "environment.h"
#include "mizani/error.h"
#include "mizani/report.h"
#include "mizani/scenario.h"
#include "mizani/scenario_output.h"
#include "output.h"

namespace mizani::cli {

namespace {

struct SimulateArgs {
  std::string scenario;
  std::string output;
  std::string data_dir;
  int replications = -1;
  int64_t seed = -1;
  int threads = 0;
  bool quiet = false;
};

}  // namespace

Runner AddSimulateCommand(CLI::App& app, const GlobalFlags& flags) {
  auto args = std::make_shared<SimulateArgs>();
  app.footer(
      "Run a counterfactual scenario stated in a TOML file (docs/scenarios.md): optional PPML\n"
      "estimation, shocks (agreements, tariffs, NTBs, trade costs), the GE solve, bootstrap\n"
      "intervals and goal seeking. Writes every table as CSV, results.json and a report into\n"
      "the output folder, all-or-nothing.\n\n"
      "Example:\n"
      "  mizani simulate examples/nafta.toml --data-dir ../shared/data --replications 200");
  app.add_option("scenario", args->scenario, "Scenario file (.toml)")->required();
  app.add_option("-o,--output", args->output, "Output folder (replaces [output] folder)");
  app.add_option("--data-dir", args->data_dir,
                 "Folder for ${MIZANI_DATA} and relative data paths in the scenario");
  app.add_option("--replications", args->replications,
                 "Bootstrap replications (replaces [uncertainty] replications; 0 = none)")
      ->check(WholeNumberAtLeast(0));
  app.add_option("--seed", args->seed, "Bootstrap seed (replaces [uncertainty] seed)")
      ->check(WholeNumberAtLeast(0));
  app.add_option("--threads", args->threads,
                 "Worker threads (default: one per CPU the process may use)")
      ->check(WholeNumberAtLeast(1));
  app.add_flag("-q,--quiet", args->quiet, "No progress messages on stderr");

  return [args, &flags]() -> int {
    const bool quiet = args->quiet || flags.quiet;
    ScenarioOverrides overrides;
    overrides.data_dir = args->data_dir;
    overrides.output_folder = args->output;
    if (args->replications >= 0) overrides.replications = args->replications;
    if (args->seed >= 0) overrides.seed = static_cast<uint64_t>(args->seed);
    const Scenario scenario = LoadScenario(args->scenario, overrides);
    // Before any work: a run that cannot write its results is not started.
    CheckOutputFolder(scenario.output.folder);
    RunOptions options;
    options.quiet = quiet;
    options.threads = args->threads;
    WarnIfThreadsShareCpus(args->threads);
    auto bar = std::make_shared<ProgressBar>("bootstrap");
    if (!quiet) {
      options.progress = [](const std::string& line) {
        std::fprintf(stderr, "mizani: %s\n", line.c_str());
      };
      options.on_replication = [bar](int done, int total) { bar->Update(done, total); };
    }
    const ScenarioOutcome outcome = RunScenario(scenario, options);
    WriteScenarioOutputs(outcome, scenario.output.folder);
    const std::string summary = SummarizeOutcome(outcome);
    std::fwrite(summary.data(), 1, summary.size(), stdout);
    std::printf("  results written to %s\n", scenario.output.folder.c_str());
    return 0;
  };
}

}  // namespace mizani::cli

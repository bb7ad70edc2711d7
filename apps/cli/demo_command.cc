// `mizani demo`: the TICAD 9 scenario set end to end into one report. The
// work is in the library (apps/ticad9/demo.h); this only maps options.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "commands.h"
#include "environment.h"
#include "mizani/report.h"
#include "output.h"
#include "ticad9/demo.h"

namespace mizani::cli {

namespace {

struct DemoArgs {
  std::string output = "mizani-demo";
  std::string data_dir;
  int replications = -1;
  int threads = 0;
  bool quiet = false;
};

}  // namespace

Runner AddDemoCommand(CLI::App& app, const GlobalFlags& flags) {
  auto args = std::make_shared<DemoArgs>();
  app.footer(
      "Run the TICAD 9 scenario set (examples/ticad9, built in) end to end and write one\n"
      "self-contained HTML report plus Markdown, CSV and JSON into the output folder:\n"
      "  A  Japan removes its tariff and NTBs on Kenyan goods (NTB 5-20% range)\n"
      "  B  a free trade area among the 12 African countries (RTA estimated, bootstrap)\n"
      "  C  the intra-African trade-cost cut at which half their trade stays in Africa\n"
      "  D  a 5% cut in Kenya's trade costs (ports, logistics; 2-10% range)\n"
      "Without --data-dir it uses an embedded SYNTHETIC world (illustrative only).\n\n"
      "Example:\n"
      "  mizani demo --data-dir ../shared/data/agtpa_yotov2016 -o ticad9-report");
  app.add_option("-o,--output", args->output, "Output folder (default mizani-demo)");
  app.add_option("--data-dir", args->data_dir,
                 "Folder of the Advanced Guide data (agtpa_yotov2016 or its csv/ subfolder)");
  app.add_option("--replications", args->replications,
                 "Bootstrap replications for scenario B (default 50; 0 = none)")
      ->check(WholeNumberAtLeast(0));
  app.add_option("--threads", args->threads,
                 "Worker threads (default: one per CPU the process may use)")
      ->check(WholeNumberAtLeast(1));
  app.add_flag("-q,--quiet", args->quiet, "No progress messages on stderr");

  return [args, &flags]() -> int {
    DemoOptions options;
    options.data_dir = args->data_dir;
    options.quiet = args->quiet || flags.quiet;
    options.threads = args->threads;
    WarnIfThreadsShareCpus(args->threads);
    if (args->replications >= 0) options.replications = args->replications;
    // Before any work: a run that cannot write its report is not started.
    CheckOutputFolder(args->output);
    auto bar = std::make_shared<ProgressBar>("bootstrap");
    if (!options.quiet) {
      options.progress = [](const std::string& line) {
        std::fprintf(stderr, "mizani: %s\n", line.c_str());
      };
      options.on_replication = [bar](int done, int total) { bar->Update(done, total); };
    }
    const DemoRun run = RunDemo(options);
    WriteDemoOutputs(run, args->output);
    const std::string summary = SummarizeDemo(run);
    std::fwrite(summary.data(), 1, summary.size(), stdout);
    std::printf(
        "report: %s\n",
        (std::filesystem::absolute(args->output) / "report.html").lexically_normal().c_str());
    return 0;
  };
}

}  // namespace mizani::cli

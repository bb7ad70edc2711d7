// `mizani pe scenario.toml -o DIR`: product-level partial equilibrium (SMART
// or GSIM) on HS6 lines; writes every table as CSV, report.json, report.md
// and report.html into DIR, all-or-nothing (docs/pe.md).
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "commands.h"
#include "mizani/error.h"
#include "mizani/pe_scenario.h"

namespace mizani::cli {

namespace {

struct PeArgs {
  std::string scenario;
  std::string output;
  std::string data_dir;
  bool quiet = false;
};

}  // namespace

Runner AddPeCommand(CLI::App& app, const GlobalFlags& flags) {
  auto args = std::make_shared<PeArgs>();
  app.footer(
      "Simulate tariff and NTB changes on HS6 lines with SMART (one importing market, WITS\n"
      "definitions) or GSIM (several markets, world prices solved by Newton). Lines without\n"
      "baseline trade are reported, with an optional potential-trade (PPML) estimate.\n\n"
      "Example:\n"
      "  mizani pe examples/kenya_japan_products.toml -o out --data-dir ../shared/data");
  app.add_option("scenario", args->scenario, "Scenario file (.toml)")->required();
  app.add_option("-o,--output", args->output, "Output folder (written all-or-nothing)")->required();
  app.add_option("--data-dir", args->data_dir,
                 "Folder for paths written shared:... (default $MIZANI_SHARED_DATA or "
                 "../shared/data)");
  app.add_flag("-q,--quiet", args->quiet, "No progress messages on stderr");
  return [args, &flags]() -> int {
    const bool quiet = args->quiet || flags.quiet;
    const std::string data_dir = args->data_dir.empty() ? flags.shared_data_dir : args->data_dir;
    std::function<void(const std::string&)> progress;
    if (!quiet) {
      progress = [](const std::string& line) {
        std::fprintf(stderr, "mizani: %s\n", line.c_str());
      };
    }
    if (progress) progress(fmt::format("reading {}", args->scenario));
    const pe::PeScenario scenario = pe::LoadPeScenario(args->scenario, data_dir);
    const pe::PeRun run = pe::RunPeScenario(scenario, progress);
    const ReportDocument doc = pe::BuildPeReport(scenario, run);
    WriteReport(doc, args->output);
    for (const pe::LineStatus& line : run.lines) {
      std::printf("%-14s %-8s %-16s %s\n", line.reporter.c_str(), line.product.c_str(),
                  line.status.c_str(), line.description.c_str());
    }
    double total = 0;
    for (const pe::SmartLineResult& line : run.smart.lines) total += line.total;
    if (scenario.model == pe::PeModel::kSmart) {
      std::printf("SMART total trade effect: %.6g %s over %zu lines\n", total,
                  scenario.trade_unit.c_str(), run.smart.lines.size());
    }
    if (run.potential) {
      std::printf("potential-trade estimate (PPML, not SMART): %.6g %s\n", run.potential->predicted,
                  scenario.trade_unit.c_str());
    }
    if (!run.to_fill.empty()) {
      std::printf("%zu input rows have cells to fill (see cells_to_fill.csv)\n",
                  run.to_fill.size());
    }
    std::printf("results written to %s\n", args->output.c_str());
    return 0;
  };
}

}  // namespace mizani::cli

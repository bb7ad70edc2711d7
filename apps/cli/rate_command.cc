// `mizani rate fit|evaluate|score|explain config.toml`: the transparent
// sovereign rating model (docs/rating.md). Each subcommand writes its report
// (HTML, Markdown, report.json and one CSV per table) into an output folder,
// all-or-nothing, and a summary on stdout.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "commands.h"
#include "mizani/error.h"
#include "mizani/rating_report.h"
#include "mizani/report.h"

namespace mizani::cli {

namespace {

struct RateArgs {
  std::string config;
  rating::RateOverrides overrides;
  int year = 0;
  bool quiet = false;
};

using RateRun = rating::RateOutcome (*)(const rating::RateConfig&, const rating::Progress&);

void AddRateSubcommand(CLI::App& parent, const char* name, const char* help,
                       const std::shared_ptr<RateArgs>& args) {
  CLI::App* sub = parent.add_subcommand(name, help);
  sub->add_option("config", args->config,
                  "Rating configuration (.toml), e.g. examples/africa_ratings.toml")
      ->required();
  sub->add_option("-o,--output", args->overrides.output,
                  "Output folder (default: [output] folder of the file, then /<subcommand>)");
  sub->add_option("--data-dir", args->overrides.data_dir, "Folder for ${MIZANI_DATA}");
  sub->add_option("--country", args->overrides.country,
                  "ISO3 code or name (explain: the country; score: score only this one)");
  sub->add_option("--year", args->year, "Year to score or explain");
  sub->add_option("--agency", args->overrides.agency, "Agency the ordered model is fitted to");
  sub->add_option("--link", args->overrides.link, "probit or logit");
  sub->add_flag("-q,--quiet", args->quiet, "No progress messages on stderr");
}

}  // namespace

Runner AddRateCommand(CLI::App& app, const GlobalFlags& flags) {
  auto args = std::make_shared<RateArgs>();
  app.footer(
      "A transparent sovereign rating model on public data (docs/rating.md): ordered\n"
      "probit/logit with Mundlak terms, a TOML scorecard with an audit trail, a rolling\n"
      "out-of-sample back-test and explanations with goal seeking.\n\n"
      "Example:\n"
      "  mizani rate evaluate examples/africa_ratings.toml --data-dir ../shared/data");
  app.require_subcommand(1);
  AddRateSubcommand(app, "fit",
                    "Fit the ordered model; coefficients, cut-points, indicated notches", args);
  AddRateSubcommand(app, "evaluate", "Rolling out-of-sample back-test per agency", args);
  AddRateSubcommand(app, "score", "Score sovereigns with the TOML methodology (audit trail, map)",
                    args);
  AddRateSubcommand(app, "explain", "One country: drivers, path over time, peers, goal seeking",
                    args);

  return [args, &app, &flags]() -> int {
    const bool quiet = args->quiet || flags.quiet;
    if (args->year != 0) args->overrides.year = args->year;
    std::string which;
    RateRun run = nullptr;
    for (CLI::App* sub : app.get_subcommands()) {
      which = sub->get_name();
    }
    if (which == "fit") run = &rating::RunRateFit;
    if (which == "evaluate") run = &rating::RunRateEvaluate;
    if (which == "score") run = &rating::RunRateScore;
    if (which == "explain") run = &rating::RunRateExplain;
    if (run == nullptr)
      throw Error(ErrorCode::kUsage, "rate: expected fit, evaluate, score or explain");
    const rating::RateConfig config = rating::LoadRateConfig(args->config, args->overrides);
    rating::Progress progress;
    if (!quiet) {
      progress = [](const std::string& line) {
        std::fprintf(stderr, "mizani: %s\n", line.c_str());
      };
    }
    const rating::RateOutcome outcome = run(config, progress);
    const std::string folder =
        args->overrides.output.empty() ? config.output + "/" + which : config.output;
    WriteReport(outcome.document, folder, "report");
    std::fwrite(outcome.summary.data(), 1, outcome.summary.size(), stdout);
    std::printf("  report written to %s\n", folder.c_str());
    return 0;
  };
}

}  // namespace mizani::cli

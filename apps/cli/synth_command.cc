// `mizani synth`: a synthetic bilateral panel from a documented DGP.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <string>

#include "commands.h"
#include "mizani/read.h"
#include "mizani/synth.h"

namespace mizani::cli {

Runner AddSynthCommand(CLI::App& app, const GlobalFlags& flags) {
  auto options = std::make_shared<SynthOptions>();
  auto output = std::make_shared<std::string>();
  app.footer(
      "Write a synthetic bilateral trade panel (exporter, importer, year, trade, dist, ln_dist, "
      "contig,\n"
      "lang, rta, pair_id) whose expected flow is exp(-0.8 ln dist + 0.5 contig + 0.3 lang + 0.25 "
      "rta\n"
      "+ exporter-year + importer-year + pair effects). docs/synth.md states the process.\n"
      "Example: mizani synth --exporters 250 --importers 250 --years 40 -o panel.csv");
  app.add_option("--exporters", options->exporters, "Number of exporters (default 250)");
  app.add_option("--importers", options->importers, "Number of importers (default 250)");
  app.add_option("--years", options->years, "Number of years (default 40)");
  app.add_option("--first-year", options->first_year, "First year (default 1980)");
  const std::map<std::string, SynthProcess> processes{{"logistic", SynthProcess::kLogistic},
                                                      {"hurdle", SynthProcess::kHurdle}};
  app.add_option("--dgp", options->process,
                 "Data-generating process: logistic (default) or hurdle (structural "
                 "multilateral resistances, pairs that never trade, persistent zeros)")
      ->transform(CLI::CheckedTransformer(processes, CLI::ignore_case));
  app.add_option("--zeros", options->share_zeros, "Share of zero flows (default 0.35)");
  app.add_option("--never", options->share_never,
                 "hurdle: share of pairs that never trade (default 0.15)");
  app.add_flag("--domestic", options->include_domestic, "Include domestic (internal) flows");
  app.add_flag("--mu", options->include_mu, "Add the true expected flow as column mu");
  app.add_option("--seed", options->seed, "Random seed (default 1)");
  app.add_option("--beta-dist", options->beta_log_dist,
                 "True coefficient on ln dist (default -0.8)");
  app.add_option("--beta-rta", options->beta_rta, "True coefficient on rta (default 0.25)");
  app.add_option("-o,--output", *output, "Output CSV file (.csv or .csv.gz)")
      ->required()
      ->check(CLI::Validator(
          [](const std::string& path) -> std::string {
            // Only what is written: a panel.xlsx holding CSV would mislead.
            std::string lower = path;
            std::ranges::transform(lower, lower.begin(), [](unsigned char symbol) {
              return static_cast<char>(std::tolower(symbol));
            });
            if (lower.ends_with(".csv") || lower.ends_with(".csv.gz")) return {};
            return "the panel is written as .csv or .csv.gz (gzip), got '" + path + "'";
          },
          "PATH.csv[.gz]"));
  return [options, output, &flags]() -> int {
    Table table = Synthesize(*options);
    WriteCsv(table, *output);
    if (!flags.quiet)
      std::fprintf(stderr, "mizani: wrote %zu rows to %s\n", table.num_rows, output->c_str());
    return 0;
  };
}

}  // namespace mizani::cli

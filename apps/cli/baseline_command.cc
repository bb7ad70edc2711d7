// `mizani baseline build -o world.csv`: a square exporter x importer GE
// baseline for many countries, with constructed domestic flows and CEPII
// covariates (docs/world-baseline.md). The output is the input of a scenario
// file's [data] section.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "commands.h"
#include "mizani/error.h"
#include "mizani/read.h"
#include "mizani/world.h"

namespace mizani::cli {

namespace {

namespace fs = std::filesystem;

struct BaselineArgs {
  std::string data_dir;
  std::string flows;
  std::string distances;
  std::string geography;
  world::BuildOptions columns;  // column names of the flows file
  std::string method = "gdp-less-exports";
  double domestic_share = 0.10;
  std::string output;
  std::string countries;
  bool overwrite = false;
  bool quiet = false;
};

// Never replace a user's file unasked.
void RefuseExisting(const std::vector<std::pair<const Table*, std::string>>& outputs) {
  for (const auto& [table, target] : outputs) {
    if (fs::exists(target)) {
      throw Error(ErrorCode::kOutputFailed,
                  fmt::format("{} exists; choose another name or pass --overwrite", target));
    }
  }
}

// Both files are written beside their targets first and renamed into place
// only when every write succeeded: no half-written baseline.
void WriteTablesAtomically(const std::vector<std::pair<const Table*, std::string>>& outputs,
                           bool overwrite) {
  std::vector<std::pair<fs::path, fs::path>> moves;
  if (!overwrite) RefuseExisting(outputs);
  try {
    for (const auto& [table, target] : outputs) {
      const fs::path path(target);
      const fs::path staging =
          path.parent_path() / fmt::format(".{}.tmp-{}", path.filename().string(), ::getpid());
      moves.emplace_back(staging, path);
      WriteCsv(*table, staging.string());
    }
    for (const auto& [staging, path] : moves) {
      std::error_code error;
      fs::rename(staging, path, error);
      if (error) {
        throw Error(ErrorCode::kOutputFailed,
                    fmt::format("cannot move {} into place: {}", path.string(), error.message()));
      }
    }
  } catch (...) {
    std::error_code ignored;
    for (const auto& [staging, path] : moves) fs::remove(staging, ignored);
    throw;
  }
}

}  // namespace

Runner AddBaselineCommand(CLI::App& app, const GlobalFlags& flags) {
  auto args = std::make_shared<BaselineArgs>();
  app.require_subcommand(1);
  CLI::App* build = app.add_subcommand(
      "build", "Build a square exporter x importer baseline with domestic flows (long CSV)");
  build->footer(
      "Domestic sales X_ii are constructed (they are not in trade data): by default GDP less\n"
      "goods exports, floored at --domestic-share x GDP; or --method gdp-share. Covariates\n"
      "(distw, contig, comlang_off, colony, smctry) come from CEPII GeoDist; the group flag\n"
      "from geo_cepii's continent. See docs/world-baseline.md.\n\n"
      "Example (HMR 2010, 166 countries, total goods trade about 2006):\n"
      "  mizani baseline build -o world.csv --countries countries.csv --data-dir ../shared/data");
  build->add_option("-o,--output", args->output, "Long CSV of every pair (scenario [data] input)")
      ->required();
  build->add_option("--countries", args->countries,
                    "Also write one row per country: GDP, exports, imports, totals, flags");
  build->add_option("--data-dir", args->data_dir,
                    "Folder of the default inputs (default $MIZANI_SHARED_DATA or ../shared/data)");
  build->add_option("--flows", args->flows,
                    "International flows: iso_o, iso_d, flow, gdp_o, rta (default "
                    "<data-dir>/hmr2010_gravity_R_pkg/gravity_zeros.csv.gz)");
  build->add_option("--distances", args->distances,
                    "CEPII dist_cepii (default <data-dir>/cepii_geodist/dist_cepii.csv.gz)");
  build->add_option("--geography", args->geography,
                    "CEPII geo_cepii (default <data-dir>/cepii_geodist/geo_cepii.csv)");
  build->add_option("--exporter-column", args->columns.exporter_column, "default iso_o");
  build->add_option("--importer-column", args->columns.importer_column, "default iso_d");
  build->add_option("--flow-column", args->columns.flow_column,
                    "International flow, million US$ (default flow)");
  build->add_option("--gdp-column", args->columns.gdp_column,
                    "Exporter GDP, million US$ (default gdp_o)");
  build->add_option("--agreement-column", args->columns.agreement_column,
                    "0/1 trade agreement, written as rta; empty for none (default rta)");
  build->add_option("--method", args->method, "gdp-less-exports (default) or gdp-share")
      ->check(CLI::IsMember({"gdp-less-exports", "gdp-share"}));
  build->add_option("--domestic-share", args->domestic_share,
                    "Floor of X_ii / GDP (gdp-less-exports) or the share itself (gdp-share); "
                    "default 0.10");
  build->add_flag("--overwrite", args->overwrite, "Replace existing output files");
  build->add_flag("-q,--quiet", args->quiet, "No progress messages on stderr");
  return [args, build, &flags]() -> int {
    if (!build->parsed()) return static_cast<int>(ErrorCode::kUsage);
    const bool quiet = args->quiet || flags.quiet;
    const std::string data_dir = args->data_dir.empty() ? flags.shared_data_dir : args->data_dir;
    world::BuildOptions options = args->columns;
    options.flows_path = args->flows.empty()
                             ? data_dir + "/hmr2010_gravity_R_pkg/gravity_zeros.csv.gz"
                             : args->flows;
    options.distances_path =
        args->distances.empty() ? data_dir + "/cepii_geodist/dist_cepii.csv.gz" : args->distances;
    options.geography_path =
        args->geography.empty() ? data_dir + "/cepii_geodist/geo_cepii.csv" : args->geography;
    options.method = args->method == "gdp-share" ? world::DomesticMethod::kGdpShare
                                                 : world::DomesticMethod::kGdpLessExports;
    options.domestic_share = args->domestic_share;
    if (!args->overwrite) {
      std::vector<std::pair<const Table*, std::string>> targets = {{nullptr, args->output}};
      if (!args->countries.empty()) targets.emplace_back(nullptr, args->countries);
      RefuseExisting(targets);
    }
    if (!quiet) std::fprintf(stderr, "mizani: reading %s\n", options.flows_path.c_str());
    const world::WorldBaseline world = world::BuildWorldBaseline(options);
    const Table pairs = world::PairTable(world);
    const Table countries = world::CountryTable(world);
    std::vector<std::pair<const Table*, std::string>> outputs = {{&pairs, args->output}};
    if (!args->countries.empty()) outputs.emplace_back(&countries, args->countries);
    if (!quiet) std::fprintf(stderr, "mizani: writing %zu pairs\n", pairs.num_rows);
    WriteTablesAtomically(outputs, args->overwrite);

    int64_t group_size = 0;
    std::string floored;
    for (const world::CountryAccount& account : world.accounts) {
      group_size += account.in_group ? 1 : 0;
      if (account.floored) floored += (floored.empty() ? "" : " ") + account.code;
    }
    std::printf("countries: %lld (%lld pairs; %lld international pairs absent, taken as zero)\n",
                static_cast<long long>(world.size()), static_cast<long long>(pairs.num_rows),
                static_cast<long long>(world.absent_pairs));
    std::printf("%s\n", world.method_note.c_str());
    std::printf("domestic sales at the floor: %s\n", floored.empty() ? "none" : floored.c_str());
    if (!world.group_name.empty()) {
      std::printf(
          "%s: %lld countries; intra-group share %.2f%% of their exports, %.2f%% of "
          "their trade\n",
          world.group_name.c_str(), static_cast<long long>(group_size),
          100 * world::IntraGroupExportShare(world), 100 * world::IntraGroupTradeShare(world));
    }
    std::printf("baseline written to %s\n", args->output.c_str());
    return 0;
  };
}

}  // namespace mizani::cli

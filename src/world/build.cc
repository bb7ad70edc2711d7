// The wider-world baseline (include/mizani/world.h, docs/world-baseline.md).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "mizani/error.h"
#include "mizani/read.h"
#include "mizani/world.h"

namespace mizani::world {

namespace {

const Column& TextColumn(const Table& table, const std::string& name) {
  const Column& column = table.Get(name);
  if (column.type != ColumnType::kString) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{}: expected country codes in column '{}', found numbers",
                            table.source, name));
  }
  return column;
}

// Rows in messages count data rows from 1, as the CSV reader's do.
std::string At(const Table& table, size_t row_idx, const std::string& column) {
  return Where(table.source, static_cast<int64_t>(row_idx) + 1, column);
}

double Finite(const Table& table, std::span<const double> values, size_t row_idx,
              const std::string& column, const char* what) {
  const double value = values[row_idx];
  if (!std::isfinite(value) || value < 0) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{}: {} must be a number >= 0, found '{}'", At(table, row_idx, column),
                            what, table.Get(column).CellText(row_idx)));
  }
  return value;
}

Column CodeColumn(std::string name, const std::vector<std::string>& codes) {
  Column column;
  column.name = std::move(name);
  column.type = ColumnType::kString;
  column.levels = codes;
  return column;
}

// The columns of the flows file the baseline reads (views into its table).
struct FlowFile {
  const Table& table;
  const Column& exporter;
  const Column& importer;
  std::span<const double> flow, gdp, agreement;
};

Table ReadFlows(const BuildOptions& options) {
  ReadOptions flow_read;
  flow_read.columns = {options.exporter_column, options.importer_column, options.flow_column,
                       options.gdp_column};
  if (!options.agreement_column.empty()) flow_read.columns.push_back(options.agreement_column);
  flow_read.string_columns = {options.exporter_column, options.importer_column};
  return ReadTable(options.flows_path, flow_read);
}

FlowFile FlowColumns(const BuildOptions& options, const Table& flows) {
  return {flows,
          TextColumn(flows, options.exporter_column),
          TextColumn(flows, options.importer_column),
          RequireNumeric(flows, options.flow_column),
          RequireNumeric(flows, options.gdp_column),
          options.agreement_column.empty() ? std::span<const double>()
                                           : RequireNumeric(flows, options.agreement_column)};
}

// Every code seen on either side, with its GDP, sorted as the scenario
// runner sorts them.
std::map<std::string, double> GdpByCode(const BuildOptions& options, const FlowFile& file) {
  const Table& flows = file.table;
  const Column& exporter = file.exporter;
  const Column& importer = file.importer;
  const std::span<const double> gdp = file.gdp;
  std::map<std::string, double> gdp_by_code;
  for (size_t row_idx = 0; row_idx < flows.num_rows; ++row_idx) {
    if (exporter.IsMissing(row_idx) || importer.IsMissing(row_idx)) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: a country code is missing",
                              At(flows, row_idx,
                                 exporter.IsMissing(row_idx) ? options.exporter_column
                                                             : options.importer_column)));
    }
    const std::string origin = exporter.CellText(row_idx);
    const double value = Finite(flows, gdp, row_idx, options.gdp_column, "GDP");
    auto [it, inserted] = gdp_by_code.emplace(origin, value);
    // One cross-section: an exporter's GDP is the same on all its rows.
    if (!inserted && std::abs(it->second - value) > 1e-9 * std::max(1.0, it->second)) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: GDP of {} is {} here but {} on an earlier row; the file must "
                              "hold one cross-section",
                              At(flows, row_idx, options.gdp_column), origin,
                              flows.Get(options.gdp_column).CellText(row_idx), it->second));
    }
  }
  for (size_t row_idx = 0; row_idx < flows.num_rows; ++row_idx) {
    const std::string destination = importer.CellText(row_idx);
    if (!gdp_by_code.contains(destination)) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: {} imports but never exports, so its GDP is unknown; the "
                              "baseline must be square",
                              At(flows, row_idx, options.importer_column), destination));
    }
  }
  // The baseline holds nine N x N arrays, so N is bounded before they are
  // made: a flows file of a few thousand rows could otherwise ask for
  // gigabytes (there are 249 ISO 3166 codes).
  if (gdp_by_code.size() > kMaxCountries) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{}: {} countries export in this file; a baseline holds at most {} "
                            "(every pair is stored)",
                            flows.source, gdp_by_code.size(), kMaxCountries));
  }
  return gdp_by_code;
}

// The international flows and agreements by pair; each pair once.
void FillFlows(const BuildOptions& options, const FlowFile& file,
               const std::unordered_map<std::string, size_t>& index, WorldBaseline& world) {
  const Table& flows = file.table;
  const Column& exporter = file.exporter;
  const Column& importer = file.importer;
  const std::span<const double> flow = file.flow;
  const std::span<const double> agreement = file.agreement;
  const size_t n = world.codes.size();
  world.flows.assign(n * n, 0.0);
  world.agreement.assign(n * n, 0.0);
  world.observed.assign(n * n, 0);
  for (size_t row_idx = 0; row_idx < flows.num_rows; ++row_idx) {
    const size_t exporter_idx = index.at(exporter.CellText(row_idx));
    const size_t importer_idx = index.at(importer.CellText(row_idx));
    if (exporter_idx == importer_idx) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: a domestic pair ({}->{}); the flows file must hold "
                              "international flows only (domestic sales are constructed)",
                              At(flows, row_idx, options.importer_column),
                              world.codes[exporter_idx], world.codes[exporter_idx]));
    }
    const size_t pair_idx = exporter_idx * n + importer_idx;
    if (world.observed[pair_idx] != 0) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: the pair {}->{} appears twice",
                              At(flows, row_idx, options.importer_column),
                              world.codes[exporter_idx], world.codes[importer_idx]));
    }
    world.observed[pair_idx] = 1;
    world.flows[pair_idx] = Finite(flows, flow, row_idx, options.flow_column, "the flow");
    if (!agreement.empty()) {
      const double rta = agreement[row_idx];
      world.agreement[pair_idx] = std::isnan(rta) ? 0.0 : rta;
    }
  }
}

// Accounts and domestic sales.
void BuildAccounts(const BuildOptions& options, const std::string& source,
                   const std::map<std::string, double>& gdp_by_code, WorldBaseline& world) {
  const size_t n = world.codes.size();
  world.accounts.resize(n);
  for (size_t idx = 0; idx < n; ++idx) {
    CountryAccount& account = world.accounts[idx];
    account.code = world.codes[idx];
    account.gdp = gdp_by_code.at(account.code);
    if (!(account.gdp > 0)) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{} (column {}): GDP of {} is {}; domestic sales need a positive GDP",
                              source, options.gdp_column, account.code, account.gdp));
    }
  }
  for (size_t exporter_idx = 0; exporter_idx < n; ++exporter_idx) {
    for (size_t importer_idx = 0; importer_idx < n; ++importer_idx) {
      if (exporter_idx == importer_idx) continue;
      const double value = world.flows[exporter_idx * n + importer_idx];
      world.accounts[exporter_idx].exports += value;
      world.accounts[importer_idx].imports += value;
      if (world.observed[exporter_idx * n + importer_idx] == 0) ++world.absent_pairs;
    }
  }
  for (size_t idx = 0; idx < n; ++idx) {
    CountryAccount& account = world.accounts[idx];
    const double floor = options.domestic_share * account.gdp;
    if (options.method == DomesticMethod::kGdpShare) {
      account.domestic = floor;
    } else {
      account.domestic = account.gdp - account.exports;
      // Entrepots (SGP, HKG) and some commodity exporters record goods exports
      // above GDP: re-exports and imported inputs are in gross exports, not in
      // value added. The floor keeps X_ii > 0, which the GE needs.
      if (account.domestic < floor) {
        account.domestic = floor;
        account.floored = true;
      }
    }
    world.flows[idx * n + idx] = account.domestic;
    world.observed[idx * n + idx] = 0;
  }
  world.method_note =
      options.method == DomesticMethod::kGdpShare
          ? fmt::format("domestic sales X_ii = {:g} x GDP_i", options.domestic_share)
          : fmt::format("domestic sales X_ii = GDP_i less goods exports, at least {:g} x GDP_i",
                        options.domestic_share);
}

// Covariates from CEPII GeoDist, for every pair including i = i.
void ReadDistances(const BuildOptions& options,
                   const std::unordered_map<std::string, size_t>& index, WorldBaseline& world) {
  const size_t n = world.codes.size();
  world.distance.assign(n * n, std::nan(""));
  world.contiguity.assign(n * n, std::nan(""));
  world.common_language.assign(n * n, std::nan(""));
  world.colony.assign(n * n, std::nan(""));
  world.same_country.assign(n * n, std::nan(""));
  if (!options.distances_path.empty()) {
    ReadOptions dist_read;
    dist_read.columns = {"iso_o",  "iso_d",       "distw",  "dist",
                         "contig", "comlang_off", "colony", "smctry"};
    dist_read.string_columns = {"iso_o", "iso_d"};
    const Table dist = ReadTable(options.distances_path, dist_read);
    const Column& origin = TextColumn(dist, "iso_o");
    const Column& destination = TextColumn(dist, "iso_d");
    const auto& distw = RequireNumeric(dist, "distw");
    const auto& capital = RequireNumeric(dist, "dist");
    const auto& contig = RequireNumeric(dist, "contig");
    const auto& comlang = RequireNumeric(dist, "comlang_off");
    const auto& colony = RequireNumeric(dist, "colony");
    const auto& smctry = RequireNumeric(dist, "smctry");
    for (size_t row_idx = 0; row_idx < dist.num_rows; ++row_idx) {
      const auto o = index.find(origin.CellText(row_idx));
      const auto d = index.find(destination.CellText(row_idx));
      if (o == index.end() || d == index.end()) continue;
      const size_t pair_idx = o->second * n + d->second;
      double km = distw[row_idx];
      if (!(km > 0)) {
        // distw is "." for some pairs; the great-circle distance of the main
        // cities is the documented fallback.
        km = Finite(dist, capital, row_idx, "dist", "the distance");
        ++world.distance_fallbacks;
      }
      world.distance[pair_idx] = km;
      world.contiguity[pair_idx] = contig[row_idx];
      world.common_language[pair_idx] = comlang[row_idx];
      world.colony[pair_idx] = colony[row_idx];
      world.same_country[pair_idx] = smctry[row_idx];
    }
    for (size_t pair_idx = 0; pair_idx < n * n; ++pair_idx) {
      if (std::isnan(world.distance[pair_idx])) {
        throw Error(ErrorCode::kBadData,
                    fmt::format("{}: no row for the pair {}->{}; every pair of the {} countries "
                                "needs a distance",
                                options.distances_path, world.codes[pair_idx / n],
                                world.codes[pair_idx % n], n));
      }
    }
  }
}

// The group: countries of one continent in CEPII geo_cepii.
void ReadGeography(const BuildOptions& options,
                   const std::unordered_map<std::string, size_t>& index, WorldBaseline& world) {
  if (!options.geography_path.empty()) {
    ReadOptions geo_read;
    geo_read.columns = {"iso3", "continent"};
    geo_read.string_columns = {"iso3", "continent"};
    const Table geo = ReadTable(options.geography_path, geo_read);
    const Column& iso3 = TextColumn(geo, "iso3");
    const Column& continent = TextColumn(geo, "continent");
    for (size_t row_idx = 0; row_idx < geo.num_rows; ++row_idx) {
      const auto it = index.find(iso3.CellText(row_idx));
      if (it != index.end() && continent.CellText(row_idx) == options.group_continent) {
        world.accounts[it->second].in_group = true;
      }
    }
    world.group_name = options.group_continent;
  }
}

}  // namespace

WorldBaseline BuildWorldBaseline(const BuildOptions& options) {
  if (!(options.domestic_share > 0 && options.domestic_share <= 1)) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("domestic share {} is out of range: it must be in (0, 1]",
                            options.domestic_share));
  }
  const Table flows = ReadFlows(options);
  const FlowFile file = FlowColumns(options, flows);
  const std::map<std::string, double> gdp_by_code = GdpByCode(options, file);
  WorldBaseline world;
  for (const auto& [code, value] : gdp_by_code) world.codes.push_back(code);
  std::unordered_map<std::string, size_t> index;
  for (size_t idx = 0; idx < world.codes.size(); ++idx) index[world.codes[idx]] = idx;
  FillFlows(options, file, index, world);
  BuildAccounts(options, file.table.source, gdp_by_code, world);
  ReadDistances(options, index, world);
  ReadGeography(options, index, world);
  return world;
}

Table PairTable(const WorldBaseline& world) {
  const size_t n = world.codes.size();
  Table table;
  table.source = "world baseline";
  Column exporter = CodeColumn("exporter", world.codes);
  Column importer = CodeColumn("importer", world.codes);
  std::vector<double> ln_distance(n * n), domestic(n * n), observed(n * n);
  for (size_t exporter_idx = 0; exporter_idx < n; ++exporter_idx) {
    for (size_t importer_idx = 0; importer_idx < n; ++importer_idx) {
      const size_t pair_idx = exporter_idx * n + importer_idx;
      exporter.codes.push_back(static_cast<int32_t>(exporter_idx));
      importer.codes.push_back(static_cast<int32_t>(importer_idx));
      ln_distance[pair_idx] = std::log(world.distance[pair_idx]);
      domestic[pair_idx] = exporter_idx == importer_idx ? 1.0 : 0.0;
      observed[pair_idx] = world.observed[pair_idx];
    }
  }
  table.columns.push_back(std::move(exporter));
  table.columns.push_back(std::move(importer));
  table.num_rows = n * n;
  table.AddNumeric("trade", world.flows);
  table.AddNumeric("rta", world.agreement);
  table.AddNumeric("distw", world.distance);
  table.AddNumeric("ln_distw", std::move(ln_distance));
  table.AddNumeric("contig", world.contiguity);
  table.AddNumeric("comlang_off", world.common_language);
  table.AddNumeric("colony", world.colony);
  table.AddNumeric("smctry", world.same_country);
  table.AddNumeric("domestic", std::move(domestic));
  table.AddNumeric("observed", std::move(observed));
  return table;
}

Table CountryTable(const WorldBaseline& world) {
  const size_t n = world.codes.size();
  Table table;
  table.source = "world baseline countries";
  Column code = CodeColumn("country", world.codes);
  std::vector<double> gdp, exports, imports, domestic, row_total, column_total, floored, group;
  for (size_t idx = 0; idx < n; ++idx) {
    const CountryAccount& account = world.accounts[idx];
    code.codes.push_back(static_cast<int32_t>(idx));
    gdp.push_back(account.gdp);
    exports.push_back(account.exports);
    imports.push_back(account.imports);
    domestic.push_back(account.domestic);
    row_total.push_back(account.domestic + account.exports);
    column_total.push_back(account.domestic + account.imports);
    floored.push_back(account.floored ? 1.0 : 0.0);
    group.push_back(account.in_group ? 1.0 : 0.0);
  }
  table.columns.push_back(std::move(code));
  table.num_rows = n;
  table.AddNumeric("gdp_musd", std::move(gdp));
  table.AddNumeric("exports_musd", std::move(exports));
  table.AddNumeric("imports_musd", std::move(imports));
  table.AddNumeric("domestic_musd", std::move(domestic));
  table.AddNumeric("output_row_total_musd", std::move(row_total));
  table.AddNumeric("expenditure_column_total_musd", std::move(column_total));
  table.AddNumeric("domestic_floored", std::move(floored));
  table.AddNumeric("in_group", std::move(group));
  return table;
}

double IntraGroupExportShare(const WorldBaseline& world) {
  const size_t n = world.codes.size();
  double intra = 0;
  double exports = 0;
  for (size_t exporter_idx = 0; exporter_idx < n; ++exporter_idx) {
    if (!world.accounts[exporter_idx].in_group) continue;
    exports += world.accounts[exporter_idx].exports;
    for (size_t importer_idx = 0; importer_idx < n; ++importer_idx) {
      if (importer_idx != exporter_idx && world.accounts[importer_idx].in_group) {
        intra += world.flows[exporter_idx * n + importer_idx];
      }
    }
  }
  return exports > 0 ? intra / exports : std::nan("");
}

double IntraGroupTradeShare(const WorldBaseline& world) {
  double exports = 0;
  double imports = 0;
  for (const CountryAccount& account : world.accounts) {
    if (!account.in_group) continue;
    exports += account.exports;
    imports += account.imports;
  }
  const double intra = IntraGroupExportShare(world) * exports;
  return exports + imports > 0 ? 2 * intra / (exports + imports) : std::nan("");
}

}  // namespace mizani::world

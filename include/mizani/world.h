// A wider world for the GE: a square exporter x importer baseline for many
// countries built from a cross-section of international flows, GDP and
// bilateral covariates (`mizani baseline build`, docs/world-baseline.md).
//
// Structural gravity needs domestic sales X_ii, which trade data do not
// record. Yotov, Piermartini, Monteiro & Larch (2016, ch. 1) use gross
// production less exports; with GDP only, GDP less exports is the usual
// stand-in (value added is smaller than gross output, so it understates
// domestic sales of goods and overstates them by the services in GDP). The
// method and its floor are options so the construction can be repeated on
// CEPII Gravity or BACI with the same rules.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mizani/table.h"

namespace mizani::world {

enum class DomesticMethod {
  // X_ii = GDP_i - sum_{j != i} X_ij, floored at min_domestic_share * GDP_i.
  kGdpLessExports,
  // X_ii = domestic_share * GDP_i (a documented ratio, e.g. from input-output tables).
  kGdpShare,
};

struct BuildOptions {
  // Long table of international flows: one row per directed pair with the
  // exporter's GDP (HMR 2010 `gravity_zeros.csv.gz`: iso_o, iso_d, flow, gdp_o, rta).
  std::string flows_path;
  std::string exporter_column = "iso_o";
  std::string importer_column = "iso_d";
  std::string flow_column = "flow";      // million US$
  std::string gdp_column = "gdp_o";      // exporter GDP, million US$
  std::string agreement_column = "rta";  // 0/1; absent pairs get 0
  // CEPII GeoDist dist_cepii.csv(.gz): every pair of the countries, i = i included.
  std::string distances_path;
  // CEPII geo_cepii.csv: iso3 and continent, for the group (optional).
  std::string geography_path;
  std::string group_continent = "Africa";
  DomesticMethod method = DomesticMethod::kGdpLessExports;
  // kGdpLessExports: the floor; kGdpShare: the share itself. In (0, 1].
  double domestic_share = 0.10;
};

struct CountryAccount {
  std::string code;
  double gdp = 0;
  double exports = 0;    // sum over j != i of X_ij
  double imports = 0;    // sum over i != j of X_ij
  double domestic = 0;   // X_ii as constructed
  bool floored = false;  // GDP less exports fell below the floor
  bool in_group = false;
};

struct WorldBaseline {
  std::vector<std::string> codes;  // sorted
  int64_t size() const { return static_cast<int64_t>(codes.size()); }
  // Row-major N x N, exporter rows: flows[exporter_idx * N + importer_idx], million US$.
  std::vector<double> flows;
  std::vector<double> agreement, distance, contiguity, common_language, colony, same_country;
  std::vector<uint8_t> observed;  // 1 where the pair had a row in the flows file
  std::vector<CountryAccount> accounts;
  std::string group_name;          // e.g. "Africa"
  int64_t absent_pairs = 0;        // international pairs without a row (zero flow)
  int64_t distance_fallbacks = 0;  // pairs with no distw: capital distance used
  std::string method_note;         // one sentence stating the construction
};

// The most countries a baseline may hold (its arrays are N x N).
inline constexpr size_t kMaxCountries = 2000;

// Reads the files and builds the baseline. Throws Error(kFileUnreadable) for
// a missing file, Error(kBadData) naming file, row and column for a negative
// or missing flow, a GDP that differs between rows of one exporter, a
// duplicate pair, a pair with itself or a country without GDP, and
// Error(kBadScenario) for an option out of range.
WorldBaseline BuildWorldBaseline(const BuildOptions& options);

// Long table of every N x N pair (exporter, importer, trade, rta, distw,
// ln_distw, contig, comlang_off, colony, smctry, domestic, observed): the
// input format of scenario files ([data] path).
Table PairTable(const WorldBaseline& world);
// One row per country: its accounts, row and column totals, the flags.
Table CountryTable(const WorldBaseline& world);

// Share of the members' exports (to every other country) that go to other
// members: sum_{i,j in G, i != j} X_ij / sum_{i in G} sum_{j != i} X_ij.
double IntraGroupExportShare(const WorldBaseline& world);
// Share of the members' total trade (exports plus imports) with other members.
double IntraGroupTradeShare(const WorldBaseline& world);

}  // namespace mizani::world

// Input readers for `mizani pe`: WITS/SMART-style tables, BACI, tariff
// schedules and the comparables of the potential-trade estimate.
#pragma once

#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "mizani/pe_scenario.h"
#include "mizani/table.h"

namespace mizani::pe {

// "shared:x/y.csv" -> <data_dir>/x/y.csv; relative paths are relative to the
// scenario's folder. Throws Error(kFileUnreadable) when the file is absent.
std::string ResolvePath(const std::string& path, const std::string& data_dir,
                        const std::string& base_dir);

// Appends `more`, refusing a second row for the same reporter, partner and
// product (kBadData naming both origins).
void AppendRows(std::vector<InputRow>& rows, std::vector<InputRow> more);

// Columns: reporter, partner, product, trade_value, tariff (percent); optional
// description, trade_status, trade_source, tariff_status, tariff_source,
// ntb_ave (percent). An empty value is a cell to fill; its status column, when
// present, must then say "to-fill".
std::vector<InputRow> ReadWitsTable(const std::string& path);

struct BaciSelection {
  std::string path;
  std::string country_codes;
  std::vector<std::string> importers;  // ISO3
  std::vector<std::string> products;   // HS6
};
// BACI rows t,i,j,k,v,q (v in thousand USD) for the selected importers and
// products; tariffs are left to fill (ApplyTariffSchedule).
std::vector<InputRow> ReadBaci(const BaciSelection& selection);

struct TariffRate {
  std::string reporter;
  std::string partner;  // "*": every partner
  std::string product;  // HS2, HS4 or HS6 code, or a national tariff line (7 to 12 digits)
  double rate = 0;      // fraction
  std::string source;
  std::string origin;
  // Imports on the line (optional `trade_value` column): the weight of a
  // trade-weighted average. NaN when not given.
  double weight = std::numeric_limits<double>::quiet_NaN();
};
// Columns reporter, partner, product, tariff (percent); optional source and
// trade_value. Dots in product codes are dropped (0902.30.010 = 090230010).
// A second row for the same reporter, partner and code is an error.
std::vector<TariffRate> ReadTariffSchedule(const std::string& path);

// An HS version concordance supplied by the user: the tariff schedule's codes
// (version `from`, e.g. HS2012) mapped to the input tables' HS6 lines
// (version `to`, e.g. HS2017). Columns `from` and `to`, HS6 each; one row per
// pair (a code split in two has two rows, two codes merged have two rows).
struct HsConcordance {
  std::string path;
  std::string from;                                         // version label of the schedule's codes
  std::string to;                                           // version label of the tables' codes
  std::map<std::string, std::vector<std::string>> sources;  // `to` code -> its `from` codes
  std::set<std::string> from_codes;
};
HsConcordance ReadHsConcordance(const std::string& path, const std::string& from,
                                const std::string& to);

// How several national tariff lines under one HS6 code (or several codes
// that a concordance maps to one line) are averaged into one HS6 rate.
enum class LineAveraging { kSimple, kTradeWeighted };
const char* ToString(LineAveraging averaging);

struct TariffScheduleOptions {
  LineAveraging averaging = LineAveraging::kSimple;
  const HsConcordance* concordance = nullptr;  // none: schedule and tables share codes
};

// Fills tariffs still to fill. For each row, partner by partner (the exact
// partner first, then "*"): the HS6 rate of the line, or the average of the
// national lines under it; then a rate at HS4, then at HS2 (an HS4 rate
// applies to every HS6 line under it). With a concordance, the HS6 level is
// read at the schedule codes the concordance maps to the line. Every row
// filled records where its rate came from (tariff_level, tariff_source).
// Throws Error(kBadData) naming the file and row for a schedule code or a
// table line that the concordance does not map, an HS6 rate given beside
// national lines under it, or a trade-weighted average without weights.
void ApplyTariffSchedule(std::vector<InputRow>& rows, const std::vector<TariffRate>& rates,
                         const TariffScheduleOptions& options = {});

// The comparables of a potential-trade estimate from BACI and CEPII
// distances: one row per destination of `exporter` with its sales of
// `product` (zero where it sells other goods but not this one), ln_dist and
// ln_total (log of the exporter's sales of all goods there). `target_values`
// gets the target's regressors. Throws kBadData when the target is absent.
Table BuildComparables(const MarketAccessSpec& spec, std::map<std::string, double>* target_values);

}  // namespace mizani::pe

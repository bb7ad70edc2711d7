// Input readers for `mizani pe`: WITS/SMART-style tables, BACI, tariff
// schedules and the comparables of the potential-trade estimate.
#pragma once

#include <map>
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
  std::string product;  // HS2, HS4 or HS6 code
  double rate = 0;      // fraction
  std::string source;
  std::string origin;
};
std::vector<TariffRate> ReadTariffSchedule(const std::string& path);
// Fills tariffs still to fill with the most specific rate: an exact partner
// before "*", then the longest product code that prefixes the HS6 line (an
// HS4 rate applies to every HS6 line under it).
void ApplyTariffSchedule(std::vector<InputRow>& rows, const std::vector<TariffRate>& rates);

// The comparables of a potential-trade estimate from BACI and CEPII
// distances: one row per destination of `exporter` with its sales of
// `product` (zero where it sells other goods but not this one), ln_dist and
// ln_total (log of the exporter's sales of all goods there). `target_values`
// gets the target's regressors. Throws kBadData when the target is absent.
Table BuildComparables(const MarketAccessSpec& spec, std::map<std::string, double>* target_values);

}  // namespace mizani::pe

// Indicators beyond the WEO: long CSV files (country, year, indicator, value)
// with a source and vintage each (rating.h, docs/rating.md).
#include <fmt/format.h>

#include <cmath>
#include <span>
#include <vector>

#include "mizani/error.h"
#include "mizani/rating.h"
#include "mizani/read.h"

namespace mizani::rating {

IndicatorValues ReadExtraIndicators(const ExtraIndicatorFile& file) {
  // Read as found, then checked: a missing column is bad data (exit 4).
  const Table table = ReadTable(file.path, ReadOptions());
  for (const char* column : {"country", "year", "indicator", "value"}) {
    if (table.Find(column) == nullptr) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: missing column '{}' (an extra-indicator file has the columns "
                              "country, year, indicator, value)",
                              table.source, column));
    }
  }
  if (table.num_rows == 0) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{}: no rows (a file to fill: one row per country, year and "
                            "indicator, from the source named in [[data.extra]])",
                            table.source));
  }
  for (const char* column : {"country", "indicator"}) {
    if (table.Get(column).type != ColumnType::kString) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: expected ISO3 codes or names and indicator codes (text)",
                              Where(table.source, -1, column)));
    }
  }
  const Column& country = table.Get("country");
  const Column& indicator = table.Get("indicator");
  const std::span<const double> year = RequireNumeric(table, "year");
  const std::span<const double> value = RequireNumeric(table, "value");
  // ISO3 code of each spelling: a code as given, or a known name.
  std::vector<std::string> iso_of_level(country.levels.size());
  for (size_t level = 0; level < country.levels.size(); ++level) {
    const std::string& text = country.levels[level];
    if (FindCountry(text) != nullptr) {
      iso_of_level[level] = text;
    } else if (const auto iso3 = Iso3ForName(text)) {
      iso_of_level[level] = *iso3;
    }
  }
  IndicatorValues values;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    const auto row = static_cast<int64_t>(row_idx) + 1;
    const int32_t level = country.codes[row_idx];
    if (level < 0 || iso_of_level[level].empty()) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: unknown country '{}' (use an ISO3 code such as KEN or a name "
                              "in src/rating/country_names.cc)",
                              Where(table.source, row, "country"), country.CellText(row_idx)));
    }
    if (indicator.codes[row_idx] < 0) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: missing indicator code", Where(table.source, row, "indicator")));
    }
    const int at_year = WholeNumber(year[row_idx], table, row_idx, "year");
    if (std::isnan(value[row_idx])) continue;  // missing: the panel's policy applies
    const std::string& code = indicator.levels[indicator.codes[row_idx]];
    auto& series = values[{iso_of_level[level], code}];
    if (!series.emplace(at_year, value[row_idx]).second) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: {} {} {} is given twice", Where(table.source, row, "value"),
                              iso_of_level[level], at_year, code));
    }
  }
  return values;
}

}  // namespace mizani::rating

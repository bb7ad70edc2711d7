// Row filters ("year in 1986:2006:4", "exporter != importer") on a small
// table with numeric, text and missing cells.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mizani/error.h"
#include "mizani/filter.h"
#include "mizani/table.h"

namespace {

mizani::Table MakeTable() {
  mizani::Table table;
  table.source = "fuzz.csv";
  table.AddNumeric("year", {1986, 1990, 2006, NAN});
  table.AddNumeric("trade", {0, 1.5, -2, 1e300});
  mizani::Column exporter;
  exporter.name = "exporter";
  exporter.type = mizani::ColumnType::kString;
  exporter.levels = {"KEN", "JPN", "C\xc3\xb4te"};
  exporter.codes = {0, 1, 2, -1};
  table.columns.push_back(exporter);
  mizani::Column importer = exporter;
  importer.name = "importer";
  importer.codes = {1, 0, -1, 2};
  table.columns.push_back(importer);
  return table;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const mizani::Table table = MakeTable();
  // Filters separated by newlines, as several --filter options.
  std::vector<mizani::RowFilter> filters;
  std::string text(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  while (start <= text.size() && filters.size() < 8) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    filters.push_back({text.substr(start, end - start)});
    start = end + 1;
  }
  try {
    const std::vector<uint8_t> keep = mizani::EvaluateFilters(table, filters);
    if (keep.size() != table.num_rows) __builtin_trap();
  } catch (const mizani::Error&) {
  }
  return 0;
}

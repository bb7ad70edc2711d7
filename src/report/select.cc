// Columns of a table picked and relabelled, for a report that quotes another
// report's table (an engine's) with its own headers.
#include <fmt/format.h>

#include "mizani/error.h"
#include "mizani/report.h"

namespace mizani {

ReportTable SelectColumns(const ReportTable& table, const std::string& name,
                          const std::vector<std::pair<std::string, std::string>>& columns) {
  ReportTable selected;
  selected.name = name;
  selected.caption = table.caption;
  selected.note = table.note;
  std::vector<size_t> source_idx;
  for (const auto& [from, shown] : columns) {
    size_t found = table.columns.size();
    for (size_t column_idx = 0; column_idx < table.columns.size(); ++column_idx) {
      if (table.columns[column_idx].name == from) found = column_idx;
    }
    if (found == table.columns.size()) {
      throw Error(ErrorCode::kInternal,
                  fmt::format("table {} has no column '{}' to select", table.name, from));
    }
    source_idx.push_back(found);
    ReportColumn column = table.columns[found];
    column.name = shown;
    selected.columns.push_back(std::move(column));
  }
  for (const std::vector<ReportCell>& row : table.rows) {
    std::vector<ReportCell>& out = selected.rows.emplace_back();
    for (const size_t column_idx : source_idx) out.push_back(row.at(column_idx));
  }
  return selected;
}

}  // namespace mizani

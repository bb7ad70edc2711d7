// In-memory columnar table and factorised identifiers.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace mizani {

enum class ColumnType { kNumeric, kString };

// One column. Numeric columns hold doubles with NaN for missing values.
// String columns are factorised once at read time: `codes[row]` indexes
// `levels`, -1 marks a missing value. Levels are in order of first appearance.
struct Column {
  std::string name;
  ColumnType type = ColumnType::kNumeric;
  std::vector<double> num;
  std::vector<int32_t> codes;
  std::vector<std::string> levels;

  bool IsMissing(size_t row_idx) const;
  // Text of a cell as a user would read it ("KEN", "1986", "" for missing).
  std::string CellText(size_t row_idx) const;
};

class Table {
 public:
  std::string source;  // file path, for messages
  size_t num_rows = 0;
  std::vector<Column> columns;

  // nullptr when absent.
  const Column* Find(const std::string& name) const;
  Column* Find(const std::string& name);
  // Throws Error(kBadModel) naming the table source and the known columns.
  const Column& Get(const std::string& name) const;
  // Rows kept where keep[row_idx] != 0; returns a new table.
  Table Select(std::span<const uint8_t> keep) const;
  void AddNumeric(std::string name, std::vector<double> values);
};

// Dense 0-based ids for the values of one or more columns (an interaction
// `a^b` when several). Missing in any column gives id -1.
struct Factor {
  std::vector<int32_t> ids;          // per row
  std::vector<std::string> labels;   // per level, "KEN" or "KEN_1986" for interactions
  int32_t num_levels() const { return static_cast<int32_t>(labels.size()); }
};

Factor Factorize(const Table& table, const std::vector<std::string>& column_names);

}  // namespace mizani

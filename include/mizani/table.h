// In-memory columnar table and factorised identifiers.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "mizani/error.h"  // (ErrorFromAnotherShare, thrown by RequireNumeric)

namespace mizani {

enum class ColumnType { kNumeric, kString };

// One column. Numeric columns hold doubles with NaN for missing values.
// String columns are factorised once at read time: `codes[row]` indexes
// `levels`, -1 marks a missing value. Levels are in order of first appearance
// and every level is used (Table::Select drops the levels it no longer needs).
struct Column {
  std::string name;
  ColumnType type = ColumnType::kNumeric;
  std::vector<double> num;
  std::vector<int32_t> codes;
  std::vector<std::string> levels;
  // Numeric values owned by the caller instead of `num` (a NumPy array the
  // Python module lends without copying; it outlives the column). Empty when
  // `num` holds the values. Read numeric values through values().
  std::span<const double> borrowed;

  std::span<const double> values() const {
    return borrowed.empty() ? std::span<const double>(num) : borrowed;
  }

  bool IsMissing(size_t row_idx) const;
  // Text of a cell as a user would read it ("KEN", "1986", "" for missing).
  std::string CellText(size_t row_idx) const;
};

class Table {
 public:
  std::string source;  // file path, for messages
  size_t num_rows = 0;
  std::vector<Column> columns;
  // Read with ReadOptions::keep_share under MPI: this rank's share of the
  // file's records, the first of them record `share_first_row` (0-based,
  // after the header); text levels are the whole file's. False otherwise.
  bool is_share = false;
  size_t share_first_row = 0;

  // nullptr when absent.
  const Column* Find(const std::string& name) const;
  Column* Find(const std::string& name);
  // Throws Error(kBadModel) naming the table source and the known columns.
  const Column& Get(const std::string& name) const;
  // Rows kept where keep[row_idx] != 0; returns a new table. `keep` must have
  // num_rows entries.
  Table Select(std::span<const uint8_t> keep) const;
  // Appends a numeric column, or replaces the column of that name. `values`
  // must have num_rows entries (any size when the table has no columns yet).
  void AddNumeric(std::string name, std::vector<double> values);
};

// The values of a numeric column. Throws Error(kBadModel) for an unknown
// column and Error(kBadData) when the column was read as text because some
// value is not a number, naming the file, the first such row and its value.
std::span<const double> RequireNumeric(const Table& table, const std::string& column);

// `value`, the cell of `column` on `row_idx` (0-based), as an integer (a year,
// a country code). Throws Error(kBadData) naming the cell when it is missing,
// not whole, or outside the range of int32_t: converting such a double is
// undefined behaviour in C++ (and 1e300 is a valid double in a CSV file).
int32_t WholeNumber(double value, const Table& table, size_t row_idx, const std::string& column);

// Dense 0-based ids for the values of one or more columns (an interaction
// `a^b` when several). Missing in any column gives id -1. Ids are numbered in
// order of first appearance. Numeric values are labelled as a user would
// write them ("1986", "0.25"). Throws Error(kBadModel) for an unknown column.
struct Factor {
  std::vector<int32_t> ids;         // per row
  std::vector<std::string> labels;  // per level, "KEN" or "KEN_1986" for interactions
  int32_t num_levels() const { return static_cast<int32_t>(labels.size()); }
};

Factor Factorize(const Table& table, const std::vector<std::string>& column_names);
// The parts of Factorize: one column, and the interaction of two factors
// (ids in order of first appearance of the pair; -1 where either is). With
// threads > 1 the rows are split across threads (same result).
Factor FactorizeColumn(const Table& table, const std::string& column_name, int threads = 1);
Factor Interact(const Factor& left, const Factor& right, int threads = 1);
// Interact(FactorizeColumn(left), FactorizeColumn(right)), the same ids and
// labels, without building the two single-column factors (two arrays of N
// ids fewer to allocate and fill) when both columns are text or small whole
// numbers: the columns' own codes are combined directly.
Factor InteractColumns(const Table& table, const std::string& left, const std::string& right,
                       int threads = 1);

}  // namespace mizani

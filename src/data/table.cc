#include "mizani/table.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "common/parallel.h"
#include "data/dense_id_map.h"
#include "data/densify.h"
#include "data/text.h"
#include "mizani/error.h"

namespace mizani {
namespace data {

void AppendNumber(double value, std::string* out) {
  if (std::isnan(value)) return;
  // Integers print through int64 so 1986 never becomes "1986.0" or "1.986e+03";
  // beyond 2^53 doubles are no longer exact integers, so the shortest
  // round-trip form is the honest text there.
  if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0) {
    fmt::format_to(std::back_inserter(*out), "{}", static_cast<int64_t>(value));
    return;
  }
  fmt::format_to(std::back_inserter(*out), "{}", value);
}

std::string FormatNumber(double value) {
  std::string out;
  AppendNumber(value, &out);
  return out;
}

}  // namespace data

namespace {

std::string ColumnList(const Table& table) {
  std::string names;
  for (const Column& column : table.columns) {
    if (!names.empty()) names += ", ";
    names += column.name;
  }
  return names;
}

// The largest key space numbered through a lookup array of one id per key
// (data::DensifyKeys) for `num_rows` rows: 4 keys a row plus 65,536. Above
// it, keys are hashed (DenseIdMap).
uint64_t DirectKeyLimit(size_t num_rows) { return 4 * static_cast<uint64_t>(num_rows) + 65536; }

// A numeric column whose non-missing values are whole numbers in a range of
// at most DirectKeyLimit: the columns whose values index a lookup
// array directly (years, product codes, country numbers), key value - min.
// nullopt otherwise, and for a column without values.
struct SmallIntegers {
  double min_value = 0;
  uint64_t key_space = 0;
};

std::optional<SmallIntegers> SmallIntegersOf(std::span<const double> values, int threads) {
  const data::ValueRange whole = data::RangeOf(values, threads);
  const double range = whole.max_value - whole.min_value;
  if (whole.all_integers && range >= 0 &&
      range <= static_cast<double>(DirectKeyLimit(values.size()))) {
    return SmallIntegers{whole.min_value, static_cast<uint64_t>(range) + 1};
  }
  return std::nullopt;
}

Factor FactorizeString(const Column& column, int threads) {
  // Codes are already dense, but after a filter or a hand-built column they
  // may not be in first-appearance order or may skip levels; renumbering
  // keeps the Factor contract without trusting that.
  Factor factor;
  const std::vector<int64_t> level_codes = data::DensifyKeys(
      column.codes.size(), column.levels.size(),
      [&](int64_t row_idx) { return static_cast<int64_t>(column.codes[row_idx]); }, threads,
      factor.ids);
  factor.labels.reserve(level_codes.size());
  for (int64_t code : level_codes) factor.labels.push_back(column.levels[code]);
  return factor;
}

Factor FactorizeNumeric(const Column& column, int threads) {
  const std::span<const double> values = column.values();
  Factor factor;
  std::vector<double> level_values;

  // Years, product codes and country numbers are small integers: a direct
  // lookup array beats hashing when their range is comparable to the row count.
  if (const std::optional<SmallIntegers> small = SmallIntegersOf(values, threads)) {
    const double min_value = small->min_value;
    const std::vector<int64_t> level_keys = data::DensifyKeys(
        values.size(), small->key_space,
        [&](int64_t row_idx) {
          const double value = values[row_idx];
          return std::isnan(value) ? int64_t{-1} : static_cast<int64_t>(value - min_value);
        },
        threads, factor.ids);
    for (int64_t key : level_keys) level_values.push_back(min_value + static_cast<double>(key));
  } else {
    factor.ids.assign(values.size(), -1);
    data::DenseIdMap map(1024);
    for (size_t row_idx = 0; row_idx < values.size(); ++row_idx) {
      double value = values[row_idx];
      if (std::isnan(value)) continue;
      if (value == 0) value = 0;  // -0.0 and 0.0 are one level
      int32_t id = map.Insert(std::bit_cast<uint64_t>(value));
      if (id == static_cast<int32_t>(level_values.size())) level_values.push_back(value);
      factor.ids[row_idx] = id;
    }
  }
  factor.labels.reserve(level_values.size());
  for (double value : level_values) factor.labels.push_back(data::FormatNumber(value));
  return factor;
}

}  // namespace

bool Column::IsMissing(size_t row_idx) const {
  if (type == ColumnType::kNumeric) return std::isnan(values()[row_idx]);
  return codes[row_idx] < 0;
}

std::string Column::CellText(size_t row_idx) const {
  if (type == ColumnType::kNumeric) return data::FormatNumber(values()[row_idx]);
  int32_t code = codes[row_idx];
  return code < 0 ? std::string() : levels[static_cast<size_t>(code)];
}

const Column* Table::Find(const std::string& name) const {
  for (const Column& column : columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

Column* Table::Find(const std::string& name) {
  for (Column& column : columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

const Column& Table::Get(const std::string& name) const {
  const Column* column = Find(name);
  if (column == nullptr) {
    throw Error(
        ErrorCode::kBadModel,
        fmt::format("{}: no such column (the table has: {})",
                    Where(source.empty() ? "<table>" : source, -1, name), ColumnList(*this)));
  }
  return *column;
}

Table Table::Select(std::span<const uint8_t> keep) const {
  if (keep.size() != num_rows) {
    throw Error(ErrorCode::kInternal,
                fmt::format("Table::Select: {} flags for {} rows", keep.size(), num_rows));
  }
  Table out;
  out.source = source;
  for (uint8_t flag : keep) out.num_rows += flag != 0;
  out.columns.reserve(columns.size());
  for (const Column& column : columns) {
    Column& kept = out.columns.emplace_back();
    kept.name = column.name;
    kept.type = column.type;
    if (column.type == ColumnType::kNumeric) {
      const std::span<const double> values = column.values();
      kept.num.reserve(out.num_rows);
      for (size_t row_idx = 0; row_idx < num_rows; ++row_idx) {
        if (keep[row_idx] != 0) kept.num.push_back(values[row_idx]);
      }
      continue;
    }
    // Levels absent from the kept rows are dropped so that a country filtered
    // out never shows up as a fixed effect with no observations.
    std::vector<int32_t> remap(column.levels.size(), -1);
    kept.codes.reserve(out.num_rows);
    for (size_t row_idx = 0; row_idx < num_rows; ++row_idx) {
      if (keep[row_idx] == 0) continue;
      int32_t code = column.codes[row_idx];
      if (code < 0) {
        kept.codes.push_back(-1);
        continue;
      }
      int32_t& new_code = remap[static_cast<size_t>(code)];
      if (new_code < 0) {
        new_code = static_cast<int32_t>(kept.levels.size());
        kept.levels.push_back(column.levels[static_cast<size_t>(code)]);
      }
      kept.codes.push_back(new_code);
    }
  }
  return out;
}

void Table::AddNumeric(std::string name, std::vector<double> values) {
  if (columns.empty() && num_rows == 0) num_rows = values.size();
  if (values.size() != num_rows) {
    throw Error(ErrorCode::kInternal,
                fmt::format("AddNumeric('{}'): {} values for a table of {} rows", name,
                            values.size(), num_rows));
  }
  Column* existing = Find(name);
  Column& column = existing != nullptr ? *existing : columns.emplace_back();
  column = Column{};
  column.name = std::move(name);
  column.type = ColumnType::kNumeric;
  column.num = std::move(values);
}

std::span<const double> RequireNumeric(const Table& table, const std::string& column_name) {
  const Column& column = table.Get(column_name);
  if (column.type == ColumnType::kNumeric) return column.values();
  const std::string& file = table.source.empty() ? std::string("<table>") : table.source;
  for (size_t row_idx = 0; row_idx < column.codes.size(); ++row_idx) {
    int32_t code = column.codes[row_idx];
    if (code < 0) continue;
    const std::string& text = column.levels[static_cast<size_t>(code)];
    double ignored = 0;
    const data::NumberText kind = data::ClassifyNumber(text, &ignored);
    if (kind != data::NumberText::kFinite) {
      // (A share of the file under MPI numbers its rows from share_first_row.)
      const int64_t row = static_cast<int64_t>(table.share_first_row + row_idx) + 1;
      const char* why = kind == data::NumberText::kNonFinite
                            ? "is not a finite number (a model needs finite values)"
                        : kind == data::NumberText::kOutOfRange
                            ? "is out of the range of a double (about 1.8e308)"
                            : "is not numeric";
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: column '{}' {}: row {} has '{}'", Where(file, row, column_name),
                              column_name, why, row, text));
    }
  }
  // Every value reads as a number: the column was made text on purpose
  // (ReadOptions::string_columns) or holds only quoted numbers, or (a share
  // of the file) the value that made it text is in another rank's share.
  if (table.is_share) {
    throw ErrorFromAnotherShare(
        ErrorCode::kBadData,
        fmt::format("{}: column '{}' is text in another rank's share of the file",
                    Where(file, -1, column_name), column_name));
  }
  throw Error(ErrorCode::kBadData,
              fmt::format("{}: column '{}' was read as text, not numbers (is it listed in "
                          "string_columns?)",
                          Where(file, -1, column_name), column_name));
}

int32_t WholeNumber(double value, const Table& table, size_t row_idx, const std::string& column) {
  // Both bounds are exact doubles; the negation keeps NaN out.
  constexpr double kLow = -2147483648.0, kHigh = 2147483647.0;
  if (!(value >= kLow && value <= kHigh) || std::trunc(value) != value) {
    const std::string& file = table.source.empty() ? std::string("<table>") : table.source;
    throw Error(
        ErrorCode::kBadData,
        fmt::format(
            "{}: {} is not a whole number between -2147483648 and 2147483647",
            Where(file, static_cast<int64_t>(table.share_first_row + row_idx) + 1, column),
            std::isnan(value) ? std::string("a missing value") : fmt::format("'{}'", value)));
  }
  return static_cast<int32_t>(value);
}

// Interaction of two dense factors: the pair (a, b) is the integer
// a * n_b + b, densified again in order of first appearance.
Factor Interact(const Factor& left, const Factor& right, int threads) {
  size_t num_rows = left.ids.size();
  uint64_t right_levels = static_cast<uint64_t>(right.num_levels());
  uint64_t key_space = static_cast<uint64_t>(left.num_levels()) * right_levels;
  Factor out;
  std::vector<std::pair<int32_t, int32_t>> level_parts;
  if (key_space <= DirectKeyLimit(num_rows)) {
    const std::vector<int64_t> level_keys = data::DensifyKeys(
        num_rows, key_space,
        [&](int64_t row_idx) {
          const int32_t left_id = left.ids[row_idx];
          const int32_t right_id = right.ids[row_idx];
          if (left_id < 0 || right_id < 0) return int64_t{-1};
          return static_cast<int64_t>(static_cast<uint64_t>(left_id) * right_levels +
                                      static_cast<uint64_t>(right_id));
        },
        threads, out.ids);
    level_parts.reserve(level_keys.size());
    for (int64_t key : level_keys) {
      level_parts.emplace_back(static_cast<int32_t>(static_cast<uint64_t>(key) / right_levels),
                               static_cast<int32_t>(static_cast<uint64_t>(key) % right_levels));
    }
  } else {
    out.ids.assign(num_rows, -1);
    data::DenseIdMap map(num_rows / 4 + 16);
    for (size_t row_idx = 0; row_idx < num_rows; ++row_idx) {
      int32_t left_id = left.ids[row_idx];
      int32_t right_id = right.ids[row_idx];
      if (left_id < 0 || right_id < 0) continue;
      int32_t id = map.Insert(static_cast<uint64_t>(left_id) * right_levels +
                              static_cast<uint64_t>(right_id));
      if (id == static_cast<int32_t>(level_parts.size()))
        level_parts.emplace_back(left_id, right_id);
      out.ids[row_idx] = id;
    }
  }
  out.labels.resize(level_parts.size());
  for (size_t level = 0; level < level_parts.size(); ++level) {
    const std::string& left_label = left.labels[static_cast<size_t>(level_parts[level].first)];
    const std::string& right_label = right.labels[static_cast<size_t>(level_parts[level].second)];
    std::string& label = out.labels[level];
    label.reserve(left_label.size() + 1 + right_label.size());
    label.append(left_label).append(1, '_').append(right_label);
  }
  return out;
}

namespace {

// A column's own keys, without a factor built: the codes of a text column,
// value - min of a column of small whole numbers (SmallIntegersOf); -1 where
// missing. AppendLabel(key) appends the label FactorizeColumn gives that
// key's level.
struct RawKeys {
  const Column* column = nullptr;
  double min_value = 0;  // numeric columns
  uint64_t key_space = 0;

  int64_t Key(int64_t row_idx) const {
    if (column->type == ColumnType::kString) {
      const int32_t code = column->codes[row_idx];
      return code < 0 ? int64_t{-1} : int64_t{code};
    }
    const double value = column->values()[row_idx];
    return std::isnan(value) ? int64_t{-1} : static_cast<int64_t>(value - min_value);
  }
  void AppendLabel(uint64_t key, std::string* out) const {
    if (column->type == ColumnType::kString) {
      out->append(column->levels[key]);
    } else {
      data::AppendNumber(min_value + static_cast<double>(key), out);
    }
  }
};

std::optional<RawKeys> RawKeysOf(const Column& column, int threads) {
  if (column.type == ColumnType::kString) {
    return RawKeys{&column, 0, static_cast<uint64_t>(column.levels.size())};
  }
  const std::optional<SmallIntegers> small = SmallIntegersOf(column.values(), threads);
  if (!small) return std::nullopt;
  return RawKeys{&column, small->min_value, small->key_space};
}

}  // namespace

Factor InteractColumns(const Table& table, const std::string& left_name,
                       const std::string& right_name, int threads) {
  const Column& left_column = table.Get(left_name);
  const Column& right_column = table.Get(right_name);
  const size_t num_rows = table.num_rows;
  const std::optional<RawKeys> left = RawKeysOf(left_column, threads);
  const std::optional<RawKeys> right =
      left ? RawKeysOf(right_column, threads) : std::optional<RawKeys>();
  // The pair (a, b) of the columns' own keys is a * n_b + b: one-to-one with
  // the pair of their factors' ids, so numbering pairs in order of first
  // appearance gives Interact's ids and labels exactly.
  if (!left || !right || right->key_space == 0 ||
      left->key_space > DirectKeyLimit(num_rows) / right->key_space) {
    return Interact(FactorizeColumn(table, left_name, threads),
                    FactorizeColumn(table, right_name, threads), threads);
  }
  const uint64_t right_space = right->key_space;
  Factor out;
  const std::vector<int64_t> level_keys = data::DensifyKeys(
      num_rows, left->key_space * right_space,
      [&](int64_t row_idx) {
        const int64_t left_key = left->Key(row_idx);
        const int64_t right_key = right->Key(row_idx);
        if (left_key < 0 || right_key < 0) return int64_t{-1};
        return static_cast<int64_t>(static_cast<uint64_t>(left_key) * right_space +
                                    static_cast<uint64_t>(right_key));
      },
      threads, out.ids);
  // Each label appended into its own string, without the temporaries of
  // operator+ (a 640k-level pair effect: 20 ms, session 21).
  out.labels.resize(level_keys.size());
  ParallelFor(threads, static_cast<int64_t>(level_keys.size()),
              [&](int, int64_t begin, int64_t end) {
                for (int64_t level = begin; level < end; ++level) {
                  const auto pair_key = static_cast<uint64_t>(level_keys[level]);
                  std::string& label = out.labels[level];
                  left->AppendLabel(pair_key / right_space, &label);
                  label.push_back('_');
                  right->AppendLabel(pair_key % right_space, &label);
                }
              });
  return out;
}

Factor FactorizeColumn(const Table& table, const std::string& column_name, int threads) {
  const Column& column = table.Get(column_name);
  return column.type == ColumnType::kString ? FactorizeString(column, threads)
                                            : FactorizeNumeric(column, threads);
}

Factor Factorize(const Table& table, const std::vector<std::string>& column_names) {
  if (column_names.empty()) {
    throw Error(ErrorCode::kInternal, "Factorize: no columns given");
  }
  Factor result = column_names.size() == 1
                      ? FactorizeColumn(table, column_names[0])
                      : InteractColumns(table, column_names[0], column_names[1]);
  for (size_t name_idx = 2; name_idx < column_names.size(); ++name_idx)
    result = Interact(result, FactorizeColumn(table, column_names[name_idx]));
  return result;
}

}  // namespace mizani

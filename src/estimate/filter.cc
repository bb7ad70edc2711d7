#include "mizani/filter.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "mizani/error.h"

namespace mizani {

namespace {

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kIn };

std::string Trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

bool ParseNumber(const std::string& text, double* value) {
  const char* first = text.data();
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(first, last, *value);
  return ec == std::errc() && ptr == last && std::isfinite(*value);
}

// 'A' or "A" -> A: a level may be quoted to keep its blanks.
std::string Unquote(const std::string& text) {
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front()) {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

bool Compare(double a, double b, Op op) {
  switch (op) {
    case Op::kEq:
      return a == b;
    case Op::kNe:
      return a != b;
    case Op::kLt:
      return a < b;
    case Op::kLe:
      return a <= b;
    case Op::kGt:
      return a > b;
    case Op::kGe:
      return a >= b;
    case Op::kIn:
      return false;
  }
  return false;
}

[[noreturn]] void Fail(const RowFilter& filter, const std::string& what) {
  throw Error(ErrorCode::kBadModel, fmt::format("filter '{}': {}", filter.text, what));
}

// A level that no row of a text column has is a typo (or a code from another
// classification); matching nothing would silently change the sample.
void RequireLevel(const RowFilter& filter, const std::string& name, const Column& column,
                  const std::string& level) {
  if (std::find(column.levels.begin(), column.levels.end(), level) != column.levels.end()) return;
  std::string some;
  const size_t shown = std::min<size_t>(column.levels.size(), 10);
  for (size_t level_idx = 0; level_idx < shown; ++level_idx) {
    some += (level_idx == 0 ? "" : ", ") + column.levels[level_idx];
  }
  if (shown < column.levels.size()) some += ", ...";
  Fail(filter, fmt::format("no row has level '{}' in column '{}' (its {} levels: {})", level, name,
                           column.levels.size(), some));
}

const Column& Lookup(const Table& table, const RowFilter& filter, const std::string& name) {
  const Column* column = table.Find(name);
  if (column == nullptr) {
    std::string known;
    for (const auto& col : table.columns) known += (known.empty() ? "" : ", ") + col.name;
    Fail(filter, fmt::format("unknown column '{}' in {} (columns: {})", name, table.source, known));
  }
  return *column;
}

void ApplyOne(const Table& table, const RowFilter& filter, std::vector<uint8_t>& keep) {
  static const std::vector<std::pair<std::string, Op>> kOps = {
      {"!=", Op::kNe}, {"==", Op::kEq}, {"<=", Op::kLe},  {">=", Op::kGe},
      {"<", Op::kLt},  {">", Op::kGt},  {" in ", Op::kIn}};
  size_t pos = std::string::npos;
  Op op = Op::kEq;
  std::string op_text;
  for (const auto& [text, candidate] : kOps) {
    pos = filter.text.find(text);
    if (pos != std::string::npos) {
      op = candidate;
      op_text = text;
      break;
    }
  }
  if (pos == std::string::npos) {
    Fail(filter, "expected 'column OP value' with OP one of == != < <= > >= in");
  }
  const std::string left = Trim(filter.text.substr(0, pos));
  const std::string right = Trim(filter.text.substr(pos + op_text.size()));
  if (left.empty() || right.empty()) Fail(filter, "missing column or value");
  const Column& column = Lookup(table, filter, left);
  const size_t rows = table.num_rows;

  if (op == Op::kIn) {
    // a:b:step range (numeric) or a comma-separated set.
    std::vector<std::string> items;
    size_t start = 0;
    while (start <= right.size()) {
      size_t comma = right.find(',', start);
      if (comma == std::string::npos) comma = right.size();
      items.push_back(Trim(right.substr(start, comma - start)));
      start = comma + 1;
    }
    if (items.size() == 1 && items[0].find(':') != std::string::npos) {
      std::vector<double> parts;
      std::string range = items[0];
      size_t piece_start = 0;
      while (piece_start <= range.size()) {
        size_t colon = range.find(':', piece_start);
        if (colon == std::string::npos) colon = range.size();
        double value = 0;
        if (!ParseNumber(Trim(range.substr(piece_start, colon - piece_start)), &value)) {
          Fail(filter, fmt::format("'{}' is not a range first:last[:step]", range));
        }
        parts.push_back(value);
        piece_start = colon + 1;
      }
      if (parts.size() < 2 || parts.size() > 3)
        Fail(filter, "a range is first:last or first:last:step");
      if (column.type != ColumnType::kNumeric)
        Fail(filter, fmt::format("column '{}' is not numeric", left));
      const double first = parts[0], last = parts[1], step = parts.size() == 3 ? parts[2] : 1.0;
      if (!(step > 0)) Fail(filter, "the step of a range must be positive");
      for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
        const double value = column.values()[row_idx];
        const double k = (value - first) / step;
        keep[row_idx] &= value >= first && value <= last && std::abs(k - std::round(k)) < 1e-9;
      }
      return;
    }
    if (column.type == ColumnType::kNumeric) {
      std::vector<double> values;
      for (const auto& item : items) {
        double value = 0;
        if (!ParseNumber(item, &value)) Fail(filter, fmt::format("'{}' is not a number", item));
        values.push_back(value);
      }
      for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
        bool found = false;
        for (double value : values) found |= column.values()[row_idx] == value;
        keep[row_idx] &= found;
      }
    } else {
      for (std::string& item : items) item = Unquote(item);
      // A level no row has is a typo (or a code of another classification):
      // matching nothing silently would change the sample.
      for (const std::string& item : items) RequireLevel(filter, left, column, item);
      std::unordered_set<std::string> set(items.begin(), items.end());
      std::vector<uint8_t> level_in(column.levels.size());
      for (size_t level = 0; level < column.levels.size(); ++level)
        level_in[level] = set.count(column.levels[level]) > 0;
      for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
        const int32_t code = column.codes[row_idx];
        keep[row_idx] &= code >= 0 && level_in[code];
      }
    }
    return;
  }

  // Column against column, when the right side names a column.
  if (const Column* other = table.Find(right); other != nullptr) {
    if (column.type != other->type) Fail(filter, "cannot compare a text column with a numeric one");
    if (column.type == ColumnType::kNumeric) {
      for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
        keep[row_idx] &= Compare(column.values()[row_idx], other->values()[row_idx], op);
      }
    } else {
      if (op != Op::kEq && op != Op::kNe) Fail(filter, "text columns compare only with == or !=");
      // Map the other column's levels onto this column's by label.
      std::unordered_map<std::string, int32_t> index;
      for (size_t level = 0; level < column.levels.size(); ++level)
        index.emplace(column.levels[level], static_cast<int32_t>(level));
      std::vector<int32_t> mapped(other->levels.size(), -2);
      for (size_t level = 0; level < other->levels.size(); ++level) {
        auto it = index.find(other->levels[level]);
        if (it != index.end()) mapped[level] = it->second;
      }
      for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
        const int32_t a = column.codes[row_idx];
        const int32_t b_raw = other->codes[row_idx];
        const int32_t b = b_raw >= 0 ? mapped[b_raw] : -3;
        const bool equal = a >= 0 && a == b;
        keep[row_idx] &= op == Op::kEq ? equal : !equal;
      }
    }
    return;
  }
  const std::string literal = Unquote(right);
  if (column.type == ColumnType::kNumeric) {
    double value = 0;
    if (!ParseNumber(literal, &value))
      Fail(filter, fmt::format("'{}' is neither a number nor a column", literal));
    for (size_t row_idx = 0; row_idx < rows; ++row_idx)
      keep[row_idx] &= Compare(column.values()[row_idx], value, op);
  } else {
    if (op != Op::kEq && op != Op::kNe) Fail(filter, "text columns compare only with == or !=");
    RequireLevel(filter, left, column, literal);
    int32_t target = -2;
    for (size_t level = 0; level < column.levels.size(); ++level) {
      if (column.levels[level] == literal) target = static_cast<int32_t>(level);
    }
    for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
      const bool equal = column.codes[row_idx] == target;
      keep[row_idx] &= op == Op::kEq ? equal : !equal;
    }
  }
}

}  // namespace

std::vector<uint8_t> EvaluateFilters(const Table& table, const std::vector<RowFilter>& filters) {
  std::vector<uint8_t> keep(table.num_rows, 1);
  for (const auto& filter : filters) ApplyOne(table, filter, keep);
  return keep;
}

std::vector<std::string> ModelColumns(const Formula& formula,
                                      const std::vector<std::string>& cluster,
                                      const std::vector<std::string>& filters,
                                      const std::vector<std::string>& extra) {
  std::vector<std::string> columns = formula.Columns();
  columns.insert(columns.end(), cluster.begin(), cluster.end());
  columns.insert(columns.end(), extra.begin(), extra.end());
  for (const auto& filter : filters) {
    for (auto& name : FilterColumnCandidates(filter)) columns.push_back(std::move(name));
  }
  std::sort(columns.begin(), columns.end());
  columns.erase(std::unique(columns.begin(), columns.end()), columns.end());
  return columns;
}

std::vector<std::string> FilterColumnCandidates(const std::string& filter) {
  std::vector<std::string> columns;
  std::string token;
  for (char ch : filter + " ") {
    if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.') {
      token += ch;
    } else {
      if (!token.empty() && !std::isdigit(static_cast<unsigned char>(token[0])) && token != "in") {
        columns.push_back(token);
      }
      token.clear();
    }
  }
  return columns;
}

}  // namespace mizani

#include "io/encoding.h"

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "common/strings.h"
#include "mizani/error.h"

namespace mizani::io {

namespace {

// The 1-based row of the first cell holding `level`.
int64_t FirstRowOf(const Column& column, int32_t level) {
  for (size_t row_idx = 0; row_idx < column.codes.size(); ++row_idx) {
    if (column.codes[row_idx] == level) return static_cast<int64_t>(row_idx) + 1;
  }
  return -1;
}

// Empty when `text` is fine, else why it is not.
std::string Problem(std::string_view text, TextEncoding encoding) {
  if (text.find('\0') != std::string_view::npos) {
    return fmt::format("holds a NUL byte (at position {}): the file is binary or damaged",
                       text.find('\0') + 1);
  }
  if (encoding == TextEncoding::kLatin1) return {};
  const size_t valid = ValidUtf8Prefix(text);
  if (valid == text.size()) return {};
  return fmt::format(
      "is not valid UTF-8 (byte 0x{:02X} at position {}); if the file is Latin-1 (ISO 8859-1, "
      "as many Excel and Stata exports are), read it with --encoding latin1 ([data] encoding = "
      "\"latin1\" in a scenario)",
      static_cast<unsigned char>(text[valid]), valid + 1);
}

}  // namespace

void CheckText(Table* table, TextEncoding encoding) {
  const std::string& file = table->source;
  for (Column& column : table->columns) {
    const std::string name_problem = Problem(column.name, encoding);
    if (!name_problem.empty()) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: header row: the column name {}", file, name_problem));
    }
    if (encoding == TextEncoding::kLatin1) column.name = Latin1ToUtf8(column.name);
    for (size_t level_idx = 0; level_idx < column.levels.size(); ++level_idx) {
      std::string& level = column.levels[level_idx];
      const std::string problem = Problem(level, encoding);
      if (!problem.empty()) {
        const int64_t row = FirstRowOf(column, static_cast<int32_t>(level_idx));
        throw Error(ErrorCode::kBadData,
                    fmt::format("{}: the text {}", Where(file, row, column.name), problem));
      }
      if (encoding == TextEncoding::kLatin1) level = Latin1ToUtf8(level);
    }
  }
}

}  // namespace mizani::io

// The text check of every table read from a file (src/io/encoding.cc): valid
// UTF-8 without NUL bytes passes unchanged, Latin-1 is converted, anything
// else is an error naming the file, the first row holding it and the column.
// The UTF-8 cases follow RFC 3629 section 4 and the Unicode Standard's
// table 3-7 (well-formed byte sequences).
#include "io/encoding.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/strings.h"
#include "mizani/error.h"

namespace mizani {
namespace {

// One text column "name" with the given cells (codes in order of first
// appearance, as the CSV reader makes them) and a missing cell last.
Table TextTable(const std::vector<std::string>& cells, const std::string& column = "name") {
  Table table;
  table.source = "countries.csv";
  Column text;
  text.name = column;
  text.type = ColumnType::kString;
  for (const std::string& cell : cells) {
    int32_t code = -1;
    for (size_t level_idx = 0; level_idx < text.levels.size(); ++level_idx) {
      if (text.levels[level_idx] == cell) code = static_cast<int32_t>(level_idx);
    }
    if (code < 0) {
      code = static_cast<int32_t>(text.levels.size());
      text.levels.push_back(cell);
    }
    text.codes.push_back(code);
  }
  text.codes.push_back(-1);
  table.num_rows = text.codes.size();
  table.columns.push_back(text);
  return table;
}

std::string CheckMessage(Table table, TextEncoding encoding) {
  try {
    io::CheckText(&table, encoding);
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kBadData);
    return error.what();
  }
  return "";
}

TEST(CheckText, ValidUtf8PassesUnchanged) {
  Table table = TextTable(
      {"KEN", "C\xC3\xB4te d'Ivoire", "\xE6\x97\xA5\xE6\x9C\xAC", "KEN", "\xF0\x9F\x8C\x8D"});
  const Table before = table;
  io::CheckText(&table, TextEncoding::kUtf8);
  EXPECT_EQ(table.columns[0].levels, before.columns[0].levels);
  EXPECT_EQ(table.columns[0].codes, before.columns[0].codes);
}

TEST(CheckText, Latin1IsNamedWithItsRowColumnByteAndTheOption) {
  // "Côte" in Latin-1 is 43 F4 74 65; it first appears on data row 3.
  const std::string message = CheckMessage(
      TextTable({"KEN", "JPN", "C\xF4te d'Ivoire", "C\xF4te d'Ivoire"}), TextEncoding::kUtf8);
  EXPECT_NE(message.find("countries.csv"), std::string::npos) << message;
  EXPECT_NE(message.find("row 3"), std::string::npos) << message;
  EXPECT_NE(message.find("'name'"), std::string::npos) << message;
  EXPECT_NE(message.find("0xF4 at position 2"), std::string::npos) << message;
  EXPECT_NE(message.find("--encoding latin1"), std::string::npos) << message;
}

TEST(CheckText, Latin1IsConvertedToUtf8WhenDeclared) {
  Table table = TextTable({"C\xF4te d'Ivoire", "S\xE3o Tom\xE9", "KEN"}, "pa\xEDs");
  io::CheckText(&table, TextEncoding::kLatin1);
  // U+00F4 is C3 B4, U+00E3 is C3 A3, U+00E9 is C3 A9, U+00ED is C3 AD.
  EXPECT_EQ(table.columns[0].name, "pa\xC3\xADs");
  EXPECT_EQ(table.columns[0].levels,
            (std::vector<std::string>{"C\xC3\xB4te d'Ivoire", "S\xC3\xA3o Tom\xC3\xA9", "KEN"}));
}

TEST(CheckText, ANulByteIsAnErrorInEitherEncoding) {
  for (const TextEncoding encoding : {TextEncoding::kUtf8, TextEncoding::kLatin1}) {
    const std::string message = CheckMessage(TextTable({"KEN", std::string("JP\0N", 4)}), encoding);
    EXPECT_NE(message.find("row 2"), std::string::npos) << message;
    EXPECT_NE(message.find("NUL byte (at position 3)"), std::string::npos) << message;
  }
}

TEST(CheckText, ABrokenColumnNameNamesTheHeaderRow) {
  const std::string message = CheckMessage(TextTable({"KEN"}, "pa\xEDs"), TextEncoding::kUtf8);
  EXPECT_NE(message.find("header row"), std::string::npos) << message;
  EXPECT_NE(message.find("0xED at position 3"), std::string::npos) << message;
}

TEST(CheckText, IllFormedUtf8IsRejectedAtItsFirstBadByte) {
  // (text, length of its valid prefix): RFC 3629 and Unicode table 3-7.
  const std::vector<std::pair<std::string, size_t>> cases = {
      {"ab\xC0\xAF", 2},          // overlong "/" (C0 and C1 never occur)
      {"\xE0\x80\xAF", 0},        // overlong 3-byte form of "/"
      {"x\xED\xA0\x80", 1},       // U+D800, a surrogate
      {"\xF4\x90\x80\x80", 0},    // U+110000, above the last code point
      {"ok\xF5\x80\x80\x80", 2},  // F5..FF never occur
      {"end\xE6\x97", 3},         // truncated at the end of the cell
      {"\x80", 0},                // a lone continuation byte
  };
  for (const auto& [text, valid] : cases) {
    EXPECT_EQ(ValidUtf8Prefix(text), valid) << text;
    EXPECT_NE(CheckMessage(TextTable({text}), TextEncoding::kUtf8).find("not valid UTF-8"),
              std::string::npos);
  }
  // The limits that are valid: U+10FFFF, U+D7FF, U+E000, U+0080.
  for (const std::string text : {"\xF4\x8F\xBF\xBF", "\xED\x9F\xBF", "\xEE\x80\x80", "\xC2\x80"}) {
    EXPECT_EQ(ValidUtf8Prefix(text), text.size()) << text;
    EXPECT_EQ(CheckMessage(TextTable({text}), TextEncoding::kUtf8), "");
  }
}

}  // namespace
}  // namespace mizani

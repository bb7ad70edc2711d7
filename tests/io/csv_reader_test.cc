#include <fmt/format.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "data/text.h"
#include "io/chunk_memory.h"
#include "io/csv_chunk.h"
#include "io/file_bytes.h"
#include "mizani/error.h"
#include "mizani/read.h"
#include "mizani/settings.h"
#include "mizani/table.h"
#include "test_support.h"

namespace mizani {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class CsvTest : public testing::TempDirTest {
 protected:
  CsvTest() : TempDirTest("csv") {}

  // Gzip-compressed `content`; `keep_bytes` > 0 cuts the compressed file.
  std::string WriteGz(const std::string& name, const std::string& content, size_t keep_bytes = 0) {
    std::string path = dir_ + "/" + name;
    gzFile file = gzopen(path.c_str(), "wb");
    EXPECT_NE(file, nullptr);
    EXPECT_EQ(gzwrite(file, content.data(), static_cast<unsigned>(content.size())),
              static_cast<int>(content.size()));
    gzclose(file);
    if (keep_bytes > 0) std::filesystem::resize_file(path, keep_bytes);
    return path;
  }
};

using testing::ExpectError;

// The fast decimal path must give exactly what std::from_chars gives.
TEST(ParseNumber, MatchesFromCharsBitForBit) {
  std::mt19937_64 engine(7);
  std::vector<std::string> texts = {"0",
                                    "-0",
                                    "1986",
                                    "0.1",
                                    "-3.15",
                                    "5.",
                                    ".5",
                                    "9007199254740993",
                                    "9007199254740992.5",
                                    "123456789.123456789",
                                    "1e3",
                                    "2.5E-8",
                                    " 12 ",
                                    "+4",
                                    "0.30000000000000004",
                                    "61288.5902628606"};
  for (int draw = 0; draw < 200000; ++draw) {
    uint64_t bits = engine();
    int decimals = static_cast<int>(bits % 20);
    int64_t digits = static_cast<int64_t>((bits >> 8) % 100000000000000000ULL);
    std::string text = std::to_string(digits);
    if (decimals > 0) {
      while (static_cast<int>(text.size()) <= decimals) text.insert(text.begin(), '0');
      text.insert(text.end() - decimals, '.');
    }
    if ((bits >> 62) == 1) text.insert(text.begin(), '-');
    texts.push_back(text);
  }
  for (const std::string& text : texts) {
    double fast = 0;
    ASSERT_TRUE(data::ParseNumber(text, &fast)) << text;
    std::string_view trimmed = text;
    while (trimmed.front() == ' ' || trimmed.front() == '+') trimmed.remove_prefix(1);
    while (trimmed.back() == ' ') trimmed.remove_suffix(1);
    double reference = 0;
    auto [ptr, ec] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), reference);
    ASSERT_EQ(ec, std::errc()) << text;
    ASSERT_EQ(std::signbit(fast), std::signbit(reference)) << text;
    ASSERT_EQ(fast, reference) << text;
  }
  double ignored = 0;
  for (const char* bad : {"", "-", ".", "1.2.3", "abc", "1,5", "--1", "1e", "0x10"}) {
    EXPECT_FALSE(data::ParseNumber(bad, &ignored)) << bad;
  }
}

// Digits are read eight at a time where eight remain; runs of every length
// around that, and bytes just outside '0'..'9' ('/' and ':') at every place of
// an eight-byte window, must still parse exactly or be rejected.
TEST(ParseNumber, EightDigitRunsMatchFromChars) {
  std::vector<std::string> texts;
  for (int digits = 1; digits <= 19; ++digits) {
    std::string run;
    for (int digit_idx = 0; digit_idx < digits; ++digit_idx)
      run += static_cast<char>('1' + digit_idx % 9);
    texts.push_back(run);
    texts.push_back("-" + run);
    for (size_t point = 0; point <= run.size(); ++point) {
      texts.push_back(run.substr(0, point) + "." + run.substr(point));
    }
  }
  for (const std::string& text : texts) {
    double fast = 0;
    ASSERT_TRUE(data::ParseNumber(text, &fast)) << text;
    double reference = 0;
    std::from_chars(text.data(), text.data() + text.size(), reference);
    ASSERT_EQ(fast, reference) << text;
  }
  double ignored = 0;
  for (size_t place = 0; place < 9; ++place) {
    for (char outside : {'/', ':'}) {
      std::string bad = "123456789";
      bad[place] = outside;
      EXPECT_FALSE(data::ParseNumber(bad, &ignored)) << bad;
      EXPECT_FALSE(data::ParseNumber("0." + bad, &ignored)) << bad;
    }
  }
}

TEST_F(CsvTest, DetectsTypesAndMissingValues) {
  std::string path = WriteText("small.csv",
                               "exporter,importer,year,trade\n"
                               "KEN,JPN,1986,1.6\n"
                               "JPN,KEN,1986,\n"
                               "KEN,JPN,2006,NA\n"
                               "\"NA\",JPN,2006,.\n"
                               ",KEN,2006,3.15\n");
  Table table = ReadCsv(path);
  EXPECT_EQ(table.source, path);
  ASSERT_EQ(table.num_rows, 5u);
  ASSERT_EQ(table.columns.size(), 4u);
  const Column& exporter = table.Get("exporter");
  ASSERT_EQ(exporter.type, ColumnType::kString);
  // A quoted "NA" is Namibia; an empty field is missing.
  EXPECT_EQ(exporter.levels, (std::vector<std::string>{"KEN", "JPN", "NA"}));
  EXPECT_EQ(exporter.codes, (std::vector<int32_t>{0, 1, 0, 2, -1}));
  const Column& trade = table.Get("trade");
  ASSERT_EQ(trade.type, ColumnType::kNumeric);
  EXPECT_EQ(trade.num[0], 1.6);
  EXPECT_TRUE(std::isnan(trade.num[1]));
  EXPECT_TRUE(std::isnan(trade.num[2]));
  EXPECT_TRUE(std::isnan(trade.num[3]));
  EXPECT_EQ(trade.num[4], 3.15);
  EXPECT_EQ(table.Get("year").num, (std::vector<double>{1986, 1986, 2006, 2006, 2006}));
}

TEST_F(CsvTest, QuotedFieldsEscapesCrLfBomAndBlankLines) {
  std::string path = WriteText("quoted.csv",
                               "\xEF\xBB\xBF\"name\",\"value\",note\r\n"
                               "\"Korea, Republic of\",\"1.5\",\"said \"\"hi\"\"\"\r\n"
                               "\r\n"
                               "\"two\nlines\", +2 ,plain\r\n"
                               "x,-3e2,\"\"");
  Table table = ReadCsv(path);
  ASSERT_EQ(table.num_rows, 3u);
  EXPECT_EQ(table.columns[0].name, "name");
  EXPECT_EQ(table.Get("name").levels,
            (std::vector<std::string>{"Korea, Republic of", "two\nlines", "x"}));
  EXPECT_EQ(table.Get("value").num, (std::vector<double>{1.5, 2.0, -300.0}));
  const Column& note = table.Get("note");
  EXPECT_EQ(note.CellText(0), "said \"hi\"");
  EXPECT_EQ(note.CellText(1), "plain");
  EXPECT_TRUE(note.IsMissing(2));
}

TEST_F(CsvTest, DetectsTabAndSemicolonDelimiters) {
  Table tabs = ReadCsv(WriteText("t.tsv", "a\tb\n1\tx,y\n"));
  ASSERT_EQ(tabs.columns.size(), 2u);
  EXPECT_EQ(tabs.Get("b").CellText(0), "x,y");
  Table semicolons = ReadCsv(WriteText("s.csv", "a;b;c\n1;2,5;z\n"));
  ASSERT_EQ(semicolons.columns.size(), 3u);
  EXPECT_EQ(semicolons.Get("b").CellText(0), "2,5");
  ReadOptions forced;
  forced.delimiter = ';';
  Table single = ReadCsv(WriteText("f.csv", "a,b\n1,2\n"), forced);
  ASSERT_EQ(single.columns.size(), 1u);
  EXPECT_EQ(single.columns[0].name, "a,b");
}

TEST_F(CsvTest, LateTextKeepsEarlierOriginalText) {
  // "007" must not come back as "7" when the column turns out to be text.
  Table table = ReadCsv(WriteText("late.csv", "code,x\n007,1\n1e3,2\n,3\nabc,4\n"));
  const Column& code = table.Get("code");
  ASSERT_EQ(code.type, ColumnType::kString);
  EXPECT_EQ(code.CellText(0), "007");
  EXPECT_EQ(code.CellText(1), "1e3");
  EXPECT_TRUE(code.IsMissing(2));
  EXPECT_EQ(code.CellText(3), "abc");
}

TEST_F(CsvTest, SelectsColumnsInRequestedOrderAndForcesText) {
  std::string path = WriteText("sel.csv", "a,b,c\n1,010,x\n2,020,y\n");
  ReadOptions options;
  options.columns = {"c", "b", "c"};
  options.string_columns = {"b"};
  Table table = ReadCsv(path, options);
  ASSERT_EQ(table.columns.size(), 2u);
  EXPECT_EQ(table.columns[0].name, "c");
  EXPECT_EQ(table.columns[1].name, "b");
  EXPECT_EQ(table.columns[1].type, ColumnType::kString);
  EXPECT_EQ(table.columns[1].CellText(1), "020");

  ReadOptions unknown;
  unknown.columns = {"a", "trade"};
  ExpectError([&] { ReadCsv(path, unknown); }, ErrorCode::kBadModel, {path, "'trade'", "a, b, c"});
  ReadOptions unknown_text;
  unknown_text.string_columns = {"zz"};
  ExpectError([&] { ReadCsv(path, unknown_text); }, ErrorCode::kBadModel, {path, "'zz'"});
}

TEST_F(CsvTest, HeaderOnlyAndEmptyFiles) {
  Table table = ReadCsv(WriteText("header.csv", "a,b\n"));
  EXPECT_EQ(table.num_rows, 0u);
  EXPECT_EQ(table.columns.size(), 2u);
  std::string empty = WriteText("empty.csv", "");
  ExpectError([&] { ReadCsv(empty); }, ErrorCode::kBadData, {empty, "empty"});
  std::string twice = WriteText("twice.csv", "a,b,a\n1,2,3\n");
  ExpectError([&] { ReadCsv(twice); }, ErrorCode::kBadData, {twice, "'a'", "twice"});
}

TEST_F(CsvTest, WrongFieldCountNamesFileRowLineAndCounts) {
  std::string path = WriteText("short.csv", "a,b,c\n1,2,3\n\"multi\nline\",5,6\n7,8\n");
  ExpectError([&] { ReadCsv(path); }, ErrorCode::kBadData,
              {path, "row 3", "line 5", "expected 3", "found 2"});
  std::string long_row = WriteText("long.csv", "a,b\n1,2\n3,4,5\n");
  ExpectError([&] { ReadCsv(long_row); }, ErrorCode::kBadData,
              {long_row, "row 2", "line 3", "expected 2", "found 3"});
}

TEST_F(CsvTest, QuotingErrorsNameRowAndColumn) {
  std::string open = WriteText("open.csv", "a,b\n1,\"never closed\n2,3\n");
  ExpectError([&] { ReadCsv(open); }, ErrorCode::kBadData,
              {open, "row 1", "column 'b'", "closing quote"});
  std::string after = WriteText("after.csv", "a,b\n1,2\n\"x\"y,3\n");
  ExpectError([&] { ReadCsv(after); }, ErrorCode::kBadData,
              {after, "row 2", "column 'a'", "after the closing quote"});
}

TEST_F(CsvTest, MissingFileAndDirectoryAreUnreadable) {
  std::string missing = dir_ + "/no_such.csv";
  ExpectError([&] { ReadCsv(missing); }, ErrorCode::kFileUnreadable, {missing});
  ExpectError([&] { ReadTable(missing); }, ErrorCode::kFileUnreadable, {missing});
  ExpectError([&] { ReadCsv(dir_); }, ErrorCode::kFileUnreadable, {dir_, "directory"});
}

// A guessed column list (a filter's value "USA" taken for a column): with
// columns_may_be_absent every column is read; without, the unknown name is
// the error.
TEST_F(CsvTest, GuessedColumnsFallBackToEveryColumn) {
  const std::string path = WriteText("guess.csv", "a,b,c\n1,2,x\n3,4,y\n");
  ReadOptions options;
  options.columns = {"USA", "a"};
  ExpectError([&] { ReadTable(path, options); }, ErrorCode::kBadModel, {path, "'USA'"});
  options.columns_may_be_absent = true;
  const Table table = ReadTable(path, options);
  ASSERT_EQ(table.columns.size(), 3u);
  EXPECT_EQ(table.num_rows, 2u);
  EXPECT_EQ(table.Get("c").CellText(1), "y");
  options.columns = {"c", "a"};  // all present: only these are read
  EXPECT_EQ(ReadTable(path, options).columns.size(), 2u);
  // Other errors are not retried.
  const std::string absent = dir_ + "/absent.csv";
  ExpectError([&] { ReadTable(absent, options); }, ErrorCode::kFileUnreadable, {absent});
}

TEST_F(CsvTest, UnknownExtensionIsUnreadable) {
  std::string path = WriteText("data.xlsx", "a\n1\n");
  ExpectError([&] { ReadTable(path); }, ErrorCode::kFileUnreadable,
              {path, "unknown file format, expected .csv, .csv.gz or .dta"});
  // The dispatch is case-insensitive and knows the other delimited types.
  EXPECT_EQ(ReadTable(WriteText("DATA.CSV", "a\n1\n")).num_rows, 1u);
  EXPECT_EQ(ReadTable(WriteText("data.dlm", "a\n1\n2\n")).num_rows, 2u);
}

TEST_F(CsvTest, ReadsGzipLikePlain) {
  std::string content = "exporter,year,trade\n\"KEN\",1986,1.6\n\"JPN\",2006,373.12\n";
  Table plain = ReadCsv(WriteText("p.csv", content));
  Table zipped = ReadTable(WriteGz("p.csv.gz", content));
  ASSERT_EQ(zipped.num_rows, 2u);
  EXPECT_EQ(zipped.Get("exporter").levels, plain.Get("exporter").levels);
  EXPECT_EQ(zipped.Get("trade").num, plain.Get("trade").num);
  // Detected by content, not by name.
  EXPECT_EQ(ReadCsv(WriteGz("mislabelled.csv", content)).num_rows, 2u);
}

TEST_F(CsvTest, TruncatedGzipIsUnreadable) {
  std::string content = "a,b\n";
  for (int row = 0; row < 20000; ++row) content += fmt::format("{},x{}\n", row, row % 97);
  std::string full = WriteGz("full.csv.gz", content);
  size_t size = std::filesystem::file_size(full);
  std::string cut = WriteGz("cut.csv.gz", content, size / 2);
  ExpectError([&] { ReadCsv(cut); }, ErrorCode::kFileUnreadable, {cut, "gzip"});
  // Only the 8-byte trailer (CRC and length) missing.
  std::string no_trailer = WriteGz("trailer.csv.gz", content, size - 8);
  ExpectError([&] { ReadCsv(no_trailer); }, ErrorCode::kFileUnreadable, {no_trailer});
}

TEST_F(CsvTest, WriteThenReadRoundTripsExactly) {
  Table table;
  table.source = "memory";
  table.num_rows = 5;
  Column country;
  country.name = "country";
  country.type = ColumnType::kString;
  country.levels = {"KEN", "Korea, Rep.", "say \"hi\"", "NA"};
  country.codes = {0, 1, 2, 3, -1};
  table.columns.push_back(country);
  table.AddNumeric("year", {1986, 1990, -5, 0, 2006});
  table.AddNumeric("value", {1.0 / 3.0, 1e-300, 61288.5902628606, kNaN, -0.1 * 3});
  table.AddNumeric("big", {1e22, 9007199254740993.0, 123456789012.0, 2.5e-8, -1e300});
  std::string path = dir_ + "/round.csv";
  WriteCsv(table, path);
  Table back = ReadCsv(path);
  ASSERT_EQ(back.num_rows, table.num_rows);
  ASSERT_EQ(back.columns.size(), table.columns.size());
  const Column& read_country = back.Get("country");
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    EXPECT_EQ(read_country.CellText(row_idx), country.CellText(row_idx));
    EXPECT_EQ(read_country.IsMissing(row_idx), country.IsMissing(row_idx));
  }
  for (const char* name : {"year", "value", "big"}) {
    const std::vector<double>& expected = table.Get(name).num;
    const std::vector<double>& actual = back.Get(name).num;
    ASSERT_EQ(back.Get(name).type, ColumnType::kNumeric) << name;
    for (size_t row_idx = 0; row_idx < expected.size(); ++row_idx) {
      if (std::isnan(expected[row_idx])) {
        EXPECT_TRUE(std::isnan(actual[row_idx]));
      } else {
        EXPECT_EQ(actual[row_idx], expected[row_idx]) << name << " row " << row_idx;
      }
    }
  }
}

TEST_F(CsvTest, WriteToBadPathFails) {
  Table table;
  table.AddNumeric("x", {1});
  ExpectError([&] { WriteCsv(table, dir_ + "/no/such/dir/out.csv"); }, ErrorCode::kOutputFailed,
              {"out.csv"});
}

// Large enough (> 4 MiB) for the parallel parse; multi-line quoted fields
// straddle the split points.
std::string BigCsv(int rows, int bad_row) {
  std::string content = "exporter,importer,year,trade,note,code\n";
  content.reserve(static_cast<size_t>(rows) * 48);
  for (int row = 1; row <= rows; ++row) {
    if (row == bad_row) {
      content += "\"C1\",\"C2\",2000\n";
      continue;
    }
    fmt::format_to(std::back_inserter(content), "\"C{}\",\"C{}\",{},{}.25,", row % 250, row % 7,
                   1980 + row % 40, row);
    content += row % 1000 == 0 ? "\"a\nb\"," : "x,";
    // Numbers until a text value near the end: the column becomes text in
    // the last chunk only, and earlier chunks must be re-read as text.
    content += row == 190000 ? std::string("x190000\n") : fmt::format("{:03}\n", row % 500);
  }
  return content;
}

TEST_F(CsvTest, ParallelParseMatchesContent) {
  constexpr int kRows = 200000;
  std::string path = WriteText("big.csv", BigCsv(kRows, -1));
  ASSERT_GT(std::filesystem::file_size(path), size_t{4} << 20);
  Table table = ReadCsv(path);
  ASSERT_EQ(table.num_rows, static_cast<size_t>(kRows));
  const Column& exporter = table.Get("exporter");
  const Column& trade = table.Get("trade");
  const Column& note = table.Get("note");
  EXPECT_EQ(exporter.levels.size(), 250u);
  for (int row = 1; row <= kRows; row += 777) {
    auto row_idx = static_cast<size_t>(row - 1);
    EXPECT_EQ(exporter.CellText(row_idx), fmt::format("C{}", row % 250));
    EXPECT_EQ(trade.num[row_idx], row + 0.25);
  }
  EXPECT_EQ(note.CellText(999), "a\nb");
  EXPECT_EQ(note.CellText(kRows - 1), "a\nb");
  EXPECT_EQ(note.CellText(kRows - 2), "x");
  // Levels in order of first appearance across chunks.
  EXPECT_EQ(exporter.levels[0], "C1");
  EXPECT_EQ(note.levels, (std::vector<std::string>{"x", "a\nb"}));
  const Column& code = table.Get("code");
  ASSERT_EQ(code.type, ColumnType::kString);
  EXPECT_EQ(code.CellText(0), "001");
  EXPECT_EQ(code.CellText(498), "499");
  EXPECT_EQ(code.CellText(499), "000");
  EXPECT_EQ(code.CellText(189999), "x190000");
  EXPECT_EQ(code.levels.size(), 501u);
  try {
    RequireNumeric(table, "code");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("row 190000 has 'x190000'"), std::string::npos)
        << error.what();
  }
}

// Labels in random row order (every row looks its labels up, where a
// sorted panel repeats the previous one): texts of 1 to 7 bytes go through
// the packed short-text index, longer ones through the general map, and a
// quoted field whose unescaped text is short must meet its unquoted twin.
// The codes are checked against a first-appearance numbering built here.
// A text column read from labels `expected_label` (one a row): its levels
// in order of first appearance, and every row's code that of its label.
void ExpectCodesInOrderOfFirstAppearance(const Column& label,
                                         const std::vector<std::string>& expected_label) {
  ASSERT_EQ(label.type, ColumnType::kString);
  std::unordered_map<std::string, int32_t> first_code;
  std::vector<std::string> levels;
  for (const std::string& text : expected_label) {
    if (first_code.emplace(text, static_cast<int32_t>(levels.size())).second)
      levels.push_back(text);
  }
  ASSERT_EQ(label.levels, levels);
  for (size_t row = 0; row < expected_label.size(); ++row) {
    ASSERT_EQ(label.codes[row], first_code.at(expected_label[row])) << "row " << row + 1;
  }
}

TEST_F(CsvTest, ShuffledLabelsGetCodesInOrderOfFirstAppearance) {
  std::vector<std::string> pool;
  for (int idx = 0; idx < 6000; ++idx) pool.push_back(fmt::format("{}", idx));       // 1-4 bytes
  for (int idx = 0; idx < 3000; ++idx) pool.push_back(fmt::format("K{:06d}", idx));  // 7 bytes
  for (int idx = 0; idx < 3000; ++idx) pool.push_back(fmt::format("L{:07d}", idx));  // 8 bytes
  for (int idx = 0; idx < 500; ++idx) pool.push_back(fmt::format("long label {}", idx));
  // Texts that differ only in their length or last byte.
  for (const char* text : {"ab", "ab ", "ab  ", "a", "b", "A\"B", "K000001x"}) pool.push_back(text);
  std::mt19937_64 rng(19);
  std::uniform_int_distribution<size_t> pick(0, pool.size() - 1);
  std::bernoulli_distribution quote(0.1);
  constexpr int kRows = 400000;
  std::string content = "label,value\n";
  std::vector<std::string> expected_label;
  for (int row = 0; row < kRows; ++row) {
    const std::string& label = pool[pick(rng)];
    std::string field = label;
    if (quote(rng) || label.find('"') != std::string::npos) {
      // (Built with push_back: GCC 12 warns falsely (-Wrestrict) on the
      // assignment of a literal here.)
      field.assign(1, '"');
      for (char ch : label) {
        field.push_back(ch);
        if (ch == '"') field.push_back('"');
      }
      field.push_back('"');
    }
    content += field + "," + std::to_string(row) + "\n";
    expected_label.push_back(label);
  }
  std::string path = WriteText("shuffled_labels.csv", content);
  ASSERT_GT(std::filesystem::file_size(path), size_t{4} << 20);  // several chunks
  Table table = ReadCsv(path);
  ASSERT_EQ(table.num_rows, static_cast<size_t>(kRows));
  ExpectCodesInOrderOfFirstAppearance(table.Get("label"), expected_label);
}

// Short labels are read with one 8-byte load where the buffer allows it,
// and a run of one label is recognised by its packed key: labels in runs,
// labels that differ only in length or in a last byte next to each other,
// and a last label that ends the file with fewer than 8 bytes left.
TEST_F(CsvTest, LabelsInRunsAndAtTheEndOfTheFileKeepTheirCodes) {
  const std::vector<std::string> pool = {"ab",      "ab ",      "abc", "a", "b",  "K000001",
                                         "K000002", "K0000011", "x y", "7", "07", "A\"B"};
  std::mt19937_64 rng(21);
  std::uniform_int_distribution<size_t> pick(0, pool.size() - 1);
  std::uniform_int_distribution<int> run_length(1, 5);
  for (const char* last : {"a", "ab", "K000002", "Kx"}) {
    for (bool newline : {false, true}) {
      std::string content = "value,label\n";
      std::vector<std::string> expected_label;
      while (expected_label.size() < 300000) {
        const std::string& label = pool[pick(rng)];
        const int repeats = run_length(rng);
        for (int copy = 0; copy < repeats; ++copy) {
          const bool quoted = label.find('"') != std::string::npos;
          content += fmt::format("{},{}\n", expected_label.size(), quoted ? "\"A\"\"B\"" : label);
          expected_label.push_back(label);
        }
      }
      content += fmt::format("{},{}", expected_label.size(), last);
      if (newline) content += "\n";
      expected_label.push_back(last);
      std::string path = WriteText("label_runs.csv", content);
      Table table = ReadCsv(path);
      ASSERT_EQ(table.num_rows, expected_label.size());
      SCOPED_TRACE(fmt::format("last label {}, {}a line break", last, newline ? "" : "no "));
      ExpectCodesInOrderOfFirstAppearance(table.Get("label"), expected_label);
    }
  }
}

TEST_F(CsvTest, ParallelParseReportsExactRowOfAnError) {
  constexpr int kRows = 200000;
  constexpr int kBadRow = 180001;
  std::string path = WriteText("bad_big.csv", BigCsv(kRows, kBadRow));
  // Rows before it hold 179 quoted two-line fields, one extra line each.
  int line = kBadRow + 1 + (kBadRow - 1) / 1000;
  ExpectError([&] { ReadCsv(path); }, ErrorCode::kBadData,
              {path, "row 180001", fmt::format("line {}", line), "expected 6", "found 3"});
}

// The reader classifies 64-byte blocks counted from the start of each chunk
// (the first chunk starts after the header). Each case puts one character of
// interest on the last byte of a block (offset 63 after the header) or the
// first byte of the next (offset 64); fields are read as text.
TEST_F(CsvTest, BlockScannerHandlesBlockEdges) {
  struct Case {
    std::string name;
    std::string data;  // after the header line "a,b\n"
    std::vector<std::string> a;
    std::vector<std::string> b;
  };
  std::string x61(61, 'x');
  std::string x62(62, 'x');
  std::string x63(63, 'x');
  std::vector<Case> cases = {
      // Closing quote at 63, its delimiter at 64: the parity crosses the edge.
      {"closing quote on the edge", "\"" + x62 + "\",1\n2,3\n", {x62, "2"}, {"1", "3"}},
      // Delimiter at 63, opening quote at 64.
      {"opening quote after the edge", x63 + ",\"y,z\"\n", {x63}, {"y,z"}},
      // '\r' at 63, '\n' at 64: one line break, not a blank line.
      {"CRLF across the edge", x61 + ",1\r\n2,3\r\n", {x61, "2"}, {"1", "3"}},
      // A "" escape split by the edge.
      {"escape across the edge", "\"" + x62 + "\"\"y\",1\n", {x62 + "\"y"}, {"1"}},
      // A quoted line break at 63.
      {"quoted newline on the edge", "\"" + x62 + "\ny\",1\n", {x62 + "\ny"}, {"1"}},
      // A quote inside an unquoted field at 64 is plain text (12" pipe).
      {"quote inside an unquoted field",
       "x" + x63 + "\"in,1\n\"q\",2\n",
       {"x" + x63 + "\"in", "q"},
       {"1", "2"}},
      // A field over three blocks, with delimiters inside quotes.
      {"field spanning blocks",
       "\"" + std::string(150, ',') + "\",1\n",
       {std::string(150, ',')},
       {"1"}},
      // Blank lines across the edge, and a last record without a line break.
      {"blank lines across the edge", x61 + ",1\n\r\n\n\n2,3", {x61, "2"}, {"1", "3"}},
  };
  ReadOptions text;
  text.string_columns = {"a", "b"};
  for (const Case& test_case : cases) {
    Table table = ReadCsv(WriteText("edge.csv", "a,b\n" + test_case.data), text);
    ASSERT_EQ(table.num_rows, test_case.a.size()) << test_case.name;
    for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
      EXPECT_EQ(table.Get("a").CellText(row_idx), test_case.a[row_idx]) << test_case.name;
      EXPECT_EQ(table.Get("b").CellText(row_idx), test_case.b[row_idx]) << test_case.name;
    }
  }
  // Quoting errors on the edge are still found and named.
  std::string after = WriteText("after_edge.csv", "a,b\n\"" + x62 + "\"y,1\n");
  ExpectError([&] { ReadCsv(after); }, ErrorCode::kBadData,
              {after, "row 1", "column 'a'", "after the closing quote"});
  std::string open = WriteText("open_edge.csv", "a,b\n" + x63 + ",\"never closed\n");
  ExpectError([&] { ReadCsv(open); }, ErrorCode::kBadData,
              {open, "row 1", "column 'b'", "closing quote"});
}

// Random records in every form the rules allow, each field's text known by
// construction. Fields are read as text; nullopt is a missing value.
struct RandomCsv {
  std::string text;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

// `stray_quotes` false: no quote inside an unquoted field, so that the block
// scanner never hands a record to ScanRecord.
RandomCsv MakeRandomCsv(uint64_t seed, size_t target_bytes, size_t first_field_width,
                        bool stray_quotes = true) {
  std::mt19937_64 engine(seed);
  auto draw = [&](uint64_t bound) { return engine() % bound; };
  auto random_text = [&](const std::string& alphabet, size_t max_size) {
    std::string out;
    size_t size = draw(max_size + 1);
    for (size_t char_idx = 0; char_idx < size; ++char_idx) out += alphabet[draw(alphabet.size())];
    return out;
  };
  RandomCsv csv;
  csv.text = "a,b,c\n";
  // The first record shifts everything after it against the block edges.
  csv.text += std::string(first_field_width, 'p') + ",0,0\n";
  csv.rows.push_back({std::string(first_field_width, 'p'), "0", "0"});
  if (first_field_width == 0) csv.rows.back()[0] = std::nullopt;
  while (csv.text.size() < target_bytes) {
    std::vector<std::optional<std::string>> row;
    for (int field_idx = 0; field_idx < 3; ++field_idx) {
      if (field_idx > 0) csv.text += ',';
      switch (draw(6)) {
        case 0: {  // plain text, or missing when empty
          std::string plain = random_text("abc 019", 12);
          csv.text += plain;
          row.push_back(plain.empty() ? std::nullopt : std::optional<std::string>(plain));
          break;
        }
        case 1: {  // a quote inside an unquoted field is text
          std::string plain =
              "z" + random_text(stray_quotes ? "ab\" " : "ab ", 6) + (stray_quotes ? "\"" : "z");
          csv.text += plain;
          row.push_back(plain);
          break;
        }
        case 2:
        case 3: {  // quoted, with delimiters, line breaks and "" escapes
          std::string value = random_text("ab,\n\r\" ", draw(4) == 0 ? 150 : 10);
          csv.text += '"';
          for (char symbol : value)
            csv.text += symbol == '"' ? std::string("\"\"") : std::string(1, symbol);
          csv.text += '"';
          row.push_back(value.empty() ? std::nullopt : std::optional<std::string>(value));
          break;
        }
        case 4:  // missing, or Namibia when quoted
          if (draw(2) == 0) {
            csv.text += "NA";
            row.push_back(std::nullopt);
          } else {
            csv.text += "\"NA\"";
            row.push_back("NA");
          }
          break;
        default:
          row.push_back(std::nullopt);
          break;
      }
    }
    csv.rows.push_back(row);
    const char* line_breaks[] = {"\n", "\r\n", "\r", "\n\n", "\r\n\r\n"};
    csv.text += line_breaks[draw(std::size(line_breaks))];
  }
  return csv;
}

void ExpectTableMatches(const Table& table, const RandomCsv& csv, const std::string& label) {
  ASSERT_EQ(table.num_rows, csv.rows.size()) << label;
  for (size_t column_idx = 0; column_idx < 3; ++column_idx) {
    const Column& column = table.columns[column_idx];
    for (size_t row_idx = 0; row_idx < csv.rows.size(); ++row_idx) {
      const std::optional<std::string>& expected = csv.rows[row_idx][column_idx];
      if (!expected.has_value()) {
        ASSERT_TRUE(column.IsMissing(row_idx)) << label << " row " << row_idx + 1;
      } else {
        ASSERT_EQ(column.CellText(row_idx), *expected) << label << " row " << row_idx + 1;
      }
    }
  }
}

TEST_F(CsvTest, BlockScannerMatchesKnownFieldsAtEveryBlockOffset) {
  ReadOptions text;
  text.string_columns = {"a", "b", "c"};
  for (size_t width = 0; width < 64; ++width) {
    RandomCsv csv = MakeRandomCsv(width, 3000, width);
    Table table = ReadCsv(WriteText("random.csv", csv.text), text);
    ExpectTableMatches(table, csv, fmt::format("width {}", width));
  }
}

TEST_F(CsvTest, ParallelParseMatchesKnownFields) {
  ReadOptions text;
  text.string_columns = {"a", "b", "c"};
  RandomCsv csv = MakeRandomCsv(99, size_t{9} << 20, 5);
  Table table = ReadCsv(WriteText("random_big.csv", csv.text), text);
  ExpectTableMatches(table, csv, "random");
}

// Sets the size of the windows in which a mapped file is read (0: through
// the mapping) for one scope.
class ScopedReadWindow {
 public:
  explicit ScopedReadWindow(size_t bytes) : saved_(io::ReadWindowBytes()) {
    io::SetReadWindowBytes(bytes);
  }
  ~ScopedReadWindow() { io::SetReadWindowBytes(saved_); }
  ScopedReadWindow(const ScopedReadWindow&) = delete;
  ScopedReadWindow& operator=(const ScopedReadWindow&) = delete;

 private:
  size_t saved_;
};

// The records of `path` after its header line `header`, parsed as one chunk
// by ChunkParser::ParseFast, reading the file in windows of `window_bytes`
// (0: through the mapping). A fast parse that fails is not retried here (the
// reader would re-parse exactly and hide it): its status is returned.
struct ChunkParse {
  io::ChunkStatus status = io::ChunkStatus::kOk;
  Table table;
};

ChunkParse ParseChunk(const std::string& path, const std::vector<std::string>& header, bool as_text,
                      size_t window_bytes) {
  io::FileBytes bytes;
  io::LoadFile(path, &bytes);
  const std::string_view text = bytes.view();
  io::Layout layout;
  layout.file = path;
  layout.num_fields = static_cast<int>(header.size());
  layout.header = header;
  for (size_t field_idx = 0; field_idx < header.size(); ++field_idx) {
    layout.slot_of_field.push_back(static_cast<int>(field_idx));
    layout.field_of_slot.push_back(static_cast<int>(field_idx));
    layout.force_string.push_back(as_text);
  }
  layout.release_pages = true;
  io::WindowPool windows(std::max<size_t>(window_bytes, 1));
  if (window_bytes > 0) {
    layout.descriptor = bytes.descriptor();
    layout.file_base = text.data();
    layout.windows = &windows;
  }
  std::vector<io::ChunkParser> parsers;
  parsers.emplace_back(text.data() + text.find('\n') + 1, text.data() + text.size(), layout);
  ChunkParse parse;
  parse.status = parsers[0].ParseFast();
  if (parse.status != io::ChunkStatus::kOk) return parse;
  parse.table.num_rows = static_cast<size_t>(parsers[0].num_rows());
  for (size_t slot = 0; slot < header.size(); ++slot) {
    parse.table.columns.push_back(
        io::MergeColumn(header[slot], parsers, slot, parse.table.num_rows));
  }
  return parse;
}

// The windowed read (ChunkParser::ScanWindows) with windows of a few dozen
// bytes to a few KiB, so that a window's end cuts records at every offset:
// inside quoted fields, between the '\r' and '\n' of a CRLF, in "" escapes,
// and in records longer than a window (quoted fields of up to 150 bytes
// against 64-byte windows: the buffer grows). Without stray quotes the
// whole chunk goes through windows; with them, the rest of the chunk goes
// through the mapping from the first record the block scanner cannot place.
TEST_F(CsvTest, WindowedParseMatchesKnownFields) {
  for (size_t window : {size_t{64}, size_t{100}, size_t{1000}, size_t{4096}}) {
    for (uint64_t seed = 0; seed < 6; ++seed) {
      for (bool stray_quotes : {false, true}) {
        const std::string label =
            fmt::format("window {}, seed {}, stray quotes {}", window, seed, stray_quotes);
        RandomCsv csv = MakeRandomCsv(1000 + seed, 20000, seed * 11, stray_quotes);
        ChunkParse parse =
            ParseChunk(WriteText("windowed.csv", csv.text), {"a", "b", "c"}, true, window);
        ASSERT_EQ(parse.status, io::ChunkStatus::kOk) << label;
        ExpectTableMatches(parse.table, csv, label);
      }
    }
  }
}

// Numbers, quoted labels, multi-line fields and a column that turns to text
// near the end (the rows so far are read again as text, from the mapping,
// while the parse is in a window): the same columns in windows of any size
// as through the mapping.
TEST_F(CsvTest, WindowedParseMatchesMappedParse) {
  const std::string path = WriteText("big_windowed.csv", BigCsv(200000, -1));
  const std::vector<std::string> header = {"exporter", "importer", "year", "trade", "note", "code"};
  ChunkParse mapped = ParseChunk(path, header, false, 0);
  ASSERT_EQ(mapped.status, io::ChunkStatus::kOk);
  ASSERT_EQ(mapped.table.Get("code").type, ColumnType::kString);
  for (size_t window : {size_t{64}, size_t{1000}, size_t{2} << 20}) {
    ChunkParse windowed = ParseChunk(path, header, false, window);
    ASSERT_EQ(windowed.status, io::ChunkStatus::kOk) << window;
    ASSERT_EQ(windowed.table.num_rows, mapped.table.num_rows) << window;
    for (const Column& column : mapped.table.columns) {
      const Column& other = windowed.table.Get(column.name);
      EXPECT_EQ(other.type, column.type) << column.name << ", window " << window;
      EXPECT_EQ(other.num, column.num) << column.name << ", window " << window;
      EXPECT_EQ(other.codes, column.codes) << column.name << ", window " << window;
      EXPECT_EQ(other.levels, column.levels) << column.name << ", window " << window;
    }
  }
}

// A malformed record far into a file read in small windows stops the fast
// parse as through the mapping, and the reader's exact re-parse names it.
TEST_F(CsvTest, WindowedParseStopsAtMalformedRecords) {
  std::string content = "a,b\n";
  for (int row = 1; row < 500; ++row) content += fmt::format("{},\"x\ny\"\n", row);
  std::string short_row = WriteText("windowed_short.csv", content + "500\n501,z\n");
  std::string open_quote = WriteText("windowed_open.csv", content + "500,\"never closed\n");
  for (size_t window : {size_t{0}, size_t{64}}) {
    EXPECT_EQ(ParseChunk(short_row, {"a", "b"}, true, window).status, io::ChunkStatus::kMalformed)
        << window;
    EXPECT_EQ(ParseChunk(open_quote, {"a", "b"}, true, window).status,
              io::ChunkStatus::kEndsInsideQuotes)
        << window;
  }
  ScopedReadWindow scoped(64);
  ExpectError([&] { ReadCsv(short_row); }, ErrorCode::kBadData,
              {short_row, "row 500", "line 1000", "expected 2", "found 1"});
  ExpectError([&] { ReadCsv(open_quote); }, ErrorCode::kBadData,
              {open_quote, "row 500", "column 'b'", "closing quote"});
}

// The reader itself in small windows: several chunks on two threads, each
// read window by window, against fields known by construction.
TEST_F(CsvTest, WindowedReadMatchesKnownFields) {
  ScopedReadWindow scoped(4096);
  ReadOptions text;
  text.string_columns = {"a", "b", "c"};
  text.threads = 2;
  RandomCsv csv = MakeRandomCsv(77, size_t{9} << 20, 3, false);
  Table table = ReadCsv(WriteText("windowed_big.csv", csv.text), text);
  ExpectTableMatches(table, csv, "windowed, several chunks");
}

// Gzip text lives in memory the reader owns, which must not be released
// behind the parse like the pages of a mapped file.
TEST_F(CsvTest, ReadsLargeGzipLikePlain) {
  std::string content = BigCsv(200000, -1);
  Table plain = ReadCsv(WriteText("big_plain.csv", content));
  Table zipped = ReadCsv(WriteGz("big_zipped.csv.gz", content));
  ASSERT_EQ(zipped.num_rows, plain.num_rows);
  for (const Column& column : plain.columns) {
    const Column& other = zipped.Get(column.name);
    EXPECT_EQ(other.num, column.num) << column.name;
    EXPECT_EQ(other.codes, column.codes) << column.name;
    EXPECT_EQ(other.levels, column.levels) << column.name;
  }
}

// Most line breaks are inside quoted fields, so a guessed chunk boundary
// lands inside one unless the reader checks what follows it. With lines
// like "line" the check sees the closing quote coming and moves on; lines
// like "line,1" read as records, so the guess is wrong, the chunk before it
// ends inside quotes, and the reader splits again by counting quotes.
TEST_F(CsvTest, ParallelParseHandlesSplitsInsideQuotes) {
  for (const std::string inner_line : {"line\n", "line,1\n"}) {
    std::string multi_line;
    for (int line = 0; line < 40; ++line) multi_line += inner_line;
    std::string content = "note,row\n";
    int rows = 0;
    while (content.size() < (size_t{13} << 20)) {
      ++rows;
      fmt::format_to(std::back_inserter(content), "\"{}{}\",{}\n", multi_line, rows, rows);
    }
    Table table = ReadCsv(WriteText("multi_line.csv", content));
    ASSERT_EQ(table.num_rows, static_cast<size_t>(rows));
    const Column& note = table.Get("note");
    const std::vector<double>& row = table.Get("row").num;
    for (int row_idx = 0; row_idx < rows; row_idx += 997) {
      EXPECT_EQ(note.CellText(static_cast<size_t>(row_idx)),
                fmt::format("{}{}", multi_line, row_idx + 1));
      EXPECT_EQ(row[static_cast<size_t>(row_idx)], row_idx + 1);
    }
    // The same file cut inside the last quoted field: a real error.
    std::string cut = WriteText("multi_line_cut.csv", content.substr(0, content.size() - 8));
    ExpectError([&] { ReadCsv(cut); }, ErrorCode::kBadData,
                {cut, fmt::format("row {}", rows), "column 'note'", "closing quote"});
  }
}

TEST_F(CsvTest, ParallelParseReportsExactRowOfAQuotingError) {
  constexpr int kRows = 200000;
  std::string content = BigCsv(kRows, -1);
  // Text after a closing quote near the end of the file.
  constexpr int kBadRow = 199995;
  size_t bad_at = content.find(fmt::format("\"C{}\",\"C{}\",{},{}.25", kBadRow % 250, kBadRow % 7,
                                           1980 + kBadRow % 40, kBadRow));
  ASSERT_NE(bad_at, std::string::npos);
  content.insert(bad_at + fmt::format("\"C{}\"", kBadRow % 250).size(), "x");
  std::string path = WriteText("bad_quote_big.csv", content);
  int line = kBadRow + 1 + (kBadRow - 1) / 1000;  // two-line fields before it
  ExpectError([&] { ReadCsv(path); }, ErrorCode::kBadData,
              {path, fmt::format("row {}", kBadRow), fmt::format("line {}", line),
               "column 'exporter'", "after the closing quote"});
}

TEST(CsvSharedData, ReadsAgtpaApplication) {
  MIZANI_REQUIRE_SHARED(path, "agtpa_yotov2016/csv/Chapter1Application1.csv.gz");
  Table table = ReadTable(path);
  ASSERT_EQ(table.num_rows, 99981u);
  std::vector<std::string> names;
  for (const Column& column : table.columns) names.push_back(column.name);
  EXPECT_EQ(names, (std::vector<std::string>{"exporter", "importer", "pair_id", "year", "trade",
                                             "DIST", "CNTG", "LANG", "CLNY"}));
  EXPECT_EQ(table.Get("exporter").levels.size(), 69u);
  EXPECT_EQ(table.Get("year").type, ColumnType::kNumeric);
}

}  // namespace
}  // namespace mizani

namespace {

// The kernel's flags of the mapping that holds `address` (the VmFlags line
// of /proc/self/smaps: "hg" marks memory advised to use huge pages).
std::string MappingFlags(const void* address) {
  std::ifstream smaps("/proc/self/smaps");
  const auto target = reinterpret_cast<uintptr_t>(address);
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    unsigned long begin = 0, end = 0;  // NOLINT(google-runtime-int): sscanf's %lx
    if (std::sscanf(line.c_str(), "%lx-%lx ", &begin, &end) == 2) {
      inside = target >= begin && target < end;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

// The reader's 2 MiB blocks are advised to be huge pages only when the host
// asks (Settings::huge_pages): a host such as the Python module keeps its
// own choice.
TEST(ChunkMemory, AdvisesHugePagesOnlyWhenTheHostAsks) {
  const int probe = 0;
  if (MappingFlags(&probe).empty()) GTEST_SKIP() << "no /proc/self/smaps here";
  const mizani::Settings saved = mizani::CurrentSettings();
  mizani::Settings settings = saved;
  settings.huge_pages = false;
  mizani::ApplySettings(settings);
  {
    mizani::io::ChunkBlock block(mizani::io::ChunkBlock::kHugePage);
    const std::string flags = MappingFlags(block.data());
    ASSERT_FALSE(flags.empty());
    EXPECT_EQ(flags.find(" hg"), std::string::npos) << flags;
  }
  settings.huge_pages = true;
  mizani::ApplySettings(settings);
  {
    mizani::io::ChunkBlock block(mizani::io::ChunkBlock::kHugePage);
    const std::string flags = MappingFlags(block.data());
    EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;
  }
  mizani::ApplySettings(saved);
}

}  // namespace

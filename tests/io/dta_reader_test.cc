#include <fmt/format.h>
#include <gtest/gtest.h>
#include <readstat.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>

#include "mizani/error.h"
#include "mizani/read.h"
#include "mizani/table.h"
#include "test_support.h"

namespace mizani {
namespace {

using testing::ExpectError;

ssize_t WriteBytes(const void* data, size_t length, void* context) {
  return static_cast<ssize_t>(std::fwrite(data, 1, length, static_cast<std::FILE*>(context)));
}

// A small Stata 14 file written with ReadStat's writer: a text column, a
// double column with system (.) and extended (.a, .z) missing values, and a
// value-labelled byte column.
void WriteSmallDta(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  readstat_writer_t* writer = readstat_writer_init();
  readstat_set_data_writer(writer, WriteBytes);
  readstat_writer_set_file_format_version(writer, 118);
  readstat_label_set_t* yes_no = readstat_add_label_set(writer, READSTAT_TYPE_INT8, "yesno");
  readstat_label_int32_value(yes_no, 0, "no");
  readstat_label_int32_value(yes_no, 1, "yes");
  readstat_variable_t* code = readstat_add_variable(writer, "code", READSTAT_TYPE_STRING, 8);
  readstat_variable_t* value = readstat_add_variable(writer, "value", READSTAT_TYPE_DOUBLE, 0);
  readstat_variable_t* rta = readstat_add_variable(writer, "rta", READSTAT_TYPE_INT8, 0);
  readstat_variable_set_label_set(rta, yes_no);
  readstat_variable_t* year = readstat_add_variable(writer, "year", READSTAT_TYPE_INT16, 0);
  ASSERT_EQ(readstat_begin_writing_dta(writer, file, 4), READSTAT_OK);
  const char* codes[] = {"KEN", "", "JPN", "KEN"};
  const int years[] = {1986, 1990, 2006, 2006};
  for (int row = 0; row < 4; ++row) {
    readstat_begin_row(writer);
    readstat_insert_string_value(writer, code, codes[row]);
    if (row == 0) readstat_insert_double_value(writer, value, 3.15);
    if (row == 1) readstat_insert_missing_value(writer, value);
    if (row == 2) readstat_insert_tagged_missing_value(writer, value, 'a');
    if (row == 3) readstat_insert_tagged_missing_value(writer, value, 'z');
    readstat_insert_int8_value(writer, rta, static_cast<int8_t>(row % 2));
    readstat_insert_int16_value(writer, year, static_cast<int16_t>(years[row]));
    readstat_end_row(writer);
  }
  ASSERT_EQ(readstat_end_writing(writer), READSTAT_OK);
  readstat_writer_free(writer);
  std::fclose(file);
}

class DtaTest : public testing::TempDirTest {
 protected:
  DtaTest() : TempDirTest("dta") {}

  // The first `bytes` bytes of `source` as a new file.
  std::string Truncated(const std::string& source, size_t bytes) {
    std::ifstream in(source, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string path = fmt::format("{}/cut_{}.dta", dir_, bytes);
    std::ofstream out(path, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(std::min(bytes, content.size())));
    return path;
  }
};

TEST_F(DtaTest, ReadsTypesMissingValuesAndLabels) {
  std::string path = dir_ + "/small.dta";
  WriteSmallDta(path);
  Table table = ReadTable(path);
  EXPECT_EQ(table.source, path);
  ASSERT_EQ(table.num_rows, 4u);
  ASSERT_EQ(table.columns.size(), 4u);
  const Column& code = table.Get("code");
  ASSERT_EQ(code.type, ColumnType::kString);
  EXPECT_EQ(code.levels, (std::vector<std::string>{"KEN", "JPN"}));
  EXPECT_EQ(code.codes, (std::vector<int32_t>{0, -1, 1, 0}));
  const Column& value = table.Get("value");
  ASSERT_EQ(value.type, ColumnType::kNumeric);
  EXPECT_EQ(value.num[0], 3.15);
  EXPECT_TRUE(std::isnan(value.num[1]));  // .
  EXPECT_TRUE(std::isnan(value.num[2]));  // .a
  EXPECT_TRUE(std::isnan(value.num[3]));  // .z
  const Column& rta = table.Get("rta");
  ASSERT_EQ(rta.type, ColumnType::kNumeric);  // value labels do not make it text
  EXPECT_EQ(rta.num, (std::vector<double>{0, 1, 0, 1}));
  EXPECT_EQ(table.Get("year").num, (std::vector<double>{1986, 1990, 2006, 2006}));
}

TEST_F(DtaTest, SelectsColumnsAndForcesText) {
  std::string path = dir_ + "/small.dta";
  WriteSmallDta(path);
  ReadOptions options;
  options.columns = {"year", "code"};
  options.string_columns = {"year"};
  Table table = ReadDta(path, options);
  ASSERT_EQ(table.columns.size(), 2u);
  EXPECT_EQ(table.columns[0].name, "year");
  EXPECT_EQ(table.columns[1].name, "code");
  ASSERT_EQ(table.columns[0].type, ColumnType::kString);
  EXPECT_EQ(table.columns[0].levels, (std::vector<std::string>{"1986", "1990", "2006"}));
  ReadOptions unknown;
  unknown.columns = {"code", "trade"};
  ExpectError([&] { ReadDta(path, unknown); }, ErrorCode::kBadModel,
              {path, "'trade'", "code, value, rta, year"});
}

TEST_F(DtaTest, MissingFileIsUnreadable) {
  std::string path = dir_ + "/absent.dta";
  ExpectError([&] { ReadTable(path); }, ErrorCode::kFileUnreadable, {path, "no such file"});
}

TEST_F(DtaTest, NotADtaFileIsUnreadable) {
  std::string path = dir_ + "/fake.dta";
  std::ofstream(path) << "exporter,importer\nKEN,JPN\n";
  ExpectError([&] { ReadTable(path); }, ErrorCode::kFileUnreadable, {path, "Stata"});
}

TEST_F(DtaTest, TruncatedSmallFileIsUnreadable) {
  std::string path = dir_ + "/small.dta";
  WriteSmallDta(path);
  size_t size = std::filesystem::file_size(path);
  for (size_t keep : {size_t{0}, size_t{10}, size_t{200}, size / 2, size - 20}) {
    SCOPED_TRACE(fmt::format("first {} of {} bytes", keep, size));
    std::string cut = Truncated(path, keep);
    ExpectError([&] { ReadDta(cut); }, ErrorCode::kFileUnreadable, {cut});
  }
}

constexpr const char* kApplication1Dta = "agtpa_yotov2016/dta/Chapter1/Chapter1Application1.dta";

TEST_F(DtaTest, TruncatedRealFileIsUnreadable) {
  MIZANI_REQUIRE_SHARED(path, kApplication1Dta);
  size_t size = std::filesystem::file_size(path);
  for (size_t keep : {size_t{100}, size_t{4096}, size / 2, size - 100}) {
    SCOPED_TRACE(fmt::format("first {} of {} bytes", keep, size));
    std::string cut = Truncated(path, keep);
    ExpectError([&] { ReadDta(cut); }, ErrorCode::kFileUnreadable, {cut});
  }
}

size_t FindRow(const Table& table, const std::string& exporter, const std::string& importer,
               double year) {
  const Column& exporters = table.Get("exporter");
  const Column& importers = table.Get("importer");
  const Column& years = table.Get("year");
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (exporters.CellText(row_idx) == exporter && importers.CellText(row_idx) == importer &&
        years.num[row_idx] == year) {
      return row_idx;
    }
  }
  return table.num_rows;
}

TEST(DtaSharedData, Application1MatchesItsCsvTwin) {
  MIZANI_REQUIRE_SHARED(dta_path, kApplication1Dta);
  MIZANI_REQUIRE_SHARED(csv_path, "agtpa_yotov2016/csv/Chapter1Application1.csv.gz");
  Table dta = ReadTable(dta_path);
  Table csv = ReadTable(csv_path);
  ASSERT_EQ(dta.num_rows, 99981u);
  ASSERT_EQ(csv.num_rows, 99981u);
  const std::vector<std::string> expected_names = {
      "exporter", "importer", "pair_id", "year", "trade", "DIST", "CNTG", "LANG", "CLNY"};
  ASSERT_EQ(dta.columns.size(), expected_names.size());
  ASSERT_EQ(csv.columns.size(), expected_names.size());
  for (size_t column_idx = 0; column_idx < expected_names.size(); ++column_idx) {
    const Column& from_dta = dta.columns[column_idx];
    const Column& from_csv = csv.columns[column_idx];
    EXPECT_EQ(from_dta.name, expected_names[column_idx]);
    EXPECT_EQ(from_csv.name, expected_names[column_idx]);
    ASSERT_EQ(from_dta.type, from_csv.type) << from_dta.name;
    if (from_dta.type == ColumnType::kString) {
      EXPECT_EQ(from_dta.levels, from_csv.levels) << from_dta.name;
      EXPECT_EQ(from_dta.codes, from_csv.codes) << from_dta.name;
      continue;
    }
    // The CSV was printed with 15 significant digits, so values agree to
    // that precision, not bit for bit.
    size_t mismatches = 0;
    for (size_t row_idx = 0; row_idx < dta.num_rows; ++row_idx) {
      double a = from_dta.num[row_idx];
      double b = from_csv.num[row_idx];
      if (std::isnan(a) != std::isnan(b) || std::fabs(a - b) > 1e-14 * std::fabs(a) + 1e-300) {
        if (++mismatches <= 3) {
          ADD_FAILURE() << from_dta.name << " row " << row_idx + 1 << ": dta " << a << " csv " << b;
        }
      }
    }
    EXPECT_EQ(mismatches, 0u) << from_dta.name;
  }
  size_t row = FindRow(dta, "KEN", "JPN", 2006);
  ASSERT_LT(row, dta.num_rows);
  EXPECT_NEAR(dta.Get("trade").num[row], 3.15, 0.005);
  EXPECT_NEAR(dta.Get("DIST").num[row], 11044.89, 0.005);
  row = FindRow(dta, "JPN", "KEN", 1986);
  ASSERT_LT(row, dta.num_rows);
  EXPECT_NEAR(dta.Get("trade").num[row], 171.98, 0.005);
  // 8,475 zero flows and 69 countries, as documented.
  size_t zeros = 0;
  for (double value : dta.Get("trade").num) zeros += value == 0;
  EXPECT_EQ(zeros, 8475u);
  EXPECT_EQ(dta.Get("exporter").levels.size(), 69u);
}

TEST(DtaSharedData, StataMissingValuesBecomeNaN) {
  MIZANI_REQUIRE_SHARED(path, "agtpa_yotov2016/dta/Chapter1/Chapter1Exercise2.dta");
  ReadOptions options;
  options.columns = {"exporter", "importer", "MFN_TARIFF"};
  Table table = ReadTable(path, options);
  ASSERT_EQ(table.num_rows, 18928u);
  ASSERT_EQ(table.columns.size(), 3u);
  const Column& exporter = table.Get("exporter");
  const Column& importer = table.Get("importer");
  const std::span<const double> tariff = RequireNumeric(table, "MFN_TARIFF");
  size_t missing = 0;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (!std::isnan(tariff[row_idx])) continue;
    ++missing;
    EXPECT_EQ(exporter.CellText(row_idx), importer.CellText(row_idx));
  }
  EXPECT_EQ(missing, 364u);
}

}  // namespace
}  // namespace mizani

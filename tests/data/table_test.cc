#include "mizani/table.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "mizani/error.h"
#include "mizani/read.h"
#include "test_support.h"

namespace mizani {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Column TextColumn(const std::string& name, const std::vector<std::string>& cells) {
  Column column;
  column.name = name;
  column.type = ColumnType::kString;
  for (const std::string& cell : cells) {
    if (cell.empty()) {
      column.codes.push_back(-1);
      continue;
    }
    auto found = std::find(column.levels.begin(), column.levels.end(), cell);
    column.codes.push_back(static_cast<int32_t>(found - column.levels.begin()));
    if (found == column.levels.end()) column.levels.push_back(cell);
  }
  return column;
}

Table SmallPanel() {
  Table table;
  table.source = "panel.csv";
  table.num_rows = 6;
  table.columns.push_back(TextColumn("exporter", {"KEN", "KEN", "JPN", "JPN", "", "KEN"}));
  table.AddNumeric("year", {1986, 1990, 1986, 1990, 1986, 1986});
  table.AddNumeric("trade", {1.6, 2.5, 171.98, kNaN, 3.0, 0.25});
  return table;
}

TEST(Column, CellTextReadsLikeTheUserWroteIt) {
  Table table = SmallPanel();
  const Column& exporter = table.Get("exporter");
  const Column& year = table.Get("year");
  const Column& trade = table.Get("trade");
  EXPECT_EQ(exporter.CellText(0), "KEN");
  EXPECT_EQ(exporter.CellText(4), "");
  EXPECT_TRUE(exporter.IsMissing(4));
  EXPECT_FALSE(exporter.IsMissing(0));
  EXPECT_EQ(year.CellText(0), "1986");
  EXPECT_EQ(trade.CellText(0), "1.6");
  EXPECT_EQ(trade.CellText(2), "171.98");
  EXPECT_EQ(trade.CellText(3), "");
  EXPECT_TRUE(trade.IsMissing(3));
  EXPECT_FALSE(trade.IsMissing(2));
}

TEST(Table, FindAndGet) {
  Table table = SmallPanel();
  EXPECT_NE(table.Find("year"), nullptr);
  EXPECT_EQ(table.Find("YEAR"), nullptr);
  EXPECT_EQ(&table.Get("trade"), table.Find("trade"));
}

TEST(Table, GetUnknownColumnNamesSourceAndAvailableColumns) {
  Table table = SmallPanel();
  try {
    table.Get("tarde");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kBadModel);
    std::string message = error.what();
    EXPECT_NE(message.find("panel.csv"), std::string::npos) << message;
    EXPECT_NE(message.find("'tarde'"), std::string::npos) << message;
    EXPECT_NE(message.find("exporter, year, trade"), std::string::npos) << message;
  }
}

TEST(Table, SelectKeepsRowsAndDropsUnusedLevels) {
  Table table = SmallPanel();
  std::vector<uint8_t> keep = {0, 0, 1, 1, 1, 0};
  Table kept = table.Select(keep);
  ASSERT_EQ(kept.num_rows, 3u);
  EXPECT_EQ(kept.source, "panel.csv");
  const Column& exporter = kept.Get("exporter");
  ASSERT_EQ(exporter.levels, std::vector<std::string>{"JPN"});
  EXPECT_EQ(exporter.codes, (std::vector<int32_t>{0, 0, -1}));
  EXPECT_EQ(kept.Get("year").num, (std::vector<double>{1986, 1990, 1986}));
  EXPECT_TRUE(std::isnan(kept.Get("trade").num[1]));
  EXPECT_THROW(table.Select(std::vector<uint8_t>(2, 1)), Error);
}

TEST(Table, AddNumericAppendsOrReplaces) {
  Table table = SmallPanel();
  table.AddNumeric("ln_trade", std::vector<double>(6, 1.0));
  EXPECT_EQ(table.columns.size(), 4u);
  table.AddNumeric("year", std::vector<double>(6, 2000.0));
  EXPECT_EQ(table.columns.size(), 4u);
  EXPECT_EQ(table.Get("year").num[0], 2000.0);
  try {
    table.AddNumeric("short", {1.0});
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInternal);
  }
  Table fresh;
  fresh.AddNumeric("x", {1, 2, 3});
  EXPECT_EQ(fresh.num_rows, 3u);
}

TEST(Factorize, StringColumnInFirstAppearanceOrder) {
  Table table = SmallPanel();
  Factor factor = Factorize(table, {"exporter"});
  EXPECT_EQ(factor.ids, (std::vector<int32_t>{0, 0, 1, 1, -1, 0}));
  EXPECT_EQ(factor.labels, (std::vector<std::string>{"KEN", "JPN"}));
  EXPECT_EQ(factor.num_levels(), 2);
}

// A table of one text column "c" with these levels and codes (-1: missing).
Table TextTable(std::vector<std::string> levels, std::vector<int32_t> codes) {
  Table table;
  table.num_rows = codes.size();
  Column& column = table.columns.emplace_back();
  column.name = "c";
  column.type = ColumnType::kString;
  column.levels = std::move(levels);
  column.codes = std::move(codes);
  return table;
}

TEST(Factorize, StringCodesOutOfOrderAreRenumbered) {
  const Table table = TextTable({"unused", "B", "A"}, {2, 1, 2});
  Factor factor = Factorize(table, {"c"});
  EXPECT_EQ(factor.ids, (std::vector<int32_t>{0, 1, 0}));
  EXPECT_EQ(factor.labels, (std::vector<std::string>{"A", "B"}));
}

TEST(Factorize, NumericLabelsWithoutTrailingZeros) {
  Table table;
  table.AddNumeric("year", {1990, 1986, 1990, kNaN, 2006});
  table.AddNumeric("tariff", {0.25, -0.0, 0.0, 0.1, 0.25});
  Factor years = Factorize(table, {"year"});
  EXPECT_EQ(years.ids, (std::vector<int32_t>{0, 1, 0, -1, 2}));
  EXPECT_EQ(years.labels, (std::vector<std::string>{"1990", "1986", "2006"}));
  Factor tariffs = Factorize(table, {"tariff"});
  EXPECT_EQ(tariffs.ids, (std::vector<int32_t>{0, 1, 1, 2, 0}));
  EXPECT_EQ(tariffs.labels, (std::vector<std::string>{"0.25", "0", "0.1"}));
}

TEST(Factorize, SparseLargeIntegersUseHashing) {
  Table table;
  table.AddNumeric("id", {1e12, 3, 1e12, -7, 3});
  Factor factor = Factorize(table, {"id"});
  EXPECT_EQ(factor.ids, (std::vector<int32_t>{0, 1, 0, 2, 1}));
  EXPECT_EQ(factor.labels, (std::vector<std::string>{"1000000000000", "3", "-7"}));
}

// InteractColumns combines the columns' own codes; the reference is the
// route through two single-column factors (Interact of FactorizeColumn),
// on text codes out of order with unused levels, years with a missing value,
// -0.0 beside 0.0, sparse large integers (hashing: the fallback) and
// fractions (not whole: the fallback), on one and on three threads.
TEST(Factorize, InteractColumnsEqualsInteractOfFactors) {
  Table table = TextTable({"unused", "B", "A", "C"}, {2, 1, 2, -1, 3, 1, 2, 3, 1});
  table.AddNumeric("year", {1990, 1986, 1990, 1986, kNaN, 2006, 1986, 2006, 1990});
  table.AddNumeric("zero", {0.0, -0.0, 1, 0, 1, -0.0, 2, 0, 1});
  table.AddNumeric("id", {1e12, 3, 1e12, -7, 3, 3, -7, 1e12, 3});
  table.AddNumeric("share", {0.25, 0.5, 0.25, 0.5, 0.1, 0.25, 0.1, 0.5, 0.25});
  const std::vector<std::string> names = {"c", "year", "zero", "id", "share"};
  for (const std::string& left : names) {
    for (const std::string& right : names) {
      for (int threads : {1, 3}) {
        const Factor expected = Interact(FactorizeColumn(table, left, threads),
                                         FactorizeColumn(table, right, threads), threads);
        const Factor got = InteractColumns(table, left, right, threads);
        EXPECT_EQ(got.ids, expected.ids) << left << "^" << right << ", " << threads;
        EXPECT_EQ(got.labels, expected.labels) << left << "^" << right << ", " << threads;
      }
    }
  }
  // Hand-checked: text codes 2 and 1 are "A" and "B", first seen in that order.
  const Factor by_year = InteractColumns(table, "c", "year");
  EXPECT_EQ(by_year.ids, (std::vector<int32_t>{0, 1, 0, -1, -1, 2, 3, 4, 5}));
  EXPECT_EQ(by_year.labels,
            (std::vector<std::string>{"A_1990", "B_1986", "B_2006", "A_1986", "C_2006", "B_1990"}));
}

TEST(Factorize, InteractionLabelsAndMissing) {
  Table table = SmallPanel();
  Factor factor = Factorize(table, {"exporter", "year"});
  EXPECT_EQ(factor.ids, (std::vector<int32_t>{0, 1, 2, 3, -1, 0}));
  EXPECT_EQ(factor.labels,
            (std::vector<std::string>{"KEN_1986", "KEN_1990", "JPN_1986", "JPN_1990"}));
  // Missing trade in row 3 makes the three-way id missing there only.
  Factor three = Factorize(table, {"exporter", "year", "trade"});
  EXPECT_EQ(three.ids[3], -1);
  EXPECT_EQ(three.ids[4], -1);
  EXPECT_EQ(three.labels[static_cast<size_t>(three.ids[0])], "KEN_1986_1.6");
  EXPECT_EQ(three.num_levels(), 4);
}

// On several threads each numbers its own rows, then the numbers are
// merged: the ids and labels must be those of one pass in row order. A
// brute-force first-appearance numbering is the reference; the rows are
// many (so the work splits) and the levels appear late and out of order.
TEST(Factorize, ThreadsGiveTheFirstAppearanceNumbering) {
  const size_t num_rows = 200000;
  std::mt19937_64 rng(9);
  Table table;
  std::vector<double> year(num_rows), code(num_rows);
  Column country;
  country.name = "country";
  country.type = ColumnType::kString;
  for (int level = 0; level < 300; ++level) country.levels.push_back(fmt::format("C{}", level));
  for (size_t row_idx = 0; row_idx < num_rows; ++row_idx) {
    // Levels drawn from a range that widens with the row, some missing.
    const uint64_t span = 5 + row_idx / 1000;
    year[row_idx] = row_idx % 97 == 0 ? kNaN : 1950.0 + static_cast<double>(rng() % span % 60);
    code[row_idx] = static_cast<double>(rng() % 50);
    country.codes.push_back(row_idx % 89 == 0 ? -1 : static_cast<int32_t>(rng() % span % 300));
  }
  table.AddNumeric("year", year);
  table.AddNumeric("code", code);
  table.num_rows = num_rows;
  table.columns.push_back(country);
  // Reference: first appearance by brute force over the rows.
  auto reference = [&](auto&& key_of) {
    std::map<std::string, int32_t> seen;
    std::vector<int32_t> ids(num_rows);
    std::vector<std::string> labels;
    for (size_t row_idx = 0; row_idx < num_rows; ++row_idx) {
      const std::string key = key_of(row_idx);
      if (key.empty()) {
        ids[row_idx] = -1;
        continue;
      }
      auto [found, inserted] = seen.emplace(key, static_cast<int32_t>(labels.size()));
      if (inserted) labels.push_back(key);
      ids[row_idx] = found->second;
    }
    return std::make_pair(ids, labels);
  };
  auto year_text = [&](size_t row_idx) {
    return std::isnan(year[row_idx]) ? std::string()
                                     : std::to_string(static_cast<int>(year[row_idx]));
  };
  auto country_text = [&](size_t row_idx) {
    const int32_t code_id = country.codes[row_idx];
    return code_id < 0 ? std::string() : country.levels[code_id];
  };
  for (int threads : {1, 2, 3}) {
    const Factor years = FactorizeColumn(table, "year", threads);
    const auto [year_ids, year_labels] = reference(year_text);
    EXPECT_EQ(years.ids, year_ids) << threads << " threads";
    EXPECT_EQ(years.labels, year_labels);
    const Factor countries = FactorizeColumn(table, "country", threads);
    const auto [country_ids, country_labels] = reference(country_text);
    EXPECT_EQ(countries.ids, country_ids);
    EXPECT_EQ(countries.labels, country_labels);
    const Factor both = Interact(countries, years, threads);
    const auto [both_ids, both_labels] = reference([&](size_t row_idx) {
      const std::string left = country_text(row_idx), right = year_text(row_idx);
      return left.empty() || right.empty() ? std::string() : left + "_" + right;
    });
    EXPECT_EQ(both.ids, both_ids);
    EXPECT_EQ(both.labels, both_labels);
  }
}

TEST(Factorize, UnknownColumnIsAModelError) {
  Table table = SmallPanel();
  try {
    Factorize(table, {"exporter", "yr"});
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kBadModel);
    EXPECT_NE(std::string(error.what()).find("'yr'"), std::string::npos);
  }
}

TEST(Factorize, LargeInteractionMatchesPairArithmetic) {
  // A panel the size of a 250-country, 40-year gravity data set.
  constexpr int kCountries = 250;
  constexpr int kYears = 40;
  Table table;
  std::vector<std::string> names;
  for (int country = 0; country < kCountries; ++country) names.push_back(std::to_string(country));
  Column exporter;
  exporter.name = "exporter";
  exporter.type = ColumnType::kString;
  exporter.levels = names;
  Column importer = exporter;
  importer.name = "importer";
  std::vector<double> year;
  for (int origin = 0; origin < kCountries; ++origin) {
    for (int destination = 0; destination < kCountries; ++destination) {
      for (int year_idx = 0; year_idx < kYears; ++year_idx) {
        exporter.codes.push_back(origin);
        importer.codes.push_back(destination);
        year.push_back(2000 + year_idx);
      }
    }
  }
  table.num_rows = year.size();
  table.columns = {exporter, importer};
  table.AddNumeric("year", year);
  Factor pair_year = Factorize(table, {"exporter", "importer", "year"});
  ASSERT_EQ(pair_year.num_levels(), kCountries * kCountries * kYears);
  for (size_t row_idx = 0; row_idx < year.size(); row_idx += 9973) {
    EXPECT_EQ(pair_year.ids[row_idx], static_cast<int32_t>(row_idx));
  }
  EXPECT_EQ(pair_year.labels.back(), "249_249_2039");
}

TEST(Factorize, SparseInteractionUsesHashing) {
  // Two factors of 100,000 levels each: a key space of 10^10 pairs, far
  // beyond a lookup array, for 200,000 rows.
  constexpr int kRows = 200000;
  std::vector<double> left(kRows);
  std::vector<double> right(kRows);
  for (int row = 0; row < kRows; ++row) {
    left[static_cast<size_t>(row)] = row % 100000;
    right[static_cast<size_t>(row)] = (row * 7) % 100000;
  }
  Table table;
  table.AddNumeric("left", left);
  table.AddNumeric("right", right);
  Factor factor = Factorize(table, {"left", "right"});
  // Rows r and r + 100000 share both values, so there are 100,000 levels.
  ASSERT_EQ(factor.num_levels(), 100000);
  for (int row = 0; row < kRows; row += 997) {
    EXPECT_EQ(factor.ids[static_cast<size_t>(row)], row % 100000);
  }
  EXPECT_EQ(factor.labels[3], "3_21");
}

TEST(RequireNumeric, ReturnsNumbers) {
  Table table = SmallPanel();
  EXPECT_EQ(RequireNumeric(table, "year").data(), table.Get("year").num.data());
}

// A column may borrow its values (the Python module lends NumPy arrays):
// they are read in place, never copied, by RequireNumeric, Factorize and
// Select.
TEST(RequireNumeric, ReadsBorrowedValuesInPlace) {
  const std::vector<double> year = {1986, 1990, 1986, 1994};
  Table table;
  table.num_rows = year.size();
  Column& column = table.columns.emplace_back();
  column.name = "year";
  column.borrowed = year;
  EXPECT_EQ(RequireNumeric(table, "year").data(), year.data());
  EXPECT_EQ(Factorize(table, {"year"}).labels, (std::vector<std::string>{"1986", "1990", "1994"}));
  const std::vector<uint8_t> keep = {0, 1, 0, 1};
  EXPECT_EQ(table.Select(keep).Get("year").num, (std::vector<double>{1990, 1994}));
  EXPECT_EQ(column.CellText(3), "1994");
}

TEST(RequireNumeric, NamesFileRowAndValueOfTheFirstNonNumber) {
  std::string dir = testing::MakeTempDir("table");
  std::string path = dir + "/bad_trade.csv";
  {
    std::ofstream out(path);
    out << "exporter,trade\n";
    for (int row = 1; row <= 20; ++row) {
      out << "KEN," << (row == 17 ? "abc" : row == 5 ? "NA" : std::to_string(row)) << "\n";
    }
  }
  Table table = ReadCsv(path);
  ASSERT_EQ(table.Get("trade").type, ColumnType::kString);
  try {
    RequireNumeric(table, "trade");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kBadData);
    std::string message = error.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("row 17"), std::string::npos) << message;
    EXPECT_NE(message.find("'abc'"), std::string::npos) << message;
    EXPECT_NE(message.find("column 'trade' is not numeric"), std::string::npos) << message;
  }
  EXPECT_THROW(RequireNumeric(table, "nope"), Error);
  std::filesystem::remove_all(dir);
}

TEST(RequireNumeric, ForcedTextColumnIsReported) {
  std::string dir = testing::MakeTempDir("table");
  std::string path = dir + "/codes.csv";
  {
    std::ofstream out(path);
    out << "code\n001\n002\n";
  }
  ReadOptions options;
  options.string_columns = {"code"};
  Table table = ReadCsv(path, options);
  try {
    RequireNumeric(table, "code");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kBadData);
    EXPECT_NE(std::string(error.what()).find("string_columns"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

// 1e400 reads as no double (strtod gives ERANGE), so its column is text; the
// error names the cell and says "out of the range", never "not numeric".
// Below the limit (1.7976931348623157e308, DBL_MAX) a number stays a number.
TEST(RequireNumeric, AnOutOfRangeNumberIsNamedAsOutOfRange) {
  const std::string dir = testing::MakeTempDir("table");
  const std::string path = dir + "/huge.csv";
  {
    std::ofstream out(path);
    out << "exporter,trade,big\nKEN,1,1.7976931348623157e308\nJPN,1e400,-1e308\nZAF,2,0\n";
  }
  const Table table = ReadCsv(path);
  ASSERT_EQ(table.Get("trade").type, ColumnType::kString);
  ASSERT_EQ(table.Get("big").type, ColumnType::kNumeric);
  EXPECT_EQ(table.Get("big").num[0], std::numeric_limits<double>::max());
  try {
    RequireNumeric(table, "trade");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kBadData);
    const std::string message = error.what();
    EXPECT_NE(message.find(path + ": row 2, column 'trade'"), std::string::npos) << message;
    EXPECT_NE(message.find("out of the range of a double"), std::string::npos) << message;
    EXPECT_NE(message.find("'1e400'"), std::string::npos) << message;
    EXPECT_EQ(message.find("not numeric"), std::string::npos) << message;
  }
  std::filesystem::remove_all(dir);
}

TEST(WholeNumber, ConvertsWholeNumbersInRangeAndNamesAnyOtherCell) {
  Table table;
  table.source = "panel.csv";
  EXPECT_EQ(WholeNumber(2024, table, 0, "year"), 2024);
  EXPECT_EQ(WholeNumber(-2147483648.0, table, 0, "year"), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(WholeNumber(2147483647.0, table, 0, "year"), std::numeric_limits<int32_t>::max());
  const double bad[] = {2147483648.0, -2147483649.0, 1e300,
                        2024.5,       std::nan(""),  std::numeric_limits<double>::infinity()};
  for (const double value : bad) {
    try {
      (void)WholeNumber(value, table, 6, "year");
      ADD_FAILURE() << "accepted " << value;
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kBadData);
      const std::string message = error.what();
      EXPECT_NE(message.find("panel.csv: row 7, column 'year'"), std::string::npos) << message;
      EXPECT_NE(message.find("not a whole number"), std::string::npos) << message;
    }
  }
}

}  // namespace
}  // namespace mizani

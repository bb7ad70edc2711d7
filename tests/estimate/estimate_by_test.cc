// `--by COLUMN` (include/mizani/estimate_by.h): one model per value, fitted
// concurrently, must equal the separate fits on each value's rows.
#include "mizani/estimate_by.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "mizani/synth.h"

namespace mizani {
namespace {

Table Panel() {
  SynthOptions options;
  options.exporters = 30;
  options.importers = 30;
  options.years = 6;
  options.seed = 11;
  return Synthesize(options);
}

std::vector<uint8_t> RowsWithValue(const Table& table, const std::string& column,
                                   const std::string& value) {
  std::vector<uint8_t> keep(table.num_rows);
  const Column& by = table.Get(column);
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx)
    keep[row_idx] = by.CellText(row_idx) == value;
  return keep;
}

// Two groups at a time on two threads, one thread per fit: each group's
// result is bit for bit the separate one-thread fit on its rows.
TEST(EstimateBy, EqualsSeparateRuns) {
  const Table table = Panel();
  const Formula formula =
      ParseFormula("trade ~ log(dist) + contig + lang + rta | exporter + importer");
  EstimateOptions options;
  options.threads = 2;
  options.vcov.type = VcovType::kCluster;
  options.vcov.cluster = {"pair_id"};
  size_t progress_calls = 0;
  const EstimateByResult stacked = EstimateBy(table, formula, {}, options, "year",
                                              [&](size_t done, size_t total, const ByGroupFit&) {
                                                ++progress_calls;
                                                EXPECT_EQ(done, progress_calls);
                                                EXPECT_EQ(total, 6u);
                                              });
  ASSERT_EQ(stacked.groups.size(), 6u);
  EXPECT_EQ(progress_calls, 6u);
  EXPECT_EQ(stacked.rows_missing_value, 0);
  EstimateOptions single = options;
  single.threads = 1;
  for (const ByGroupFit& group : stacked.groups) {
    ASSERT_FALSE(group.failed()) << group.error;
    const std::vector<uint8_t> keep = RowsWithValue(table, "year", group.value);
    const EstimateResult separate = Estimate(table.Select(keep), formula, {}, single);
    ASSERT_TRUE(separate.converged());
    EXPECT_EQ(group.rows, static_cast<int64_t>(std::count(keep.begin(), keep.end(), 1)));
    EXPECT_EQ(group.result.num_obs, separate.num_obs) << group.value;
    ASSERT_EQ(group.result.coef.size(), separate.coef.size());
    for (Eigen::Index idx = 0; idx < separate.coef.size(); ++idx) {
      EXPECT_EQ(group.result.coef(idx), separate.coef(idx)) << group.value;
      EXPECT_EQ(group.result.vcov(idx, idx), separate.vcov(idx, idx)) << group.value;
    }
    EXPECT_EQ(group.result.deviance, separate.deviance);
  }
  // One thread for everything: the same numbers.
  options.threads = 1;
  const EstimateByResult sequential = EstimateBy(table, formula, {}, options, "year");
  for (size_t group_idx = 0; group_idx < 6; ++group_idx) {
    EXPECT_EQ(sequential.groups[group_idx].result.coef, stacked.groups[group_idx].result.coef);
  }
}

// A group whose model cannot be built is reported in its row; the others
// are fitted; rows with a missing by value are counted. The CSV has one row
// per coefficient and group, the JSON one object per group.
TEST(EstimateBy, FailedGroupsMissingValuesAndRenderings) {
  Table table = Panel();
  // A "sector" column: A for most rows, B for the rows of exporter C001
  // only (one exporter level: the model cannot be built), missing for 10.
  Column sector;
  sector.name = "sector";
  sector.type = ColumnType::kString;
  sector.levels = {"A", "B"};
  const Column& exporter = table.Get("exporter");
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    int32_t code = exporter.CellText(row_idx) == "C001" ? 1 : 0;
    if (row_idx % 97 == 5) code = -1;
    sector.codes.push_back(code);
  }
  table.columns.push_back(sector);
  const Formula formula = ParseFormula("trade ~ rta | exporter + importer^year");
  EstimateOptions options;
  options.threads = 2;
  options.vcov.type = VcovType::kHetero;
  const EstimateByResult result = EstimateBy(table, formula, {}, options, "sector");
  ASSERT_EQ(result.groups.size(), 2u);
  EXPECT_EQ(result.rows_missing_value, static_cast<int64_t>((table.num_rows + 91) / 97));
  // Groups in order of first appearance: C001's rows come first.
  ASSERT_EQ(result.groups[0].value, "B");
  EXPECT_TRUE(result.groups[0].failed());
  EXPECT_EQ(result.groups[0].error_code, ErrorCode::kBadModel);
  EXPECT_FALSE(result.groups[1].failed());
  EXPECT_TRUE(result.groups[1].result.converged());
  const std::string csv = EstimateByToCsv(result);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);  // header, B's error, A's rta
  EXPECT_NE(csv.find("\"A\",\"rta\","), std::string::npos) << csv;
  EXPECT_NE(csv.find("\"B\",,,,,,,,0,\"error: "), std::string::npos) << csv;
  const nlohmann::json json = nlohmann::json::parse(EstimateByToJson(result));
  EXPECT_EQ(json["by"], "sector");
  ASSERT_EQ(json["groups"].size(), 2u);
  EXPECT_EQ(json["groups"][1]["value"], "A");
  EXPECT_DOUBLE_EQ(json["groups"][1]["coefficients"][0]["estimate"].get<double>(),
                   result.groups[1].result.coef(0));
  EXPECT_TRUE(json["groups"][0].contains("error"));
  EXPECT_NE(FormatEstimateByTable(result).find("error: "), std::string::npos);
  // Every group failing is an error of the whole run; an unknown column too.
  EXPECT_THROW(EstimateBy(table, ParseFormula("trade ~ rta | exporter"), {}, options, "exporter"),
               Error);
  EXPECT_THROW(EstimateBy(table, formula, {}, options, "no_such_column"), Error);
}

}  // namespace
}  // namespace mizani

// The frame's row order (estimate/model_frame.cc): rows grouped by the level
// of the largest fixed-effect dimension and, when the file's rows are not in
// a regular order, ordered the same way within every level; and a fit that
// does not depend on the order of the file's rows.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "mizani/estimate.h"
#include "mizani/synth.h"
#include "mizani/table.h"

namespace {

using mizani::EstimateOptions;
using mizani::EstimateResult;
using mizani::ModelFrame;
using mizani::Table;

// The table's rows in the order `perm` gives (row k of the result is row
// perm[k] of `table`); text levels as they were.
Table Permuted(const Table& table, const std::vector<size_t>& perm) {
  Table out;
  out.source = table.source + " (shuffled)";
  out.num_rows = perm.size();
  for (const mizani::Column& column : table.columns) {
    mizani::Column copy = column;
    if (column.type == mizani::ColumnType::kString) {
      for (size_t row_idx = 0; row_idx < perm.size(); ++row_idx)
        copy.codes[row_idx] = column.codes[perm[row_idx]];
    } else {
      for (size_t row_idx = 0; row_idx < perm.size(); ++row_idx)
        copy.num[row_idx] = column.num[perm[row_idx]];
    }
    out.columns.push_back(std::move(copy));
  }
  return out;
}

Table SmallPanel() {
  mizani::SynthOptions synth;
  synth.exporters = 30;
  synth.importers = 30;
  synth.years = 8;
  synth.share_zeros = 0.3;
  synth.seed = 19;
  Table table = mizani::Synthesize(synth);
  // "C007" becomes "C7": text order ("C10" before "C7") is not the
  // labels' natural order.
  for (const char* name : {"exporter", "importer"}) {
    for (std::string& label : table.Find(name)->levels)
      label = fmt::format("C{}", std::stoi(label.substr(1)));
  }
  return table;
}

std::vector<size_t> Shuffle(size_t rows, uint64_t seed) {
  std::vector<size_t> perm(rows);
  std::iota(perm.begin(), perm.end(), size_t{0});
  std::mt19937_64 rng(seed);
  std::shuffle(perm.begin(), perm.end(), rng);
  return perm;
}

// Whether, within every level of `group_dim`, the frame's rows come with
// the values of `varying` strictly rising: years by value, the synthetic
// panel's country labels ("C7", "C12") by their number, the natural order
// model_frame.cc sorts by.
bool SameOrderInEveryLevel(const ModelFrame& frame, int group_dim, const Table& table,
                           const std::string& varying) {
  const mizani::Column& column = table.Get(varying);
  auto less = [&](size_t left, size_t right) {
    return column.type == mizani::ColumnType::kString
               ? std::stoi(column.levels[column.codes[left]].substr(1)) <
                     std::stoi(column.levels[column.codes[right]].substr(1))
               : column.num[left] < column.num[right];
  };
  const std::vector<int32_t>& group = frame.fe_ids[group_dim];
  for (int64_t obs_idx = 1; obs_idx < frame.num_obs(); ++obs_idx) {
    if (group[obs_idx] != group[obs_idx - 1]) continue;
    if (!less(frame.source_row[obs_idx - 1], frame.source_row[obs_idx])) return false;
  }
  return true;
}

// Rows grouped by the largest dimension's levels come, within each level,
// in the order of the columns that vary there (a pair's years, an
// exporter-year's importers), the same order in every level, even from a
// shuffled table; in the table's own (shuffled) order they do not.
TEST(ModelFrame, ShuffledRowsComeInOneOrderWithinEveryLevel) {
  const Table sorted = SmallPanel();
  const Table shuffled = Permuted(sorted, Shuffle(sorted.num_rows, 5));
  EstimateOptions options;
  options.threads = 2;
  struct Case {
    const char* formula;
    int group_dim;        // the largest dimension
    const char* varying;  // the column that varies within its levels
  };
  for (const Case& one :
       {Case{"trade ~ rta | exporter^year + importer^year + exporter^importer", 2, "year"},
        Case{"trade ~ rta + ln_dist | exporter^year + importer^year", 0, "importer"}}) {
    SCOPED_TRACE(one.formula);
    ModelFrame frame =
        mizani::BuildModelFrame(shuffled, mizani::ParseFormula(one.formula), {}, options);
    for (size_t dim_idx = 0; dim_idx < frame.fe_sizes.size(); ++dim_idx)
      ASSERT_LE(frame.fe_sizes[dim_idx], frame.fe_sizes[one.group_dim]);
    // Grouped: each level's rows are contiguous.
    std::vector<uint8_t> seen(frame.fe_sizes[one.group_dim], 0);
    for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx) {
      const int32_t level = frame.fe_ids[one.group_dim][obs_idx];
      if (obs_idx > 0 && level == frame.fe_ids[one.group_dim][obs_idx - 1]) continue;
      ASSERT_EQ(seen[level], 0) << "level " << level << " split";
      seen[level] = 1;
    }
    EXPECT_TRUE(SameOrderInEveryLevel(frame, one.group_dim, shuffled, one.varying));
    // The table's order, grouped stably (what the frame held before), fails
    // the same test: the check above can fail.
    ModelFrame stable = frame;
    std::vector<int64_t> by_table(frame.num_obs());
    std::iota(by_table.begin(), by_table.end(), int64_t{0});
    std::stable_sort(by_table.begin(), by_table.end(), [&](int64_t left, int64_t right) {
      const int32_t left_level = frame.fe_ids[one.group_dim][left];
      const int32_t right_level = frame.fe_ids[one.group_dim][right];
      return left_level != right_level ? left_level < right_level
                                       : frame.source_row[left] < frame.source_row[right];
    });
    for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx) {
      stable.source_row[obs_idx] = frame.source_row[by_table[obs_idx]];
      stable.fe_ids[one.group_dim][obs_idx] = frame.fe_ids[one.group_dim][by_table[obs_idx]];
    }
    EXPECT_FALSE(SameOrderInEveryLevel(stable, one.group_dim, shuffled, one.varying));
    // A sorted table is left in its order within the levels.
    ModelFrame from_sorted =
        mizani::BuildModelFrame(sorted, mizani::ParseFormula(one.formula), {}, options);
    for (int64_t obs_idx = 1; obs_idx < from_sorted.num_obs(); ++obs_idx) {
      if (from_sorted.fe_ids[one.group_dim][obs_idx] ==
          from_sorted.fe_ids[one.group_dim][obs_idx - 1]) {
        ASSERT_GT(from_sorted.source_row[obs_idx], from_sorted.source_row[obs_idx - 1]);
      }
    }
  }
}

// The same panel in another row order is the same model: coefficients,
// standard errors, deviance and every row's fitted value agree (to the
// convergence criterion's digits; only the order of sums differs).
TEST(ModelFrame, TheFitDoesNotDependOnTheOrderOfTheRows) {
  const Table sorted = SmallPanel();
  const std::vector<size_t> perm = Shuffle(sorted.num_rows, 8);
  const Table shuffled = Permuted(sorted, perm);
  EstimateOptions options;
  options.threads = 2;
  options.keep_fitted = true;
  options.tolerance = 1e-12;
  options.vcov.type = mizani::VcovType::kHetero;
  for (const char* formula : {"trade ~ rta | exporter^year + importer^year + exporter^importer",
                              "trade ~ rta + ln_dist + contig | exporter^year + importer^year"}) {
    SCOPED_TRACE(formula);
    const EstimateResult base =
        mizani::Estimate(sorted, mizani::ParseFormula(formula), {}, options);
    const EstimateResult other =
        mizani::Estimate(shuffled, mizani::ParseFormula(formula), {}, options);
    ASSERT_TRUE(base.converged()) << base.message;
    ASSERT_TRUE(other.converged()) << other.message;
    ASSERT_EQ(base.num_obs, other.num_obs);
    ASSERT_EQ(base.coef.size(), other.coef.size());
    for (Eigen::Index col_idx = 0; col_idx < base.coef.size(); ++col_idx) {
      EXPECT_NEAR(other.coef(col_idx), base.coef(col_idx), 1e-9 * std::abs(base.coef(col_idx)));
      EXPECT_NEAR(other.StdErrors()(col_idx), base.StdErrors()(col_idx),
                  1e-7 * base.StdErrors()(col_idx));
    }
    EXPECT_NEAR(other.deviance, base.deviance, 1e-10 * base.deviance);
    // Fitted values by table row: shuffled row k is sorted row perm[k].
    std::vector<double> base_mu(sorted.num_rows, -1.0);
    for (size_t idx = 0; idx < base.fitted.size(); ++idx)
      base_mu[base.source_row[idx]] = base.fitted[idx];
    ASSERT_EQ(other.fitted.size(), base.fitted.size());
    for (size_t idx = 0; idx < other.fitted.size(); ++idx) {
      const double expected = base_mu[perm[other.source_row[idx]]];
      ASSERT_GE(expected, 0.0) << "row kept in one order only";
      EXPECT_NEAR(other.fitted[idx], expected, 1e-7 * expected + 1e-12);
    }
  }
}

}  // namespace

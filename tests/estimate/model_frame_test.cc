// The frame's row order (estimate/model_frame.cc): rows grouped by the level
// of the largest fixed-effect dimension and, when the file's rows are not in
// a regular order, ordered the same way within every level; and a fit that
// does not depend on the order of the file's rows.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "mizani/error.h"
#include "mizani/estimate.h"
#include "mizani/filter.h"
#include "mizani/synth.h"
#include "mizani/table.h"

namespace {

using mizani::EstimateOptions;
using mizani::EstimateResult;
using mizani::ModelFrame;
using mizani::Table;

// The table's rows in the order `perm` gives (row k of the result is row
// perm[k] of `table`; a row may come more than once); text levels as they
// were.
Table Permuted(const Table& table, const std::vector<size_t>& perm) {
  Table out;
  out.source = table.source + " (shuffled)";
  out.num_rows = perm.size();
  for (const mizani::Column& column : table.columns) {
    mizani::Column copy = column;
    if (column.type == mizani::ColumnType::kString) {
      copy.codes.resize(perm.size());
      for (size_t row_idx = 0; row_idx < perm.size(); ++row_idx)
        copy.codes[row_idx] = column.codes[perm[row_idx]];
    } else {
      copy.num.resize(perm.size());
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

// The frame's order against its definition, computed by brute force: the
// table's rows stably sorted by the level of the largest dimension (levels
// numbered by first appearance) and, within a level, by the natural order
// of the column that varies there. On a panel large enough for the
// counting sort to split across two threads, with a tenth of its rows
// repeated (ties, which keep the table's order): shuffled (the rows are
// sorted within the levels), and in year-major order (they are not: every
// level's rows span both threads' halves, and only the counting sort's
// stability puts them in order).
TEST(ModelFrame, TheOrderIsTheStableSortByLevelThenByTheVaryingColumn) {
  mizani::SynthOptions synth;
  synth.exporters = 60;
  synth.importers = 60;
  synth.years = 12;
  synth.seed = 23;
  const Table panel = mizani::Synthesize(synth);
  std::mt19937_64 rng(12);
  std::uniform_int_distribution<size_t> pick(0, panel.num_rows - 1);
  std::vector<size_t> shuffled = Shuffle(panel.num_rows, 11);
  for (size_t copy = 0; copy < panel.num_rows / 10; ++copy) shuffled.push_back(pick(rng));
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  std::vector<size_t> year_major(panel.num_rows);
  std::iota(year_major.begin(), year_major.end(), size_t{0});
  const std::vector<double>& year = panel.Get("year").num;
  std::stable_sort(year_major.begin(), year_major.end(),
                   [&](size_t left, size_t right) { return year[left] < year[right]; });
  for (size_t pos = 0; pos < year_major.size(); pos += 10)
    year_major.insert(year_major.begin() + static_cast<std::ptrdiff_t>(pos), year_major[pos]);
  for (const auto& perm : {shuffled, year_major}) {
    const Table table = Permuted(panel, perm);
    ASSERT_GT(table.num_rows, size_t{2 * 16384});
    EstimateOptions options;
    options.threads = 2;
    struct Case {
      const char* formula;
      std::vector<std::string> group;  // the largest dimension's columns
      const char* varying;
    };
    for (const Case& one :
         {Case{"trade ~ rta | exporter^year + importer^year + exporter^importer",
               {"exporter", "importer"},
               "year"},
          Case{"trade ~ rta | exporter^year + importer^year", {"exporter", "year"}, "importer"}}) {
      for (const bool filtered : {false, true}) {
        // Filtered: the zero flows' rows (scattered) are skipped by both
        // passes of the counting sort.
        SCOPED_TRACE(fmt::format("{}{}", one.formula, filtered ? ", trade > 0" : ""));
        std::vector<mizani::RowFilter> filters;
        if (filtered) filters.push_back({"trade > 0"});
        const ModelFrame frame =
            mizani::BuildModelFrame(table, mizani::ParseFormula(one.formula), filters, options);
        // A row's group: its values of the group's columns, numbered by first
        // appearance; its key: the varying column's natural rank.
        std::vector<std::vector<double>> group_values(table.num_rows);
        for (const std::string& name : one.group) {
          const mizani::Column& column = table.Get(name);
          for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
            group_values[row_idx].push_back(column.type == mizani::ColumnType::kString
                                                ? column.codes[row_idx]
                                                : column.num[row_idx]);
          }
        }
        std::vector<int64_t> group_of(table.num_rows);
        std::vector<std::vector<double>> groups;
        for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
          const auto found = std::find(groups.begin(), groups.end(), group_values[row_idx]);
          group_of[row_idx] = found - groups.begin();
          if (found == groups.end()) groups.push_back(group_values[row_idx]);
        }
        const mizani::Column& varying = table.Get(one.varying);
        auto key_of = [&](size_t row_idx) {
          return varying.type == mizani::ColumnType::kString
                     ? static_cast<double>(
                           std::stoi(varying.levels[varying.codes[row_idx]].substr(1)))
                     : varying.num[row_idx];
        };
        // (Levels are numbered over every row of the table, before filters.)
        std::vector<int64_t> expected;
        const std::vector<double>& trade = table.Get("trade").num;
        for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
          if (!filtered || trade[row_idx] > 0) expected.push_back(static_cast<int64_t>(row_idx));
        }
        ASSERT_LT(expected.size(), filtered ? table.num_rows : table.num_rows + 1);
        std::stable_sort(expected.begin(), expected.end(), [&](int64_t left, int64_t right) {
          if (group_of[left] != group_of[right]) return group_of[left] < group_of[right];
          return key_of(left) < key_of(right);
        });
        ASSERT_EQ(frame.source_row.size(), expected.size());
        for (size_t pos = 0; pos < expected.size(); ++pos)
          ASSERT_EQ(frame.source_row[pos], expected[pos]) << "frame row " << pos;
      }
    }
  }
}

// Whether two frames hold the same model: rows, outcome, regressors, fixed
// effects and the drop counts, exactly.
void ExpectSameFrame(const ModelFrame& kept, const ModelFrame& consumed) {
  ASSERT_EQ(consumed.num_obs(), kept.num_obs());
  EXPECT_EQ(consumed.source_row, kept.source_row);
  EXPECT_EQ(consumed.y, kept.y);
  ASSERT_EQ(consumed.X.cols(), kept.X.cols());
  EXPECT_TRUE(consumed.X == kept.X);
  EXPECT_EQ(consumed.fe_ids, kept.fe_ids);
  EXPECT_EQ(consumed.fe_sizes, kept.fe_sizes);
  EXPECT_EQ(consumed.cluster_ids, kept.cluster_ids);
  EXPECT_EQ(consumed.rows_read, kept.rows_read);
  EXPECT_EQ(consumed.dropped, kept.dropped);
}

// A table the frame consumes lends its outcome column to the frame instead
// of a copy (OutcomeColumnToTake in model_frame.cc); the frame is the one a
// table the caller keeps gives. Also where the outcome's column is read
// again after the outcome is taken (a regressor, a cluster) and must not
// be taken, and with a negative outcome, which is refused with its row
// and value either way.
TEST(ModelFrame, AConsumedTableGivesTheFrameAKeptTableGives) {
  const Table table = SmallPanel();
  struct Case {
    const char* formula;
    std::vector<std::string> cluster;
  };
  for (const Case& model :
       {Case{"trade ~ rta | exporter^year + importer^year + exporter^importer", {}},
        Case{"trade ~ rta + ln_dist | exporter^year + importer^year", {"exporter"}},
        Case{"trade ~ rta + log(trade) | exporter^year + importer^year", {}},
        Case{"trade ~ rta | exporter^year + importer^year", {"trade"}}}) {
    SCOPED_TRACE(model.formula);
    EstimateOptions options;
    options.threads = 2;
    options.vcov.type = mizani::VcovType::kCluster;
    options.vcov.cluster = model.cluster;
    if (model.cluster.empty()) options.vcov.type = mizani::VcovType::kIid;
    const mizani::Formula formula = mizani::ParseFormula(model.formula);
    const ModelFrame kept = mizani::BuildModelFrame(table, formula, {}, options);
    Table copy = table;
    const ModelFrame consumed = mizani::BuildModelFrame(std::move(copy), formula, {}, options);
    ExpectSameFrame(kept, consumed);
  }
  Table negative = table;
  negative.Find("trade")->num[41] = -2.5;
  const mizani::Formula formula = mizani::ParseFormula("trade ~ rta | exporter + importer");
  EstimateOptions options;
  for (bool consume : {false, true}) {
    SCOPED_TRACE(consume ? "consumed" : "kept");
    Table copy = negative;
    try {
      if (consume) {
        mizani::BuildModelFrame(std::move(copy), formula, {}, options);
      } else {
        mizani::BuildModelFrame(copy, formula, {}, options);
      }
      ADD_FAILURE() << "a negative outcome was accepted";
    } catch (const mizani::Error& error) {
      EXPECT_EQ(error.code(), mizani::ErrorCode::kBadData);
      EXPECT_NE(std::string(error.what()).find("row 42"), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find("negative outcome -2.5"), std::string::npos)
          << error.what();
    }
  }
}

// Whether two fits of one model agree: coefficients, standard errors,
// deviance and every row's fitted value (to the convergence criterion's
// digits; only the order of sums differs). Row k of `other`'s table is row
// base_row_of[k] of `base`'s (empty: the same table).
void ExpectSameFit(const EstimateResult& base, const EstimateResult& other, size_t num_rows,
                   const std::vector<size_t>& base_row_of) {
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
  std::vector<double> base_mu(num_rows, -1.0);
  for (size_t idx = 0; idx < base.fitted.size(); ++idx)
    base_mu[base.source_row[idx]] = base.fitted[idx];
  ASSERT_EQ(other.fitted.size(), base.fitted.size());
  for (size_t idx = 0; idx < other.fitted.size(); ++idx) {
    const auto row = static_cast<size_t>(other.source_row[idx]);
    const double expected = base_mu[base_row_of.empty() ? row : base_row_of[row]];
    ASSERT_GE(expected, 0.0) << "row kept in one order only";
    EXPECT_NEAR(other.fitted[idx], expected, 1e-7 * expected + 1e-12);
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
    // Shuffled row k is sorted row perm[k].
    ExpectSameFit(base, other, sorted.num_rows, perm);
  }
}

// A two-way model's frame, asked for the order by component
// (RunOrder::kComponents; by default only where the other dimension's
// coefficients outgrow the cache): exporter-years and importer-years meet
// only within a year, so the years are the components of the two effects'
// graph. The largest dimension's levels then come one year after another
// (the years in the order of their first level, which in this panel, sorted
// by exporter, importer and year, is the years' order) and within a year in
// their own order; with RunOrder::kLevels, in their own order. The fit is
// the same model either way: coefficients, standard errors, deviance,
// fitted values and fixed effects agree (the Schur path's runs then come
// in another order than the levels, and must give each level its own
// coefficient).
TEST(ModelFrame, TwoWayLevelsComeYearByYearWhenAskedAndTheFitIsTheSame) {
  const Table table = SmallPanel();
  const char* formula = "trade ~ rta + ln_dist + contig | exporter^year + importer^year";
  const std::vector<double>& year = table.Get("year").num;
  EstimateOptions by_levels;
  by_levels.threads = 2;
  by_levels.keep_fitted = true;
  by_levels.tolerance = 1e-12;
  by_levels.vcov.type = mizani::VcovType::kHetero;
  by_levels.projection.run_order = mizani::RunOrder::kLevels;
  EstimateOptions by_components = by_levels;
  by_components.projection.run_order = mizani::RunOrder::kComponents;
  const ModelFrame own =
      mizani::BuildModelFrame(table, mizani::ParseFormula(formula), {}, by_levels);
  const ModelFrame grouped =
      mizani::BuildModelFrame(table, mizani::ParseFormula(formula), {}, by_components);
  ASSERT_EQ(own.fe_sizes, grouped.fe_sizes);
  const int largest = static_cast<int>(std::max_element(own.fe_sizes.begin(), own.fe_sizes.end()) -
                                       own.fe_sizes.begin());
  // The levels in the order the rows visit them; each level's rows together.
  auto visit_order = [&](const ModelFrame& frame) {
    std::vector<int32_t> order;
    std::vector<uint8_t> seen(frame.fe_sizes[largest], 0);
    const std::vector<int32_t>& ids = frame.fe_ids[largest];
    for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx) {
      if (obs_idx > 0 && ids[obs_idx] == ids[obs_idx - 1]) continue;
      EXPECT_EQ(seen[ids[obs_idx]], 0) << "level " << ids[obs_idx] << " comes twice";
      seen[ids[obs_idx]] = 1;
      order.push_back(ids[obs_idx]);
    }
    return order;
  };
  const std::vector<int32_t> own_order = visit_order(own);
  EXPECT_TRUE(std::is_sorted(own_order.begin(), own_order.end()));
  // Expected: the levels by (year, id), the year of a level read from the
  // table row of one of its rows.
  std::vector<double> year_of(own.fe_sizes[largest], -1);
  for (int64_t obs_idx = 0; obs_idx < own.num_obs(); ++obs_idx)
    year_of[own.fe_ids[largest][obs_idx]] = year[own.source_row[obs_idx]];
  std::vector<int32_t> expected = own_order;
  std::stable_sort(expected.begin(), expected.end(),
                   [&](int32_t left, int32_t right) { return year_of[left] < year_of[right]; });
  ASSERT_NE(expected, own_order);
  EXPECT_EQ(visit_order(grouped), expected);

  const EstimateResult base = mizani::Estimate(table, mizani::ParseFormula(formula), {}, by_levels);
  const EstimateResult other =
      mizani::Estimate(table, mizani::ParseFormula(formula), {}, by_components);
  ExpectSameFit(base, other, table.num_rows, {});
  ASSERT_EQ(other.fixed_effects.size(), base.fixed_effects.size());
  ASSERT_FALSE(base.fixed_effects.empty());
  for (size_t dim_idx = 0; dim_idx < base.fixed_effects.size(); ++dim_idx) {
    std::map<std::string, double> value_of;
    const auto& fe = base.fixed_effects[dim_idx];
    for (size_t level = 0; level < fe.labels.size(); ++level)
      value_of[fe.labels[level]] = fe.values[level];
    const auto& other_fe = other.fixed_effects[dim_idx];
    ASSERT_EQ(other_fe.labels.size(), fe.labels.size());
    for (size_t level = 0; level < other_fe.labels.size(); ++level) {
      ASSERT_EQ(value_of.count(other_fe.labels[level]), 1u) << other_fe.labels[level];
      EXPECT_NEAR(other_fe.values[level], value_of[other_fe.labels[level]], 1e-7)
          << fe.name << " " << other_fe.labels[level];
    }
  }
}

}  // namespace

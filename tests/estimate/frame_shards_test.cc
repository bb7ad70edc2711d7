// One model fitted by several ranks from their shares of a table
// (estimate/frame_shards.h), with the ranks played by threads of this
// process: every number of the fit must equal the single-process fit of
// the whole table, and an error in one share must reach every rank.
#include "estimate/frame_shards.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "mizani/communicator.h"
#include "mizani/error.h"
#include "mizani/estimate.h"
#include "mizani/formula.h"
#include "mizani/read.h"
#include "mizani/synth.h"
#include "mizani/table.h"
#include "test_support.h"
#include "thread_ranks.h"

namespace {

using mizani::Communicator;

using mizani::testing::Hub;
using mizani::testing::ThreadRank;

// Rows [begin, end) of `table` as a share: text columns keep the whole
// table's levels (as ReadOptions::keep_share gives them).
mizani::Table ShareOf(const mizani::Table& table, size_t begin, size_t end) {
  mizani::Table share;
  share.source = table.source;
  share.num_rows = end - begin;
  share.is_share = true;
  share.share_first_row = begin;
  for (const mizani::Column& column : table.columns) {
    mizani::Column part;
    part.name = column.name;
    part.type = column.type;
    if (column.type == mizani::ColumnType::kNumeric) {
      part.num.assign(column.values().begin() + begin, column.values().begin() + end);
    } else {
      part.codes.assign(column.codes.begin() + begin, column.codes.begin() + end);
      part.levels = column.levels;
    }
    share.columns.push_back(std::move(part));
  }
  return share;
}

struct ShardRun {
  mizani::EstimateResult result;
  bool failed = false;
  mizani::ErrorCode code = mizani::ErrorCode::kOk;
  std::string message;
};

// The model on `ranks` threads, rank r reading rows [cut[r], cut[r + 1]).
std::vector<ShardRun> FitOnShares(const mizani::Table& table, const std::vector<size_t>& cut,
                                  const std::string& formula_text,
                                  const std::vector<mizani::RowFilter>& filters,
                                  mizani::EstimateOptions options) {
  const int ranks = static_cast<int>(cut.size()) - 1;
  Hub hub(ranks);
  std::vector<ShardRun> runs(ranks);
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(ranks));
  for (int rank = 0; rank < ranks; ++rank) {
    threads.emplace_back([&, rank, options]() mutable {
      ThreadRank comm(hub, rank);
      options.communicator = &comm;
      options.threads = 1;
      try {
        const mizani::Formula formula = mizani::ParseFormula(formula_text);
        mizani::ModelFrame frame = mizani::BuildModelFrame(ShareOf(table, cut[rank], cut[rank + 1]),
                                                           formula, filters, options);
        EXPECT_EQ(frame.shard_comm, &comm);
        runs[rank].result = mizani::Fit(std::move(frame), options);
      } catch (const mizani::Error& error) {
        runs[rank].failed = true;
        runs[rank].code = error.code();
        runs[rank].message = error.what();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return runs;
}

void ExpectClose(double a, double b, const std::string& what) {
  EXPECT_LE(std::abs(a - b), 1e-10 * std::max({1.0, std::abs(a), std::abs(b)}))
      << what << ": " << a << " vs " << b;
}

void ExpectSameFit(const mizani::EstimateResult& one, const mizani::EstimateResult& sharded,
                   const std::string& what) {
  ASSERT_EQ(one.coef_names, sharded.coef_names) << what;
  EXPECT_EQ(one.collinear, sharded.collinear) << what;
  EXPECT_EQ(one.num_obs, sharded.num_obs) << what;
  EXPECT_EQ(one.rows_read, sharded.rows_read) << what;
  EXPECT_EQ(one.dropped, sharded.dropped) << what;
  EXPECT_EQ(one.termination, sharded.termination) << what;
  for (Eigen::Index idx = 0; idx < one.coef.size(); ++idx)
    ExpectClose(one.coef(idx), sharded.coef(idx), what + " coefficient " + one.coef_names[idx]);
  ASSERT_EQ(one.vcov.rows(), sharded.vcov.rows()) << what;
  for (Eigen::Index row = 0; row < one.vcov.rows(); ++row) {
    for (Eigen::Index col = 0; col < one.vcov.cols(); ++col)
      ExpectClose(one.vcov(row, col), sharded.vcov(row, col), what + " vcov");
  }
  EXPECT_EQ(one.num_clusters, sharded.num_clusters) << what;
  ExpectClose(one.deviance, sharded.deviance, what + " deviance");
  EXPECT_EQ(one.fe_dof, sharded.fe_dof) << what;
  ASSERT_EQ(one.fixed_effects.size(), sharded.fixed_effects.size()) << what;
  for (size_t dim_idx = 0; dim_idx < one.fixed_effects.size(); ++dim_idx) {
    const auto& a = one.fixed_effects[dim_idx];
    const auto& b = sharded.fixed_effects[dim_idx];
    ASSERT_EQ(a.labels, b.labels) << what << " " << a.name;
    for (size_t level = 0; level < a.values.size(); ++level)
      ExpectClose(a.values[level], b.values[level], what + " " + a.name + " " + a.labels[level]);
  }
}

// A panel with zeros and a regressor that is positive on one zero flow a
// year only, in a pair that trades in some year (a pair that never trades
// is an all-zero group, dropped before the check): those observations are
// separated (the one-regressor certificate finds them). And a regressor
// that only the ReLU regressions see through: fx = 1 on the first
// exporter's rows but 2 on some of its zeros in trading pairs, 0
// elsewhere; the certificate fx - (the exporter's exporter-year effects)
// is 1 on those zeros and 0 everywhere else.
mizani::Table Panel(mizani::SynthProcess process) {
  mizani::SynthOptions synth;
  synth.process = process;
  synth.exporters = 14;
  synth.importers = 14;
  synth.years = 6;
  synth.seed = 3;
  mizani::Table table = mizani::Synthesize(synth);
  table.source = "panel.csv";
  const auto trade = table.Get("trade").values();
  const auto year = table.Get("year").values();
  const auto pair = table.Get("pair_id").values();
  std::vector<double> trading_pairs;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (trade[row_idx] > 0) trading_pairs.push_back(pair[row_idx]);
  }
  std::sort(trading_pairs.begin(), trading_pairs.end());
  std::vector<double> sep(table.num_rows, 0.0);
  std::vector<double> marked;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (trade[row_idx] == 0 &&
        std::binary_search(trading_pairs.begin(), trading_pairs.end(), pair[row_idx]) &&
        std::find(marked.begin(), marked.end(), year[row_idx]) == marked.end()) {
      sep[row_idx] = 1;
      marked.push_back(year[row_idx]);
    }
  }
  table.AddNumeric("sep", std::move(sep));
  const mizani::Column& exporter = table.Get("exporter");
  std::vector<double> fx(table.num_rows, 0.0);
  int twos = 0;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (exporter.codes[row_idx] != exporter.codes[0]) continue;
    fx[row_idx] = 1;
    if (trade[row_idx] == 0 && year[row_idx] != 1981 && year[row_idx] <= 1984 && twos < 3 &&
        std::binary_search(trading_pairs.begin(), trading_pairs.end(), pair[row_idx])) {
      fx[row_idx] = 2;
      ++twos;
    }
  }
  table.AddNumeric("fx", std::move(fx));
  return table;
}

// Unequal shares, one of them empty: a rank may read no rows of the file.
std::vector<std::vector<size_t>> Cuts(size_t rows) {
  return {{0, rows / 3, rows}, {0, rows / 5, rows / 5, rows / 2, rows}};
}

TEST(FrameShards, PpmlFromSharesEqualsOneProcess) {
  for (const auto process : {mizani::SynthProcess::kLogistic, mizani::SynthProcess::kHurdle}) {
    const mizani::Table table = Panel(process);
    const std::string three_way =
        "trade ~ rta + sep + fx | exporter^year + importer^year + pair_id";
    const std::vector<mizani::RowFilter> filters = {{"year != 1981"}, {"year <= 1984"}};
    // Robust, clustered by pair, and two-way by exporter and importer (the
    // intersections numbered across ranks).
    const std::vector<std::vector<std::string>> clusterings = {
        {}, {"pair_id"}, {"exporter", "importer"}};
    for (const auto& cluster : clusterings) {
      mizani::EstimateOptions options;
      options.vcov.type = cluster.empty() ? mizani::VcovType::kHetero : mizani::VcovType::kCluster;
      options.vcov.cluster = cluster;
      options.threads = 1;
      const mizani::EstimateResult one =
          mizani::Estimate(table, mizani::ParseFormula(three_way), filters, options);
      ASSERT_TRUE(one.converged()) << one.message;
      // The separated rows (sep's and fx's) are counted: the test has bite.
      int64_t separated = 0;
      for (const auto& [reason, count] : one.dropped)
        separated += reason == mizani::DropReason::kSeparated ? count : 0;
      EXPECT_GE(separated, 4);
      // fx's zeros with 2 went (the ReLU regressions); the rest of fx is the
      // exporter's effects, collinear (as sep, all zero once its rows went).
      EXPECT_NE(std::find(one.collinear.begin(), one.collinear.end(), "fx"), one.collinear.end());
      for (const auto& cut : Cuts(table.num_rows)) {
        const std::vector<ShardRun> runs = FitOnShares(table, cut, three_way, filters, options);
        for (size_t rank = 0; rank < runs.size(); ++rank) {
          ASSERT_FALSE(runs[rank].failed) << runs[rank].message;
          ExpectSameFit(one, runs[rank].result,
                        "ranks " + std::to_string(runs.size()) + " rank " + std::to_string(rank));
        }
      }
    }
  }
}

TEST(FrameShards, OlsFromSharesEqualsOneProcess) {
  const mizani::Table table = Panel(mizani::SynthProcess::kHurdle);
  const std::string two_way = "log(trade) ~ ln_dist + contig + lang + rta | exporter + importer";
  mizani::EstimateOptions options;
  options.family = mizani::Family::kGaussian;
  options.vcov.type = mizani::VcovType::kCluster;
  options.vcov.cluster = {"pair_id"};
  options.threads = 1;
  const mizani::EstimateResult one =
      mizani::Estimate(table, mizani::ParseFormula(two_way), {}, options);
  ASSERT_TRUE(one.converged()) << one.message;
  for (const auto& cut : Cuts(table.num_rows)) {
    const std::vector<ShardRun> runs = FitOnShares(table, cut, two_way, {}, options);
    for (const ShardRun& run : runs) {
      ASSERT_FALSE(run.failed) << run.message;
      ExpectSameFit(one, run.result, "ols");
    }
  }
}

// A Stata file read in shares (ReadOptions::keep_share): three ranks each
// read only their third of the Advanced Guide's Chapter 1 application 1
// (99,981 rows); the shares tile the file, hold its values, and their text
// levels are the file's, in the single process's order; the model of its
// Table 1 (PPML, exporter-year and importer-year effects, international
// flows, errors clustered by pair) fitted from them equals the single
// process's fit of the whole file.
TEST(FrameShards, StataFileReadInSharesGivesTheSameFit) {
  MIZANI_REQUIRE_SHARED(path, "agtpa_yotov2016/dta/Chapter1/Chapter1Application1.dta");
  const mizani::Table whole = mizani::ReadTable(path);
  const std::string formula =
      "trade ~ log(DIST) + CNTG + LANG + CLNY | exporter^year + importer^year";
  const std::vector<mizani::RowFilter> filters = {{"exporter != importer"}};
  mizani::EstimateOptions options;
  options.vcov.type = mizani::VcovType::kCluster;
  options.vcov.cluster = {"pair_id"};
  options.threads = 1;
  const mizani::EstimateResult one =
      mizani::Estimate(whole, mizani::ParseFormula(formula), filters, options);
  ASSERT_TRUE(one.converged()) << one.message;
  constexpr int kRanks = 3;
  Hub hub(kRanks);
  std::vector<ShardRun> runs(kRanks);
  std::vector<size_t> first(kRanks), rows(kRanks);
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(kRanks));
  for (int rank = 0; rank < kRanks; ++rank) {
    threads.emplace_back([&, rank] {
      ThreadRank comm(hub, rank);
      mizani::ReadOptions read;
      read.communicator = &comm;
      read.keep_share = true;
      mizani::Table share = mizani::ReadTable(path, read);
      EXPECT_TRUE(share.is_share);
      first[rank] = share.share_first_row;
      rows[rank] = share.num_rows;
      // The share's rows are the file's, texts compared as texts, and the
      // levels are the whole file's.
      for (const mizani::Column& column : share.columns) {
        const mizani::Column& full = whole.Get(column.name);
        if (column.type == mizani::ColumnType::kString) {
          EXPECT_EQ(column.levels, full.levels) << column.name;
        }
        for (size_t row_idx = 0; row_idx < share.num_rows; ++row_idx) {
          const size_t file_row = share.share_first_row + row_idx;
          if (column.type == mizani::ColumnType::kString) {
            ASSERT_EQ(column.CellText(row_idx), full.CellText(file_row)) << column.name;
          } else {
            const double a = column.values()[row_idx], b = full.values()[file_row];
            ASSERT_TRUE(a == b || (std::isnan(a) && std::isnan(b))) << column.name;
          }
        }
      }
      mizani::EstimateOptions sharded = options;
      sharded.communicator = &comm;
      try {
        runs[rank].result =
            mizani::Fit(mizani::BuildModelFrame(std::move(share), mizani::ParseFormula(formula),
                                                filters, sharded),
                        sharded);
      } catch (const mizani::Error& error) {
        runs[rank].failed = true;
        runs[rank].message = error.what();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  size_t next = 0;
  for (int rank = 0; rank < kRanks; ++rank) {
    EXPECT_EQ(first[rank], next) << "rank " << rank;
    next += rows[rank];
    ASSERT_FALSE(runs[rank].failed) << runs[rank].message;
    ExpectSameFit(one, runs[rank].result, "Stata shares, rank " + std::to_string(rank));
  }
  EXPECT_EQ(next, whole.num_rows);
}

// Rows routed in rounds of two rows per peer (and in one round): every
// rank ends with exactly the rows whose level of the largest dimension is
// its own modulo the rank count, in the file's order, with each array
// moved along (outcome, regressors, ids, file rows). Rank 1 starts with
// no rows.
TEST(FrameShards, RowsGoToTheRankOfTheirLevelInRounds) {
  constexpr int kRanks = 3;
  const std::vector<int64_t> first = {0, 40, 40, 97};  // rank r holds rows [first[r], first[r + 1])
  auto pair_of = [](int64_t row) { return static_cast<int32_t>((row * 7) % 23); };
  for (const int64_t round_bytes : {int64_t{8 * kRanks * 2}, mizani::estimate::kRouteRoundBytes}) {
    Hub hub(kRanks);
    std::vector<mizani::ModelFrame> frames(kRanks);
    std::vector<std::thread> threads;
    threads.reserve(static_cast<size_t>(kRanks));
    for (int rank = 0; rank < kRanks; ++rank) {
      threads.emplace_back([&, rank] {
        ThreadRank comm(hub, rank);
        mizani::ModelFrame& frame = frames[rank];
        const int64_t rows = first[rank + 1] - first[rank];
        frame.X.resize(rows, 1);
        frame.fe_ids.assign(2, std::vector<int32_t>(static_cast<size_t>(rows)));
        frame.fe_sizes = {5, 23};  // dimension 1 is the largest: the shard dimension
        for (int64_t idx = 0; idx < rows; ++idx) {
          const int64_t row = first[rank] + idx;
          frame.y.push_back(static_cast<double>(row));
          frame.X(idx, 0) = 2.0 * static_cast<double>(row);
          frame.source_row.push_back(row);
          frame.fe_ids[0][idx] = static_cast<int32_t>(row % 5);
          frame.fe_ids[1][idx] = pair_of(row);
        }
        mizani::estimate::RouteFrameRows(frame, comm, round_bytes);
        frame.shard_comm = nullptr;  // (comm goes out of scope)
      });
    }
    for (std::thread& thread : threads) thread.join();
    for (int rank = 0; rank < kRanks; ++rank) {
      const mizani::ModelFrame& frame = frames[rank];
      std::vector<int64_t> expected;
      for (int64_t row = 0; row < first[kRanks]; ++row) {
        if (pair_of(row) % kRanks == rank) expected.push_back(row);
      }
      EXPECT_EQ(frame.source_row, expected) << "rank " << rank << ", round " << round_bytes;
      ASSERT_EQ(frame.num_obs(), static_cast<int64_t>(expected.size()));
      ASSERT_EQ(frame.X.rows(), frame.num_obs());
      for (int64_t idx = 0; idx < frame.num_obs(); ++idx) {
        const int64_t row = expected[idx];
        EXPECT_EQ(frame.y[idx], static_cast<double>(row));
        EXPECT_EQ(frame.X(idx, 0), 2.0 * static_cast<double>(row));
        EXPECT_EQ(frame.fe_ids[0][idx], row % 5);
        EXPECT_EQ(frame.fe_ids[1][idx], pair_of(row));
      }
    }
  }
}

// A negative outcome in the last share only: every rank fails with the
// single process's code and message (which names the file's row).
TEST(FrameShards, AnErrorInOneShareReachesEveryRank) {
  mizani::Table table = Panel(mizani::SynthProcess::kLogistic);
  mizani::Column* trade = table.Find("trade");
  trade->num[table.num_rows - 2] = -1;
  const std::string formula = "trade ~ rta | exporter^year + importer^year + pair_id";
  mizani::EstimateOptions options;
  std::string expected;
  try {
    mizani::Estimate(table, mizani::ParseFormula(formula), {}, options);
  } catch (const mizani::Error& error) {
    expected = error.what();
  }
  ASSERT_NE(expected.find("row " + std::to_string(table.num_rows - 1)), std::string::npos)
      << expected;
  const std::vector<ShardRun> runs =
      FitOnShares(table, Cuts(table.num_rows)[1], formula, {}, options);
  for (const ShardRun& run : runs) {
    EXPECT_TRUE(run.failed);
    EXPECT_EQ(run.code, mizani::ErrorCode::kBadData);
    EXPECT_EQ(run.message, expected);
  }
}

// Fitted values from shares (EstimateOptions::keep_fitted): each rank holds
// its own rows', in file order, named by their rows in the file; together
// the ranks' rows are the single process's sample, with its fitted values.
TEST(FrameShards, FittedValuesFromSharesAreEachRanksOwnRows) {
  const mizani::Table table = Panel(mizani::SynthProcess::kHurdle);
  const std::string three_way = "trade ~ rta | exporter^year + importer^year + pair_id";
  const std::vector<mizani::RowFilter> filters = {{"year != 1981"}};
  mizani::EstimateOptions options;
  options.keep_fitted = true;
  options.vcov.type = mizani::VcovType::kHetero;
  options.threads = 1;
  const mizani::EstimateResult one =
      mizani::Estimate(table, mizani::ParseFormula(three_way), filters, options);
  ASSERT_TRUE(one.converged()) << one.message;
  ASSERT_EQ(one.fitted.size(), one.source_row.size());
  // Cleaning dropped rows, so the sample is not every row.
  ASSERT_LT(one.fitted.size(), table.num_rows);
  for (const auto& cut : Cuts(table.num_rows)) {
    const std::vector<ShardRun> runs = FitOnShares(table, cut, three_way, filters, options);
    std::vector<std::pair<int64_t, double>> joined;
    for (const ShardRun& run : runs) {
      ASSERT_FALSE(run.failed) << run.message;
      ASSERT_EQ(run.result.fitted.size(), run.result.source_row.size());
      EXPECT_TRUE(std::is_sorted(run.result.source_row.begin(), run.result.source_row.end()));
      for (size_t idx = 0; idx < run.result.fitted.size(); ++idx)
        joined.emplace_back(run.result.source_row[idx], run.result.fitted[idx]);
    }
    std::sort(joined.begin(), joined.end());
    ASSERT_EQ(joined.size(), one.fitted.size()) << cut.size() - 1 << " ranks";
    for (size_t idx = 0; idx < joined.size(); ++idx) {
      ASSERT_EQ(joined[idx].first, one.source_row[idx]) << idx;
      ExpectClose(joined[idx].second, one.fitted[idx],
                  "fitted value of row " + std::to_string(joined[idx].first));
    }
  }
}

}  // namespace

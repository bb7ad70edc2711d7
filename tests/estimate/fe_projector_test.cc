// The projection kernel: its output is W-orthogonal to every fixed-effect
// dummy, and it is idempotent on vectors already in the fixed-effect space.
#include "estimate/hdfe/fe_projector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "estimate/hdfe/run_kernels_avx.h"
#include "estimate/hdfe/schur_projector.h"

namespace {

using mizani::estimate::FeProjector;

struct Design {
  std::vector<std::vector<int32_t>> ids;
  std::vector<int32_t> sizes;
};

Design RandomDesign(int64_t num_obs, const std::vector<int32_t>& sizes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Design design;
  design.sizes = sizes;
  for (int32_t size : sizes) {
    std::vector<int32_t> ids(num_obs);
    for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
      ids[obs_idx] =
          obs_idx < size ? static_cast<int32_t>(obs_idx) : static_cast<int32_t>(rng() % size);
    }
    design.ids.push_back(std::move(ids));
  }
  return design;
}

class ProjectorTest : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(ProjectorTest, OrthogonalToEveryLevelAndIdempotent) {
  const auto [num_dims, threads] = GetParam();
  const int64_t num_obs = 50000;
  std::vector<int32_t> sizes = {300, 200, 1000};
  sizes.resize(num_dims);
  Design design = RandomDesign(num_obs, sizes, 11 + num_dims);
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> uniform(0.1, 3.0);
  std::vector<double> weight(num_obs), v(3 * num_obs), out(3 * num_obs);
  for (auto& value : weight) value = uniform(rng);
  for (auto& value : v) value = uniform(rng) * 10 - 5;
  FeProjector projector(design.ids, design.sizes, threads);
  projector.SetWeights(weight);
  std::vector<double> alpha;
  auto stats = projector.Project(v.data(), out.data(), 3, alpha, 1e-12, 10000);
  ASSERT_TRUE(stats.converged);
  for (int col_idx = 0; col_idx < 3; ++col_idx) {
    double scale = 0;
    for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx)
      scale += weight[obs_idx] * std::abs(v[col_idx * num_obs + obs_idx]);
    for (int dim_idx = 0; dim_idx < num_dims; ++dim_idx) {
      std::vector<double> sum(sizes[dim_idx], 0.0);
      for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
        sum[design.ids[dim_idx][obs_idx]] += weight[obs_idx] * out[col_idx * num_obs + obs_idx];
      }
      for (double level_sum : sum) ASSERT_NEAR(level_sum, 0.0, 1e-9 * scale / sizes[dim_idx]);
    }
  }
  // v - out lies in the fixed-effect space: projecting it gives zero.
  std::vector<double> fe_part(num_obs), again(num_obs), alpha2;
  for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx)
    fe_part[obs_idx] = v[obs_idx] - out[obs_idx];
  projector.Project(fe_part.data(), again.data(), 1, alpha2, 1e-12, 10000);
  for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) ASSERT_NEAR(again[obs_idx], 0.0, 1e-8);
}

// Observations sorted by the largest dimension (as a panel sorted by pair):
// the projector eliminates that dimension exactly and iterates on the Schur
// complement. The same two properties must hold.
TEST(ProjectorSchurPath, SortedByLargestDimension) {
  const int64_t num_obs = 40000;
  Design design = RandomDesign(num_obs, {150, 120, 2000}, 23);
  std::vector<int64_t> order(num_obs);
  for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) order[obs_idx] = obs_idx;
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return design.ids[2][a] < design.ids[2][b]; });
  Design sorted = design;
  for (int dim_idx = 0; dim_idx < 3; ++dim_idx) {
    for (int64_t pos = 0; pos < num_obs; ++pos)
      sorted.ids[dim_idx][pos] = design.ids[dim_idx][order[pos]];
  }
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> uniform(0.1, 3.0);
  std::vector<double> weight(num_obs), v(num_obs), out(num_obs);
  for (auto& value : weight) value = uniform(rng);
  for (auto& value : v) value = uniform(rng) * 4 - 2;
  for (int threads : {1, 2}) {
    FeProjector projector(sorted.ids, sorted.sizes, threads);
    projector.SetWeights(weight);
    std::vector<double> alpha;
    auto stats = projector.Project(v.data(), out.data(), 1, alpha, 1e-12, 10000);
    ASSERT_TRUE(stats.converged);
    for (int dim_idx = 0; dim_idx < 3; ++dim_idx) {
      std::vector<double> sum(sorted.sizes[dim_idx], 0.0), scale(sorted.sizes[dim_idx], 0.0);
      for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
        sum[sorted.ids[dim_idx][obs_idx]] += weight[obs_idx] * out[obs_idx];
        scale[sorted.ids[dim_idx][obs_idx]] += weight[obs_idx] * std::abs(v[obs_idx]);
      }
      for (size_t level = 0; level < sum.size(); ++level)
        ASSERT_NEAR(sum[level], 0.0, 1e-9 * (scale[level] + 1));
    }
    // The coefficients reproduce v - out.
    const auto& offsets = projector.offsets_Q();
    for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
      double fitted = 0;
      for (int dim_idx = 0; dim_idx < 3; ++dim_idx)
        fitted += alpha[offsets[dim_idx] + sorted.ids[dim_idx][obs_idx]];
      ASSERT_NEAR(fitted, v[obs_idx] - out[obs_idx], 1e-9);
    }
  }
}

// Rows grouped by the largest dimension's levels, the levels in another
// order than their ids (the model frame's order by component, RunOrder):
// the Schur path takes the runs as the rows come, without a permutation,
// and each level's coefficient must land at that level. The same rows in
// level order are the reference: outputs row by row and every coefficient
// agree, with one and two threads, gap filling off and automatic, and with
// a level that has no rows. (The design is random: both orders run on the
// row layout; the segment layout's runs are covered by the model-frame
// test in model_frame_test.cc, whose panel has segments.)
TEST(ProjectorSchurPath, RunsInAnotherOrderThanTheLevels) {
  const int64_t num_obs = 30000;
  Design design = RandomDesign(num_obs, {150, 2000}, 31);
  // Level 1999 loses its rows to level 0: a level without rows.
  for (auto& id : design.ids[1]) id = id == 1999 ? 0 : id;
  std::vector<int32_t> level_rank(2000);
  std::iota(level_rank.begin(), level_rank.end(), 0);
  std::mt19937_64 rng(17);
  std::shuffle(level_rank.begin(), level_rank.end(), rng);
  // A stable sort of the rows: by level, and by the shuffled rank of levels.
  auto sorted_by = [&](auto&& key) {
    std::vector<int64_t> order(num_obs);
    std::iota(order.begin(), order.end(), int64_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return key(a) < key(b); });
    return order;
  };
  const std::vector<int64_t> by_level = sorted_by([&](int64_t obs) { return design.ids[1][obs]; });
  const std::vector<int64_t> by_rank =
      sorted_by([&](int64_t obs) { return level_rank[design.ids[1][obs]]; });
  std::uniform_real_distribution<double> uniform(0.1, 3.0);
  std::vector<double> weight(num_obs), v(2 * num_obs);
  for (auto& value : weight) value = uniform(rng);
  for (auto& value : v) value = uniform(rng) * 4 - 2;
  struct Rows {
    Design design;
    std::vector<double> weight, v;
  };
  auto rows_in = [&](const std::vector<int64_t>& order) {
    Rows rows{design, std::vector<double>(num_obs), std::vector<double>(2 * num_obs)};
    for (int64_t pos = 0; pos < num_obs; ++pos) {
      for (int dim_idx = 0; dim_idx < 2; ++dim_idx)
        rows.design.ids[dim_idx][pos] = design.ids[dim_idx][order[pos]];
      rows.weight[pos] = weight[order[pos]];
      for (int col_idx = 0; col_idx < 2; ++col_idx)
        rows.v[col_idx * num_obs + pos] = v[col_idx * num_obs + order[pos]];
    }
    return rows;
  };
  const Rows level_rows = rows_in(by_level);
  const Rows rank_rows = rows_in(by_rank);
  ASSERT_FALSE(std::is_sorted(rank_rows.design.ids[1].begin(), rank_rows.design.ids[1].end()));
  for (int threads : {1, 2}) {
    for (mizani::GapFill gap_fill : {mizani::GapFill::kNever, mizani::GapFill::kAuto}) {
      mizani::ProjectionOptions options;
      options.gap_fill = gap_fill;
      auto project = [&](const Rows& rows, std::vector<double>& out, std::vector<double>& alpha) {
        FeProjector projector(rows.design.ids, rows.design.sizes, threads, num_obs, options);
        EXPECT_EQ(projector.EliminatedDimension(), 1);
        projector.SetWeights(rows.weight);
        out.assign(2 * num_obs, 0.0);
        const auto stats = projector.Project(rows.v.data(), out.data(), 2, alpha, 1e-13, 10000);
        EXPECT_TRUE(stats.converged);
      };
      std::vector<double> level_out, level_alpha, rank_out, rank_alpha;
      project(level_rows, level_out, level_alpha);
      project(rank_rows, rank_out, rank_alpha);
      for (int64_t pos = 0; pos < num_obs; ++pos) {
        // Row by_rank[pos] of the design sits at its position in by_level.
        const int64_t obs = by_rank[pos];
        const int64_t level_pos =
            std::lower_bound(by_level.begin(), by_level.end(), obs,
                             [&](int64_t a, int64_t b) {
                               return design.ids[1][a] != design.ids[1][b]
                                          ? design.ids[1][a] < design.ids[1][b]
                                          : a < b;
                             }) -
            by_level.begin();
        ASSERT_EQ(by_level[level_pos], obs);
        for (int col_idx = 0; col_idx < 2; ++col_idx) {
          ASSERT_NEAR(rank_out[col_idx * num_obs + pos], level_out[col_idx * num_obs + level_pos],
                      1e-9);
        }
      }
      // Coefficients: the level without rows has none (zero) either way;
      // the two orders' coefficients give the same D alpha, so those of the
      // eliminated levels agree once the remaining dimension's are equal
      // (its mean is pinned the same way in both).
      ASSERT_EQ(rank_alpha.size(), level_alpha.size());
      for (size_t idx = 0; idx < level_alpha.size(); ++idx)
        ASSERT_NEAR(rank_alpha[idx], level_alpha[idx], 1e-8) << "coefficient " << idx;
      EXPECT_EQ(level_alpha[2 * (150 + 1999)], 0.0);
      EXPECT_EQ(rank_alpha[2 * (150 + 1999)], 0.0);
    }
  }
}

// The plan a sharded fit agrees on before building (fit.cc) is the path the
// constructor takes: sorted by the largest dimension (eliminated), unsorted
// (Jacobi, -1), forced either way, one dimension, no rows.
TEST(ProjectorSchurPath, PlannedDimensionIsTheConstructorsChoice) {
  const int64_t num_obs = 20000;
  const Design design = RandomDesign(num_obs, {150, 120, 2000}, 31);
  Design sorted = design;
  std::vector<int64_t> order(num_obs);
  for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) order[obs_idx] = obs_idx;
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return design.ids[2][a] < design.ids[2][b]; });
  for (int dim_idx = 0; dim_idx < 3; ++dim_idx) {
    for (int64_t pos = 0; pos < num_obs; ++pos)
      sorted.ids[dim_idx][pos] = design.ids[dim_idx][order[pos]];
  }
  const Design one_dim{{design.ids[0]}, {design.sizes[0]}};
  const Design no_rows{{{}, {}}, {3, 4}};
  int schur_cases = 0;
  for (const Design* case_design :
       std::vector<const Design*>{&design, &sorted, &one_dim, &no_rows}) {
    for (const mizani::FeSolver solver :
         {mizani::FeSolver::kAuto, mizani::FeSolver::kJacobi, mizani::FeSolver::kSchur}) {
      mizani::ProjectionOptions options;
      options.solver = solver;
      const int planned =
          FeProjector::PlannedEliminatedDimension(case_design->ids, case_design->sizes, 0, options);
      const FeProjector projector(case_design->ids, case_design->sizes, 1, 0, options);
      EXPECT_EQ(planned, projector.EliminatedDimension()) << static_cast<int>(solver);
      schur_cases += planned >= 0;
    }
  }
  // Sorted: auto and forced Schur eliminate dimension 2; unsorted: forced only.
  EXPECT_EQ(FeProjector::PlannedEliminatedDimension(sorted.ids, sorted.sizes, 0, {}), 2);
  EXPECT_EQ(FeProjector::PlannedEliminatedDimension(design.ids, design.sizes, 0, {}), -1);
  EXPECT_EQ(schur_cases, 3);
}

// A balanced exporter x importer x year panel sorted by pair and year (the
// segment layout), and a copy with the years of every pair shuffled (the
// row layout); order[pos] is the sorted row at shuffled position pos.
struct PairPanel {
  Design sorted, shuffled;
  std::vector<int64_t> order;
};

PairPanel MakePairPanel(int num_exporters, int num_importers, int num_years, std::mt19937_64& rng) {
  PairPanel panel;
  panel.sorted.sizes = {num_exporters * num_years, num_importers * num_years,
                        num_exporters * num_importers};
  panel.sorted.ids.assign(3, {});
  for (int exporter = 0; exporter < num_exporters; ++exporter) {
    for (int importer = 0; importer < num_importers; ++importer) {
      for (int year = 0; year < num_years; ++year) {
        panel.sorted.ids[0].push_back(exporter * num_years + year);
        panel.sorted.ids[1].push_back(importer * num_years + year);
        panel.sorted.ids[2].push_back(exporter * num_importers + importer);
      }
    }
  }
  const int64_t num_obs = static_cast<int64_t>(panel.sorted.ids[0].size());
  panel.order.resize(num_obs);
  for (int64_t pair_start = 0; pair_start < num_obs; pair_start += num_years) {
    for (int year = 0; year < num_years; ++year) panel.order[pair_start + year] = pair_start + year;
    std::shuffle(panel.order.begin() + pair_start, panel.order.begin() + pair_start + num_years,
                 rng);
  }
  panel.shuffled = panel.sorted;
  for (int dim_idx = 0; dim_idx < 3; ++dim_idx) {
    for (int64_t pos = 0; pos < num_obs; ++pos)
      panel.shuffled.ids[dim_idx][pos] = panel.sorted.ids[dim_idx][panel.order[pos]];
  }
  return panel;
}

// The first-order conditions of a weighted projection `out` (num_cols
// columns) on the panel's fixed effects: every level's weighted sum of
// every column is zero.
void ExpectFirstOrderConditions(const Design& panel, const std::vector<double>& weight,
                                const std::vector<double>& out, int num_cols) {
  const auto num_obs = static_cast<int64_t>(panel.ids[0].size());
  for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
    for (size_t dim_idx = 0; dim_idx < panel.ids.size(); ++dim_idx) {
      std::vector<double> sum(panel.sizes[dim_idx], 0.0);
      for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx)
        sum[panel.ids[dim_idx][obs_idx]] += weight[obs_idx] * out[col_idx * num_obs + obs_idx];
      for (double level_sum : sum) ASSERT_NEAR(level_sum, 0.0, 1e-10) << "column " << col_idx;
    }
  }
}

// A balanced exporter x importer x year panel sorted by pair and year: the
// exporter-year and importer-year ids of each pair's rows step by one, so the
// projector uses its segment layout (no per-row ids). Shuffling the years
// inside every pair breaks the steps and forces the row layout. Both must
// give the same projection (compared row by row) and the first-order
// conditions, to 1e-10.
TEST(ProjectorSchurPath, SegmentAndRowLayoutsAgree) {
  std::mt19937_64 rng(31);
  const PairPanel pair_panel = MakePairPanel(30, 30, 12, rng);
  const Design& panel = pair_panel.sorted;
  const Design& shuffled = pair_panel.shuffled;
  const std::vector<int64_t>& order = pair_panel.order;
  const int64_t num_obs = static_cast<int64_t>(order.size());
  std::uniform_real_distribution<double> uniform(0.1, 3.0);
  // The row layout's ids in 16 bits (720 remaining levels), once per
  // thread count rather than per projection below.
  for (int threads : {1, 2}) {
    EXPECT_TRUE(mizani::estimate::SchurProjector(
                    shuffled.ids, shuffled.sizes,
                    {0, shuffled.sizes[0], shuffled.sizes[0] + shuffled.sizes[1]}, threads)
                    .narrow_ids());
  }
  // Also with pairs whose rows all weigh nothing (their eliminated
  // coefficient is then the plain mean of the values), and with the column
  // counts whose kernels pack columns in pairs (an odd one left over).
  for (bool zero_pairs : {false, true}) {
    for (int num_cols : {2, 3, 5}) {
      std::vector<double> weight(num_obs), v(num_cols * num_obs);
      for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
        const int32_t pair = panel.ids[2][obs_idx];
        const bool weightless = zero_pairs && (pair == 3 || pair == 17 || pair == 400);
        weight[obs_idx] = weightless ? 0.0 : uniform(rng);
      }
      for (auto& value : v) value = uniform(rng) * 4 - 2;
      std::vector<double> shuffled_weight(num_obs), shuffled_v(num_cols * num_obs);
      for (int64_t pos = 0; pos < num_obs; ++pos) {
        shuffled_weight[pos] = weight[order[pos]];
        for (int col_idx = 0; col_idx < num_cols; ++col_idx)
          shuffled_v[col_idx * num_obs + pos] = v[col_idx * num_obs + order[pos]];
      }
      for (int threads : {1, 2}) {
        FeProjector segmented(panel.ids, panel.sizes, threads);
        FeProjector rows(shuffled.ids, shuffled.sizes, threads);
        ASSERT_STREQ(segmented.Path(), "schur-segments");
        ASSERT_STREQ(rows.Path(), "schur-rows");
        segmented.SetWeights(weight);
        rows.SetWeights(shuffled_weight);
        std::vector<double> out(num_cols * num_obs), shuffled_out(num_cols * num_obs), alpha,
            alpha2, cross(num_cols * num_cols), cross2(num_cols * num_cols);
        ASSERT_TRUE(
            segmented
                .Project(v.data(), out.data(), num_cols, alpha, 1e-13, 10000, nullptr, cross.data())
                .converged);
        ASSERT_TRUE(rows.Project(shuffled_v.data(), shuffled_out.data(), num_cols, alpha2, 1e-13,
                                 10000, nullptr, cross2.data())
                        .converged);
        for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
          for (int64_t pos = 0; pos < num_obs; ++pos) {
            ASSERT_NEAR(shuffled_out[col_idx * num_obs + pos], out[col_idx * num_obs + order[pos]],
                        1e-10)
                << num_cols << " columns, zero-weight pairs " << zero_pairs;
          }
        }
        ExpectFirstOrderConditions(panel, weight, out, num_cols);
        for (int idx = 0; idx < num_cols * num_cols; ++idx)
          ASSERT_NEAR(cross[idx], cross2[idx], 1e-9 * (1 + std::abs(cross2[idx])));
      }
    }
  }
}

// Projects v (kCols columns) on the panel's fixed effects with the
// default path, which must be `path`, and with the Jacobi path: the two
// must agree to `tolerance`, and the first-order conditions hold.
void ExpectProjectionEqualsJacobi(const Design& panel, const std::vector<double>& weight,
                                  const std::vector<double>& v, int num_cols, int threads,
                                  const char* path, double tolerance) {
  const auto num_obs = static_cast<int64_t>(panel.ids[0].size());
  mizani::ProjectionOptions jacobi_options;
  jacobi_options.solver = mizani::FeSolver::kJacobi;
  FeProjector projector(panel.ids, panel.sizes, threads);
  FeProjector jacobi(panel.ids, panel.sizes, threads, 0, jacobi_options);
  ASSERT_STREQ(projector.Path(), path);
  projector.SetWeights(weight);
  jacobi.SetWeights(weight);
  std::vector<double> out(num_cols * num_obs), jacobi_out(num_cols * num_obs), alpha, alpha2;
  ASSERT_TRUE(projector.Project(v.data(), out.data(), num_cols, alpha, 1e-13, 10000).converged);
  ASSERT_TRUE(
      jacobi.Project(v.data(), jacobi_out.data(), num_cols, alpha2, 1e-13, 10000).converged);
  for (int64_t idx = 0; idx < num_cols * num_obs; ++idx)
    ASSERT_NEAR(out[idx], jacobi_out[idx], tolerance);
  ExpectFirstOrderConditions(panel, weight, out, num_cols);
}

// An unbalanced panel: every pair is observed over its own span of years
// (it starts trading late, or stops), rows sorted by pair and year.
// Numbered by first appearance, an exporter-year outside its first pair's
// span comes after all the others, so in every later pair of that exporter
// the steps break there; numbered along the runs
// (SchurProjector::OrderAlongRuns, a topological order of "comes right
// before in some pair") the years of every exporter and importer are in
// order and the segment layout pays. The projection must equal the Jacobi
// path's, with the first-order conditions.
TEST(ProjectorSchurPath, PanelWithSpansKeepsTheSegmentLayout) {
  std::mt19937_64 rng(47);
  constexpr int kCountries = 40, kYears = 30;  // more pairs than country-years
  std::uniform_int_distribution<int> first_year(0, 10), last_year(19, kYears - 1);
  Design panel;
  panel.sizes = {kCountries * kYears, kCountries * kYears, kCountries * kCountries};
  panel.ids.assign(3, {});
  for (int exporter = 0; exporter < kCountries; ++exporter) {
    for (int importer = 0; importer < kCountries; ++importer) {
      const int first = first_year(rng), last = last_year(rng);
      for (int year = first; year <= last; ++year) {
        panel.ids[0].push_back(exporter * kYears + year);
        panel.ids[1].push_back(importer * kYears + year);
        panel.ids[2].push_back(exporter * kCountries + importer);
      }
    }
  }
  const auto num_obs = static_cast<int64_t>(panel.ids[0].size());
  // Every pair's years in one segment of unit steps in both dimensions.
  const mizani::estimate::SchurProjector schur(
      panel.ids, panel.sizes, {0, panel.sizes[0], panel.sizes[0] + panel.sizes[1]}, 1);
  EXPECT_EQ(schur.eliminated_dim(), 2);
  EXPECT_EQ(schur.num_segments(), kCountries * kCountries);
  std::uniform_real_distribution<double> uniform(0.1, 3.0);
  constexpr int kCols = 2;
  std::vector<double> weight(num_obs), v(kCols * num_obs);
  for (auto& value : weight) value = uniform(rng);
  for (auto& value : v) value = uniform(rng) * 4 - 2;
  for (int threads : {1, 2})
    ExpectProjectionEqualsJacobi(panel, weight, v, kCols, threads, "schur-segments", 1e-9);
}

// The row layout stores a row's remaining levels in 16 bits when there are
// at most 65,536 of them (SchurProjector::NarrowIds), in 32 otherwise. Rows
// in runs of five with random distinct levels (no constant steps: the row
// layout), once with few remaining levels and once with more than 65,536;
// either way the projection must equal the Jacobi path's, with the
// first-order conditions.
TEST(ProjectorSchurPath, RowLayoutIdsNarrowOnlyWhenTheLevelsFit) {
  for (const int32_t first_levels : {1000, 70000}) {
    constexpr int32_t kSecondLevels = 50, kRunLength = 5;
    // The runs' dimension the largest (the one eliminated).
    const int32_t num_runs = first_levels + first_levels / 2;
    std::mt19937_64 rng(53 + first_levels);
    Design panel;
    panel.sizes = {first_levels, kSecondLevels, num_runs};
    panel.ids.assign(3, {});
    for (int32_t run = 0; run < num_runs; ++run) {
      std::vector<int32_t> first, second;
      while (static_cast<int32_t>(first.size()) < kRunLength) {
        const auto level = static_cast<int32_t>(rng() % first_levels);
        const auto other = static_cast<int32_t>(rng() % kSecondLevels);
        if (std::find(first.begin(), first.end(), level) != first.end() ||
            std::find(second.begin(), second.end(), other) != second.end())
          continue;
        first.push_back(level);
        second.push_back(other);
      }
      for (int row = 0; row < kRunLength; ++row) {
        panel.ids[0].push_back(first[row]);
        panel.ids[1].push_back(second[row]);
        panel.ids[2].push_back(run);
      }
    }
    const auto num_obs = static_cast<int64_t>(panel.ids[0].size());
    const mizani::estimate::SchurProjector schur(
        panel.ids, panel.sizes, {0, panel.sizes[0], panel.sizes[0] + panel.sizes[1]}, 2);
    ASSERT_FALSE(schur.segmented());
    EXPECT_EQ(schur.narrow_ids(), first_levels + kSecondLevels <= 65536) << first_levels;
    std::uniform_real_distribution<double> uniform(0.1, 3.0);
    constexpr int kCols = 2;
    std::vector<double> weight(num_obs), v(kCols * num_obs);
    for (auto& value : weight) value = uniform(rng);
    for (auto& value : v) value = uniform(rng) * 4 - 2;
    SCOPED_TRACE(first_levels);
    ExpectProjectionEqualsJacobi(panel, weight, v, kCols, 2, "schur-rows", 1e-8);
  }
}

// A panel whose pairs miss years at random (15% of the pair-years), rows
// sorted by pair and year: the runs break into plain segments of a few
// rows, so the projector keeps the row layout, and with gap filling its
// conjugate-gradient passes run over segments whose missing years are
// filled by rows of weight zero (SchurProjector::BuildFilledSegments).
// One pair misses five years in a row (more than kMaxFill: the segment
// ends there) and one exporter-year has no rows at all (numbered last, so
// across it the exporter's levels step by one and the importer's by two:
// the segment ends there too). Three pairs in ten never trade;
// num_pairs receives the pairs with rows.
Design GapFilledPanel(int countries, int years, std::mt19937_64& rng, int* num_pairs) {
  Design panel;
  panel.sizes = {countries * years, countries * years, countries * countries};
  panel.ids.assign(3, {});
  *num_pairs = 0;
  for (int exporter = 0; exporter < countries; ++exporter) {
    for (int importer = 0; importer < countries; ++importer) {
      if (rng() % 10 < 3) continue;  // the pair never trades
      const bool long_gap = exporter == 2 && importer == 5;
      bool any = false;
      for (int year = 0; year < years; ++year) {
        if (rng() % 100 < 15) continue;
        if (long_gap && year >= 6 && year <= 10) continue;
        if (exporter == 4 && year == 12) continue;
        panel.ids[0].push_back(exporter * years + year);
        panel.ids[1].push_back(importer * years + year);
        panel.ids[2].push_back(exporter * countries + importer);
        any = true;
      }
      *num_pairs += any ? 1 : 0;
    }
  }
  return panel;
}

// On that panel, the projection, its cross products and its coefficients
// must equal the row layout's and the Jacobi path's, with the first-order
// conditions, for unit weights, random weights and pairs that weigh
// nothing, at the column counts whose kernels pack columns in pairs.
void ExpectGapFilledAgree(int countries, int years) {
  std::mt19937_64 rng(61);
  int num_pairs = 0;
  const Design panel = GapFilledPanel(countries, years, rng, &num_pairs);
  const auto num_obs = static_cast<int64_t>(panel.ids[0].size());
  const std::vector<int64_t> offsets = {0, panel.sizes[0], panel.sizes[0] + panel.sizes[1]};
  for (int threads : {1, 2}) {
    const mizani::estimate::SchurProjector filled(panel.ids, panel.sizes, offsets, threads, true,
                                                  -1, mizani::GapFill::kAlways);
    const mizani::estimate::SchurProjector rows(panel.ids, panel.sizes, offsets, threads, true, -1,
                                                mizani::GapFill::kNever);
    ASSERT_FALSE(filled.segmented());
    ASSERT_FALSE(rows.segmented());
    ASSERT_TRUE(filled.gap_filled());
    ASSERT_FALSE(rows.gap_filled());
    // About 15% of the rows' years missing, most of them filled; the long
    // gap and the missing exporter-year cut at least one run in two.
    EXPECT_GT(filled.filled_rows(), num_obs / 10);
    EXPECT_LT(filled.filled_rows(), num_obs / 4);
    EXPECT_GT(filled.num_filled_segments(), num_pairs);
    EXPECT_LT(filled.num_filled_segments(), 2 * num_pairs);
  }
  mizani::ProjectionOptions always, never, jacobi_options;
  always.gap_fill = mizani::GapFill::kAlways;
  never.gap_fill = mizani::GapFill::kNever;
  jacobi_options.solver = mizani::FeSolver::kJacobi;
  std::uniform_real_distribution<double> uniform(0.1, 3.0);
  for (int weighting : {0, 1, 2}) {  // unit weights, random, some pairs weightless
    for (int num_cols : {1, 2, 3, 5}) {
      std::vector<double> weight(num_obs, 1.0), v(num_cols * num_obs);
      if (weighting > 0) {
        for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
          const int32_t pair = panel.ids[2][obs_idx];
          const bool weightless = weighting == 2 && (pair == 3 || pair == 65 || pair == 400);
          weight[obs_idx] = weightless ? 0.0 : uniform(rng);
        }
      }
      for (auto& value : v) value = uniform(rng) * 4 - 2;
      for (int threads : {1, 2}) {
        SCOPED_TRACE(testing::Message() << "weighting " << weighting << ", " << num_cols
                                        << " columns, " << threads << " threads");
        FeProjector filled(panel.ids, panel.sizes, threads, 0, always);
        FeProjector rows(panel.ids, panel.sizes, threads, 0, never);
        FeProjector jacobi(panel.ids, panel.sizes, threads, 0, jacobi_options);
        ASSERT_STREQ(filled.Path(), "schur-filled");
        ASSERT_STREQ(rows.Path(), "schur-rows");
        if (weighting > 0) {  // unit weights: as constructed
          filled.SetWeights(weight);
          rows.SetWeights(weight);
          jacobi.SetWeights(weight);
        }
        std::vector<double> out(num_cols * num_obs), rows_out(num_cols * num_obs),
            jacobi_out(num_cols * num_obs), alpha, rows_alpha, jacobi_alpha,
            cross(num_cols * num_cols), rows_cross(num_cols * num_cols);
        ASSERT_TRUE(
            filled
                .Project(v.data(), out.data(), num_cols, alpha, 1e-13, 10000, nullptr, cross.data())
                .converged);
        ASSERT_TRUE(rows.Project(v.data(), rows_out.data(), num_cols, rows_alpha, 1e-13, 10000,
                                 nullptr, rows_cross.data())
                        .converged);
        ASSERT_TRUE(
            jacobi.Project(v.data(), jacobi_out.data(), num_cols, jacobi_alpha, 1e-13, 10000)
                .converged);
        // (On a row of weight zero the projection is not unique: the Schur
        // paths give a weightless pair the plain mean of its values.)
        for (int64_t idx = 0; idx < num_cols * num_obs; ++idx) {
          ASSERT_NEAR(out[idx], rows_out[idx], 1e-10) << idx;
          if (weight[idx % num_obs] > 0) {
            ASSERT_NEAR(out[idx], jacobi_out[idx], 1e-9) << idx;
          }
        }
        for (int idx = 0; idx < num_cols * num_cols; ++idx)
          ASSERT_NEAR(cross[idx], rows_cross[idx], 1e-9 * (1 + std::abs(rows_cross[idx])));
        ExpectFirstOrderConditions(panel, weight, out, num_cols);
        const auto& offset_Q = filled.offsets_Q();
        for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
          // The coefficients give v - out on every row that weighs something.
          for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
            if (weight[obs_idx] == 0) continue;
            double fitted = 0;
            for (int dim_idx = 0; dim_idx < 3; ++dim_idx) {
              fitted +=
                  alpha[(offset_Q[dim_idx] + panel.ids[dim_idx][obs_idx]) * num_cols + col_idx];
            }
            ASSERT_NEAR(fitted, v[col_idx * num_obs + obs_idx] - out[col_idx * num_obs + obs_idx],
                        1e-9);
          }
        }
      }
    }
  }
}

// The gap-filled projector's projection of v (num_cols columns) equals the
// row layout's, at the weights each was given, and meets the first-order
// conditions.
void ExpectFilledEqualsRows(FeProjector& filled, FeProjector& rows, const Design& panel,
                            const std::vector<double>& weight, const std::vector<double>& v,
                            int num_cols) {
  const auto num_obs = static_cast<int64_t>(weight.size());
  std::vector<double> out(num_cols * num_obs), rows_out(num_cols * num_obs), alpha, rows_alpha;
  ASSERT_TRUE(filled.Project(v.data(), out.data(), num_cols, alpha, 1e-13, 10000).converged);
  ASSERT_TRUE(
      rows.Project(v.data(), rows_out.data(), num_cols, rows_alpha, 1e-13, 10000).converged);
  for (int64_t idx = 0; idx < num_cols * num_obs; ++idx)
    ASSERT_NEAR(out[idx], rows_out[idx], 1e-10) << idx;
  ExpectFirstOrderConditions(panel, weight, out, num_cols);
}

TEST(ProjectorSchurPath, GapFilledSegmentsAgreeWithTheRowsAndJacobi) {
  ExpectGapFilledAgree(30, 20);
}

// Runs of 300 positions: a row's offset in its segment takes a byte, so a
// run goes on in a new segment after 256 positions. 500 runs (the largest
// dimension, eliminated) over two dimensions of 400 levels, each run
// stepping through 300 consecutive levels of both from its own start, 15%
// of its rows missing. The gap-filled projection must equal the row
// layout's, with the first-order conditions.
TEST(ProjectorSchurPath, GapFilledSegmentsSplitLongRuns) {
  std::mt19937_64 rng(67);
  constexpr int kLevels = 400, kRuns = 500, kLength = 300;
  Design panel;
  panel.sizes = {kLevels, kLevels, kRuns};
  panel.ids.assign(3, {});
  for (int run = 0; run < kRuns; ++run) {
    const auto first = static_cast<int32_t>(rng() % (kLevels - kLength + 1));
    const auto second = static_cast<int32_t>(rng() % (kLevels - kLength + 1));
    for (int32_t step = 0; step < kLength; ++step) {
      if (step > 0 && rng() % 100 < 15) continue;
      panel.ids[0].push_back(first + step);
      panel.ids[1].push_back(second + step);
      panel.ids[2].push_back(run);
    }
  }
  const auto num_obs = static_cast<int64_t>(panel.ids[0].size());
  const mizani::estimate::SchurProjector schur(panel.ids, panel.sizes,
                                               {0, panel.sizes[0], panel.sizes[0] + panel.sizes[1]},
                                               2, true, -1, mizani::GapFill::kAlways);
  ASSERT_TRUE(schur.gap_filled());
  EXPECT_GE(schur.num_filled_segments(), 2 * kRuns);
  mizani::ProjectionOptions always, never;
  always.gap_fill = mizani::GapFill::kAlways;
  never.gap_fill = mizani::GapFill::kNever;
  std::uniform_real_distribution<double> uniform(0.1, 3.0);
  constexpr int kCols = 2;
  std::vector<double> weight(num_obs), v(kCols * num_obs);
  for (auto& value : weight) value = uniform(rng);
  for (auto& value : v) value = uniform(rng) * 4 - 2;
  FeProjector filled(panel.ids, panel.sizes, 2, 0, always);
  FeProjector rows(panel.ids, panel.sizes, 2, 0, never);
  ASSERT_STREQ(filled.Path(), "schur-filled");
  ASSERT_STREQ(rows.Path(), "schur-rows");
  filled.SetWeights(weight);
  rows.SetWeights(weight);
  ExpectFilledEqualsRows(filled, rows, panel, weight, v, kCols);
}

// One gap-filled projector on such a panel through several weightings in
// turn (random, then with weightless pairs, then unit weights): the filled positions,
// whose weights are written only once, must stay weightless while the
// rows' weights change, so each projection equals that of a row-layout
// projector given the same weights.
TEST(ProjectorSchurPath, GapFilledWeightsChangeBetweenProjections) {
  std::mt19937_64 rng(71);
  int num_pairs = 0;
  const Design panel = GapFilledPanel(25, 16, rng, &num_pairs);
  ASSERT_GT(num_pairs, 0);
  const auto num_obs = static_cast<int64_t>(panel.ids[0].size());
  mizani::ProjectionOptions always, never;
  always.gap_fill = mizani::GapFill::kAlways;
  never.gap_fill = mizani::GapFill::kNever;
  FeProjector filled(panel.ids, panel.sizes, 2, 0, always);
  ASSERT_STREQ(filled.Path(), "schur-filled");
  std::uniform_real_distribution<double> uniform(0.1, 3.0);
  constexpr int kCols = 2;
  std::vector<double> v(kCols * num_obs);
  for (auto& value : v) value = uniform(rng) * 4 - 2;
  for (int weighting : {1, 2, 0, 1}) {  // random, some pairs weightless, unit, random
    SCOPED_TRACE(testing::Message() << "weighting " << weighting);
    std::vector<double> weight(num_obs, 1.0);
    if (weighting > 0) {
      for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
        const bool weightless = weighting == 2 && panel.ids[2][obs_idx] % 7 == 3;
        weight[obs_idx] = weightless ? 0.0 : uniform(rng);
      }
    }
    FeProjector rows(panel.ids, panel.sizes, 2, 0, never);
    ASSERT_STREQ(rows.Path(), "schur-rows");
    filled.SetWeights(weighting > 0 ? std::span<const double>(weight) : std::span<const double>());
    if (weighting > 0) rows.SetWeights(weight);
    ExpectFilledEqualsRows(filled, rows, panel, weight, v, kCols);
  }
}

// More columns than one pass carries (kMaxColumns): the block is projected
// in slices, and each column must come out as when projected alone.
TEST(ProjectorWideBlock, SlicesEqualSingleColumns) {
  const int64_t num_obs = 6000;
  Design design = RandomDesign(num_obs, {60, 50}, 41);
  const int num_cols = mizani::estimate::kMaxColumns + 5;
  std::mt19937_64 rng(43);
  std::uniform_real_distribution<double> uniform(0.1, 3.0);
  std::vector<double> weight(num_obs), v(num_cols * num_obs), out(num_cols * num_obs);
  for (auto& value : weight) value = uniform(rng);
  for (auto& value : v) value = uniform(rng) * 4 - 2;
  FeProjector projector(design.ids, design.sizes, 2);
  projector.SetWeights(weight);
  std::vector<double> alpha;
  ASSERT_TRUE(projector.Project(v.data(), out.data(), num_cols, alpha, 1e-13, 10000).converged);
  ASSERT_EQ(alpha.size(), static_cast<size_t>(projector.num_levels() * num_cols));
  for (int col_idx :
       {0, mizani::estimate::kMaxColumns - 1, mizani::estimate::kMaxColumns, num_cols - 1}) {
    std::vector<double> single(num_obs), alpha_single;
    projector.Project(v.data() + col_idx * num_obs, single.data(), 1, alpha_single, 1e-13, 10000);
    for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx)
      ASSERT_NEAR(out[col_idx * num_obs + obs_idx], single[obs_idx], 1e-10);
  }
}

// IRLS and the separation check pass their columns by pointer, from
// separate arrays, and ask for no output (only the coefficients and the
// cross products). Both must give what the contiguous, written projection
// gives, and the coefficients must rebuild it: out = v - D alpha, the
// identity the fit uses instead of storing out.
void CheckPointerInputAndNoOutput(const Design& design, int threads) {
  const int64_t num_obs = static_cast<int64_t>(design.ids[0].size());
  const int num_cols = 3;
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> uniform(0.1, 3.0);
  std::vector<double> weight(num_obs), v(num_cols * num_obs), out(num_cols * num_obs);
  for (auto& value : weight) value = uniform(rng);
  for (auto& value : v) value = uniform(rng) * 10 - 5;
  FeProjector projector(design.ids, design.sizes, threads);
  projector.SetWeights(weight);
  std::vector<double> alpha_written, alpha_pointers;
  std::vector<double> cross_written(num_cols * num_cols), cross_pointers(num_cols * num_cols);
  projector.Project(v.data(), out.data(), num_cols, alpha_written, 1e-11, 10000, nullptr,
                    cross_written.data());
  // The same columns, each in an array of its own, in another order of
  // allocation.
  std::vector<std::vector<double>> apart(num_cols);
  std::vector<const double*> pointers(num_cols);
  for (int col_idx = num_cols - 1; col_idx >= 0; --col_idx) {
    apart[col_idx].assign(v.begin() + col_idx * num_obs, v.begin() + (col_idx + 1) * num_obs);
    pointers[col_idx] = apart[col_idx].data();
  }
  projector.Project(pointers, nullptr, alpha_pointers, 1e-11, 10000, nullptr,
                    cross_pointers.data());
  ASSERT_EQ(alpha_pointers.size(), alpha_written.size());
  for (size_t idx = 0; idx < alpha_written.size(); ++idx)
    ASSERT_EQ(alpha_pointers[idx], alpha_written[idx]) << "coefficient " << idx;
  for (int idx = 0; idx < num_cols * num_cols; ++idx)
    ASSERT_EQ(cross_pointers[idx], cross_written[idx]) << "cross product " << idx;
  const std::vector<int64_t>& offsets = projector.offsets_Q();
  for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
    for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
      double rebuilt = v[col_idx * num_obs + obs_idx];
      for (size_t dim_idx = 0; dim_idx < design.ids.size(); ++dim_idx) {
        rebuilt -=
            alpha_written[(offsets[dim_idx] + design.ids[dim_idx][obs_idx]) * num_cols + col_idx];
      }
      ASSERT_NEAR(rebuilt, out[col_idx * num_obs + obs_idx], 1e-12 * 16)
          << "column " << col_idx << ", observation " << obs_idx;
    }
  }
}

TEST_P(ProjectorTest, PointerInputAndNoOutputAgree) {
  const auto [num_dims, threads] = GetParam();
  std::vector<int32_t> sizes = {300, 200, 1000};
  sizes.resize(num_dims);
  const Design design = RandomDesign(20000, sizes, 23 + num_dims);
  CheckPointerInputAndNoOutput(design, threads);
  // Rows grouped by the largest dimension: the Schur path without a
  // permutation (as the fit lays them out).
  const int largest =
      static_cast<int>(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());
  std::vector<int64_t> order(20000);
  for (int64_t obs_idx = 0; obs_idx < 20000; ++obs_idx) order[obs_idx] = obs_idx;
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return design.ids[largest][a] < design.ids[largest][b];
  });
  Design sorted = design;
  for (int dim_idx = 0; dim_idx < num_dims; ++dim_idx) {
    for (int64_t pos = 0; pos < 20000; ++pos)
      sorted.ids[dim_idx][pos] = design.ids[dim_idx][order[pos]];
  }
  CheckPointerInputAndNoOutput(sorted, threads);
}

// The CG pass has an SSE2 and an AVX kernel (run_kernels_avx.h), chosen at
// run time. On a panel whose segments have unit steps (three-way, sorted by
// pair and year) and on a two-way panel, with every column count the AVX
// kernel has, both must give the same projection up to the order of the
// run sums. (Where the processor lacks AVX both runs take the SSE2 kernel.)
TEST(ProjectorSchurPath, AvxAndSse2KernelsAgree) {
  const int num_exporters = 20, num_importers = 20, num_years = 9;
  Design three_way, two_way;
  three_way.sizes = {num_exporters * num_years, num_importers * num_years,
                     num_exporters * (num_importers - 1)};
  two_way.sizes = {num_exporters * num_years, num_importers * num_years};
  three_way.ids.assign(3, {});
  two_way.ids.assign(2, {});
  int32_t pair = 0;
  for (int exporter = 0; exporter < num_exporters; ++exporter) {
    for (int importer = 0; importer < num_importers; ++importer) {
      if (importer == exporter) continue;
      for (int year = 0; year < num_years; ++year) {
        three_way.ids[0].push_back(exporter * num_years + year);
        three_way.ids[1].push_back(importer * num_years + year);
        three_way.ids[2].push_back(pair);
      }
      ++pair;
    }
  }
  // Two-way: rows grouped by exporter-year (importers in order within).
  for (int exporter = 0; exporter < num_exporters; ++exporter) {
    for (int year = 0; year < num_years; ++year) {
      for (int importer = 0; importer < num_importers; ++importer) {
        if (importer == exporter) continue;
        two_way.ids[0].push_back(exporter * num_years + year);
        two_way.ids[1].push_back(importer * num_years + year);
      }
    }
  }
  for (const Design* design : {&three_way, &two_way}) {
    const int64_t num_obs = static_cast<int64_t>(design->ids[0].size());
    std::mt19937_64 rng(47);
    std::uniform_real_distribution<double> uniform(0.1, 3.0);
    std::vector<double> weight(num_obs);
    for (auto& value : weight) value = uniform(rng);
    for (int num_cols : {1, 2, 3, 4, 5}) {
      std::vector<double> v(num_cols * num_obs);
      for (auto& value : v) value = uniform(rng) * 4 - 2;
      std::vector<double> out_avx(v.size()), out_sse(v.size()), alpha_avx, alpha_sse;
      FeProjector projector(design->ids, design->sizes, 2);
      ASSERT_STREQ(projector.Path(), "schur-segments");
      projector.SetWeights(weight);
      mizani::estimate::UseAvxKernels(true);
      const auto avx =
          projector.Project(v.data(), out_avx.data(), num_cols, alpha_avx, 1e-12, 10000);
      mizani::estimate::UseAvxKernels(false);
      const auto sse =
          projector.Project(v.data(), out_sse.data(), num_cols, alpha_sse, 1e-12, 10000);
      mizani::estimate::UseAvxKernels(true);
      ASSERT_TRUE(avx.converged);
      ASSERT_TRUE(sse.converged);
      for (size_t idx = 0; idx < v.size(); ++idx)
        ASSERT_NEAR(out_avx[idx], out_sse[idx], 1e-9) << num_cols << " columns, value " << idx;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(DimsAndThreads, ProjectorTest,
                         ::testing::Combine(::testing::Values(1, 2, 3), ::testing::Values(1, 2)));

}  // namespace

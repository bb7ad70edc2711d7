// The projection kernel: its output is W-orthogonal to every fixed-effect
// dummy, and it is idempotent on vectors already in the fixed-effect space.
#include "estimate/fe_projector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

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

INSTANTIATE_TEST_SUITE_P(DimsAndThreads, ProjectorTest,
                         ::testing::Combine(::testing::Values(1, 2, 3), ::testing::Values(1, 2)));

}  // namespace

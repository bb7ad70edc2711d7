// The projection kernel: its output is W-orthogonal to every fixed-effect
// dummy, and it is idempotent on vectors already in the fixed-effect space.
#include "estimate/fe_projector.h"

#include <gtest/gtest.h>

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

INSTANTIATE_TEST_SUITE_P(DimsAndThreads, ProjectorTest,
                         ::testing::Combine(::testing::Values(1, 2, 3), ::testing::Values(1, 2)));

}  // namespace

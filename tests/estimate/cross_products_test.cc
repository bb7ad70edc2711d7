// Weighted cross products against a plain triple loop, with and without
// weights, on one and two threads, including a row count that is not a
// multiple of the chunk size.
#include "estimate/hdfe/cross_products.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace {

TEST(WeightedCrossProducts, EqualsPlainSums) {
  const int64_t num_obs = 70001;
  const int num_cols = 4;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> uniform(-2.0, 2.0);
  std::vector<double> cols(num_obs * num_cols), weight(num_obs);
  for (auto& value : cols) value = uniform(rng);
  for (auto& value : weight) value = std::abs(uniform(rng)) + 0.1;
  for (bool weighted : {false, true}) {
    for (int threads : {1, 2}) {
      const Eigen::MatrixXd got = mizani::estimate::WeightedCrossProducts(
          cols.data(), num_obs, num_cols, weighted ? weight.data() : nullptr, threads);
      for (int row = 0; row < num_cols; ++row) {
        for (int col = 0; col < num_cols; ++col) {
          long double sum = 0;
          for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
            sum += static_cast<long double>(weighted ? weight[obs_idx] : 1.0) *
                   cols[row * num_obs + obs_idx] * cols[col * num_obs + obs_idx];
          }
          EXPECT_NEAR(got(row, col), static_cast<double>(sum), 1e-9 * num_obs)
              << "row " << row << " col " << col;
        }
      }
    }
  }
}

}  // namespace

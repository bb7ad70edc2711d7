// The IRLS row kernels (estimate/irls_kernels.h) against a plain loop in the
// order the header documents: offset (or 0), plus the row's effects summed
// over the dimensions, plus x * beta column by column. The kernel has a
// one-loop path for the common shapes and a sweep per column for the rest;
// both must give exactly these bits.
#include "estimate/irls_kernels.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace mizani::estimate {
namespace {

TEST(IrlsKernels, LinearPredictorGivesTheDocumentedSumsBits) {
  constexpr int64_t kRows = 1000;
  constexpr int32_t kLevels = 37;
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal(0.0, 3.0);
  std::uniform_int_distribution<int32_t> level(0, kLevels - 1);
  for (int num_dims = 0; num_dims <= 4; ++num_dims) {
    for (int num_cols = 0; num_cols <= 6; ++num_cols) {
      for (const bool with_offset : {false, true}) {
        std::vector<std::vector<int32_t>> ids(num_dims, std::vector<int32_t>(kRows));
        std::vector<std::vector<double>> effects(num_dims, std::vector<double>(kLevels));
        for (auto& dim_ids : ids)
          for (int32_t& id : dim_ids) id = level(rng);
        for (auto& dim_effects : effects)
          for (double& value : dim_effects) value = normal(rng);
        std::vector<double> x(static_cast<size_t>(kRows) * num_cols), beta(num_cols), offset(kRows);
        for (double& value : x) value = normal(rng);
        for (double& value : beta) value = normal(rng);
        for (double& value : offset) value = normal(rng);
        std::vector<const int32_t*> ids_Q;
        std::vector<const double*> effect_Q;
        for (int dim_idx = 0; dim_idx < num_dims; ++dim_idx) {
          ids_Q.push_back(ids[dim_idx].data());
          effect_Q.push_back(effects[dim_idx].data());
        }
        std::vector<double> eta(kRows, -1.0);
        IrlsRows rows;
        rows.num_obs = kRows;
        rows.offset_N = with_offset ? offset.data() : nullptr;
        rows.x_NC = x.data();
        rows.num_cols = num_cols;
        rows.beta_C = beta.data();
        rows.num_dims = num_dims;
        rows.ids_Q = ids_Q.data();
        rows.effect_Q = effect_Q.data();
        rows.eta_N = eta.data();
        // Two calls on parts of the rows: a range need not start at 0.
        LinearPredictor(rows, 0, 313);
        LinearPredictor(rows, 313, kRows);
        for (int64_t row = 0; row < kRows; ++row) {
          // Up to three dimensions the effects are summed first; from four
          // the general path adds them one by one (the same without an
          // offset).
          double expected = with_offset ? offset[row] : 0.0;
          if (num_dims <= 3) {
            double sum = 0;
            for (int dim_idx = 0; dim_idx < num_dims; ++dim_idx)
              sum += effects[dim_idx][ids[dim_idx][row]];
            expected += sum;
          } else {
            for (int dim_idx = 0; dim_idx < num_dims; ++dim_idx)
              expected += effects[dim_idx][ids[dim_idx][row]];
          }
          for (int col_idx = 0; col_idx < num_cols; ++col_idx)
            expected += x[static_cast<size_t>(col_idx) * kRows + row] * beta[col_idx];
          ASSERT_EQ(eta[row], expected) << "dims " << num_dims << ", columns " << num_cols
                                        << (with_offset ? ", offset" : "") << ", row " << row;
        }
      }
    }
  }
}

}  // namespace
}  // namespace mizani::estimate

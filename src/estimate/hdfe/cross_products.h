// Weighted cross products of column blocks, the one dense per-observation
// reduction of every fit: C'WC for C = [z, X~] (IRLS), X~'WX~ (collinearity,
// bread of the variance).
#pragma once

#include <Eigen/Dense>
#include <cstdint>

namespace mizani::estimate {

// Returns the symmetric num_cols x num_cols matrix sum_obs w_obs c_obs c_obs'
// for the column-major block cols_NC (num_obs x num_cols, columns
// contiguous). weight_N may be null (unit weights). The observations are
// split into `threads` contiguous slices whose partial sums are added in a
// fixed order, so the result depends on the thread count but not on timing.
// Works chunk by chunk on weighted copies of each column, so the inner
// products vectorise and nothing of size N x K is allocated.
Eigen::MatrixXd WeightedCrossProducts(const double* cols_NC, int64_t num_obs, int num_cols,
                                      const double* weight_N, int threads);

}  // namespace mizani::estimate

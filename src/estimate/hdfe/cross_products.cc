#include "estimate/hdfe/cross_products.h"

#include <algorithm>
#include <vector>

#include "common/parallel.h"

namespace mizani::estimate {

Eigen::MatrixXd WeightedCrossProducts(const double* cols_NC, int64_t num_obs, int num_cols,
                                      const double* weight_N, int threads) {
  Eigen::MatrixXd total = Eigen::MatrixXd::Zero(num_cols, num_cols);
  if (num_cols == 0 || num_obs == 0) return total;
  // Rows per chunk: the weighted copy of one column stays in L1.
  constexpr int64_t kChunk = 1024;
  const int num_tasks = static_cast<int>(
      std::max<int64_t>(1, std::min<int64_t>(std::max(1, threads), num_obs / 16384)));
  std::vector<Eigen::MatrixXd> partial_T(num_tasks, Eigen::MatrixXd::Zero(num_cols, num_cols));
  ParallelFor(num_tasks, num_obs, [&](int task_idx, int64_t begin, int64_t end) {
    Eigen::MatrixXd& local = partial_T[task_idx];
    double weighted[kChunk];
    for (int64_t chunk_begin = begin; chunk_begin < end; chunk_begin += kChunk) {
      const int64_t length = std::min(kChunk, end - chunk_begin);
      for (int row_col = 0; row_col < num_cols; ++row_col) {
        const double* column = cols_NC + row_col * num_obs + chunk_begin;
        if (weight_N != nullptr) {
          const double* weight = weight_N + chunk_begin;
          for (int64_t idx = 0; idx < length; ++idx) weighted[idx] = weight[idx] * column[idx];
        } else {
          std::copy(column, column + length, weighted);
        }
        for (int other_col = 0; other_col <= row_col; ++other_col) {
          // Eigen's dot product vectorises the reduction (packets summed
          // in a fixed order), which a plain loop may not without
          // -ffast-math.
          Eigen::Map<const Eigen::VectorXd> other(cols_NC + other_col * num_obs + chunk_begin,
                                                  length);
          local(row_col, other_col) +=
              other.dot(Eigen::Map<const Eigen::VectorXd>(weighted, length));
        }
      }
    }
  });
  for (const Eigen::MatrixXd& local : partial_T) total += local;
  return total.selfadjointView<Eigen::Lower>();
}

}  // namespace mizani::estimate

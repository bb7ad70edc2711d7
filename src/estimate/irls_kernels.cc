#include "estimate/irls_kernels.h"

#include <algorithm>
#include <cmath>

#include "numerics/simd_exp.h"

namespace mizani::estimate {

namespace {

// The fixed-effect part for kDims dimensions (0: run-time count), added to
// eta on [begin, end).
template <int kDims>
void AddEffects(const IrlsRows& rows, int64_t begin, int64_t end, double* eta) {
  if constexpr (kDims == 0) {
    for (int dim_idx = 0; dim_idx < rows.num_dims; ++dim_idx) {
      const int32_t* ids = rows.ids_Q[dim_idx];
      const double* effect = rows.effect_Q[dim_idx];
      for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) eta[obs_idx] += effect[ids[obs_idx]];
    }
  } else {
    const int32_t* ids_Q[kDims];
    const double* effect_Q[kDims];
    for (int dim_idx = 0; dim_idx < kDims; ++dim_idx) {
      ids_Q[dim_idx] = rows.ids_Q[dim_idx];
      effect_Q[dim_idx] = rows.effect_Q[dim_idx];
    }
    for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) {
      double sum = 0;
      for (int dim_idx = 0; dim_idx < kDims; ++dim_idx)
        sum += effect_Q[dim_idx][ids_Q[dim_idx][obs_idx]];
      eta[obs_idx] += sum;
    }
  }
}

// The whole sum per row in one loop, for kDims dimensions and kCols
// regressors: offset (or 0), plus the row's effects summed over the
// dimensions, plus each x * beta in column order. The same operations in
// the same order as the general path below (one sweep per column), so the
// same bits (tests/estimate/irls_kernels_test.cc); each row's eta is
// stored once instead of once per column. Paired whole runs against the
// sweeps (9 pairs, session 18): wall 0.964 and 0.954 on two-way fits with
// four regressors (third and fifth processes), 1.001 on the hurdle
// process's and on a three-way fit with one.
template <int kDims, int kCols>
void PredictFused(const IrlsRows& rows, int64_t begin, int64_t end) {
  const int32_t* ids_Q[kDims];
  const double* effect_Q[kDims];
  for (int dim_idx = 0; dim_idx < kDims; ++dim_idx) {
    ids_Q[dim_idx] = rows.ids_Q[dim_idx];
    effect_Q[dim_idx] = rows.effect_Q[dim_idx];
  }
  const double* x_C[kCols];
  double beta_C[kCols];
  for (int col_idx = 0; col_idx < kCols; ++col_idx) {
    x_C[col_idx] = rows.x_NC + col_idx * rows.num_obs;
    beta_C[col_idx] = rows.beta_C[col_idx];
  }
  const double* offset = rows.offset_N;
  double* eta = rows.eta_N;
  for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) {
    double sum = 0;
    for (int dim_idx = 0; dim_idx < kDims; ++dim_idx)
      sum += effect_Q[dim_idx][ids_Q[dim_idx][obs_idx]];
    double value = (offset != nullptr ? offset[obs_idx] : 0.0) + sum;
    for (int col_idx = 0; col_idx < kCols; ++col_idx)
      value += x_C[col_idx][obs_idx] * beta_C[col_idx];
    eta[obs_idx] = value;
  }
}

using Predictor = void (*)(const IrlsRows&, int64_t, int64_t);
constexpr int kFusedDims = 3;
constexpr int kFusedCols = 5;
// PredictFused for 1..kFusedDims dimensions and 1..kFusedCols regressors.
constexpr Predictor kFused[kFusedDims][kFusedCols] = {
    {&PredictFused<1, 1>, &PredictFused<1, 2>, &PredictFused<1, 3>, &PredictFused<1, 4>,
     &PredictFused<1, 5>},
    {&PredictFused<2, 1>, &PredictFused<2, 2>, &PredictFused<2, 3>, &PredictFused<2, 4>,
     &PredictFused<2, 5>},
    {&PredictFused<3, 1>, &PredictFused<3, 2>, &PredictFused<3, 3>, &PredictFused<3, 4>,
     &PredictFused<3, 5>}};

}  // namespace

void LinearPredictor(const IrlsRows& rows, int64_t begin, int64_t end) {
  // The common shapes (one to three dimensions, one to five regressors).
  if (rows.num_dims >= 1 && rows.num_dims <= kFusedDims && rows.num_cols >= 1 &&
      rows.num_cols <= kFusedCols) {
    kFused[rows.num_dims - 1][rows.num_cols - 1](rows, begin, end);
    return;
  }
  double* eta = rows.eta_N;
  if (rows.offset_N != nullptr) {
    std::copy(rows.offset_N + begin, rows.offset_N + end, eta + begin);
  } else {
    std::fill(eta + begin, eta + end, 0.0);
  }
  switch (rows.num_dims) {
    case 0:
      break;
    case 1:
      AddEffects<1>(rows, begin, end, eta);
      break;
    case 2:
      AddEffects<2>(rows, begin, end, eta);
      break;
    case 3:
      AddEffects<3>(rows, begin, end, eta);
      break;
    default:
      AddEffects<0>(rows, begin, end, eta);
  }
  for (int col_idx = 0; col_idx < rows.num_cols; ++col_idx) {
    const double* x = rows.x_NC + col_idx * rows.num_obs;
    const double coef = rows.beta_C[col_idx];
    for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) eta[obs_idx] += x[obs_idx] * coef;
  }
}

double IrlsRowPass(const IrlsRows& rows, EtaUpdate update, int64_t begin, int64_t end) {
  // Rows in blocks that stay in the first-level cache: each step is a
  // simple loop over the block (vectorised where it can be) instead of one
  // long loop body per row.
  constexpr int64_t kBlock = 512;
  double* eta = rows.eta_N;
  double* mu = rows.mu_N;
  double* z = rows.z_N;
  const double* y = rows.y_N;
  double cross_sum = 0;
  for (int64_t block_begin = begin; block_begin < end; block_begin += kBlock) {
    const int64_t block_end = std::min(end, block_begin + kBlock);
    if (update == EtaUpdate::kFullStep) {
      LinearPredictor(rows, block_begin, block_end);
    } else {
      for (int64_t obs_idx = block_begin; obs_idx < block_end; ++obs_idx)
        eta[obs_idx] = 0.5 * (eta[obs_idx] + rows.eta_old_N[obs_idx]);
    }
    ExpArray(eta + block_begin, mu + block_begin, block_end - block_begin);
    for (int64_t obs_idx = block_begin; obs_idx < block_end; ++obs_idx) {
      const double offset = rows.offset_N != nullptr ? rows.offset_N[obs_idx] : 0.0;
      z[obs_idx] = eta[obs_idx] - offset + (y[obs_idx] - mu[obs_idx]) / mu[obs_idx];
    }
    double block_sum = 0;
    if (rows.freq_N != nullptr) {
      for (int64_t obs_idx = block_begin; obs_idx < block_end; ++obs_idx) {
        block_sum += rows.freq_N[obs_idx] * (y[obs_idx] * (eta[obs_idx] + 1.0) - mu[obs_idx]);
      }
    } else {
      for (int64_t obs_idx = block_begin; obs_idx < block_end; ++obs_idx)
        block_sum += y[obs_idx] * (eta[obs_idx] + 1.0) - mu[obs_idx];
    }
    cross_sum += block_sum;
  }
  return cross_sum;
}

}  // namespace mizani::estimate

// Diagonally preconditioned conjugate gradients (Hestenes & Stiefel 1952)
// on C systems that share one symmetric positive semi-definite matrix A:
// the C columns of a block are projected together, so one pass over the
// data (the product with A) serves all of them. The pass is the caller's
// callable; the two projectors (fe_projector.h, schur_projector.h) differ
// only in it and in their level sets.
//
// Suffixes as in fe_projector.h: `_G` per level, `_GC` level-major with
// the C columns contiguous per level, `_C` per column.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace mizani::estimate {

// Levels held by one rank only (rows sharded by a dimension's levels,
// docs/distributed.md): their entries are zero on the other ranks, so a
// dot product adds the ranks' sums over this block to the sum over the
// other levels, which every rank holds alike. `sum_local(part)` returns the
// ranks' total of `part`; without sharding the block is empty.
struct PcgLocalBlock {
  int64_t begin = 0;
  int64_t end = 0;
};
struct NoLocalSum {
  double operator()(double part) const { return part; }
};

struct PcgOutcome {
  int iterations = 0;        // passes over the data
  bool converged = true;     // every column met its threshold
  std::vector<double> rz_C;  // r' M^-1 r at the end, per column
};

// x_GC: the start, updated in place. resid_GC: b - A x at the start, kept
// up to date. inv_diag_G: the preconditioner, 1 / diag(A) (0 for a level
// whose diagonal vanishes). A column stops when worst_level(resid_GC, col)
// is at most threshold_C[col], when r'M^-1r is no longer positive, or when
// the curvature d'Ad is not (its direction lies in the null space of A: the
// system is singular but consistent and nothing is left to reduce).
// apply_negated(direction_GC, num_packed, product_GC) must set product to
// -A direction for num_packed columns (level-major). Converged columns leave
// the passes: a pass costs in proportion to the columns it carries.
template <typename ApplyNegated, typename WorstLevel, typename SumLocal = NoLocalSum>
PcgOutcome SolvePcg(int64_t num_levels, int num_cols, const std::vector<double>& inv_diag_G,
                    std::vector<double>& x_GC, std::vector<double>& resid_GC,
                    const std::vector<double>& threshold_C, int max_iterations,
                    ApplyNegated&& apply_negated, WorstLevel&& worst_level,
                    PcgLocalBlock local = {}, SumLocal sum_local = SumLocal()) {
  // Sums of f(level) over the levels every rank holds alike and over the
  // local block, in two plain loops each: selecting the accumulator per
  // level (a reference chosen by a branch) kept the sum in memory, and these
  // loops took a fifth of each pass on the seventh benchmark process
  // (44,800 levels, 2 columns; session 25).
  struct SharedAndLocal {
    double shared = 0;
    double local = 0;
  };
  auto sum_levels = [&](auto&& term) {
    SharedAndLocal sums;
    for (int64_t level = 0; level < local.begin; ++level) sums.shared += term(level);
    for (int64_t level = local.begin; level < local.end; ++level) sums.local += term(level);
    for (int64_t level = std::max(local.end, local.begin); level < num_levels; ++level)
      sums.shared += term(level);
    return sums;
  };
  const int64_t size_GC = num_levels * num_cols;
  std::vector<double> precond_GC(size_GC), direction_GC(size_GC), product_GC(size_GC);
  PcgOutcome outcome;
  outcome.rz_C.assign(num_cols, 0.0);
  std::vector<double>& rz_C = outcome.rz_C;
  std::vector<uint8_t> active_C(num_cols, 1);
  for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
    const SharedAndLocal rz = sum_levels([&](int64_t level) {
      const int64_t idx = level * num_cols + col_idx;
      precond_GC[idx] = resid_GC[idx] * inv_diag_G[level];
      direction_GC[idx] = precond_GC[idx];
      return resid_GC[idx] * precond_GC[idx];
    });
    rz_C[col_idx] = rz.shared + sum_local(rz.local);
  }
  int num_active = 0;
  for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
    if (worst_level(resid_GC, col_idx) <= threshold_C[col_idx] || !(rz_C[col_idx] > 0)) {
      active_C[col_idx] = 0;
    } else {
      ++num_active;
    }
  }
  std::vector<double> packed_direction, packed_product;
  std::vector<int> active_list;
  while (num_active > 0 && outcome.iterations < max_iterations) {
    ++outcome.iterations;
    if (num_active == num_cols) {
      apply_negated(direction_GC.data(), num_cols, product_GC);
    } else {
      active_list.clear();
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
        if (active_C[col_idx]) active_list.push_back(col_idx);
      }
      const int num_packed = static_cast<int>(active_list.size());
      packed_direction.resize(num_levels * num_packed);
      for (int64_t level = 0; level < num_levels; ++level) {
        for (int packed_idx = 0; packed_idx < num_packed; ++packed_idx) {
          packed_direction[level * num_packed + packed_idx] =
              direction_GC[level * num_cols + active_list[packed_idx]];
        }
      }
      apply_negated(packed_direction.data(), num_packed, packed_product);
      for (int64_t level = 0; level < num_levels; ++level) {
        for (int packed_idx = 0; packed_idx < num_packed; ++packed_idx) {
          product_GC[level * num_cols + active_list[packed_idx]] =
              packed_product[level * num_packed + packed_idx];
        }
      }
    }
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
      if (!active_C[col_idx]) continue;
      const SharedAndLocal negated_curvature = sum_levels([&](int64_t level) {
        const int64_t idx = level * num_cols + col_idx;
        return direction_GC[idx] * product_GC[idx];
      });
      const double curvature = -negated_curvature.shared - sum_local(negated_curvature.local);
      if (!(curvature > 0)) {
        active_C[col_idx] = 0;
        --num_active;
        continue;
      }
      const double step = rz_C[col_idx] / curvature;
      const SharedAndLocal rz_sums = sum_levels([&](int64_t level) {
        const int64_t idx = level * num_cols + col_idx;
        x_GC[idx] += step * direction_GC[idx];
        resid_GC[idx] += step * product_GC[idx];  // product holds -A d
        precond_GC[idx] = resid_GC[idx] * inv_diag_G[level];
        return resid_GC[idx] * precond_GC[idx];
      });
      const double rz_new = rz_sums.shared + sum_local(rz_sums.local);
      const double beta = rz_new / rz_C[col_idx];
      rz_C[col_idx] = rz_new;
      if (worst_level(resid_GC, col_idx) <= threshold_C[col_idx] || !(rz_new > 0)) {
        active_C[col_idx] = 0;
        --num_active;
        continue;
      }
      for (int64_t level = 0; level < num_levels; ++level) {
        const int64_t idx = level * num_cols + col_idx;
        direction_GC[idx] = precond_GC[idx] + beta * direction_GC[idx];
      }
    }
  }
  outcome.converged = num_active == 0;
  return outcome;
}

}  // namespace mizani::estimate

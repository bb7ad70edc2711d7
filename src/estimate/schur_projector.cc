#include "estimate/schur_projector.h"

#include <algorithm>
#include <cmath>

#include "common/parallel.h"
#include "estimate/fe_projector.h"

namespace mizani::estimate {

SchurProjector::SchurProjector(const std::vector<std::vector<int32_t>>& ids_Q,
                               const std::vector<int32_t>& sizes_Q,
                               const std::vector<int64_t>& offset_Q, int threads)
    : threads_(std::max(1, threads)), caller_offset_Q_(offset_Q) {
  const int num_dims = static_cast<int>(ids_Q.size());
  num_obs_ = static_cast<int64_t>(ids_Q[0].size());
  eliminated_dim_ =
      static_cast<int>(std::max_element(sizes_Q.begin(), sizes_Q.end()) - sizes_Q.begin());
  num_elim_levels_ = sizes_Q[eliminated_dim_];
  for (int dim_idx = 0; dim_idx < num_dims; ++dim_idx) {
    if (dim_idx == eliminated_dim_) continue;
    rest_dims_.push_back(dim_idx);
    rest_offset_.push_back(num_rest_levels_);
    num_rest_levels_ += sizes_Q[dim_idx];
  }
  num_rest_ = static_cast<int>(rest_dims_.size());

  // Counting sort of the observations by their eliminated level (stable).
  const std::vector<int32_t>& elim = ids_Q[eliminated_dim_];
  run_start_E_.assign(num_elim_levels_ + 1, 0);
  for (int32_t level : elim) ++run_start_E_[level + 1];
  for (int64_t level = 0; level < num_elim_levels_; ++level)
    run_start_E_[level + 1] += run_start_E_[level];
  order_N_.resize(num_obs_);
  {
    std::vector<int64_t> next(run_start_E_.begin(), run_start_E_.end() - 1);
    for (int64_t obs_idx = 0; obs_idx < num_obs_; ++obs_idx)
      order_N_[next[elim[obs_idx]]++] = obs_idx;
  }
  identity_order_ = true;
  for (int64_t pos = 0; pos < num_obs_ && identity_order_; ++pos)
    identity_order_ = order_N_[pos] == pos;
  rid_NQ_.resize(static_cast<size_t>(num_obs_) * num_rest_);
  for (int64_t pos = 0; pos < num_obs_; ++pos) {
    const int64_t obs_idx = order_N_[pos];
    for (int rest_idx = 0; rest_idx < num_rest_; ++rest_idx) {
      rid_NQ_[pos * num_rest_ + rest_idx] =
          static_cast<int32_t>(rest_offset_[rest_idx] + ids_Q[rest_dims_[rest_idx]][obs_idx]);
    }
  }
  // In gravity panels the rows of one eliminated level never share a level
  // of another dimension (a pair's years have distinct exporter-years);
  // then diag(S) needs no grouping within runs.
  {
    std::vector<int64_t> last_run(num_rest_levels_, -1);
    for (int64_t run = 0; run < num_elim_levels_ && distinct_within_runs_; ++run) {
      for (int64_t pos = run_start_E_[run]; pos < run_start_E_[run + 1]; ++pos) {
        for (int rest_idx = 0; rest_idx < num_rest_; ++rest_idx) {
          const int32_t level = rid_NQ_[pos * num_rest_ + rest_idx];
          if (last_run[level] == run) distinct_within_runs_ = false;
          last_run[level] = run;
        }
      }
    }
  }
  // Split the runs into tasks of about equal row counts.
  const int num_tasks =
      static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads_, num_obs_ / 16384)));
  task_run_begin_.assign(1, 0);
  for (int task_idx = 1; task_idx < num_tasks; ++task_idx) {
    const int64_t target_row = num_obs_ * task_idx / num_tasks;
    const int64_t run = std::upper_bound(run_start_E_.begin(), run_start_E_.end(), target_row) -
                        run_start_E_.begin() - 1;
    task_run_begin_.push_back(std::max(task_run_begin_.back(), run));
  }
  task_run_begin_.push_back(num_elim_levels_);
  thread_acc_.resize(num_tasks);
  SetWeights({});
}

void SchurProjector::SetWeights(std::span<const double> weights_N) {
  if (weights_N.empty()) {
    weight_N_.clear();
  } else {
    weight_N_.resize(num_obs_);
    if (identity_order_) {
      std::copy(weights_N.begin(), weights_N.end(), weight_N_.begin());
    } else {
      for (int64_t pos = 0; pos < num_obs_; ++pos) weight_N_[pos] = weights_N[order_N_[pos]];
    }
  }
  auto weight = [&](int64_t pos) { return weight_N_.empty() ? 1.0 : weight_N_[pos]; };
  run_weight_E_.assign(num_elim_levels_, 0.0);
  level_weight_R_.assign(num_rest_levels_, 0.0);
  std::vector<double> removed_R(num_rest_levels_, 0.0);  // sum over runs of (w_run,g)^2 / W_run
  if (distinct_within_runs_) {
    // Once per IRLS step on millions of rows: split the runs across the
    // tasks, with per-task level sums reduced at the end.
    const int num_tasks = static_cast<int>(task_run_begin_.size()) - 1;
    std::vector<std::vector<double>> level_T(num_tasks), removed_T(num_tasks);
    ParallelFor(
        num_tasks, num_tasks,
        [&](int task_idx, int64_t, int64_t) {
          level_T[task_idx].assign(num_rest_levels_, 0.0);
          removed_T[task_idx].assign(num_rest_levels_, 0.0);
          for (int64_t run = task_run_begin_[task_idx]; run < task_run_begin_[task_idx + 1];
               ++run) {
            double run_weight = 0;
            for (int64_t pos = run_start_E_[run]; pos < run_start_E_[run + 1]; ++pos)
              run_weight += weight(pos);
            run_weight_E_[run] = run_weight;
            for (int64_t pos = run_start_E_[run]; pos < run_start_E_[run + 1]; ++pos) {
              const double row_weight = weight(pos);
              for (int rest_idx = 0; rest_idx < num_rest_; ++rest_idx) {
                const int32_t level = rid_NQ_[pos * num_rest_ + rest_idx];
                level_T[task_idx][level] += row_weight;
                if (run_weight > 0)
                  removed_T[task_idx][level] += row_weight * row_weight / run_weight;
              }
            }
          }
        },
        1);
    for (int task_idx = 0; task_idx < num_tasks; ++task_idx) {
      for (int64_t level = 0; level < num_rest_levels_; ++level) {
        level_weight_R_[level] += level_T[task_idx][level];
        removed_R[level] += removed_T[task_idx][level];
      }
    }
  }
  std::vector<std::pair<int32_t, double>> within;
  for (int64_t run = 0; run < num_elim_levels_ && !distinct_within_runs_; ++run) {
    double run_weight = 0;
    for (int64_t pos = run_start_E_[run]; pos < run_start_E_[run + 1]; ++pos)
      run_weight += weight(pos);
    run_weight_E_[run] = run_weight;
    for (int rest_idx = 0; rest_idx < num_rest_; ++rest_idx) {
      within.clear();
      for (int64_t pos = run_start_E_[run]; pos < run_start_E_[run + 1]; ++pos) {
        within.emplace_back(rid_NQ_[pos * num_rest_ + rest_idx], weight(pos));
      }
      std::sort(within.begin(), within.end());
      for (size_t idx = 0; idx < within.size();) {
        double sum = 0;
        const int32_t level = within[idx].first;
        for (; idx < within.size() && within[idx].first == level; ++idx) sum += within[idx].second;
        level_weight_R_[level] += sum;
        if (run_weight > 0) removed_R[level] += sum * sum / run_weight;
      }
    }
  }
  // diag(S)_g = W_g - sum_runs w_{run,g}^2 / W_run. A level whose diagonal
  // vanishes lies in the span of the eliminated dimension: S has a zero row
  // and column there, and the preconditioner leaves it alone.
  inv_diag_R_.assign(num_rest_levels_, 0.0);
  for (int64_t level = 0; level < num_rest_levels_; ++level) {
    const double diagonal = level_weight_R_[level] - removed_R[level];
    if (diagonal > 1e-12 * level_weight_R_[level]) inv_diag_R_[level] = 1.0 / diagonal;
  }
}

namespace {

// One task's share of S applied to coef (see Apply), specialised on the
// number of remaining dimensions and of columns so both loops unroll and
// each row's values stay in registers; 0 means a run-time count.
template <int kRest, int kCols>
void ApplyRuns(int64_t run_begin, int64_t run_end, int num_rest_rt, int num_cols_rt,
               int64_t num_obs, const int64_t* run_start, const int32_t* rid_NQ,
               const double* weight_N, const double* run_weight, const double* src_NC,
               const double* coef_RC, double* acc_RC, double* abs_sum_C) {
  const int num_rest = kRest > 0 ? kRest : num_rest_rt;
  const int num_cols = kCols > 0 ? kCols : num_cols_rt;
  constexpr int kMaxCols = 16;
  double sum_C[kMaxCols], mean_C[kMaxCols], value_C[kMaxCols];
  for (int64_t run = run_begin; run < run_end; ++run) {
    const int64_t first = run_start[run], last = run_start[run + 1];
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) sum_C[col_idx] = 0;
    // Pass 1: the run's weighted mean of src - D_R coef.
    for (int64_t pos = first; pos < last; ++pos) {
      const double weight = weight_N != nullptr ? weight_N[pos] : 1.0;
      const int32_t* rid = rid_NQ + pos * num_rest;
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
        value_C[col_idx] = src_NC != nullptr ? src_NC[col_idx * num_obs + pos] : 0.0;
        if (abs_sum_C != nullptr) abs_sum_C[col_idx] += weight * std::abs(value_C[col_idx]);
      }
      for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx) {
        const double* coef = coef_RC + static_cast<int64_t>(rid[rest_idx]) * num_cols;
        for (int col_idx = 0; col_idx < num_cols; ++col_idx) value_C[col_idx] -= coef[col_idx];
      }
      for (int col_idx = 0; col_idx < num_cols; ++col_idx)
        sum_C[col_idx] += weight * value_C[col_idx];
    }
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
      mean_C[col_idx] = run_weight[run] > 0 ? sum_C[col_idx] / run_weight[run] : 0.0;
    }
    // Pass 2 (rows still in cache): scatter the weighted deviations.
    for (int64_t pos = first; pos < last; ++pos) {
      const double weight = weight_N != nullptr ? weight_N[pos] : 1.0;
      const int32_t* rid = rid_NQ + pos * num_rest;
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
        value_C[col_idx] =
            (src_NC != nullptr ? src_NC[col_idx * num_obs + pos] : 0.0) - mean_C[col_idx];
      }
      for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx) {
        const double* coef = coef_RC + static_cast<int64_t>(rid[rest_idx]) * num_cols;
        for (int col_idx = 0; col_idx < num_cols; ++col_idx) value_C[col_idx] -= coef[col_idx];
      }
      for (int rest_idx = 0; rest_idx < num_rest; ++rest_idx) {
        double* target = acc_RC + static_cast<int64_t>(rid[rest_idx]) * num_cols;
        for (int col_idx = 0; col_idx < num_cols; ++col_idx)
          target[col_idx] += weight * value_C[col_idx];
      }
    }
  }
}

template <int kRest>
void ApplyRunsCols(int num_cols, int64_t run_begin, int64_t run_end, int num_rest, int64_t num_obs,
                   const int64_t* run_start, const int32_t* rid_NQ, const double* weight_N,
                   const double* run_weight, const double* src_NC, const double* coef_RC,
                   double* acc_RC, double* abs_sum_C) {
#define MIZANI_SCHUR_CASE(COLS)                                                                \
  case COLS:                                                                                   \
    ApplyRuns<kRest, COLS>(run_begin, run_end, num_rest, num_cols, num_obs, run_start, rid_NQ, \
                           weight_N, run_weight, src_NC, coef_RC, acc_RC, abs_sum_C);          \
    return;
  switch (num_cols) {
    MIZANI_SCHUR_CASE(1)
    MIZANI_SCHUR_CASE(2)
    MIZANI_SCHUR_CASE(3)
    MIZANI_SCHUR_CASE(4)
    MIZANI_SCHUR_CASE(5)
    default:
      ApplyRuns<kRest, 0>(run_begin, run_end, num_rest, num_cols, num_obs, run_start, rid_NQ,
                          weight_N, run_weight, src_NC, coef_RC, acc_RC, abs_sum_C);
  }
#undef MIZANI_SCHUR_CASE
}

}  // namespace

void SchurProjector::Apply(const double* src_sorted_NC, const double* coef_RC, int num_cols,
                           std::vector<double>& acc_RC, double* abs_sum_C) {
  const int num_tasks = static_cast<int>(task_run_begin_.size()) - 1;
  const int64_t size_RC = num_rest_levels_ * num_cols;
  std::vector<std::vector<double>> abs_TC(num_tasks, std::vector<double>(num_cols, 0.0));
  ParallelFor(
      num_tasks, num_tasks,
      [&](int task_idx, int64_t, int64_t) {
        std::vector<double>& acc = thread_acc_[task_idx];
        acc.assign(size_RC, 0.0);
        const double* weight = weight_N_.empty() ? nullptr : weight_N_.data();
        double* abs_sum = abs_sum_C != nullptr ? abs_TC[task_idx].data() : nullptr;
        const int64_t run_begin = task_run_begin_[task_idx],
                      run_end = task_run_begin_[task_idx + 1];
        switch (num_rest_) {
          case 1:
            ApplyRunsCols<1>(num_cols, run_begin, run_end, num_rest_, num_obs_, run_start_E_.data(),
                             rid_NQ_.data(), weight, run_weight_E_.data(), src_sorted_NC, coef_RC,
                             acc.data(), abs_sum);
            break;
          case 2:
            ApplyRunsCols<2>(num_cols, run_begin, run_end, num_rest_, num_obs_, run_start_E_.data(),
                             rid_NQ_.data(), weight, run_weight_E_.data(), src_sorted_NC, coef_RC,
                             acc.data(), abs_sum);
            break;
          default:
            ApplyRunsCols<0>(num_cols, run_begin, run_end, num_rest_, num_obs_, run_start_E_.data(),
                             rid_NQ_.data(), weight, run_weight_E_.data(), src_sorted_NC, coef_RC,
                             acc.data(), abs_sum);
        }
      },
      1);
  acc_RC.resize(size_RC);
  ParallelFor(num_tasks, size_RC, [&](int, int64_t begin, int64_t end) {
    for (int64_t idx = begin; idx < end; ++idx) {
      double sum = 0;
      for (int task_idx = 0; task_idx < num_tasks; ++task_idx) sum += thread_acc_[task_idx][idx];
      acc_RC[idx] = sum;
    }
  });
  if (abs_sum_C != nullptr) {
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
      abs_sum_C[col_idx] = 0;
      for (int task_idx = 0; task_idx < num_tasks; ++task_idx)
        abs_sum_C[col_idx] += abs_TC[task_idx][col_idx];
    }
  }
}

ProjectionStats SchurProjector::Project(const double* in_NC, double* out_NC, int num_cols,
                                        std::vector<double>& alpha_GC, double tolerance,
                                        int max_iterations, double average_rule_from) {
  ProjectionStats stats;
  int64_t num_levels_total = num_rest_levels_ + num_elim_levels_;
  if (static_cast<int64_t>(alpha_GC.size()) != num_levels_total * num_cols) {
    alpha_GC.assign(num_levels_total * num_cols, 0.0);
  }
  // Inputs in sorted order.
  std::vector<double> sorted_in;
  const double* src = in_NC;
  if (!identity_order_) {
    sorted_in.resize(static_cast<size_t>(num_obs_) * num_cols);
    ParallelFor(threads_, num_obs_, [&](int, int64_t begin, int64_t end) {
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
        for (int64_t pos = begin; pos < end; ++pos) {
          sorted_in[col_idx * num_obs_ + pos] = in_NC[col_idx * num_obs_ + order_N_[pos]];
        }
      }
    });
    src = sorted_in.data();
  }
  // Warm start: the remaining dimensions' coefficients.
  const int64_t size_RC = num_rest_levels_ * num_cols;
  std::vector<double> x_RC(size_RC);
  for (int rest_idx = 0; rest_idx < num_rest_; ++rest_idx) {
    const int64_t levels =
        (rest_idx + 1 < num_rest_ ? rest_offset_[rest_idx + 1] : num_rest_levels_) -
        rest_offset_[rest_idx];
    const int64_t caller_start = caller_offset_Q_[rest_dims_[rest_idx]];
    for (int64_t level = 0; level < levels; ++level) {
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
        x_RC[(rest_offset_[rest_idx] + level) * num_cols + col_idx] =
            alpha_GC[(caller_start + level) * num_cols + col_idx];
      }
    }
  }

  std::vector<double> resid_RC, abs_sum_C(num_cols);
  Apply(src, x_RC.data(), num_cols, resid_RC, abs_sum_C.data());
  double total_weight = 0;
  for (double weight : run_weight_E_) total_weight += weight;
  double total_level_weight = 0;
  for (double weight : level_weight_R_) total_level_weight += weight;

  const bool average_rule = tolerance >= average_rule_from;
  auto worst_level = [&](int col_idx) {
    double worst = 0;
    if (average_rule) {
      for (int64_t level = 0; level < num_rest_levels_; ++level)
        worst += std::abs(resid_RC[level * num_cols + col_idx]);
      return worst / std::max(total_level_weight, 1e-300);
    }
    for (int64_t level = 0; level < num_rest_levels_; ++level) {
      if (level_weight_R_[level] > 0) {
        worst = std::max(worst,
                         std::abs(resid_RC[level * num_cols + col_idx]) / level_weight_R_[level]);
      }
    }
    return worst;
  };

  std::vector<double> precond_RC(size_RC), direction_RC(size_RC), product_RC;
  std::vector<double> rz_C(num_cols, 0.0), threshold_C(num_cols);
  std::vector<uint8_t> active_C(num_cols, 1);
  for (int64_t level = 0; level < num_rest_levels_; ++level) {
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
      const int64_t idx = level * num_cols + col_idx;
      precond_RC[idx] = resid_RC[idx] * inv_diag_R_[level];
      direction_RC[idx] = precond_RC[idx];
      rz_C[col_idx] += resid_RC[idx] * precond_RC[idx];
    }
  }
  int num_active = 0;
  for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
    const double mean_abs = abs_sum_C[col_idx] / std::max(total_weight, 1e-300);
    threshold_C[col_idx] = tolerance * std::max(mean_abs, 1e-300);
    if (worst_level(col_idx) <= threshold_C[col_idx] || !(rz_C[col_idx] > 0)) {
      active_C[col_idx] = 0;
    } else {
      ++num_active;
    }
  }
  int iteration = 0;
  while (num_active > 0 && iteration < max_iterations) {
    ++iteration;
    Apply(nullptr, direction_RC.data(), num_cols, product_RC, nullptr);  // -S d
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
      if (!active_C[col_idx]) continue;
      double curvature = 0;
      for (int64_t level = 0; level < num_rest_levels_; ++level) {
        const int64_t idx = level * num_cols + col_idx;
        curvature -= direction_RC[idx] * product_RC[idx];
      }
      if (!(curvature > 0)) {
        active_C[col_idx] = 0;
        --num_active;
        continue;
      }
      const double step = rz_C[col_idx] / curvature;
      double rz_new = 0;
      for (int64_t level = 0; level < num_rest_levels_; ++level) {
        const int64_t idx = level * num_cols + col_idx;
        x_RC[idx] += step * direction_RC[idx];
        resid_RC[idx] += step * product_RC[idx];
        precond_RC[idx] = resid_RC[idx] * inv_diag_R_[level];
        rz_new += resid_RC[idx] * precond_RC[idx];
      }
      const double beta = rz_new / rz_C[col_idx];
      rz_C[col_idx] = rz_new;
      if (worst_level(col_idx) <= threshold_C[col_idx] || !(rz_new > 0)) {
        active_C[col_idx] = 0;
        --num_active;
        for (int64_t level = 0; level < num_rest_levels_; ++level)
          direction_RC[level * num_cols + col_idx] = 0;
        continue;
      }
      for (int64_t level = 0; level < num_rest_levels_; ++level) {
        const int64_t idx = level * num_cols + col_idx;
        direction_RC[idx] = precond_RC[idx] + beta * direction_RC[idx];
      }
    }
  }
  stats.iterations = iteration;
  stats.converged = num_active == 0;
  for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
    stats.worst_relative_residual = std::max(
        stats.worst_relative_residual, worst_level(col_idx) / (threshold_C[col_idx] / tolerance));
  }
  // Keep the remaining dimensions centred (after the first) so rounding
  // cannot drift along the directions that leave D_R x unchanged.
  for (int rest_idx = 1; rest_idx < num_rest_; ++rest_idx) {
    const int64_t begin = rest_offset_[rest_idx];
    const int64_t end = rest_idx + 1 < num_rest_ ? rest_offset_[rest_idx + 1] : num_rest_levels_;
    const int64_t first_end = num_rest_ > 1 ? rest_offset_[1] : num_rest_levels_;
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
      double mean = 0;
      for (int64_t level = begin; level < end; ++level) mean += x_RC[level * num_cols + col_idx];
      mean /= static_cast<double>(std::max<int64_t>(1, end - begin));
      for (int64_t level = begin; level < end; ++level) x_RC[level * num_cols + col_idx] -= mean;
      for (int64_t level = 0; level < first_end; ++level) x_RC[level * num_cols + col_idx] += mean;
    }
  }

  // Eliminated coefficients (weighted run means) and the output, run by run.
  std::vector<double> sorted_out;
  double* dst = out_NC;
  if (!identity_order_) {
    sorted_out.resize(static_cast<size_t>(num_obs_) * num_cols);
    dst = sorted_out.data();
  }
  const int num_tasks = static_cast<int>(task_run_begin_.size()) - 1;
  const int64_t elim_start = caller_offset_Q_[eliminated_dim_];
  ParallelFor(
      num_tasks, num_tasks,
      [&](int task_idx, int64_t, int64_t) {
        std::vector<double> values;
        for (int64_t run = task_run_begin_[task_idx]; run < task_run_begin_[task_idx + 1]; ++run) {
          const int64_t first = run_start_E_[run], last = run_start_E_[run + 1];
          values.resize((last - first) * num_cols);
          for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
            double weighted = 0, plain = 0;
            for (int64_t pos = first; pos < last; ++pos) {
              const int32_t* rid = &rid_NQ_[pos * num_rest_];
              double value = src[col_idx * num_obs_ + pos];
              for (int rest_idx = 0; rest_idx < num_rest_; ++rest_idx) {
                value -= x_RC[static_cast<int64_t>(rid[rest_idx]) * num_cols + col_idx];
              }
              values[(pos - first) * num_cols + col_idx] = value;
              weighted += (weight_N_.empty() ? 1.0 : weight_N_[pos]) * value;
              plain += value;
            }
            const double coefficient =
                run_weight_E_[run] > 0
                    ? weighted / run_weight_E_[run]
                    : (last > first ? plain / static_cast<double>(last - first) : 0.0);
            alpha_GC[(elim_start + run) * num_cols + col_idx] = coefficient;
            for (int64_t pos = first; pos < last; ++pos) {
              dst[col_idx * num_obs_ + pos] =
                  values[(pos - first) * num_cols + col_idx] - coefficient;
            }
          }
        }
      },
      1);
  if (!identity_order_) {
    ParallelFor(threads_, num_obs_, [&](int, int64_t begin, int64_t end) {
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
        for (int64_t pos = begin; pos < end; ++pos) {
          out_NC[col_idx * num_obs_ + order_N_[pos]] = sorted_out[col_idx * num_obs_ + pos];
        }
      }
    });
  }
  for (int rest_idx = 0; rest_idx < num_rest_; ++rest_idx) {
    const int64_t levels =
        (rest_idx + 1 < num_rest_ ? rest_offset_[rest_idx + 1] : num_rest_levels_) -
        rest_offset_[rest_idx];
    const int64_t caller_start = caller_offset_Q_[rest_dims_[rest_idx]];
    for (int64_t level = 0; level < levels; ++level) {
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
        alpha_GC[(caller_start + level) * num_cols + col_idx] =
            x_RC[(rest_offset_[rest_idx] + level) * num_cols + col_idx];
      }
    }
  }
  return stats;
}

}  // namespace mizani::estimate

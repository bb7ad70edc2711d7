#include "estimate/hdfe/schur_projector.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <numeric>
#include <span>
#include <string>

#include "common/parallel.h"
#include "common/trace.h"
#include "estimate/hdfe/fe_projector.h"
#include "estimate/hdfe/pcg.h"
#include "estimate/hdfe/run_kernels.h"
#include "mizani/communicator.h"

namespace mizani::estimate {

SchurProjector::SchurProjector(const std::vector<std::vector<int32_t>>& ids_Q,
                               const std::vector<int32_t>& sizes_Q,
                               const std::vector<int64_t>& offset_Q, int threads, bool allow_avx,
                               int eliminated_dim, GapFill gap_fill)
    : threads_(std::max(1, threads)), caller_offset_Q_(offset_Q), allow_avx_(allow_avx) {
  const int num_dims = static_cast<int>(ids_Q.size());
  num_obs_ = static_cast<int64_t>(ids_Q[0].size());
  eliminated_dim_ =
      eliminated_dim >= 0
          ? eliminated_dim
          : static_cast<int>(std::max_element(sizes_Q.begin(), sizes_Q.end()) - sizes_Q.begin());
  num_elim_levels_ = sizes_Q[eliminated_dim_];
  for (int dim_idx = 0; dim_idx < num_dims; ++dim_idx) {
    if (dim_idx == eliminated_dim_) continue;
    rest_dims_.push_back(dim_idx);
    rest_offset_.push_back(num_rest_levels_);
    num_rest_levels_ += sizes_Q[dim_idx];
  }
  num_rest_ = static_cast<int>(rest_dims_.size());

  // The usual case, rows already grouped by their eliminated level (Fit
  // groups them), needs no permutation at all: the runs are taken in the
  // rows' order, which in a two-way model need not be the levels' order
  // (FrameOrder in model_frame.cc chooses it for locality). Otherwise a
  // counting sort of the observations by their eliminated level (stable).
  const std::vector<int32_t>& elim = ids_Q[eliminated_dim_];
  run_start_E_.assign(num_elim_levels_ + 1, 0);
  identity_order_ = std::is_sorted(elim.begin(), elim.end());
  if (!identity_order_ && LevelsContiguous(elim, num_elim_levels_)) {
    identity_order_ = true;
    level_of_run_E_.reserve(num_elim_levels_);
    std::vector<uint8_t> has_rows(num_elim_levels_, 0);
    for (int64_t pos = 0; pos < num_obs_; ++pos) {
      if (pos > 0 && elim[pos] == elim[pos - 1]) continue;
      run_start_E_[level_of_run_E_.size()] = pos;
      level_of_run_E_.push_back(elim[pos]);
      has_rows[elim[pos]] = 1;
    }
    for (int32_t level = 0; level < num_elim_levels_; ++level) {
      if (has_rows[level] == 0) {
        run_start_E_[level_of_run_E_.size()] = num_obs_;
        level_of_run_E_.push_back(level);
      }
    }
    run_start_E_[num_elim_levels_] = num_obs_;
  } else {
    for (int32_t level : elim) ++run_start_E_[level + 1];
    for (int64_t level = 0; level < num_elim_levels_; ++level)
      run_start_E_[level + 1] += run_start_E_[level];
  }
  if (!identity_order_) {
    order_N_.resize(num_obs_);
    std::vector<int64_t> next(run_start_E_.begin(), run_start_E_.end() - 1);
    for (int64_t obs_idx = 0; obs_idx < num_obs_; ++obs_idx)
      order_N_[next[elim[obs_idx]]++] = obs_idx;
  }
  NumberRestLevels(ids_Q, gap_fill);
  rid_NQ_.resize(static_cast<size_t>(num_obs_) * num_rest_);
  ParallelFor(threads_, num_obs_, [&](int, int64_t begin, int64_t end) {
    for (int64_t pos = begin; pos < end; ++pos) {
      const int64_t obs_idx = identity_order_ ? pos : order_N_[pos];
      for (int rest_idx = 0; rest_idx < num_rest_; ++rest_idx) {
        rid_NQ_[pos * num_rest_ + rest_idx] =
            rest_of_caller_R_[rest_offset_[rest_idx] + ids_Q[rest_dims_[rest_idx]][obs_idx]];
      }
    }
  });
  // In gravity panels the rows of one eliminated level never share a level
  // of another dimension (a pair's years have distinct exporter-years);
  // then diag(S) needs no grouping within runs. Checked on both threads,
  // each over its own runs.
  {
    const int num_tasks = std::max(1, threads_);
    std::vector<uint8_t> distinct_T(num_tasks, 1);
    ParallelFor(
        num_tasks, num_elim_levels_,
        [&](int task_idx, int64_t run_begin, int64_t run_end) {
          std::vector<int64_t> last_run(num_rest_levels_, -1);
          for (int64_t run = run_begin; run < run_end; ++run) {
            for (int64_t pos = run_start_E_[run]; pos < run_start_E_[run + 1]; ++pos) {
              for (int rest_idx = 0; rest_idx < num_rest_; ++rest_idx) {
                const int32_t level = rid_NQ_[pos * num_rest_ + rest_idx];
                if (last_run[level] == run) {
                  distinct_T[task_idx] = 0;
                  return;
                }
                last_run[level] = run;
              }
            }
          }
        },
        1024);
    distinct_within_runs_ =
        std::all_of(distinct_T.begin(), distinct_T.end(), [](uint8_t flag) { return flag != 0; });
  }
  PlainSegments plain = CutPlainSegments();
  const bool plain_allowed = BuildFilledSegments(gap_fill, plain);
  if (!filled_ && plain_allowed && plain.usable) AdoptSegments(std::move(plain));
  NarrowIds();
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

void SchurProjector::NumberRestLevels(const std::vector<std::vector<int32_t>>& ids_Q,
                                      GapFill gap_fill) {
  // Each remaining dimension's levels, numbered in the order the runs first
  // meet them. In a panel sorted by pair and year the exporter-years and
  // importer-years of one pair, or the importer-years of one exporter-year
  // (two-way model), then come out consecutive: segments with unit steps,
  // whose coefficients the kernels read and write contiguously
  // (run_kernels.h), instead of 40 levels apart in the caller's numbering.
  // The first position of every level, per thread over its rows, then the
  // earliest; levels sorted by it (never met: last, in caller order).
  // An unbalanced panel breaks this: a year missing from an exporter's
  // first pair gets that exporter-year numbered after all its other years,
  // and every later pair of the exporter steps backwards there. When more
  // than one step in a hundred within runs goes backwards, the levels are
  // numbered along the runs instead (OrderAlongRuns) if that puts 95% of
  // the steps within runs at +1: on the fourth process's three-way model
  // (pairs observed over spans of years) 99.8% of the rows then sat in unit
  // steps instead of 92.2%, with 125,361 segments instead of 382,388, and
  // IRLS took 0.50 s instead of 1.05 s. Where years are missing at random
  // (the sixth process) the steps stay mixed either way (segments of 5.5
  // rows, 90.8% in unit steps), and a pass over such segments took 1.7
  // times as long as over per-row ids: the first-appearance numbering is
  // kept, and with it the row layout. Where gap-filled segments may pay
  // (FillMayPay), the numbering along the runs is also taken when 95% of
  // the steps within runs go forward by at most kMaxFill + 1: a year
  // missing from a pair then leaves a gap of one level in each dimension,
  // which the gap-filled segments fill (BuildFilledSegments). (Elsewhere
  // that numbering would let plain segments of five rows in: the sixth
  // process's two-way fit took 1.32 s instead of 1.08 s.)
  const int num_tasks = std::max(1, threads_);
  std::vector<std::vector<int64_t>> first_T(num_tasks);
  ParallelFor(
      num_tasks, num_obs_,
      [&](int task_idx, int64_t begin, int64_t end) {
        std::vector<int64_t>& first = first_T[task_idx];
        first.assign(num_rest_levels_, INT64_MAX);
        for (int64_t pos = begin; pos < end; ++pos) {
          const int64_t obs_idx = identity_order_ ? pos : order_N_[pos];
          for (int rest_idx = 0; rest_idx < num_rest_; ++rest_idx) {
            const int64_t level = rest_offset_[rest_idx] + ids_Q[rest_dims_[rest_idx]][obs_idx];
            first[level] = std::min(first[level], pos);
          }
        }
      },
      1);
  std::vector<int64_t> first(num_rest_levels_, INT64_MAX);
  for (const auto& task_first : first_T) {
    if (task_first.empty()) continue;
    for (int64_t level = 0; level < num_rest_levels_; ++level)
      first[level] = std::min(first[level], task_first[level]);
  }
  rest_of_caller_R_.resize(num_rest_levels_);
  std::vector<int32_t> by_first;
  for (int rest_idx = 0; rest_idx < num_rest_; ++rest_idx) {
    const int64_t begin = rest_offset_[rest_idx];
    const int64_t end = rest_idx + 1 < num_rest_ ? rest_offset_[rest_idx + 1] : num_rest_levels_;
    by_first.resize(end - begin);
    std::iota(by_first.begin(), by_first.end(), 0);
    std::stable_sort(by_first.begin(), by_first.end(),
                     [&](int32_t a, int32_t b) { return first[begin + a] < first[begin + b]; });
    const std::vector<int32_t>& ids = ids_Q[rest_dims_[rest_idx]];
    auto level_at = [&](int64_t pos) { return ids[identity_order_ ? pos : order_N_[pos]]; };
    const std::span<const int64_t> dim_first(first.data() + begin,
                                             static_cast<size_t>(end - begin));
    const StepCounts by_first_steps = CountSteps(by_first, level_at);
    if (100 * by_first_steps.descents > by_first_steps.steps) {
      std::vector<int32_t> along = OrderAlongRuns(by_first, dim_first, level_at);
      const StepCounts along_steps = CountSteps(along, level_at);
      const bool fillable =
          FillMayPay(gap_fill) && 20 * along_steps.fillable >= 19 * along_steps.steps;
      if (20 * along_steps.units >= 19 * along_steps.steps || fillable) by_first = std::move(along);
    }
    for (int64_t rank = 0; rank < end - begin; ++rank)
      rest_of_caller_R_[begin + by_first[rank]] = static_cast<int32_t>(begin + rank);
  }
}

template <class LevelAt>
SchurProjector::StepCounts SchurProjector::CountSteps(const std::vector<int32_t>& order,
                                                      const LevelAt& level_at) const {
  std::vector<int32_t> rank(order.size());
  for (size_t pos = 0; pos < order.size(); ++pos) rank[order[pos]] = static_cast<int32_t>(pos);
  StepCounts counts;
  // Every 16th run when there are many: the verdicts are shares, and a
  // full count is a single-threaded pass over all rows per dimension.
  const int64_t stride = num_elim_levels_ >= 4096 ? 16 : 1;
  for (int64_t run = 0; run < num_elim_levels_; run += stride) {
    for (int64_t pos = run_start_E_[run] + 1; pos < run_start_E_[run + 1]; ++pos) {
      const int32_t step = rank[level_at(pos)] - rank[level_at(pos - 1)];
      ++counts.steps;
      counts.descents += step < 0;
      counts.units += step == 1;
      counts.fillable += step >= 1 && step <= kMaxFill + 1;
    }
  }
  return counts;
}

template <class LevelAt>
std::vector<int32_t> SchurProjector::OrderAlongRuns(const std::vector<int32_t>& by_first,
                                                    std::span<const int64_t> first,
                                                    const LevelAt& level_at) const {
  // Edges a -> b for consecutive rows of a run, in compressed rows.
  const auto num_levels = static_cast<int64_t>(by_first.size());
  std::vector<int64_t> edge_start(num_levels + 1, 0);
  std::vector<int32_t> in_degree(num_levels, 0);
  for (int64_t run = 0; run < num_elim_levels_; ++run) {
    for (int64_t pos = run_start_E_[run] + 1; pos < run_start_E_[run + 1]; ++pos) {
      const int32_t from = level_at(pos - 1), to = level_at(pos);
      if (from == to) continue;
      ++edge_start[from + 1];
      ++in_degree[to];
    }
  }
  for (int64_t level = 0; level < num_levels; ++level) edge_start[level + 1] += edge_start[level];
  std::vector<int32_t> edge_to(edge_start[num_levels]);
  {
    std::vector<int64_t> cursor(edge_start.begin(), edge_start.end() - 1);
    for (int64_t run = 0; run < num_elim_levels_; ++run) {
      for (int64_t pos = run_start_E_[run] + 1; pos < run_start_E_[run + 1]; ++pos) {
        const int32_t from = level_at(pos - 1), to = level_at(pos);
        if (from != to) edge_to[cursor[from]++] = to;
      }
    }
  }
  // Kahn's algorithm, depth first: a level made ready by the one just placed
  // goes next (a country's years stay together even where other countries'
  // levels appeared earlier); among several, the earliest first position.
  // On a cycle (runs that disagree) the earliest level not yet placed.
  auto by_position = [&](int32_t left, int32_t right) {
    return first[left] != first[right] ? first[left] > first[right] : left > right;
  };
  std::vector<int32_t> ready;  // a stack: the next level on top
  for (int32_t level = 0; level < num_levels; ++level) {
    if (in_degree[level] == 0) ready.push_back(level);
  }
  std::sort(ready.begin(), ready.end(), by_position);
  std::vector<uint8_t> placed(num_levels, 0);
  std::vector<int32_t> order, freed;
  order.reserve(num_levels);
  size_t next_forced = 0;
  while (static_cast<int64_t>(order.size()) < num_levels) {
    int32_t level = 0;
    if (!ready.empty()) {
      level = ready.back();
      ready.pop_back();
      if (placed[level] != 0) continue;
    } else {
      while (placed[by_first[next_forced]] != 0) ++next_forced;
      level = by_first[next_forced];
    }
    placed[level] = 1;
    order.push_back(level);
    freed.clear();
    for (int64_t edge = edge_start[level]; edge < edge_start[level + 1]; ++edge) {
      const int32_t to = edge_to[edge];
      if (--in_degree[to] == 0 && placed[to] == 0) freed.push_back(to);
    }
    std::sort(freed.begin(), freed.end(), by_position);
    ready.insert(ready.end(), freed.begin(), freed.end());
  }
  return order;
}

void SchurProjector::ReduceRest(double* values_RC, int num_cols) {
  if (comm_ == nullptr) return;
  const int64_t size_RC = num_rest_levels_ * num_cols;
  reduce_buffer_.resize(size_RC);
  for (int64_t caller = 0; caller < num_rest_levels_; ++caller) {
    const double* from = values_RC + static_cast<int64_t>(rest_of_caller_R_[caller]) * num_cols;
    std::copy(from, from + num_cols, reduce_buffer_.data() + caller * num_cols);
  }
  comm_->AllreduceSum(std::span<double>(reduce_buffer_.data(), size_RC));
  for (int64_t caller = 0; caller < num_rest_levels_; ++caller) {
    const double* from = reduce_buffer_.data() + caller * num_cols;
    std::copy(from, from + num_cols,
              values_RC + static_cast<int64_t>(rest_of_caller_R_[caller]) * num_cols);
  }
}

void SchurProjector::ReduceSum(std::span<double> values) {
  if (comm_ != nullptr) comm_->AllreduceSum(values);
}

void SchurProjector::SetWeights(std::span<const double> weights_N) {
  if (weights_N.empty()) {
    weight_N_ = nullptr;
    std::vector<double>().swap(weight_storage_);
  } else if (identity_order_) {
    // Rows already in run order: use the caller's weights where they are.
    weight_N_ = weights_N.data();
    std::vector<double>().swap(weight_storage_);
  } else {
    weight_storage_.resize(num_obs_);
    for (int64_t pos = 0; pos < num_obs_; ++pos) weight_storage_[pos] = weights_N[order_N_[pos]];
    weight_N_ = weight_storage_.data();
  }
  if (filled_) FillWeights();
  // Distinct runs: the sums come with the next projection's first pass.
  weight_sums_pending_ = distinct_within_runs_;
  if (weight_sums_pending_) return;
  // Otherwise a run may meet a level more than once: group its rows by level.
  auto weight = [&](int64_t pos) { return weight_N_ == nullptr ? 1.0 : weight_N_[pos]; };
  run_weight_E_.assign(num_elim_levels_, 0.0);
  level_weight_R_.assign(num_rest_levels_, 0.0);
  std::vector<double> removed_R(num_rest_levels_, 0.0);  // sum over runs of (w_run,g)^2 / W_run
  // (Never with segments: the segment layout is built for distinct runs.)
  std::vector<std::pair<int32_t, double>> within;
  for (int64_t run = 0; run < num_elim_levels_; ++run) {
    double run_weight = 0;
    for (int64_t pos = run_start_E_[run]; pos < run_start_E_[run + 1]; ++pos)
      run_weight += weight(pos);
    run_weight_E_[run] = run_weight;
    for (int rest_idx = 0; rest_idx < num_rest_; ++rest_idx) {
      within.clear();
      for (int64_t pos = run_start_E_[run]; pos < run_start_E_[run + 1]; ++pos)
        within.emplace_back(rid_NQ_[pos * num_rest_ + rest_idx], weight(pos));
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
  FinishWeightSums(removed_R);
}

void SchurProjector::CopyRestCoefficients(int num_cols, bool to_rest, double* caller_GC,
                                          double* rest_RC) const {
  for (int rest_idx = 0; rest_idx < num_rest_; ++rest_idx) {
    const int64_t levels =
        (rest_idx + 1 < num_rest_ ? rest_offset_[rest_idx + 1] : num_rest_levels_) -
        rest_offset_[rest_idx];
    double* caller = caller_GC + caller_offset_Q_[rest_dims_[rest_idx]] * num_cols;
    const int32_t* rest_of_caller = rest_of_caller_R_.data() + rest_offset_[rest_idx];
    for (int64_t level = 0; level < levels; ++level) {
      double* rest = rest_RC + static_cast<int64_t>(rest_of_caller[level]) * num_cols;
      double* at_caller = caller + level * num_cols;
      if (to_rest) {
        std::copy(at_caller, at_caller + num_cols, rest);
      } else {
        std::copy(rest, rest + num_cols, at_caller);
      }
    }
  }
}

void SchurProjector::FinishWeightSums(std::vector<double>& removed_R) {
  // Sharded: both sums are the whole sample's first.
  ReduceRest(level_weight_R_.data(), 1);
  ReduceRest(removed_R.data(), 1);
  // diag(S)_g = W_g - sum_runs w_{run,g}^2 / W_run. A level whose diagonal
  // vanishes lies in the span of the eliminated dimension: S has a zero row
  // and column there, and the preconditioner leaves it alone.
  inv_diag_R_.assign(num_rest_levels_, 0.0);
  for (int64_t level = 0; level < num_rest_levels_; ++level) {
    const double diagonal = level_weight_R_[level] - removed_R[level];
    if (diagonal > 1e-12 * level_weight_R_[level]) inv_diag_R_[level] = 1.0 / diagonal;
  }
}

RunRows SchurProjector::Layout() const {
  RunRows rows;
  rows.num_rest = num_rest_;
  rows.num_obs = num_obs_;
  rows.run_start_E = run_start_E_.data();
  rows.rid_NQ = rid_NQ_.empty() ? nullptr : rid_NQ_.data();
  rows.rid16_NQ = rid16_NQ_.empty() ? nullptr : rid16_NQ_.data();
  if (filled_ && rows.rid_NQ == nullptr && rows.rid16_NQ == nullptr) {
    // The ids went: the rows' levels from the gap-filled segments.
    rows.fill_offset_N = fill_offset_N_.data();
    rows.fill_seg_begin_E = fill_seg_begin_E_.data();
    rows.fill_seg_first_SQ = fill_seg_first_SQ_.data();
  }
  rows.seg_begin_E = seg_begin_E_.empty() ? nullptr : seg_begin_E_.data();
  rows.seg_length_S = seg_length_S_.data();
  rows.seg_first_SQ = seg_first_SQ_.data();
  rows.seg_step_SQ = seg_step_SQ_.data();
  rows.weight_N = weight_N_;
  rows.run_weight_E = run_weight_E_.data();
  rows.allow_avx = allow_avx_;
  return rows;
}

void SchurProjector::NarrowIds() {
  // The row layout reads a row's ids in every pass: on the sixth process's
  // three-way model (2 columns) they are 8 of its 32 bytes. With at most
  // 65,536 remaining levels they fit in 16 bits. (Runs that share levels
  // keep the 32-bit ids: SetWeights groups them.)
  if (segmented_ || !distinct_within_runs_ || num_rest_ > kMaxSegmentDims ||
      num_rest_levels_ > 65536 || rid_NQ_.empty())
    return;
  rid16_NQ_.resize(rid_NQ_.size());
  ParallelFor(threads_, static_cast<int64_t>(rid_NQ_.size()), [&](int, int64_t begin, int64_t end) {
    for (int64_t idx = begin; idx < end; ++idx)
      rid16_NQ_[idx] = static_cast<uint16_t>(rid_NQ_[idx]);
  });
  std::vector<int32_t>().swap(rid_NQ_);
}

SchurProjector::PlainSegments SchurProjector::CutPlainSegments() const {
  PlainSegments plain;
  if (!distinct_within_runs_ || num_rest_ > kMaxSegmentDims) return plain;
  plain.begin_E.assign(num_elim_levels_ + 1, 0);
  const int32_t* rid = rid_NQ_.data();
  auto same_step = [&](int64_t pos, const int32_t* step) {
    for (int rest_idx = 0; rest_idx < num_rest_; ++rest_idx) {
      if (rid[pos * num_rest_ + rest_idx] - rid[(pos - 1) * num_rest_ + rest_idx] != step[rest_idx])
        return false;
    }
    return true;
  };
  int32_t step[kMaxSegmentDims];
  for (int64_t run = 0; run < num_elim_levels_; ++run) {
    plain.begin_E[run] = static_cast<int64_t>(plain.length_S.size());
    const int64_t last = run_start_E_[run + 1];
    for (int64_t pos = run_start_E_[run]; pos < last;) {
      for (int rest_idx = 0; rest_idx < num_rest_; ++rest_idx) {
        plain.first_SQ.push_back(rid[pos * num_rest_ + rest_idx]);
        step[rest_idx] =
            pos + 1 < last ? rid[(pos + 1) * num_rest_ + rest_idx] - rid[pos * num_rest_ + rest_idx]
                           : 0;
      }
      plain.step_SQ.insert(plain.step_SQ.end(), step, step + num_rest_);
      int64_t end = pos + 1;
      while (end < last && end - pos < INT32_MAX && same_step(end, step)) ++end;
      plain.length_S.push_back(static_cast<int32_t>(end - pos));
      pos = end;
    }
    // Too fragmented to pay (ids in no particular order): keep the rows.
    if (4 * static_cast<int64_t>(plain.length_S.size()) > num_obs_) return PlainSegments{};
  }
  plain.begin_E[num_elim_levels_] = static_cast<int64_t>(plain.length_S.size());
  plain.usable = true;
  return plain;
}

void SchurProjector::AdoptSegments(PlainSegments plain) {
  seg_begin_E_ = std::move(plain.begin_E);
  seg_length_S_ = std::move(plain.length_S);
  seg_first_SQ_ = std::move(plain.first_SQ);
  seg_step_SQ_ = std::move(plain.step_SQ);
  segmented_ = true;
  std::vector<int32_t>().swap(rid_NQ_);  // the segments replace the ids
  if (TraceLevel() >= 2) {
    int64_t unit_rows = 0;
    for (size_t seg = 0; seg < seg_length_S_.size(); ++seg) {
      bool unit = true;
      for (int rest_idx = 0; rest_idx < num_rest_; ++rest_idx)
        unit = unit && seg_step_SQ_[seg * num_rest_ + rest_idx] == 1;
      if (unit) unit_rows += seg_length_S_[seg];
    }
    TraceDetail(fmt::format("segments: {} for {} runs, {:.1f}% of the rows in unit steps",
                            seg_length_S_.size(), num_elim_levels_,
                            100.0 * static_cast<double>(unit_rows) /
                                static_cast<double>(std::max<int64_t>(1, num_obs_))));
  }
}

bool SchurProjector::FillMayPay(GapFill gap_fill) const {
  // With one remaining dimension (two-way models) the row layout reads one
  // 16-bit id a row, and the filled segments were no faster: the sixth
  // process's two-way fit (5 columns) took the same 45-54 ms a projection
  // either way, with 24.5% of its positions filled.
  return gap_fill == GapFill::kAlways || (gap_fill == GapFill::kAuto && num_rest_ >= 2);
}

bool SchurProjector::BuildFilledSegments(GapFill gap_fill, const PlainSegments& plain) {
  filled_ = false;
  if (!FillMayPay(gap_fill) || !distinct_within_runs_ || num_rest_ > kMaxSegmentDims ||
      rid_NQ_.empty())
    return true;
  // A panel sorted by pair and year whose pairs miss years here and there
  // (the sixth and seventh benchmark processes: 15% of the pair-years at
  // random) cuts its runs into segments of five or six rows, too short for
  // the segment layout to pay, so its passes read two ids a row and gather
  // coefficients one row at a time. With the levels numbered along the runs
  // a missing year leaves the same gap of one level in every remaining
  // dimension, so the run is one segment of unit steps once the gap is
  // filled by a row of weight zero: it adds nothing to any sum (w (v - m)
  // is 0 for any finite v) and its levels, lying between two of the
  // segment's levels of the same dimension, are levels that exist. Only
  // the conjugate-gradient passes use these segments: they read no source
  // column, only the weights, which are copied to the filled positions
  // once per SetWeights. The passes that read sources or write the output
  // keep the rows (no column is ever copied to filled positions).
  const int32_t* rid = rid_NQ_.data();
  const int num_rest = num_rest_;
  // The common forward step of every remaining dimension from the row
  // before (1 to kMaxFill + 1), or 0 when the segment cannot go on.
  auto common_step = [&](int64_t pos) -> int32_t {
    const int32_t step = rid[pos * num_rest] - rid[(pos - 1) * num_rest];
    if (step < 1 || step > kMaxFill + 1) return 0;
    for (int rest_idx = 1; rest_idx < num_rest; ++rest_idx) {
      if (rid[pos * num_rest + rest_idx] - rid[(pos - 1) * num_rest + rest_idx] != step) return 0;
    }
    return step;
  };
  std::vector<int64_t> run_start(num_elim_levels_ + 1, 0), seg_begin(num_elim_levels_ + 1, 0);
  std::vector<int32_t> length_S, first_SQ;
  std::vector<uint8_t> offset_N(num_obs_, 0);
  int32_t offset = 0;  // the row's position in its segment
  int64_t filled_pos = 0;
  for (int64_t run = 0; run < num_elim_levels_; ++run) {
    run_start[run] = filled_pos;
    seg_begin[run] = static_cast<int64_t>(length_S.size());
    for (int64_t pos = run_start_E_[run]; pos < run_start_E_[run + 1]; ++pos) {
      int32_t step = pos > run_start_E_[run] ? common_step(pos) : 0;
      // A row's offset in its segment takes one byte: longer runs go on in
      // a new segment.
      if (offset + step > UINT8_MAX) step = 0;
      if (step == 0) {
        first_SQ.insert(first_SQ.end(), rid + pos * num_rest, rid + (pos + 1) * num_rest);
        length_S.push_back(1);
        filled_pos += 1;
        offset = 0;
      } else {
        length_S.back() += step;
        filled_pos += step;
        offset += step;
      }
      offset_N[pos] = static_cast<uint8_t>(offset);
    }
  }
  run_start[num_elim_levels_] = filled_pos;
  seg_begin[num_elim_levels_] = static_cast<int64_t>(length_S.size());
  const auto num_segments = static_cast<int64_t>(length_S.size());
  if (gap_fill == GapFill::kAuto) {
    // Cost model of a conjugate-gradient pass, in units of one position of
    // the segment kernel: kRowCost a row on the row layout, kSegmentCost a
    // segment (its set-up and the short loops' remainders), so segments pay
    // from six rows on average. Measured on the three-way model (bench/
    // README.md, session 25; MIZANI_TRACE=2, the layouts forced in a local
    // build), the IRLS took on the third process's panels with runs of 4,
    // 8 and 16 years 0.716, 0.700-0.723 and 0.592-0.630 s on plain
    // segments against 0.741, 0.684-0.695 and 0.665-0.682 s on the rows
    // (the model: 2.5, 1.75 and 1.38 against 2); session 21's plain
    // segments of 5.5 rows in mixed steps took 1.7 times as long as the
    // rows (the model: 2.09). With the gaps filled (MIZANI_GAP_FILL) a pass
    // took 2.05 ms against 2.95 ms on the rows on the sixth process (22.8%
    // of the positions filled, 63,239 segments for 1.94M rows; the model:
    // 1.42 against 2) and 2.8 against 3.3 ms on the seventh (15.8% filled,
    // 66,455 segments for 1.47M rows, whose coefficients no longer sit in
    // the core's cache; the model: 1.43).
    constexpr double kRowCost = 2.0, kSegmentCost = 6.0;
    const double rows_cost = kRowCost * static_cast<double>(num_obs_);
    const double filled_cost =
        static_cast<double>(filled_pos) + kSegmentCost * static_cast<double>(num_segments);
    // (CutPlainSegments' own limit: plain segments only when they average
    // four rows.)
    const auto plain_segments = static_cast<int64_t>(plain.length_S.size());
    const double plain_cost = plain.usable ? static_cast<double>(num_obs_) +
                                                 kSegmentCost * static_cast<double>(plain_segments)
                                           : INFINITY;
    if (TraceLevel() >= 2) {
      TraceDetail(fmt::format(
          "layout costs: rows {:.3g}, {} plain segments {:.3g}, {} gap-filled segments over {} "
          "positions {:.3g}",
          rows_cost, plain_segments, plain_cost, num_segments, filled_pos, filled_cost));
    }
    // Ties to the plain segments (they need neither ids nor filled weights).
    if (filled_cost >= std::min(rows_cost, plain_cost)) return plain_cost <= rows_cost;
  }
  filled_ = true;
  num_filled_pos_ = filled_pos;
  fill_run_start_E_ = std::move(run_start);
  fill_seg_begin_E_ = std::move(seg_begin);
  fill_seg_length_S_ = std::move(length_S);
  fill_seg_first_SQ_ = std::move(first_SQ);
  fill_seg_step_SQ_.assign(fill_seg_first_SQ_.size(), 1);
  fill_offset_N_ = std::move(offset_N);
  // The segments and the offsets also give every row's levels (run_kernels.h,
  // ForEachRow), so the ids can go: 4 bytes a row (narrowed) or 8. The
  // passes that read the rows are slower without them (the whole fit 1.04-
  // 1.06 of the time on the seventh process at 2.5M rows, 1.01 at 20.5M;
  // `farm-bench`, session 25), but at 20.5M rows the ids are 91 MiB of the
  // peak: 1,145 MiB with them, 0.256 of fixest's, 1,054 MiB without. So
  // they go from kDropIdsFrom rows on (and always under GapFill::kAlways,
  // which the tests use to reach this path).
  constexpr int64_t kDropIdsFrom = 8'000'000;
  if (gap_fill == GapFill::kAlways || num_obs_ >= kDropIdsFrom)
    std::vector<int32_t>().swap(rid_NQ_);
  if (TraceLevel() >= 2) {
    TraceDetail(fmt::format("gap-filled segments: {} for {} runs, {} rows filled ({:.1f}%)",
                            num_segments, num_elim_levels_, filled_pos - num_obs_,
                            100.0 * static_cast<double>(filled_pos - num_obs_) /
                                static_cast<double>(std::max<int64_t>(1, num_obs_))));
  }
  return true;
}

void SchurProjector::FillWeights() {
  // The filled positions keep the zeros of this first allocation: only the
  // rows' positions are written, here and nowhere else. Writing the zeros
  // again on every call, in a loop that branched per fill, took about 3% of
  // the seventh process's three-way fit (perf, session 30).
  if (static_cast<int64_t>(fill_weight_.size()) != num_filled_pos_) {
    fill_weight_.assign(num_filled_pos_, 0.0);
  }
  const int num_tasks = static_cast<int>(task_run_begin_.size()) - 1;
  ParallelFor(
      num_tasks, num_tasks,
      [&](int task_idx, int64_t, int64_t) {
        double* fill_weight = fill_weight_.data();
        const uint8_t* fill_offset = fill_offset_N_.data();
        for (int64_t run = task_run_begin_[task_idx]; run < task_run_begin_[task_idx + 1]; ++run) {
          // A segment starts at its first row (offset 0), right after the
          // last row of the one before; the run's first row is its first
          // position.
          int64_t filled_pos = fill_run_start_E_[run] - 1;
          int64_t seg_start = 0;
          for (int64_t pos = run_start_E_[run]; pos < run_start_E_[run + 1]; ++pos) {
            const int64_t offset = fill_offset[pos];
            seg_start = offset == 0 ? filled_pos + 1 : seg_start;
            filled_pos = seg_start + offset;
            fill_weight[filled_pos] = weight_N_ != nullptr ? weight_N_[pos] : 1.0;
          }
        }
      },
      1);
}

RunRows SchurProjector::FilledLayout() const {
  RunRows rows;
  rows.num_rest = num_rest_;
  rows.num_obs = num_filled_pos_;
  rows.run_start_E = fill_run_start_E_.data();
  rows.seg_begin_E = fill_seg_begin_E_.data();
  rows.seg_length_S = fill_seg_length_S_.data();
  rows.seg_first_SQ = fill_seg_first_SQ_.data();
  rows.seg_step_SQ = fill_seg_step_SQ_.data();
  rows.weight_N = fill_weight_.data();
  rows.run_weight_E = run_weight_E_.data();
  rows.allow_avx = allow_avx_;
  return rows;
}

void SchurProjector::Apply(const double* const* src_sorted_C, const double* coef_RC, int num_cols,
                           std::vector<double>& acc_RC, double* abs_sum_C) {
  const int num_tasks = static_cast<int>(task_run_begin_.size()) - 1;
  const int64_t size_RC = num_rest_levels_ * num_cols;
  std::vector<std::vector<double>> abs_TC(num_tasks, std::vector<double>(num_cols, 0.0));
  // After SetWeights the first pass also gathers the weight sums.
  const bool gather_sums = weight_sums_pending_;
  // The conjugate-gradient steps (no source, no sums) over the gap-filled
  // segments when there are some; the other passes read the sources and
  // weights row by row.
  const bool over_filled =
      filled_ && src_sorted_C == nullptr && abs_sum_C == nullptr && !gather_sums;
  const RunRows rows = over_filled ? FilledLayout() : Layout();
  std::vector<std::vector<double>> level_T(gather_sums ? num_tasks : 0),
      removed_T(gather_sums ? num_tasks : 0);
  if (gather_sums) run_weight_E_.assign(num_elim_levels_, 0.0);
  ParallelFor(
      num_tasks, num_tasks,
      [&](int task_idx, int64_t, int64_t) {
        std::vector<double>& acc = thread_acc_[task_idx];
        acc.assign(size_RC, 0.0);
        WeightSums sums;
        if (gather_sums) {
          level_T[task_idx].assign(num_rest_levels_, 0.0);
          removed_T[task_idx].assign(num_rest_levels_, 0.0);
          sums = {run_weight_E_.data(), level_T[task_idx].data(), removed_T[task_idx].data()};
        }
        DispatchRunKernel<ApplyKernel>(rows, num_cols, segmented_ || over_filled,
                                       task_run_begin_[task_idx], task_run_begin_[task_idx + 1],
                                       src_sorted_C, coef_RC, acc.data(),
                                       abs_sum_C != nullptr ? abs_TC[task_idx].data() : nullptr,
                                       gather_sums ? &sums : nullptr);
      },
      1);
  if (gather_sums) {
    std::vector<double> removed_R;
    SumTaskArrays(level_T, num_tasks, num_rest_levels_, level_weight_R_);
    SumTaskArrays(removed_T, num_tasks, num_rest_levels_, removed_R);
    FinishWeightSums(removed_R);
    weight_sums_pending_ = false;
  }
  SumTaskArrays(thread_acc_, num_tasks, size_RC, acc_RC);
  ReduceRest(acc_RC.data(), num_cols);
  if (abs_sum_C != nullptr) {
    for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
      abs_sum_C[col_idx] = 0;
      for (int task_idx = 0; task_idx < num_tasks; ++task_idx)
        abs_sum_C[col_idx] += abs_TC[task_idx][col_idx];
    }
  }
}

void SchurProjector::CopyEliminatedCoefficients(const std::vector<double>& elim_EC, int num_cols,
                                                std::vector<double>& alpha_GC) const {
  const int64_t elim_start = caller_offset_Q_[eliminated_dim_];
  if (level_of_run_E_.empty()) {
    std::copy(elim_EC.begin(), elim_EC.end(), alpha_GC.begin() + elim_start * num_cols);
    return;
  }
  for (int64_t run = 0; run < num_elim_levels_; ++run) {
    std::copy_n(elim_EC.begin() + run * num_cols, num_cols,
                alpha_GC.begin() + (elim_start + level_of_run_E_[run]) * num_cols);
  }
}

ProjectionStats SchurProjector::Project(std::span<const double* const> in_C, double* out_NC,
                                        std::vector<double>& alpha_GC, double tolerance,
                                        int max_iterations, double average_rule_from,
                                        double* cross_CC) {
  const int num_cols = static_cast<int>(in_C.size());
  ProjectionStats stats;
  int64_t num_levels_total = num_rest_levels_ + num_elim_levels_;
  if (static_cast<int64_t>(alpha_GC.size()) != num_levels_total * num_cols) {
    alpha_GC.assign(num_levels_total * num_cols, 0.0);
  }
  // Inputs in sorted order.
  std::vector<double> sorted_in;
  std::vector<const double*> src(in_C.begin(), in_C.end());
  if (!identity_order_) {
    sorted_in.resize(static_cast<size_t>(num_obs_) * num_cols);
    ParallelFor(threads_, num_obs_, [&](int, int64_t begin, int64_t end) {
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
        for (int64_t pos = begin; pos < end; ++pos)
          sorted_in[col_idx * num_obs_ + pos] = in_C[col_idx][order_N_[pos]];
      }
    });
    for (int col_idx = 0; col_idx < num_cols; ++col_idx)
      src[col_idx] = sorted_in.data() + col_idx * num_obs_;
  }
  // Warm start: the remaining dimensions' coefficients.
  const int64_t size_RC = num_rest_levels_ * num_cols;
  std::vector<double> x_RC(size_RC);
  CopyRestCoefficients(num_cols, /*to_rest=*/true, alpha_GC.data(), x_RC.data());

  std::vector<double> resid_RC, abs_sum_C(num_cols);
  Apply(src.data(), x_RC.data(), num_cols, resid_RC, abs_sum_C.data());
  double total_weight = 0;
  for (double weight : run_weight_E_) total_weight += weight;
  if (comm_ != nullptr) {
    // The column norms and the total weight, one message.
    std::vector<double> sums(abs_sum_C);
    sums.push_back(total_weight);
    ReduceSum(sums);
    std::copy(sums.begin(), sums.end() - 1, abs_sum_C.begin());
    total_weight = sums.back();
  }
  double total_level_weight = 0;
  for (double weight : level_weight_R_) total_level_weight += weight;

  const bool average_rule = tolerance >= average_rule_from;
  auto worst_level = [&](const std::vector<double>& resid, int col_idx) {
    double worst = 0;
    if (average_rule) {
      for (int64_t level = 0; level < num_rest_levels_; ++level)
        worst += std::abs(resid[level * num_cols + col_idx]);
      return worst / std::max(total_level_weight, 1e-300);
    }
    for (int64_t level = 0; level < num_rest_levels_; ++level) {
      if (level_weight_R_[level] > 0) {
        worst =
            std::max(worst, std::abs(resid[level * num_cols + col_idx]) / level_weight_R_[level]);
      }
    }
    return worst;
  };
  std::vector<double> threshold_C(num_cols);
  for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
    const double mean_abs = abs_sum_C[col_idx] / std::max(total_weight, 1e-300);
    threshold_C[col_idx] = tolerance * std::max(mean_abs, 1e-300);
  }
  // One CG step is one pass: Apply with src == nullptr gives -S d.
  const PcgOutcome outcome = SolvePcg(
      num_rest_levels_, num_cols, inv_diag_R_, x_RC, resid_RC, threshold_C, max_iterations,
      [&](const double* direction_RC, int num_packed, std::vector<double>& product_RC) {
        Apply(nullptr, direction_RC, num_packed, product_RC, nullptr);
      },
      worst_level);
  stats.iterations = outcome.iterations;
  stats.converged = outcome.converged;
  if (TraceLevel() >= 2) {
    // Sharded: each pass reduces the remaining levels, R x C doubles
    // (docs/distributed.md).
    const std::string volume = comm_ == nullptr
                                   ? std::string()
                                   : fmt::format(", {} bytes allreduced per pass ({} ranks)",
                                                 num_rest_levels_ * num_cols * 8, comm_->size());
    TraceDetail(fmt::format("projection (Schur): {} column(s), tolerance {:.3g}, {} passes{}",
                            num_cols, tolerance, outcome.iterations, volume));
  }
  for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
    stats.worst_relative_residual =
        std::max(stats.worst_relative_residual,
                 worst_level(resid_RC, col_idx) / (threshold_C[col_idx] / tolerance));
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
  if (!identity_order_ && out_NC != nullptr) {
    sorted_out.resize(static_cast<size_t>(num_obs_) * num_cols);
    dst = sorted_out.data();
  }
  const int num_tasks = static_cast<int>(task_run_begin_.size()) - 1;
  // The eliminated coefficients in the layout the kernel writes (run-major,
  // columns contiguous), then copied into the caller's stacked layout.
  std::vector<double> elim_EC(num_elim_levels_ * num_cols);
  const RunRows rows = Layout();
  std::vector<std::vector<double>> cross_T(num_tasks);
  ParallelFor(
      num_tasks, num_tasks,
      [&](int task_idx, int64_t, int64_t) {
        if (cross_CC != nullptr) cross_T[task_idx].assign(num_cols * num_cols, 0.0);
        DispatchRunKernel<ResidualKernel>(
            rows, num_cols, segmented_, task_run_begin_[task_idx], task_run_begin_[task_idx + 1],
            static_cast<const double* const*>(src.data()), static_cast<const double*>(x_RC.data()),
            dst, elim_EC.data(), cross_CC != nullptr ? cross_T[task_idx].data() : nullptr);
      },
      1);
  if (cross_CC != nullptr) {
    // Tasks added in a fixed order; the upper triangle mirrored.
    for (int row_col = 0; row_col < num_cols; ++row_col) {
      for (int other_col = 0; other_col <= row_col; ++other_col) {
        double sum = 0;
        for (const auto& cross : cross_T) sum += cross[row_col * num_cols + other_col];
        cross_CC[row_col * num_cols + other_col] = cross_CC[other_col * num_cols + row_col] = sum;
      }
    }
    ReduceSum(std::span<double>(cross_CC, static_cast<size_t>(num_cols) * num_cols));
  }
  CopyEliminatedCoefficients(elim_EC, num_cols, alpha_GC);
  if (!identity_order_ && out_NC != nullptr) {
    ParallelFor(threads_, num_obs_, [&](int, int64_t begin, int64_t end) {
      for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
        for (int64_t pos = begin; pos < end; ++pos) {
          out_NC[col_idx * num_obs_ + order_N_[pos]] = sorted_out[col_idx * num_obs_ + pos];
        }
      }
    });
  }
  CopyRestCoefficients(num_cols, /*to_rest=*/false, alpha_GC.data(), x_RC.data());
  return stats;
}

}  // namespace mizani::estimate

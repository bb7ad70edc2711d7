#include "estimate/frame_ops.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <limits>
#include <numeric>
#include <string>
#include <string_view>

#include "common/memory.h"
#include "common/parallel.h"
#include "estimate/hdfe/fe_projector.h"
#include "mizani/error.h"

namespace mizani::estimate {

namespace {

// Drops the levels in [0, old_size) that no id uses (on no rank of comm,
// when not null), keeping the order of the others; returns the new level
// count and, in old_of_new, each new level's old id. Keeping the order (not
// renumbering by first appearance in the current row order) makes the
// numbering a function of the levels used alone: ranks that each hold some
// of the rows agree on it with one reduction, and it is the single
// process's (docs/distributed.md).
int32_t DropUnusedLevels(std::vector<int32_t>& ids, int32_t old_size,
                         std::vector<int32_t>* old_of_new, Communicator* comm, int threads) {
  std::vector<int64_t> used(static_cast<size_t>(old_size), 0);
  // Marked on all threads: every store writes the same 1, and relaxed
  // atomic stores of it are plain stores (no race for the compiler to
  // exploit). The join of ParallelFor orders them before the reads.
  ParallelFor(threads, static_cast<int64_t>(ids.size()), [&](int, int64_t begin, int64_t end) {
    for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx)
      std::atomic_ref<int64_t>(used[ids[obs_idx]]).store(1, std::memory_order_relaxed);
  });
  if (comm != nullptr) comm->AllreduceMax(std::span<int64_t>(used));
  std::vector<int32_t> new_of_old(static_cast<size_t>(old_size), -1);
  int32_t count = 0;
  for (int32_t level = 0; level < old_size; ++level) {
    if (used[level] == 0) continue;
    new_of_old[level] = count++;
    if (old_of_new != nullptr) old_of_new->push_back(level);
  }
  if (count == old_size) return count;
  ParallelFor(threads, static_cast<int64_t>(ids.size()), [&](int, int64_t begin, int64_t end) {
    for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) ids[obs_idx] = new_of_old[ids[obs_idx]];
  });
  return count;
}

template <typename T>
void KeepRows(std::vector<T>& values, const std::vector<uint8_t>& keep_N) {
  if (values.empty()) return;
  size_t out_idx = 0;
  for (size_t obs_idx = 0; obs_idx < keep_N.size(); ++obs_idx) {
    if (keep_N[obs_idx]) values[out_idx++] = values[obs_idx];
  }
  values.resize(out_idx);
  ReturnUnusedCapacity(values);
}

}  // namespace

void RedensifyFixedEffect(ModelFrame& frame, size_t dim_idx, int threads) {
  std::vector<int32_t> old_of_new;
  const int32_t old_size = frame.fe_sizes[dim_idx];
  frame.fe_sizes[dim_idx] =
      DropUnusedLevels(frame.fe_ids[dim_idx], old_size, &old_of_new, frame.shard_comm, threads);
  if (frame.fe_sizes[dim_idx] == old_size) return;
  if (dim_idx < frame.fe_labels.size() && !frame.fe_labels[dim_idx].empty()) {
    // Into a vector of the new size: moved down in place, the labels kept
    // the old capacity to the end of the fit (5 MiB more at the peak of
    // a 640k-level pair effect, session 21).
    std::vector<std::string> labels;
    labels.reserve(old_of_new.size());
    for (int32_t old_id : old_of_new) labels.push_back(std::move(frame.fe_labels[dim_idx][old_id]));
    frame.fe_labels[dim_idx] = std::move(labels);
  }
}

void RedensifyClusterIds(std::vector<int32_t>& ids, int threads, Communicator* comm) {
  int64_t max_id = 0;
  for (const int32_t id : ids) max_id = std::max<int64_t>(max_id, id + 1);
  if (comm != nullptr) comm->AllreduceMax(std::span<int64_t>(&max_id, 1));
  DropUnusedLevels(ids, static_cast<int32_t>(max_id), nullptr, comm, threads);
}

int64_t CompactFrame(ModelFrame& frame, const std::vector<uint8_t>& keep_N, DropReason reason) {
  const int64_t before = frame.num_obs();
  const int64_t kept = std::accumulate(keep_N.begin(), keep_N.end(), int64_t{0});
  // A sharded frame: every rank compacts (the level numbering is agreed
  // by reductions) when any rank removes a row, and counts the whole
  // sample's removals.
  int64_t removed = before - kept;
  if (frame.shard_comm != nullptr) frame.shard_comm->AllreduceSum(std::span<int64_t>(&removed, 1));
  if (removed == 0) return 0;
  // Every array is compacted on its own: the tasks share the threads.
  std::vector<std::function<void()>> tasks;
  tasks.emplace_back([&] { KeepRows(frame.y, keep_N); });
  tasks.emplace_back([&] { KeepRows(frame.weights, keep_N); });
  tasks.emplace_back([&] { KeepRows(frame.offset, keep_N); });
  tasks.emplace_back([&] { KeepRows(frame.source_row, keep_N); });
  // X in place, column after column: the kept values of column c go to
  // [c * kept, (c + 1) * kept), never past a value not yet read, so its
  // first kept * cols values become the kept rows' matrix. A new matrix
  // beside the old one was the frame's peak where many rows go (the
  // seventh benchmark process loses 42% to all-zero groups; bench/README.md,
  // session 24).
  const Eigen::Index num_cols = frame.X.cols();
  tasks.emplace_back([&] {
    double* data = frame.X.data();
    for (Eigen::Index col_idx = 0; col_idx < num_cols; ++col_idx) {
      const double* from = data + col_idx * before;
      double* to = data + col_idx * kept;
      for (int64_t obs_idx = 0; obs_idx < before; ++obs_idx) {
        if (keep_N[obs_idx]) *to++ = from[obs_idx];
      }
    }
  });
  // (One thread each: the arrays already share the threads.)
  for (auto& ids : frame.fe_ids) tasks.emplace_back([&ids, &keep_N] { KeepRows(ids, keep_N); });
  for (auto& ids : frame.cluster_ids)
    tasks.emplace_back([&ids, &keep_N] { KeepRows(ids, keep_N); });
  const int64_t num_tasks = static_cast<int64_t>(tasks.size());
  const int threads = ResolveThreads(0);
  ParallelFor(
      threads, num_tasks,
      [&](int, int64_t begin, int64_t end) {
        for (int64_t task_idx = begin; task_idx < end; ++task_idx) tasks[task_idx]();
      },
      1);
  // The storage shrinks where it is (realloc) instead of being copied:
  // Eigen resizes without touching the values when the size stays, and
  // conservativeResize reallocates only where a column-major matrix keeps
  // its rows, so X passes through a single row.
  frame.X.resize(1, before * num_cols);
  frame.X.conservativeResize(1, kept * num_cols);
  frame.X.resize(kept, num_cols);
  // Levels that lost all their rows go (a reduction each when sharded).
  for (size_t dim_idx = 0; dim_idx < frame.fe_ids.size(); ++dim_idx)
    RedensifyFixedEffect(frame, dim_idx, threads);
  for (auto& ids : frame.cluster_ids) RedensifyClusterIds(ids, threads, frame.shard_comm);
  frame.CountDrop(reason, removed);
  return removed;
}

void SortByLargestDimension(ModelFrame& frame) {
  if (frame.fe_ids.size() < 2 || frame.num_obs() == 0) return;
  const int largest = static_cast<int>(
      std::max_element(frame.fe_sizes.begin(), frame.fe_sizes.end()) - frame.fe_sizes.begin());
  const std::vector<int32_t>& ids = frame.fe_ids[largest];
  const int64_t num_obs = frame.num_obs();
  if (LevelsContiguous(ids, frame.fe_sizes[largest])) return;
  std::vector<int64_t> start(frame.fe_sizes[largest] + 1, 0);
  for (int32_t id : ids) ++start[id + 1];
  for (size_t level = 1; level < start.size(); ++level) start[level] += start[level - 1];
  std::vector<int64_t> order(num_obs);  // new position -> old position
  for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) order[start[ids[obs_idx]]++] = obs_idx;
  auto permute = [&](auto& values) {
    if (values.empty()) return;
    auto copy = values;
    for (int64_t pos = 0; pos < num_obs; ++pos) values[pos] = copy[order[pos]];
  };
  permute(frame.y);
  permute(frame.weights);
  permute(frame.offset);
  permute(frame.source_row);
  for (auto& dim_ids : frame.fe_ids) permute(dim_ids);
  for (auto& cluster : frame.cluster_ids) permute(cluster);
  if (frame.X.cols() > 0) {
    Eigen::MatrixXd sorted(num_obs, frame.X.cols());
    for (Eigen::Index col_idx = 0; col_idx < frame.X.cols(); ++col_idx) {
      for (int64_t pos = 0; pos < num_obs; ++pos)
        sorted(pos, col_idx) = frame.X(order[pos], col_idx);
    }
    frame.X = std::move(sorted);
  }
}

namespace {

// Sums of row_value(obs) per level of every dimension over the rows kept.
template <typename RowValue>
std::vector<std::vector<double>> LevelSums(const ModelFrame& frame,
                                           const std::vector<uint8_t>& keep_N,
                                           RowValue&& row_value) {
  // Rows split across threads, each with its own sums (all dimensions
  // stacked), added in task order.
  const int num_dims = static_cast<int>(frame.fe_ids.size());
  std::vector<int64_t> offset_Q(num_dims + 1, 0);
  for (int dim_idx = 0; dim_idx < num_dims; ++dim_idx)
    offset_Q[dim_idx + 1] = offset_Q[dim_idx] + frame.fe_sizes[dim_idx];
  const int num_tasks = ResolveThreads(0);
  std::vector<std::vector<double>> sum_TG(num_tasks);
  ParallelFor(num_tasks, frame.num_obs(), [&](int task_idx, int64_t begin, int64_t end) {
    std::vector<double>& sum_G = sum_TG[task_idx];
    sum_G.assign(offset_Q[num_dims], 0.0);
    for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) {
      if (!keep_N[obs_idx]) continue;
      const double value = row_value(obs_idx);
      for (int dim_idx = 0; dim_idx < num_dims; ++dim_idx)
        sum_G[offset_Q[dim_idx] + frame.fe_ids[dim_idx][obs_idx]] += value;
    }
  });
  std::vector<std::vector<double>> sum_QG(num_dims);
  for (int dim_idx = 0; dim_idx < num_dims; ++dim_idx) {
    sum_QG[dim_idx].assign(frame.fe_sizes[dim_idx], 0.0);
    for (const auto& sum_G : sum_TG) {
      if (sum_G.empty()) continue;  // a task that got no rows
      for (int32_t level = 0; level < frame.fe_sizes[dim_idx]; ++level)
        sum_QG[dim_idx][level] += sum_G[offset_Q[dim_idx] + level];
    }
    if (frame.shard_comm != nullptr)
      frame.shard_comm->AllreduceSum(std::span<double>(sum_QG[dim_idx]));
  }
  return sum_QG;
}

// Unmarks the kept rows that sit in a level failing level_ok in any
// dimension; returns how many.
template <typename LevelOk>
int64_t UnmarkFailing(const ModelFrame& frame, const std::vector<std::vector<double>>& sum_QG,
                      LevelOk&& level_ok, std::vector<uint8_t>& keep_N) {
  const int num_tasks = ResolveThreads(0);
  std::vector<int64_t> removed_T(num_tasks, 0);
  ParallelFor(num_tasks, frame.num_obs(), [&](int task_idx, int64_t begin, int64_t end) {
    int64_t removed = 0;
    for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) {
      if (!keep_N[obs_idx]) continue;
      for (size_t dim_idx = 0; dim_idx < frame.fe_ids.size(); ++dim_idx) {
        if (!level_ok(sum_QG[dim_idx][frame.fe_ids[dim_idx][obs_idx]])) {
          keep_N[obs_idx] = 0;
          ++removed;
          break;
        }
      }
    }
    removed_T[task_idx] = removed;
  });
  int64_t removed = std::accumulate(removed_T.begin(), removed_T.end(), int64_t{0});
  // Sharded: the whole sample's count, so that every rank stops together.
  if (frame.shard_comm != nullptr) frame.shard_comm->AllreduceSum(std::span<int64_t>(&removed, 1));
  return removed;
}

}  // namespace

int64_t DropAllZeroGroups(ModelFrame& frame) {
  // One round reaches the fixed point: a dropped row has y = 0 (its level's
  // sum is zero), so dropping it changes no other level's sum. The frame is
  // compacted (every array copied) once.
  std::vector<uint8_t> keep_N(frame.num_obs(), 1);
  const auto sum_QG = LevelSums(frame, keep_N, [&](int64_t obs_idx) {
    return (frame.weights.empty() ? 1.0 : frame.weights[obs_idx]) * frame.y[obs_idx];
  });
  if (UnmarkFailing(
          frame, sum_QG, [](double sum) { return sum > 0; }, keep_N) == 0)
    return 0;
  return CompactFrame(frame, keep_N, DropReason::kAllZeroGroup);
}

int64_t DropSingletons(ModelFrame& frame) {
  // Dropping a singleton lowers the counts of its other levels: repeat on
  // the mask until nothing changes, then compact once.
  std::vector<uint8_t> keep_N(frame.num_obs(), 1);
  int64_t removed = 0;
  while (true) {
    const auto count_QG = LevelSums(frame, keep_N, [](int64_t) { return 1.0; });
    const int64_t round = UnmarkFailing(
        frame, count_QG, [](double count) { return count > 1; }, keep_N);
    if (round == 0) break;
    removed += round;
  }
  if (removed == 0) return 0;
  return CompactFrame(frame, keep_N, DropReason::kSingleton);
}

int64_t FixedEffectDof(const ModelFrame& frame, const std::vector<uint8_t>& skip_Q) {
  std::vector<int> dims;
  for (size_t dim_idx = 0; dim_idx < frame.fe_ids.size(); ++dim_idx) {
    if (dim_idx >= skip_Q.size() || !skip_Q[dim_idx]) dims.push_back(static_cast<int>(dim_idx));
  }
  if (dims.empty()) return 0;
  int64_t dof = 0;
  for (int dim_idx : dims) dof += frame.fe_sizes[dim_idx];
  if (dims.size() == 1) return dof;
  // Components of the bipartite graph of the first two counted dimensions:
  // each component carries one redundancy.
  int32_t num_components = 0;
  TwoWayComponents(frame, dims[0], dims[1], &num_components);
  dof -= num_components;
  dof -= static_cast<int64_t>(dims.size()) - 2;
  return dof;
}

std::vector<int32_t> TwoWayComponents(const ModelFrame& frame, size_t dim_a, size_t dim_b,
                                      int32_t* num_components) {
  const int32_t size_a = frame.fe_sizes[dim_a];
  const int32_t size_b = frame.fe_sizes[dim_b];
  UnionFind graph(size_a + size_b);
  const auto& ids_a = frame.fe_ids[dim_a];
  const auto& ids_b = frame.fe_ids[dim_b];
  for (size_t obs_idx = 0; obs_idx < ids_a.size(); ++obs_idx)
    graph.Join(ids_a[obs_idx], size_a + ids_b[obs_idx]);
  if (frame.shard_comm != nullptr) {
    // Sharded: each rank's components, as every level's root, joined on
    // every rank in rank order (the same graph everywhere). A component is
    // the union of the ranks' pieces that share a level.
    std::vector<int32_t> root_of(static_cast<size_t>(size_a) + size_b);
    for (int32_t node = 0; node < size_a + size_b; ++node) root_of[node] = graph.Root(node);
    const std::vector<std::string> parts = frame.shard_comm->Allgatherv(std::string_view(
        reinterpret_cast<const char*>(root_of.data()), root_of.size() * sizeof(int32_t)));
    graph = UnionFind(size_a + size_b);
    for (const std::string& part : parts) {
      if (part.size() != root_of.size() * sizeof(int32_t)) {
        throw Error(ErrorCode::kInternal, "fixed-effect components: ranks disagree on the levels");
      }
      std::memcpy(root_of.data(), part.data(), part.size());
      for (int32_t node = 0; node < size_a + size_b; ++node) graph.Join(node, root_of[node]);
    }
  }
  // Number the components by their first level of dimension b, then give
  // dimension a's levels their component. Edges join an a level to a b
  // level, so a component without b levels is one a level alone.
  std::vector<int32_t> number_of_root(size_a + size_b, -1), component(size_a + size_b);
  int32_t count = 0;
  for (int32_t level = 0; level < size_b; ++level) {
    int32_t& number = number_of_root[graph.Root(size_a + level)];
    if (number < 0) number = count++;
    component[size_a + level] = number;
  }
  for (int32_t level = 0; level < size_a; ++level) {
    const int32_t number = number_of_root[graph.Root(level)];
    component[level] = number >= 0 ? number : count++;
  }
  if (num_components != nullptr) *num_components = count;
  return component;
}

bool NestedInCluster(const ModelFrame& frame, size_t dim_idx, size_t cluster_idx) {
  const std::vector<int32_t>& fe_ids = frame.fe_ids[dim_idx];
  const std::vector<int32_t>& cluster_ids = frame.cluster_ids[cluster_idx];
  // A level lies in one cluster exactly when its smallest and largest
  // cluster agree. Sharded, a level's rows may sit on several ranks: one
  // reduction of both bounds (the smallest negated) makes them the whole
  // sample's.
  const int32_t num_levels = frame.fe_sizes[dim_idx];
  std::vector<int64_t> bounds(2 * static_cast<size_t>(num_levels),
                              std::numeric_limits<int64_t>::min());
  for (size_t obs_idx = 0; obs_idx < fe_ids.size(); ++obs_idx) {
    const int64_t level = fe_ids[obs_idx], cluster = cluster_ids[obs_idx];
    bounds[2 * level] = std::max(bounds[2 * level], -cluster);
    bounds[2 * level + 1] = std::max(bounds[2 * level + 1], cluster);
  }
  if (frame.shard_comm != nullptr) frame.shard_comm->AllreduceMax(std::span<int64_t>(bounds));
  for (int32_t level = 0; level < num_levels; ++level) {
    if (bounds[2 * level + 1] == std::numeric_limits<int64_t>::min()) continue;  // no rows
    if (-bounds[2 * level] != bounds[2 * level + 1]) return false;
  }
  return true;
}

// Rows of whole levels of the largest dimension, level modulo the rank
// count: the pair effect of a three-way model stays on one rank.
int ShardDimension(const ModelFrame& frame) {
  if (frame.fe_ids.empty()) return -1;
  return static_cast<int>(std::max_element(frame.fe_sizes.begin(), frame.fe_sizes.end()) -
                          frame.fe_sizes.begin());
}

std::vector<int64_t> ShardRows(const ModelFrame& frame, const Communicator& comm) {
  const int64_t num_obs = frame.num_obs();
  const int ranks = comm.size(), rank = comm.rank();
  std::vector<int64_t> rows;
  if (frame.fe_ids.empty()) {
    for (int64_t obs_idx = num_obs * rank / ranks; obs_idx < num_obs * (rank + 1) / ranks;
         ++obs_idx)
      rows.push_back(obs_idx);
    return rows;
  }
  const std::vector<int32_t>& ids = frame.fe_ids[ShardDimension(frame)];
  for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
    if (ids[obs_idx] % ranks == rank) rows.push_back(obs_idx);
  }
  return rows;
}

ModelFrame ShardOf(const ModelFrame& frame, const std::vector<int64_t>& rows) {
  ModelFrame shard;
  const auto num_rows = static_cast<Eigen::Index>(rows.size());
  shard.y.resize(rows.size());
  shard.X.resize(num_rows, frame.X.cols());
  if (!frame.weights.empty()) shard.weights.resize(rows.size());
  if (!frame.offset.empty()) shard.offset.resize(rows.size());
  shard.fe_ids.assign(frame.fe_ids.size(), std::vector<int32_t>(rows.size()));
  shard.fe_sizes = frame.fe_sizes;
  shard.coef_names = frame.coef_names;
  for (Eigen::Index idx = 0; idx < num_rows; ++idx) {
    const int64_t row = rows[idx];
    shard.y[idx] = frame.y[row];
    shard.X.row(idx) = frame.X.row(row);
    if (!frame.weights.empty()) shard.weights[idx] = frame.weights[row];
    if (!frame.offset.empty()) shard.offset[idx] = frame.offset[row];
    for (size_t dim_idx = 0; dim_idx < frame.fe_ids.size(); ++dim_idx)
      shard.fe_ids[dim_idx][idx] = frame.fe_ids[dim_idx][row];
  }
  return shard;
}

ModelFrame& WorkFrame(ModelFrame& frame, const Communicator* comm, std::vector<int64_t>& rows,
                      ModelFrame& shard) {
  if (comm == nullptr) return frame;
  if (frame.shard_comm != nullptr) {
    // Built sharded (BuildModelFrame on a table share): the frame is this
    // rank's shard already, and the "whole" frame of the fit.
    rows.resize(static_cast<size_t>(frame.num_obs()));
    std::iota(rows.begin(), rows.end(), int64_t{0});
    return frame;
  }
  rows = ShardRows(frame, *comm);
  shard = ShardOf(frame, rows);
  // The fit reads the regressors of its shard only; the whole frame keeps
  // their names and count (collinear columns are removed from both) but not
  // their values: 8 bytes a row and regressor less on every rank.
  frame.X.resize(0, frame.X.cols());
  return shard;
}

int64_t GlobalObservations(const ModelFrame& frame) {
  int64_t count = frame.num_obs();
  if (frame.shard_comm != nullptr) frame.shard_comm->AllreduceSum(std::span<int64_t>(&count, 1));
  return count;
}

Communicator* ShardingCommunicator(const EstimateOptions& options) {
  return options.communicator != nullptr && options.communicator->size() > 1 ? options.communicator
                                                                             : nullptr;
}

}  // namespace mizani::estimate

#include "estimate/frame_shards.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <span>

#include "common/rank_keys.h"
#include "common/wire.h"
#include "estimate/frame_ops.h"
#include "mizani/error.h"

namespace mizani::estimate {

namespace {

// A level's key, from its first row: per column a text's code (a share's
// text levels are the whole file's, Table::is_share: the readers agree on
// them, io/share_levels.h) or a number's 8 bytes (-0 as 0, which Factorize
// does not tell apart).
void AppendKey(const std::vector<const Column*>& columns, size_t row_idx, std::string& out) {
  for (const Column* column : columns) {
    if (column->type == ColumnType::kString) {
      AppendBytes(out, column->codes[row_idx]);
    } else {
      double value = column->values()[row_idx];
      if (value == 0) value = 0.0;
      AppendBytes(out, value);
    }
  }
}

}  // namespace

void GlobalizeFactors(const Table& share,
                      const std::vector<std::vector<std::string>>& factor_columns,
                      const std::vector<Factor*>& factors, Communicator& comm) {
  // This rank's levels of every factor, each factor's in order of first
  // appearance in the share, as keys of their column values with their
  // labels: one set of keys per factor.
  RankKeys levels(static_cast<int>(factors.size()));
  std::vector<std::vector<int32_t>> present_F(factors.size());
  for (size_t factor_idx = 0; factor_idx < factors.size(); ++factor_idx) {
    const Factor& factor = *factors[factor_idx];
    std::vector<const Column*> columns;
    for (const std::string& name : factor_columns[factor_idx]) columns.push_back(&share.Get(name));
    std::vector<int64_t> first_row(static_cast<size_t>(factor.num_levels()), -1);
    for (size_t row_idx = 0; row_idx < factor.ids.size(); ++row_idx) {
      const int32_t id = factor.ids[row_idx];
      if (id >= 0 && first_row[id] < 0) first_row[id] = static_cast<int64_t>(row_idx);
    }
    std::vector<int32_t>& present = present_F[factor_idx];
    for (int32_t level = 0; level < factor.num_levels(); ++level) {
      if (first_row[level] >= 0) present.push_back(level);
    }
    std::sort(present.begin(), present.end(),
              [&](int32_t a, int32_t b) { return first_row[a] < first_row[b]; });
    std::string key;
    for (const int32_t level : present) {
      key.clear();
      AppendKey(columns, static_cast<size_t>(first_row[level]), key);
      levels.Add(static_cast<int>(factor_idx), key, factor.labels[level]);
    }
  }
  std::vector<JoinedKeys> joined = levels.Join(comm, /*keep_keys=*/false, /*keep_payloads=*/true);
  for (size_t factor_idx = 0; factor_idx < factors.size(); ++factor_idx) {
    Factor& factor = *factors[factor_idx];
    const std::vector<int32_t>& present = present_F[factor_idx];
    std::vector<int32_t> global_of_local(static_cast<size_t>(factor.num_levels()), -1);
    for (size_t entry = 0; entry < present.size(); ++entry)
      global_of_local[present[entry]] = joined[factor_idx].id_of_local[entry];
    for (int32_t& id : factor.ids) {
      if (id >= 0) id = global_of_local[id];
    }
    factor.labels = std::move(joined[factor_idx].payloads);
  }
}

namespace {

// Where each row goes and how the exchange is cut: every rank sends, per
// round, at most `round_rows` rows to each peer, so one round's buffers
// (the sent, packed, received copies) stay bounded whatever the panel's
// size; the frame's arrays and one routed array are what grows with it.
struct RoutePlan {
  std::vector<std::vector<int64_t>> rows_to;  // per peer: this rank's rows for it
  std::vector<int64_t> from_count;            // per peer: rows it sends here
  int64_t round_rows = 0;
  int64_t rounds = 0;
  int64_t received = 0;
};

RoutePlan PlanRoute(std::vector<std::vector<int64_t>> rows_to, int64_t round_rows,
                    Communicator& comm) {
  RoutePlan plan;
  plan.rows_to = std::move(rows_to);
  std::vector<std::string> counts(plan.rows_to.size());
  int64_t most = 0;
  for (size_t peer = 0; peer < plan.rows_to.size(); ++peer) {
    const auto count = static_cast<int64_t>(plan.rows_to[peer].size());
    AppendBytes(counts[peer], count);
    most = std::max(most, count);
  }
  for (const std::string& part : comm.Alltoallv(counts)) {
    int64_t count = 0;
    std::memcpy(&count, part.data(), std::min(part.size(), sizeof(count)));
    plan.from_count.push_back(count);
    plan.received += count;
  }
  plan.round_rows = std::max<int64_t>(1, round_rows);
  int64_t rounds = (most + plan.round_rows - 1) / plan.round_rows;
  comm.AllreduceMax(std::span<int64_t>(&rounds, 1));
  plan.rounds = rounds;
  return plan;
}

// Sends values[row] for each peer's rows to that peer; writes what this
// rank receives to out[0, plan.received), joined in rank order (each
// peer's rows in its order).
template <class T>
void RouteInto(const T* values, const RoutePlan& plan, Communicator& comm, T* out) {
  const size_t peers = plan.rows_to.size();
  const auto capacity = static_cast<size_t>(plan.received);
  std::vector<size_t> write_at(peers, 0);
  for (size_t peer = 1; peer < peers; ++peer)
    write_at[peer] = write_at[peer - 1] + static_cast<size_t>(plan.from_count[peer - 1]);
  std::vector<std::string> send(peers);
  for (int64_t round = 0; round < plan.rounds; ++round) {
    for (size_t peer = 0; peer < peers; ++peer) {
      const std::vector<int64_t>& rows = plan.rows_to[peer];
      const auto begin = std::min(rows.size(), static_cast<size_t>(round * plan.round_rows));
      const auto end = std::min(rows.size(), begin + static_cast<size_t>(plan.round_rows));
      send[peer].clear();
      send[peer].reserve((end - begin) * sizeof(T));
      for (size_t idx = begin; idx < end; ++idx) AppendBytes(send[peer], values[rows[idx]]);
    }
    const std::vector<std::string> got = comm.Alltoallv(send);
    for (size_t peer = 0; peer < peers; ++peer) {
      const size_t count = got[peer].size() / sizeof(T);
      if (write_at[peer] + count > capacity) {
        throw Error(ErrorCode::kInternal, "routing rows: a rank sent more rows than it announced");
      }
      if (count > 0) std::memcpy(out + write_at[peer], got[peer].data(), count * sizeof(T));
      write_at[peer] += count;
    }
  }
}

// `present`: the array exists (the same on every rank; a rank without
// rows has every array empty).
template <class T>
void RouteVector(std::vector<T>& values, const RoutePlan& plan, Communicator& comm,
                 bool present = true) {
  if (!present) return;
  std::vector<T> routed(static_cast<size_t>(plan.received));
  RouteInto(values.data(), plan, comm, routed.data());
  values = std::move(routed);
}

}  // namespace

void RouteFrameRows(ModelFrame& frame, Communicator& comm, int64_t round_bytes) {
  frame.shard_comm = &comm;
  // Without fixed effects the rows stay where they are: any split will do.
  if (frame.fe_ids.empty()) return;
  const auto ranks = static_cast<size_t>(comm.size());
  const std::vector<int32_t>& shard_ids = frame.fe_ids[ShardDimension(frame)];
  std::vector<std::vector<int64_t>> rows_to(ranks);
  for (size_t row_idx = 0; row_idx < shard_ids.size(); ++row_idx)
    rows_to[static_cast<size_t>(shard_ids[row_idx]) % ranks].push_back(
        static_cast<int64_t>(row_idx));
  // Rows a round to each peer: round_bytes of 8-byte values in all.
  const RoutePlan plan =
      PlanRoute(std::move(rows_to), round_bytes / static_cast<int64_t>(8 * ranks), comm);
  // Weights and offsets, when the model has them, are on every rank with
  // rows: the ranks agree (a rank may have none).
  int64_t present[2] = {frame.weights.empty() ? 0 : 1, frame.offset.empty() ? 0 : 1};
  comm.AllreduceMax(std::span<int64_t>(present));
  // One array at a time, in rounds: beside the frame one routed array and
  // one round's buffers (the regressors: the old and the routed matrix).
  RouteVector(frame.y, plan, comm);
  RouteVector(frame.weights, plan, comm, present[0] != 0);
  RouteVector(frame.offset, plan, comm, present[1] != 0);
  RouteVector(frame.source_row, plan, comm);
  for (auto& ids : frame.fe_ids) RouteVector(ids, plan, comm);
  for (auto& ids : frame.cluster_ids) RouteVector(ids, plan, comm);
  const Eigen::Index num_cols = frame.X.cols();
  const auto num_rows = static_cast<Eigen::Index>(frame.y.size());
  Eigen::MatrixXd routed(num_rows, num_cols);
  for (Eigen::Index col_idx = 0; col_idx < num_cols; ++col_idx) {
    RouteInto(frame.X.data() + col_idx * frame.X.rows(), plan, comm,
              routed.data() + col_idx * num_rows);
  }
  frame.X = std::move(routed);
}

}  // namespace mizani::estimate

// `--by COLUMN`: one model per value, fitted concurrently (estimate_by.h).
#include "mizani/estimate_by.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <numeric>
#include <span>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "common/parallel.h"
#include "common/rank_keys.h"
#include "common/trace.h"
#include "common/wire.h"
#include "estimate/result_wire.h"

namespace mizani {
namespace {

// The rows `rows` of `table` (in that order) as a new table. Text columns
// keep only the levels the rows use, renumbered in order of first
// appearance, as Table::Select does; a mask over all rows would cost a pass
// over the table per group.
Table SelectRows(const Table& table, std::span<const int64_t> rows) {
  Table out;
  out.source = table.source;
  out.num_rows = rows.size();
  out.columns.reserve(table.columns.size());
  for (const Column& column : table.columns) {
    Column part;
    part.name = column.name;
    part.type = column.type;
    if (column.type == ColumnType::kNumeric) {
      part.num.resize(rows.size());
      for (size_t idx = 0; idx < rows.size(); ++idx) part.num[idx] = column.values()[rows[idx]];
    } else {
      part.codes.resize(rows.size());
      std::vector<int32_t> new_code(column.levels.size(), -1);
      for (size_t idx = 0; idx < rows.size(); ++idx) {
        const int32_t code = column.codes[rows[idx]];
        if (code < 0) {
          part.codes[idx] = -1;
          continue;
        }
        int32_t& mapped = new_code[static_cast<size_t>(code)];
        if (mapped < 0) {
          mapped = static_cast<int32_t>(part.levels.size());
          part.levels.push_back(column.levels[static_cast<size_t>(code)]);
        }
        part.codes[idx] = mapped;
      }
    }
    out.columns.push_back(std::move(part));
  }
  return out;
}

// The rank that fits each group: largest first, each to the rank with the
// fewest rows so far (ties: the lower rank), the same on every rank.
std::vector<int> OwnersOfGroups(const std::vector<ByGroupFit>& groups, int ranks) {
  std::vector<size_t> by_size(groups.size());
  std::iota(by_size.begin(), by_size.end(), size_t{0});
  std::stable_sort(by_size.begin(), by_size.end(),
                   [&](size_t a, size_t b) { return groups[a].rows > groups[b].rows; });
  std::vector<int64_t> load(static_cast<size_t>(ranks), 0);
  std::vector<int> owner_of(groups.size(), 0);
  for (size_t group_idx : by_size) {
    const auto owner =
        static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    load[owner] += std::max<int64_t>(groups[group_idx].rows, 1);
    owner_of[group_idx] = static_cast<int>(owner);
  }
  return owner_of;
}

// ---- The rows in shares (Table::is_share) ----------------------------------
// Under mpirun `estimate --by` reads the file in shares and keeps them
// (ReadOptions::keep_share): no rank holds the table. The groups are
// agreed from the shares' own, and each row goes to the rank that fits its
// group.

// The groups of the whole file from every rank's share: their values
// joined in rank order (first appearance in the file, the order
// FactorizeColumn gives on the whole table), their rows and the rows
// without a value summed over the shares.
struct GroupsOfShares {
  std::vector<std::string> labels;
  std::vector<int64_t> rows;
  int64_t missing = 0;
  std::vector<int32_t> global_of_local;  // this share's group id -> the file's
};

GroupsOfShares AgreeGroups(const Factor& local, Communicator& comm) {
  RankKeys values;
  for (const std::string& label : local.labels) values.Add(0, label);
  JoinedKeys joined = std::move(values.Join(comm, /*keep_keys=*/true, /*keep_payloads=*/false)[0]);
  GroupsOfShares groups;
  groups.labels = std::move(joined.keys);
  groups.global_of_local = std::move(joined.id_of_local);
  // Rows per group and rows without a value (last entry), summed.
  std::vector<int64_t> counts(groups.labels.size() + 1, 0);
  for (int32_t id : local.ids) {
    if (id < 0) {
      ++counts.back();
    } else {
      ++counts[static_cast<size_t>(groups.global_of_local[static_cast<size_t>(id)])];
    }
  }
  comm.AllreduceSum(std::span<int64_t>(counts));
  groups.missing = counts.back();
  counts.pop_back();
  groups.rows = std::move(counts);
  return groups;
}

// The rows of this rank's groups, gathered from every share: each rank
// sends every row with a group value to the group's owner, a column at a
// time; pieces are joined in rank order, so a group's rows keep the file's
// order. Text codes are the file's (UnifyLevels in the reader), so the
// levels travel with none of them.
Table RouteRows(const Table& share, const Factor& local, const GroupsOfShares& groups,
                const std::vector<int>& owner_of, Communicator& comm) {
  const auto num_ranks = static_cast<size_t>(comm.size());
  std::vector<std::vector<int64_t>> rows_to(num_ranks);
  for (size_t row_idx = 0; row_idx < local.ids.size(); ++row_idx) {
    const int32_t id = local.ids[row_idx];
    if (id < 0) continue;
    const auto group = static_cast<size_t>(groups.global_of_local[static_cast<size_t>(id)]);
    rows_to[static_cast<size_t>(owner_of[group])].push_back(static_cast<int64_t>(row_idx));
  }
  Table routed;
  routed.source = share.source;
  for (const Column& column : share.columns) {
    std::vector<std::string> send(num_ranks);
    for (size_t peer = 0; peer < num_ranks; ++peer) {
      std::string& out = send[peer];
      const std::vector<int64_t>& rows = rows_to[peer];
      if (column.type == ColumnType::kNumeric) {
        out.reserve(rows.size() * sizeof(double));
        for (int64_t row : rows) AppendBytes(out, column.num[static_cast<size_t>(row)]);
      } else {
        out.reserve(rows.size() * sizeof(int32_t));
        for (int64_t row : rows) AppendBytes(out, column.codes[static_cast<size_t>(row)]);
      }
    }
    const std::vector<std::string> got = comm.Alltoallv(send);
    Column part;
    part.name = column.name;
    part.type = column.type;
    part.levels = column.levels;
    for (const std::string& bytes : got) {
      if (column.type == ColumnType::kNumeric) {
        const size_t at = part.num.size();
        part.num.resize(at + bytes.size() / sizeof(double));
        std::memcpy(part.num.data() + at, bytes.data(),
                    bytes.size() / sizeof(double) * sizeof(double));
      } else {
        const size_t at = part.codes.size();
        part.codes.resize(at + bytes.size() / sizeof(int32_t));
        std::memcpy(part.codes.data() + at, bytes.data(),
                    bytes.size() / sizeof(int32_t) * sizeof(int32_t));
      }
    }
    routed.num_rows = column.type == ColumnType::kNumeric ? part.num.size() : part.codes.size();
    routed.columns.push_back(std::move(part));
  }
  return routed;
}

// Every rank's fitted groups to every rank: (index, error code, error,
// result) per group.
void ShareGroups(const std::vector<size_t>& mine, Communicator& comm,
                 std::vector<ByGroupFit>& groups) {
  std::string bytes;
  for (size_t group_idx : mine) {
    const ByGroupFit& group = groups[group_idx];
    estimate::WriteInt(static_cast<int64_t>(group_idx), bytes);
    estimate::WriteInt(static_cast<int64_t>(group.error_code), bytes);
    estimate::WriteString(group.error, bytes);
    estimate::WriteResult(group.result, bytes);
  }
  const std::vector<std::string> all = comm.Allgatherv(bytes);
  for (int peer = 0; peer < comm.size(); ++peer) {
    if (peer == comm.rank()) continue;
    std::string_view in = all[static_cast<size_t>(peer)];
    while (!in.empty()) {
      const auto group_idx = static_cast<size_t>(estimate::ReadInt(in));
      if (group_idx >= groups.size()) throw Error(ErrorCode::kInternal, "--by: bad group index");
      ByGroupFit& group = groups[group_idx];
      group.error_code = static_cast<ErrorCode>(estimate::ReadInt(in));
      group.error = estimate::ReadString(in);
      group.result = estimate::ReadResult(in);
    }
  }
}

// Which rows make each group and which groups this rank fits
// (EstimateBy): `order` holds the rows of group g at [offset[g],
// offset[g + 1]), rows of `routed` when the table was a share
// (`is_routed`), else of the table. Fills out.groups' values and row counts
// and out.rows_missing_value.
struct GroupPlan {
  Table routed;
  bool is_routed = false;
  std::vector<int64_t> offset, order;
  std::vector<size_t> mine;
  const Table& rows(const Table& table) const { return is_routed ? routed : table; }
};

GroupPlan PlanGroups(const Table& table, const std::string& by_column, Communicator* comm,
                     EstimateByResult& out) {
  const bool distributed = comm != nullptr && comm->size() > 1;
  GroupPlan plan;
  const Factor factor = FactorizeColumn(table, by_column);
  // The rows fitted here, and each of their factor ids' group: the table
  // and its factor as they are, or, with the rows in shares, the rows of
  // this rank's groups routed from every share.
  const Factor* rows_factor = &factor;
  std::vector<int32_t> group_of_id(factor.labels.size());
  std::iota(group_of_id.begin(), group_of_id.end(), 0);
  Factor routed_factor;
  std::vector<int> owner_of;
  if (distributed && table.is_share) {
    const GroupsOfShares agreed = AgreeGroups(factor, *comm);
    out.groups.resize(agreed.labels.size());
    for (size_t group_idx = 0; group_idx < agreed.labels.size(); ++group_idx) {
      out.groups[group_idx].value = agreed.labels[group_idx];
      out.groups[group_idx].rows = agreed.rows[group_idx];
    }
    out.rows_missing_value = agreed.missing;
    if (!out.groups.empty()) {
      owner_of = OwnersOfGroups(out.groups, comm->size());
      plan.routed = RouteRows(table, factor, agreed, owner_of, *comm);
      plan.is_routed = true;
      Trace("by: rows sent to the ranks of their groups");
      routed_factor = FactorizeColumn(plan.routed, by_column);
      std::unordered_map<std::string_view, int32_t> group_of_label;
      for (size_t group_idx = 0; group_idx < agreed.labels.size(); ++group_idx)
        group_of_label.emplace(agreed.labels[group_idx], static_cast<int32_t>(group_idx));
      group_of_id.clear();
      for (const std::string& label : routed_factor.labels)
        group_of_id.push_back(group_of_label.at(label));
      rows_factor = &routed_factor;
    }
  } else {
    out.groups.resize(factor.labels.size());
    for (size_t group_idx = 0; group_idx < factor.labels.size(); ++group_idx)
      out.groups[group_idx].value = factor.labels[group_idx];
  }
  const size_t num_groups = out.groups.size();
  if (num_groups == 0) {
    throw Error(ErrorCode::kBadModel, fmt::format("{}: --by column '{}' has no value in any row",
                                                  table.source, by_column));
  }
  // Rows of each group, contiguous in `order` (a counting sort by group).
  std::vector<int64_t>& offset = plan.offset;
  offset.assign(num_groups + 1, 0);
  int64_t missing = 0;
  for (int32_t id : rows_factor->ids) {
    if (id < 0) {
      ++missing;
    } else {
      ++offset[static_cast<size_t>(group_of_id[static_cast<size_t>(id)]) + 1];
    }
  }
  for (size_t group_idx = 0; group_idx < num_groups; ++group_idx)
    offset[group_idx + 1] += offset[group_idx];
  std::vector<int64_t>& order = plan.order;
  order.resize(static_cast<size_t>(offset[num_groups]));
  {
    std::vector<int64_t> next(offset.begin(), offset.end() - 1);
    for (size_t row_idx = 0; row_idx < rows_factor->ids.size(); ++row_idx) {
      const int32_t id = rows_factor->ids[row_idx];
      if (id < 0) continue;
      const auto group = static_cast<size_t>(group_of_id[static_cast<size_t>(id)]);
      order[static_cast<size_t>(next[group]++)] = static_cast<int64_t>(row_idx);
    }
  }
  if (owner_of.empty()) {  // the whole table here: counts from it
    out.rows_missing_value = missing;
    for (size_t group_idx = 0; group_idx < num_groups; ++group_idx)
      out.groups[group_idx].rows = offset[group_idx + 1] - offset[group_idx];
    if (distributed) owner_of = OwnersOfGroups(out.groups, comm->size());
  }

  // Under MPI each rank fits its share of the groups (no communication
  // until the results are shared).
  for (size_t group_idx = 0; group_idx < num_groups; ++group_idx) {
    if (!distributed || owner_of[group_idx] == comm->rank()) plan.mine.push_back(group_idx);
  }
  return plan;
}

}  // namespace

EstimateByResult EstimateBy(const Table& table, const Formula& formula,
                            const std::vector<RowFilter>& filters, const EstimateOptions& options,
                            const std::string& by_column, const ByProgress& on_group,
                            Communicator* comm) {
  const bool distributed = comm != nullptr && comm->size() > 1;
  EstimateByResult out;
  out.column = by_column;
  const GroupPlan plan = PlanGroups(table, by_column, comm, out);
  const Table& rows_table = plan.rows(table);
  const std::vector<int64_t>& offset = plan.offset;
  const std::vector<int64_t>& order = plan.order;
  const std::vector<size_t>& mine = plan.mine;
  const size_t num_mine = mine.size();

  // Groups are independent: fitting several at once uses the threads
  // better than fitting one at a time with all of them (small groups spend
  // much of a fit in serial steps).
  const int threads = ResolveThreads(options.threads);
  const int workers = static_cast<int>(
      std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(threads), num_mine)));
  EstimateOptions group_options = options;
  group_options.threads = std::max(1, threads / workers);
  group_options.on_iteration = nullptr;
  std::atomic<size_t> next_group{0};
  std::mutex mutex;
  size_t done = 0;
  std::exception_ptr failure;
  auto work = [&] {
    while (true) {
      const size_t mine_idx = next_group.fetch_add(1);
      if (mine_idx >= num_mine) return;
      const size_t group_idx = mine[mine_idx];
      ByGroupFit& group = out.groups[group_idx];
      try {
        const auto begin = static_cast<size_t>(offset[group_idx]);
        const Table part = SelectRows(rows_table, std::span<const int64_t>(order).subspan(
                                                      begin, static_cast<size_t>(group.rows)));
        group.result = Estimate(part, formula, filters, group_options);
        group.result.formula = formula.text;
      } catch (const Error& error) {
        group.error = error.what();
        group.error_code = error.code();
      } catch (...) {
        const std::lock_guard<std::mutex> lock(mutex);
        if (!failure) failure = std::current_exception();
        next_group = num_mine;  // stop handing out groups
        return;
      }
      const std::lock_guard<std::mutex> lock(mutex);
      ++done;
      if (on_group) on_group(done, num_mine, group);
    }
  };
  std::vector<std::thread> pool;
  for (int worker_idx = 1; worker_idx < workers; ++worker_idx) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
  // An unexpected failure on one rank ends the job (the others would
  // wait in the exchange below).
  if (failure && distributed) {
    try {
      std::rethrow_exception(failure);
    } catch (const Error& error) {
      std::fprintf(stderr, "mizani: rank %d: %s\n", comm->rank(), error.what());
      comm->Abort(static_cast<int>(error.code()));
    } catch (const std::exception& error) {
      std::fprintf(stderr, "mizani: rank %d: %s\n", comm->rank(), error.what());
      comm->Abort(static_cast<int>(ErrorCode::kInternal));
    }
  }
  if (failure) std::rethrow_exception(failure);
  if (distributed) {
    ShareGroups(mine, *comm, out.groups);
    Trace("by: groups shared between ranks");
  }
  const bool all_failed = std::all_of(out.groups.begin(), out.groups.end(),
                                      [](const ByGroupFit& group) { return group.failed(); });
  if (all_failed) {
    throw Error(out.groups[0].error_code,
                fmt::format("every --by group failed; {} = {}: {}", by_column, out.groups[0].value,
                            out.groups[0].error));
  }
  Trace("by: groups fitted");
  return out;
}

}  // namespace mizani

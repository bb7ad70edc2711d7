// `--by COLUMN`: one model per value, fitted concurrently (estimate_by.h).
#include "mizani/estimate_by.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <mutex>
#include <numeric>
#include <span>
#include <string_view>
#include <thread>

#include "common/parallel.h"
#include "common/trace.h"
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

// The groups each rank fits: largest first, each to the rank with the
// fewest rows so far (ties: the lower rank), the same on every rank.
std::vector<size_t> GroupsOfRank(const std::vector<ByGroupFit>& groups, int rank, int ranks) {
  std::vector<size_t> by_size(groups.size());
  std::iota(by_size.begin(), by_size.end(), size_t{0});
  std::stable_sort(by_size.begin(), by_size.end(),
                   [&](size_t a, size_t b) { return groups[a].rows > groups[b].rows; });
  std::vector<int64_t> load(static_cast<size_t>(ranks), 0);
  std::vector<size_t> mine;
  for (size_t group_idx : by_size) {
    const auto owner =
        static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    load[owner] += std::max<int64_t>(groups[group_idx].rows, 1);
    if (owner == static_cast<size_t>(rank)) mine.push_back(group_idx);
  }
  std::sort(mine.begin(), mine.end());
  return mine;
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

}  // namespace

EstimateByResult EstimateBy(const Table& table, const Formula& formula,
                            const std::vector<RowFilter>& filters, const EstimateOptions& options,
                            const std::string& by_column, const ByProgress& on_group,
                            Communicator* comm) {
  const Factor factor = FactorizeColumn(table, by_column);
  EstimateByResult out;
  out.column = by_column;
  const auto num_groups = static_cast<size_t>(factor.num_levels());
  if (num_groups == 0) {
    throw Error(ErrorCode::kBadModel, fmt::format("{}: --by column '{}' has no value in any row",
                                                  table.source, by_column));
  }
  // Rows of each group, contiguous in `order` (a counting sort by group id).
  std::vector<int64_t> offset(num_groups + 1, 0);
  for (int32_t id : factor.ids) {
    if (id < 0) {
      ++out.rows_missing_value;
    } else {
      ++offset[static_cast<size_t>(id) + 1];
    }
  }
  for (size_t group_idx = 0; group_idx < num_groups; ++group_idx)
    offset[group_idx + 1] += offset[group_idx];
  std::vector<int64_t> order(static_cast<size_t>(offset[num_groups]));
  {
    std::vector<int64_t> next(offset.begin(), offset.end() - 1);
    for (size_t row_idx = 0; row_idx < factor.ids.size(); ++row_idx) {
      const int32_t id = factor.ids[row_idx];
      if (id >= 0)
        order[static_cast<size_t>(next[static_cast<size_t>(id)]++)] = static_cast<int64_t>(row_idx);
    }
  }
  out.groups.resize(num_groups);
  for (size_t group_idx = 0; group_idx < num_groups; ++group_idx) {
    out.groups[group_idx].value = factor.labels[group_idx];
    out.groups[group_idx].rows = offset[group_idx + 1] - offset[group_idx];
  }

  // Under MPI each rank fits its share of the groups (no communication
  // until the results are shared).
  const bool distributed = comm != nullptr && comm->size() > 1;
  std::vector<size_t> mine(num_groups);
  std::iota(mine.begin(), mine.end(), size_t{0});
  if (distributed) mine = GroupsOfRank(out.groups, comm->rank(), comm->size());
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
        const Table part = SelectRows(
            table, std::span<const int64_t>(order).subspan(begin, static_cast<size_t>(group.rows)));
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

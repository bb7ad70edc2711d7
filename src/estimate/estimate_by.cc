// `--by COLUMN`: one model per value, fitted concurrently (estimate_by.h).
#include "mizani/estimate_by.h"

#include <fmt/format.h>

#include <atomic>
#include <exception>
#include <mutex>
#include <span>
#include <thread>

#include "common/parallel.h"
#include "common/trace.h"

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

}  // namespace

EstimateByResult EstimateBy(const Table& table, const Formula& formula,
                            const std::vector<RowFilter>& filters, const EstimateOptions& options,
                            const std::string& by_column, const ByProgress& on_group) {
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

  // Groups are independent: fitting several at once uses the threads
  // better than fitting one at a time with all of them (small groups spend
  // much of a fit in serial steps).
  const int threads = ResolveThreads(options.threads);
  const int workers = static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), num_groups));
  EstimateOptions group_options = options;
  group_options.threads = std::max(1, threads / workers);
  group_options.on_iteration = nullptr;
  std::atomic<size_t> next_group{0};
  std::mutex mutex;
  size_t done = 0;
  std::exception_ptr failure;
  auto work = [&] {
    while (true) {
      const size_t group_idx = next_group.fetch_add(1);
      if (group_idx >= num_groups) return;
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
        next_group = num_groups;  // stop handing out groups
        return;
      }
      const std::lock_guard<std::mutex> lock(mutex);
      ++done;
      if (on_group) on_group(done, num_groups, group);
    }
  };
  std::vector<std::thread> pool;
  for (int worker_idx = 1; worker_idx < workers; ++worker_idx) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
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

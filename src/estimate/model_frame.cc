// From a table and a formula to the arrays the solver works on.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/memory.h"
#include "common/parallel.h"
#include "common/trace.h"
#include "data/densify.h"
#include "estimate/family.h"
#include "estimate/frame_ops.h"
#include "estimate/frame_shards.h"
#include "mizani/error.h"
#include "mizani/estimate.h"
#include "numerics/simd_exp.h"

namespace mizani {

namespace {

// Marks the rows where a term is missing (an input is NaN) or logs a value
// <= 0 (also flagged in `bad_log`), without computing the term: no
// logarithm and no array of values (they are computed once, into X).
void MarkMissingTerm(const Table& table, const Term& term, std::vector<uint8_t>& term_missing,
                     std::vector<uint8_t>& bad_log, int threads) {
  std::vector<std::span<const double>> inputs;
  for (const auto& name : term.columns) inputs.push_back(RequireNumeric(table, name));
  const bool logged = term.transform == Transform::kLog;
  ParallelFor(threads, static_cast<int64_t>(table.num_rows), [&](int, int64_t begin, int64_t end) {
    for (int64_t row_idx = begin; row_idx < end; ++row_idx) {
      double value = 1.0;
      for (const auto column : inputs) value *= column[row_idx];
      if (std::isnan(value)) {
        term_missing[row_idx] = 1;
      } else if (logged && value <= 0) {
        term_missing[row_idx] = 1;
        bad_log[row_idx] = 1;
      }
    }
  });
}

// out[out_idx] = the term at table row order[out_idx] (order null: out_idx);
// meaningful for the rows MarkMissingTerm passed.
void TermInto(const Table& table, const Term& term, const int64_t* order, int64_t count,
              double* out, int threads) {
  std::vector<std::span<const double>> inputs;
  for (const auto& name : term.columns) inputs.push_back(RequireNumeric(table, name));
  const bool logged = term.transform == Transform::kLog;
  ParallelFor(threads, count, [&](int, int64_t begin, int64_t end) {
    if (inputs.size() == 1) {  // (most terms: a plain gather or copy)
      const double* column = inputs[0].data();
      if (order != nullptr) {
        for (int64_t out_idx = begin; out_idx < end; ++out_idx)
          out[out_idx] = column[order[out_idx]];
      } else {
        std::copy(column + begin, column + end, out + begin);
      }
    } else {
      for (int64_t out_idx = begin; out_idx < end; ++out_idx) {
        const int64_t row_idx = order != nullptr ? order[out_idx] : out_idx;
        double value = 1.0;
        for (const auto column : inputs) value *= column[row_idx];
        out[out_idx] = value;
      }
    }
    if (logged) LogArray(out + begin, out + begin, end - begin);
  });
}

}  // namespace

namespace {

// Releases a column's values (the name stays, so messages can use it).
void FreeColumnData(Column& column) {
  std::vector<double>().swap(column.num);
  column.borrowed = {};
  std::vector<int32_t>().swap(column.codes);
  std::vector<std::string>().swap(column.levels);
}

// After a large table's columns or table-order arrays are freed: their pages
// go back to the system (common/memory.h) before the next stage allocates, so
// that they do not add to the fit's peak when the host's allocator keeps them
// (a Python process after pandas). Only for one large fit that consumes its
// table (the command, the Python module): grouped fits on small tables run
// in parallel and would only contend for the allocator's locks.
void ReturnFreedArrays(bool consuming, size_t rows) {
  constexpr size_t kLargeTableRows = size_t{1} << 20;  // 8 MiB per freed column
  if (consuming && rows >= kLargeTableRows) ReturnFreedMemory();
}

// Every column must exist before any work (one message lists them all).
void RequireColumns(const Table& table, const Formula& formula, const EstimateOptions& options) {
  // The message says where each name came from: the formula or --cluster.
  std::string known;
  for (const auto& column : table.columns) known += (known.empty() ? "" : ", ") + column.name;
  auto require = [&](const std::vector<std::string>& names, const std::string& where) {
    std::string list;
    for (const auto& name : names) {
      if (table.Find(name) == nullptr) list += (list.empty() ? "'" : ", '") + name + "'";
    }
    if (list.empty()) return;
    throw Error(ErrorCode::kBadModel,
                fmt::format("{}: unknown column(s) {} in {}; the file has: {}", table.source, list,
                            where, known));
  };
  require(formula.Columns(), fmt::format("formula '{}'", formula.text));
  require(options.vcov.cluster, "the cluster variables (--cluster)");
}

// The fixed-effect and cluster factors, each on all threads (the rows split
// across them), one after the other.
std::vector<Factor> FactorizeAll(const Table& table,
                                 const std::vector<std::vector<std::string>>& factor_columns,
                                 int threads) {
  // A column used alone (an exporter effect, a cluster) is factorised once;
  // interactions start from the columns' own codes (InteractColumns), so
  // the three-way gravity model builds no single-column factor at all.
  std::vector<Factor> factors(factor_columns.size());
  std::vector<std::pair<std::string, const Factor*>> single;
  for (size_t factor_idx = 0; factor_idx < factors.size(); ++factor_idx) {
    const auto& columns = factor_columns[factor_idx];
    if (columns.size() == 1) {
      const auto same = std::find_if(single.begin(), single.end(),
                                     [&](const auto& entry) { return entry.first == columns[0]; });
      factors[factor_idx] =
          same != single.end() ? *same->second : FactorizeColumn(table, columns[0], threads);
      if (same == single.end()) single.emplace_back(columns[0], &factors[factor_idx]);
      continue;
    }
    Factor result = InteractColumns(table, columns[0], columns[1], threads);
    for (size_t name_idx = 2; name_idx < columns.size(); ++name_idx)
      result = Interact(result, FactorizeColumn(table, columns[name_idx], threads), threads);
    factors[factor_idx] = std::move(result);
  }
  return factors;
}

// The dimension the frame's rows are grouped by (the one the projector
// eliminates): the one with the most levels, the first of equals; -1 with
// fewer than two dimensions.
int LargestDimension(const std::vector<Factor>& fes) {
  if (fes.size() < 2) return -1;
  int largest = 0;
  for (size_t dim_idx = 1; dim_idx < fes.size(); ++dim_idx) {
    if (fes[dim_idx].num_levels() > fes[largest].num_levels()) largest = static_cast<int>(dim_idx);
  }
  return largest;
}

// Natural order of two labels: runs of digits compare as numbers ("C2"
// before "C10", "0101" with "101" by value), the rest byte by byte; labels
// equal that way (leading zeros) fall back to plain byte order, so the
// order is total.
bool NaturalLess(std::string_view left, std::string_view right) {
  auto is_digit = [](char ch) { return ch >= '0' && ch <= '9'; };
  size_t left_pos = 0, right_pos = 0;
  while (left_pos < left.size() && right_pos < right.size()) {
    if (is_digit(left[left_pos]) && is_digit(right[right_pos])) {
      size_t left_end = left_pos, right_end = right_pos;
      while (left_end < left.size() && is_digit(left[left_end])) ++left_end;
      while (right_end < right.size() && is_digit(right[right_end])) ++right_end;
      while (left_pos + 1 < left_end && left[left_pos] == '0') ++left_pos;  // leading zeros
      while (right_pos + 1 < right_end && right[right_pos] == '0') ++right_pos;
      const std::string_view left_run = left.substr(left_pos, left_end - left_pos);
      const std::string_view right_run = right.substr(right_pos, right_end - right_pos);
      if (left_run.size() != right_run.size()) return left_run.size() < right_run.size();
      if (left_run != right_run) return left_run < right_run;
      left_pos = left_end;
      right_pos = right_end;
      continue;
    }
    if (left[left_pos] != right[right_pos])
      return static_cast<unsigned char>(left[left_pos]) <
             static_cast<unsigned char>(right[right_pos]);
    ++left_pos;
    ++right_pos;
  }
  if ((left.size() - left_pos) != (right.size() - right_pos))
    return left.size() - left_pos < right.size() - right_pos;
  return left < right;
}

// A fixed-effect column's values ranked in their natural order: a text
// column's labels by NaturalLess, a numeric column's values by value.
// Rank(row) for a row where the column is not missing.
class ValueRanks {
 public:
  ValueRanks(const Table& table, const std::string& name, int threads) {
    const Column& column = table.Get(name);
    std::vector<int32_t> order;
    if (column.type == ColumnType::kString) {
      ids_ = column.codes.data();
      order.resize(column.levels.size());
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(), [&](int32_t left, int32_t right) {
        return NaturalLess(column.levels[left], column.levels[right]);
      });
    } else {
      const std::span<const double> values = column.values();
      if (WholeRange(values, threads)) return;  // years, product codes: value - min
      Factor factor = FactorizeColumn(table, name, threads);
      std::vector<double> level_value(static_cast<size_t>(factor.num_levels()), 0.0);
      for (size_t row_idx = 0; row_idx < values.size(); ++row_idx) {
        if (factor.ids[row_idx] >= 0) level_value[factor.ids[row_idx]] = values[row_idx];
      }
      order.resize(level_value.size());
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(), [&](int32_t left, int32_t right) {
        return level_value[left] < level_value[right];
      });
      own_ids_ = std::move(factor.ids);
      ids_ = own_ids_.data();
    }
    rank_.resize(order.size());
    for (size_t pos = 0; pos < order.size(); ++pos) rank_[order[pos]] = static_cast<uint32_t>(pos);
  }
  uint64_t size() const { return values_ != nullptr ? span_ : std::max<uint64_t>(1, rank_.size()); }
  uint64_t Rank(size_t row_idx) const {
    return values_ != nullptr ? static_cast<uint64_t>(values_[row_idx] - min_value_)
                              : rank_[ids_[row_idx]];
  }

 private:
  // Whole numbers (NaN aside) in a range below 2^31: ranked by value - min
  // without a factor (sets values_).
  bool WholeRange(std::span<const double> values, int threads) {
    const data::ValueRange all = data::RangeOf(values, threads);
    if (!all.all_integers || !(all.max_value >= all.min_value) ||
        !(all.max_value - all.min_value < 2147483648.0))
      return false;
    values_ = values.data();
    min_value_ = all.min_value;
    span_ = static_cast<uint64_t>(all.max_value - all.min_value) + 1;
    return true;
  }

  std::vector<int32_t> own_ids_;
  const int32_t* ids_ = nullptr;
  std::vector<uint32_t> rank_;
  const double* values_ = nullptr;
  double min_value_ = 0;
  uint64_t span_ = 1;
};

// The key of a kept row: its fixed-effect columns' ranks (ValueRanks), the
// columns in the formula's order, compared lexicographically.
uint64_t RowKey(const std::vector<ValueRanks>& ranks, size_t row_idx) {
  uint64_t key = 0;
  for (const ValueRanks& column : ranks) key = key * column.size() + column.Rank(row_idx);
  return key;
}

// Per table row, its RowKey (for the kept rows), by which FrameOrder orders
// the rows within each level of the largest dimension; empty when that is
// not needed or the key would not fit 64 bits.
//
// Why: the projector (schur_projector.h) reads the rows of one level of the
// eliminated dimension at a time and numbers the other dimensions' levels in
// order of first appearance, so when every level's rows come in one order
// (a pair's years ascending, an exporter-year's importers in one order)
// the other levels are visited in unit steps, and the segment layout
// applies. In a shuffled file each level's rows come in random order: on a
// 2.49M-row panel IRLS took twice as long (bench/README.md, session 19).
// Within a level of the largest dimension its own columns are constant, so
// the key is made of the other columns only (a pair's year, an
// exporter-year's importer): the same order within every level as a key
// of all the columns, from fewer ranks. Not needed when
// the key already rises (or stays) at nine in ten of the steps within the
// levels, in the table's order: a file sorted by its columns in any order
// of the columns, whose values come in their natural order (an unbalanced
// panel too); a shuffled file rises at about half of its steps.
std::vector<uint64_t> WithinRunKeys(const Table& table, const Formula& formula,
                                    const std::vector<Factor>& fes,
                                    const std::vector<uint8_t>& keep, int threads) {
  const int largest = LargestDimension(fes);
  if (largest < 0) return {};
  const std::vector<std::string>& constant = formula.fixed_effects[largest];
  std::vector<std::string> columns;
  for (const auto& dimension : formula.fixed_effects) {
    for (const auto& name : dimension) {
      if (std::find(columns.begin(), columns.end(), name) == columns.end() &&
          std::find(constant.begin(), constant.end(), name) == constant.end())
        columns.push_back(name);
    }
  }
  if (columns.empty()) return {};  // (the other dimensions nest in the largest)
  std::vector<ValueRanks> ranks;
  uint64_t space = 1;
  for (const auto& name : columns) {
    ranks.emplace_back(table, name, threads);
    if (space > std::numeric_limits<uint64_t>::max() / ranks.back().size()) return {};
    space *= ranks.back().size();
  }
  const std::vector<int32_t>& run_ids = fes[largest].ids;
  constexpr uint64_t kNone = std::numeric_limits<uint64_t>::max();
  std::vector<uint64_t> last(static_cast<size_t>(fes[largest].num_levels()), kNone);
  // Counted on every 16th level when there are many, and in every 16th
  // block of 64Ki rows when there are more than 4M rows: the verdict is a
  // share. (Counting every row, with the year column factorised for its
  // ranks, made the check 22 ms on 2.49M rows; sampled, with whole-number
  // columns ranked by value, it adds about 6 ms.)
  const int32_t sample_mask = fes[largest].num_levels() >= 4096 ? 15 : 0;
  constexpr size_t kBlockRows = size_t{1} << 16;
  const size_t block_stride = keep.size() > (size_t{1} << 22) ? 16 : 1;
  int64_t steps = 0, rises = 0;
  for (size_t row_idx = 0; row_idx < keep.size(); ++row_idx) {
    if (row_idx % kBlockRows == 0 && (row_idx / kBlockRows) % block_stride != 0) {
      row_idx += kBlockRows - 1;  // the block is skipped
      continue;
    }
    if (!keep[row_idx] || (run_ids[row_idx] & sample_mask) != 0) continue;
    const uint64_t key = RowKey(ranks, row_idx);  // (a kept row has every value)
    uint64_t& previous = last[run_ids[row_idx]];
    if (previous != kNone) {
      ++steps;
      rises += key >= previous;
    }
    previous = key;
  }
  if (10 * rises >= 9 * steps) return {};
  std::vector<uint64_t>().swap(last);
  std::vector<uint64_t> keys(keep.size(), 0);
  ParallelFor(threads, static_cast<int64_t>(keep.size()), [&](int, int64_t begin, int64_t end) {
    for (int64_t row_idx = begin; row_idx < end; ++row_idx) {
      if (keep[row_idx]) keys[row_idx] = RowKey(ranks, row_idx);
    }
  });
  TraceDetail("rows to be ordered within the largest effect's levels");
  return keys;
}

// The order in which FrameOrder lays out the levels of the largest
// dimension, as a list of levels; empty: their own order (ids ascending).
//
// Why: the projector takes the rows one level of the largest dimension at
// a time (a run) and gathers and adds the coefficients of the other
// dimension's levels the run's rows name. In a two-way gravity model the
// runs are exporter-years; in the levels' own order (first appearance in
// a file sorted by exporter, importer and year) consecutive runs are one
// exporter's years, each naming the importer-years of another year, so a
// pass cycles through all importer-years' coefficients: 21,435 levels of
// five columns on the small-counts panel, 1.7 MB with their sums, beyond
// the 512 KiB second-level cache of this class of machine. The runs of one
// year together name one year's importer-years, 45 KB.
//
// The order, without knowing which column is a year: the components of the
// bipartite graph of the two dimensions' levels (a row joins its two
// levels; in a two-way gravity model exporter-years and importer-years
// meet only within a year), each component's runs together, the components
// in the order of their first run, the runs of a component in their own
// order. Two-way models only (three-way models eliminate the pair, whose
// runs already name one exporter's exporter-years in order, the layout the
// segments need), and only when there are several components and (unless
// `run_order` asks for them anyway) the other dimension's coefficients and
// sums, at `num_cols` columns, would not fit in that cache.
std::vector<int32_t> LevelVisitOrder(const std::vector<uint8_t>& keep,
                                     const std::vector<Factor>& fes, int num_cols,
                                     RunOrder run_order, int threads) {
  constexpr int64_t kCacheBytes = int64_t{512} << 10;
  if (fes.size() != 2 || run_order == RunOrder::kLevels) return {};
  const int largest = LargestDimension(fes);
  const int other = 1 - largest;
  const std::vector<int32_t>& run_ids = fes[largest].ids;
  const std::vector<int32_t>& other_ids = fes[other].ids;
  const int32_t num_runs = fes[largest].num_levels();
  const int32_t num_other = fes[other].num_levels();
  if (run_order == RunOrder::kAuto &&
      2 * int64_t{num_other} * num_cols * static_cast<int64_t>(sizeof(double)) <= kCacheBytes)
    return {};
  // Each task joins the levels of its rows; the tasks' forests are then
  // joined into the first (a node to its root in each).
  const int32_t num_nodes = num_runs + num_other;
  const int num_tasks = std::max(1, std::min(threads, 4));
  std::vector<estimate::UnionFind> forest_T(num_tasks, estimate::UnionFind(0));
  ParallelFor(num_tasks, static_cast<int64_t>(keep.size()),
              [&](int task_idx, int64_t begin, int64_t end) {
                estimate::UnionFind forest(num_nodes);
                for (int64_t row_idx = begin; row_idx < end; ++row_idx) {
                  if (keep[row_idx]) forest.Join(run_ids[row_idx], num_runs + other_ids[row_idx]);
                }
                forest_T[task_idx] = std::move(forest);
              });
  estimate::UnionFind& graph = forest_T[0];
  if (graph.parent.empty()) graph = estimate::UnionFind(num_nodes);
  for (int task_idx = 1; task_idx < num_tasks; ++task_idx) {
    if (forest_T[task_idx].parent.empty()) continue;  // a task that got no rows
    for (int32_t node = 0; node < num_nodes; ++node)
      graph.Join(node, forest_T[task_idx].Root(node));
  }
  // Components numbered by their first run; the runs by component (a
  // stable counting sort).
  std::vector<int32_t> number_of_root(num_runs + static_cast<size_t>(num_other), -1);
  std::vector<int32_t> component(num_runs);
  int32_t num_components = 0;
  for (int32_t run = 0; run < num_runs; ++run) {
    int32_t& number = number_of_root[graph.Root(run)];
    if (number < 0) number = num_components++;
    component[run] = number;
  }
  if (num_components < 2) return {};
  std::vector<int32_t> start(num_components + 1, 0);
  for (int32_t number : component) ++start[number + 1];
  for (int32_t number = 0; number < num_components; ++number) start[number + 1] += start[number];
  std::vector<int32_t> order(num_runs);
  for (int32_t run = 0; run < num_runs; ++run) order[start[component[run]]++] = run;
  for (int32_t pos = 0; pos < num_runs; ++pos) {
    if (order[pos] != pos) {
      TraceDetail(
          fmt::format("the largest effect's levels laid out by the {} components of the "
                      "two effects' graph",
                      num_components));
      return order;
    }
  }
  return {};  // (already the levels' own order)
}

// The frame's rows: the kept table rows, grouped by the level of the
// largest fixed-effect dimension (stable counting sort), the levels in
// `level_order` when given (LevelVisitOrder), and within each level by
// `run_keys` when given (WithinRunKeys; ties in table order).
//
// The counting sort runs on all threads, each placing its own contiguous
// rows after those of the threads before it within every level, which
// keeps it stable. The keys travel with the rows, so the sort within the
// levels reads them in order: gathering them by table row afterwards, as
// the rows of a shuffled file come, was a cache miss a row (FrameOrder
// took 55 ms of a 2.50M-row three-way fit, session 21).
std::vector<int64_t> FrameOrder(const std::vector<uint8_t>& keep, const std::vector<Factor>& fes,
                                int64_t kept, std::vector<uint64_t>&& run_keys,
                                const std::vector<int32_t>& level_order, int threads) {
  const auto rows = static_cast<int64_t>(keep.size());
  std::vector<int64_t> order(kept);
  const int largest = LargestDimension(fes);
  if (largest < 0) {
    int64_t out_idx = 0;
    for (int64_t row_idx = 0; row_idx < rows; ++row_idx) {
      if (keep[row_idx]) order[out_idx++] = row_idx;
    }
    return order;
  }
  const std::vector<int32_t>& ids = fes[largest].ids;
  const auto num_levels = static_cast<size_t>(fes[largest].num_levels());
  // Every task's count (then its next position) per level: num_levels
  // entries a task, so the task count stays small.
  const int num_tasks = std::max(1, std::min(threads, 4));
  std::vector<std::vector<int64_t>> next_T(num_tasks);
  auto for_rows = [&](auto&& body) {
    ParallelFor(num_tasks, rows, [&](int task_idx, int64_t begin, int64_t end) {
      body(next_T[task_idx], begin, end);
    });
  };
  for_rows([&](std::vector<int64_t>& count, int64_t begin, int64_t end) {
    count.assign(num_levels, 0);
    for (int64_t row_idx = begin; row_idx < end; ++row_idx) {
      if (keep[row_idx]) ++count[ids[row_idx]];
    }
  });
  // The level's positions: [level_begin[level], level_end[level]).
  std::vector<int64_t> level_begin(num_levels), level_end(num_levels);
  int64_t position = 0;
  for (size_t rank = 0; rank < num_levels; ++rank) {
    const size_t level = level_order.empty() ? rank : static_cast<size_t>(level_order[rank]);
    level_begin[level] = position;
    for (std::vector<int64_t>& next : next_T) {
      if (next.empty()) continue;  // a task that got no rows
      const int64_t count = next[level];
      next[level] = position;
      position += count;
    }
    level_end[level] = position;
  }
  // (The keys in the frame's order sit beside the table's until these are
  // placed: 8 bytes a kept row more while the order is built, on files
  // whose rows need ordering within the levels.)
  std::vector<uint64_t> sorted_keys(run_keys.empty() ? 0 : static_cast<size_t>(kept));
  for_rows([&](std::vector<int64_t>& next, int64_t begin, int64_t end) {
    for (int64_t row_idx = begin; row_idx < end; ++row_idx) {
      if (!keep[row_idx]) continue;
      const int64_t pos = next[ids[row_idx]]++;
      order[pos] = row_idx;
      if (!sorted_keys.empty()) sorted_keys[pos] = run_keys[row_idx];
    }
  });
  std::vector<std::vector<int64_t>>().swap(next_T);
  if (run_keys.empty()) return order;
  std::vector<uint64_t>().swap(run_keys);
  ParallelFor(
      threads, static_cast<int64_t>(num_levels),
      [&](int, int64_t task_begin, int64_t task_end) {
        std::vector<std::pair<uint64_t, int64_t>> keyed;  // (key, table row)
        for (int64_t level = task_begin; level < task_end; ++level) {
          const int64_t first = level_begin[level];
          const int64_t last = level_end[level];
          // Already in order (a level's rows in the file's order), or one row.
          if (std::is_sorted(sorted_keys.begin() + first, sorted_keys.begin() + last)) continue;
          keyed.clear();
          for (int64_t pos = first; pos < last; ++pos)
            keyed.emplace_back(sorted_keys[pos], order[pos]);
          // (Ties keep their table order: the rows are in it, and the
          // pairs compare the table row second.)
          std::sort(keyed.begin(), keyed.end());
          for (int64_t pos = first; pos < last; ++pos) order[pos] = keyed[pos - first].second;
        }
      },
      256);
  return order;
}

// Frees every column no regressor reads.
void FreeAllButRegressors(const Formula& formula, Table& consumable) {
  std::vector<std::string> still_needed;
  for (const auto& term : formula.regressors) {
    still_needed.insert(still_needed.end(), term.columns.begin(), term.columns.end());
  }
  for (Column& column : consumable.columns) {
    if (std::find(still_needed.begin(), still_needed.end(), column.name) == still_needed.end())
      FreeColumnData(column);
  }
  ReturnFreedArrays(true, consumable.num_rows);
}

// The table-order outcome and ids, once copied into the frame's order, are
// not read again: freed before X is filled, the frame's peak (the labels
// stay).
void FreeTableOrder(std::vector<double>& y, std::vector<Factor>& fes, std::vector<Factor>& clusters,
                    bool consuming) {
  const size_t rows = y.size();
  std::vector<double>().swap(y);
  for (auto& factor : fes) std::vector<int32_t>().swap(factor.ids);
  for (auto& factor : clusters) std::vector<int32_t>().swap(factor.ids);
  ReturnFreedArrays(consuming, rows);
}

// Frees the columns of regressor col_idx that no later regressor reads.
void FreeAfterLastUse(const Formula& formula, size_t col_idx, Table& consumable) {
  const size_t num_regressors = formula.regressors.size();
  for (const auto& name : formula.regressors[col_idx].columns) {
    bool used_later = false;
    for (size_t later = col_idx + 1; later < num_regressors; ++later) {
      const auto& later_columns = formula.regressors[later].columns;
      used_later |=
          std::find(later_columns.begin(), later_columns.end(), name) != later_columns.end();
    }
    if (used_later) continue;
    for (Column& column_data : consumable.columns) {
      if (column_data.name == name) FreeColumnData(column_data);
    }
  }
}

// The sample's sanity checks: no single-level fixed effect, and (PPML) some
// positive outcome.
void CheckSample(const ModelFrame& frame, const Table& table, const Formula& formula,
                 const EstimateOptions& options, int64_t kept) {
  // (kept: the whole sample's; a sharded frame's sizes and labels are too.)
  // A fixed effect with a single level is a constant: almost always a
  // mistake in the filters or the formula.
  for (size_t dim_idx = 0; dim_idx < frame.fe_ids.size(); ++dim_idx) {
    if (frame.fe_sizes[dim_idx] == 1 && kept > 1) {
      throw Error(
          ErrorCode::kBadModel,
          fmt::format("fixed effect '{}' has a single level ('{}') in the estimation sample of {}; "
                      "it is a constant: remove it or check the filters",
                      frame.fe_names[dim_idx], frame.fe_labels[dim_idx][0], table.source));
    }
  }
  if (estimate::FamilyOf(options.family).drops_all_zero_groups()) {
    int64_t any_positive = 0;
    for (double value : frame.y) any_positive |= value > 0 ? 1 : 0;
    if (frame.shard_comm != nullptr)
      frame.shard_comm->AllreduceMax(std::span<int64_t>(&any_positive, 1));
    if (any_positive == 0) {
      throw Error(
          ErrorCode::kBadModel,
          fmt::format(
              "{}: the outcome '{}' is zero in every observation of the sample: PPML has no "
              "solution",
              table.source, formula.outcome.label));
    }
  }
}

// With `consumable` (the same table, owned by the caller and no longer
// needed), columns are freed as soon as nothing else reads them, so the
// table, the terms and the frame do not all sit in memory together.
// A frame built from shares (comm): every rank has read and checked its
// share; now the ranks learn whether any failed (the failure gate), then
// agree on every factor's levels (estimate/frame_shards.h).
void AgreeOnLevels(const Table& table, const std::vector<std::vector<std::string>>& factor_columns,
                   std::vector<Factor>& fes, std::vector<Factor>& clusters, Communicator& comm) {
  PassFailureGate(comm, nullptr);
  std::vector<Factor*> all;  // in factor_columns' order: the effects, then the clusters
  all.reserve(fes.size() + clusters.size());
  for (auto& factor : fes) all.push_back(&factor);
  for (auto& factor : clusters) all.push_back(&factor);
  estimate::GlobalizeFactors(table, factor_columns, all, comm);
  TraceDetail("levels agreed between the ranks");
}

// The whole sample's counts, the same on every rank, in place; returns the
// rows kept in all shares.
int64_t SumCounts(Communicator& comm, int64_t& filtered, int64_t& missing, int64_t& nonpositive_log,
                  int64_t kept, int64_t& rows_read) {
  int64_t counts[5] = {filtered, missing, nonpositive_log, kept, rows_read};
  comm.AllreduceSum(std::span<int64_t>(counts));
  filtered = counts[0];
  missing = counts[1];
  nonpositive_log = counts[2];
  rows_read = counts[4];
  return counts[3];
}

// The last steps of a frame: unused levels dropped, the sample checked and,
// built from shares (comm), each row sent to the rank that fits it.
void FinishFrame(const Table& table, const Formula& formula, const EstimateOptions& options,
                 int64_t kept, int64_t global_kept, Communicator* comm, ModelFrame& frame) {
  const int threads = ResolveThreads(options.threads);
  // With every row kept, every level is used and the ids are dense already
  // (numbered in the order of the table's rows). A share's rows use some
  // of the file's levels: the ranks agree on the used ones.
  if (kept != static_cast<int64_t>(table.num_rows) || comm != nullptr) {
    for (size_t dim_idx = 0; dim_idx < frame.fe_ids.size(); ++dim_idx)
      estimate::RedensifyFixedEffect(frame, dim_idx, threads);
    for (auto& ids : frame.cluster_ids) estimate::RedensifyClusterIds(ids, threads, comm);
  }
  CheckSample(frame, table, formula, options, global_kept);
  if (comm != nullptr) {
    // The file's row of each frame row, then each row to its rank.
    for (int64_t& row : frame.source_row) row += static_cast<int64_t>(table.share_first_row);
    TraceDetail("frame of the share built");
    estimate::RouteFrameRows(frame, *comm);
  }
}

// PPML needs a non-negative outcome: a negative value is an error in the
// data, not something to drop quietly. `y`: the outcome of every table row.
void CheckNonNegativeOutcome(const Table& table, const Formula& formula,
                             const EstimateOptions& options, const std::vector<uint8_t>& keep,
                             std::span<const double> y) {
  if (!estimate::FamilyOf(options.family).nonnegative_outcome()) return;
  const Column& outcome = table.Get(formula.outcome.columns[0]);
  for (size_t row_idx = 0; row_idx < y.size(); ++row_idx) {
    if (keep[row_idx] && y[row_idx] < 0) {
      throw Error(
          ErrorCode::kBadData,
          fmt::format("{}: negative outcome {} (PPML needs y >= 0)",
                      Where(table.source, static_cast<int64_t>(table.share_first_row + row_idx) + 1,
                            outcome.name),
                      outcome.CellText(row_idx)));
    }
  }
}

// The outcome's own column, when the outcome can take its values instead of
// a copy: a plain column (no product, no logarithm) with values of its own,
// in a table the caller gives up (`consumable`), read by no regressor, fixed
// effect or cluster. nullptr otherwise. The copy is one more N-vector while
// the factors are built, where a 20.5M-row three-way fit peaked: 1,140 MiB
// with it, 1,038 MiB without (bench/README.md, session 24).
Column* OutcomeColumnToTake(const Table& table, Table* consumable, const Formula& formula,
                            const EstimateOptions& options) {
  const Term& outcome = formula.outcome;
  if (consumable == nullptr || outcome.columns.size() != 1 ||
      outcome.transform != Transform::kNone) {
    return nullptr;
  }
  const std::string& name = outcome.columns[0];
  auto names = [&](const std::vector<std::string>& columns) {
    return std::find(columns.begin(), columns.end(), name) != columns.end();
  };
  for (const auto& term : formula.regressors) {
    if (names(term.columns)) return nullptr;
  }
  for (const auto& columns : formula.fixed_effects) {
    if (names(columns)) return nullptr;
  }
  if (names(options.vcov.cluster)) return nullptr;
  Column* column = consumable->Find(name);
  const bool owns_values = column != nullptr && column->type == ColumnType::kNumeric &&
                           column->borrowed.empty() && column->num.size() == table.num_rows;
  return owns_values ? column : nullptr;
}

// comm (not null): `table` is this rank's share of the file, and the frame
// is built sharded (estimate/frame_shards.h). Errors met before the ranks
// first exchange anything go through the failure gate (`gate_passed`).
ModelFrame BuildFrameOf(const Table& table, Table* consumable, const Formula& formula,
                        const std::vector<RowFilter>& filters, const EstimateOptions& options,
                        Communicator* comm, bool& gate_passed) {
  ModelFrame frame;
  frame.rows_read = static_cast<int64_t>(table.num_rows);
  RequireColumns(table, formula, options);
  const size_t rows = table.num_rows;
  std::vector<uint8_t> keep = EvaluateFilters(table, filters);
  int64_t filtered = 0;
  for (uint8_t flag : keep) filtered += !flag;

  // Rows where a term is missing, and among them those where log() meets a
  // value <= 0. The outcome is computed for every row.
  std::vector<uint8_t> bad_log(rows, 0), term_missing(rows, 0);
  MarkMissingTerm(table, formula.outcome, term_missing, bad_log, ResolveThreads(options.threads));
  std::vector<double> y;
  if (Column* outcome = OutcomeColumnToTake(table, consumable, formula, options)) {
    CheckNonNegativeOutcome(table, formula, options, keep, outcome->num);
    y = std::move(outcome->num);
    outcome->num = {};
  } else {
    y.resize(rows);
    TermInto(table, formula.outcome, nullptr, static_cast<int64_t>(rows), y.data(),
             ResolveThreads(options.threads));
    CheckNonNegativeOutcome(table, formula, options, keep, y);
  }
  // The regressors: here only the rows where one is missing (or logs a
  // value <= 0) are found, without computing them; once the frame's row
  // order is known they are computed straight into X. Holding every term
  // at once would cost one N-vector each on top of the table (peak memory).
  for (const auto& term : formula.regressors)
    MarkMissingTerm(table, term, term_missing, bad_log, ResolveThreads(options.threads));
  TraceDetail("terms evaluated");
  // The fixed-effect and cluster factors, on all threads: every column is
  // factorised once (exporter and year each appear in two dimensions of the
  // three-way gravity model), then each dimension interacts its columns.
  std::vector<std::vector<std::string>> factor_columns = formula.fixed_effects;
  for (const auto& name : options.vcov.cluster) factor_columns.push_back({name});
  std::vector<Factor> factors =
      FactorizeAll(table, factor_columns, ResolveThreads(options.threads));
  std::vector<Factor> fes(std::make_move_iterator(factors.begin()),
                          std::make_move_iterator(factors.begin() + formula.fixed_effects.size()));
  std::vector<Factor> clusters(
      std::make_move_iterator(factors.begin() + formula.fixed_effects.size()),
      std::make_move_iterator(factors.end()));
  factors.clear();
  TraceDetail("factorised");

  if (comm != nullptr) {
    gate_passed = true;
    AgreeOnLevels(table, factor_columns, fes, clusters, *comm);
    frame.shard_comm = comm;
  }
  int64_t missing = 0, nonpositive_log = 0;
  for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
    if (!keep[row_idx]) continue;
    bool ok = term_missing[row_idx] == 0;
    for (const auto& factor : fes) ok &= factor.ids[row_idx] >= 0;
    for (const auto& factor : clusters) ok &= factor.ids[row_idx] >= 0;
    if (!ok) {
      keep[row_idx] = 0;
      if (bad_log[row_idx])
        ++nonpositive_log;
      else
        ++missing;
    }
  }
  std::vector<uint8_t>().swap(term_missing);
  std::vector<uint8_t>().swap(bad_log);
  // (Read from the fixed effects' columns, so before they are freed.)
  std::vector<uint64_t> run_keys =
      WithinRunKeys(table, formula, fes, keep, ResolveThreads(options.threads));
  // From here on only the regressors' columns are read.
  if (consumable != nullptr) FreeAllButRegressors(formula, *consumable);
  int64_t kept = 0;
  for (uint8_t flag : keep) kept += flag;
  const int64_t global_kept =
      comm != nullptr ? SumCounts(*comm, filtered, missing, nonpositive_log, kept, frame.rows_read)
                      : kept;
  frame.CountDrop(DropReason::kFiltered, filtered);
  frame.CountDrop(DropReason::kMissing, missing);
  frame.CountDrop(DropReason::kNonPositiveLog, nonpositive_log);

  TraceDetail("missing checked");
  if (global_kept == 0) {
    throw Error(ErrorCode::kBadModel,
                fmt::format("{}: no observation left for '{}' after filters and missing values",
                            table.source, formula.text));
  }
  // The frame's rows: the kept table rows, grouped by the level of the
  // largest fixed-effect dimension (stable counting sort), the order the
  // projector needs to eliminate that dimension exactly (schur_projector.h).
  // Building the frame in that order saves Fit a second copy of every array.
  // (One process only: a rank's frame keeps the levels' own order.)
  const std::vector<int32_t> level_order =
      comm != nullptr
          ? std::vector<int32_t>()
          : LevelVisitOrder(keep, fes, static_cast<int>(formula.regressors.size()) + 1,
                            options.projection.run_order, ResolveThreads(options.threads));
  std::vector<int64_t> order = FrameOrder(keep, fes, kept, std::move(run_keys), level_order,
                                          ResolveThreads(options.threads));  // -> table row
  const size_t num_regressors = formula.regressors.size();
  frame.X.resize(kept, static_cast<Eigen::Index>(num_regressors));
  for (const auto& term : formula.regressors) frame.coef_names.push_back(term.label);
  const int threads = ResolveThreads(options.threads);
  bool identity = kept == static_cast<int64_t>(rows);
  for (int64_t out_idx = 0; out_idx < kept && identity; ++out_idx)
    identity = order[out_idx] == out_idx;
  // The order is the frame's map back to table rows: moved, not copied.
  frame.source_row = std::move(order);
  const std::vector<int64_t>& source_row = frame.source_row;
  if (identity) {
    // Every row kept, already in the solver's order: the columns move into
    // the frame instead of being copied (a panel sorted by pair and year).
    frame.y = std::move(y);
    for (auto& factor : fes) frame.fe_ids.push_back(std::move(factor.ids));
    for (auto& factor : clusters) frame.cluster_ids.push_back(std::move(factor.ids));
  } else {
    frame.y.resize(kept);
    frame.fe_ids.assign(fes.size(), std::vector<int32_t>(kept));
    frame.cluster_ids.assign(clusters.size(), std::vector<int32_t>(kept));
    ParallelFor(threads, kept, [&](int, int64_t begin, int64_t end) {
      for (int64_t out_idx = begin; out_idx < end; ++out_idx)
        frame.y[out_idx] = y[source_row[out_idx]];
      for (size_t dim_idx = 0; dim_idx < fes.size(); ++dim_idx) {
        for (int64_t out_idx = begin; out_idx < end; ++out_idx)
          frame.fe_ids[dim_idx][out_idx] = fes[dim_idx].ids[source_row[out_idx]];
      }
      for (size_t dim_idx = 0; dim_idx < clusters.size(); ++dim_idx) {
        for (int64_t out_idx = begin; out_idx < end; ++out_idx)
          frame.cluster_ids[dim_idx][out_idx] = clusters[dim_idx].ids[source_row[out_idx]];
      }
    });
    FreeTableOrder(y, fes, clusters, consumable != nullptr);
  }
  // The regressors, one at a time, straight into X in the frame's order;
  // each term's columns are freed after their last use.
  for (size_t col_idx = 0; col_idx < num_regressors; ++col_idx) {
    TermInto(table, formula.regressors[col_idx], identity ? nullptr : source_row.data(), kept,
             frame.X.data() + col_idx * kept, threads);
    if (consumable != nullptr) FreeAfterLastUse(formula, col_idx, *consumable);
  }
  TraceDetail("copied");
  // Re-densify ids over the kept rows and keep the labels of used levels.
  for (size_t dim_idx = 0; dim_idx < fes.size(); ++dim_idx) {
    frame.fe_sizes.push_back(fes[dim_idx].num_levels());
    frame.fe_names.push_back(Formula::FixedEffectLabel(formula.fixed_effects[dim_idx]));
    frame.fe_labels.push_back(std::move(fes[dim_idx].labels));
  }
  for (const auto& name : options.vcov.cluster) frame.cluster_names.push_back(name);
  FinishFrame(table, formula, options, kept, global_kept, comm, frame);
  return frame;
}

// The communicator a frame is built sharded over: the options' when the
// table is a share of the file (Table::is_share) and there are several ranks.
Communicator* ShareCommunicator(const Table& table, const EstimateOptions& options) {
  return table.is_share && options.communicator != nullptr && options.communicator->size() > 1
             ? options.communicator
             : nullptr;
}

ModelFrame BuildFrame(const Table& table, Table* consumable, const Formula& formula,
                      const std::vector<RowFilter>& filters, const EstimateOptions& options) {
  Communicator* comm = ShareCommunicator(table, options);
  bool gate_passed = comm == nullptr;
  try {
    return BuildFrameOf(table, consumable, formula, filters, options, comm, gate_passed);
  } catch (...) {
    // Failed before the ranks first exchanged: they learn it at the gate.
    if (!gate_passed) PassFailureGate(*comm, std::current_exception());
    throw;
  }
}

}  // namespace

ModelFrame BuildModelFrame(const Table& table, const Formula& formula,
                           const std::vector<RowFilter>& filters, const EstimateOptions& options) {
  return BuildFrame(table, nullptr, formula, filters, options);
}

ModelFrame BuildModelFrame(Table&& table, const Formula& formula,
                           const std::vector<RowFilter>& filters, const EstimateOptions& options) {
  ModelFrame frame = BuildFrame(table, &table, formula, filters, options);
  table = Table();
  return frame;
}

EstimateResult Estimate(const Table& table, const Formula& formula,
                        const std::vector<RowFilter>& filters, const EstimateOptions& options) {
  ModelFrame frame = BuildModelFrame(table, formula, filters, options);
  EstimateResult result = Fit(std::move(frame), options);
  result.formula = formula.text;
  return result;
}

}  // namespace mizani

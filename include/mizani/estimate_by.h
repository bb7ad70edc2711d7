// One model per value of a column (`mizani estimate --by COLUMN`): per
// product, sector or year. The groups are fitted independently, several at
// a time on the machine's threads, and their results stacked in one table.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mizani/communicator.h"
#include "mizani/error.h"
#include "mizani/estimate.h"
#include "mizani/filter.h"
#include "mizani/formula.h"
#include "mizani/table.h"

namespace mizani {

struct ByGroupFit {
  std::string value;  // the column's value, as a user writes it
  int64_t rows = 0;   // rows of the input with this value (before filters)
  // The fit; meaningless when `error` is set (the group's model could not be
  // built, e.g. a fixed effect with one level or an all-zero outcome).
  EstimateResult result;
  std::string error;
  ErrorCode error_code = ErrorCode::kOk;
  bool failed() const { return error_code != ErrorCode::kOk; }
};

struct EstimateByResult {
  std::string column;
  std::vector<ByGroupFit> groups;  // in order of first appearance in the table
  int64_t rows_missing_value = 0;  // rows whose `column` is missing: in no group
};

// Called after each group is fitted (from the thread that fitted it, one
// call at a time): groups done so far, their number, the group.
using ByProgress = std::function<void(size_t done, size_t total, const ByGroupFit& group)>;

// Fits `formula` on the rows of every value of `by_column` (numeric or
// text). With T = ResolveThreads(options.threads) threads and G groups,
// min(T, G) groups are fitted at a time, each with T / min(T, G) threads;
// a group's result equals Estimate on its rows alone with that thread
// count. options.on_iteration is not called (fits run concurrently).
// Throws Error(kBadModel) for an unknown by column, or the first group's
// error when every group fails; otherwise failed groups are reported in
// their ByGroupFit.
// With a communicator of several ranks (each holding the same table), each
// rank fits a share of the groups (largest first, to the least loaded
// rank), on_group sees only the rank's own groups and their count, and
// every rank returns all groups (docs/distributed.md). When the ranks hold
// shares of the file instead (Table::is_share, ReadOptions::keep_share),
// the groups are agreed from the shares and each row is sent to the rank
// that fits its group: no rank holds the whole table, and the results are
// those of the whole table.
// A collective in both cases: every rank calls it with the same arguments.
EstimateByResult EstimateBy(const Table& table, const Formula& formula,
                            const std::vector<RowFilter>& filters, const EstimateOptions& options,
                            const std::string& by_column, const ByProgress& on_group = {},
                            Communicator* comm = nullptr);

// Stacked renderings. CSV: the by column's name, then EstimateToCsv's
// columns (term, estimate, std_error, z, p_value, ci_low, ci_high), then
// nobs and status ("converged" or the message); a failed group gives one
// row with an empty term. JSON: {"by", "rows_missing_value", "groups": [
// {"value", "rows", then EstimateToJson's fields, or "error"}]}. Table:
// one line per coefficient and group.
std::string EstimateByToCsv(const EstimateByResult& result);
std::string EstimateByToJson(const EstimateByResult& result);
std::string FormatEstimateByTable(const EstimateByResult& result);

}  // namespace mizani

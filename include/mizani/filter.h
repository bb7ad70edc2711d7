// Row filters written on the command line or in a scenario file:
//   "exporter != importer"        compare two columns (string or numeric)
//   "year >= 1986"  "trade > 0"   compare a column with a literal
//   "year in 1986:2006:4"         a range with step (inclusive)
//   "exporter in KEN,JPN,USA"     a set of values
// Several filters are combined with AND.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mizani/formula.h"
#include "mizani/table.h"

namespace mizani {

struct RowFilter {
  std::string text;
};

// keep[row_idx] = 1 when the row passes every filter. Throws Error(kBadModel)
// for syntax errors and unknown columns.
std::vector<uint8_t> EvaluateFilters(const Table& table, const std::vector<RowFilter>& filters);

// The columns a filter may read, for a reader that loads only the columns
// a model uses: every identifier-like token that is not a number or the
// keyword `in`. Some may be values ("exporter in KEN,JPN"): a caller that
// asks for them must tolerate names that are not columns.
std::vector<std::string> FilterColumnCandidates(const std::string& filter);

// The columns a model reads from its table, sorted, each once: the formula's,
// the cluster columns, `extra` (an estimate-by column, say) and the filters'
// candidates. Some may be values (see above): read them with
// ReadOptions::columns_may_be_absent (mizani/read.h). The command line and
// the Python binding read a model's table this way.
std::vector<std::string> ModelColumns(const Formula& formula,
                                      const std::vector<std::string>& cluster,
                                      const std::vector<std::string>& filters,
                                      const std::vector<std::string>& extra = {});

}  // namespace mizani

// Readers for CSV (plain or gzip) and Stata .dta files.
#pragma once

#include <string>
#include <vector>

#include "mizani/table.h"

namespace mizani {

struct ReadOptions {
  // Read only these columns (all when empty). Unknown names are an error that
  // lists the columns the file has.
  std::vector<std::string> columns;
  // Columns forced to string type even when every value parses as a number.
  std::vector<std::string> string_columns;
  char delimiter = 0;  // 0: detect from the header (comma, tab, semicolon)
};

// Dispatches on the extension: .csv, .csv.gz, .tsv, .txt, .dlm, .dta.
// Throws Error(kFileUnreadable) for missing/unreadable/truncated files and
// Error(kBadData) for malformed rows, always naming file, row and column.
Table ReadTable(const std::string& path, const ReadOptions& options = {});
Table ReadCsv(const std::string& path, const ReadOptions& options = {});
Table ReadDta(const std::string& path, const ReadOptions& options = {});

// Writes a table as CSV (used by tests and `mizani synth`).
void WriteCsv(const Table& table, const std::string& path);

}  // namespace mizani

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

// CSV rules: a header row; delimiter detected from it; "quoted" fields with ""
// for a quote and line breaks allowed inside; CRLF and a UTF-8 BOM accepted;
// blank lines skipped. Missing: an empty field, unquoted NA or "." (a quoted
// "NA" is text: Namibia). A column is numeric when every non-missing value
// parses as a number, text otherwise (see RequireNumeric for the error a model
// then reports). Gzip is recognised by content. Text columns come back
// factorised, levels in order of first appearance.
// .dta: every numeric storage type becomes double; Stata missing values (.,
// .a-.z) become NaN; value labels are ignored (the column stays numeric).
//
// Dispatches on the extension (the table in src/io/formats.cc): .csv,
// .csv.gz, .tsv, .txt, .dlm, .dta.
// Throws Error(kFileUnreadable) for missing/unreadable/truncated files and
// Error(kBadData) for malformed rows, always naming file, row and column.
Table ReadTable(const std::string& path, const ReadOptions& options = {});
Table ReadCsv(const std::string& path, const ReadOptions& options = {});
Table ReadDta(const std::string& path, const ReadOptions& options = {});

// Writes a table as CSV (used by tests and `mizani synth`): text always
// quoted, numbers in the shortest form that reads back to the same double,
// missing values as empty fields. Throws Error(kOutputFailed).
void WriteCsv(const Table& table, const std::string& path);

}  // namespace mizani

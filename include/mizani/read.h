// Readers for CSV (plain or gzip) and Stata .dta files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mizani/table.h"

namespace mizani {

class Communicator;

enum class TextEncoding { kUtf8, kLatin1 };

// "utf8"/"utf-8" or "latin1"/"iso-8859-1" (any case); nullopt otherwise.
std::optional<TextEncoding> ParseTextEncoding(const std::string& name);

struct ReadOptions {
  // Read only these columns (all when empty). Unknown names are an error that
  // lists the columns the file has.
  std::vector<std::string> columns;
  // Columns forced to string type even when every value parses as a number.
  std::vector<std::string> string_columns;
  char delimiter = 0;  // 0: detect from the header (comma, tab, semicolon)
  // The encoding of the file's text. Text must be valid UTF-8 (an error
  // naming the cell otherwise); kLatin1 converts ISO 8859-1 text to UTF-8.
  // A NUL byte in text is always an error.
  TextEncoding encoding = TextEncoding::kUtf8;
  // `columns` is a guess that may name things that are not columns (a row
  // filter's value, "importer != USA", taken for a column name): when the
  // narrowed read fails for an unknown name, every column is read instead,
  // and the caller reports what is really missing (BuildModelFrame names it).
  bool columns_may_be_absent = false;
  // With a communicator of several ranks (`mpirun -np K`), a CSV file is
  // parsed in shares, each rank its share of the records, and the table is
  // gathered on every rank: the same table a single process reads
  // (docs/distributed.md). A collective: every rank reads the same file
  // with the same options. Stata files are read whole by every rank (but
  // see keep_share).
  Communicator* communicator = nullptr;
  // With such a communicator, keep each rank's share instead of gathering
  // the table (Table::is_share): the rows of the rank's share of the
  // records, the text levels of the whole file (in the order one process
  // reading it meets them, so a code names the same level on every rank).
  // `estimate --by` routes them to the ranks that fit their groups; one
  // model builds its frame from them (BuildModelFrame). When a CSV share
  // does not parse cleanly every rank reads the whole file (is_share
  // false). A Stata file is read in shares too: rank r reads only rows
  // [N r / K, N (r + 1) / K) (fixed-width records, so it seeks to them).
  bool keep_share = false;
  // Threads of the CSV parse (0: one per core, at most 8). Under mpirun a
  // rank given `--threads 1` parses on one thread, not on every core.
  int threads = 0;
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
// missing values as empty fields; gzip-compressed when `path` ends in .gz.
// Written to a temporary file renamed into place (all-or-nothing).
// Throws Error(kOutputFailed).
void WriteCsv(const Table& table, const std::string& path);

}  // namespace mizani

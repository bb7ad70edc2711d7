// Stata .dta reading through ReadStat.
#include <fmt/format.h>
#include <readstat.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <limits>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "common/strings.h"
#include "data/text.h"
#include "io/share_levels.h"
#include "mizani/communicator.h"
#include "mizani/error.h"
#include "mizani/read.h"

namespace mizani {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// State shared with the ReadStat callbacks (they get it as void* ctx).
struct DtaContext {
  const ReadOptions* options = nullptr;
  int64_t expected_rows = -1;  // from the file header; -1 when unknown
  int64_t rows_seen = 0;
  std::vector<std::string> all_names;  // every variable, in file order
  std::vector<int> slot_of_variable;   // -1: not read
  std::vector<Column> columns;         // in file order of kept variables
  std::vector<std::unordered_map<std::string, int32_t>> level_index;
  bool checked_names = false;
  std::vector<std::string> unknown_names;  // requested but absent
  std::string parser_message;              // from the error handler
  std::string path;                        // for messages
  int64_t file_size = 0;
  int64_t first_row = 0;  // a share's first row in the file (messages)
  // An exception raised inside a callback: it must not unwind through
  // ReadStat's C frames, so the callback stores it, aborts the parse, and
  // ReadDta rethrows it.
  std::exception_ptr failure;
};

// Runs a callback body; any exception is kept for ReadDta and the parse
// aborted.
template <typename Body>
int Guarded(DtaContext* context, Body body) {
  try {
    return body();
  } catch (...) {
    context->failure = std::current_exception();
    return READSTAT_HANDLER_ABORT;
  }
}

bool IsRequested(const ReadOptions& options, const std::string& name) {
  return options.columns.empty() ||
         std::find(options.columns.begin(), options.columns.end(), name) != options.columns.end();
}

int OnMetadata(readstat_metadata_t* metadata, void* raw) {
  auto* context = static_cast<DtaContext*>(raw);
  return Guarded(context, [&] {
    context->expected_rows = readstat_get_row_count(metadata);
    const int64_t num_variables = std::max(1, readstat_get_var_count(metadata));
    // Every value takes at least one byte in the file: a larger count is a
    // damaged header, and trusting it would reserve gigabytes. So the
    // columns reserved below never exceed 8 times the file's size.
    if (context->expected_rows > context->file_size / num_variables) {
      throw Error(ErrorCode::kFileUnreadable,
                  fmt::format("{}: damaged Stata file: the header announces {} rows, more than "
                              "the file's {} bytes could hold",
                              context->path, context->expected_rows, context->file_size));
    }
    return READSTAT_HANDLER_OK;
  });
}

int AddVariable(int index, readstat_variable_t* variable, DtaContext* context) {
  const char* raw_name = readstat_variable_get_name(variable);
  if (raw_name == nullptr || *raw_name == '\0') {
    throw Error(
        ErrorCode::kFileUnreadable,
        fmt::format("{}: damaged Stata file: variable {} has no name", context->path, index + 1));
  }
  std::string name = raw_name;
  if (index < 0 || index > context->file_size) {
    throw Error(ErrorCode::kFileUnreadable,
                fmt::format("{}: damaged Stata file: variable index {}", context->path, index));
  }
  if (context->slot_of_variable.size() <= static_cast<size_t>(index)) {
    context->slot_of_variable.resize(static_cast<size_t>(index) + 1, -1);
  }
  context->all_names.push_back(name);
  if (!IsRequested(*context->options, name)) return READSTAT_HANDLER_SKIP_VARIABLE;
  context->slot_of_variable[static_cast<size_t>(index)] = static_cast<int>(context->columns.size());
  Column& column = context->columns.emplace_back();
  column.name = std::move(name);
  // Value labels (e.g. 1 = "yes") are ignored: a labelled integer stays a number.
  column.type = readstat_variable_get_type_class(variable) == READSTAT_TYPE_CLASS_STRING
                    ? ColumnType::kString
                    : ColumnType::kNumeric;
  context->level_index.emplace_back();
  return READSTAT_HANDLER_OK;
}

int OnVariable(int index, readstat_variable_t* variable, const char* /*value_labels*/, void* raw) {
  auto* context = static_cast<DtaContext*>(raw);
  return Guarded(context, [&] { return AddVariable(index, variable, context); });
}

// Requested names can only be checked once all variables are known, which is
// when the first value arrives; aborting then avoids reading the data.
bool CheckRequestedNames(DtaContext* context) {
  if (context->checked_names) return true;
  context->checked_names = true;
  std::unordered_set<std::string> present(context->all_names.begin(), context->all_names.end());
  for (const std::string& name : context->options->columns) {
    if (present.count(name) == 0) context->unknown_names.push_back(name);
  }
  for (const std::string& name : context->options->string_columns) {
    if (present.count(name) == 0) context->unknown_names.push_back(name);
  }
  if (!context->unknown_names.empty()) return false;
  if (context->expected_rows > 0) {
    for (Column& column : context->columns) {
      if (column.type == ColumnType::kString) {
        column.codes.reserve(static_cast<size_t>(context->expected_rows));
      } else {
        column.num.reserve(static_cast<size_t>(context->expected_rows));
      }
    }
  }
  return true;
}

int StoreValue(int obs_index, readstat_variable_t* variable, readstat_value_t value,
               DtaContext* context) {
  if (!CheckRequestedNames(context)) return READSTAT_HANDLER_ABORT;
  int index = readstat_variable_get_index(variable);
  if (index < 0 || static_cast<size_t>(index) >= context->slot_of_variable.size() ||
      obs_index < 0 || obs_index > context->file_size) {
    throw Error(ErrorCode::kFileUnreadable,
                fmt::format("{}: damaged Stata file: value of variable {} in row {}", context->path,
                            index + 1, context->first_row + obs_index + 1));
  }
  int slot = context->slot_of_variable[static_cast<size_t>(index)];
  if (slot < 0) return READSTAT_HANDLER_OK;
  context->rows_seen = std::max<int64_t>(context->rows_seen, int64_t{obs_index} + 1);
  Column& column = context->columns[static_cast<size_t>(slot)];
  auto row = static_cast<size_t>(obs_index);
  if (column.type == ColumnType::kString) {
    if (column.codes.size() <= row) column.codes.resize(row + 1, -1);
    const char* text =
        readstat_value_is_missing(value, variable) ? nullptr : readstat_string_value(value);
    // Stata has no missing string other than "".
    if (text == nullptr || *text == '\0') return READSTAT_HANDLER_OK;
    auto& index_of_level = context->level_index[static_cast<size_t>(slot)];
    auto [it, inserted] =
        index_of_level.try_emplace(text, static_cast<int32_t>(column.levels.size()));
    if (inserted) column.levels.emplace_back(text);
    column.codes[row] = it->second;
    return READSTAT_HANDLER_OK;
  }
  if (column.num.size() <= row) column.num.resize(row + 1, kMissing);
  // System missing "." and the extended missing values .a to .z all mean
  // "no observation" to a model.
  if (readstat_value_is_missing(value, variable)) return READSTAT_HANDLER_OK;
  double number = kMissing;
  switch (readstat_value_type(value)) {
    case READSTAT_TYPE_INT8:
      number = readstat_int8_value(value);
      break;
    case READSTAT_TYPE_INT16:
      number = readstat_int16_value(value);
      break;
    case READSTAT_TYPE_INT32:
      number = readstat_int32_value(value);
      break;
    case READSTAT_TYPE_FLOAT:
      number = static_cast<double>(readstat_float_value(value));
      break;
    case READSTAT_TYPE_DOUBLE:
      number = readstat_double_value(value);
      break;
    default:
      break;
  }
  if (!std::isfinite(number)) {
    throw Error(
        ErrorCode::kBadData,
        fmt::format("{}: value {} is not a finite number (a model needs finite values)",
                    Where(context->path, context->first_row + obs_index + 1, column.name), number));
  }
  column.num[row] = number;
  return READSTAT_HANDLER_OK;
}

int OnValue(int obs_index, readstat_variable_t* variable, readstat_value_t value, void* raw) {
  auto* context = static_cast<DtaContext*>(raw);
  return Guarded(context, [&] { return StoreValue(obs_index, variable, value, context); });
}

void OnError(const char* message, void* raw) {
  auto* context = static_cast<DtaContext*>(raw);
  if (message == nullptr) return;
  std::string text = message;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (!context->parser_message.empty()) context->parser_message += "; ";
  context->parser_message += text;
}

// Numeric column turned into text, for ReadOptions::string_columns.
void MakeStringColumn(Column* column) {
  std::unordered_map<std::string, int32_t> index_of_level;
  column->codes.assign(column->num.size(), -1);
  for (size_t row_idx = 0; row_idx < column->num.size(); ++row_idx) {
    if (std::isnan(column->num[row_idx])) continue;
    std::string text = data::FormatNumber(column->num[row_idx]);
    auto [it, inserted] =
        index_of_level.try_emplace(text, static_cast<int32_t>(column->levels.size()));
    if (inserted) column->levels.push_back(std::move(text));
    column->codes[row_idx] = it->second;
  }
  column->num = std::vector<double>();
  column->type = ColumnType::kString;
}

// Stata 13 and later (formats 117-119) wrap the file in <stata_dta> tags.
// ReadStat stops reading after the data and value labels it needs, so a file
// cut inside the trailing value labels would pass unnoticed; a missing
// closing tag exposes it.
bool MissesClosingTag(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return false;
  constexpr std::string_view kOpen = "<stata_dta>";
  constexpr std::string_view kClose = "</stata_dta>";
  char head[kOpen.size()] = {};
  char tail[kClose.size()] = {};
  bool tagged = std::fread(head, 1, sizeof head, file) == sizeof head &&
                std::string_view(head, sizeof head) == kOpen;
  bool closed = std::fseek(file, -static_cast<long>(sizeof tail), SEEK_END) == 0 &&
                std::fread(tail, 1, sizeof tail, file) == sizeof tail &&
                std::string_view(tail, sizeof tail) == kClose;
  std::fclose(file);
  return tagged && !closed;
}

int OnHeader(readstat_metadata_t* metadata, void* raw) {
  *static_cast<int64_t*>(raw) = readstat_get_row_count(metadata);
  return READSTAT_HANDLER_ABORT;  // the header is all it needs
}

// The file's row count from its header alone; -1 when it cannot tell (the
// whole parse that follows reports why).
int64_t HeaderRowCount(const std::string& path) {
  int64_t rows = -1;
  std::unique_ptr<readstat_parser_t, void (*)(readstat_parser_t*)> parser(readstat_parser_init(),
                                                                          readstat_parser_free);
  if (parser == nullptr) return -1;
  readstat_set_metadata_handler(parser.get(), OnHeader);
  readstat_parse_dta(parser.get(), path.c_str(), &rows);
  return rows;
}

// With a communicator of several ranks and keep_share, this rank reads rows
// [N r / K, N (r + 1) / K) of the N in the file only (fixed-width records:
// ReadStat seeks to them); returns the first, and the row count to read
// (0: none).
std::pair<int64_t, int64_t> ShareRows(const std::string& path, const ReadOptions& options) {
  const Communicator* comm = options.communicator;
  if (comm == nullptr || comm->size() <= 1 || !options.keep_share) return {0, -1};
  const int64_t total = HeaderRowCount(path);
  if (total < 0) return {0, -1};
  const int64_t first = total * comm->rank() / comm->size();
  const int64_t end = total * (comm->rank() + 1) / comm->size();
  return {first, end - first};
}

// share: ShareRows's (first row, row count), or a count of -1 for the
// whole file.
Table ReadDtaOf(const std::string& path, const ReadOptions& options,
                std::pair<int64_t, int64_t> share);

}  // namespace

Table ReadDta(const std::string& path, const ReadOptions& options) {
  const std::pair<int64_t, int64_t> share = ShareRows(path, options);  // (reads the header once)
  if (share.second < 0) return ReadDtaOf(path, options, share);
  // Read in shares: a rank whose share fails must not leave the others
  // waiting in the next collective, so the ranks pass the failure gate.
  Table table;
  try {
    table = ReadDtaOf(path, options, share);
  } catch (...) {
    PassFailureGate(*options.communicator, std::current_exception());
    throw;
  }
  PassFailureGate(*options.communicator, nullptr);
  // Every rank has its share; the text levels become the file's, in the
  // order a single process meets them (the same columns, in the same order,
  // on every rank: the header's).
  for (Column& column : table.columns)
    if (column.type == ColumnType::kString) io::UnifyLevels(*options.communicator, column);
  return table;
}

namespace {

Table ReadDtaOf(const std::string& path, const ReadOptions& options,
                std::pair<int64_t, int64_t> share_range) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    throw Error(ErrorCode::kFileUnreadable,
                fmt::format("{}: cannot read the file: no such file", path));
  }
  if (std::filesystem::is_directory(status)) {
    throw Error(ErrorCode::kFileUnreadable,
                fmt::format("{}: cannot read the file: it is a directory", path));
  }

  DtaContext context;
  context.options = &options;
  context.path = path;
  context.file_size = static_cast<int64_t>(std::filesystem::file_size(path, ec));
  std::unique_ptr<readstat_parser_t, void (*)(readstat_parser_t*)> parser(readstat_parser_init(),
                                                                          readstat_parser_free);
  if (parser == nullptr) throw Error(ErrorCode::kInternal, "ReadStat: cannot create a parser");
  readstat_set_metadata_handler(parser.get(), OnMetadata);
  readstat_set_variable_handler(parser.get(), OnVariable);
  readstat_set_value_handler(parser.get(), OnValue);
  readstat_set_error_handler(parser.get(), OnError);
  // A share of the rows (MPI, keep_share). ReadStat numbers the rows it
  // hands over from 0 and reads none past the file's end; a limit of 0
  // means "no limit", so an empty share starts past the end.
  const auto [share_first, share_rows] = share_range;
  const bool share = share_rows >= 0;
  if (share) {
    context.first_row = share_first;
    readstat_set_row_offset(parser.get(), share_rows > 0 ? share_first : context.file_size);
    if (share_rows > 0) readstat_set_row_limit(parser.get(), share_rows);
  }
  readstat_error_t result = readstat_parse_dta(parser.get(), path.c_str(), &context);
  if (context.failure) std::rethrow_exception(context.failure);
  // A file with zero rows never reaches the value callback.
  CheckRequestedNames(&context);

  if (!context.unknown_names.empty()) {
    throw Error(ErrorCode::kBadModel, fmt::format("{}: no such column (the file has: {})",
                                                  Where(path, -1, context.unknown_names.front()),
                                                  JoinNames(context.all_names)));
  }
  if (result != READSTAT_OK) {
    std::string detail = readstat_error_message(result);
    if (!context.parser_message.empty()) detail += ": " + context.parser_message;
    throw Error(ErrorCode::kFileUnreadable,
                fmt::format("{}: cannot read as a Stata .dta file (truncated, damaged or another "
                            "format?): {}",
                            path, detail));
  }
  if (MissesClosingTag(path)) {
    throw Error(
        ErrorCode::kFileUnreadable,
        fmt::format("{}: truncated Stata file: the closing </stata_dta> tag is missing", path));
  }
  if (context.expected_rows >= 0 && context.rows_seen < context.expected_rows &&
      !context.columns.empty()) {
    throw Error(ErrorCode::kFileUnreadable,
                fmt::format("{}: truncated Stata file: the header announces {} rows, only {} "
                            "could be read",
                            path, context.expected_rows, context.rows_seen));
  }

  Table table;
  table.source = path;
  // A share: its text levels are its own until ReadDta unifies them.
  table.is_share = share;
  table.share_first_row = static_cast<size_t>(share_first);
  table.num_rows =
      static_cast<size_t>(context.expected_rows >= 0 ? context.expected_rows : context.rows_seen);
  for (Column& column : context.columns) {
    // Trailing missing values may not have been stored (the vectors grow on
    // demand), so pad to the table length.
    if (column.type == ColumnType::kString) {
      column.codes.resize(table.num_rows, -1);
    } else {
      column.num.resize(table.num_rows, kMissing);
    }
    if (column.type == ColumnType::kNumeric &&
        std::find(options.string_columns.begin(), options.string_columns.end(), column.name) !=
            options.string_columns.end()) {
      MakeStringColumn(&column);
    }
  }
  // Columns in the order the caller asked for, as ReadCsv does.
  if (options.columns.empty()) {
    table.columns = std::move(context.columns);
  } else {
    std::unordered_set<std::string> taken;
    for (const std::string& name : options.columns) {
      if (!taken.insert(name).second) continue;
      for (Column& column : context.columns) {
        if (column.name == name) table.columns.push_back(std::move(column));
      }
    }
  }
  return table;
}

}  // namespace

}  // namespace mizani

// The reader dispatch by file extension (ReadTable).
#include "io/formats.h"

#include <fmt/format.h>

#include "common/strings.h"
#include "io/encoding.h"
#include "mizani/error.h"

namespace mizani {
namespace io {

const std::vector<TableFormat>& TableFormats() {
  // Gzip is recognised by content (ReadCsv), so ".gz" only widens the match.
  static const std::vector<TableFormat> kFormats = {
      {"CSV", {".csv", ".tsv", ".txt", ".dlm"}, true, &ReadCsv},
      {"Stata", {".dta"}, false, &ReadDta},
  };
  return kFormats;
}

const TableFormat* FindTableFormat(const std::string& path) {
  const std::string lower = Lowercase(path);
  for (const TableFormat& format : TableFormats()) {
    for (std::string_view extension : format.extensions) {
      if (EndsWith(lower, extension) ||
          (format.gzip && EndsWith(lower, std::string(extension) + ".gz"))) {
        return &format;
      }
    }
  }
  return nullptr;
}

namespace {

// "expected .csv, .csv.gz or .dta (also read: .tsv, .txt, .dlm, optionally
// gzipped)": the usual extension of each format first, the others after.
std::string ExpectedExtensions() {
  std::vector<std::string> usual;
  std::vector<std::string> others;
  bool any_gzip = false;
  for (const TableFormat* format = TableFormats().data();
       format != TableFormats().data() + TableFormats().size(); ++format) {
    usual.emplace_back(format->extensions.front());
    if (format->gzip) usual.push_back(std::string(format->extensions.front()) + ".gz");
    for (size_t ext_idx = 1; ext_idx < format->extensions.size(); ++ext_idx) {
      others.emplace_back(format->extensions[ext_idx]);
    }
    any_gzip = any_gzip || format->gzip;
  }
  std::string text = usual.back();
  if (usual.size() > 1) {
    usual.pop_back();
    text = JoinNames(usual) + " or " + text;
  }
  if (!others.empty()) {
    text += fmt::format(" (also read: {}{})", JoinNames(others),
                        any_gzip ? ", optionally gzipped" : "");
  }
  return text;
}

}  // namespace
}  // namespace io

std::optional<TextEncoding> ParseTextEncoding(const std::string& name) {
  const std::string lower = Lowercase(name);
  if (lower == "utf8" || lower == "utf-8") return TextEncoding::kUtf8;
  if (lower == "latin1" || lower == "latin-1" || lower == "iso-8859-1")
    return TextEncoding::kLatin1;
  return std::nullopt;
}

Table ReadTable(const std::string& path, const ReadOptions& options) {
  const io::TableFormat* format = io::FindTableFormat(path);
  if (format == nullptr) {
    throw Error(ErrorCode::kFileUnreadable, fmt::format("{}: unknown file format, expected {}",
                                                        path, io::ExpectedExtensions()));
  }
  auto read = [&](const ReadOptions& read_options) {
    Table table = format->read(path, read_options);
    io::CheckText(&table, read_options.encoding);
    return table;
  };
  if (!options.columns_may_be_absent || options.columns.empty()) return read(options);
  try {
    return read(options);
  } catch (const Error& error) {
    // An unknown name in a guessed list (kBadModel): read every column.
    if (error.code() != ErrorCode::kBadModel) throw;
  }
  ReadOptions all_columns = options;
  all_columns.columns.clear();
  return read(all_columns);
}

}  // namespace mizani

// CSV writing (WriteCsv): text always quoted, numbers in the shortest form
// that reads back to the same double.
#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "common/strings.h"
#include "data/text.h"
#include "mizani/error.h"
#include "mizani/read.h"

namespace mizani {

void WriteCsv(const Table& table, const std::string& path) {
  // Written beside the target and renamed into place: a failure never
  // leaves half a file, and an existing file is replaced only by a whole one.
  const std::string temp = fmt::format("{}.tmp-{}", path, ::getpid());
  const bool gzip = EndsWith(Lowercase(path), ".gz");
  std::FILE* file = gzip ? nullptr : std::fopen(temp.c_str(), "wb");
  gzFile gz_file = gzip ? gzopen(temp.c_str(), "wb6") : nullptr;
  if (file == nullptr && gz_file == nullptr) {
    throw Error(ErrorCode::kOutputFailed,
                fmt::format("{}: cannot write the file: {}", path, std::strerror(errno)));
  }
  std::string buffer;
  buffer.reserve(size_t{1} << 20);
  bool write_failed = false;
  auto flush = [&] {
    if (buffer.empty()) return;
    const bool written =
        gzip ? gzwrite(gz_file, buffer.data(), static_cast<unsigned>(buffer.size())) ==
                   static_cast<int>(buffer.size())
             : std::fwrite(buffer.data(), 1, buffer.size(), file) == buffer.size();
    if (!written) write_failed = true;
    buffer.clear();
  };
  // Text is always quoted, as R's write.csv does: a code like "NA" (Namibia)
  // then never reads back as missing.
  auto append_quoted = [&](std::string_view text) {
    buffer.push_back('"');
    for (char symbol : text) {
      if (symbol == '"') buffer.push_back('"');
      buffer.push_back(symbol);
    }
    buffer.push_back('"');
  };
  for (size_t column_idx = 0; column_idx < table.columns.size(); ++column_idx) {
    if (column_idx > 0) buffer.push_back(',');
    append_quoted(table.columns[column_idx].name);
  }
  buffer.push_back('\n');
  for (size_t row_idx = 0; row_idx < table.num_rows && !write_failed; ++row_idx) {
    for (size_t column_idx = 0; column_idx < table.columns.size(); ++column_idx) {
      if (column_idx > 0) buffer.push_back(',');
      const Column& column = table.columns[column_idx];
      if (column.type == ColumnType::kNumeric) {
        // Integers exactly, other values in the shortest text that reads
        // back to the same double; missing as an empty field.
        data::AppendNumber(column.values()[row_idx], &buffer);
      } else if (column.codes[row_idx] >= 0) {
        append_quoted(column.levels[static_cast<size_t>(column.codes[row_idx])]);
      }
    }
    buffer.push_back('\n');
    if (buffer.size() > (size_t{1} << 20) - 4096) flush();
  }
  flush();
  if (gzip ? gzclose(gz_file) != Z_OK : std::fclose(file) != 0) write_failed = true;
  int error = errno;
  if (!write_failed && std::rename(temp.c_str(), path.c_str()) != 0) {
    error = errno;
    write_failed = true;
  }
  if (write_failed) {
    std::remove(temp.c_str());
    throw Error(ErrorCode::kOutputFailed,
                fmt::format("{}: cannot write the file: {}", path, std::strerror(error)));
  }
}

}  // namespace mizani

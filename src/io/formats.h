// The table formats ReadTable knows, as one table: a new input format is a
// reader in its own file plus one row in formats.cc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mizani/read.h"

namespace mizani::io {

using TableReader = Table (*)(const std::string& path, const ReadOptions& options);

struct TableFormat {
  std::string_view name;                     // "CSV", for messages
  std::vector<std::string_view> extensions;  // lowercase, the usual one first
  bool gzip = false;                         // also read with ".gz" appended
  TableReader read = nullptr;
};

// In the order ReadTable tries them.
const std::vector<TableFormat>& TableFormats();

// The format whose extension ends `path` (case-insensitive), or nullptr.
const TableFormat* FindTableFormat(const std::string& path);

}  // namespace mizani::io

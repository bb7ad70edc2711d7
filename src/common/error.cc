#include "mizani/error.h"

#include <fmt/format.h>

namespace mizani {

std::string Where(const std::string& file, int64_t row, const std::string& column) {
  std::string out = file;
  if (row >= 0) out += fmt::format(": row {}", row);
  if (!column.empty()) out += fmt::format("{} column '{}'", row >= 0 ? "," : ":", column);
  return out;
}

}  // namespace mizani

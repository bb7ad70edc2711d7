#include "output.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "mizani/error.h"

namespace mizani::cli {

void WriteText(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return;
  }
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    throw Error(ErrorCode::kOutputFailed,
                fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
  const size_t written = std::fwrite(text.data(), 1, text.size(), file);
  const bool ok = written == text.size() && std::fclose(file) == 0;
  if (!ok) throw Error(ErrorCode::kOutputFailed, fmt::format("cannot write {}: disk full?", path));
}

}  // namespace mizani::cli

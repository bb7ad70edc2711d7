#include "output.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

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

CLI::Validator WholeNumberAtLeast(int64_t minimum) {
  return CLI::Validator(
      [minimum](const std::string& text) -> std::string {
        errno = 0;
        char* end = nullptr;
        const long long value = std::strtoll(text.c_str(), &end, 10);
        if (end == text.c_str() || *end != '\0' || errno == ERANGE || value < minimum) {
          return fmt::format("must be a whole number >= {}, got '{}'", minimum, text);
        }
        return {};
      },
      fmt::format("INT>={}", minimum));
}

CLI::Validator PositiveFinite() {
  // NaN compares false with everything: a NaN tolerance would never be met.
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != '\0' || !std::isfinite(value) || value <= 0) {
          return fmt::format("must be a positive finite number, got '{}'", text);
        }
        return {};
      },
      "POSITIVE");
}

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)),
      terminal_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

void ProgressBar::Update(int done, int total) {
  const auto now = std::chrono::steady_clock::now();
  const auto interval = terminal_ ? std::chrono::milliseconds(200) : std::chrono::seconds(5);
  const bool last = done >= total;
  if (!last && now - last_ < interval) return;
  last_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  if (terminal_) {
    constexpr int kWidth = 30;
    const int filled = total > 0 ? kWidth * done / total : kWidth;
    std::fprintf(stderr, "\rmizani: %s [%s%s] %d/%d  %.1f s", label_.c_str(),
                 std::string(filled, '#').c_str(), std::string(kWidth - filled, '.').c_str(), done,
                 total, seconds);
    if (last) std::fprintf(stderr, "\n");
  } else {
    std::fprintf(stderr, "mizani: %s %d/%d (%.1f s)\n", label_.c_str(), done, total, seconds);
  }
  std::fflush(stderr);
}

}  // namespace mizani::cli

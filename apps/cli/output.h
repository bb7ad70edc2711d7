// Writing command output to stdout or a file.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <string>

namespace mizani::cli {

// "-" or empty: stdout. Throws Error(kOutputFailed) naming the path.
void WriteText(const std::string& path, const std::string& text);

// Option checks with plain messages ("--threads must be a whole number >= 1,
// got 0"); CLI11 reports them as usage errors (exit 2).
CLI::Validator WholeNumberAtLeast(int64_t minimum);
CLI::Validator PositiveFinite();

// Progress of a counted task on stderr; every line starts with "mizani:".
// On a terminal one line redrawn in place at most five times a second; in a
// log file (stderr not a terminal) whole lines, at most one every five
// seconds, plus the last one.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  void Update(int done, int total);

 private:
  std::string label_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace mizani::cli

#include "mizani/trace.h"

#include <chrono>
#include <cstdio>

namespace mizani {

namespace {

// VmRSS and VmHWM in MiB, or -1 where /proc is not available.
void ReadMemory(double* rss_mib, double* peak_mib) {
  *rss_mib = -1;
  *peak_mib = -1;
  std::FILE* status = std::fopen("/proc/self/status", "r");
  if (status == nullptr) return;
  char line[256];
  while (std::fgets(line, sizeof line, status) != nullptr) {
    long kib = 0;
    if (std::sscanf(line, "VmRSS: %ld kB", &kib) == 1) *rss_mib = static_cast<double>(kib) / 1024;
    if (std::sscanf(line, "VmHWM: %ld kB", &kib) == 1) *peak_mib = static_cast<double>(kib) / 1024;
  }
  std::fclose(status);
}

void Print(std::string_view label) {
  using Clock = std::chrono::steady_clock;
  static const Clock::time_point start = Clock::now();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  double rss = 0, peak = 0;
  ReadMemory(&rss, &peak);
  std::fprintf(stderr, "trace %8.3f s  rss %7.1f MiB  peak %7.1f MiB  %.*s\n", seconds, rss, peak,
               static_cast<int>(label.size()), label.data());
}

}  // namespace

void Trace(std::string_view label) {
  if (TraceLevel() >= 1) Print(label);
}

void TraceDetail(std::string_view label) {
  if (TraceLevel() >= 2) Print(label);
}

}  // namespace mizani

#include "mizani/settings.h"

#include <algorithm>
#include <atomic>

#include "mizani/trace.h"

namespace mizani {

namespace {

Settings& Stored() {
  static Settings settings;
  return settings;
}

std::atomic<int>& StoredTraceLevel() {
  static std::atomic<int> level{0};
  return level;
}

std::atomic<bool>& StoredHugePages() {
  static std::atomic<bool> advised{false};
  return advised;
}

}  // namespace

void ApplySettings(const Settings& settings) {
  Stored() = settings;
  Stored().trace_level = std::clamp(settings.trace_level, 0, 2);
  StoredTraceLevel().store(Stored().trace_level, std::memory_order_relaxed);
  StoredHugePages().store(settings.huge_pages, std::memory_order_relaxed);
}

const Settings& CurrentSettings() { return Stored(); }

// Here rather than in trace.cc: the level is one of the settings.
int TraceLevel() { return StoredTraceLevel().load(std::memory_order_relaxed); }

bool HugePagesAdvised() { return StoredHugePages().load(std::memory_order_relaxed); }

}  // namespace mizani

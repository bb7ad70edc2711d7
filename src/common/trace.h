// Phase trace for profiling. With the environment variable MIZANI_TRACE=1,
// Trace("label") prints the wall time since the first trace point, the
// resident memory and its peak so far (from /proc/self/status) to stderr;
// MIZANI_TRACE=2 adds the detail points (every projection, the steps inside
// an IRLS iteration). Without it a trace point costs one cached test.
#pragma once

#include <string_view>

namespace mizani {

// 0 (off), 1 (phases) or 2 (details), read once from MIZANI_TRACE.
int TraceLevel();
inline bool TraceEnabled() { return TraceLevel() >= 1; }

void Trace(std::string_view label);
// A detail point: printed at level 2 only.
void TraceDetail(std::string_view label);

}  // namespace mizani

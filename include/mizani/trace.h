// Phase trace for profiling. At trace level 1 (Settings::trace_level, which
// the command sets from MIZANI_TRACE), Trace("label") prints the wall time
// since the first trace point, the resident memory and its peak so far (from
// /proc/self/status) to stderr; level 2 adds the detail points (every
// projection, the steps inside an IRLS iteration). Off, a trace point costs
// one relaxed load.
#pragma once

#include <string_view>

namespace mizani {

// 0 (off), 1 (phases) or 2 (details), from mizani/settings.h.
int TraceLevel();
inline bool TraceEnabled() { return TraceLevel() >= 1; }

void Trace(std::string_view label);
// A detail point: printed at level 2 only.
void TraceDetail(std::string_view label);

}  // namespace mizani

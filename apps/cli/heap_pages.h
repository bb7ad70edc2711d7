// The command restarting itself with huge pages for glibc's heap
// (heap_pages.cc).
#pragma once

namespace mizani::cli {

// Returns only when no restart is wanted or the restart failed; otherwise
// the process continues as a new image of itself with the same arguments.
void StartWithHugePageHeap(char** argv);

}  // namespace mizani::cli

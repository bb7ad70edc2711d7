// Transparent huge pages for the command's process (heap_pages.cc): off
// by default; with MIZANI_HEAP_HUGE_PAGES=1, on, glibc's heap included (the
// command restarts itself with them).
#pragma once

namespace mizani::cli {

// Turns huge pages off for this process, or (MIZANI_HEAP_HUGE_PAGES=1)
// restarts it with them. Returns only when no restart is wanted or the
// restart failed; otherwise the process continues as a new image of itself
// with the same arguments.
void SetUpHugePages(char** argv);

// Whether this process asks the kernel for no transparent huge pages (for
// the trace).
bool HugePagesOff();

}  // namespace mizani::cli

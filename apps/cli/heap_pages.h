// Transparent huge pages for the command's process (heap_pages.cc): on for
// a data file of several gigabytes per process, or of 16 MiB and more where
// a 4 KiB page fault costs 2 us or more (timed at start), off otherwise, or
// as MIZANI_HEAP_HUGE_PAGES says (1 on, 0 off); when on, glibc's heap
// included (the command restarts itself with them).
#pragma once

#include <string>

namespace mizani::cli {

// Turns huge pages off for this process, or restarts it with them. Returns only when no restart is
// wanted or the restart failed; otherwise the process continues as a new image of itself with the
// same arguments.
void SetUpHugePages(char** argv);

// The choice SetUpHugePages made and why ("off: 0.08 GB of data per
// process, below 6.44 GB"), for the trace; empty off Linux.
const std::string& HugePagesReason();

// Whether this process asks the kernel for no transparent huge pages (for
// the trace).
bool HugePagesOff();

}  // namespace mizani::cli

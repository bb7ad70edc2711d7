// Transparent huge pages for the command's own process: off by default,
// on with MIZANI_HEAP_HUGE_PAGES=1.
//
// Why off. On this project's machines (virtual machines whose hypervisor
// takes back free guest memory in 2 MiB blocks), a huge page first touched
// in a block the hypervisor took back costs milliseconds: 300 MB touched
// once took 0.84-1.74 s in huge pages against 0.13-0.19 s in 4 KiB pages,
// and 0.03 s in huge pages the process had just freed (bench/README.md,
// "Huge pages on a cold machine", session 16). Measured on the 2.5M-row
// panels, each run right after R's (the pairing of the benchmark), the
// three-way fit on the third process took a median 0.86 s without huge
// pages and 1.03 s with them (5 runs each), and 20M rows 6.0-7.5 s
// against 8.2-8.9 s (system time 1.8 s against 4.8-5.0 s). In session 14,
// on a host that charged less, huge pages halved the page faults and saved
// 15-25%: which is faster depends on the host, and without them the time
// varies much less. So the process asks the kernel for none
// (PR_SET_THP_DISABLE, kept across exec and by children): the advice of
// the large blocks and the CSV reader's blocks (large_blocks.cc,
// io/chunk_memory.h) is then ignored too.
//
// With MIZANI_HEAP_HUGE_PAGES=1 the blocks are advised, and glibc's heap
// (memory below the mmap threshold, which main() sets to 4 MiB: level
// arrays, row masks, hash tables, the CSV reader's small blocks) gets huge
// pages too: glibc asks for them only under the tunable
// glibc.malloc.hugetlb=1 (glibc 2.35 and later), read from GLIBC_TUNABLES
// before main() runs, so the command sets it and starts itself again once,
// with the same arguments and process id. Measured in session 14 with the
// reader's huge blocks: 27,964 faults instead of 54,660 on the two-way fit
// on the third process; the two-way fit 1.44 s instead of 1.90 s (medians
// of 7 pairs). Only the commands that hold panels of millions of rows
// restart (estimate, simulate, synth, baseline): a restart costs one more
// start of the program, some 25 ms with the MPI libraries loaded. No
// restart when the user set the tunable (either way), when the kernel has
// huge pages off ("never"), under a sanitizer, or off glibc. A failed exec
// leaves everything as it was and the command runs on.
#include "heap_pages.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

namespace mizani::cli {
namespace {

constexpr const char* kTunable = "glibc.malloc.hugetlb=1";

bool KernelOffersHugePages() {
  std::ifstream mode("/sys/kernel/mm/transparent_hugepage/enabled");
  const std::string text{std::istreambuf_iterator<char>(mode), std::istreambuf_iterator<char>()};
  return !text.empty() && text.find("[never]") == std::string::npos;
}

// Whether an argument names one of the commands above (global flags may
// come before it).
bool HoldsLargePanels(char** argv) {
  constexpr std::array<const char*, 4> kCommands = {"estimate", "simulate", "synth", "baseline"};
  for (char** arg = argv + 1; *arg != nullptr; ++arg) {
    for (const char* command : kCommands) {
      if (std::strcmp(*arg, command) == 0) return true;
    }
  }
  return false;
}

}  // namespace

void SetUpHugePages(char** argv) {
#if defined(__linux__)
  const char* wanted = std::getenv("MIZANI_HEAP_HUGE_PAGES");
  if (wanted == nullptr || std::strcmp(wanted, "1") != 0) {
    prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
    return;
  }
#endif
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  if (argv == nullptr || argv[0] == nullptr || !HoldsLargePanels(argv)) return;
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  const std::string before = tunables != nullptr ? tunables : "";
  if (before.find("glibc.malloc.hugetlb") != std::string::npos) return;
  if (!KernelOffersHugePages()) return;
  const std::string after = before.empty() ? kTunable : before + ":" + kTunable;
  if (setenv("GLIBC_TUNABLES", after.c_str(), 1) != 0) return;
  execv("/proc/self/exe", argv);
  // Still here: the exec failed; the environment goes back as it was.
  if (tunables != nullptr) {
    setenv("GLIBC_TUNABLES", before.c_str(), 1);
  } else {
    unsetenv("GLIBC_TUNABLES");
  }
#else
  (void)argv;
#endif
}

bool HugePagesOff() {
#if defined(__linux__)
  return prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1;
#else
  return false;
#endif
}

}  // namespace mizani::cli

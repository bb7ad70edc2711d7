// Transparent huge pages for the heap of the command's own process.
//
// glibc gives the heap (memory below the mmap threshold, which main() sets
// to 4 MiB: level arrays, row masks, hash tables, the CSV reader's small
// blocks) 4 KiB pages; a 2.5M-row fit takes some 45,000-55,000 page
// faults, and on a virtual machine each costs microseconds. glibc asks the kernel for huge
// pages on its heap and its mappings only under the tunable
// glibc.malloc.hugetlb=1 (glibc 2.35 and later), which it reads from
// GLIBC_TUNABLES before main() runs: so the command sets it and starts
// itself again once, with the same arguments and process id. Measured on
// the 2.5M-row panels of bench/README.md (with the reader's huge blocks,
// io/chunk_memory.h): 27,964 faults instead of 54,660 on the two-way fit
// on the third process, 22,829 instead of 43,123 on the hurdle three-way
// fit; the two-way fit 1.44 s instead of 1.90 s (medians of 7 pairs, the
// tunable set by hand), peak memory 1% higher.
//
// Only the commands that hold panels of millions of rows restart (estimate,
// simulate, synth, baseline): a restart costs one more start of the
// program, some 25 ms with the MPI libraries loaded, which a small command
// would notice. Nothing is done when the user set the tunable (either way), when
// MIZANI_HEAP_HUGE_PAGES=0, when the kernel has huge pages off ("never"),
// under a sanitizer, or off glibc. A failed exec leaves everything as it
// was and the command runs on.
#include "heap_pages.h"

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

void StartWithHugePageHeap(char** argv) {
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  const char* off = std::getenv("MIZANI_HEAP_HUGE_PAGES");
  if (off != nullptr && std::strcmp(off, "0") == 0) return;
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

}  // namespace mizani::cli

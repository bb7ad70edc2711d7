// Transparent huge pages for the command's own process: chosen per run
// from the size of the data it reads and, below kAutoBytes, from what a
// page fault costs on the machine (kSlowFaultMicros), or forced with
// MIZANI_HEAP_HUGE_PAGES=1 (on) or 0 (off).
//
// Why not always. On this project's machines (virtual machines whose
// hypervisor takes back free guest memory in 2 MiB blocks), a huge page first
// touched in a block the hypervisor took back costs milliseconds: 300 MB
// touched once took 0.84-1.74 s in huge pages against 0.13-0.19 s in 4 KiB
// pages, and 0.03 s in huge pages the process had just freed (bench/README.md,
// "Huge pages on a cold machine", session 16). Measured on the 2.5M-row
// panels, each run right after R's (the pairing of the benchmark), the
// three-way fit on the third process took a median 0.86 s without huge
// pages and 1.03 s with them (5 runs each), and 20M rows 6.0-7.5 s against
// 8.2-8.9 s (system time 1.8 s against 4.8-5.0 s); 50M rows (a 4.1 GB file)
// 16.5-17.1 s against 18.6-19.7 s (session 17, 3 runs each). Why not never:
// at 100M rows (an 8.3 GB file) huge pages were faster, 33.4 s against
// 39.4-41.6 s (session 16), as the user time saved on address translation
// outgrows the system time. So a run whose data file holds at least
// kAutoBytes per process (its size on disk, a .csv.gz counted compressed,
// over the ranks of an MPI launch, each of which reads its share) gets huge
// pages; any other asks the kernel for none (PR_SET_THP_DISABLE, kept
// across exec and by children), and the advice of the large blocks and of
// the CSV reader's blocks (large_blocks.cc, Settings::huge_pages) is then
// neither given nor taken.
//
// With huge pages on, the blocks are advised, and glibc's heap (memory below
// the mmap threshold, which main() sets to 4 MiB: level arrays, row masks,
// hash tables, the CSV reader's small blocks) gets huge pages too: glibc
// asks for them only under the tunable glibc.malloc.hugetlb=1 (glibc 2.35
// and later), read from GLIBC_TUNABLES before main() runs, so the command
// sets it and starts itself again once, with the same arguments and process
// id (the new image makes the same choice, and finds the tunable set).
// Measured in session 14 with the reader's huge blocks: 27,964 faults
// instead of 54,660 on the two-way fit on the third process; the two-way
// fit 1.44 s instead of 1.90 s (medians of 7 pairs). Only the commands that
// hold panels of millions of rows restart (estimate, simulate, synth,
// baseline): a restart costs one more start of the program, some 25 ms with
// the MPI libraries loaded. No restart when the user set the tunable (either
// way), when the kernel has huge pages off ("never"), under a sanitizer, or
// off glibc. A failed exec leaves everything as it was and the command runs
// on.
#include "heap_pages.h"

#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

namespace mizani::cli {
namespace {

constexpr const char* kTunable = "glibc.malloc.hugetlb=1";

// Data per process from which huge pages pay (see above): between the 4.1 GB
// file where they cost 10% and the 8.3 GB one where they saved 15-20%.
constexpr int64_t kAutoBytes = int64_t{6} << 30;

// Below kAutoBytes, huge pages are still taken where a 4 KiB page fault
// costs at least kSlowFaultMicros (FaultMicros), for files of at least
// kProbeBytes per process (smaller ones fault too little to repay the
// restart). Why: on the machines of session 26 (a guest whose page tables
// the hypervisor keeps, as PVM does: each write to them traps) the first
// touch of a 4 KiB page took 10.5-16.5 us (20 probes) wherever the memory
// came from (128 MiB touched four times over in one process: 11.5-11.8 us a
// page each time), against 0.3-0.4 us per 4 KiB for a huge page just freed
// and 4.9-7.2 us for a cold one; the third process's three-way fit at 2.5M
// rows made 71,318 faults without huge pages and 19,889 with them, and took
// 0.78-0.85 s against 1.15-1.19 s (bench/README.md, session 26). On the
// machines of sessions 14-25 a 4 KiB fault cost about 0.5 us (300 MB in
// 0.13-0.19 s), far below the bar, so the choice there stays as above. On
// session 32's machine (a guest of another kind: AMD EPYC at 2.45 GHz,
// 21 GB/s) a fault took 2.9-4.9 us (8 probes), below the 5 us bar this
// constant had until then, and huge pages paid there too: paired runs
// (medians of the pairs' ratios) took 0.897 of the time on `synth`'s
// two-way fit and 0.867 on its three-way fit at 2.5M rows (7 pairs each),
// 0.834 on the hurdle file's two-way fit at 19.6M rows (2 pairs); so the
// bar is 2 us, four times the cost where they did not pay.
constexpr int64_t kProbeBytes = int64_t{16} << 20;
constexpr double kSlowFaultMicros = 2.0;

// Environment variable by which the process hands its choice to the image
// it restarts as (SetUpHugePages), so that the new image need not measure
// again and cannot choose differently. Removed once read.
constexpr const char* kChosen = "MIZANI_HEAP_HUGE_PAGES_CHOSEN";

// The choice, and why (the first trace line says it).
std::string& Reason() {
  static std::string reason;
  return reason;
}

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

// The file after -d or --data (or --data=FILE); null when none is named.
const char* DataFile(char** argv) {
  for (char** arg = argv + 1; *arg != nullptr; ++arg) {
    if ((std::strcmp(*arg, "-d") == 0 || std::strcmp(*arg, "--data") == 0) && arg[1] != nullptr)
      return arg[1];
    if (std::strncmp(*arg, "--data=", 7) == 0) return *arg + 7;
  }
  return nullptr;
}

// How many processes the launcher started: mpirun's, a PMI launcher's, or
// the tasks of a Slurm step (srun; not SLURM_NTASKS, which a batch script
// running one process also has); 1 outside a launch.
int64_t LaunchedProcesses() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"}) {
    const char* value = std::getenv(name);
    if (value == nullptr) continue;
    char* end = nullptr;
    const long long count = std::strtoll(value, &end, 10);
    if (end != value && *end == '\0' && count >= 1) return count;
  }
  return 1;
}

std::string Gigabytes(int64_t bytes) {
  return fmt::format("{:.2f} GB", static_cast<double>(bytes) / 1e9);
}

// Microseconds the first touch of a 4 KiB page (anonymous memory, never a
// huge page) takes in this process: 64 pages timed together, some 0.75 ms
// where a fault costs 11 us.
double FaultMicros() {
  constexpr size_t kPages = 64;
  const long page = sysconf(_SC_PAGESIZE);
  if (page <= 0) return 0;
  const size_t bytes = kPages * static_cast<size_t>(page);
  void* block = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (block == MAP_FAILED) return 0;
  madvise(block, bytes, MADV_NOHUGEPAGE);
  volatile char* touch = static_cast<char*>(block);
  const auto start = std::chrono::steady_clock::now();
  for (size_t offset = 0; offset < bytes; offset += static_cast<size_t>(page)) touch[offset] = 1;
  const std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - start;
  munmap(block, bytes);
  return took.count() / kPages;
}

// Whether the run is large enough for huge pages, with the reason; the
// fault probe is taken only for the commands that hold panels.
bool LargeEnough(char** argv, std::string* reason) {
  const char* file = argv != nullptr && argv[0] != nullptr ? DataFile(argv) : nullptr;
  struct stat info {};
  if (file == nullptr || stat(file, &info) != 0 || !S_ISREG(info.st_mode)) {
    *reason = "no data file to size";
    return false;
  }
  const int64_t per_process = static_cast<int64_t>(info.st_size) / LaunchedProcesses();
  const bool large = per_process >= kAutoBytes;
  *reason = fmt::format("{} of data per process, {} {}", Gigabytes(per_process),
                        large ? "at least" : "below", Gigabytes(kAutoBytes));
  if (large || per_process < kProbeBytes || !HoldsLargePanels(argv)) return large;
  const double micros = FaultMicros();
  const bool slow = micros >= kSlowFaultMicros;
  *reason = fmt::format("{}, and a 4 KiB page fault took {:.1f} us ({} {:.0f} us)", *reason, micros,
                        slow ? "at least" : "below", kSlowFaultMicros);
  return slow;
}

}  // namespace

void SetUpHugePages(char** argv) {
#if defined(__linux__)
  const char* wanted = std::getenv("MIZANI_HEAP_HUGE_PAGES");
  const bool forced_on = wanted != nullptr && std::strcmp(wanted, "1") == 0;
  const bool forced_off = wanted != nullptr && std::strcmp(wanted, "0") == 0;
  std::string reason;
  // The image this process restarted as: the first image's choice stands.
  const char* chosen = std::getenv(kChosen);
  const bool handed = chosen != nullptr && !forced_on && !forced_off;
  if (handed) reason = chosen;
  if (chosen != nullptr) unsetenv(kChosen);
  const bool on = forced_on || handed || (!forced_off && LargeEnough(argv, &reason));
  Reason() = forced_on    ? "on: MIZANI_HEAP_HUGE_PAGES=1"
             : forced_off ? "off: MIZANI_HEAP_HUGE_PAGES=0"
                          : fmt::format("{}: {}", on ? "on" : "off", reason);
  if (!on) {
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
  if (!forced_on) setenv(kChosen, reason.c_str(), 1);
  execv("/proc/self/exe", argv);
  // Still here: the exec failed; the environment goes back as it was.
  unsetenv(kChosen);
  if (tunables != nullptr) {
    setenv("GLIBC_TUNABLES", before.c_str(), 1);
  } else {
    unsetenv("GLIBC_TUNABLES");
  }
#else
  (void)argv;
#endif
}

const std::string& HugePagesReason() { return Reason(); }

bool HugePagesOff() {
#if defined(__linux__)
  return prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1;
#else
  return false;
#endif
}

}  // namespace mizani::cli

#include "environment.h"

#include <cstdio>
#include <cstdlib>

#include "mizani/machine.h"

namespace mizani::cli {

namespace {

std::string Variable(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// MIZANI_TRACE: unset, empty or "0" is off; 2 or more is details; any other
// value is phases.
int TraceLevelOf(const std::string& value) {
  if (value.empty()) return 0;
  if (std::atoi(value.c_str()) >= 2) return 2;
  return value[0] == '0' ? 0 : 1;
}

}  // namespace

Environment ReadEnvironment() {
  Environment environment;
  environment.settings.trace_level = TraceLevelOf(Variable("MIZANI_TRACE"));
  environment.settings.web_dir = Variable("MIZANI_WEB_DIR");
  environment.settings.data_variable = Variable("MIZANI_DATA");
  environment.shared_data_dir = Variable("MIZANI_SHARED_DATA");
  if (environment.shared_data_dir.empty()) environment.shared_data_dir = "../shared/data";
  return environment;
}

void WarnIfThreadsShareCpus(int threads) {
  const int available = ProcessorsAvailable();
  if (threads <= available) return;
  std::fprintf(stderr,
               "mizani: warning: --threads %d, but this process may run on %d CPU(s) (its "
               "affinity, set by taskset, a cpuset, or mpirun, which binds each rank to one core "
               "when it starts one or two): the threads will take turns. Under mpirun give each "
               "rank its cores: --bind-to none, or --map-by slot:PE=%d\n",
               threads, available, threads);
}

}  // namespace mizani::cli

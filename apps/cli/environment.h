// The command's environment variables, read once at start-up (docs/cli.md
// lists them): the library takes the same values as settings and options,
// never from the environment itself.
#pragma once

#include <string>

#include "mizani/settings.h"

namespace mizani::cli {

struct Environment {
  Settings settings;  // MIZANI_TRACE, MIZANI_WEB_DIR, MIZANI_DATA
  // MIZANI_SHARED_DATA, or ../shared/data: where `pe` and `baseline` look
  // for the shared data sets when --data-dir is not given.
  std::string shared_data_dir;
};

Environment ReadEnvironment();

// Warns on stderr when --threads asks for more threads than the CPUs the
// process may run on (common/cpu_features.h, ProcessorsAvailable): they
// would take turns, as under mpirun, which binds each rank to one core when
// it starts one or two (measured: a one-rank fit with --threads 2 took 1.50 s
// bound, 1.06 s with --bind-to none). 0 (the default) never warns.
void WarnIfThreadsShareCpus(int threads);

}  // namespace mizani::cli

// What the library sees of the machine it runs on, for hosts that size
// their own work (the command's thread warning, apps/cli/environment.cc).
#pragma once

namespace mizani {

// How many CPUs this process may run on: its affinity mask, which taskset,
// a cgroup's cpuset or an MPI launcher's binding narrow (mpirun binds each
// rank to one core when it starts one or two), else all the machine's; at
// least 1. Asked once. Options' thread counts of 0 mean this many.
int ProcessorsAvailable();

}  // namespace mizani

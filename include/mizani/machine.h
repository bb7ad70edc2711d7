// What the library sees of the machine it runs on, and the thread count an
// option's 0 stands for; for hosts that size their own work too (the
// command's thread trace and warning, apps/cli).
#pragma once

namespace mizani {

// How many CPUs this process may run on: its affinity mask, which taskset,
// a cgroup's cpuset or an MPI launcher's binding narrow (mpirun binds each
// rank to one core when it starts one or two), else all the machine's; at
// least 1. Asked once.
int ProcessorsAvailable();

// A thread count as options give it: positive as asked, 0 (every option's
// default) one per CPU the process may run on, so a rank that mpirun bound
// to a core, or a run under taskset, starts no more threads than it has
// CPUs.
inline int ResolveThreads(int requested) {
  return requested > 0 ? requested : ProcessorsAvailable();
}

}  // namespace mizani

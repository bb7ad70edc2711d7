// Threads kept for ParallelFor (parallel.h): a fork-join call hands its
// tasks 1..k-1 to parked workers instead of starting a thread for each.
//
// Why: the three-way fit of 2.5M rows makes about 350 fork-join calls (every
// projection pass, row pass and reduction), and starting and joining a
// thread took 51-57 us on the 2-core benchmark machine (a guest whose
// hypervisor keeps the page tables), with a madvise of the stack at each
// thread's exit. With the workers kept, that fit took 0.95 of the wall time
// and the other benchmark fits 0.96-0.98 (bench/README.md, session 29; a
// pool tried in session 25 on another machine had changed nothing). A
// parked worker is woken through its futex, and one that finished a task
// less than kSpin ago is still polling and takes the next task without a
// system call, as the passes of a projection follow each other.
//
// One call at a time owns the pool. A call that finds it taken (a task that
// calls ParallelFor itself, `--by` running models on several threads, or a
// host's own threads) or that needs more workers than kMaxWorkers starts its
// own threads as before; so does a process forked from one that started
// the pool (its workers stayed in the parent).
#pragma once

namespace mizani {

// Runs task(context, task_idx) for task_idx in [1, num_tasks) on the pool's
// workers and task_idx 0 on the calling thread, and returns once all have
// finished; false (nothing run) when the pool is not available to this call
// (see above). A task must not throw (as for a std::thread, an escaping
// exception terminates the process).
bool RunOnWorkerPool(int num_tasks, void (*task)(void* context, int task_idx), void* context);

}  // namespace mizani

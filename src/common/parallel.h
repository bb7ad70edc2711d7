// Minimal fork-join over row ranges. Kernels call ParallelFor with the number
// of threads the caller chose; each task gets a contiguous [begin, end) range.
// Tasks run on the kept workers of worker_pool.h when they are free, else on
// threads started for the call.
#pragma once

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

#include "common/worker_pool.h"
#include "mizani/machine.h"  // ResolveThreads

namespace mizani {

// Runs fn(task_idx, begin, end) over `num_tasks` contiguous slices of [0, n).
// Small ranges run inline: even waking a kept worker costs microseconds.
template <typename Fn>
void ParallelFor(int num_tasks, int64_t n, Fn&& fn, int64_t min_per_task = 16384) {
  num_tasks =
      static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(num_tasks, n / min_per_task)));
  if (num_tasks <= 1) {
    fn(0, int64_t{0}, n);
    return;
  }
  const int64_t chunk = (n + num_tasks - 1) / num_tasks;
  auto run_task = [&fn, chunk, n](int task_idx) {
    const int64_t begin = std::min<int64_t>(n, task_idx * chunk);
    fn(task_idx, begin, std::min<int64_t>(n, begin + chunk));
  };
  using RunTask = decltype(run_task);
  if (RunOnWorkerPool(
          num_tasks,
          [](void* context, int task_idx) { (*static_cast<RunTask*>(context))(task_idx); },
          &run_task)) {
    return;
  }
  std::vector<std::thread> workers;
  workers.reserve(num_tasks - 1);
  for (int task_idx = 1; task_idx < num_tasks; ++task_idx)
    workers.emplace_back([&run_task, task_idx] { run_task(task_idx); });
  run_task(0);
  for (auto& worker : workers) worker.join();
}

// out[idx] = sum over tasks of parts[task][idx] for idx < size, in task
// order (the same result for a given task count), on num_tasks threads
// split over the indices: the reduction of per-thread accumulators.
inline void SumTaskArrays(const std::vector<std::vector<double>>& parts, int num_tasks,
                          int64_t size, std::vector<double>& out) {
  out.resize(size);
  ParallelFor(num_tasks, size, [&](int, int64_t begin, int64_t end) {
    for (int64_t idx = begin; idx < end; ++idx) {
      double sum = 0;
      for (int task_idx = 0; task_idx < num_tasks; ++task_idx) sum += parts[task_idx][idx];
      out[idx] = sum;
    }
  });
}

}  // namespace mizani

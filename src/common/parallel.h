// Minimal fork-join over row ranges. Kernels call ParallelFor with the number
// of threads the caller chose; each task gets a contiguous [begin, end) range.
#pragma once

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

#include "mizani/machine.h"  // ResolveThreads

namespace mizani {

// Runs fn(task_idx, begin, end) over `num_tasks` contiguous slices of [0, n).
// Small ranges run inline: starting a thread costs tens of microseconds.
template <typename Fn>
void ParallelFor(int num_tasks, int64_t n, Fn&& fn, int64_t min_per_task = 16384) {
  num_tasks =
      static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(num_tasks, n / min_per_task)));
  if (num_tasks <= 1) {
    fn(0, int64_t{0}, n);
    return;
  }
  std::vector<std::thread> workers;
  workers.reserve(num_tasks - 1);
  const int64_t chunk = (n + num_tasks - 1) / num_tasks;
  for (int task_idx = 1; task_idx < num_tasks; ++task_idx) {
    const int64_t begin = std::min<int64_t>(n, task_idx * chunk);
    const int64_t end = std::min<int64_t>(n, begin + chunk);
    workers.emplace_back([&fn, task_idx, begin, end] { fn(task_idx, begin, end); });
  }
  fn(0, int64_t{0}, std::min<int64_t>(n, chunk));
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

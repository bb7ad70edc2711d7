// The kept workers behind ParallelFor (common/worker_pool.h): every index
// once, the workers reused, and the calls that must not use them (nested,
// concurrent, after fork) still right.
#include "common/worker_pool.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <numeric>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "common/parallel.h"

namespace mizani {
namespace {

// Sum over [0, n) of idx * idx through ParallelFor, checked against the
// closed form; the slices must cover every index exactly once.
bool SumOfSquaresRight(int num_tasks, int64_t n) {
  std::vector<int64_t> part(static_cast<size_t>(num_tasks), 0);
  std::vector<int> hits(static_cast<size_t>(n), 0);
  ParallelFor(
      num_tasks, n,
      [&](int task_idx, int64_t begin, int64_t end) {
        for (int64_t idx = begin; idx < end; ++idx) {
          part[static_cast<size_t>(task_idx)] += idx * idx;
          ++hits[static_cast<size_t>(idx)];
        }
      },
      /*min_per_task=*/1);
  const int64_t total = std::accumulate(part.begin(), part.end(), int64_t{0});
  const bool once = std::all_of(hits.begin(), hits.end(), [](int hit) { return hit == 1; });
  return once && total == (n - 1) * n * (2 * n - 1) / 6;
}

TEST(WorkerPool, EveryIndexOnceOverManyCalls) {
  for (int call = 0; call < 500; ++call) {
    const int num_tasks = 2 + call % 7;  // 2..8 tasks: the pool grows as asked
    const int64_t n = 1000 + 37 * call;
    ASSERT_TRUE(SumOfSquaresRight(num_tasks, n)) << "call " << call << ", tasks " << num_tasks;
  }
}

TEST(WorkerPool, ReusesItsWorkers) {
  // The thread that runs task 1 is the same kept worker call after call. A
  // call that started its own thread would show a new kernel thread id each
  // time (std::thread::id may repeat: glibc reuses a finished thread's
  // descriptor).
  std::set<pid_t> runners;
  for (int call = 0; call < 100; ++call) {
    pid_t runner = 0;
    ParallelFor(
        2, 2,
        [&](int task_idx, int64_t, int64_t) {
          if (task_idx == 1) runner = gettid();
        },
        1);
    runners.insert(runner);
  }
  EXPECT_EQ(runners.size(), 1u);
  EXPECT_EQ(runners.count(gettid()), 0u);
}

TEST(WorkerPool, NestedCallsRunOnTheirOwnThreads) {
  // A task that calls ParallelFor finds the pool taken by its caller.
  std::vector<uint8_t> inner_right(4, 0);
  ParallelFor(
      4, 4,
      [&](int task_idx, int64_t, int64_t) {
        inner_right[static_cast<size_t>(task_idx)] = SumOfSquaresRight(3, 5000 + task_idx);
      },
      1);
  for (int task_idx = 0; task_idx < 4; ++task_idx) EXPECT_TRUE(inner_right[task_idx]) << task_idx;
}

TEST(WorkerPool, ConcurrentCallersAllRight) {
  std::atomic<int> wrong{0};
  std::vector<std::thread> callers;
  callers.reserve(4);
  for (int caller = 0; caller < 4; ++caller) {
    callers.emplace_back([&wrong, caller] {
      for (int call = 0; call < 200; ++call) {
        if (!SumOfSquaresRight(2 + (caller + call) % 3, 3000 + call)) ++wrong;
      }
    });
  }
  for (std::thread& caller : callers) caller.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(WorkerPool, ExceptionOfTheCallersTaskReachesTheCaller) {
  // Task 0 runs on the calling thread; its exception comes out once the
  // workers are done, and the pool serves the next call.
  std::atomic<int> others_done{0};
  EXPECT_THROW(ParallelFor(
                   3, 3,
                   [&](int task_idx, int64_t, int64_t) {
                     if (task_idx == 0) throw std::runtime_error("task 0");
                     ++others_done;
                   },
                   1),
               std::runtime_error);
  EXPECT_EQ(others_done.load(), 2);
  EXPECT_TRUE(SumOfSquaresRight(3, 10000));
}

TEST(WorkerPool, ForkedChildStartsItsOwnThreads) {
  ASSERT_TRUE(SumOfSquaresRight(2, 10000));  // the pool exists in this process
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(20);  // a child waiting on workers it does not have would hang
    _exit(SumOfSquaresRight(2, 10000) && SumOfSquaresRight(4, 20000) ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child did not finish (signal " << WTERMSIG(status) << ")";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(WorkerPool, TooManyTasksForThePool) {
  // More tasks than the pool keeps workers: the call starts its own.
  EXPECT_TRUE(SumOfSquaresRight(100, 100000));
  EXPECT_FALSE(RunOnWorkerPool(
      100, [](void*, int) {}, nullptr));
}

}  // namespace
}  // namespace mizani

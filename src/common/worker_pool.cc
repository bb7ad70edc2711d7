#include "common/worker_pool.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <system_error>
#include <thread>

namespace mizani {
namespace {

// Workers beyond this many (a call asking for more than 64 tasks) are not
// kept: such a call starts its own threads.
constexpr int kMaxWorkers = 63;
// How long a worker that finished a task, or a caller waiting for the
// workers, keeps polling before it sleeps on the futex. The passes of a
// projection are a few milliseconds apart at most, with tens to hundreds of
// microseconds of work on one thread between them.
constexpr auto kSpin = std::chrono::microseconds(100);

void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Polls `value` until it differs from `old` for at most kSpin, then waits on
// it; returns the new value.
template <class T>
T AwaitChange(const std::atomic<T>& value, T old) {
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (int poll = 0;; ++poll) {
    T now = value.load(std::memory_order_acquire);
    if (now != old) return now;
    // The clock is read every 64 polls: a read costs more than a pause.
    if (poll % 64 == 63 && std::chrono::steady_clock::now() > deadline) break;
    CpuRelax();
  }
  for (;;) {
    value.wait(old, std::memory_order_acquire);
    T now = value.load(std::memory_order_acquire);
    if (now != old) return now;
  }
}

class WorkerPool {
 public:
  // Never destroyed: parked workers outlive main (they hold no resources a
  // process must give back).
  static WorkerPool& Instance() {
    static auto* const pool = new WorkerPool();
    return *pool;
  }

  bool Run(int num_tasks, void (*task)(void*, int), void* context) {
    if (num_tasks - 1 > kMaxWorkers) return false;
    if (busy_.exchange(true, std::memory_order_acquire)) return false;
    if (getpid() != owner_pid_) {  // a forked child: the workers stayed in the parent
      busy_.store(false, std::memory_order_release);
      return false;
    }
    try {
      while (num_workers_ < num_tasks - 1) {
        std::thread(&WorkerPool::WorkerLoop, this, num_workers_,
                    generation_.load(std::memory_order_relaxed))
            .detach();
        ++num_workers_;
      }
    } catch (const std::system_error&) {
      // No thread to be had (a limit on threads): the caller's own path
      // reports it.
      busy_.store(false, std::memory_order_release);
      return false;
    }
    task_ = task;
    context_ = context;
    num_tasks_ = num_tasks;
    // Every worker acknowledges every job, the idle ones too, so none reads
    // the job's fields once the next job is written.
    pending_.store(num_workers_, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    std::exception_ptr failure;
    try {
      task(context, 0);
    } catch (...) {
      // The workers' tasks read the caller's frame: wait for them first.
      failure = std::current_exception();
    }
    for (int left = pending_.load(std::memory_order_acquire); left != 0;) {
      left = AwaitChange(pending_, left);
    }
    busy_.store(false, std::memory_order_release);
    if (failure != nullptr) std::rethrow_exception(failure);
    return true;
  }

 private:
  WorkerPool() : owner_pid_(getpid()) {}

  void WorkerLoop(int worker_idx, uint32_t seen) {
    for (;;) {
      seen = AwaitChange(generation_, seen);
      const int task_idx = worker_idx + 1;
      if (task_idx < num_tasks_) {
        try {
          task_(context_, task_idx);
        } catch (...) {
          std::terminate();  // as for an exception escaping a std::thread
        }
      }
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
    }
  }

  const pid_t owner_pid_;
  std::atomic<bool> busy_{false};
  // Written only by the call that holds busy_.
  int num_workers_ = 0;
  // The current job: written before generation_ is raised (release), read
  // by the workers after they see it (acquire).
  void (*task_)(void*, int) = nullptr;
  void* context_ = nullptr;
  int num_tasks_ = 0;
  std::atomic<uint32_t> generation_{0};
  std::atomic<int> pending_{0};
};

}  // namespace

bool RunOnWorkerPool(int num_tasks, void (*task)(void* context, int task_idx), void* context) {
  return WorkerPool::Instance().Run(num_tasks, task, context);
}

}  // namespace mizani

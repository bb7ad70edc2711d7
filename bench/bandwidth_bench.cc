// Memory-bandwidth floor for the estimation benchmarks (bench/README.md):
// STREAM-like passes (McCalpin 1995) over arrays far larger than the caches,
// on 1 and on all threads, best of several repetitions. `read` sums one
// array (what a CG pass on the segment layout does per row: it reads the
// weights), `triad` writes a[i] = b[i] + s c[i] (two streams in, one out).
// Prints GB/s; a pass over N rows reading B bytes per row cannot take less
// than N B / (GB/s).
//
// Usage: bandwidth_bench [MEGABYTES per array = 256] [REPETITIONS = 7]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "common/parallel.h"

namespace {

double Seconds(const std::chrono::steady_clock::time_point& start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t megabytes = argc > 1 ? std::atoll(argv[1]) : 256;
  const int repetitions = argc > 2 ? std::atoi(argv[2]) : 7;
  const int64_t n = megabytes * 1024 * 1024 / 8;
  const int all_threads = mizani::ResolveThreads(0);
  std::vector<double> a(n), b(n), c(n);
  mizani::ParallelFor(all_threads, n, [&](int, int64_t begin, int64_t end) {
    for (int64_t idx = begin; idx < end; ++idx) {
      a[idx] = 0;
      b[idx] = 1.0 + static_cast<double>(idx % 7);
      c[idx] = 2.0;
    }
  });
  std::printf("arrays of %lld MB, best of %d\n", static_cast<long long>(megabytes), repetitions);
  for (int threads : {1, all_threads}) {
    double best_read = 1e30, best_triad = 1e30;
    double checksum = 0;
    for (int rep = 0; rep < repetitions; ++rep) {
      std::vector<double> partial(threads, 0.0);
      auto start = std::chrono::steady_clock::now();
      mizani::ParallelFor(threads, n, [&](int task_idx, int64_t begin, int64_t end) {
        double sum0 = 0, sum1 = 0, sum2 = 0, sum3 = 0;
        int64_t idx = begin;
        for (; idx + 4 <= end; idx += 4) {
          sum0 += b[idx];
          sum1 += b[idx + 1];
          sum2 += b[idx + 2];
          sum3 += b[idx + 3];
        }
        for (; idx < end; ++idx) sum0 += b[idx];
        partial[task_idx] = sum0 + sum1 + sum2 + sum3;
      });
      best_read = std::min(best_read, Seconds(start));
      for (double value : partial) checksum += value;
      start = std::chrono::steady_clock::now();
      mizani::ParallelFor(threads, n, [&](int, int64_t begin, int64_t end) {
        for (int64_t idx = begin; idx < end; ++idx) a[idx] = b[idx] + 3.0 * c[idx];
      });
      best_triad = std::min(best_triad, Seconds(start));
      checksum += a[n / 2];
    }
    const double bytes = static_cast<double>(n) * 8;
    std::printf("threads %d: read %.2f GB/s, triad %.2f GB/s (checksum %.6g)\n", threads,
                bytes / best_read / 1e9, 3 * bytes / best_triad / 1e9, checksum);
  }
  return 0;
}

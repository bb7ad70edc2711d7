// The ranks of one job played by threads of this process, for tests of
// code that runs under MPI (a Communicator): each collective is a barrier
// and a slot per rank, so the tests also run under the sanitizers.
#pragma once

#include <algorithm>
#include <barrier>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mizani/communicator.h"

namespace mizani::testing {

// What the threads of one job share: a barrier and one slot per rank (per
// pair of ranks for the all-to-all).
struct Hub {
  explicit Hub(int ranks)
      : ranks(ranks), barrier(ranks), doubles(ranks), ints(ranks), bytes(ranks * ranks) {}
  int ranks;
  std::barrier<> barrier;
  std::vector<std::vector<double>> doubles;
  std::vector<std::vector<int64_t>> ints;
  std::vector<std::string> bytes;
};

// Rank `rank` of the job: each collective writes this rank's slot, waits for
// all, reads every slot, and waits again before the slots are reused.
class ThreadRank final : public mizani::Communicator {
 public:
  ThreadRank(Hub& hub, int rank) : hub_(hub), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return hub_.ranks; }
  void AllreduceSum(std::span<double> values) override {
    Reduce(values, hub_.doubles, [](double a, double b) { return a + b; });
  }
  void AllreduceSum(std::span<int64_t> values) override {
    Reduce(values, hub_.ints, [](int64_t a, int64_t b) { return a + b; });
  }
  void AllreduceMax(std::span<int64_t> values) override {
    Reduce(values, hub_.ints, [](int64_t a, int64_t b) { return std::max(a, b); });
  }
  void AllreduceMax(std::span<double> values) override {
    Reduce(values, hub_.doubles, [](double a, double b) { return std::max(a, b); });
  }
  std::vector<std::string> Allgatherv(std::string_view bytes) override {
    hub_.bytes[rank_] = std::string(bytes);
    hub_.barrier.arrive_and_wait();
    std::vector<std::string> out(hub_.bytes.begin(), hub_.bytes.begin() + hub_.ranks);
    hub_.barrier.arrive_and_wait();
    return out;
  }
  std::vector<std::string> Alltoallv(const std::vector<std::string>& send) override {
    for (int peer = 0; peer < hub_.ranks; ++peer)
      hub_.bytes[rank_ * hub_.ranks + peer] = send[peer];
    hub_.barrier.arrive_and_wait();
    std::vector<std::string> out(hub_.ranks);
    for (int peer = 0; peer < hub_.ranks; ++peer) out[peer] = hub_.bytes[peer * hub_.ranks + rank_];
    hub_.barrier.arrive_and_wait();
    return out;
  }
  [[noreturn]] void Abort(int code) override { std::exit(code); }
  std::string Describe() const override { return "threads"; }

 private:
  template <class T, class Op>
  void Reduce(std::span<T> values, std::vector<std::vector<T>>& slots, Op op) {
    slots[rank_].assign(values.begin(), values.end());
    hub_.barrier.arrive_and_wait();
    for (size_t idx = 0; idx < values.size(); ++idx) {
      T total = slots[0][idx];
      for (int peer = 1; peer < hub_.ranks; ++peer) total = op(total, slots[peer][idx]);
      values[idx] = total;
    }
    hub_.barrier.arrive_and_wait();
  }

  Hub& hub_;
  int rank_;
};

}  // namespace mizani::testing

// Tests for src/common/memory.h: the pages of a shrunk vector's unused
// capacity go back to the system, its values stay.
#include "common/memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace {

#if defined(__linux__)
// How many of the pages of [begin, end) are resident (mincore), and how
// many whole pages there are.
struct Residency {
  int64_t resident = 0;
  int64_t pages = 0;
};
Residency ResidentPages(const void* begin, const void* end) {
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t from = (reinterpret_cast<uintptr_t>(begin) + page - 1) / page * page;
  const uintptr_t to = reinterpret_cast<uintptr_t>(end) / page * page;
  Residency out;
  if (to <= from) return out;
  std::vector<unsigned char> flags((to - from) / page);
  // NOLINTNEXTLINE(performance-no-int-to-ptr): the page-aligned start mincore needs
  if (mincore(reinterpret_cast<void*>(from), to - from, flags.data()) != 0) return out;
  out.pages = static_cast<int64_t>(flags.size());
  for (unsigned char flag : flags) out.resident += flag & 1;
  return out;
}

TEST(Memory, UnusedCapacityLeavesTheResidentMemoryAndTheValuesStay) {
  constexpr size_t kRows = size_t{4} << 20;  // 32 MiB of doubles
  std::vector<double> values(kRows);
  for (size_t row_idx = 0; row_idx < kRows; ++row_idx) values[row_idx] = 0.5 * row_idx + 1;
  const Residency before = ResidentPages(values.data() + kRows / 4, values.data() + kRows);
  ASSERT_GT(before.pages, 0);
  EXPECT_EQ(before.resident, before.pages);  // every page was written
  values.resize(kRows / 4);
  mizani::ReturnUnusedCapacity(values);
  EXPECT_EQ(values.capacity(), kRows);
  // Past the page that holds the last value, none stays resident.
  const Residency after =
      ResidentPages(values.data() + kRows / 4 + 512, values.data() + values.capacity());
  EXPECT_GT(after.pages, 0);
  EXPECT_EQ(after.resident, 0);
  for (size_t row_idx = 0; row_idx < values.size(); ++row_idx)
    ASSERT_EQ(values[row_idx], 0.5 * row_idx + 1) << row_idx;
}

TEST(Memory, LessThanTheMinimumIsKept) {
  constexpr size_t kRows = size_t{1} << 18;  // 2 MiB of doubles
  std::vector<double> values(kRows, 3.0);
  // 12,000 bytes unused, below 1 MiB, and at least two pages' length less
  // one byte, so the range holds a whole page wherever it starts.
  values.resize(kRows - 1500);
  mizani::ReturnUnusedCapacity(values);
  const Residency tail =
      ResidentPages(values.data() + values.size(), values.data() + values.capacity());
  ASSERT_GT(tail.pages, 0);
  EXPECT_EQ(tail.resident, tail.pages);
}
#endif

}  // namespace

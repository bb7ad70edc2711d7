// The work-array pool hands back the smallest buffer that fits, and new
// ones when none does.
#include "common/buffer_pool.h"

#include <gtest/gtest.h>

namespace {

TEST(BufferPool, ReusesTheSmallestFittingBuffer) {
  mizani::BufferPool pool;
  std::vector<double> small = pool.Take(100), large = pool.Take(1000);
  ASSERT_EQ(small.size(), 100u);
  ASSERT_EQ(large.size(), 1000u);
  const double* small_data = small.data();
  const double* large_data = large.data();
  pool.Give(std::move(large));
  pool.Give(std::move(small));
  EXPECT_TRUE(small.empty());
  // 80 elements fit both: the 100-element buffer is taken.
  std::vector<double> again = pool.Take(80);
  EXPECT_EQ(again.size(), 80u);
  EXPECT_EQ(again.data(), small_data);
  // 500 fits only the large one.
  std::vector<double> middle = pool.Take(500);
  EXPECT_EQ(middle.data(), large_data);
  // Nothing left: a new buffer.
  std::vector<double> fresh = pool.Take(10);
  EXPECT_NE(fresh.data(), small_data);
  EXPECT_NE(fresh.data(), large_data);
}

}  // namespace

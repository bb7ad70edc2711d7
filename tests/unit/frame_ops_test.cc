// Cleaning steps of the model frame: both reach their fixed point and count
// what they drop.
#include "estimate/frame_ops.h"

#include <gtest/gtest.h>

namespace {

mizani::ModelFrame TwoWayFrame(const std::vector<int32_t>& a, const std::vector<int32_t>& b,
                               const std::vector<double>& y) {
  mizani::ModelFrame frame;
  frame.y = y;
  frame.X.resize(static_cast<Eigen::Index>(y.size()), 0);
  frame.fe_ids = {a, b};
  frame.fe_sizes = {*std::max_element(a.begin(), a.end()) + 1,
                    *std::max_element(b.begin(), b.end()) + 1};
  return frame;
}

int64_t Dropped(const mizani::ModelFrame& frame, mizani::DropReason reason) {
  for (const auto& [which, count] : frame.dropped) {
    if (which == reason) return count;
  }
  return 0;
}

// A path of levels a0-b0, a0-b1, a1-b1, a1-b2, a2-b2 unravels from its
// singleton end one row at a time; the pair of rows in a3-b3 stays.
TEST(FrameOps, SingletonsAreDroppedToTheFixedPoint) {
  mizani::ModelFrame frame =
      TwoWayFrame({0, 0, 1, 1, 2, 3, 3}, {0, 1, 1, 2, 2, 3, 3}, {1, 2, 3, 4, 5, 6, 7});
  EXPECT_EQ(mizani::estimate::DropSingletons(frame), 5);
  ASSERT_EQ(frame.num_obs(), 2);
  EXPECT_EQ(frame.y, (std::vector<double>{6, 7}));
  EXPECT_EQ(frame.fe_sizes, (std::vector<int32_t>{1, 1}));
  EXPECT_EQ(Dropped(frame, mizani::DropReason::kSingleton), 5);
}

// a0 and b2 have only zero outcomes: their rows go, and with them nothing
// else (removing zeros changes no other level's sum).
TEST(FrameOps, AllZeroGroupsAreDropped) {
  mizani::ModelFrame frame =
      TwoWayFrame({0, 0, 1, 1, 2, 2}, {0, 1, 0, 1, 2, 0}, {0, 0, 1, 2, 0, 3});
  EXPECT_EQ(mizani::estimate::DropAllZeroGroups(frame), 3);
  EXPECT_EQ(frame.y, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(Dropped(frame, mizani::DropReason::kAllZeroGroup), 3);
  // Every remaining level has a positive sum.
  for (size_t dim_idx = 0; dim_idx < 2; ++dim_idx) {
    std::vector<double> sum(frame.fe_sizes[dim_idx], 0.0);
    for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx)
      sum[frame.fe_ids[dim_idx][obs_idx]] += frame.y[obs_idx];
    for (double level_sum : sum) EXPECT_GT(level_sum, 0);
  }
}

}  // namespace

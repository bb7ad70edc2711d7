// Cleaning steps of the model frame: both reach their fixed point and count
// what they drop.
#include "estimate/frame_ops.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mizani/communicator.h"

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

// Removing rows drops the levels left without any and keeps the order of
// the others (not their order of first appearance in the rows left): the
// numbering then depends on which levels are used alone, which ranks that
// each hold some rows can agree on (frame_shards.h). Before session 15 the
// levels below were renumbered c, a, b.
TEST(FrameOps, CompactingKeepsTheOrderOfTheLevelsLeft) {
  mizani::ModelFrame frame = TwoWayFrame({2, 0, 3, 1, 3}, {0, 0, 1, 1, 0}, {1, 2, 3, 4, 5});
  frame.fe_labels = {{"a", "b", "c", "d"}, {"x", "y"}};
  EXPECT_EQ(mizani::estimate::CompactFrame(frame, {1, 1, 0, 1, 0}, mizani::DropReason::kFiltered),
            2);
  EXPECT_EQ(frame.fe_sizes, (std::vector<int32_t>{3, 2}));
  EXPECT_EQ(frame.fe_ids[0], (std::vector<int32_t>{2, 0, 1}));
  EXPECT_EQ(frame.fe_labels[0], (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(frame.fe_ids[1], (std::vector<int32_t>{0, 0, 1}));
  EXPECT_EQ(Dropped(frame, mizani::DropReason::kFiltered), 2);
  // A level in the middle: the labels after it move down (in place).
  frame = TwoWayFrame({2, 0, 3, 1, 3}, {0, 0, 1, 1, 0}, {1, 2, 3, 4, 5});
  frame.fe_labels = {{"a", "b", "c", "d"}, {"x", "y"}};
  EXPECT_EQ(mizani::estimate::CompactFrame(frame, {1, 1, 1, 0, 1}, mizani::DropReason::kFiltered),
            1);
  EXPECT_EQ(frame.fe_sizes, (std::vector<int32_t>{3, 2}));
  EXPECT_EQ(frame.fe_ids[0], (std::vector<int32_t>{1, 0, 2, 2}));
  EXPECT_EQ(frame.fe_labels[0], (std::vector<std::string>{"a", "c", "d"}));
}

// Enough rows for the level sums to split across threads (each task
// keeps its own), on a random panel with many singletons and all-zero
// levels: the kept rows must be those of a plain serial reference, and the
// regressors (compacted in place, column after column) their values.
TEST(FrameOps, LargeFramesMatchASerialReference) {
  const int64_t num_obs = 60000;
  std::mt19937_64 rng(13);
  std::vector<int32_t> a(num_obs), b(num_obs);
  std::vector<double> y(num_obs);
  for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
    a[obs_idx] = static_cast<int32_t>(rng() % 30000);  // about two rows a level
    b[obs_idx] = static_cast<int32_t>(rng() % 500);
    y[obs_idx] = rng() % 3 == 0 ? 0.0 : 1.0 + static_cast<double>(rng() % 10);
  }
  // Serial reference: row indices kept, level by level, to the fixed point.
  auto reference = [&](std::vector<uint8_t> keep, bool by_sum) {
    while (true) {
      std::vector<double> total_a(30000, 0.0), total_b(500, 0.0);
      for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
        if (!keep[obs_idx]) continue;
        total_a[a[obs_idx]] += by_sum ? y[obs_idx] : 1.0;
        total_b[b[obs_idx]] += by_sum ? y[obs_idx] : 1.0;
      }
      bool changed = false;
      for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
        const bool fails = by_sum ? (total_a[a[obs_idx]] <= 0 || total_b[b[obs_idx]] <= 0)
                                  : (total_a[a[obs_idx]] <= 1 || total_b[b[obs_idx]] <= 1);
        if (keep[obs_idx] && fails) {
          keep[obs_idx] = 0;
          changed = true;
        }
      }
      if (!changed) return keep;
    }
  };
  mizani::ModelFrame frame = TwoWayFrame(a, b, y);
  frame.source_row.resize(num_obs);
  for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) frame.source_row[obs_idx] = obs_idx;
  constexpr int kCols = 3;
  auto regressor = [](int64_t obs_idx, int col_idx) {
    return static_cast<double>(obs_idx) + 0.25 * col_idx;
  };
  frame.X.resize(num_obs, kCols);
  for (int col_idx = 0; col_idx < kCols; ++col_idx) {
    for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx)
      frame.X(obs_idx, col_idx) = regressor(obs_idx, col_idx);
  }
  const std::vector<uint8_t> after_zero = reference(std::vector<uint8_t>(num_obs, 1), true);
  const std::vector<uint8_t> after_both = reference(after_zero, false);
  const int64_t zero_dropped = mizani::estimate::DropAllZeroGroups(frame);
  const int64_t singleton_dropped = mizani::estimate::DropSingletons(frame);
  int64_t expected_zero = 0, expected_kept = 0;
  std::vector<int64_t> expected_rows;
  for (int64_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
    expected_zero += after_zero[obs_idx] == 0;
    if (after_both[obs_idx]) expected_rows.push_back(obs_idx);
  }
  expected_kept = static_cast<int64_t>(expected_rows.size());
  EXPECT_GT(expected_zero, 0);
  EXPECT_GT(num_obs - expected_zero - expected_kept, 0);  // singletons dropped too
  EXPECT_EQ(zero_dropped, expected_zero);
  EXPECT_EQ(singleton_dropped, num_obs - expected_zero - expected_kept);
  EXPECT_EQ(frame.source_row, expected_rows);
  for (int64_t pos = 0; pos < frame.num_obs(); ++pos)
    ASSERT_EQ(frame.y[pos], y[expected_rows[pos]]);
  ASSERT_EQ(frame.X.rows(), expected_kept);
  ASSERT_EQ(frame.X.cols(), kCols);
  for (int col_idx = 0; col_idx < kCols; ++col_idx) {
    for (int64_t pos = 0; pos < expected_kept; ++pos)
      ASSERT_EQ(frame.X(pos, col_idx), regressor(expected_rows[pos], col_idx)) << col_idx;
  }
}

// A stand-in for rank `rank` of `ranks` processes: WorkFrame reads only the
// rank and the size (no message).
class RankOf final : public mizani::Communicator {
 public:
  RankOf(int rank, int ranks) : rank_(rank), ranks_(ranks) {}
  int rank() const override { return rank_; }
  int size() const override { return ranks_; }
  void AllreduceSum(std::span<double>) override {}
  void AllreduceSum(std::span<int64_t>) override {}
  void AllreduceMax(std::span<int64_t>) override {}
  void AllreduceMax(std::span<double>) override {}
  std::vector<std::string> Allgatherv(std::string_view bytes) override {
    return std::vector<std::string>(ranks_, std::string(bytes));
  }
  std::vector<std::string> Alltoallv(const std::vector<std::string>& send) override { return send; }
  [[noreturn]] void Abort(int code) override { std::exit(code); }
  std::string Describe() const override { return "stand-in"; }

 private:
  int rank_, ranks_;
};

// Rank 1 of 2 fits the rows of the odd levels of the largest dimension
// (dimension 1, four levels), with their outcome, regressors and ids; the
// whole frame keeps its two regressors' names and count but none of their
// rows (the memory of a sharded fit). Without a communicator the frame
// itself is the work frame, untouched.
TEST(FrameOps, WorkFrameOfARankHoldsItsShardAndFreesTheWholeRegressors) {
  mizani::ModelFrame frame =
      TwoWayFrame({0, 0, 1, 1, 2, 2}, {0, 1, 2, 3, 1, 3}, {10, 11, 12, 13, 14, 15});
  frame.X.resize(6, 2);
  for (Eigen::Index row = 0; row < 6; ++row) {
    frame.X(row, 0) = static_cast<double>(row);
    frame.X(row, 1) = 100.0 + static_cast<double>(row);
  }
  frame.coef_names = {"x1", "x2"};
  mizani::ModelFrame unsharded = frame;
  std::vector<int64_t> rows;
  mizani::ModelFrame shard;
  EXPECT_EQ(&mizani::estimate::WorkFrame(unsharded, nullptr, rows, shard), &unsharded);
  EXPECT_EQ(unsharded.X, frame.X);
  EXPECT_TRUE(rows.empty());

  RankOf rank_one(1, 2);
  mizani::ModelFrame& work = mizani::estimate::WorkFrame(frame, &rank_one, rows, shard);
  ASSERT_EQ(&work, &shard);
  EXPECT_EQ(rows, (std::vector<int64_t>{1, 3, 4, 5}));  // levels 1, 3, 1, 3 of dimension 1
  EXPECT_EQ(shard.y, (std::vector<double>{11, 13, 14, 15}));
  ASSERT_EQ(shard.X.rows(), 4);
  ASSERT_EQ(shard.X.cols(), 2);
  for (Eigen::Index idx = 0; idx < 4; ++idx) {
    EXPECT_EQ(shard.X(idx, 0), static_cast<double>(rows[idx]));
    EXPECT_EQ(shard.X(idx, 1), 100.0 + static_cast<double>(rows[idx]));
  }
  EXPECT_EQ(shard.fe_ids[0], (std::vector<int32_t>{0, 1, 2, 2}));
  EXPECT_EQ(frame.X.rows(), 0);
  EXPECT_EQ(frame.X.cols(), 2);
  EXPECT_EQ(frame.num_obs(), 6);
  EXPECT_EQ(frame.coef_names, (std::vector<std::string>{"x1", "x2"}));
}

}  // namespace

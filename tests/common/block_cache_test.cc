// The command's cache of large freed blocks: which block a request gets,
// what is released, and that the cap bounds what it holds. Blocks are fake
// addresses; releases are recorded, not freed.
#include "mizani/block_cache.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

std::vector<void*>& Released() {
  static std::vector<void*> released;
  return released;
}

void Record(void* block) { Released().push_back(block); }

// Fake addresses, never dereferenced: the cache only compares and records them.
void* Fake(uintptr_t id) {
  // NOLINTNEXTLINE(performance-no-int-to-ptr)
  return reinterpret_cast<void*>(id * 4096);
}

TEST(BlockCache, HandsOutTheSmallestBlockOfAtMostFourTimesTheRequest) {
  Released().clear();
  mizani::BlockCache cache(1000, 100000, Record);
  cache.Give(Fake(1), 9000);
  cache.Give(Fake(2), 2400);
  cache.Give(Fake(3), 2100);
  cache.Give(Fake(4), 8000);
  size_t usable = 0;
  // 2000 bytes: 2100, 2400 and 8000 are at most four times as large; the
  // smallest is taken.
  EXPECT_EQ(cache.Take(2000, &usable), Fake(3));
  EXPECT_EQ(usable, 2100u);
  EXPECT_EQ(cache.Take(2000), Fake(2));
  EXPECT_EQ(cache.Take(2000, &usable), Fake(4));
  EXPECT_EQ(usable, 8000u);
  // 9000 is more than four times 2000: not spent on it.
  EXPECT_EQ(cache.Take(2000), nullptr);
  EXPECT_EQ(cache.Take(2249), nullptr);
  EXPECT_EQ(cache.Take(2250), Fake(1));  // 9000 = 4 x 2250
  EXPECT_EQ(cache.Take(4000), nullptr);  // each block once
  EXPECT_EQ(cache.hits(), 4);
  EXPECT_EQ(cache.cached_bytes(), 0u);
  EXPECT_TRUE(Released().empty());
}

TEST(BlockCache, SmallAndOversizedBlocksAreReleasedAtOnce) {
  Released().clear();
  mizani::BlockCache cache(1000, 10000, Record);
  cache.Give(Fake(1), 999);    // below the minimum
  cache.Give(Fake(2), 10001);  // above the cap
  EXPECT_EQ(Released(), (std::vector<void*>{Fake(1), Fake(2)}));
  EXPECT_EQ(cache.cached_bytes(), 0u);
  // Requests below the minimum never take a cached block.
  cache.Give(Fake(3), 1000);
  EXPECT_EQ(cache.Take(900), nullptr);
  EXPECT_EQ(cache.Take(1000), Fake(3));
}

TEST(BlockCache, CapReleasesTheOldestFirst) {
  Released().clear();
  mizani::BlockCache cache(1000, 10000, Record);
  cache.Give(Fake(1), 4000);
  cache.Give(Fake(2), 4000);
  EXPECT_EQ(cache.cached_bytes(), 8000u);
  // 3000 more would exceed 10000: the oldest (1) goes.
  cache.Give(Fake(3), 3000);
  EXPECT_EQ(Released(), std::vector<void*>{Fake(1)});
  EXPECT_EQ(cache.cached_bytes(), 7000u);
  EXPECT_LE(cache.cached_bytes(), 10000u);
  EXPECT_EQ(cache.Take(4000), Fake(2));
  EXPECT_EQ(cache.Take(3000), Fake(3));
}

TEST(BlockCache, SlotsAreBoundedToo) {
  Released().clear();
  mizani::BlockCache cache(1, 1 << 30, Record);
  for (uintptr_t id = 1; id <= 20; ++id) cache.Give(Fake(id), 10);
  // Sixteen slots: the four oldest were released to make room.
  EXPECT_EQ(Released(), (std::vector<void*>{Fake(1), Fake(2), Fake(3), Fake(4)}));
  EXPECT_EQ(cache.cached_bytes(), 160u);
}

// After a miss the cache gives up its oldest blocks until the request's
// bytes have gone (or it is empty), so that the fresh block does not add
// to what it holds; a block handed out is not its to release.
TEST(BlockCache, ShedReleasesTheOldestUntilTheBytesHaveGone) {
  Released().clear();
  mizani::BlockCache cache(1000, 100000, Record);
  for (uintptr_t id = 1; id <= 4; ++id) cache.Give(Fake(id), 1000 * id);
  EXPECT_EQ(cache.Take(4000), Fake(4));
  // 2500 bytes: blocks 1 (1000) and 2 (2000) go, 3 stays.
  EXPECT_EQ(cache.Shed(2500), 3000u);
  EXPECT_EQ(Released(), (std::vector<void*>{Fake(1), Fake(2)}));
  EXPECT_EQ(cache.cached_bytes(), 3000u);
  EXPECT_EQ(cache.Shed(0), 0u);
  EXPECT_EQ(cache.Shed(1u << 20), 3000u);  // more than it holds: all of it
  EXPECT_EQ(Released(), (std::vector<void*>{Fake(1), Fake(2), Fake(3)}));
  EXPECT_EQ(cache.cached_bytes(), 0u);
  EXPECT_EQ(cache.Shed(100), 0u);
  cache.Give(Fake(5), 5000);  // and it fills again
  EXPECT_EQ(cache.Take(5000), Fake(5));
}

}  // namespace

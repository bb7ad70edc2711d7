// Keys numbered alike on every rank (common/rank_keys.h), the ranks played
// by threads: the numbering must be the one a single pass over all ranks'
// keys in rank order gives (brute force below), whatever the shares.
#include "common/rank_keys.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "thread_ranks.h"

namespace {

using mizani::JoinedKeys;
using mizani::RankKeys;
using mizani::testing::Hub;
using mizani::testing::ThreadRank;

struct Entry {
  int set;
  std::string key;
  std::string payload;
};

// Every rank's entries joined on `ranks` threads.
std::vector<std::vector<JoinedKeys>> JoinOnThreads(const std::vector<std::vector<Entry>>& entries,
                                                   int num_sets) {
  const int ranks = static_cast<int>(entries.size());
  Hub hub(ranks);
  std::vector<std::vector<JoinedKeys>> out(static_cast<size_t>(ranks));
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(ranks));
  for (int rank = 0; rank < ranks; ++rank) {
    threads.emplace_back([&, rank] {
      ThreadRank comm(hub, rank);
      RankKeys keys(num_sets);
      for (const Entry& entry : entries[static_cast<size_t>(rank)])
        keys.Add(entry.set, entry.key, entry.payload);
      out[static_cast<size_t>(rank)] = keys.Join(comm, true, true);
    });
  }
  for (std::thread& thread : threads) thread.join();
  return out;
}

TEST(RankKeys, NumbersKeysInRankOrderOfFirstAppearance) {
  // Texts with a NUL and an empty key (keys are bytes), keys shared by
  // ranks with different payloads (the first appearance's payload wins), a
  // key repeated within a rank, a rank without keys, and two sets whose
  // equal keys are distinct.
  const std::string nul("a\0b", 3);
  const std::vector<std::vector<Entry>> entries = {
      {{0, "KEN", "Kenya"}, {0, "JPN", "Japan"}, {1, "KEN", "k"}},
      {},
      {{0, "JPN", "other"}, {0, nul, "nul"}, {0, "", "empty"}, {0, "KEN", "x"}, {1, "TZA", "t"}},
      {{1, "KEN", "y"}, {0, "UGA", "Uganda"}, {0, "UGA", "again"}, {1, nul, "n1"}}};
  const int num_sets = 2;
  // Brute force: one pass in rank order.
  std::vector<std::map<std::string, int32_t>> number(num_sets);
  std::vector<std::vector<std::string>> keys(num_sets), payloads(num_sets);
  std::vector<std::vector<std::vector<int32_t>>> expected_ids(
      entries.size(), std::vector<std::vector<int32_t>>(num_sets));
  for (size_t rank = 0; rank < entries.size(); ++rank) {
    for (const Entry& entry : entries[rank]) {
      auto [it, inserted] =
          number[entry.set].try_emplace(entry.key, static_cast<int32_t>(number[entry.set].size()));
      if (inserted) {
        keys[entry.set].push_back(entry.key);
        payloads[entry.set].push_back(entry.payload);
      }
      expected_ids[rank][entry.set].push_back(it->second);
    }
  }
  ASSERT_EQ(keys[0], (std::vector<std::string>{"KEN", "JPN", nul, "", "UGA"}));
  const auto joined = JoinOnThreads(entries, num_sets);
  for (size_t rank = 0; rank < entries.size(); ++rank) {
    ASSERT_EQ(joined[rank].size(), static_cast<size_t>(num_sets));
    for (int set = 0; set < num_sets; ++set) {
      const JoinedKeys& got = joined[rank][static_cast<size_t>(set)];
      EXPECT_EQ(got.count, static_cast<int32_t>(keys[set].size())) << rank << " " << set;
      EXPECT_EQ(got.keys, keys[set]) << rank << " " << set;
      EXPECT_EQ(got.payloads, payloads[set]) << rank << " " << set;
      EXPECT_EQ(got.id_of_local, expected_ids[rank][set]) << rank << " " << set;
    }
  }
}

TEST(RankKeys, OneRankIsTheIdentityOfFirstAppearance) {
  const auto joined = JoinOnThreads({{{0, "b", ""}, {0, "a", ""}, {0, "b", ""}}}, 1);
  EXPECT_EQ(joined[0][0].id_of_local, (std::vector<int32_t>{0, 1, 0}));
  EXPECT_EQ(joined[0][0].keys, (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(joined[0][0].count, 2);
}

}  // namespace

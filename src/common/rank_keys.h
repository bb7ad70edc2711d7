// Keys that several ranks number alike: fixed-effect and cluster levels of
// a frame built from shares, cluster intersections, --by groups, the text
// levels of a table read in shares. Each rank has its keys in its own
// order; joined in rank order, a distinct key is numbered where it first
// appears (rank 0's keys in its order, then rank 1's not seen before, and
// so on). When each rank's keys are those of its share of a file, in order
// of first appearance, that is the numbering one process reading the
// whole file gives.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mizani/communicator.h"

namespace mizani {

// One set of keys after the join.
struct JoinedKeys {
  std::vector<int32_t> id_of_local;   // this rank's i-th key of the set -> its number
  int32_t count = 0;                  // distinct keys of the set over all ranks
  std::vector<std::string> keys;      // the distinct keys in number order (keep_keys)
  std::vector<std::string> payloads;  // each one's payload at its first appearance
                                      // (keep_payloads)
};

// Keys in `num_sets` independent sets, joined by one all-gather.
class RankKeys {
 public:
  explicit RankKeys(int num_sets = 1) : num_sets_(num_sets) {}

  // Adds this rank's next key of `set`, with a payload that travels with it
  // (a level's label beside its key, say); a key met again in the set is
  // numbered as before.
  void Add(int set, std::string_view key, std::string_view payload = {});

  // A collective: every rank calls it with the same number of sets. One
  // JoinedKeys per set.
  std::vector<JoinedKeys> Join(Communicator& comm, bool keep_keys, bool keep_payloads);

 private:
  int num_sets_;
  std::string bytes_;
};

}  // namespace mizani

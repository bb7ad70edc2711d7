// SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
// generators"): a bijective 64-bit mix. Hashing (seed, index) with it gives
// each bootstrap replication or Monte Carlo path its own stream, so results
// do not depend on which thread runs it or on how many threads there are.
#pragma once

#include <cstdint>

namespace mizani {

inline uint64_t SplitMix64(uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

}  // namespace mizani

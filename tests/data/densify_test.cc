#include "data/densify.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace mizani::data {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// First-appearance numbering by one pass over the rows: DensifyKeys's
// definition, on 1 to 6 tasks (threads up to 6; 16,384 rows a task at
// least), with missing keys, keys that first appear in a later task's rows,
// and row counts that do not split evenly.
TEST(DensifyKeys, NumbersKeysAsOnePassOverTheRows) {
  std::mt19937_64 rng(31);
  for (const int64_t rows : {int64_t{1000}, int64_t{40000}, int64_t{100003}}) {
    for (const uint64_t key_space : {uint64_t{3}, uint64_t{5000}, uint64_t{200000}}) {
      std::vector<int64_t> key_N(static_cast<size_t>(rows));
      std::uniform_int_distribution<uint64_t> any_key(0, key_space - 1);
      std::bernoulli_distribution missing(0.05);
      for (int64_t row_idx = 0; row_idx < rows; ++row_idx) {
        // The upper half of the key space only in the last third of the rows.
        uint64_t key = any_key(rng);
        if (3 * row_idx < 2 * rows) key %= (key_space + 1) / 2;
        key_N[row_idx] = missing(rng) ? -1 : static_cast<int64_t>(key);
      }
      std::vector<int32_t> expected_ids(static_cast<size_t>(rows), -1);
      std::vector<int64_t> expected_keys;
      std::vector<int32_t> id_of(key_space, -1);
      for (int64_t row_idx = 0; row_idx < rows; ++row_idx) {
        if (key_N[row_idx] < 0) continue;
        int32_t& id = id_of[static_cast<uint64_t>(key_N[row_idx])];
        if (id < 0) {
          id = static_cast<int32_t>(expected_keys.size());
          expected_keys.push_back(key_N[row_idx]);
        }
        expected_ids[row_idx] = id;
      }
      for (int threads = 1; threads <= 6; ++threads) {
        SCOPED_TRACE(testing::Message()
                     << rows << " rows, key space " << key_space << ", " << threads << " threads");
        std::vector<int32_t> ids;
        const std::vector<int64_t> keys = DensifyKeys(
            static_cast<size_t>(rows), key_space, [&](int64_t row_idx) { return key_N[row_idx]; },
            threads, ids);
        EXPECT_EQ(keys, expected_keys);
        EXPECT_EQ(ids, expected_ids);
      }
    }
  }
}

// The definition, one value at a time.
ValueRange BruteRange(const std::vector<double>& values) {
  ValueRange range;
  for (double value : values) {
    if (std::isnan(value)) continue;
    range.min_value = std::min(range.min_value, value);
    range.max_value = std::max(range.max_value, value);
    if (value != std::floor(value)) range.all_integers = false;
  }
  return range;
}

void ExpectSameRange(const ValueRange& expected, const ValueRange& got) {
  EXPECT_EQ(expected.min_value, got.min_value);
  EXPECT_EQ(expected.max_value, got.max_value);
  EXPECT_EQ(expected.all_integers, got.all_integers);
}

// Whole numbers near 2^52 and 2^53 (where the rounding trick's sum leaves
// the exact integers), fractions just off a whole number, halves (which
// round to even), negative zero, infinities and NaN, alone and at every
// position of short arrays (both lanes and the scalar tail).
TEST(RangeOf, AgreesWithTheDefinitionOnEdgeValues) {
  const double two_52 = 4503599627370496.0;
  const std::vector<double> edges = {0.0,
                                     -0.0,
                                     0.5,
                                     -0.5,
                                     1.5,
                                     2.5,
                                     -2.5,
                                     1e-300,
                                     std::nextafter(1.0, 2.0),
                                     std::nextafter(1.0, 0.0),
                                     -std::nextafter(3.0, 4.0),
                                     two_52 - 0.5,
                                     two_52 - 1,
                                     two_52,
                                     two_52 + 1,
                                     -(two_52 - 0.5),
                                     2 * two_52 + 2,
                                     1e300,
                                     -1e300,
                                     kInf,
                                     -kInf,
                                     kNaN,
                                     1986,
                                     -7};
  for (double edge : edges) {
    for (size_t size = 1; size <= 5; ++size) {
      for (size_t position = 0; position < size; ++position) {
        std::vector<double> values(size, 3.0);
        values[position] = edge;
        SCOPED_TRACE(::testing::Message()
                     << "value " << edge << " at " << position << " of " << size);
        ExpectSameRange(BruteRange(values), RangeOf(values, 1));
      }
    }
  }
  ExpectSameRange(BruteRange({kNaN, kNaN, kNaN}),
                  RangeOf(std::vector<double>{kNaN, kNaN, kNaN}, 1));
  ExpectSameRange(BruteRange({}), RangeOf(std::vector<double>{}, 2));
}

// Long random columns (years, fractions, a sprinkle of NaN, one fraction
// planted anywhere) on one to three threads.
TEST(RangeOf, AgreesWithTheDefinitionOnRandomColumns) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 60; ++trial) {
    const size_t size = 1 + rng() % 5000;
    std::vector<double> values(size);
    for (double& value : values) {
      value = trial % 3 == 0 ? std::ldexp(static_cast<double>(rng() % 1000) - 500, trial % 7)
                             : 1950 + static_cast<double>(rng() % 80);
      if (rng() % 50 == 0) value = kNaN;
    }
    if (trial % 2 == 1) values[rng() % size] += 0.25;
    for (int threads = 1; threads <= 3; ++threads) {
      SCOPED_TRACE(::testing::Message() << "trial " << trial << ", " << threads << " threads");
      ExpectSameRange(BruteRange(values), RangeOf(values, threads));
    }
  }
}

}  // namespace
}  // namespace mizani::data

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

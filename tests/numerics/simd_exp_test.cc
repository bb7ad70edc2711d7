// The array exponential against the C library's: within one unit in the
// last place over the range IRLS meets (and far beyond), exact at the
// special values, and the out-of-range arguments handed to std::exp.
#include "numerics/simd_exp.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace {

// Distance in units in the last place between two finite doubles.
double Ulps(double value, double reference) {
  if (value == reference) return 0;
  return std::abs(value - reference) /
         (std::nextafter(std::abs(reference), INFINITY) - std::abs(reference));
}

TEST(SimdExp, WithinOneUlpOfTheLibrary) {
  std::mt19937_64 rng(3);
  std::vector<double> in;
  std::uniform_real_distribution<double> wide(-708.0, 709.0), narrow(-30.0, 30.0),
      tiny(-1e-6, 1e-6);
  for (int idx = 0; idx < 200000; ++idx) in.push_back(wide(rng));
  for (int idx = 0; idx < 200000; ++idx) in.push_back(narrow(rng));
  for (int idx = 0; idx < 20000; ++idx) in.push_back(tiny(rng));
  // Halfway points of the reduction, where k changes.
  for (int k = -1000; k <= 1000; ++k) in.push_back((k + 0.5) * std::log(2.0));
  std::vector<double> out(in.size());
  mizani::ExpArray(in.data(), out.data(), static_cast<int64_t>(in.size()));
  double worst = 0;
  for (size_t idx = 0; idx < in.size(); ++idx) {
    const double ulps = Ulps(out[idx], std::exp(in[idx]));
    ASSERT_LE(ulps, 1.0) << "exp(" << in[idx] << ")";
    worst = std::max(worst, ulps);
  }
  RecordProperty("worst_ulps", std::to_string(worst));
}

TEST(SimdExp, SpecialValuesAndRangeEdges) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> in = {0.0,    -0.0,   1.0,    -1.0, 708.0, 709.0, 709.7, 710.0,        -708.0,
                            -720.0, -745.0, -800.0, inf,  -inf,  nan,   2.0,   std::log(2.0)};
  // Odd length: the last value takes the scalar tail.
  std::vector<double> out(in.size());
  mizani::ExpArray(in.data(), out.data(), static_cast<int64_t>(in.size()));
  EXPECT_EQ(out[0], 1.0);
  EXPECT_EQ(out[1], 1.0);
  for (size_t idx = 2; idx < in.size(); ++idx) {
    const double reference = std::exp(in[idx]);
    if (std::isnan(reference)) {
      EXPECT_TRUE(std::isnan(out[idx])) << in[idx];
    } else if (std::isinf(reference) || reference == 0 || std::abs(reference) < 1e-300) {
      EXPECT_EQ(out[idx], reference) << in[idx];
    } else {
      EXPECT_LE(Ulps(out[idx], reference), 1.0) << in[idx];
    }
  }
  // In place.
  std::vector<double> again = in;
  mizani::ExpArray(again.data(), again.data(), static_cast<int64_t>(again.size()));
  for (size_t idx = 0; idx < in.size(); ++idx) {
    if (std::isnan(out[idx])) {
      EXPECT_TRUE(std::isnan(again[idx]));
    } else {
      EXPECT_EQ(again[idx], out[idx]);
    }
  }
}

}  // namespace

namespace {

TEST(SimdLog, WithinOneUlpOfTheLibrary) {
  std::mt19937_64 rng(5);
  std::vector<double> in;
  std::uniform_real_distribution<double> exponent(-300.0, 300.0), near_one(0.5, 2.0);
  for (int idx = 0; idx < 300000; ++idx) in.push_back(std::pow(10.0, exponent(rng)));
  for (int idx = 0; idx < 200000; ++idx) in.push_back(near_one(rng));
  for (int idx = 0; idx < 20000; ++idx) in.push_back(1.0 + (near_one(rng) - 1.25) * 1e-6);
  // Around sqrt(2), where the mantissa is halved, and the integers that
  // trade data holds (flows, distances, years).
  for (int idx = -1000; idx <= 1000; ++idx) in.push_back(std::sqrt(2.0) * (1 + idx * 1e-12));
  for (int idx = 1; idx <= 100000; ++idx) in.push_back(idx);
  std::vector<double> out(in.size());
  mizani::LogArray(in.data(), out.data(), static_cast<int64_t>(in.size()));
  for (size_t idx = 0; idx < in.size(); ++idx) {
    const double reference = std::log(in[idx]);
    if (reference == 0) {
      ASSERT_EQ(out[idx], 0.0) << "log(" << in[idx] << ")";
      continue;
    }
    ASSERT_LE(Ulps(out[idx], reference), 1.0) << "log(" << in[idx] << ")";
  }
}

TEST(SimdLog, SpecialValues) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> in = {1.0, 0.0, -0.0, -1.0, inf, -inf, nan, 1e-310, 2.0, 0.5, 10.0};
  std::vector<double> out(in.size());
  mizani::LogArray(in.data(), out.data(), static_cast<int64_t>(in.size()));
  for (size_t idx = 0; idx < in.size(); ++idx) {
    const double reference = std::log(in[idx]);
    if (std::isnan(reference)) {
      EXPECT_TRUE(std::isnan(out[idx])) << in[idx];
    } else if (std::isinf(reference) || reference == 0) {
      EXPECT_EQ(out[idx], reference) << in[idx];
    } else {
      EXPECT_LE(Ulps(out[idx], reference), 1.0) << in[idx];
    }
  }
}

}  // namespace

namespace {

// Inputs that put values outside the vector range at every position of a
// quad and of a pair, and lengths with every remainder.
std::vector<double> MixedArguments(double low, double high, const std::vector<double>& outside) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> inside(low, high);
  std::uniform_int_distribution<size_t> pick(0, outside.size() - 1);
  std::vector<double> in;
  for (int idx = 0; idx < 100000; ++idx) in.push_back(inside(rng));
  for (int idx = 0; idx < 4000; ++idx) in[(idx * 7919) % in.size()] = outside[pick(rng)];
  return in;
}

// Runs `kernel` over prefixes of `in` of lengths 0 to 9 and over the whole,
// with the four-wide path off and on; requires the same bits.
template <typename Kernel>
void ExpectSameBitsAtBothWidths(const std::vector<double>& in, Kernel kernel) {
  if (!mizani::Avx2ArrayMathAvailable()) GTEST_SKIP() << "this processor has no AVX2";
  for (int64_t length : {0, 1, 2, 3, 4, 5, 6, 7, 9, static_cast<int>(in.size())}) {
    std::vector<double> pairs(length), quads(length);
    mizani::UseAvx2ArrayMath(false);
    kernel(in.data(), pairs.data(), length);
    mizani::UseAvx2ArrayMath(true);
    kernel(in.data(), quads.data(), length);
    for (int64_t idx = 0; idx < length; ++idx) {
      if (std::isnan(pairs[idx])) {
        ASSERT_TRUE(std::isnan(quads[idx])) << in[idx];
      } else {
        ASSERT_EQ(std::bit_cast<uint64_t>(pairs[idx]), std::bit_cast<uint64_t>(quads[idx]))
            << "argument " << in[idx] << " at " << idx << " of " << length;
      }
    }
  }
}

TEST(SimdExp, FourWideGivesThePairKernelsBits) {
  const double inf = std::numeric_limits<double>::infinity();
  ExpectSameBitsAtBothWidths(
      MixedArguments(-40.0, 40.0, {-800.0, 710.0, inf, -inf, std::nan(""), -708.5}),
      mizani::ExpArray);
}

TEST(SimdLog, FourWideGivesThePairKernelsBits) {
  const double inf = std::numeric_limits<double>::infinity();
  ExpectSameBitsAtBothWidths(
      MixedArguments(1e-12, 1e12, {0.0, -1.0, 1e-310, inf, std::nan(""), -0.0}), mizani::LogArray);
}

}  // namespace

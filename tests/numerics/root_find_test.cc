#include "numerics/root_find.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mizani::numerics {
namespace {

TEST(IllinoisRoot, FindsTheCubeRootOfTwo) {
  int calls = 0;
  const auto f = [&](double x) {
    ++calls;
    return x * x * x - 2;
  };
  IllinoisOptions options;
  options.f_tolerance = 1e-13;
  const RootSummary summary = IllinoisRoot(f, 0, f(0), 3, f(3), options);
  ASSERT_TRUE(summary.converged()) << summary.message;
  EXPECT_NEAR(summary.root, std::cbrt(2.0), 1e-12);
  EXPECT_LE(std::abs(summary.value), 1e-13);
  // Superlinear: plain regula falsi needs far more steps on this convex function.
  EXPECT_LT(summary.iterations, 15);
  EXPECT_EQ(calls, summary.iterations + 2);
}

TEST(IllinoisRoot, ReportsAnEndThatAlreadyMeetsTheTest) {
  const auto f = [](double x) { return x - 1; };
  const RootSummary summary = IllinoisRoot(f, 1, 0, 5, 4, {});
  ASSERT_TRUE(summary.converged());
  EXPECT_EQ(summary.root, 1);
  EXPECT_EQ(summary.iterations, 0);
}

TEST(IllinoisRoot, RefusesEndsOfTheSameSign) {
  const auto f = [](double x) { return x * x + 1; };
  const RootSummary summary = IllinoisRoot(f, -1, 2, 1, 2, {});
  EXPECT_EQ(summary.termination, Termination::kNumericalFailure);
  EXPECT_NE(summary.message.find("does not bracket"), std::string::npos);
}

TEST(IllinoisRoot, StopsAtTheIterationLimit) {
  const auto f = [](double x) { return std::atan(x - 0.3); };
  IllinoisOptions options;
  options.max_iterations = 2;
  options.f_tolerance = 1e-15;
  const RootSummary summary = IllinoisRoot(f, -10, f(-10), 10, f(10), options);
  EXPECT_EQ(summary.termination, Termination::kMaxIterations);
  EXPECT_EQ(summary.iterations, 2);
}

TEST(BisectRoot, HalvesTheBracketAFixedNumberOfTimes) {
  const auto f = [](double x) { return std::exp(x) - 3; };
  const RootSummary summary = BisectRoot(f, 0, 2, 50);
  ASSERT_TRUE(summary.converged());
  // After 50 halvings of a width-2 bracket the midpoint is within 2^-50.
  EXPECT_NEAR(summary.root, std::log(3.0), std::ldexp(2.0, -51));
  EXPECT_EQ(summary.iterations, 50);
}

TEST(BisectRoot, RefusesEndsOfTheSameSignOrUndefined) {
  EXPECT_FALSE(BisectRoot([](double x) { return x * x + 1; }, -1, 1, 10).converged());
  EXPECT_FALSE(BisectRoot([](double x) { return std::log(x); }, -1, 2, 10).converged());
}

}  // namespace
}  // namespace mizani::numerics

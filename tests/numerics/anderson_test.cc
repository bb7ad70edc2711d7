#include "numerics/anderson.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mizani::numerics {
namespace {

// x = cos(x): the Dottie number, 0.739085133215160641655312087673873...
// (OEIS A003957), a contraction with |G'| = sin(x*) ~ 0.67.
TEST(AndersonFixedPoint, FindsTheDottieNumber) {
  const auto cosine = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) { g = x.array().cos(); };
  AndersonOptions options;
  options.memory = 2;
  options.tolerance = 1e-14;
  const FixedPointSummary accelerated =
      AndersonFixedPoint(cosine, Eigen::VectorXd::Constant(1, 1.0), options);
  ASSERT_TRUE(accelerated.converged()) << accelerated.message;
  EXPECT_NEAR(accelerated.x(0), 0.7390851332151607, 1e-14);
  options.memory = 0;
  const FixedPointSummary plain =
      AndersonFixedPoint(cosine, Eigen::VectorXd::Constant(1, 1.0), options);
  ASSERT_TRUE(plain.converged()) << plain.message;
  EXPECT_NEAR(plain.x(0), 0.7390851332151607, 1e-13);
  // The plain iteration gains a factor ~0.67 per step (about 80 steps to
  // 1e-14); mixing two steps is secant-like and needs a handful.
  EXPECT_GT(plain.iterations, 60);
  EXPECT_LT(accelerated.iterations, 15);
}

// A linear map G(x) = A x + b built so that its fixed point is x* = (1, -2, 3, 0.5)
// (b = x* - A x*). Anderson mixing with memory >= dim is GMRES on (I - A) x = b
// (Walker & Ni 2011, Theorem 2.2), so it lands on x* after at most dim + 1 steps.
TEST(AndersonFixedPoint, SolvesALinearMapInDimPlusOneSteps) {
  Eigen::MatrixXd a(4, 4);
  a << 0.5, 0.2, 0.0, 0.1,  //
      -0.1, 0.6, 0.2, 0.0,  //
      0.0, 0.3, 0.4, -0.2,  //
      0.2, 0.0, 0.1, 0.7;
  Eigen::VectorXd x_star(4);
  x_star << 1, -2, 3, 0.5;
  const Eigen::VectorXd b = x_star - a * x_star;
  const auto linear = [&](const Eigen::VectorXd& x, Eigen::VectorXd& g) { g = a * x + b; };
  AndersonOptions options;
  options.memory = 4;
  options.tolerance = 1e-10;
  const FixedPointSummary summary = AndersonFixedPoint(linear, Eigen::VectorXd::Zero(4), options);
  ASSERT_TRUE(summary.converged()) << summary.message;
  EXPECT_LE(summary.iterations, 6);
  for (int idx = 0; idx < 4; ++idx) EXPECT_NEAR(summary.x(idx), x_star(idx), 1e-9);
}

TEST(AndersonFixedPoint, ReportsMaxIterationsAndNonFiniteMaps) {
  const auto slow = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) { g = 0.999 * x; };
  AndersonOptions options;
  options.memory = 0;
  options.max_iterations = 5;
  const FixedPointSummary stopped =
      AndersonFixedPoint(slow, Eigen::VectorXd::Constant(2, 1.0), options);
  EXPECT_EQ(stopped.termination, Termination::kMaxIterations);
  EXPECT_EQ(stopped.iterations, 5);
  const auto blows_up = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    g = x.array().log();  // log of a negative number
  };
  const FixedPointSummary failed =
      AndersonFixedPoint(blows_up, Eigen::VectorXd::Constant(1, -1.0), options);
  EXPECT_EQ(failed.termination, Termination::kNumericalFailure);
}

}  // namespace
}  // namespace mizani::numerics

// Bad GE input throws Error(kBadScenario) naming what is wrong; a model that
// cannot be solved is reported in the result instead.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "ge/ge_fixtures.h"
#include "mizani/error.h"
#include "mizani/ge.h"

namespace mizani {
namespace {

constexpr double kTheta = 4.0;

Eigen::MatrixXd SmallFlows() {
  Eigen::MatrixXd flows(3, 3);
  flows << 100, 10, 5,  //
      8, 80, 4,         //
      6, 3, 50;
  return flows;
}

const std::vector<std::string> kCodes = {"KEN", "JPN", "USA"};

void ExpectBadScenario(const std::function<void()>& action, const std::string& fragment) {
  try {
    action();
    ADD_FAILURE() << "no exception; expected one mentioning '" << fragment << "'";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kBadScenario) << error.what();
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos)
        << "message '" << error.what() << "' lacks '" << fragment << "'";
  }
}

void ExpectBadFlows(const Eigen::MatrixXd& flows, const std::string& fragment) {
  ExpectBadScenario([&] { GeProblem problem(flows, kCodes, kTheta); }, fragment);
}

TEST(GeBadInput, NonSquareFlows) {
  ExpectBadScenario([] { GeProblem problem(Eigen::MatrixXd::Ones(3, 4), {}, kTheta); }, "square");
}

TEST(GeBadInput, ZeroOrNegativeDomesticFlowNamesTheCountry) {
  Eigen::MatrixXd flows = SmallFlows();
  flows(1, 1) = 0;
  ExpectBadFlows(flows, "domestic flow of country 1 (JPN) is 0");
  flows(1, 1) = -3;
  ExpectBadFlows(flows, "country 1 (JPN)");
}

TEST(GeBadInput, NegativeFlowNamesThePair) {
  Eigen::MatrixXd flows = SmallFlows();
  flows(0, 2) = -1;
  ExpectBadFlows(flows, "from country 0 (KEN) to country 2 (USA) is negative");
}

TEST(GeBadInput, NonFiniteFlow) {
  Eigen::MatrixXd flows = SmallFlows();
  flows(2, 1) = std::numeric_limits<double>::quiet_NaN();
  ExpectBadFlows(flows, "from country 2 (USA) to country 1 (JPN) is nan");
  flows(2, 1) = std::numeric_limits<double>::infinity();
  ExpectBadFlows(flows, "must be finite");
}

TEST(GeBadInput, ThetaMustBePositive) {
  for (double theta : {0.0, -0.5, std::numeric_limits<double>::quiet_NaN()}) {
    ExpectBadScenario([&] { GeProblem problem(SmallFlows(), kCodes, theta); }, "sigma - 1");
  }
}

TEST(GeBadInput, CodesMustMatchAndBeUnique) {
  ExpectBadScenario(
      [] {
        GeProblem problem(SmallFlows(), {"KEN", "JPN"}, kTheta);
      },
      "2 country codes given for a 3 x 3");
  ExpectBadScenario(
      [] {
        GeProblem problem(SmallFlows(), {"KEN", "JPN", "KEN"}, kTheta);
      },
      "'KEN' appears twice");
}

TEST(GeBadInput, PartialEffectsSizeAndSign) {
  const GeProblem problem(SmallFlows(), kCodes, kTheta);
  ExpectBadScenario([&] { problem.Solve(Eigen::MatrixXd::Ones(2, 3)); }, "B is 2 x 3");
  Eigen::MatrixXd effects = Eigen::MatrixXd::Ones(3, 3);
  effects(0, 1) = 0;
  ExpectBadScenario([&] { problem.Solve(effects); }, "from country 0 (KEN) to country 1 (JPN)");
  effects(0, 1) = -2;
  ExpectBadScenario([&] { problem.Solve(effects); }, "positive");
  effects(0, 1) = std::numeric_limits<double>::quiet_NaN();
  ExpectBadScenario([&] { problem.Solve(effects); }, "B = exp(b)");
}

TEST(GeBadInput, OptionsAreChecked) {
  GeOptions options;
  options.normalization = Normalization::kReferencePrice;
  options.reference_country = 3;
  ExpectBadScenario([&] { GeProblem problem(SmallFlows(), kCodes, kTheta, options); },
                    "reference country index 3");
  options = {};
  options.groups["bloc"] = {0, 5};
  ExpectBadScenario([&] { GeProblem problem(SmallFlows(), kCodes, kTheta, options); },
                    "group 'bloc': country index 5");
  options = {};
  options.tolerance = 0;
  ExpectBadScenario([&] { GeProblem problem(SmallFlows(), kCodes, kTheta, options); }, "tolerance");
  options = {};
  options.damping = 1.5;
  ExpectBadScenario([&] { GeProblem problem(SmallFlows(), kCodes, kTheta, options); }, "damping");
  options = {};
  options.baseline_inward_resistance = Eigen::VectorXd::Ones(2);
  ExpectBadScenario([&] { GeProblem problem(SmallFlows(), kCodes, kTheta, options); },
                    "inward resistance has 2 entries");
}

TEST(GeBadInput, WarmStartFromAnotherProblem) {
  const GeProblem small(SmallFlows(), kCodes, kTheta);
  const GeResult other =
      SolveGe(::mizani::testing::RandomFlows(5, 1), {}, kTheta, Eigen::MatrixXd::Ones(5, 5));
  ExpectBadScenario([&] { small.Solve(Eigen::MatrixXd::Ones(3, 3), &other); }, "warm start");
}

TEST(GeBadInput, InfeasibleSurplusIsReportedNotThrown) {
  // Country 0 exports almost everything and buys little: its fixed surplus
  // (D_0 = -97) exceeds what it can earn once its exports are choked off.
  Eigen::MatrixXd flows(2, 2);
  flows << 2, 100,  //
      1, 100;
  Eigen::MatrixXd effects = Eigen::MatrixXd::Ones(2, 2);
  effects(0, 1) = 1e-4;
  const GeResult result = SolveGe(flows, {"A", "B"}, kTheta, effects);
  EXPECT_EQ(result.termination, Termination::kNumericalFailure);
  EXPECT_NE(result.message.find("expenditure of country 0 (A)"), std::string::npos)
      << result.message;
  // The same shock has an equilibrium when imbalances scale with output.
  GeOptions options;
  options.imbalance = ImbalanceMode::kMultiplicative;
  EXPECT_TRUE(SolveGe(flows, {"A", "B"}, kTheta, effects, options).converged());
}

TEST(GeBadInput, IterationLimitIsReported) {
  GeOptions options;
  options.max_iterations = 1;
  const Eigen::MatrixXd flows = ::mizani::testing::RandomFlows(10, 2);
  const GeResult result =
      SolveGe(flows, {}, kTheta, AgreementPartialEffects(10, {0, 1, 2}, 0.8), options);
  EXPECT_EQ(result.termination, Termination::kMaxIterations);
  EXPECT_EQ(result.iterations, 1);
  EXPECT_NE(result.message.find("after 1 iterations"), std::string::npos) << result.message;
  EXPECT_STREQ(ToString(result.termination), "max_iterations");
}

}  // namespace
}  // namespace mizani

// The scorecard: hand-computed cases, grid boundaries, monotonicity, the
// audit trail, calibration and goal seeking.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "mizani/error.h"
#include "mizani/rating.h"
#include "test_support.h"

namespace mizani::rating {
namespace {

constexpr const char* kMethodology = R"(
name = "test card"
intercept = 2.0
slope = 0.15
max_total_adjustment = 2

[local_currency]
uplift = 1
no_uplift = ["SEN"]

[[factor]]
name = "F1"
weight = 3
  [[factor.indicator]]
  code = "A"
  grid = [[0, 0], [10, 100]]
  [[factor.indicator]]
  code = "B"
  weight = 3
  grid = [[0, 100], [100, 0]]

[[factor]]
name = "F2"
weight = 1
  [[factor.indicator]]
  code = "C"
  grid = [[-5, 0], [5, 100]]

[[adjustment]]
name = "High B"
indicator = "B"
above = 80
notches = -1

[[adjustment]]
name = "Event 2024"
country = "KEN"
years = [2024]
notches = -2

[[adjustment]]
name = "Always"
country = "KEN"
notches = -1
)";

std::string WriteFile(const std::string& text) {
  const std::string path = mizani::testing::MakeTempDir("scorecard") + "/method.toml";
  std::ofstream(path) << text;
  return path;
}

IndicatorLookup Values(std::map<std::string, double> values) {
  return [values](const std::string& code) -> std::optional<double> {
    const auto found = values.find(code);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

TEST(Scorecard, HandComputedCase) {
  const Methodology method = LoadMethodology(WriteFile(kMethodology));
  // A = 4 -> 40; B = 30 -> 70; C = 0 -> 50. F1 = (40 + 3*70)/4 = 62.5,
  // F2 = 50; score = 0.75*62.5 + 0.25*50 = 59.375; notch = 2 + 0.15*59.375
  // = 10.90625 -> 11 (BB+).
  const ScoreResult senegal = Score(method, "SEN", 2024, Values({{"A", 4}, {"B", 30}, {"C", 0}}));
  EXPECT_DOUBLE_EQ(senegal.factor_scores[0], 62.5);
  EXPECT_DOUBLE_EQ(senegal.factor_scores[1], 50.0);
  EXPECT_DOUBLE_EQ(senegal.score, 59.375);
  EXPECT_DOUBLE_EQ(senegal.unrounded_notch, 10.90625);
  EXPECT_DOUBLE_EQ(senegal.contribution[0], 0.15 * 0.75 * 62.5);
  EXPECT_DOUBLE_EQ(senegal.contribution[1], 0.15 * 0.25 * 50.0);
  EXPECT_EQ(senegal.model_notch, 11);
  EXPECT_EQ(senegal.adjustment, 0);
  EXPECT_EQ(senegal.foreign_currency_notch, 11);
  EXPECT_EQ(senegal.local_currency_notch, 11);  // monetary union: no uplift
  // Kenya 2024: -2 and -1 are capped at -2; FC 9 (BB-), LC 10 (BB).
  const ScoreResult kenya = Score(method, "KEN", 2024, Values({{"A", 4}, {"B", 30}, {"C", 0}}));
  EXPECT_EQ(kenya.adjustment, -2);
  EXPECT_EQ(kenya.foreign_currency_notch, 9);
  EXPECT_EQ(kenya.local_currency_notch, 10);
  int adjustments = 0;
  bool capped = false;
  for (const AuditEntry& entry : kenya.audit) {
    adjustments += entry.step == "adjustment" ? 1 : 0;
    capped = capped || entry.step == "cap";
  }
  EXPECT_EQ(adjustments, 2);
  EXPECT_TRUE(capped);
  // Kenya 2023: only the standing -1, and B = 90 trips the rule: -2.
  // B = 90 -> 10; F1 = (40 + 30)/4 = 17.5; score = 13.125 + 12.5 = 25.625;
  // notch = 2 + 3.84375 = 5.84375 -> 6, FC 4.
  const ScoreResult high_b = Score(method, "KEN", 2023, Values({{"A", 4}, {"B", 90}, {"C", 0}}));
  EXPECT_DOUBLE_EQ(high_b.score, 25.625);
  EXPECT_EQ(high_b.model_notch, 6);
  EXPECT_EQ(high_b.adjustment, -2);
  EXPECT_EQ(high_b.foreign_currency_notch, 4);
}

TEST(Scorecard, MissingIndicatorIsAnError) {
  const Methodology method = LoadMethodology(WriteFile(kMethodology));
  try {
    Score(method, "KEN", 2024, Values({{"A", 4}, {"C", 0}}));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kBadData);
    EXPECT_NE(std::string(error.what()).find("KEN 2024: indicator B"), std::string::npos);
  }
}

TEST(Scorecard, GridBoundaries) {
  const std::vector<GridPoint> grid = {{0, 0}, {10, 40}, {20, 100}};
  EXPECT_EQ(GridScore(grid, -1e9), 0.0);
  EXPECT_EQ(GridScore(grid, 0), 0.0);
  EXPECT_EQ(GridScore(grid, 10), 40.0);
  EXPECT_EQ(GridScore(grid, 20), 100.0);
  EXPECT_EQ(GridScore(grid, 1e9), 100.0);
  EXPECT_DOUBLE_EQ(GridScore(grid, 5), 20.0);
  EXPECT_DOUBLE_EQ(GridScore(grid, 15), 70.0);
  EXPECT_DOUBLE_EQ(*GridInverse(grid, 70.0), 15.0);
  EXPECT_DOUBLE_EQ(*GridInverse(grid, 40.0), 10.0);
  EXPECT_DOUBLE_EQ(*GridInverse(grid, 0.0), 0.0);
  EXPECT_FALSE(GridInverse(grid, 100.5));
  const std::vector<GridPoint> falling = {{20, 100}, {60, 50}, {100, 0}};
  EXPECT_DOUBLE_EQ(*GridInverse(falling, 75.0), 40.0);  // the largest value scoring 75
  EXPECT_DOUBLE_EQ(GridScore(falling, 40.0), 75.0);
}

TEST(Scorecard, BetterIndicatorNeverLowersTheRating) {
  const Methodology method = LoadMethodology(WriteFile(kMethodology));
  int previous_notch = 0;
  double previous_score = -1;
  for (double a = -5; a <= 15; a += 0.25) {
    const ScoreResult result = Score(method, "SEN", 2024, Values({{"A", a}, {"B", 30}, {"C", 0}}));
    EXPECT_GE(result.score, previous_score) << "A = " << a;
    EXPECT_GE(result.foreign_currency_notch, previous_notch) << "A = " << a;
    previous_score = result.score;
    previous_notch = result.foreign_currency_notch;
  }
  // B is scored in reverse: lower is better.
  previous_notch = 0;
  for (double b = 120; b >= -10; b -= 0.5) {
    const ScoreResult result = Score(method, "SEN", 2024, Values({{"A", 4}, {"B", b}, {"C", 0}}));
    EXPECT_GE(result.foreign_currency_notch, previous_notch) << "B = " << b;
    previous_notch = result.foreign_currency_notch;
  }
}

TEST(Scorecard, GoalSeekInvertsTheGrid) {
  const Methodology method = LoadMethodology(WriteFile(kMethodology));
  const IndicatorLookup values = Values({{"A", 4}, {"B", 30}, {"C", 0}});
  // Senegal sits at 10.90625; 11.5 is needed: 0.59375 notches. One point of
  // A's score is worth 0.15 * 0.75 * 1/4 = 0.028125 notches, so A's score
  // must rise by 21.1111 to 61.1111: A = 6.11111.
  const ScorecardGoal goal = GoalSeekScorecard(method, "SEN", 2024, values, "A");
  EXPECT_EQ(goal.from_notch, 11);
  EXPECT_EQ(goal.to_notch, 12);
  ASSERT_TRUE(goal.required);
  EXPECT_NEAR(*goal.required, 4.0 + 0.59375 / 0.028125 / 10.0, 1e-6);
  // Through C: 0.59375 / (0.15 * 0.25) = 15.83 points, 50 -> 65.83: C = 1.583.
  const ScorecardGoal c_goal = GoalSeekScorecard(method, "SEN", 2024, values, "C");
  ASSERT_TRUE(c_goal.required);
  EXPECT_NEAR(*c_goal.required, -5.0 + (50.0 + 0.59375 / 0.0375) / 10.0, 1e-6);
  // From C = 4.9 (score 99) the grid cannot give 15.83 more points.
  const ScorecardGoal too_far =
      GoalSeekScorecard(method, "SEN", 2024, Values({{"A", 4}, {"B", 30}, {"C", 4.9}}), "C");
  EXPECT_FALSE(too_far.required);
}

TEST(Scorecard, CalibrationRecoversExactWeights) {
  Methodology method = LoadMethodology(WriteFile(kMethodology));
  std::vector<std::vector<double>> scores;
  std::vector<int> notches;
  for (int f1 = 0; f1 <= 100; f1 += 10) {
    for (int f2 = 0; f2 <= 100; f2 += 20) {
      scores.push_back({static_cast<double>(f1), static_cast<double>(f2)});
      notches.push_back(1 + f1 / 10 + f2 / 20);  // 1 + 0.1 F1 + 0.05 F2
    }
  }
  const double rmse = CalibrateMethodology(&method, scores, notches);
  EXPECT_LT(rmse, 1e-10);
  EXPECT_NEAR(method.intercept, 1.0, 1e-10);
  EXPECT_NEAR(method.slope, 0.15, 1e-12);
  EXPECT_NEAR(method.factors[0].weight, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(method.factors[1].weight, 1.0 / 3.0, 1e-12);
  // A factor that lowers the rating gets weight zero, not a negative one.
  notches.clear();
  for (const auto& row : scores)
    notches.push_back(static_cast<int>(1 + row[0] / 10 - row[1] / 20 + 5));
  CalibrateMethodology(&method, scores, notches);
  EXPECT_EQ(method.factors[1].weight, 0.0);
  EXPECT_NEAR(method.factors[0].weight, 1.0, 1e-12);
}

TEST(Scorecard, InvalidMethodologiesNameTheKey) {
  const auto expect_error = [](const std::string& text, const std::string& fragment) {
    try {
      LoadMethodology(WriteFile(text));
      ADD_FAILURE() << "expected an error containing " << fragment;
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
      EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
    }
  };
  expect_error(
      "[[factor]]\nname='x'\n[[factor.indicator]]\ncode='A'\ngrid=[[0,0],[5,50],[10,20]]\n",
      "monotone");
  expect_error("[[factor]]\nname='x'\n[[factor.indicator]]\ncode='A'\ngrid=[[5,0],[0,50]]\n",
               "strictly increasing");
  expect_error("colour='red'\n", "unknown key");
  expect_error("calibrate_to='Scope'\n[[factor]]\n[[factor.indicator]]\ncode='A'\ngrid=[[0,0]]\n",
               "unknown agency");
  expect_error(
      "[[factor]]\n[[factor.indicator]]\ncode='A'\ngrid=[[0,0]]\n[[adjustment]]\n"
      "country='ATL'\nnotches=-1\n",
      "unknown ISO3");
  // Before: 2^32 + 1 notches were narrowed to one notch without a word.
  expect_error(
      "[[factor]]\n[[factor.indicator]]\ncode='A'\ngrid=[[0,0]]\n[[adjustment]]\n"
      "country='KEN'\nnotches=4294967297\n",
      "must be between -20 and 20, got 4294967297");
  expect_error(
      "max_total_adjustment=-1\n[[factor]]\n[[factor.indicator]]\ncode='A'\ngrid=[[0,0]]\n",
      "key 'max_total_adjustment': must be between 0 and 20");
}

}  // namespace
}  // namespace mizani::rating

// Extra-indicator files in the panel (their errors name file, row and
// column), the scorecard's rolling back-test (calibrated on years before T
// only), and goal seeking on an indicator that only an extra file gives
// (reserves): the value found moves the indicated notch by exactly one, and
// the search bracket is honoured.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>

#include "mizani/error.h"
#include "mizani/rating.h"
#include "test_support.h"

namespace mizani::rating {
namespace {

std::string Write(const std::string& folder, const std::string& name, const std::string& text) {
  std::string path = folder + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// S&P grades of notches 6..10 and the rating file's number for each.
const char* const kGrades[] = {"B-", "B", "B+", "BB-", "BB"};

// A small world: 30 sovereigns (real names, so the country table maps them),
// each rated once by S&P in 2000 at notch 6 + (i mod 5); a WEO file that
// knows them; and reserves in months of imports that rise with the rating
// and wiggle deterministically from year to year, so the categories overlap.
// Test-generated values, not data.
struct World {
  std::string folder;
  PanelOptions options;
  std::string reserves_csv;
};

World MakeWorld(const std::string& extra_rows = "") {
  World world;
  world.folder = testing::MakeTempDir("rate_report");
  std::string ratings = "Agency,Rating,RatingN,Outlook,Date,Year,Country\n";
  std::string weo = "country,weo_subject_code,year,value,is_estimate\n";
  std::string reserves = "country,year,indicator,value\n";
  const std::vector<std::string> codes = KnownIso3();
  int used = 0;
  for (size_t idx = 0; idx < codes.size() && used < 30; ++idx) {
    const CountryInfo* info = FindCountry(codes[idx]);
    // Names that fold back to the same code, and no commas (plain CSV).
    const auto back = Iso3ForName(info->name);
    if (!back || *back != codes[idx] || std::string(info->name).find(',') != std::string::npos) {
      continue;
    }
    const int level = used % 5;
    ratings +=
        fmt::format("S&P,{},{},Stable,1/15/2000,2000,{}\n", kGrades[level], level + 10, info->name);
    weo += fmt::format("{},NGDPD,2005,100,0\n", info->name);
    for (int year = 2000; year <= 2010; ++year) {
      const double wiggle = 2.0 * std::sin(1.7 * used + 0.9 * year);
      // Every other row by ISO3 code, the rest by name.
      reserves += fmt::format("{},{},RES_MONTHS,{:.4f}\n", used % 2 == 0 ? codes[idx] : info->name,
                              year, 2.0 + 1.2 * level + wiggle);
    }
    ++used;
  }
  world.options.ratings_path = Write(world.folder, "ratings.csv", ratings);
  world.options.weo_path = Write(world.folder, "weo.csv", weo);
  world.reserves_csv = reserves + extra_rows;
  world.options.extra_files = {
      {Write(world.folder, "reserves.csv", world.reserves_csv), "test-generated", "none"}};
  world.options.indicators = {IndicatorSpec{"RES_MONTHS", "reserves, months", Transform::kLevel}};
  world.options.first_year = 2000;
  world.options.last_year = 2010;
  return world;
}

// The kBadData (or other) message of BuildPanel with this reserves file.
std::string ExtraError(const std::string& reserves, ErrorCode code = ErrorCode::kBadData) {
  World world = MakeWorld();
  world.options.extra_files[0].path = Write(world.folder, "bad.csv", reserves);
  try {
    (void)BuildPanel(world.options);
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), code) << error.what();
    return error.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(ExtraIndicators, EnterThePanelBesideTheWeo) {
  // A blank value outside the panel's years is read as missing, not zero.
  World world = MakeWorld("Kenya,1999,RES_MONTHS,\n");
  const Panel panel = BuildPanel(world.options);
  ASSERT_EQ(panel.rows.size(), 30u * 11u);
  EXPECT_EQ(panel.CompleteCount(), 30 * 11);
  EXPECT_EQ(panel.extra_code_file.at("RES_MONTHS"), 0u);
  EXPECT_EQ(panel.extra_files[0].source, "test-generated");
  // The value of a row equals the file's: the first data row.
  std::string first = world.reserves_csv.substr(world.reserves_csv.find('\n') + 1);
  first = first.substr(0, first.find('\n'));
  const std::string country = first.substr(0, first.find(','));
  const double value = std::stod(first.substr(first.rfind(',') + 1));
  const std::string iso3 = FindCountry(country) != nullptr ? country : *Iso3ForName(country);
  const SovereignYear row = panel.RowFor(iso3, 2000);
  ASSERT_EQ(row.x.size(), 1u);
  EXPECT_DOUBLE_EQ(row.x[0], value);
  EXPECT_EQ(panel.WeoValue("KEN", "RES_MONTHS", 1999), std::nullopt);
}

TEST(ExtraIndicators, AMissingValueFollowsThePanelPolicy) {
  World world = MakeWorld();
  // Blank out the first country's 2004 value: that sovereign-year is left
  // out of estimation and counted by its missing indicator.
  std::string text = world.reserves_csv;
  const size_t at = text.find(",2004,RES_MONTHS,");
  ASSERT_NE(at, std::string::npos);
  const size_t end = text.find('\n', at);
  text.replace(at, end - at, ",2004,RES_MONTHS,");
  world.options.extra_files[0].path = Write(world.folder, "gap.csv", text);
  const Panel panel = BuildPanel(world.options);
  EXPECT_EQ(panel.CompleteCount(), 30 * 11 - 1);
  bool counted = false;
  for (const DropCount& drop : panel.dropped) {
    counted =
        counted || (drop.reason.find("missing RES_MONTHS") != std::string::npos && drop.count == 1);
  }
  EXPECT_TRUE(counted);
}

TEST(ExtraIndicators, BadCellsNameFileRowAndColumn) {
  const std::string header = "country,year,indicator,value\n";
  std::string message =
      ExtraError(header + "Kenya,2001,RES_MONTHS,4\nAtlantis,2001,RES_MONTHS,4\n");
  EXPECT_NE(message.find("bad.csv"), std::string::npos) << message;
  EXPECT_NE(message.find("row 2, column 'country'"), std::string::npos) << message;
  EXPECT_NE(message.find("Atlantis"), std::string::npos) << message;
  message = ExtraError(header + "Kenya,2001,RES_MONTHS,4\nKenya,2002,RES_MONTHS,four\n");
  EXPECT_NE(message.find("column 'value'"), std::string::npos) << message;
  message = ExtraError(header + "KEN,2001.5,RES_MONTHS,4\n");
  EXPECT_NE(message.find("row 1, column 'year'"), std::string::npos) << message;
  message = ExtraError(header + "KEN,2001,RES_MONTHS,4\nKenya,2001,RES_MONTHS,5\n");
  EXPECT_NE(message.find("row 2, column 'value'"), std::string::npos) << message;
  EXPECT_NE(message.find("KEN 2001 RES_MONTHS is given twice"), std::string::npos) << message;
  message = ExtraError("country,year,value\nKEN,2001,4\n");
  EXPECT_NE(message.find("missing column 'indicator'"), std::string::npos) << message;
  // A code the WEO file has too: one source per code.
  message = ExtraError(header + "KEN,2001,RES_MONTHS,4\nKEN,2001,NGDPD,4\n");
  EXPECT_NE(message.find("'NGDPD' is also given by"), std::string::npos) << message;
  // An unreadable file: exit code 3.
  World world = MakeWorld();
  world.options.extra_files[0].path = world.folder + "/absent.csv";
  try {
    (void)BuildPanel(world.options);
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kFileUnreadable) << error.what();
  }
}

// Goal seeking on reserves, which only the extra file gives: in the ordered
// model and in the scorecard, the value found lifts the indicated notch by
// exactly one when the sovereign-year is scored again, a value just short of
// it does not, and the search stays within its bracket.
TEST(ExtraIndicators, GoalSeekOnReservesMovesTheNotchByOne) {
  const Panel panel = BuildPanel(MakeWorld().options);
  RatingModelOptions options;
  options.mundlak = false;
  const std::vector<size_t> all = [&] {
    std::vector<size_t> ids(panel.rows.size());
    for (size_t idx = 0; idx < ids.size(); ++idx) ids[idx] = idx;
    return ids;
  }();
  const CountryMeans means = ComputeCountryMeans(panel, all);
  const RatingModel model = FitRatingModel(panel, all, options, means);
  ASSERT_EQ(model.fit.termination, Termination::kConverged) << model.fit.message;
  ASSERT_GT(model.fit.beta[0], 0.0);  // more reserves, a better rating
  // The first sovereign rated B- (notch 6), in 2006.
  SovereignYear row;
  for (const SovereignYear& candidate : panel.rows) {
    if (candidate.year == 2006 && candidate.notch[0] == 6) {
      row = candidate;
      break;
    }
  }
  ASSERT_EQ(row.year, 2006);
  const GoalSeekResult goal = GoalSeekOrdered(model, panel, row, means, 0, 0.0, 30.0);
  ASSERT_TRUE(goal.required) << "current " << goal.current;
  EXPECT_EQ(goal.to_notch, goal.from_notch + 1);
  EXPECT_GT(*goal.required, goal.current);
  EXPECT_LE(*goal.required, 30.0);
  auto rescore = [&](double value) {
    SovereignYear trial = row;
    trial.x[0] = value;
    return PredictRating(model, trial, means).indicated_notch;
  };
  EXPECT_EQ(rescore(*goal.required), goal.from_notch + 1);
  EXPECT_EQ(rescore(*goal.required - 1e-6), goal.from_notch);
  // A bracket that stops short of the value: not reachable.
  const GoalSeekResult short_bracket =
      GoalSeekOrdered(model, panel, row, means, 0, 0.0, 0.5 * (goal.current + *goal.required));
  EXPECT_FALSE(short_bracket.required);

  // The scorecard on the same indicator: reserves scored 0 at 0 months and
  // 100 at 12 months, notch = 1 + 0.2 x score.
  const std::string method_path = Write(testing::MakeTempDir("rate_report_card"), "card.toml", R"(
name = "reserves only"
intercept = 1.0
slope = 0.2
[[factor]]
name = "External liquidity"
  [[factor.indicator]]
  code = "RES_MONTHS"
  grid = [[0, 0], [12, 100]]
)");
  const Methodology method = LoadMethodology(method_path);
  const IndicatorLookup lookup = PanelLookup(panel, row.iso3, row.year);
  const ScorecardGoal card = GoalSeekScorecard(method, row.iso3, row.year, lookup, "RES_MONTHS");
  ASSERT_TRUE(card.required);
  // Closed form: the next notch's rounding edge (to - 0.5) = 1 + 0.2 x 100 v / 12.
  EXPECT_NEAR(*card.required, (card.to_notch - 0.5 - 1.0) / 0.2 * 12.0 / 100.0, 1e-9);
  auto rescore_card = [&](double value) {
    return Score(method, row.iso3, row.year,
                 [value](const std::string&) -> std::optional<double> { return value; })
        .foreign_currency_notch;
  };
  EXPECT_EQ(rescore_card(*card.required + 1e-9), card.from_notch + 1);
  EXPECT_EQ(rescore_card(*card.required - 1e-6), card.from_notch);
}

// The scorecard back-test calibrates on the years before T only: with notch
// = 1 + F1/10 + F2/20 exactly up to 2009 and three notches higher in 2010,
// the 2008 and 2009 predictions are exact and every 2010 prediction is three
// notches low (a fit that saw 2010 would have moved toward it).
TEST(ScorecardBackTest, CalibratesOnEarlierYearsOnly) {
  const std::string method_path = Write(testing::MakeTempDir("rate_backtest"), "card.toml", R"(
name = "two factors"
[[factor]]
name = "F1"
  [[factor.indicator]]
  code = "A"
  grid = [[0, 0], [100, 100]]
[[factor]]
name = "F2"
  [[factor.indicator]]
  code = "B"
  grid = [[0, 0], [100, 100]]
)");
  const Methodology method = LoadMethodology(method_path);
  Panel panel;
  int country = 0;
  for (int f1 = 0; f1 <= 100; f1 += 10) {
    for (int f2 = 0; f2 <= 100; f2 += 20) {
      const std::string iso3 = fmt::format("C{:02d}", country++);
      for (int year = 2000; year <= 2010; ++year) {
        SovereignYear row;
        row.iso3 = iso3;
        row.year = year;
        row.notch[0] = 1 + f1 / 10 + f2 / 20 + (year == 2010 ? 3 : 0);
        row.previous_notch[0] = year > 2000 ? 1 + f1 / 10 + f2 / 20 : 0;
        panel.rows.push_back(row);
        panel.complete.push_back(1);
        panel.weo[{iso3, "A"}][year] = f1;
        panel.weo[{iso3, "B"}][year] = f2;
      }
    }
  }
  BackTestOptions options;
  options.first_test_year = 2008;
  options.model.agency = Agency::kSp;
  const BackTestResult result = BackTestScorecard(panel, method, options);
  EXPECT_EQ(result.windows, 3);
  EXPECT_EQ(result.failed_windows, 0);
  ASSERT_EQ(result.predictions.size(), 3u * 66u);
  EXPECT_EQ(result.exact, 2 * 66);
  EXPECT_EQ(result.within_one, 2 * 66);
  for (const BackTestPrediction& prediction : result.predictions) {
    EXPECT_EQ(prediction.actual - prediction.predicted, prediction.year == 2010 ? 3 : 0)
        << prediction.iso3 << " " << prediction.year;
  }
  // The confusion matrix holds every prediction once.
  int64_t total = 0;
  for (const auto& line : result.confusion) {
    for (int64_t count : line) total += count;
  }
  EXPECT_EQ(total, 3 * 66);
  EXPECT_EQ(result.confusion[3][0], 1);  // 2010: actual CCC- (4), predicted D (1)
  // Too few years before T: the window is skipped, not fitted on its own year.
  options.first_test_year = 2000;
  const BackTestResult early = BackTestScorecard(panel, method, options);
  EXPECT_EQ(early.failed_windows, 1);
  EXPECT_EQ(early.predictions.size(), 10u * 66u);
}

}  // namespace
}  // namespace mizani::rating

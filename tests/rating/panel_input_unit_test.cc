// The ratings history and WEO readers of BuildPanel (src/rating/panel.cc) on
// small damaged files: every cell that should be a number and is not, or is a
// year with no integer value, is an error naming its file, row and column.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "mizani/error.h"
#include "mizani/rating.h"
#include "mizani/rating_report.h"
#include "test_support.h"

namespace mizani::rating {
namespace {

constexpr const char* kHeader = "Agency,Rating,RatingN,Outlook,Date,Year,Country\n";

std::string Write(const std::string& folder, const std::string& name, const std::string& text) {
  std::string path = folder + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The kBadData message of BuildPanel on these ratings and WEO rows.
std::string PanelError(const std::string& ratings_rows, const std::string& weo_rows) {
  const std::string folder = testing::MakeTempDir("rating_panel_input");
  PanelOptions options;
  options.ratings_path = Write(folder, "ratings.csv", kHeader + ratings_rows);
  options.weo_path =
      Write(folder, "weo.csv", "country,weo_subject_code,year,value,is_estimate\n" + weo_rows);
  options.indicators = {IndicatorSpec{"NGDPD", "GDP", Transform::kLog}};
  try {
    (void)BuildPanel(options);
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kBadData) << error.what();
    return error.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

constexpr const char* kGoodRows =
    "S&P,B,11,Stable,6/6/2021,2021,Kenya\nS&P,B+,12,Negative,4/8/2019,2019,Kenya\n";
constexpr const char* kGoodWeo = "Kenya,NGDPD,2019,95.5,0\nKenya,NGDPD,2021,110.3,0\n";

// Options for a panel of the good rows above, its files written to `folder`.
PanelOptions GoodPanel(const std::string& folder) {
  PanelOptions options;
  options.ratings_path = Write(folder, "ratings.csv", std::string(kHeader) + kGoodRows);
  options.weo_path =
      Write(folder, "weo.csv",
            std::string("country,weo_subject_code,year,value,is_estimate\n") + kGoodWeo);
  options.indicators = {IndicatorSpec{"NGDPD", "GDP", Transform::kLog}};
  return options;
}

// Before: a RatingN or Year column made text by one bad cell was skipped
// without a word, so the file's own scale went unchecked.
TEST(PanelInput, AnOutOfRangeRatingNumberIsNamed) {
  const std::string message =
      PanelError(std::string(kGoodRows) + "Fitch,B,1e400,Stable,1/3/2018,2018,Kenya\n", kGoodWeo);
  EXPECT_NE(message.find("row 3, column 'RatingN'"), std::string::npos) << message;
  EXPECT_NE(message.find("out of the range"), std::string::npos) << message;
}

TEST(PanelInput, AYearThatIsNotANumberIsNamed) {
  const std::string message =
      PanelError(std::string(kGoodRows) + "Fitch,B,11,Stable,1/3/2018,199x,Kenya\n", kGoodWeo);
  EXPECT_NE(message.find("row 3, column 'Year'"), std::string::npos) << message;
}

// A year of 1e300 is a double but no int: compared, not converted.
TEST(PanelInput, AHugeYearIsAMismatchNotAConversion) {
  const std::string message =
      PanelError(std::string(kGoodRows) + "Fitch,B,11,Stable,1/3/2018,1e300,Kenya\n", kGoodWeo);
  EXPECT_NE(message.find("row 3, column 'Year'"), std::string::npos) << message;
  EXPECT_NE(message.find("disagrees with the date"), std::string::npos) << message;
}

TEST(PanelInput, AWeoYearWithoutAnIntegerValueIsNamed) {
  const std::string message =
      PanelError(kGoodRows, std::string(kGoodWeo) + "Kenya,NGDPD,1e300,1,0\n");
  EXPECT_NE(message.find("row 3, column 'year'"), std::string::npos) << message;
  EXPECT_NE(message.find("not a whole number"), std::string::npos) << message;
}

// Found by the rating fuzzer: a last year of 214749 overflowed the YYYYMMDD
// year end (year * 10000 + 1231). The configuration names the key; BuildPanel,
// called directly, refuses the years itself.
TEST(PanelInput, YearsBeyondTheDateRangeAreRefused) {
  const std::string folder = testing::MakeTempDir("rating_panel_years");
  const std::string config_path = Write(folder, "rate.toml",
                                        "[data]\nratings = \"r.csv\"\nweo = \"w.csv\"\n"
                                        "first_year = 2000\nlast_year = 214749\n");
  try {
    (void)LoadRateConfig(config_path, RateOverrides{});
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
    EXPECT_NE(std::string(error.what())
                  .find("key 'data.last_year': must be between 1980 and 2200, got 214749"),
              std::string::npos)
        << error.what();
  }
  PanelOptions options = GoodPanel(folder);
  options.first_year = 2000;
  options.last_year = 214749;
  try {
    (void)BuildPanel(options);
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
    EXPECT_NE(std::string(error.what()).find("outside 1 to 9999"), std::string::npos)
        << error.what();
  }
  // Within range the same files build a panel: Kenya's rated year ends, 2019 (B+, April 2019)
  // to 2021.
  options.last_year = 2021;
  EXPECT_EQ(BuildPanel(options).rows.size(), 3U);
}

// Found by the rating fuzzer: a snapshot date with a year of thirteen
// digits, which sscanf wrapped to 1514848029, overflowed YYYYMMDD
// (year * 10000). A year outside 1 to 9999 is not a date, nor is a date
// with more digits or other characters, nor a day the month does not have
// (data/civil_date.h); the message names the value.
TEST(PanelInput, ASnapshotYearBeyondTheDateRangeIsRefused) {
  const std::string folder = testing::MakeTempDir("rating_panel_snapshot");
  PanelOptions options = GoodPanel(folder);
  options.first_year = 2019;
  options.last_year = 2021;
  for (const char* date : {"2024444444445-09-02", "1514848029-01-01", "0-06-30", "-2025-09-02",
                           "10000-01-01", "2025-009-02", "2025-09-02x", "2025/09/02", "2025-13-01",
                           "2025-02-29", "2025-04-31", "+2025-09-02", "2025-09- 2"}) {
    options.snapshot_date = date;
    try {
      (void)BuildPanel(options);
      ADD_FAILURE() << date << ": no error";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kBadScenario) << date;
      EXPECT_NE(std::string(error.what()).find(std::string("snapshot date '") + date + "'"),
                std::string::npos)
          << error.what();
    }
  }
  // The last year the range allows is a date, and so is one without
  // leading zeros, and a leap day.
  for (const char* date : {"9999-12-31", "2025-9-2", "2024-02-29"}) {
    options.snapshot_date = date;
    EXPECT_EQ(BuildPanel(options).rows.size(), 3U) << date;
  }
}

}  // namespace
}  // namespace mizani::rating

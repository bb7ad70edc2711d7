// The shared date parser (data/civil_date.h) against the C++ calendar of
// <chrono> (an independent reference for which days exist), in every field
// order, and on the malformed texts that sscanf("%d") used to let through.
#include "data/civil_date.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace mizani::data {
namespace {

std::string Format(DateOrder order, char separator, int year, int month, int day) {
  switch (order) {
    case DateOrder::kYearMonthDay:
      return fmt::format("{}{}{:02d}{}{:02d}", year, separator, month, separator, day);
    case DateOrder::kMonthDayYear:
      return fmt::format("{}{}{}{}{}", month, separator, day, separator, year);
    case DateOrder::kDayMonthYear:
      return fmt::format("{:02d}{}{:02d}{}{}", day, separator, month, separator, year);
  }
  return "";
}

// Every month from 0 to 13 and day from 0 to 32 of years around the leap
// rules' edges, in the three orders: a date is read exactly when <chrono>
// says the day exists and the year is in range, and it is read back as
// written.
TEST(CivilDate, AgreesWithTheChronoCalendar) {
  int checked = 0;
  for (const int year : {1, 4, 100, 400, 1582, 1899, 1900, 1901, 1996, 2000, 2023, 2024, 2100, 2199,
                         2200, 2400, 9999}) {
    for (int month = 0; month <= 13; ++month) {
      for (int day = 0; day <= 32; ++day) {
        const std::chrono::year_month_day reference{
            std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
            std::chrono::day{static_cast<unsigned>(day)}};
        for (const DateOrder order :
             {DateOrder::kYearMonthDay, DateOrder::kMonthDayYear, DateOrder::kDayMonthYear}) {
          const std::string text = Format(order, '/', year, month, day);
          const auto date = ParseCivilDate(text, order, '/', 1900, 2199);
          const bool expected = reference.ok() && year >= 1900 && year <= 2199;
          ASSERT_EQ(date.has_value(), expected) << text;
          ++checked;
          if (!date) continue;
          EXPECT_EQ(date->year, year) << text;
          EXPECT_EQ(date->month, month) << text;
          EXPECT_EQ(date->day, day) << text;
          if (month >= 1 && month <= 12) {
            EXPECT_EQ(DaysInMonth(year, month),
                      static_cast<int>(static_cast<unsigned>(std::chrono::year_month_day_last{
                          std::chrono::year{year},
                          std::chrono::month_day_last{std::chrono::month{
                              static_cast<unsigned>(month)}}}.day())));
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 17 * 14 * 33 * 3);
}

// The texts "%d" read: a wrapped thirteen-digit year (the rating fuzzer's),
// signs, blanks inside, more digits than a field has, other separators,
// trailing text. Blanks around the whole date are allowed.
TEST(CivilDate, RefusesWhatIsNotThreeFieldsOfDigits) {
  for (const char* text : {"",
                           " ",
                           "2024444444445-09-02",
                           "20245-01-01",
                           "2024-001-01",
                           "2024-01-001",
                           "+2024-01-01",
                           "-2024-01-01",
                           "2024-+1-01",
                           "2024 -01-01",
                           "2024- 1-01",
                           "2024-01-01x",
                           "2024-01-01-01",
                           "2024-01",
                           "2024--01",
                           "-01-01",
                           "2024/01/01",
                           "2024-01-01T00:00",
                           "2024.01.01",
                           "\xd9\xa2\xd9\xa0\xd9\xa2\xd9\xa4-01-01"}) {
    EXPECT_FALSE(ParseCivilDate(text, DateOrder::kYearMonthDay, '-', 1, 9999)) << text;
  }
  for (const char* text : {"3/4/+2021", "3 /4/2021", "3/4/2021/", "03/04/21021", "3//2021"}) {
    EXPECT_FALSE(ParseCivilDate(text, DateOrder::kMonthDayYear, '/', 1, 9999)) << text;
  }
  const auto padded = ParseCivilDate(" \t2024-2-29 ", DateOrder::kYearMonthDay, '-', 1, 9999);
  ASSERT_TRUE(padded);
  EXPECT_EQ(padded->month, 2);
  EXPECT_EQ(padded->day, 29);
  // The order decides which field is the month.
  EXPECT_EQ(ParseCivilDate("3/4/2021", DateOrder::kMonthDayYear, '/', 1, 9999)->month, 3);
  EXPECT_EQ(ParseCivilDate("3/4/2021", DateOrder::kDayMonthYear, '/', 1, 9999)->month, 4);
  EXPECT_FALSE(ParseCivilDate("13/4/2021", DateOrder::kMonthDayYear, '/', 1, 9999));
  EXPECT_TRUE(ParseCivilDate("13/4/2021", DateOrder::kDayMonthYear, '/', 1, 9999));
}

}  // namespace
}  // namespace mizani::data

// Calendar dates written as text, read the same way by every engine: the
// rating actions' "M/D/YYYY" (rating/panel.cc), the debt register's
// "DD/MM/YYYY" (finance/data.cc), and the "YYYY-MM-DD" of a rating snapshot
// and of bond dates (finance/bond.cc). Digits are counted and converted
// here, not read with sscanf("%d"): a field of thirteen digits wrapped there
// to a number that passed as a year (the rating fuzzer's finding, session
// 23), and "%d" also took signs and blanks inside a date.
#pragma once

#include <optional>
#include <string_view>

namespace mizani::data {

// The order of a date's three fields.
enum class DateOrder { kYearMonthDay, kMonthDayYear, kDayMonthYear };

// A day of the calendar as read (finance.h has its own CivilDate: the
// public API does not include the data layer's headers).
struct CivilDay {
  int year = 0;
  int month = 0;
  int day = 0;
};

// Days in `month` (1 to 12) of `year`, in the Gregorian calendar (extended
// before 1582, as ISO 8601 does).
int DaysInMonth(int year, int month);

// Three fields of digits joined by `separator`, in `order`: the year of 1
// to 4 digits, the month and the day of 1 or 2. Blanks (spaces, tabs)
// around the whole text are ignored; nothing else is accepted: no sign, no
// blank inside, no time of day. The month must be 1 to 12, the day one of
// that month's, and the year within [min_year, max_year]. nullopt
// otherwise.
std::optional<CivilDay> ParseCivilDate(std::string_view text, DateOrder order, char separator,
                                       int min_year, int max_year);

}  // namespace mizani::data

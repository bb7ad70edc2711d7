#include "data/civil_date.h"

#include <array>
#include <cstddef>

namespace mizani::data {

int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[static_cast<size_t>(month - 1)];
}

std::optional<CivilDay> ParseCivilDate(std::string_view text, DateOrder order, char separator,
                                       int min_year, int max_year) {
  const auto blank = [](char symbol) { return symbol == ' ' || symbol == '\t'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  // Which field is the year; the others have at most two digits.
  const int year_field = order == DateOrder::kYearMonthDay ? 0 : 2;
  int fields[3] = {0, 0, 0};
  size_t pos = 0;
  for (int field_idx = 0; field_idx < 3; ++field_idx) {
    if (field_idx > 0) {
      if (pos >= text.size() || text[pos] != separator) return std::nullopt;
      ++pos;
    }
    const size_t max_digits = field_idx == year_field ? 4 : 2;
    const size_t first = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (pos - first == max_digits) return std::nullopt;  // (a fifth digit of year)
      fields[field_idx] = fields[field_idx] * 10 + (text[pos] - '0');
      ++pos;
    }
    if (pos == first) return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  CivilDay date;
  switch (order) {
    case DateOrder::kYearMonthDay:
      date = {fields[0], fields[1], fields[2]};
      break;
    case DateOrder::kMonthDayYear:
      date = {fields[2], fields[0], fields[1]};
      break;
    case DateOrder::kDayMonthYear:
      date = {fields[2], fields[1], fields[0]};
      break;
  }
  if (date.year < min_year || date.year > max_year || date.month < 1 || date.month > 12 ||
      date.day < 1 || date.day > DaysInMonth(date.year, date.month)) {
    return std::nullopt;
  }
  return date;
}

}  // namespace mizani::data

// Number <-> text conversions shared by the table and the readers, so that a
// value prints the same way in a label, an error message and a written CSV.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

namespace mizani::data {

// Tokens that mean "missing" in an unquoted CSV field (besides the empty
// field): R writes NA, Stata exports ".". A quoted "NA" stays text because it
// is also Namibia's ISO2 code.
inline bool IsMissingToken(std::string_view text) {
  // Spelled out by size: this runs for every field of a large file and
  // string_view's operator== calls memcmp.
  switch (text.size()) {
    case 0:
      return true;
    case 1:
      return text[0] == '.';
    case 2:
      return text[0] == 'N' && text[1] == 'A';
    default:
      return false;
  }
}

// Plain decimals with at most 19 digits and no exponent ("1986", "-0.25",
// "3376.636840459894"), the bulk of any trade file. When the digits form an
// integer m <= 2^53 and there are k <= 22 decimals, m and 10^k are exact
// doubles and m / 10^k is one correctly rounded division (Clinger's fast
// path), so the result equals what from_chars gives. Returns false when the
// text needs the general parser.
inline bool ParseSimpleDecimal(const char* begin, const char* end, double* out) {
  static constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                            1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  bool negative = false;
  if (begin < end && *begin == '-') {
    negative = true;
    ++begin;
  }
  uint64_t mantissa = 0;
  int digits = 0;
  int decimals = 0;
  bool seen_point = false;
  for (const char* cursor = begin; cursor < end; ++cursor) {
    char symbol = *cursor;
    if (symbol >= '0' && symbol <= '9') {
      if (++digits > 19) return false;
      mantissa = mantissa * 10 + static_cast<uint64_t>(symbol - '0');
      decimals += seen_point;
    } else if (symbol == '.' && !seen_point) {
      seen_point = true;
    } else {
      return false;
    }
  }
  if (digits == 0 || mantissa > (uint64_t{1} << 53) || decimals > 22) return false;
  double value = static_cast<double>(mantissa);
  if (decimals > 0) value /= kPowersOfTen[decimals];  // integers skip the slow division
  *out = negative ? -value : value;
  return true;
}

// Parses a whole field as a double, ignoring surrounding blanks and a leading
// '+', which from_chars rejects but spreadsheets write.
inline bool ParseNumber(std::string_view text, double* out) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (ParseSimpleDecimal(begin, end, out)) return true;
  while (begin < end && (*begin == ' ' || *begin == '\t')) ++begin;
  while (end > begin && (end[-1] == ' ' || end[-1] == '\t')) --end;
  if (begin < end && *begin == '+') ++begin;
  if (begin == end) return false;
  auto [ptr, ec] = std::from_chars(begin, end, *out);
  // Out-of-range values (1e999) are reported as errors by from_chars; such
  // text is not a usable number for a model, so the column stays text.
  return ec == std::errc() && ptr == end;
}

// Text of a number as a user would write it: integers without ".0" (so a year
// reads "1986"), other values in the shortest form that reads back exactly.
std::string FormatNumber(double value);
// Appends FormatNumber(value) to `out` without a temporary string.
void AppendNumber(double value, std::string* out);

}  // namespace mizani::data

// Number <-> text conversions shared by the table and the readers, so that a
// value prints the same way in a label, an error message and a written CSV.
#pragma once

#include <bit>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
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

// Eight ASCII digits, the first in memory the most significant, as a number;
// false if any byte is not a digit. One 8-byte load and a few multiplies
// instead of eight dependent multiply-adds with a branch each.
inline bool ParseEightDigits(const char* text, uint64_t* out) {
  constexpr uint64_t kHighNibbles = 0xF0F0F0F0F0F0F0F0ULL;
  constexpr uint64_t kZeros = 0x3030303030303030ULL;
  constexpr uint64_t kSixes = 0x0606060606060606ULL;
  uint64_t word;
  std::memcpy(&word, text, 8);
  // A digit byte is 0x30..0x39: high nibble 3, and still 3 after adding 6
  // (no byte carries into the next once every high nibble is 3).
  if ((word & kHighNibbles) != kZeros || ((word + kSixes) & kHighNibbles) != kZeros) return false;
  // Byte i holds digit i with the first digit in the lowest byte (on
  // little-endian machines, the only ones calling this). Adjacent digits
  // combine into two-digit numbers in the even bytes, then four-digit ones
  // in the low 16 bits of each 32-bit half; no step overflows its lane.
  uint64_t digits = word - kZeros;
  uint64_t pairs = (digits * 10 + (digits >> 8)) & 0x00FF00FF00FF00FFULL;
  uint64_t quads = (pairs * 100 + (pairs >> 16)) & 0x0000FFFF0000FFFFULL;
  *out = (quads & 0xFFFF) * 10000 + (quads >> 32);
  return true;
}

// Appends the run of digits from `cursor` to the decimal `mantissa` (which
// wraps past 19 digits; callers count digits) and returns the run's end.
inline const char* AppendDigits(const char* cursor, const char* end, uint64_t* mantissa) {
  uint64_t eight = 0;
  while (std::endian::native == std::endian::little && end - cursor >= 8 &&
         ParseEightDigits(cursor, &eight)) {
    *mantissa = *mantissa * 100000000 + eight;
    cursor += 8;
  }
  while (cursor < end && static_cast<unsigned char>(*cursor - '0') < 10) {
    *mantissa = *mantissa * 10 + static_cast<uint64_t>(*cursor - '0');
    ++cursor;
  }
  return cursor;
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
  bool negative = begin < end && *begin == '-';
  const char* integer = begin + (negative ? 1 : 0);
  uint64_t mantissa = 0;
  const char* cursor = AppendDigits(integer, end, &mantissa);
  ptrdiff_t digits = cursor - integer;
  ptrdiff_t decimals = 0;
  if (cursor < end && *cursor == '.') {
    const char* fraction = cursor + 1;
    cursor = AppendDigits(fraction, end, &mantissa);
    decimals = cursor - fraction;
    digits += decimals;
  }
  if (cursor != end || digits == 0 || digits > 19 || mantissa > (uint64_t{1} << 53) ||
      decimals > 22) {
    return false;
  }
  double value = static_cast<double>(mantissa);
  if (decimals > 0) value /= kPowersOfTen[decimals];  // integers skip the slow division
  *out = negative ? -value : value;
  return true;
}

// What a field that is not a usable number holds, for the message.
enum class NumberText {
  kFinite,      // a finite number
  kNotNumber,   // text ("abc")
  kNonFinite,   // "inf", "-inf", "nan", "infinity" (any case)
  kOutOfRange,  // a number beyond the range of a double ("1e400")
};

// Parses a whole field as a double, ignoring surrounding blanks and a leading
// '+', which from_chars rejects but spreadsheets write. Only finite numbers
// are numbers: a model cannot use inf or NaN, and a column holding one stays
// text, so that using it reports the cell (RequireNumeric).
inline NumberText ClassifyNumber(std::string_view text, double* out) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (ParseSimpleDecimal(begin, end, out)) return NumberText::kFinite;
  while (begin < end && (*begin == ' ' || *begin == '\t')) ++begin;
  while (end > begin && (end[-1] == ' ' || end[-1] == '\t')) --end;
  if (begin < end && *begin == '+') ++begin;
  if (begin == end) return NumberText::kNotNumber;
  auto [ptr, ec] = std::from_chars(begin, end, *out);
  if (ptr != end) return NumberText::kNotNumber;
  if (ec == std::errc::result_out_of_range) return NumberText::kOutOfRange;
  if (ec != std::errc()) return NumberText::kNotNumber;
  return std::isfinite(*out) ? NumberText::kFinite : NumberText::kNonFinite;
}

inline bool ParseNumber(std::string_view text, double* out) {
  return ClassifyNumber(text, out) == NumberText::kFinite;
}

// Text of a number as a user would write it: integers without ".0" (so a year
// reads "1986"), other values in the shortest form that reads back exactly.
std::string FormatNumber(double value);
// Appends FormatNumber(value) to `out` without a temporary string.
void AppendNumber(double value, std::string* out);

}  // namespace mizani::data

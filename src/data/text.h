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
  return text.empty() || text == "NA" || text == ".";
}

// Parses a whole field as a double, ignoring surrounding blanks and a leading
// '+', which from_chars rejects but spreadsheets write.
inline bool ParseNumber(std::string_view text, double* out) {
  const char* begin = text.data();
  const char* end = begin + text.size();
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

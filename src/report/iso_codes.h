// ISO 3166-1 alpha-3 to numeric codes, to join report values (keyed by
// alpha-3, as trade data are) with the world-atlas shapes (keyed by numeric).
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace mizani::report_internal {

struct IsoCode {
  const char* alpha3;
  const char* numeric;  // three digits, zero-padded like the world-atlas ids
};

extern const std::array<IsoCode, 249> kIsoCodes;

// "404" for "KEN"; also accepts the legacy codes that trade data sets still
// use (ROM, ZAR, TMP, PAL). Empty when unknown.
std::string IsoNumericFor(std::string_view alpha3);

}  // namespace mizani::report_internal

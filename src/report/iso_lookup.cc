#include <algorithm>
#include <cctype>
#include <cstring>

#include "report/iso_codes.h"

namespace mizani::report_internal {

namespace {

// Codes retired by ISO but still found in gravity data sets (CEPII, Yotov et
// al.), mapped to the territory's current code.
struct LegacyCode {
  const char* legacy;
  const char* current;
};
constexpr LegacyCode kLegacyCodes[] = {
    {"PAL", "PSE"},  // Palestine
    {"ROM", "ROU"},  // Romania before 2002
    {"TMP", "TLS"},  // East Timor before 2002
    {"ZAR", "COD"},  // Zaire / DR Congo before 1997
};

}  // namespace

std::string IsoNumericFor(std::string_view alpha3) {
  std::string code(alpha3);
  for (char& letter : code)
    letter = static_cast<char>(std::toupper(static_cast<unsigned char>(letter)));
  for (const LegacyCode& legacy : kLegacyCodes) {
    if (code == legacy.legacy) code = legacy.current;
  }
  auto found = std::lower_bound(kIsoCodes.begin(), kIsoCodes.end(), code,
                                [](const IsoCode& entry, const std::string& key) {
                                  return std::strcmp(entry.alpha3, key.c_str()) < 0;
                                });
  if (found == kIsoCodes.end() || code != found->alpha3) return "";
  return found->numeric;
}

}  // namespace mizani::report_internal

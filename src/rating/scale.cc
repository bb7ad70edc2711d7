// The notch scale, agencies, outlooks and country names (rating.h).
#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <unordered_map>

#include "mizani/rating.h"
#include "rating/country_names.h"

namespace mizani::rating {

namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& character : out) {
    character = static_cast<char>(std::tolower(static_cast<unsigned char>(character)));
  }
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// S&P letters from notch 21 (AAA) down to 3 (CCC-); index = 21 - notch.
constexpr std::array<const char*, 19> kSpLetters = {
    "AAA", "AA+", "AA",  "AA-", "A+", "A",  "A-",   "BBB+", "BBB", "BBB-",
    "BB+", "BB",  "BB-", "B+",  "B",  "B-", "CCC+", "CCC",  "CCC-"};
// Moody's Aaa..Caa3, same positions.
constexpr std::array<const char*, 19> kMoodysLetters = {
    "Aaa", "Aa1", "Aa2", "Aa3", "A1", "A2", "A3",   "Baa1", "Baa2", "Baa3",
    "Ba1", "Ba2", "Ba3", "B1",  "B2", "B3", "Caa1", "Caa2", "Caa3"};

}  // namespace

std::string_view AgencyName(Agency agency) {
  switch (agency) {
    case Agency::kSp:
      return "S&P";
    case Agency::kMoodys:
      return "Moody's";
    case Agency::kFitch:
      return "Fitch";
    case Agency::kDbrs:
      return "DBRS";
  }
  return "?";
}

std::optional<Agency> ParseAgency(std::string_view text) {
  const std::string key = Lower(Trim(text));
  if (key == "s&p" || key == "sp" || key == "s&p global") return Agency::kSp;
  if (key == "moody's" || key == "moodys") return Agency::kMoodys;
  if (key == "fitch") return Agency::kFitch;
  if (key == "dbrs" || key == "dbrs morningstar") return Agency::kDbrs;
  return std::nullopt;
}

std::optional<int> NotchFromGrade(Agency agency, std::string_view grade) {
  std::string text(Trim(grade));
  if (agency == Agency::kMoodys) {
    for (size_t idx = 0; idx < kMoodysLetters.size(); ++idx) {
      if (text == kMoodysLetters[idx]) return kMaxNotch - static_cast<int>(idx);
    }
    // Unnotched grades of the 1980s: the middle notch of the band.
    if (text == "Aa") return 19;
    if (text == "A") return 16;
    if (text == "Ca") return 2;
    if (text == "C") return 1;
    return std::nullopt;
  }
  if (agency == Agency::kDbrs) {
    // "AA (high)" is AA+, "AA (low)" AA-; DBRS has no notches below CCC
    // in the sovereign data, where (high)/(low) map like the others.
    const size_t paren = text.find('(');
    std::string base(Trim(std::string_view(text).substr(0, paren)));
    int shift = 0;
    if (paren != std::string::npos) {
      const std::string qualifier = Lower(text.substr(paren));
      if (qualifier == "(high)") {
        shift = 1;
      } else if (qualifier == "(low)") {
        shift = -1;
      } else {
        return std::nullopt;
      }
    }
    if (base == "CC" || base == "C" || base == "D" || base == "SD") {
      if (shift != 0) return std::nullopt;
      return base == "CC" || base == "C" ? 2 : 1;
    }
    for (size_t idx = 0; idx < kSpLetters.size(); ++idx) {
      const std::string letters = kSpLetters[idx];
      if (letters.back() == '+' || letters.back() == '-') continue;
      if (base == letters) {
        const int notch = kMaxNotch - static_cast<int>(idx) + shift;
        if (notch > kMaxNotch) return std::nullopt;
        return notch;
      }
    }
    return std::nullopt;
  }
  // S&P and Fitch share the letters; SD/D (S&P) and RD/D (Fitch) are default.
  for (size_t idx = 0; idx < kSpLetters.size(); ++idx) {
    if (text == kSpLetters[idx]) return kMaxNotch - static_cast<int>(idx);
  }
  if (text == "CC" || text == "C") return 2;
  if (text == "SD" || text == "D" || text == "RD") return 1;
  return std::nullopt;
}

std::string NotchLabel(int notch) {
  if (notch >= 3 && notch <= kMaxNotch) return kSpLetters[kMaxNotch - notch];
  if (notch == 2) return "CC";
  if (notch == 1) return "D";
  return "?";
}

std::optional<int> NotchFromLabel(std::string_view label) {
  const std::string text(Trim(label));
  for (int notch = kMinNotch; notch <= kMaxNotch; ++notch) {
    if (text == NotchLabel(notch)) return notch;
  }
  if (text == "SD") return 1;
  return std::nullopt;
}

const char* OutlookName(Outlook outlook) {
  switch (outlook) {
    case Outlook::kStable:
      return "stable";
    case Outlook::kPositive:
      return "positive";
    case Outlook::kNegative:
      return "negative";
    case Outlook::kNone:
      return "";
  }
  return "";
}

const char* WatchName(Watch watch) {
  switch (watch) {
    case Watch::kPositive:
      return "watch positive";
    case Watch::kNegative:
      return "watch negative";
    case Watch::kReview:
      return "under review";
    case Watch::kNone:
      return "";
  }
  return "";
}

bool ParseOutlook(std::string_view text, Outlook* outlook, Watch* watch) {
  const std::string key = Lower(Trim(text));
  *outlook = Outlook::kNone;
  *watch = Watch::kNone;
  if (key == "stable") {
    *outlook = Outlook::kStable;
  } else if (key == "positive") {
    *outlook = Outlook::kPositive;
  } else if (key == "negative") {
    *outlook = Outlook::kNegative;
  } else if (key == "negative watch") {
    *watch = Watch::kNegative;
  } else if (key == "positive watch") {
    *watch = Watch::kPositive;
  } else if (key == "under review") {
    *watch = Watch::kReview;
  } else if (key != "n/a" && !key.empty()) {
    return false;
  }
  return true;
}

std::string NormalizeCountryName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char character : name) {
    const auto byte = static_cast<unsigned char>(character);
    if (byte < 0x80 && std::isalnum(byte)) out.push_back(static_cast<char>(std::tolower(byte)));
  }
  return out;
}

namespace {

const std::unordered_map<std::string, std::string>& NameIndex() {
  static const std::unordered_map<std::string, std::string> kIndex = [] {
    std::unordered_map<std::string, std::string> index;
    for (const CountryInfo& country : CountryTable()) {
      index.emplace(NormalizeCountryName(country.name), country.iso3);
      index.emplace(NormalizeCountryName(country.iso3), country.iso3);
    }
    for (const NameVariant& variant : NameVariants()) {
      index.emplace(NormalizeCountryName(variant.spelling), variant.iso3);
    }
    return index;
  }();
  return kIndex;
}

}  // namespace

std::optional<std::string> Iso3ForName(std::string_view name) {
  const auto found = NameIndex().find(NormalizeCountryName(name));
  if (found == NameIndex().end()) return std::nullopt;
  return found->second;
}

const CountryInfo* FindCountry(std::string_view iso3) {
  const auto& table = CountryTable();
  const auto found = std::lower_bound(table.begin(), table.end(), iso3,
                                      [](const CountryInfo& entry, std::string_view key) {
                                        return std::string_view(entry.iso3) < key;
                                      });
  if (found == table.end() || std::string_view(found->iso3) != iso3) return nullptr;
  return &*found;
}

std::vector<std::string> KnownIso3() {
  std::vector<std::string> codes;
  for (const CountryInfo& country : CountryTable()) codes.emplace_back(country.iso3);
  return codes;
}

}  // namespace mizani::rating

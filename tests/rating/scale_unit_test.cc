// The notch scale, outlooks and country names.
#include <gtest/gtest.h>

#include <algorithm>

#include "mizani/rating.h"

namespace mizani::rating {
namespace {

TEST(NotchScale, OneStepPerNotchAcrossAgencies) {
  // The same notch from each agency's letters (S&P/Fitch, Moody's, DBRS).
  const std::vector<std::array<const char*, 3>> grades = {
      {"AAA", "Aaa", "AAA"},         {"AA+", "Aa1", "AA (high)"},    {"AA", "Aa2", "AA"},
      {"AA-", "Aa3", "AA (low)"},    {"A+", "A1", "A (high)"},       {"A", "A2", "A"},
      {"A-", "A3", "A (low)"},       {"BBB+", "Baa1", "BBB (high)"}, {"BBB", "Baa2", "BBB"},
      {"BBB-", "Baa3", "BBB (low)"}, {"BB+", "Ba1", "BB (high)"},    {"BB", "Ba2", "BB"},
      {"BB-", "Ba3", "BB (low)"},    {"B+", "B1", "B (high)"},       {"B", "B2", "B"},
      {"B-", "B3", "B (low)"},       {"CCC+", "Caa1", "CCC (high)"}, {"CCC", "Caa2", "CCC"},
      {"CCC-", "Caa3", "CCC (low)"}};
  int expected = kMaxNotch;
  for (const auto& [sp, moodys, dbrs] : grades) {
    EXPECT_EQ(NotchFromGrade(Agency::kSp, sp), expected) << sp;
    EXPECT_EQ(NotchFromGrade(Agency::kFitch, sp), expected) << sp;
    EXPECT_EQ(NotchFromGrade(Agency::kMoodys, moodys), expected) << moodys;
    EXPECT_EQ(NotchFromGrade(Agency::kDbrs, dbrs), expected) << dbrs;
    EXPECT_EQ(NotchLabel(expected), sp);
    EXPECT_EQ(NotchFromLabel(sp), expected);
    --expected;
  }
  EXPECT_EQ(expected, 2);
  EXPECT_EQ(NotchFromGrade(Agency::kSp, "CC"), 2);
  EXPECT_EQ(NotchFromGrade(Agency::kMoodys, "Ca"), 2);
  EXPECT_EQ(NotchFromGrade(Agency::kSp, "SD"), 1);
  EXPECT_EQ(NotchFromGrade(Agency::kSp, "D"), 1);
  EXPECT_EQ(NotchFromGrade(Agency::kFitch, "RD"), 1);
  EXPECT_EQ(NotchFromGrade(Agency::kMoodys, "C"), 1);
  // Moody's unnotched grades of the 1980s sit on the middle notch.
  EXPECT_EQ(NotchFromGrade(Agency::kMoodys, "Aa"), 19);
  EXPECT_EQ(NotchFromGrade(Agency::kMoodys, "A"), 16);
  // Off the scale.
  EXPECT_FALSE(NotchFromGrade(Agency::kSp, "AAA+"));
  EXPECT_FALSE(NotchFromGrade(Agency::kMoodys, "AAA"));
  EXPECT_FALSE(NotchFromGrade(Agency::kDbrs, "AAA (high)"));
  EXPECT_FALSE(NotchFromGrade(Agency::kDbrs, "BB (middle)"));
  EXPECT_EQ(NotchLabel(0), "?");
  EXPECT_EQ(NotchLabel(22), "?");
}

TEST(NotchScale, AgenciesAndOutlooks) {
  EXPECT_EQ(ParseAgency("S&P"), Agency::kSp);
  EXPECT_EQ(ParseAgency("moody's"), Agency::kMoodys);
  EXPECT_EQ(ParseAgency(" Fitch "), Agency::kFitch);
  EXPECT_FALSE(ParseAgency("Scope"));
  Outlook outlook;
  Watch watch;
  ASSERT_TRUE(ParseOutlook("Negative Watch", &outlook, &watch));
  EXPECT_EQ(outlook, Outlook::kNone);
  EXPECT_EQ(watch, Watch::kNegative);
  ASSERT_TRUE(ParseOutlook("Positive", &outlook, &watch));
  EXPECT_EQ(outlook, Outlook::kPositive);
  EXPECT_EQ(watch, Watch::kNone);
  ASSERT_TRUE(ParseOutlook("Under Review", &outlook, &watch));
  EXPECT_EQ(watch, Watch::kReview);
  ASSERT_TRUE(ParseOutlook("N/A", &outlook, &watch));
  EXPECT_FALSE(ParseOutlook("Developing soon", &outlook, &watch));
}

TEST(CountryNames, SpellingsFoldToOneCode) {
  EXPECT_EQ(Iso3ForName("Cote d'Ivoire"), "CIV");
  EXPECT_EQ(Iso3ForName("Ivory Coast"), "CIV");
  EXPECT_EQ(Iso3ForName("C\xc2\x81"
                        "Ete d'Ivoire"),
            "CIV");
  EXPECT_EQ(Iso3ForName("Congo"), "COG");
  EXPECT_EQ(Iso3ForName("Republic of the Congo"), "COG");
  EXPECT_EQ(Iso3ForName("Congo, Dem. Rep."), "COD");
  EXPECT_EQ(Iso3ForName("Egypt, Arab Rep."), "EGY");
  EXPECT_EQ(Iso3ForName("Swaziland"), "SWZ");
  EXPECT_EQ(Iso3ForName("Macau"), "MAC");
  EXPECT_EQ(Iso3ForName("S\xc2\x81"
                        "EEEo Tom\xc2\x81"
                        "EEE and Pr\xc2\x81"
                        "EEEncipe"),
            "STP");
  EXPECT_EQ(Iso3ForName("KEN"), "KEN");
  EXPECT_FALSE(Iso3ForName("Atlantis"));
  ASSERT_NE(FindCountry("KEN"), nullptr);
  EXPECT_TRUE(FindCountry("KEN")->africa);
  EXPECT_FALSE(FindCountry("JPN")->africa);
  EXPECT_EQ(FindCountry("XXX"), nullptr);
  // FindCountry bisects the table: sorted, no duplicates.
  const std::vector<std::string> codes = KnownIso3();
  EXPECT_TRUE(std::is_sorted(codes.begin(), codes.end()));
  EXPECT_TRUE(std::adjacent_find(codes.begin(), codes.end()) == codes.end());
}

}  // namespace
}  // namespace mizani::rating

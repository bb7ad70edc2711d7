// Input rules: tariff schedules applied with an HS concordance (an HS4 rate
// covers its HS6 lines; exact partner and longer codes win), and duplicate
// rows refused.
#include "pe/inputs.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "mizani/error.h"

namespace mizani::pe {
namespace {

InputRow Row(const std::string& partner, const std::string& product) {
  InputRow row;
  row.reporter = "JPN";
  row.partner = partner;
  row.product = product;
  row.trade = 10;
  row.trade_status = CellStatus::kSourced;
  row.origin = "test:" + partner + product;
  return row;
}

TEST(PeInputs, TariffScheduleUsesTheMostSpecificRate) {
  std::vector<InputRow> rows = {Row("KEN", "090240"), Row("IND", "090230"), Row("KEN", "090230"),
                                Row("KEN", "080440")};
  rows[2].tariff = 0.07;
  rows[2].tariff_status = CellStatus::kAssumed;  // already set: left alone
  const std::vector<TariffRate> rates = {
      {"JPN", "*", "0902", 0.03, "HS4 schedule", "r1"},
      {"JPN", "*", "090230", 0.12, "WTO", "r2"},
      {"JPN", "IND", "0902", 0.015, "EPA India", "r3"},
      {"JPN", "*", "09", 0.5, "chapter", "r4"},
  };
  ApplyTariffSchedule(rows, rates);
  // 090240 has no HS6 rate: the HS4 0902 rate applies, and the source says so.
  EXPECT_DOUBLE_EQ(rows[0].tariff, 0.03);
  EXPECT_EQ(rows[0].tariff_status, CellStatus::kSourced);
  EXPECT_NE(rows[0].tariff_source.find("HS4 rate 0902 applied to HS6 090240"), std::string::npos);
  // An exact partner beats a longer code for every partner.
  EXPECT_DOUBLE_EQ(rows[1].tariff, 0.015);
  EXPECT_DOUBLE_EQ(rows[2].tariff, 0.07);
  // Nothing covers chapter 08: still to fill.
  EXPECT_EQ(rows[3].tariff_status, CellStatus::kToFill);
}

TEST(PeInputs, DuplicateRowsAreRefused) {
  std::vector<InputRow> rows = {Row("KEN", "090240")};
  try {
    AppendRows(rows, {Row("KEN", "090240")});
    FAIL() << "duplicate accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadData);
    EXPECT_NE(std::string(e.what()).find("appears twice"), std::string::npos);
  }
}

// A file of this test process under the temporary folder.
std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("mizani_pe_inputs_" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  std::string path = (folder / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The message of the kBadData error `action` throws.
template <typename Action>
std::string BadDataMessage(Action action) {
  try {
    action();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kBadData) << error.what();
    return error.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

// 1e400 on row 3 makes the tariff column text; the error names that cell and
// says why, not row 1 (whose "5" is a number).
TEST(PeInputs, AnOutOfRangeTariffIsNamedWhereItIs) {
  const std::string path = WriteTemp(
      "wits.csv",
      "reporter,partner,product,trade_value,tariff\nJPN,KEN,090240,10,5\nJPN,IND,090240,20,3\n"
      "JPN,CHN,090240,30,1e400\n");
  const std::string message = BadDataMessage([&] { (void)ReadWitsTable(path); });
  EXPECT_NE(message.find("row 3, column 'tariff'"), std::string::npos) << message;
  EXPECT_NE(message.find("out of the range"), std::string::npos) << message;
}

// Country codes and years are converted to integers only when they are whole
// numbers in range (1e300 and a missing code have no integer value).
TEST(PeInputs, BaciCodesAndYearsMustBeWholeNumbers) {
  const std::string codes =
      WriteTemp("codes.csv", "country_code,iso_3digit_alpha\n392,JPN\n404,KEN\n1e300,XXX\n");
  BaciSelection selection;
  selection.path = WriteTemp("baci.csv", "t,i,j,k,v,q\n2020,404,392,090240,1,1\n");
  selection.country_codes = codes;
  selection.importers = {"JPN"};
  selection.products = {"090240"};
  std::string message = BadDataMessage([&] { (void)ReadBaci(selection); });
  EXPECT_NE(message.find("row 3, column 'country_code'"), std::string::npos) << message;
  EXPECT_NE(message.find("not a whole number"), std::string::npos) << message;

  selection.country_codes =
      WriteTemp("codes2.csv", "country_code,iso_3digit_alpha\n392,JPN\n404,KEN\n");
  for (const char* row :
       {"2020,,392,090240,1,1", "2020,404,392,090240,1,1\n1e300,404,392,090240,1,1"}) {
    selection.path = WriteTemp("baci.csv", std::string("t,i,j,k,v,q\n") + row + "\n");
    message = BadDataMessage([&] { (void)ReadBaci(selection); });
    EXPECT_NE(message.find("not a whole number"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace mizani::pe

namespace mizani::pe {
namespace {

// A schedule row; `weight` is the line's imports (NaN: not given).
TariffRate Rate(const std::string& partner, const std::string& code, double percent,
                double weight = std::nan("")) {
  return {"JPN", partner, code, percent / 100, "src " + code, "sched:" + partner + code, weight};
}

// Three national lines under HS6 090230 with their imports: the simple
// average is (12 + 3 + 6) / 3 = 7%, the trade-weighted one
// (12 x 40 + 3 x 10 + 6 x 50) / 100 = 8.1%.
std::vector<TariffRate> NationalLines() {
  return {Rate("*", "090230010", 12, 40), Rate("*", "090230020", 3, 10),
          Rate("*", "090230090", 6, 50)};
}

TEST(PeTariffLevels, NationalLinesAreAveragedToHs6) {
  std::vector<InputRow> rows = {Row("KEN", "090230")};
  ApplyTariffSchedule(rows, NationalLines());
  EXPECT_NEAR(rows[0].tariff, 0.07, 1e-15);
  EXPECT_EQ(rows[0].tariff_status, CellStatus::kSourced);
  EXPECT_EQ(rows[0].tariff_level, "national lines (simple average of 3)");
  EXPECT_NE(rows[0].tariff_source.find("090230020 3%"), std::string::npos) << rows[0].tariff_source;

  rows = {Row("KEN", "090230")};
  TariffScheduleOptions options;
  options.averaging = LineAveraging::kTradeWeighted;
  ApplyTariffSchedule(rows, NationalLines(), options);
  EXPECT_NEAR(rows[0].tariff, 0.081, 1e-15);
  EXPECT_EQ(rows[0].tariff_level, "national lines (trade-weighted average of 3)");
}

TEST(PeTariffLevels, PartnerLinesBeforeEveryPartnerAndHs6BeforeHs4) {
  std::vector<TariffRate> rates = NationalLines();
  rates.push_back(Rate("IND", "090230010", 1.5));
  rates.push_back(Rate("IND", "090230090", 2.5));
  rates.push_back(Rate("*", "0902", 20));
  std::vector<InputRow> rows = {Row("IND", "090230"), Row("KEN", "090240")};
  ApplyTariffSchedule(rows, rates);
  // India's own lines only (its EPA rates), averaged: (1.5 + 2.5) / 2.
  EXPECT_NEAR(rows[0].tariff, 0.02, 1e-15);
  // No HS6 or national rate for 090240: the HS4 rate, and the level says so.
  EXPECT_DOUBLE_EQ(rows[1].tariff, 0.20);
  EXPECT_EQ(rows[1].tariff_level, "HS4");
}

TEST(PeTariffLevels, AmbiguousOrUnweightedSchedulesAreRefused) {
  std::vector<TariffRate> rates = NationalLines();
  rates.push_back(Rate("*", "090230", 12));
  std::vector<InputRow> rows = {Row("KEN", "090230")};
  std::string message = BadDataMessage([&] { ApplyTariffSchedule(rows, rates); });
  EXPECT_NE(message.find("beside 3 national lines"), std::string::npos) << message;

  TariffScheduleOptions weighted;
  weighted.averaging = LineAveraging::kTradeWeighted;
  rates = NationalLines();
  rates[1].weight = std::nan("");
  message = BadDataMessage([&] { ApplyTariffSchedule(rows, rates, weighted); });
  EXPECT_NE(message.find("sched:*090230020: no trade_value for 090230020"), std::string::npos)
      << message;
  rates = {Rate("*", "090230010", 12, 0), Rate("*", "090230020", 3, 0)};
  message = BadDataMessage([&] { ApplyTariffSchedule(rows, rates, weighted); });
  EXPECT_NE(message.find("sum to zero"), std::string::npos) << message;
}

// HS2012 -> HS2017: macadamia 080260 split into 080261 (in shell) and 080262
// (shelled); two old codes 030391 (5%, imports 30) and 030392 (10%, imports
// 10) merged into one new line 030399 (made-up merge): simple average 7.5%,
// trade-weighted (5 x 30 + 10 x 10) / 40 = 6.25%.
HsConcordance Concordance() {
  HsConcordance concordance;
  concordance.path = "hs.csv";
  concordance.from = "HS2012";
  concordance.to = "HS2017";
  concordance.sources = {
      {"080261", {"080260"}}, {"080262", {"080260"}}, {"030399", {"030391", "030392"}}};
  concordance.from_codes = {"080260", "030391", "030392"};
  return concordance;
}

TEST(PeTariffLevels, ConcordanceSplitsAndMergesCodes) {
  const HsConcordance concordance = Concordance();
  const std::vector<TariffRate> rates = {Rate("*", "080260", 5), Rate("USA", "080260", 0),
                                         Rate("*", "030391", 5, 30), Rate("*", "030392", 10, 10)};
  std::vector<InputRow> rows = {Row("KEN", "080261"), Row("KEN", "080262"), Row("USA", "080262"),
                                Row("KEN", "030399")};
  TariffScheduleOptions options;
  options.concordance = &concordance;
  ApplyTariffSchedule(rows, rates, options);
  EXPECT_DOUBLE_EQ(rows[0].tariff, 0.05);
  EXPECT_DOUBLE_EQ(rows[1].tariff, 0.05);
  EXPECT_DOUBLE_EQ(rows[2].tariff, 0.0);
  EXPECT_EQ(rows[0].tariff_level, "HS2012 -> HS2017 (concordance hs.csv): HS6");
  EXPECT_NE(rows[0].tariff_source.find("HS2012 080260 5%"), std::string::npos)
      << rows[0].tariff_source;
  EXPECT_NEAR(rows[3].tariff, 0.075, 1e-15);
  EXPECT_EQ(rows[3].tariff_level, "HS2012 -> HS2017 (concordance hs.csv): simple average of 2");

  rows = {Row("KEN", "030399")};
  options.averaging = LineAveraging::kTradeWeighted;
  ApplyTariffSchedule(rows, rates, options);
  EXPECT_NEAR(rows[0].tariff, 0.0625, 1e-15);
}

TEST(PeTariffLevels, CodesOutsideTheConcordanceAreErrors) {
  const HsConcordance concordance = Concordance();
  TariffScheduleOptions options;
  options.concordance = &concordance;
  std::vector<InputRow> rows = {Row("KEN", "080261")};
  // A schedule code the concordance does not map.
  std::string message = BadDataMessage([&] {
    ApplyTariffSchedule(rows, {Rate("*", "080260", 5), Rate("*", "0802900", 3)}, options);
  });
  EXPECT_NE(message.find("sched:*0802900: HS2012 code 080290 is not in the concordance hs.csv"),
            std::string::npos)
      << message;
  // A table line the concordance does not map.
  rows = {Row("KEN", "090240")};
  message = BadDataMessage([&] { ApplyTariffSchedule(rows, {Rate("*", "080260", 5)}, options); });
  EXPECT_NE(message.find("test:KEN090240: HS2017 line 090240 is not in the concordance"),
            std::string::npos)
      << message;
  // Two codes merged, one without a rate: no partial average; the row stays
  // to fill and says which code lacks a rate.
  rows = {Row("KEN", "030399")};
  ApplyTariffSchedule(rows, {Rate("*", "030391", 5)}, options);
  EXPECT_EQ(rows[0].tariff_status, CellStatus::kToFill);
  EXPECT_NE(rows[0].tariff_source.find("no rate for 030392"), std::string::npos)
      << rows[0].tariff_source;
}

TEST(PeTariffLevels, ScheduleAndConcordanceFilesAreChecked) {
  std::string path = WriteTemp("schedule.csv",
                               "reporter,partner,product,tariff,trade_value,source\n"
                               "JPN,*,0902.30.010,12,40,WTO\nJPN,*,0902.30.090,3,,WTO\n");
  const std::vector<TariffRate> rates = ReadTariffSchedule(path);
  ASSERT_EQ(rates.size(), 2u);
  EXPECT_EQ(rates[0].product, "090230010");
  EXPECT_DOUBLE_EQ(rates[0].weight, 40);
  EXPECT_TRUE(std::isnan(rates[1].weight));
  path =
      WriteTemp("dup.csv", "reporter,partner,product,tariff\nJPN,*,090230,12\nJPN,*,0902.30,3\n");
  std::string message = BadDataMessage([&] { (void)ReadTariffSchedule(path); });
  EXPECT_NE(message.find("a second rate for JPN * 090230"), std::string::npos) << message;
  path = WriteTemp("short.csv", "reporter,partner,product,tariff\nJPN,*,09023,12\n");
  message = BadDataMessage([&] { (void)ReadTariffSchedule(path); });
  EXPECT_NE(message.find("row 1, column 'product'"), std::string::npos) << message;
  path = WriteTemp("conc.csv", "from,to\n080260,080261\n080260,0802.62\n");
  const HsConcordance concordance = ReadHsConcordance(path, "HS2012", "HS2017");
  EXPECT_EQ(concordance.sources.at("080262"), std::vector<std::string>{"080260"});
  path = WriteTemp("conc_bad.csv", "from,to\n080260,08026\n");
  message = BadDataMessage([&] { (void)ReadHsConcordance(path, "HS2012", "HS2017"); });
  EXPECT_NE(message.find("row 1, column 'to'"), std::string::npos) << message;
}

}  // namespace
}  // namespace mizani::pe

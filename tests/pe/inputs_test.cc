// Input rules: tariff schedules applied with an HS concordance (an HS4 rate
// covers its HS6 lines; exact partner and longer codes win), and duplicate
// rows refused.
#include "pe/inputs.h"

#include <gtest/gtest.h>
#include <unistd.h>

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

// Input rules: tariff schedules applied with an HS concordance (an HS4 rate
// covers its HS6 lines; exact partner and longer codes win), and duplicate
// rows refused.
#include "pe/inputs.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace mizani::pe

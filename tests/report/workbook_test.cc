// The Excel workbook written with every report, read back by an independent
// reader (openpyxl, Debian python3-openpyxl): sheet per table, headers, units
// row, numbers at full precision, text, empty cells for NaN, Sources sheet.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "mizani/report.h"
#include "test_support.h"

namespace mizani {
namespace {

namespace fs = std::filesystem;

TEST(Workbook, ReadBackByOpenpyxl) {
  if (testing::CaptureCommand("/usr/bin/python3 -c 'import openpyxl' 2>&1 && echo ok").empty()) {
    GTEST_SKIP() << "/usr/bin/python3 with openpyxl (python3-openpyxl) not found";
  }
  ReportDocument doc;
  doc.title = "Workbook check";
  doc.generated_at = "2026-01-01 00:00 UTC";
  ReportSection section;
  section.heading = "Results";
  ReportTable table;
  table.name = "countries_with_a_rather_long_table_name";
  table.caption = "Real GDP change by country";
  table.columns = {{"Country", ValueKind::kText, 0},
                   {"Real GDP change (%)", ValueKind::kPercent, 2},
                   {"Exports (million US$)", ValueKind::kNumber, 1}};
  table.rows = {{std::string("KEN"), 0.000123456789, 1234.5},
                {std::string("JPN"), -1.5, std::nan("")}};
  table.note = "Source: test fixture";
  section.blocks.emplace_back(table);
  section.blocks.emplace_back(AssumptionList{"", {{"Data", "HMR 2010 cross-section"}}});
  doc.sections.push_back(section);

  const std::string dir = testing::MakeTempDir("mizani-workbook");
  const fs::path path = fs::path(dir) / "report.xlsx";
  std::ofstream(path, std::ios::binary) << RenderWorkbook(doc);
  const std::string script =
      "import openpyxl\n"
      "wb = openpyxl.load_workbook(\"" +
      path.string() +
      "\")\n"
      "print(\"|\".join(wb.sheetnames))\n"
      "ws = wb[wb.sheetnames[0]]\n"
      "for r in ws.iter_rows(min_row=1, max_row=6, values_only=True):\n"
      "    print(\"|\".join(repr(v) for v in r))\n"
      "s = wb[\"Sources\"]\n"
      "print(s[\"A6\"].value, \"|\", s[\"C6\"].value, \"|\", s[\"B8\"].value)\n";
  const std::string out = testing::CaptureCommand("/usr/bin/python3 -c '" + script + "'");
  fs::remove_all(dir);
  ASSERT_FALSE(out.empty()) << "openpyxl could not read the workbook";
  const std::string expected =
      "countries_with_a_rather_long_ta|Sources\n"
      "'Real GDP change by country'|None|None\n"
      "None|None|None\n"
      "'Country'|'Real GDP change (%)'|'Exports (million US$)'\n"
      "'text'|'percent'|'million US$'\n"
      "'KEN'|0.000123456789|1234.5\n"
      "'JPN'|-1.5|None\n"
      "countries_with_a_rather_long_ta | Source: test fixture | HMR 2010 cross-section\n";
  EXPECT_EQ(out, expected);
}

}  // namespace
}  // namespace mizani

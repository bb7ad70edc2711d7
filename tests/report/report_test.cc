#include "mizani/report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mizani/error.h"
#include "report/format.h"
#include "report/iso_codes.h"
#include "report/web_assets.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using mizani::ReportCell;
using mizani::ReportDocument;
using mizani::ReportTable;
using mizani::ValueKind;

ReportTable SampleTable() {
  ReportTable table;
  table.name = "welfare";
  table.caption = "Welfare <effects>";
  table.columns = {{"Country", ValueKind::kText, 0},
                   {"Exports, USD m", ValueKind::kNumber, 1},
                   {"Change", ValueKind::kPercent, 2}};
  table.rows = {{std::string("Kenya"), 1234567.891, 2.5},
                {std::string("C\xC3\xB4te d'Ivoire, \"CIV\""), -0.04, NAN},
                {std::string("A|B"), 0.1, -12.345}};
  table.note = "Source: synthetic";
  return table;
}

ReportDocument SampleDocument() {
  ReportDocument doc;
  doc.title = "Tariff cut </script><script>alert(1)</script>";
  doc.subtitle = "EAC & Japan";
  doc.badge = "SYNTHETIC DATA";
  doc.generated_at = "2024-05-01 12:00 UTC";
  mizani::ReportSection section;
  section.heading = "Results";
  section.blocks.emplace_back(mizani::ReportParagraph{"Gains are <b>small</b> & positive."});
  section.blocks.emplace_back(
      mizani::AssumptionList{"Assumptions", {{"Elasticity", "5"}, {"Scenario", "a*b"}}});
  section.blocks.emplace_back(SampleTable());
  mizani::BarChart bars;
  bars.title = "Welfare change";
  bars.categories = {"KEN", "UGA", "TZA"};
  bars.series = {{"Central", {1.0, -0.5, NAN}, {0.5, -0.9, NAN}, {1.5, -0.1, NAN}}};
  bars.axis_label = "Real income change";
  bars.kind = ValueKind::kPercent;
  bars.sorted = true;
  section.blocks.emplace_back(bars);
  mizani::GroupedBarChart shares;
  shares.title = "Import shares";
  shares.categories = {"EU", "China"};
  shares.groups = {"Before", "After"};
  shares.values = {{40.0, 20.0}, {38.0, 23.0}};
  section.blocks.emplace_back(shares);
  mizani::WorldMap map;
  map.title = "Map";
  map.values = {{"KEN", 1.0}, {"UGA", -0.5}, {"SGP", 0.3}, {"XYZ", 2.0}};
  section.blocks.emplace_back(map);
  doc.sections.push_back(section);
  return doc;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

bool WebAssetsAvailable() {
  try {
    mizani::report_internal::LocateWebDir(mizani::report_internal::DefaultWebDirCandidates());
    return true;
  } catch (const mizani::Error&) {
    return false;
  }
}

#define MIZANI_REQUIRE_WEB_ASSETS() \
  if (!WebAssetsAvailable())        \
  GTEST_SKIP() << "web assets not installed: run scripts/setup.sh (npm ci in web/)"

TEST(ReportFormat, EscapesHtml) {
  EXPECT_EQ(mizani::report_internal::HtmlEscape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
}

TEST(ReportFormat, MakesJsonSafeInsideScript) {
  const std::string json = "{\"t\":\"</script><!-- & \xE2\x80\xA8\"}";
  const std::string safe = mizani::report_internal::JsonForScript(json);
  EXPECT_EQ(safe.find('<'), std::string::npos);
  EXPECT_EQ(safe.find('>'), std::string::npos);
  EXPECT_EQ(safe.find('&'), std::string::npos);
  EXPECT_EQ(safe.find("\xE2\x80\xA8"), std::string::npos);
  // Still the same JSON value.
  EXPECT_EQ(nlohmann::json::parse(safe), nlohmann::json::parse(json));
}

TEST(ReportFormat, MakesScriptSafeInsideHtml) {
  const std::string safe =
      mizani::report_internal::ScriptForHtml("var a = '</SCRIPT>'; var b = '<!--';");
  EXPECT_EQ(safe, "var a = '<\\/SCRIPT>'; var b = '<\\!--';");
}

TEST(ReportFormat, EscapesMarkdown) {
  EXPECT_EQ(mizani::report_internal::MarkdownEscape("a|b *c* [d]\nnext"),
            "a\\|b \\*c\\* \\[d\\] next");
}

TEST(ReportFormat, FormatsNumbers) {
  using mizani::report_internal::FormatNumber;
  using mizani::report_internal::FormatValue;
  EXPECT_EQ(FormatNumber(1234567.891, 2), "1,234,567.89");
  EXPECT_EQ(FormatNumber(-1234.5, 0), "-1,234");  // round half to even at the binary value
  EXPECT_EQ(FormatNumber(999.999, 2), "1,000.00");
  EXPECT_EQ(FormatNumber(-0.001, 2), "0.00");
  EXPECT_EQ(FormatNumber(NAN, 2), "\u2013");
  EXPECT_EQ(FormatValue(2.5, ValueKind::kPercent, 2), "2.50%");
  EXPECT_EQ(FormatValue(NAN, ValueKind::kPercent, 2), "\u2013");
}

TEST(ReportIsoCodes, MapsAlpha3ToNumeric) {
  using mizani::report_internal::IsoNumericFor;
  EXPECT_EQ(IsoNumericFor("KEN"), "404");
  EXPECT_EQ(IsoNumericFor("jpn"), "392");
  EXPECT_EQ(IsoNumericFor("AFG"), "004");
  EXPECT_EQ(IsoNumericFor("ROM"), "642");  // legacy code still used in gravity data
  EXPECT_EQ(IsoNumericFor("XYZ"), "");
}

TEST(ReportMarkdown, WritesGithubTable) {
  ReportDocument doc;
  doc.title = "T";
  mizani::ReportSection section;
  section.heading = "S";
  section.blocks.emplace_back(SampleTable());
  doc.sections.push_back(section);
  const std::string markdown = mizani::RenderMarkdown(doc);
  EXPECT_NE(markdown.find("**Welfare \\<effects\\>**"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| Country | Exports, USD m | Change |\n| :--- | ---: | ---: |\n"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| Kenya | 1,234,567.9 | 2.50% |"), std::string::npos) << markdown;
  // -0.04 at one decimal would read "0.0": adaptive precision shows it.
  EXPECT_NE(markdown.find("| -0.040 | \u2013 |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| A\\|B | 0.1 | -12.35% |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("*Source: synthetic*"), std::string::npos);
}

TEST(ReportMarkdown, DescribesCharts) {
  const std::string markdown = mizani::RenderMarkdown(SampleDocument());
  EXPECT_NE(markdown.find("> **SYNTHETIC DATA**"), std::string::npos);
  EXPECT_NE(markdown.find("> **Chart: Welfare change**"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("KEN 1.00%, UGA -0.50%."), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("Before: EU 40.00%, China 20.00%. After: EU 38.00%, China 23.00%."),
            std::string::npos)
      << markdown;
}

TEST(ReportCsv, QuotesOnlyWhenNeededAndKeepsFullPrecision) {
  const std::string csv = mizani::RenderCsv(SampleTable());
  EXPECT_EQ(csv,
            "Country,\"Exports, USD m\",Change\n"
            "Kenya,1234567.891,2.5\n"
            "\"C\xC3\xB4te d'Ivoire, \"\"CIV\"\"\",-0.04,\n"
            "A|B,0.1,-12.345\n");
}

TEST(ReportJson, HoldsTheWholeDocument) {
  const auto json = nlohmann::json::parse(mizani::RenderJson(SampleDocument()));
  EXPECT_EQ(json["format"], "mizani-report");
  EXPECT_EQ(json["badge"], "SYNTHETIC DATA");
  const auto& blocks = json["sections"][0]["blocks"];
  ASSERT_EQ(blocks.size(), 6u);
  EXPECT_EQ(blocks[0]["type"], "paragraph");
  EXPECT_EQ(blocks[1]["items"][1]["value"], "a*b");
  EXPECT_EQ(blocks[2]["type"], "table");
  EXPECT_EQ(blocks[2]["columns"][2]["kind"], "percent");
  EXPECT_TRUE(blocks[2]["rows"][1][2].is_null());  // NaN
  EXPECT_DOUBLE_EQ(blocks[2]["rows"][0][1].get<double>(), 1234567.891);
  EXPECT_EQ(blocks[3]["type"], "bar_chart");
  EXPECT_TRUE(blocks[3]["series"][0]["values"][2].is_null());
  EXPECT_EQ(blocks[4]["groups"][1], "After");
  EXPECT_EQ(blocks[5]["values"]["KEN"], 1.0);
}

TEST(ReportHtml, EscapesTextAndEmbedsSpecs) {
  MIZANI_REQUIRE_WEB_ASSETS();
  const std::string html = mizani::RenderHtml(SampleDocument());
  EXPECT_EQ(html.find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(html.find("Tariff cut &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
            std::string::npos);
  EXPECT_NE(html.find("<div class=\"badge\" role=\"note\">SYNTHETIC DATA</div>"),
            std::string::npos);
  EXPECT_NE(html.find("Gains are &lt;b&gt;small&lt;/b&gt; &amp; positive."), std::string::npos);
  // The exact value rides along for the browser test's false-zero check.
  EXPECT_NE(html.find("<td class=\"num\" data-value=\"1234567.891\">1,234,567.9</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">\u2013</td>"), std::string::npos);
  for (int chart = 1; chart <= 3; ++chart) {
    EXPECT_NE(html.find("id=\"chart-spec-" + std::to_string(chart) + "\""), std::string::npos);
  }
  EXPECT_EQ(html.find("id=\"chart-spec-4\""), std::string::npos);
  // Singapore has no shape at 1:110m and XYZ is no country: both are named.
  EXPECT_NE(html.find("SGP 0.30%"), std::string::npos);
  EXPECT_NE(html.find("XYZ 2.00%"), std::string::npos);
  // Self-contained: no script or stylesheet is loaded from elsewhere.
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);

  // Each embedded spec parses back as JSON.
  size_t position = 0;
  int specs = 0;
  const std::string open = "<script type=\"application/json\" id=\"chart-spec-";
  while ((position = html.find(open, position)) != std::string::npos) {
    const size_t begin = html.find('>', position) + 1;
    const size_t end = html.find("</script>", begin);
    ASSERT_NE(end, std::string::npos);
    const auto spec = nlohmann::json::parse(html.substr(begin, end - begin));
    EXPECT_TRUE(spec.contains("$schema"));
    position = end;
    ++specs;
  }
  EXPECT_EQ(specs, 3);
}

TEST(ReportWebAssets, MissingAssetsSayHowToInstallThem) {
  const std::string empty = mizani::testing::MakeTempDir("mizani-noweb");
  try {
    mizani::report_internal::LocateWebDir({fs::path(empty) / "node_modules"});
    FAIL() << "expected an error";
  } catch (const mizani::Error& error) {
    EXPECT_EQ(error.code(), mizani::ErrorCode::kFileUnreadable);
    EXPECT_NE(std::string(error.what()).find("scripts/setup.sh"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find(empty), std::string::npos);
  }
  fs::remove_all(empty);
}

TEST(ReportWrite, WritesEveryFile) {
  MIZANI_REQUIRE_WEB_ASSETS();
  const fs::path root = mizani::testing::MakeTempDir("mizani-report");
  const fs::path out = root / "nested" / "out";
  mizani::WriteReport(SampleDocument(), out.string(), "tariff");
  EXPECT_TRUE(fs::is_regular_file(out / "tariff.html"));
  EXPECT_TRUE(fs::is_regular_file(out / "tariff.md"));
  // The badge is repeated as a comment line above the CSV header.
  EXPECT_EQ(ReadFile(out / "welfare.csv"), "# SYNTHETIC DATA\n" + mizani::RenderCsv(SampleTable()));
  EXPECT_EQ(nlohmann::json::parse(ReadFile(out / "report.json"))["title"], SampleDocument().title);
  // Writing again replaces the previous report, and leaves no staging folder.
  ReportDocument second = SampleDocument();
  second.title = "Second";
  mizani::WriteReport(second, out.string(), "tariff");
  EXPECT_EQ(nlohmann::json::parse(ReadFile(out / "report.json"))["title"], "Second");
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(out.parent_path())) ++entries;
  EXPECT_EQ(entries, 1);
  fs::remove_all(root);
}

TEST(ReportWrite, FailsCleanlyWhenTheFolderCannotBeCreated) {
  MIZANI_REQUIRE_WEB_ASSETS();
  const fs::path root = mizani::testing::MakeTempDir("mizani-report");
  std::ofstream(root / "plain-file") << "not a folder";
  try {
    mizani::WriteReport(SampleDocument(), (root / "plain-file" / "out").string());
    FAIL() << "expected an error";
  } catch (const mizani::Error& error) {
    EXPECT_EQ(error.code(), mizani::ErrorCode::kOutputFailed);
    EXPECT_NE(std::string(error.what()).find("plain-file"), std::string::npos);
  }
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(root)) ++entries;
  EXPECT_EQ(entries, 1);  // nothing half-written beside the file
  fs::remove_all(root);
}

TEST(ReportWrite, RefusesToReplaceAFolderOfOtherFiles) {
  MIZANI_REQUIRE_WEB_ASSETS();
  const fs::path root = mizani::testing::MakeTempDir("mizani-report");
  fs::create_directories(root / "docs");
  std::ofstream(root / "docs" / "thesis.tex") << "precious";
  try {
    mizani::WriteReport(SampleDocument(), (root / "docs").string());
    FAIL() << "expected an error";
  } catch (const mizani::Error& error) {
    EXPECT_EQ(error.code(), mizani::ErrorCode::kOutputFailed);
  }
  EXPECT_EQ(ReadFile(root / "docs" / "thesis.tex"), "precious");
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(root)) ++entries;
  EXPECT_EQ(entries, 1);
  fs::remove_all(root);
}

TEST(ReportWrite, RejectsTableNamesThatAreNotFileNames) {
  MIZANI_REQUIRE_WEB_ASSETS();
  const fs::path root = mizani::testing::MakeTempDir("mizani-report");
  ReportDocument doc = SampleDocument();
  std::get<ReportTable>(doc.sections[0].blocks[2]).name = "../escape";
  try {
    mizani::WriteReport(doc, (root / "out").string());
    FAIL() << "expected an error";
  } catch (const mizani::Error& error) {
    EXPECT_EQ(error.code(), mizani::ErrorCode::kInternal);
  }
  EXPECT_FALSE(fs::exists(root / "out"));
  fs::remove_all(root);
}

}  // namespace

namespace mizani {
namespace {

TEST(ReportSelect, PicksAndRelabelsColumnsInOrder) {
  ReportTable table{"instruments",
                    "Instruments",
                    {{"instrument", ValueKind::kText},
                     {"yield", ValueKind::kPercent, 3},
                     {"price", ValueKind::kNumber, 3}},
                    {{std::string("eurobond"), 9.5, 99.0}, {std::string("samurai"), 2.3, 100.0}},
                    "note"};
  const ReportTable selected =
      SelectColumns(table, "e_instruments", {{"yield", "Yield (%)"}, {"instrument", "Instrument"}});
  EXPECT_EQ(selected.name, "e_instruments");
  EXPECT_EQ(selected.caption, "Instruments");
  EXPECT_EQ(selected.note, "note");
  ASSERT_EQ(selected.columns.size(), 2U);
  EXPECT_EQ(selected.columns[0].name, "Yield (%)");
  EXPECT_EQ(selected.columns[0].kind, ValueKind::kPercent);
  EXPECT_EQ(selected.columns[0].decimals, 3);
  ASSERT_EQ(selected.rows.size(), 2U);
  EXPECT_EQ(std::get<double>(selected.rows[1][0]), 2.3);
  EXPECT_EQ(std::get<std::string>(selected.rows[1][1]), "samurai");
  try {
    SelectColumns(table, "x", {{"coupon", "Coupon (%)"}});
    ADD_FAILURE() << "no error for a missing column";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInternal);
    EXPECT_NE(std::string(error.what()).find("coupon"), std::string::npos);
  }
}

}  // namespace
}  // namespace mizani

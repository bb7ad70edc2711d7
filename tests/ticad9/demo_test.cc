// `mizani demo` on the embedded synthetic world: the same identities and
// hand-computed partial effects as on the real data (tests/ticad9/demo_checks.h),
// the embedded scenario files, the data-folder lookup and the report.
#include "ticad9/demo.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "demo_checks.h"
#include "mizani/error.h"
#include "report/format.h"
#include "test_support.h"
#include "ticad9/demo_internal.h"
#include "ticad9/embedded.h"

namespace mizani {
namespace {

namespace fs = std::filesystem;

const DemoRun& SyntheticRun() {
  static const DemoRun run = [] {
    DemoOptions options;
    options.quiet = true;
    return RunDemo(options);
  }();
  return run;
}

TEST(Demo, EmbedsTheTicad9ScenarioFiles) {
  const auto& files = demo_internal::EmbeddedScenarios();
  ASSERT_EQ(files.size(), 4u);
  for (const auto& file : files) {
    // The embedded text is the file in examples/ticad9, byte for byte.
    std::ifstream in(fs::path(MIZANI_SOURCE_DIR) / "examples" / "ticad9" / file.name);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text, file.text) << file.name;
  }
}

TEST(Demo, SyntheticWorldHasTheAdvancedGuideColumnsAndCodes) {
  const Table table = SynthesizeDemoWorld();
  for (const char* column : {"exporter", "importer", "year", "trade", "RTA", "pair_id"}) {
    EXPECT_NE(table.Find(column), nullptr) << column;
  }
  EXPECT_EQ(table.num_rows, 69u * 69u * 21u);
  // pair_id is shared by both directions of a pair (the bootstrap unit).
  const Column& pair_id = table.Get("pair_id");
  const Column& exporter = table.Get("exporter");
  const Column& importer = table.Get("importer");
  double ken_jpn = -1, jpn_ken = -2;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    const std::string from = exporter.CellText(row_idx), to = importer.CellText(row_idx);
    if (from == "KEN" && to == "JPN") ken_jpn = pair_id.num[row_idx];
    if (from == "JPN" && to == "KEN") jpn_ken = pair_id.num[row_idx];
  }
  EXPECT_EQ(ken_jpn, jpn_ken);
}

TEST(Demo, SyntheticRunSatisfiesIdentities) {
  const DemoRun& run = SyntheticRun();
  EXPECT_TRUE(run.synthetic);
  testing::ExpectDemoChecks(run);
  // Kenya sells to Japan in the synthetic world, so scenario A shows a change.
  const ScenarioOutcome& a = testing::Item(run, "A").outcome;
  EXPECT_GT(a.ge.baseline_flows(testing::CodeIndex(a, "KEN"), testing::CodeIndex(a, "JPN")), 0);
}

TEST(Demo, ReportIsLabelledSyntheticEverywhere) {
  const ReportDocument doc = BuildDemoReport(SyntheticRun());
  EXPECT_EQ(doc.badge, kSyntheticLabel);
  EXPECT_NE(RenderMarkdown(doc).find(kSyntheticLabel), std::string::npos);
  EXPECT_NE(RenderJson(doc).find(kSyntheticLabel), std::string::npos);
  EXPECT_NE(SummarizeDemo(SyntheticRun()).find(kSyntheticLabel), std::string::npos);
  int maps = 0, tables = 0;
  for (const ReportSection& section : doc.sections) {
    for (const ReportBlock& block : section.blocks) {
      maps += std::holds_alternative<WorldMap>(block);
      tables += std::holds_alternative<ReportTable>(block);
    }
  }
  EXPECT_EQ(maps, 4);
  EXPECT_GE(tables, 10);
  EXPECT_EQ(doc.sections.front().heading, "Summary for the adviser");
}

// The financing, rating and product-line parts need ../shared/data: without
// a data folder they are skipped, and the report says so where they would be.
TEST(Demo, AgendaPartsWithoutDataAreSkippedWithANote) {
  const DemoRun& run = SyntheticRun();
  for (const AgendaPart* part :
       {static_cast<const AgendaPart*>(&run.financing), static_cast<const AgendaPart*>(&run.rating),
        static_cast<const AgendaPart*>(&run.products)}) {
    EXPECT_FALSE(part->ran) << part->file;
    EXPECT_NE(part->skipped.find("Not run"), std::string::npos) << part->skipped;
  }
  const ReportDocument doc = BuildDemoReport(run);
  int headlines = 0;
  for (const ReportBlock& block : doc.sections.front().blocks) {
    const auto* paragraph = std::get_if<ReportParagraph>(&block);
    if (paragraph != nullptr && paragraph->text.size() > 2 && paragraph->text[1] == '.' &&
        paragraph->text[0] >= 'A' && paragraph->text[0] <= 'G') {
      ++headlines;
    }
  }
  EXPECT_EQ(headlines, 7);  // one headline per question, A to G
  const std::string markdown = RenderMarkdown(doc);
  for (const char* heading : {"## E. Yen or dollars", "## F. Kenya", "## G. Kenyan product"}) {
    const size_t at = markdown.find(heading);
    ASSERT_NE(at, std::string::npos) << heading;
    EXPECT_NE(markdown.find("Not run", at), std::string::npos) << heading;
  }
}

// What the adviser reads: no non-zero number shown as zero in any table,
// headers in words with units, intervals and policy ranges named apart, a
// sigma line for every GE result, no backticks or local paths printed.
TEST(Demo, ReportReadsAsAnAdviserNeedsIt) {
  const ReportDocument doc = BuildDemoReport(SyntheticRun());
  const std::regex zero(R"(^[-+]?0(\.0*)?\s*(%|bp)?$)");
  int cells = 0;
  bool interval_column = false, policy_column = false;
  for (const ReportSection& section : doc.sections) {
    for (const ReportBlock& block : section.blocks) {
      const auto* table = std::get_if<ReportTable>(&block);
      if (table == nullptr) continue;
      for (const ReportColumn& column : table->columns) {
        EXPECT_EQ(column.name.find('_'), std::string::npos) << table->name << ": " << column.name;
        interval_column = interval_column || column.name.rfind("95% interval", 0) == 0;
        policy_column = policy_column || column.name.rfind("Policy range", 0) == 0;
      }
      for (const auto& row : table->rows) {
        for (size_t column_idx = 0; column_idx < row.size(); ++column_idx) {
          const auto* value = std::get_if<double>(&row[column_idx]);
          if (value == nullptr || *value == 0 || std::isnan(*value)) continue;
          const std::string text =
              report_internal::CellText(row[column_idx], table->columns[column_idx]);
          EXPECT_FALSE(std::regex_match(text, zero))
              << table->name << " shows " << text << " for " << *value;
          ++cells;
        }
      }
    }
  }
  EXPECT_GT(cells, 1000);
  EXPECT_TRUE(interval_column);
  EXPECT_TRUE(policy_column);
  const std::string markdown = RenderMarkdown(doc);
  for (const char* key : {"## A. ", "## B. ", "## C. ", "## D. "}) {
    const size_t at = markdown.find(key);
    ASSERT_NE(at, std::string::npos) << key;
    const size_t next = markdown.find("\n## ", at + 1);
    const std::string section = markdown.substr(at, next - at);
    EXPECT_NE(section.find("\u03c3 sensitivity"), std::string::npos) << key;
    EXPECT_NE(section.find("**What this does not model**"), std::string::npos) << key;
    EXPECT_NE(section.find("Tariff revenue"), std::string::npos) << key;
  }
  EXPECT_NE(markdown.find("The 95% bootstrap interval of the agreement effect is "),
            std::string::npos);
  EXPECT_EQ(markdown.find("\\`"), std::string::npos) << "an escaped, printed backtick";
  const std::string json = RenderJson(doc);
  for (const std::string& local : {fs::current_path().string(), std::string(MIZANI_SOURCE_DIR)}) {
    EXPECT_EQ(markdown.find(local), std::string::npos) << local;
    EXPECT_EQ(json.find(local), std::string::npos) << local;
  }
}

// The workbook holds every table of the report, the wide ones left out of
// the page included, each with a units row, and a Sources sheet listing them;
// read back by an independent reader (openpyxl, Debian python3-openpyxl).
TEST(Demo, WorkbookHoldsEveryReportTable) {
  if (testing::CaptureCommand("/usr/bin/python3 -c 'import openpyxl' 2>&1 && echo ok").empty()) {
    GTEST_SKIP() << "/usr/bin/python3 with openpyxl (python3-openpyxl) not found";
  }
  const ReportDocument doc = BuildDemoReport(SyntheticRun());
  std::vector<const ReportTable*> tables;
  for (const ReportSection& section : doc.sections) {
    for (const ReportBlock& block : section.blocks) {
      if (const auto* table = std::get_if<ReportTable>(&block)) tables.push_back(table);
    }
  }
  ASSERT_FALSE(doc.download_tables.empty()) << "the synthetic demo has wide tables";
  for (const ReportTable& table : doc.download_tables) {
    EXPECT_GT(table.columns.size(), demo_internal::kMaxPageColumns) << table.name;
    tables.push_back(&table);
  }
  const std::string dir = testing::MakeTempDir("mizani-demo-workbook");
  std::ofstream(fs::path(dir) / "report.xlsx", std::ios::binary) << RenderWorkbook(doc);
  // One line per sheet: caption, number of header cells, of unit cells, of
  // data rows, and the first data row's numbers; then the Sources list.
  std::ofstream(fs::path(dir) / "read.py") << R"(import sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
for name in wb.sheetnames[:-1]:
    ws = wb[name]
    rows = list(ws.iter_rows(values_only=True))
    width = sum(v is not None for v in rows[2])
    units = sum(v is not None for v in rows[3])
    data = sum(1 for r in rows[4:] if sum(v is not None for v in r) > 1)
    first = [repr(v) for v in rows[4] if isinstance(v, (int, float))] if len(rows) > 4 else []
    print("\t".join([rows[0][0], str(width), str(units), str(data)] + first))
listed = []
for r in wb["Sources"].iter_rows(min_row=6, values_only=True):
    if not r[0]: break
    listed.append(r[0])
print("sources\t" + "\t".join(listed))
)";
  const std::string out =
      testing::CaptureCommand("/usr/bin/python3 " + dir + "/read.py " + dir + "/report.xlsx");
  fs::remove_all(dir);
  ASSERT_FALSE(out.empty()) << "openpyxl could not read the workbook";
  std::istringstream lines(out);
  std::string line;
  for (const ReportTable* table : tables) {
    ASSERT_TRUE(std::getline(lines, line)) << "no sheet for " << table->name;
    std::vector<std::string> fields;
    std::istringstream cells(line);
    for (std::string field; std::getline(cells, field, '\t');) fields.push_back(field);
    ASSERT_GE(fields.size(), 4U) << line;
    EXPECT_EQ(fields[0], table->caption);
    EXPECT_EQ(fields[1], std::to_string(table->columns.size())) << table->caption;
    EXPECT_EQ(fields[2], std::to_string(table->columns.size())) << table->caption;
    // Data rows with more than one cell filled (a note is one cell).
    size_t rows = 0;
    for (const auto& row : table->rows) {
      int filled = 0;
      for (const ReportCell& cell : row) {
        const auto* value = std::get_if<double>(&cell);
        filled += value == nullptr ? !std::get<std::string>(cell).empty() : std::isfinite(*value);
      }
      rows += filled > 1;
    }
    EXPECT_EQ(fields[3], std::to_string(rows)) << table->caption;
    // The numbers of the first row, to the 16 significant digits
    // libxlsxwriter writes (%.16G).
    size_t number_idx = 4;
    for (const ReportCell& cell :
         table->rows.empty() ? std::vector<ReportCell>{} : table->rows[0]) {
      const auto* value = std::get_if<double>(&cell);
      if (value == nullptr || !std::isfinite(*value)) continue;
      ASSERT_LT(number_idx, fields.size()) << table->caption;
      EXPECT_NEAR(std::stod(fields[number_idx++]), *value, 1e-15 * std::abs(*value))
          << table->caption;
    }
  }
  ASSERT_TRUE(std::getline(lines, line));
  EXPECT_EQ(std::count(line.begin(), line.end(), '\t'), static_cast<long>(tables.size())) << line;
}

TEST(Demo, DataFolderLookup) {
  const std::string root = testing::MakeTempDir("mizani-demo-data");
  try {
    FindAdvancedGuideFile(root + "/missing", "Chapter2Application2.csv.gz");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kFileUnreadable);
    EXPECT_NE(std::string(error.what()).find("missing"), std::string::npos);
  }
  EXPECT_THROW(FindAdvancedGuideFile(root, "Chapter2Application2.csv.gz"), Error);
  fs::create_directories(fs::path(root) / "agtpa_yotov2016" / "csv");
  std::ofstream(fs::path(root) / "agtpa_yotov2016" / "csv" / "Chapter2Application2.csv.gz") << "x";
  const std::string found = FindAdvancedGuideFile(root, "Chapter2Application2.csv.gz");
  EXPECT_EQ(found, FindAdvancedGuideFile(root + "/agtpa_yotov2016", "Chapter2Application2.csv.gz"));
  EXPECT_EQ(found,
            FindAdvancedGuideFile(root + "/agtpa_yotov2016/csv", "Chapter2Application2.csv.gz"));
  fs::remove_all(root);
}

}  // namespace
}  // namespace mizani

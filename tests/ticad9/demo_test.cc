// `mizani demo` on the embedded synthetic world: the same identities and
// hand-computed partial effects as on the real data (tests/ticad9/demo_checks.h),
// the embedded scenario files, the data-folder lookup and the report.
#include "ticad9/demo.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "demo_checks.h"
#include "mizani/error.h"
#include "test_support.h"
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

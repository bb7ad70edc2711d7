// Helpers shared by the demo's run (demo.cc), its report (demo_report.cc,
// demo_agenda_report.cc) and its stdout summary.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "mizani/report.h"
#include "ticad9/demo.h"

namespace mizani::demo_internal {

// Index of `code` in `codes`; Error(kBadScenario) when the data lack it.
int CountryIndex(const std::vector<std::string>& codes, const std::string& code);
double RealGdp(const ScenarioOutcome& outcome, const std::string& code);
double FlowChange(const ScenarioOutcome& outcome, const std::string& from, const std::string& to);
// The AFR group of an embedded scenario.
const GeGroupResult& Group(const ScenarioOutcome& outcome);
// The bootstrap interval of one per-country output, or NaN when none.
std::pair<double, double> Interval(const ScenarioOutcome& outcome, const std::string& output,
                                   const std::string& code);
const DemoScenario& ByKey(const DemoRun& run, const std::string& key);
// A path as the report may show it: relative paths as given, absolute ones
// from the data set's folder on (no local folder names in any output).
std::string DisplayPath(const std::string& path);

// "+1.19%", "+0.59 bp": a change in percent as every output shows it.
inline std::string Signed(double value_pct, int decimals = 2) {
  return FormatShown(value_pct, ValueKind::kPercent, decimals, true);
}

// One headline sentence per agenda part (or why it did not run).
std::string FinancingHeadline(const DemoFinancing& part);
std::string RatingHeadline(const DemoRating& part);
std::string ProductsHeadline(const DemoProducts& part);

// What a question contributes to the report: its headline sentence and
// chart for the adviser summary, its section, and its full tables for the
// appendix (and the downloads).
struct QuestionPart {
  std::string headline;
  std::vector<ReportBlock> summary_blocks;  // the chart (or a note saying why none)
  ReportSection section;
  std::vector<ReportBlock> appendix;
};

// The financing (E), rating (F) and product-line (G) parts.
QuestionPart FinancingPart(const DemoFinancing& part);
QuestionPart RatingPart(const DemoRating& part);
QuestionPart ProductsPart(const DemoProducts& part);

// Tables with more columns than this do not fit a printed page or an 800 px
// window: the report lists them and they go to the downloads only.
inline constexpr size_t kMaxPageColumns = 9;

// The report; tables too wide for it are its download_tables.
ReportDocument BuildDemoDocument(const DemoRun& run);

// A "what this does not model" box: (what, why) pairs under that title.
AssumptionList NotModelledBox(std::vector<std::pair<std::string, std::string>> items);

}  // namespace mizani::demo_internal

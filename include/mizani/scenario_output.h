// The outputs of a scenario run: result files, the human-readable report and
// a short summary. Kept apart from the engine API (scenario.h) so that running
// scenarios needs no presentation types.
#pragma once

#include <string>

#include "mizani/report.h"
#include "mizani/scenario.h"

namespace mizani {

// Writes <table>.csv for each table and results.json into `folder`, through a
// temporary folder beside it renamed into place; an existing folder is
// replaced only when it holds an earlier mizani result (results.json) or is
// empty. Also writes report/ (HTML when the web assets exist, Markdown always).
// Throws Error(kOutputFailed).
void WriteScenarioOutputs(const ScenarioOutcome& outcome, const std::string& folder);

// The human-readable report of a run (see report.h).
ReportDocument BuildScenarioReport(const ScenarioOutcome& outcome);

// The report's title: the first clause of the scenario's description (its id
// only when there is no description).
std::string ScenarioReportTitle(const ScenarioOutcome& outcome);
// The description when the title leaves part of it out, and the scenario id.
std::string ScenarioReportSubtitle(const ScenarioOutcome& outcome);

// The summary an adviser reads first: one headline sentence (goal, group
// shares, focus pair, the largest changes) and one chart (the goal seeking's
// path, the group shares, or the largest changes), under this heading.
inline constexpr const char* kScenarioSummaryHeading = "Summary for the adviser";
std::string ScenarioHeadline(const ScenarioOutcome& outcome);
ReportSection ScenarioAdviserSummary(const ScenarioOutcome& outcome);

// A short plain-text summary for stdout.
std::string SummarizeOutcome(const ScenarioOutcome& outcome);

// The tables WriteScenarioOutputs writes as <name>.csv (countries, pairs,
// groups, ...), and the text of its results.json: for callers that keep the
// results in memory (the Python module).
std::vector<ReportTable> ScenarioTables(const ScenarioOutcome& outcome);
std::string ScenarioResultsJson(const ScenarioOutcome& outcome);

}  // namespace mizani

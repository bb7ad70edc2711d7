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

// A short plain-text summary for stdout.
std::string SummarizeOutcome(const ScenarioOutcome& outcome);

// The tables WriteScenarioOutputs writes as <name>.csv (countries, pairs,
// groups, ...), and the text of its results.json: for callers that keep the
// results in memory (the Python module).
std::vector<ReportTable> ScenarioTables(const ScenarioOutcome& outcome);
std::string ScenarioResultsJson(const ScenarioOutcome& outcome);

}  // namespace mizani

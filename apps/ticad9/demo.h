// `mizani demo`: the TICAD 9 scenario set (examples/ticad9/*.toml, embedded
// in the library) run end to end into one report for a trade adviser.
//
// Data: the Advanced Guide's files when a folder is given, otherwise a
// synthetic square world built in memory (SynthesizeSquareWorld with the
// Advanced Guide's 69 country codes and a fixed seed), labelled
// kSyntheticLabel in every output.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mizani/finance.h"
#include "mizani/pe_scenario.h"
#include "mizani/rating_report.h"
#include "mizani/report.h"
#include "mizani/scenario.h"
#include "mizani/scenario_output.h"
#include "mizani/table.h"

namespace mizani {

inline constexpr const char* kSyntheticLabel = "SYNTHETIC DATA \u2014 illustrative only";

struct DemoOptions {
  // Folder of the Advanced Guide data: agtpa_yotov2016, its csv/ subfolder,
  // or the folder holding agtpa_yotov2016. Empty: the embedded synthetic world.
  std::string data_dir;
  // The rest of the TICAD 9 agenda (financing, ratings, product lines) runs
  // the engines' example files from `examples_dir` on the shared data in
  // `shared_dir`. Empty: examples/ beside the working folder or the binary
  // (or the source tree), and the folder holding agtpa_yotov2016.
  std::string examples_dir;
  std::string shared_dir;
  std::optional<int> replications;  // replaces [uncertainty] replications where set
  int threads = 0;
  bool quiet = false;
  std::function<void(const std::string& line)> progress;
  std::function<void(int done, int total)> on_replication;
};

// A sensitivity run: the scenario with one shock's size set to another value.
struct DemoVariant {
  std::string label;    // "low" or "high"
  std::string setting;  // "NTB ad-valorem equivalent 5%"
  ScenarioOutcome outcome;
};

struct DemoScenario {
  std::string key;    // "A".."D"
  std::string title;  // section heading
  std::string file;   // embedded file name
  Scenario scenario;
  ScenarioOutcome outcome;
  std::string setting;                // the central value of the varied shock, when any
  std::vector<DemoVariant> variants;  // low and high, when the scenario has a range
};

// One engine's part of the agenda. `skipped` says why it did not run (its
// data or example file not found) and is shown in the report instead.
struct AgendaPart {
  bool ran = false;
  std::string skipped;
  std::string file;  // the example file, relative ("examples/kenya_financing.toml")
};
struct DemoFinancing : AgendaPart {
  finance::DebtOutcome outcome;
};
struct DemoRating : AgendaPart {
  rating::RateConfig config;
  rating::RateOutcome outcome;
  // `rate evaluate` for the explained model's agency: its rolling
  // out-of-sample back-test, run here so that the report's accuracy figure
  // is computed, not quoted.
  rating::RateOutcome evaluation;
};
struct DemoProducts : AgendaPart {
  pe::PeScenario scenario;
  pe::PeRun run;
};

struct DemoRun {
  bool synthetic = true;
  std::string data_source;  // the file read, or a description of the synthetic world
  std::vector<DemoScenario> scenarios;
  DemoFinancing financing;
  DemoRating rating;
  DemoProducts products;
  double seconds = 0;
};

// The Advanced Guide file `file_name` (e.g. "Chapter2Application2.csv.gz")
// under `data_dir` (see DemoOptions::data_dir). Throws Error(kFileUnreadable)
// naming the folder and what was expected there.
std::string FindAdvancedGuideFile(const std::string& data_dir, const std::string& file_name);

// The embedded synthetic world: 69 countries with the Advanced Guide's codes,
// 1986-2006, domestic flows, columns as Chapter2Application2 (exporter,
// importer, pair_id symmetric, year, trade, RTA, ...). Deterministic.
Table SynthesizeDemoWorld();

// Runs the four scenarios and their sensitivity variants, then the rest of
// the agenda (RunAgenda). Checks the data path first (kFileUnreadable);
// other errors as RunScenario.
DemoRun RunDemo(const DemoOptions& options);

// The financing comparison (finance engine, examples/kenya_financing.toml),
// the rating model's view of Kenya (rating engine, examples/africa_ratings.toml,
// `explain`) and the product lines (pe engine, examples/kenya_japan_products.toml).
// A part whose example file or shared data is absent is skipped with its
// reason; errors of a part that runs propagate.
void RunAgenda(const DemoOptions& options, DemoRun* run);

ReportDocument BuildDemoReport(const DemoRun& run);

// report.html, report.md, report.json and one CSV per table into `folder`,
// all-or-nothing (WriteReport). Throws Error(kOutputFailed).
void WriteDemoOutputs(const DemoRun& run, const std::string& folder);

// The headline numbers in a few lines, for stdout.
std::string SummarizeDemo(const DemoRun& run);

}  // namespace mizani

// mizani.debt, mizani.rate and mizani.pe: the engines of src/finance,
// src/rating and src/pe run from their scenario or configuration files, with
// the tables their commands write as CSV returned as Python values.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <string>

#include "binding.h"
#include "mizani/error.h"
#include "mizani/finance.h"
#include "mizani/pe_scenario.h"
#include "mizani/rating_report.h"
#include "mizani/report.h"

namespace mizani::python {

namespace {

struct DebtArgs {
  std::string path;
  std::string data_dir;
  int paths = -1;  // -1: the file's
  int64_t seed = -1;
  int threads = 0;
  std::string output;  // empty: no files
};

// As `mizani debt PATH -o OUTPUT`: (tables, results.json, summary).
py::tuple Debt(const DebtArgs& args, const py::object& progress) {
  finance::DebtOverrides overrides;
  overrides.data_dir = args.data_dir;
  if (args.paths == 0 || args.paths < -1)
    throw Error(ErrorCode::kUsage, "paths must be at least 1");
  if (args.paths > 0) overrides.paths = args.paths;
  if (args.seed >= 0) overrides.seed = static_cast<uint64_t>(args.seed);
  finance::DebtRunOptions options;
  options.threads = args.threads;
  options.progress = LineProgress(progress);
  ReportDocument doc;
  std::string json;
  std::string summary;
  {
    py::gil_scoped_release release;
    const finance::DebtScenario scenario = finance::LoadDebtScenario(args.path, overrides);
    const finance::DebtOutcome outcome = finance::RunDebtScenario(scenario, options);
    if (!args.output.empty()) finance::WriteDebtOutputs(outcome, args.output);
    doc = finance::BuildDebtReport(outcome);
    json = finance::DebtResultsJson(outcome);
    summary = finance::SummarizeDebt(outcome);
  }
  return py::make_tuple(DocumentTables(doc), json, summary);
}

struct RateArgs {
  std::string command;  // fit, evaluate, score, explain
  std::string path;
  rating::RateOverrides overrides;
  int year = 0;  // 0: the file's
};

// As `mizani rate COMMAND PATH`: (tables, summary, report title).
py::tuple Rate(RateArgs args, const py::object& progress) {
  using RateRun = rating::RateOutcome (*)(const rating::RateConfig&, const rating::Progress&);
  RateRun run = nullptr;
  if (args.command == "fit") run = &rating::RunRateFit;
  if (args.command == "evaluate") run = &rating::RunRateEvaluate;
  if (args.command == "score") run = &rating::RunRateScore;
  if (args.command == "explain") run = &rating::RunRateExplain;
  if (run == nullptr) {
    throw Error(ErrorCode::kUsage, "rate: expected 'fit', 'evaluate', 'score' or 'explain'; got '" +
                                       args.command + "'");
  }
  if (args.year != 0) args.overrides.year = args.year;
  const rating::Progress line_progress = LineProgress(progress);
  rating::RateOutcome outcome;
  {
    py::gil_scoped_release release;
    const rating::RateConfig config = rating::LoadRateConfig(args.path, args.overrides);
    outcome = run(config, line_progress);
    if (!args.overrides.output.empty()) WriteReport(outcome.document, args.overrides.output);
  }
  return py::make_tuple(DocumentTables(outcome.document), outcome.summary, outcome.document.title);
}

// As `mizani pe PATH -o OUTPUT --data-dir DATA_DIR`: (tables, line statuses,
// report title, badge: "INPUT CELLS TO FILL" while inputs are missing).
py::tuple Pe(const std::string& path, const std::string& data_dir, const std::string& output,
             const py::object& progress) {
  const auto line_progress = LineProgress(progress);
  ReportDocument doc;
  py::list lines;
  pe::PeRun run;
  {
    py::gil_scoped_release release;
    line_progress("reading " + path);
    const pe::PeScenario scenario = pe::LoadPeScenario(path, data_dir);
    run = pe::RunPeScenario(scenario, line_progress);
    doc = pe::BuildPeReport(scenario, run);
    if (!output.empty()) WriteReport(doc, output);
  }
  for (const pe::LineStatus& line : run.lines) {
    lines.append(
        py::make_tuple(line.reporter, line.product, line.description, line.status, line.detail));
  }
  return py::make_tuple(DocumentTables(doc), lines, doc.title, doc.badge);
}

}  // namespace

void DefineEngines(py::module_& m) {
  m.def(
      "debt",
      [](const std::string& path, const std::string& data_dir, int paths, int64_t seed, int threads,
         const std::string& output, const py::object& progress) {
        const DebtArgs args{path, data_dir, paths, seed, threads, output};
        return Guarded([&] { return Debt(args, progress); });
      },
      py::arg("path"), py::arg("data_dir"), py::arg("paths"), py::arg("seed"), py::arg("threads"),
      py::arg("output"), py::arg("progress") = py::none(),
      "Runs a financing scenario (mizani debt): (tables, results.json, summary).");

  m.def(
      "rate",
      [](const std::string& command, const std::string& path, const std::string& data_dir,
         const std::string& country, int year, const std::string& agency, const std::string& link,
         const std::string& output, const py::object& progress) {
        RateArgs args;
        args.command = command;
        args.path = path;
        args.overrides.data_dir = data_dir;
        args.overrides.country = country;
        args.overrides.agency = agency;
        args.overrides.link = link;
        args.overrides.output = output;
        args.year = year;
        return Guarded([&] { return Rate(args, progress); });
      },
      py::arg("command"), py::arg("path"), py::arg("data_dir"), py::arg("country"), py::arg("year"),
      py::arg("agency"), py::arg("link"), py::arg("output"), py::arg("progress") = py::none(),
      "Runs `mizani rate COMMAND` on a configuration file: (tables, summary, title).");

  m.def(
      "pe",
      [](const std::string& path, const std::string& data_dir, const std::string& output,
         const py::object& progress) {
        return Guarded([&] { return Pe(path, data_dir, output, progress); });
      },
      py::arg("path"), py::arg("data_dir"), py::arg("output"), py::arg("progress") = py::none(),
      "Runs a product-level partial-equilibrium scenario (mizani pe): (tables, lines, title, "
      "badge).");
}

}  // namespace mizani::python

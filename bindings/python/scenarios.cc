// mizani.simulate (a scenario file or its text) and mizani.ge.solve (the
// general-equilibrium solver on matrices).
#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "binding.h"
#include "mizani/error.h"
#include "mizani/ge.h"
#include "mizani/report.h"
#include "mizani/scenario.h"
#include "mizani/scenario_output.h"

namespace mizani::python {

namespace {

GeMode ParseGeMode(const std::string& mode) {
  if (mode == "full" || mode == "full_endowment") return GeMode::kFullEndowment;
  if (mode == "conditional") return GeMode::kConditional;
  throw Error(ErrorCode::kBadScenario, "mode must be 'full' or 'conditional'; got '" + mode + "'");
}

ImbalanceMode ParseImbalance(const std::string& imbalance) {
  if (imbalance == "additive") return ImbalanceMode::kAdditive;
  if (imbalance == "multiplicative") return ImbalanceMode::kMultiplicative;
  if (imbalance == "removed") return ImbalanceMode::kRemoved;
  throw Error(
      ErrorCode::kBadScenario,
      "imbalance must be 'additive', 'multiplicative' or 'removed'; got '" + imbalance + "'");
}

py::dict GeCountriesDict(const GeCountryResults& c) {
  py::dict countries;
  countries["country"] = c.codes;
  const std::vector<std::pair<const char*, const Eigen::VectorXd*>> vectors = {
      {"exports_before", &c.exports_before},
      {"exports_after", &c.exports_after},
      {"exports_change_pct", &c.exports_change_pct},
      {"imports_before", &c.imports_before},
      {"imports_after", &c.imports_after},
      {"imports_change_pct", &c.imports_change_pct},
      {"domestic_before", &c.domestic_before},
      {"domestic_after", &c.domestic_after},
      {"output_before", &c.output_before},
      {"output_after", &c.output_after},
      {"expenditure_before", &c.expenditure_before},
      {"expenditure_after", &c.expenditure_after},
      {"trade_balance_before", &c.trade_balance_before},
      {"trade_balance_after", &c.trade_balance_after},
      {"factory_gate_price_hat", &c.factory_gate_price_hat},
      {"inward_resistance_hat", &c.inward_resistance_hat},
      {"inward_resistance_level", &c.inward_resistance_level},
      {"outward_resistance_hat", &c.outward_resistance_hat},
      {"real_gdp_change_pct", &c.real_gdp_change_pct},
      {"welfare_change_pct", &c.welfare_change_pct},
  };
  for (const auto& [name, values] : vectors) countries[name] = *values;
  return countries;
}

py::dict GeResultDict(const GeResult& result) {
  py::list groups;
  for (const auto& group : result.groups) {
    groups.append(py::make_tuple(group.name, group.members, group.intra_share_before,
                                 group.intra_share_after));
  }
  py::dict out;
  out["countries"] = GeCountriesDict(result.countries);
  out["groups"] = groups;
  out["new_flows"] = result.new_flows;
  out["baseline_flows"] = result.baseline_flows;
  out["flow_change_pct"] = result.flow_change_pct;
  out["termination"] = ToString(result.termination);
  out["converged"] = result.converged();
  out["message"] = result.message;
  out["iterations"] = result.iterations;
  out["max_log_excess_supply"] = result.max_log_excess_supply;
  out["market_clearing_residual"] = result.market_clearing_residual;
  out["budget_residual"] = result.budget_residual;
  out["world_output_hat"] = result.world_output_hat;
  out["expenditure_scale"] = result.expenditure_scale;
  return out;
}

struct SimulateArgs {
  std::string text;  // TOML text (is_text) or the path of the file
  std::string file;
  std::string base_dir;
  bool is_text = false;
  std::string data_dir;
  std::string output_folder;
  int replications = -1;
  int64_t seed = -1;
  int threads = 0;
};

// Runs the scenario on its data file, or on `data` (a column dictionary,
// TableFromColumns) when that is not None.
py::tuple Simulate(const SimulateArgs& args, const py::object& data, const py::object& progress) {
  ScenarioOverrides overrides;
  overrides.data_in_memory = !data.is_none();
  overrides.data_dir = args.data_dir;
  overrides.output_folder = args.output_folder;
  if (args.replications >= 0) overrides.replications = args.replications;
  if (args.seed >= 0) overrides.seed = static_cast<uint64_t>(args.seed);
  RunOptions options;
  options.threads = args.threads;
  // Not on_replication: the bootstrap's workers cannot be stopped from its
  // progress loop, so Ctrl-C is honoured between phases.
  options.progress = LineProgress(progress);
  std::vector<ReportTable> tables;
  std::string json;
  const Table table =
      data.is_none() ? Table() : TableFromColumns(py::cast<py::dict>(data), "<DataFrame>");
  {
    py::gil_scoped_release release;
    const Scenario scenario = args.is_text
                                  ? ParseScenario(args.text, args.file, args.base_dir, overrides)
                                  : LoadScenario(args.text, overrides);
    const ScenarioOutcome outcome = overrides.data_in_memory
                                        ? RunScenarioOnTable(scenario, table, options)
                                        : RunScenario(scenario, options);
    if (!args.output_folder.empty()) WriteScenarioOutputs(outcome, scenario.output.folder);
    tables = ScenarioTables(outcome);
    json = ScenarioResultsJson(outcome);
  }
  py::dict out;
  for (const auto& table : tables) out[py::str(table.name)] = ReportTableDict(table);
  return py::make_tuple(out, json);
}

}  // namespace

void DefineScenarios(py::module_& m) {
  m.def(
      "simulate",
      [](const std::string& text, const std::string& file, const std::string& base_dir,
         bool is_text, const std::string& data_dir, const std::string& output_folder,
         int replications, int64_t seed, int threads, const py::object& progress,
         const py::object& data) {
        const SimulateArgs args{text,          file,         base_dir, is_text, data_dir,
                                output_folder, replications, seed,     threads};
        return Guarded([&] { return Simulate(args, data, progress); });
      },
      py::arg("text"), py::arg("file"), py::arg("base_dir"), py::arg("is_text"),
      py::arg("data_dir"), py::arg("output_folder"), py::arg("replications"), py::arg("seed"),
      py::arg("threads"), py::arg("progress") = py::none(), py::arg("data") = py::none(),
      "Runs a scenario (a TOML file, or TOML text when is_text) on its data file, or on "
      "`data` (a column dictionary) when given.");

  m.def(
      "ge_solve",
      [](const Eigen::MatrixXd& flows, const Eigen::MatrixXd& partial_effects,
         const std::vector<std::string>& codes, double theta, const std::string& mode,
         const std::string& imbalance, int reference_country, double tolerance, int max_iterations,
         std::map<std::string, std::vector<int>> groups) {
        return Guarded([&] {
          GeOptions options;
          options.mode = ParseGeMode(mode);
          options.imbalance = ParseImbalance(imbalance);
          if (reference_country >= 0) {
            options.normalization = Normalization::kReferencePrice;
            options.reference_country = reference_country;
          }
          options.tolerance = tolerance;
          options.max_iterations = max_iterations;
          options.groups = std::move(groups);
          GeResult result;
          {
            py::gil_scoped_release release;
            result = SolveGe(flows, codes, theta, partial_effects, options);
          }
          return GeResultDict(result);
        });
      },
      py::arg("flows"), py::arg("partial_effects"), py::arg("codes"), py::arg("theta"),
      py::arg("mode"), py::arg("imbalance"), py::arg("reference_country"), py::arg("tolerance"),
      py::arg("max_iterations"), py::arg("groups"), "General-equilibrium counterfactual.");
}

}  // namespace mizani::python

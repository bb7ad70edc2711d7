// The compiled half of `import mizani` (docs/python.md): thin pybind11
// wrappers over the library. The pure-Python package (mizani/) turns pandas
// DataFrames into the column dictionaries these functions take and wraps
// their results in DataFrames.
//
// Conventions shared by every function here:
//  - numeric columns arrive as float64 NumPy arrays; contiguous ones are
//    borrowed (Column::borrowed), never copied;
//  - the GIL is released while the library works, and taken back only inside
//    progress callbacks, which also check for Ctrl-C (PyErr_CheckSignals), so
//    a KeyboardInterrupt stops a fit between two iterations;
//  - a mizani::Error becomes mizani.MizaniError carrying the exit code of the
//    command line (error.h) and the message, in one place: TranslateError.
#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "mizani/error.h"
#include "mizani/estimate.h"
#include "mizani/estimate_output.h"
#include "mizani/formula.h"
#include "mizani/ge.h"
#include "mizani/read.h"
#include "mizani/report.h"
#include "mizani/scenario.h"
#include "mizani/scenario_output.h"

namespace py = pybind11;

namespace mizani::python {

namespace {

// mizani.MizaniError, created at import (a subclass of RuntimeError).
PyObject* g_mizani_error = nullptr;

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kInternal:
      return "internal";
    case ErrorCode::kUsage:
      return "usage";
    case ErrorCode::kFileUnreadable:
      return "file_unreadable";
    case ErrorCode::kBadData:
      return "bad_data";
    case ErrorCode::kBadModel:
      return "bad_model";
    case ErrorCode::kBadScenario:
      return "bad_scenario";
    case ErrorCode::kNotConverged:
      return "not_converged";
    case ErrorCode::kTargetUnreachable:
      return "target_unreachable";
    case ErrorCode::kOutputFailed:
      return "output_failed";
  }
  return "internal";
}

// The one place a library error crosses into Python. When the library gains
// its own error boundary (exception -> ErrorCode + message), call it here.
// By value: the signature pybind11::register_exception_translator takes.
void TranslateError(std::exception_ptr error) {  // NOLINT(performance-unnecessary-value-param)
  try {
    if (error) std::rethrow_exception(error);
  } catch (const Error& e) {
    py::object instance = py::reinterpret_borrow<py::object>(g_mizani_error)(e.what());
    instance.attr("code") = static_cast<int>(e.code());
    instance.attr("code_name") = ErrorCodeName(e.code());
    PyErr_SetObject(g_mizani_error, instance.ptr());
  }
}

// Raises KeyboardInterrupt (or whatever a signal handler raised) as a C++
// exception that unwinds the library back to pybind11. Needs the GIL.
void CheckSignals() {
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
}

// A table over the caller's columns. `columns` maps a name to either a
// float64 array (borrowed when C-contiguous, copied otherwise) or a pair
// (int32 codes with -1 for missing, list of level labels). The arrays must
// outlive the table: the caller keeps `columns` alive.
Table TableFromColumns(const py::dict& columns, const std::string& source) {
  Table table;
  table.source = source;
  bool first = true;
  for (const auto& [key, value] : columns) {
    Column column;
    column.name = py::cast<std::string>(key);
    size_t rows = 0;
    if (py::isinstance<py::tuple>(value)) {
      auto parts = py::cast<py::tuple>(value);
      if (parts.size() != 2)
        throw Error(ErrorCode::kBadData, "column '" + column.name + "': bad codes");
      auto codes =
          py::cast<py::array_t<int32_t, py::array::c_style | py::array::forcecast>>(parts[0]);
      column.type = ColumnType::kString;
      column.levels = py::cast<std::vector<std::string>>(parts[1]);
      rows = static_cast<size_t>(codes.size());
      column.codes.assign(codes.data(), codes.data() + rows);
      const auto num_levels = static_cast<int32_t>(column.levels.size());
      for (int32_t code : column.codes) {
        if (code < -1 || code >= num_levels) {
          throw Error(ErrorCode::kBadData,
                      "column '" + column.name + "': a code outside its levels");
        }
      }
    } else {
      auto array = py::cast<py::array>(value);
      if (array.ndim() != 1) {
        throw Error(ErrorCode::kBadData, "column '" + column.name + "' is not one-dimensional");
      }
      rows = static_cast<size_t>(array.shape(0));
      const bool borrowable =
          array.dtype().is(py::dtype::of<double>()) && (array.flags() & py::array::c_style) != 0;
      if (borrowable) {
        column.borrowed = std::span<const double>(static_cast<const double*>(array.data()), rows);
      } else {
        auto converted = py::array_t<double, py::array::c_style | py::array::forcecast>(array);
        column.num.assign(converted.data(), converted.data() + rows);
      }
    }
    if (first) {
      table.num_rows = rows;
      first = false;
    } else if (rows != table.num_rows) {
      throw Error(ErrorCode::kBadData, "column '" + column.name + "' has " + std::to_string(rows) +
                                           " rows, the others " + std::to_string(table.num_rows));
    }
    table.columns.push_back(std::move(column));
  }
  return table;
}

VcovType ParseVcov(const std::string& vcov, bool has_cluster) {
  if (vcov == "iid") return VcovType::kIid;
  if (vcov == "hetero" || vcov == "HC1" || vcov == "robust") return VcovType::kHetero;
  if (vcov == "cluster" || vcov == "CRV1") {
    if (!has_cluster) throw Error(ErrorCode::kUsage, "vcov='cluster' needs cluster=COLUMN");
    return VcovType::kCluster;
  }
  if (vcov.empty()) return has_cluster ? VcovType::kCluster : VcovType::kHetero;
  throw Error(ErrorCode::kUsage,
              "vcov must be 'iid', 'hetero' (or 'HC1'), 'cluster' (or 'CRV1'); got '" + vcov + "'");
}

SmallSample ParseSsc(const std::string& ssc) {
  if (ssc == "stata") return SmallSample::kStata;
  if (ssc == "fixest") return SmallSample::kFixest;
  if (ssc == "none") return SmallSample::kNone;
  throw Error(ErrorCode::kUsage, "ssc must be 'stata', 'fixest' or 'none'; got '" + ssc + "'");
}

struct FitArgs {
  std::string formula;
  std::string family;
  std::vector<std::string> filters;
  std::string vcov;
  std::vector<std::string> cluster;
  std::string ssc;
  double tolerance;
  double fe_tolerance;
  int max_iterations;
  int threads;
  bool drop_singletons;
  bool check_separation;
};

EstimateOptions MakeEstimateOptions(const FitArgs& args) {
  EstimateOptions options;
  if (args.family == "poisson" || args.family == "ppml") {
    options.family = Family::kPoisson;
  } else if (args.family == "gaussian" || args.family == "ols") {
    options.family = Family::kGaussian;
  } else {
    throw Error(ErrorCode::kUsage,
                "family must be 'poisson' or 'gaussian'; got '" + args.family + "'");
  }
  options.tolerance = args.tolerance;
  options.fe_tolerance = args.fe_tolerance;
  options.max_iterations = args.max_iterations;
  options.threads = args.threads;
  options.drop_singletons = args.drop_singletons;
  options.check_separation = args.check_separation;
  options.vcov.cluster = args.cluster;
  options.vcov.type = ParseVcov(args.vcov, !args.cluster.empty());
  options.vcov.small_sample = ParseSsc(args.ssc);
  return options;
}

// Fits `table` with the GIL released; `progress(iteration, deviance,
// relative_change)` (may be None) runs with the GIL between iterations.
EstimateResult FitTable(Table table, const FitArgs& args, const py::object& progress) {
  const Formula formula = ParseFormula(args.formula);
  EstimateOptions options = MakeEstimateOptions(args);
  options.on_iteration = [&progress](int iteration, double deviance, double rel_change) {
    py::gil_scoped_acquire gil;
    if (!progress.is_none()) progress(iteration, deviance, rel_change);
    CheckSignals();
  };
  std::vector<RowFilter> filters;
  for (const auto& text : args.filters) filters.push_back({text});
  py::gil_scoped_release release;
  ModelFrame frame = BuildModelFrame(std::move(table), formula, filters, options);
  EstimateResult result = Fit(std::move(frame), options);
  result.formula = formula.text;
  return result;
}

py::dict FixedEffectsDict(const EstimateResult& result) {
  py::dict out;
  for (const auto& fe : result.fixed_effects) {
    out[py::str(fe.name)] = py::make_tuple(
        fe.labels,
        py::array_t<double>(static_cast<py::ssize_t>(fe.values.size()), fe.values.data()));
  }
  return out;
}

// Dictionary keys for DropReason (DropReasonName is the sentence the table
// and the JSON of the command line print).
const char* DropReasonKey(DropReason reason) {
  switch (reason) {
    case DropReason::kMissing:
      return "missing";
    case DropReason::kFiltered:
      return "filtered";
    case DropReason::kNonPositiveLog:
      return "log_nonpositive";
    case DropReason::kAllZeroGroup:
      return "all_zero_group";
    case DropReason::kSingleton:
      return "singleton";
    case DropReason::kSeparated:
      return "separated";
    case DropReason::kZeroWeight:
      return "zero_weight";
  }
  return "other";
}

py::dict DroppedDict(const EstimateResult& result) {
  py::dict out;
  for (const auto& [reason, count] : result.dropped) out[DropReasonKey(reason)] = count;
  return out;
}

// A ReportTable as {"columns": [...], "data": [[...], ...]} for pandas.
py::dict ReportTableDict(const ReportTable& table) {
  py::list columns;
  for (const auto& column : table.columns) columns.append(column.name);
  py::list rows;
  for (const auto& row : table.rows) {
    py::list cells;
    for (const auto& cell : row) {
      if (const auto* text = std::get_if<std::string>(&cell)) {
        cells.append(*text);
      } else {
        cells.append(std::get<double>(cell));
      }
    }
    rows.append(cells);
  }
  py::dict out;
  out["columns"] = columns;
  out["data"] = rows;
  out["caption"] = table.caption;
  out["note"] = table.note;
  return out;
}

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

py::dict GeResultDict(const GeResult& result) {
  const GeCountryResults& c = result.countries;
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
  py::list groups;
  for (const auto& group : result.groups) {
    groups.append(py::make_tuple(group.name, group.members, group.intra_share_before,
                                 group.intra_share_after));
  }
  py::dict out;
  out["countries"] = countries;
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

}  // namespace

void DefineModule(py::module_& m) {
  m.doc() = "mizani's C++ library (use the `mizani` package, not this module directly)";
  g_mizani_error = PyErr_NewExceptionWithDoc(
      "mizani.MizaniError",
      "An error that stopped a mizani operation. `code` is the exit code the `mizani` command "
      "returns for it (docs/cli.md), `code_name` its name (bad_model, bad_data...).",
      PyExc_RuntimeError, nullptr);
  m.add_object("MizaniError", py::handle(g_mizani_error));
  py::register_exception_translator(&TranslateError);

  py::class_<EstimateResult>(m, "EstimateResult")
      .def_readonly("coef_names", &EstimateResult::coef_names)
      .def_readonly("coef", &EstimateResult::coef)
      .def_readonly("vcov", &EstimateResult::vcov)
      .def_property_readonly("se", &EstimateResult::StdErrors)
      .def_readonly("collinear", &EstimateResult::collinear)
      .def_readonly("vcov_description", &EstimateResult::vcov_description)
      .def_readonly("num_clusters", &EstimateResult::num_clusters)
      .def_readonly("nobs", &EstimateResult::num_obs)
      .def_readonly("rows_read", &EstimateResult::rows_read)
      .def_property_readonly("dropped", &DroppedDict)
      .def_readonly("iterations", &EstimateResult::iterations)
      .def_readonly("deviance", &EstimateResult::deviance)
      .def_readonly("null_deviance", &EstimateResult::null_deviance)
      .def_readonly("pseudo_r2", &EstimateResult::pseudo_r2)
      .def_readonly("log_likelihood", &EstimateResult::log_likelihood)
      .def_readonly("rss", &EstimateResult::rss)
      .def_readonly("fe_dof", &EstimateResult::fe_dof)
      .def_readonly("formula", &EstimateResult::formula)
      .def_readonly("message", &EstimateResult::message)
      .def_readonly("fe_normalisation", &EstimateResult::fe_normalisation)
      .def_property_readonly("family",
                             [](const EstimateResult& r) {
                               return r.family == Family::kPoisson ? "poisson" : "gaussian";
                             })
      .def_property_readonly("termination",
                             [](const EstimateResult& r) { return TerminationName(r.termination); })
      .def_property_readonly("converged", &EstimateResult::converged)
      .def_property_readonly("fixed_effects", &FixedEffectsDict)
      .def("to_json", [](const EstimateResult& r) { return EstimateToJson(r, false); })
      .def("to_table", &FormatEstimateTable);

  m.def(
      "fit",
      [](const py::object& data, const FitArgs& args, const py::object& progress) {
        if (py::isinstance<py::str>(data)) {
          const auto path = py::cast<std::string>(data);
          Table table;
          {
            py::gil_scoped_release release;
            table = ReadTable(path);
          }
          return FitTable(std::move(table), args, progress);
        }
        const auto columns = py::cast<py::dict>(data);
        return FitTable(TableFromColumns(columns, "<DataFrame>"), args, progress);
      },
      py::arg("data"), py::arg("args"), py::arg("progress") = py::none(),
      "Fits a model on a path or a dict of columns (see mizani.fepois).");

  py::class_<FitArgs>(m, "FitArgs")
      .def(py::init<>())
      .def_readwrite("formula", &FitArgs::formula)
      .def_readwrite("family", &FitArgs::family)
      .def_readwrite("filters", &FitArgs::filters)
      .def_readwrite("vcov", &FitArgs::vcov)
      .def_readwrite("cluster", &FitArgs::cluster)
      .def_readwrite("ssc", &FitArgs::ssc)
      .def_readwrite("tolerance", &FitArgs::tolerance)
      .def_readwrite("fe_tolerance", &FitArgs::fe_tolerance)
      .def_readwrite("max_iterations", &FitArgs::max_iterations)
      .def_readwrite("threads", &FitArgs::threads)
      .def_readwrite("drop_singletons", &FitArgs::drop_singletons)
      .def_readwrite("check_separation", &FitArgs::check_separation);

  m.def(
      "column_addresses",
      [](const py::dict& columns) {
        const Table table = TableFromColumns(columns, "<DataFrame>");
        py::dict out;
        for (const auto& column : table.columns) {
          out[py::str(column.name)] = reinterpret_cast<uintptr_t>(column.borrowed.data());
        }
        return out;
      },
      py::arg("columns"),
      "For tests: the address each column's values are read from (0: copied, or text).");

  m.def(
      "model_columns", [](const std::string& formula) { return ParseFormula(formula).Columns(); },
      py::arg("formula"), "The columns a formula reads.");

  m.def(
      "simulate",
      [](const std::string& text, const std::string& file, const std::string& base_dir,
         bool is_text, const std::string& data_dir, const std::string& output_folder,
         int replications, int64_t seed, int threads, const py::object& progress) {
        ScenarioOverrides overrides;
        overrides.data_dir = data_dir;
        overrides.output_folder = output_folder;
        if (replications >= 0) overrides.replications = replications;
        if (seed >= 0) overrides.seed = static_cast<uint64_t>(seed);
        RunOptions options;
        options.threads = threads;
        options.progress = [&progress](const std::string& line) {
          py::gil_scoped_acquire gil;
          if (!progress.is_none()) progress(line);
          CheckSignals();
        };
        // Not on_replication: the bootstrap's workers cannot be stopped
        // from its progress loop, so Ctrl-C is honoured between phases.
        std::vector<ReportTable> tables;
        std::string json;
        {
          py::gil_scoped_release release;
          const Scenario scenario = is_text ? ParseScenario(text, file, base_dir, overrides)
                                            : LoadScenario(text, overrides);
          const ScenarioOutcome outcome = RunScenario(scenario, options);
          if (!output_folder.empty()) WriteScenarioOutputs(outcome, scenario.output.folder);
          tables = ScenarioTables(outcome);
          json = ScenarioResultsJson(outcome);
        }
        py::dict out;
        for (const auto& table : tables) out[py::str(table.name)] = ReportTableDict(table);
        return py::make_tuple(out, json);
      },
      py::arg("text"), py::arg("file"), py::arg("base_dir"), py::arg("is_text"),
      py::arg("data_dir"), py::arg("output_folder"), py::arg("replications"), py::arg("seed"),
      py::arg("threads"), py::arg("progress") = py::none(),
      "Runs a scenario (a TOML file, or TOML text when is_text).");

  m.def(
      "ge_solve",
      [](const Eigen::MatrixXd& flows, const Eigen::MatrixXd& partial_effects,
         const std::vector<std::string>& codes, double theta, const std::string& mode,
         const std::string& imbalance, int reference_country, double tolerance, int max_iterations,
         std::map<std::string, std::vector<int>> groups) {
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
      },
      py::arg("flows"), py::arg("partial_effects"), py::arg("codes"), py::arg("theta"),
      py::arg("mode"), py::arg("imbalance"), py::arg("reference_country"), py::arg("tolerance"),
      py::arg("max_iterations"), py::arg("groups"), "General-equilibrium counterfactual.");
}

}  // namespace mizani::python

PYBIND11_MODULE(_mizani, m) { mizani::python::DefineModule(m); }

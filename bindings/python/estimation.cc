// mizani.fepois / mizani.feols: a fit on a path or on a DataFrame's columns
// (lent without copying where the dtype allows), and its result object.
#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "binding.h"
#include "mizani/error.h"
#include "mizani/estimate.h"
#include "mizani/estimate_output.h"
#include "mizani/formula.h"
#include "mizani/read.h"

namespace mizani::python {

namespace {

// Categorical codes (pandas picks int8, int16 or int32 by the number of
// categories; -1 is missing) into the column's int32 codes: the one copy the
// command line's table also holds, made here so that the caller need not
// widen them first (a second, N x 4-byte copy per id column).
template <class Code>
void CopyCodes(const py::array& array, Column& column) {
  const auto codes = py::array_t<Code, py::array::c_style | py::array::forcecast>::ensure(array);
  if (!codes) throw Error(ErrorCode::kBadData, "column '" + column.name + "': bad codes");
  const auto num_levels = static_cast<int64_t>(column.levels.size());
  const Code* data = codes.data();
  column.codes.resize(static_cast<size_t>(codes.size()));
  for (size_t row_idx = 0; row_idx < column.codes.size(); ++row_idx) {
    // int8 codes are small signed numbers (pandas), not characters.
    const auto code = static_cast<int64_t>(data[row_idx]);  // NOLINT(bugprone-signed-char-misuse)
    if (code < -1 || code >= num_levels) {
      throw Error(ErrorCode::kBadData, "column '" + column.name + "': a code outside its levels");
    }
    column.codes[row_idx] = static_cast<int32_t>(code);
  }
}

// A (codes, levels) pair into a text column; returns its rows.
size_t TextColumn(const py::tuple& parts, Column& column) {
  if (parts.size() != 2)
    throw Error(ErrorCode::kBadData, "column '" + column.name + "': bad codes");
  column.type = ColumnType::kString;
  column.levels = py::cast<std::vector<std::string>>(parts[1]);
  const auto codes = py::cast<py::array>(parts[0]);
  if (codes.ndim() != 1) {
    throw Error(ErrorCode::kBadData, "column '" + column.name + "': codes not one-dimensional");
  }
  if (codes.dtype().is(py::dtype::of<int8_t>())) {
    CopyCodes<int8_t>(codes, column);
  } else if (codes.dtype().is(py::dtype::of<int16_t>())) {
    CopyCodes<int16_t>(codes, column);
  } else if (codes.dtype().is(py::dtype::of<int64_t>())) {
    CopyCodes<int64_t>(codes, column);
  } else {
    CopyCodes<int32_t>(codes, column);
  }
  return column.codes.size();
}

// Integer, boolean or float32 values widened into the column's own float64
// values, the one copy the command line's table holds too: freed as soon as
// the model frame has read them (BuildModelFrame consumes the table), where a
// converted NumPy array would live as long as the caller's dictionary.
template <class Value>
void WidenInto(const py::array& array, Column& column) {
  const auto values = py::array_t<Value, py::array::c_style | py::array::forcecast>::ensure(array);
  if (!values) throw Error(ErrorCode::kBadData, "column '" + column.name + "': bad values");
  const Value* data = values.data();
  column.num.resize(static_cast<size_t>(values.size()));
  for (size_t row_idx = 0; row_idx < column.num.size(); ++row_idx)
    column.num[row_idx] = static_cast<double>(data[row_idx]);
}

// True (and `column` filled) when `array` holds one of the integer, boolean
// or float32 types WidenInto reads.
template <class... Values>
bool WidenAny(const py::array& array, Column& column) {
  return ((array.dtype().is(py::dtype::of<Values>()) ? (WidenInto<Values>(array, column), true)
                                                     : false) ||
          ...);
}

// A float64 array, borrowed when C-contiguous; other numeric arrays are
// widened into the column's own values. Returns its rows.
size_t NumericColumn(const py::array& array, Column& column) {
  if (array.ndim() != 1) {
    throw Error(ErrorCode::kBadData, "column '" + column.name + "' is not one-dimensional");
  }
  const auto rows = static_cast<size_t>(array.shape(0));
  const bool borrowable =
      array.dtype().is(py::dtype::of<double>()) && (array.flags() & py::array::c_style) != 0;
  if (borrowable) {
    column.borrowed = std::span<const double>(static_cast<const double*>(array.data()), rows);
  } else if (!WidenAny<int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t,
                       bool, float>(array, column)) {
    auto converted = py::array_t<double, py::array::c_style | py::array::forcecast>(array);
    column.num.assign(converted.data(), converted.data() + rows);
  }
  return rows;
}

// The library's names and defaults (estimate.h), as the command line's.
VcovType ParseVcov(const std::string& vcov, bool has_cluster) {
  const VcovType type =
      vcov.empty() ? DefaultVcov(has_cluster) : ParseChoice(VcovNames(), vcov, "vcov");
  if (type == VcovType::kCluster && !has_cluster)
    throw Error(ErrorCode::kUsage, "vcov='cluster' needs cluster=COLUMN");
  return type;
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

// Reads only the columns the model, the clusters and the filters use, as
// `mizani estimate` does (the same library rule: ModelColumns, and every
// column when a filter's value was taken for a column).
Table ReadModelColumns(const std::string& path, const FitArgs& args) {
  ReadOptions options;
  options.columns = ModelColumns(ParseFormula(args.formula), args.cluster, args.filters);
  options.columns_may_be_absent = true;
  return ReadTable(path, options);
}

EstimateOptions MakeEstimateOptions(const FitArgs& args) {
  EstimateOptions options;
  options.family = ParseChoice(FamilyNames(), args.family, "family");
  options.tolerance = args.tolerance;
  options.fe_tolerance = args.fe_tolerance;
  options.max_iterations = args.max_iterations;
  options.threads = args.threads;
  options.drop_singletons = args.drop_singletons;
  options.check_separation = args.check_separation;
  options.vcov.cluster = args.cluster;
  options.vcov.type = ParseVcov(args.vcov, !args.cluster.empty());
  options.vcov.small_sample = ParseChoice(SmallSampleNames(), args.ssc, "ssc");
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

void DefineEstimateResult(py::module_& m) {
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
                             [](const EstimateResult& r) { return FamilyGlmName(r.family); })
      .def_property_readonly("termination",
                             [](const EstimateResult& r) { return TerminationName(r.termination); })
      .def_property_readonly("converged", &EstimateResult::converged)
      .def_property_readonly("fixed_effects", &FixedEffectsDict)
      .def("to_json", [](const EstimateResult& r) { return EstimateToJson(r, false); })
      .def("to_table", &FormatEstimateTable);
}

void DefineFitArgs(py::module_& m) {
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
}

}  // namespace

Table TableFromColumns(const py::dict& columns, const std::string& source) {
  Table table;
  table.source = source;
  bool first = true;
  for (const auto& [key, value] : columns) {
    Column column;
    column.name = py::cast<std::string>(key);
    const size_t rows = py::isinstance<py::tuple>(value)
                            ? TextColumn(py::cast<py::tuple>(value), column)
                            : NumericColumn(py::cast<py::array>(value), column);
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

void DefineEstimation(py::module_& m) {
  DefineEstimateResult(m);
  DefineFitArgs(m);
  m.def(
      "fit",
      [](const py::object& data, const FitArgs& args, const py::object& progress) {
        return Guarded([&] {
          if (py::isinstance<py::str>(data)) {
            const auto path = py::cast<std::string>(data);
            Table table;
            {
              py::gil_scoped_release release;
              table = ReadModelColumns(path, args);
            }
            return FitTable(std::move(table), args, progress);
          }
          const auto columns = py::cast<py::dict>(data);
          return FitTable(TableFromColumns(columns, "<DataFrame>"), args, progress);
        });
      },
      py::arg("data"), py::arg("args"), py::arg("progress") = py::none(),
      "Fits a model on a path or a dict of columns (see mizani.fepois).");

  m.def(
      "column_addresses",
      [](const py::dict& columns) {
        return Guarded([&] {
          const Table table = TableFromColumns(columns, "<DataFrame>");
          py::dict out;
          for (const auto& column : table.columns) {
            out[py::str(column.name)] = reinterpret_cast<uintptr_t>(column.borrowed.data());
          }
          return out;
        });
      },
      py::arg("columns"),
      "For tests: the address each column's values are read from (0: copied, or text).");

  m.def(
      "model_columns",
      [](const std::string& formula) {
        return Guarded([&] { return ParseFormula(formula).Columns(); });
      },
      py::arg("formula"), "The columns a formula reads.");

  m.def("filter_columns", &FilterColumnCandidates, py::arg("filter"),
        "The words of a row filter that may name columns (some may be values).");
}

}  // namespace mizani::python

// The compiled half of `import mizani` (docs/python.md): thin pybind11
// wrappers over the library. The pure-Python package (mizani/) turns pandas
// DataFrames into the column dictionaries these functions take and wraps
// their results in DataFrames.
//
// Conventions shared by every function of the module (binding.h):
//  - numeric columns arrive as NumPy arrays: contiguous float64 ones are
//    borrowed (Column::borrowed), never copied; integer, boolean and float32
//    ones are widened into the column's own values, which the fit frees;
//  - the GIL is released while the library works, and taken back only inside
//    progress callbacks, which also check for Ctrl-C (PyErr_CheckSignals), so
//    a KeyboardInterrupt stops a fit between two iterations;
//  - every function runs through the library's one error boundary (Guard,
//    status.h), as the command line does: an exception becomes a Status and
//    that Status mizani.MizaniError, carrying the command line's exit code.
#include <pybind11/pybind11.h>

#include <cmath>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "binding.h"
#include "mizani/error.h"
#include "mizani/report.h"
#include "mizani/settings.h"
#include "mizani/status.h"

namespace mizani::python {

namespace {

// mizani.MizaniError, created at import.
PyObject* g_mizani_error = nullptr;

// Identifier-like names of the exit codes (error.h), for `code_name`.
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

}  // namespace

void DefineErrors(py::module_& m) {
  g_mizani_error = PyErr_NewExceptionWithDoc(
      "mizani.MizaniError",
      "An error that stopped a mizani operation. `code` is the exit code the `mizani` command "
      "returns for it (docs/cli.md), `code_name` its name (bad_model, bad_data...), `bug` True "
      "when it is an internal error to report.",
      PyExc_RuntimeError, nullptr);
  m.add_object("MizaniError", py::handle(g_mizani_error));
}

void RaiseStatus(const Status& status) {
  // A bug reads as the command line prints it ("internal error: ... (please
  // report)"); an expected error is its message alone, as before.
  const std::string message = status.bug ? status.ToString() : status.message;
  py::object instance = py::reinterpret_borrow<py::object>(g_mizani_error)(message);
  instance.attr("code") = static_cast<int>(status.code);
  instance.attr("code_name") = ErrorCodeName(status.code);
  instance.attr("bug") = status.bug;
  PyErr_SetObject(g_mizani_error, instance.ptr());
  throw py::error_already_set();
}

void CheckSignals() {
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
}

std::function<void(const std::string&)> LineProgress(const py::object& progress) {
  return [&progress](const std::string& line) {
    py::gil_scoped_acquire gil;
    if (!progress.is_none()) progress(line);
    CheckSignals();
  };
}

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
    // RenderCsv writes an empty field past the end of a short row.
    for (size_t column_idx = row.size(); column_idx < table.columns.size(); ++column_idx)
      cells.append(std::numeric_limits<double>::quiet_NaN());
    rows.append(cells);
  }
  py::dict out;
  out["columns"] = columns;
  out["data"] = rows;
  out["caption"] = table.caption;
  out["note"] = table.note;
  return out;
}

py::dict DocumentTables(const ReportDocument& doc) {
  py::dict out;
  for (const ReportSection& section : doc.sections) {
    for (const ReportBlock& block : section.blocks) {
      if (const auto* table = std::get_if<ReportTable>(&block))
        out[py::str(table->name)] = ReportTableDict(*table);
    }
  }
  return out;
}

// For tests: throws the kind of exception named through Guarded, so that the
// mapping of every kind to MizaniError is checked from Python.
int RaiseForTest(const std::string& kind) {
  return Guarded([&] {
    if (kind == "error") throw Error(ErrorCode::kOutputFailed, "an output error");
    if (kind == "bad_alloc") throw std::bad_alloc();
    if (kind == "logic") throw std::logic_error("a logic error");
    return 0;
  });
}

void DefineModule(py::module_& m) {
  m.doc() = "mizani's C++ library (use the `mizani` package, not this module directly)";
  DefineErrors(m);
  m.def("_raise_for_test", &RaiseForTest, py::arg("kind"),
        "For tests: raises the C++ exception named (error, bad_alloc, logic) through the error "
        "boundary; 0 for any other name.");
  m.def(
      "_set_trace_level",
      [](int level) {
        Settings settings = CurrentSettings();
        settings.trace_level = level;
        ApplySettings(settings);
      },
      py::arg("level"),
      "For diagnostics: the library's phase trace on stderr (the command's MIZANI_TRACE): 0 off, "
      "1 phases with resident memory, 2 details. Set it before a fit starts.");
  DefineEstimation(m);
  DefineScenarios(m);
  DefineEngines(m);
}

}  // namespace mizani::python

PYBIND11_MODULE(_mizani, m) { mizani::python::DefineModule(m); }

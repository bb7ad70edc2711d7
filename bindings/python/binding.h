// Shared by the files of the compiled module _mizani (docs/python.md): the
// error boundary every function goes through, progress callbacks, report
// tables as Python values, and the Define* functions that each add one part
// of the module.
#pragma once

#include <pybind11/pybind11.h>

#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "mizani/report.h"
#include "mizani/status.h"
#include "mizani/table.h"

namespace mizani::python {

namespace py = pybind11;

// Creates mizani.MizaniError (a subclass of RuntimeError) on `m`.
void DefineErrors(py::module_& m);

// Raises mizani.MizaniError from a failed Status: `code` (the exit code of
// the command line, error.h), `code_name`, `bug` and the message. Throws
// py::error_already_set with the Python error set, which pybind11 passes on.
[[noreturn]] void RaiseStatus(const Status& status);

// Runs `operation` (which returns a value) through the library's one error
// boundary, Guard (status.h), the same that gives the command line its exit
// code: a library exception becomes its Status, raised as MizaniError. A
// Python exception raised inside (KeyboardInterrupt from a progress callback,
// a pybind11 cast error) is not the library's: it passes through unchanged.
template <class Operation>
auto Guarded(Operation&& operation) {
  using Result = decltype(operation());
  std::optional<Result> result;
  std::exception_ptr python_error;
  const Status status = Guard([&] {
    try {
      result.emplace(operation());
    } catch (const py::error_already_set&) {
      python_error = std::current_exception();
    } catch (const py::builtin_exception&) {
      python_error = std::current_exception();
    }
  });
  if (python_error) std::rethrow_exception(python_error);
  if (!status.ok()) RaiseStatus(status);
  return std::move(*result);
}

// Raises KeyboardInterrupt (or whatever a signal handler raised) as a C++
// exception that unwinds the library back to pybind11. Needs the GIL.
void CheckSignals();

// A progress function for the library: takes the GIL, calls `progress(line)`
// unless it is None, and checks for Ctrl-C (so a run stops between stages).
std::function<void(const std::string&)> LineProgress(const py::object& progress);

// A ReportTable as {"columns", "data" (rows of str/float, short rows padded
// with NaN), "caption", "note"} for pandas.
py::dict ReportTableDict(const ReportTable& table);
// Every table of a document by name: the tables WriteReport writes as
// <name>.csv.
py::dict DocumentTables(const ReportDocument& doc);

// A table over the caller's columns: `columns` maps a name to a float64
// array (borrowed when C-contiguous, copied otherwise) or a pair (integer
// codes, -1 for missing, and the list of level labels). The arrays must
// outlive the table: the caller keeps `columns` alive.
Table TableFromColumns(const py::dict& columns, const std::string& source);

void DefineEstimation(py::module_& m);  // fit, FitArgs, EstimateResult
void DefineScenarios(py::module_& m);   // simulate, ge_solve
void DefineEngines(py::module_& m);     // debt, rate, pe

}  // namespace mizani::python

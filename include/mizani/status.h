// The error boundary: one place that turns any exception thrown by the
// library into a code and a message, for every front end (the `mizani`
// command, bindings). Inside the library errors stay exceptions (error.h).
#pragma once

#include <exception>
#include <string>

#include "mizani/error.h"

namespace mizani {

struct Status {
  ErrorCode code = ErrorCode::kOk;
  std::string message;  // empty when ok
  // True for an exception the library does not throw on purpose (not an
  // Error, not out of memory): a bug, which the message asks to report.
  bool bug = false;

  bool ok() const { return code == ErrorCode::kOk; }
  // "error: <message>", or "internal error: <message> (please report)".
  std::string ToString() const;
};

// The Status of an exception: Error -> its code and message; std::bad_alloc
// -> kInternal "out of memory"; any other exception -> kInternal with
// bug = true. A null pointer gives an ok Status.
Status StatusOf(const std::exception_ptr& exception);

// Runs operation() and returns the Status of what it threw (ok when nothing).
template <class Operation>
Status Guard(Operation&& operation) {
  try {
    operation();
  } catch (...) {
    return StatusOf(std::current_exception());
  }
  return {};
}

}  // namespace mizani

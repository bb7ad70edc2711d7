#include "mizani/status.h"

#include <new>
#include <stdexcept>

namespace mizani {

std::string Status::ToString() const {
  if (ok()) return "ok";
  return bug ? "internal error: " + message + " (please report)" : "error: " + message;
}

Status StatusOf(const std::exception_ptr& exception) {
  if (exception == nullptr) return {};
  try {
    std::rethrow_exception(exception);
  } catch (const Error& error) {
    return {error.code(), error.what(), false};
  } catch (const std::bad_alloc&) {
    return {ErrorCode::kInternal, "out of memory", false};
  } catch (const std::exception& error) {
    return {ErrorCode::kInternal, error.what(), true};
  } catch (...) {
    return {ErrorCode::kInternal, "an exception that is not a std::exception", true};
  }
}

}  // namespace mizani

// Errors that stop an operation. Expected outcomes (a fit that does not
// converge, a target that cannot be reached) are reported in result structs,
// not thrown; see estimate.h and ge.h.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace mizani {

// Process exit codes of the `mizani` command. One place (apps/cli/main.cc)
// turns an Error into its code; docs/cli.md documents the table.
enum class ErrorCode : int {
  kOk = 0,
  kInternal = 1,           // a bug: please report
  kUsage = 2,              // bad command line
  kFileUnreadable = 3,     // file missing, unreadable, truncated, unknown format
  kBadData = 4,            // malformed row, non-numeric value, negative outcome...
  kBadModel = 5,           // formula, unknown column, FE with one level, all-zero outcome
  kBadScenario = 6,        // scenario file invalid (unknown country, group, sigma <= 1...)
  kNotConverged = 7,       // a solver stopped without converging
  kTargetUnreachable = 8,  // goal seeking: the target lies outside the bracket
  kOutputFailed = 9,       // cannot write an output file or folder
};

// The table of exit codes: the short name of each, as docs/cli.md lists them
// (a unit test checks that the two agree) and `mizani --help` prints them.
struct ExitCodeName {
  ErrorCode code;
  const char* name;
};
inline constexpr ExitCodeName kExitCodes[] = {
    {ErrorCode::kOk, "ok"},
    {ErrorCode::kInternal, "internal"},
    {ErrorCode::kUsage, "usage"},
    {ErrorCode::kFileUnreadable, "unreadable file"},
    {ErrorCode::kBadData, "bad data"},
    {ErrorCode::kBadModel, "invalid model"},
    {ErrorCode::kBadScenario, "invalid scenario"},
    {ErrorCode::kNotConverged, "not converged"},
    {ErrorCode::kTargetUnreachable, "target unreachable"},
    {ErrorCode::kOutputFailed, "output failed"},
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

// Formats "file:row N, column 'c': message" consistently. `row` is the 1-based
// data row (the header is row 0); pass -1 to omit row, empty column to omit it.
std::string Where(const std::string& file, int64_t row, const std::string& column);

// An error in one rank's share of a file whose cause lies in another
// rank's share (a column that is text because of a value elsewhere): when
// several ranks fail at once, the job reports another rank's error, the
// one that names the cell (PassFailureGate, mizani/communicator.h).
class ErrorFromAnotherShare : public Error {
 public:
  using Error::Error;
};

}  // namespace mizani

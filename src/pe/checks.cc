#include "pe/checks.h"

#include <fmt/format.h>

#include <cmath>

#include "mizani/error.h"

namespace mizani::pe {

void CheckImportDemand(double value, const std::string& where) {
  if (!std::isfinite(value) || value >= 0) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{}: import demand elasticity {} has the wrong sign (must be < 0: "
                            "imports fall when their price rises)",
                            where, value));
  }
}

void CheckSubstitution(double value, const std::string& where) {
  if (!std::isfinite(value) || value <= 0) {
    throw Error(
        ErrorCode::kBadScenario,
        fmt::format("{}: substitution elasticity {} must be a finite number > 0", where, value));
  }
}

void CheckExportSupply(double value, const std::string& where) {
  if (std::isnan(value) || value <= 0) {
    throw Error(
        ErrorCode::kBadScenario,
        fmt::format("{}: export supply elasticity {} must be > 0 (or \"inf\")", where, value));
  }
}

void CheckTrade(double value, const std::string& where) {
  if (!std::isfinite(value) || value < 0) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{}: trade value {} must be a finite number >= 0", where, value));
  }
}

void CheckRate(double value, const std::string& where, const std::string& what) {
  if (!std::isfinite(value) || value < 0) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{}: {} {} must be a finite rate >= 0", where, what, value));
  }
}

}  // namespace mizani::pe

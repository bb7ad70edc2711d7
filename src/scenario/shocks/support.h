// Helpers shared by the shock kinds (src/scenario/shocks/<kind>.cc).
#pragma once

#include <string>

#include "mizani/scenario.h"
#include "scenario/reader.h"

namespace mizani::scenario_shocks {

// Error(kBadScenario) at the shock's place in the file.
[[noreturn]] void Fail(const SourceRef& where, const std::string& message);

// Tariff and NTB in one line for reports (rate.cc), with the kind's label.
std::string DescribeRates(const RateChange& rates, const char* label, const std::string& pairs,
                          double theta);

}  // namespace mizani::scenario_shocks

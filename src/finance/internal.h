// Helpers shared by the finance engine's source files (not public API).
#pragma once

#include <string>
#include <vector>

namespace mizani::finance {

// Type-7 quantile (linear interpolation between order statistics; numpy's
// default), NaN for an empty sample.
double Quantile(std::vector<double> values, double probability);

}  // namespace mizani::finance

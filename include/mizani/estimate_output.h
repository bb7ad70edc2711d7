// Renderings of an EstimateResult: terminal table, JSON, CSV, and the
// fixed-effect estimates as CSV.
#pragma once

#include <string>

#include "mizani/estimate.h"

namespace mizani {

// Normal-approximation inference, as fixest and ppmlhdfe report for PPML.
double TwoSidedNormalP(double z);

// A coefficient table a Stata or R user reads at a glance, with the sample
// accounting (observations used, dropped by reason) and fit statistics.
std::string FormatEstimateTable(const EstimateResult& result);
// One JSON object: coefficients (name, estimate, std_error, z, p, ci_low,
// ci_high), vcov, nobs, dropped by reason, iterations, deviance, ...
std::string EstimateToJson(const EstimateResult& result, bool include_fixed_effects);
// One row per coefficient: term,estimate,std_error,z,p_value,ci_low,ci_high.
std::string EstimateToCsv(const EstimateResult& result);
// dimension,level,estimate; the normalisation is stated in the first line.
std::string FixedEffectsToCsv(const EstimateResult& result);

}  // namespace mizani

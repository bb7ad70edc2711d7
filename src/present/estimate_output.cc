#include "mizani/estimate_output.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "estimate/family.h"
#include "report/json_values.h"

namespace mizani {

double TwoSidedNormalP(double z) { return std::erfc(std::abs(z) / std::sqrt(2.0)); }

namespace {

struct Row {
  double estimate, se, z, p, low, high;
};

Row CoefRow(const EstimateResult& result, int coef_idx) {
  Row row{};
  row.estimate = result.coef(coef_idx);
  row.se = result.vcov.size() > 0 ? std::sqrt(std::max(0.0, result.vcov(coef_idx, coef_idx))) : NAN;
  row.z = row.estimate / row.se;
  row.p = TwoSidedNormalP(row.z);
  row.low = row.estimate - 1.959963984540054 * row.se;
  row.high = row.estimate + 1.959963984540054 * row.se;
  return row;
}

const char* Stars(double p) { return p < 0.01 ? "***" : p < 0.05 ? "**" : p < 0.1 ? "*" : ""; }

std::string Thousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t idx = 0; idx < digits.size(); ++idx) {
    if (idx > 0 && (digits.size() - idx) % 3 == 0) out += ',';
    out += digits[idx];
  }
  return value < 0 ? "-" + out : out;
}

}  // namespace

std::string FormatEstimateTable(const EstimateResult& result) {
  std::string out;
  const bool least_squares = estimate::FamilyOf(result.family).least_squares();
  out += fmt::format("{} estimation: {}\n", FamilyLabel(result.family), result.formula);
  out += fmt::format("Observations: {} used of {} read\n", Thousands(result.num_obs),
                     Thousands(result.rows_read));
  for (const auto& [reason, count] : result.dropped) {
    out += fmt::format("  dropped {:>10}  {}\n", Thousands(count), DropReasonName(reason));
  }
  for (const auto& name : result.collinear)
    out += fmt::format("  regressor '{}' dropped: collinear\n", name);
  if (!result.fixed_effects.empty()) {
    out += "Fixed effects:";
    for (const auto& fe : result.fixed_effects)
      out += fmt::format(" {} ({})", fe.name, Thousands(fe.values.size()));
    out += "\n";
  }
  out += fmt::format("Standard errors: {}\n\n",
                     result.vcov_description.empty() ? "not computed" : result.vcov_description);
  size_t width = 12;
  for (const auto& name : result.coef_names) width = std::max(width, name.size() + 1);
  out += fmt::format("{:<{}} {:>12} {:>11} {:>9} {:>8}   {:>23}\n", "", width, "Estimate",
                     "Std. Error", "z value", "Pr(>|z|)", "[95% conf. interval]");
  for (size_t coef_idx = 0; coef_idx < result.coef_names.size(); ++coef_idx) {
    Row row = CoefRow(result, static_cast<int>(coef_idx));
    out += fmt::format("{:<{}} {:>12.6f} {:>11.6f} {:>9.3f} {:>8.4f}   {:>11.6f} {:>11.6f} {}\n",
                       result.coef_names[coef_idx], width, row.estimate, row.se, row.z, row.p,
                       row.low, row.high, Stars(row.p));
  }
  out += "---\nSignif. codes: *** p<0.01, ** p<0.05, * p<0.1\n";
  if (!least_squares) {
    out += fmt::format(
        "Deviance: {:.6f}   Pseudo R2 (squared corr. y, mu): {:.6f}   Deviance R2: {:.6f}\n",
        result.deviance, result.pseudo_r2, result.deviance_r2);
    out += fmt::format("Log-likelihood: {:.4f}\n", result.log_likelihood);
  } else {
    out += fmt::format("RSS: {:.6f}   R2: {:.6f}\n", result.rss, result.pseudo_r2);
  }
  out += fmt::format("Iterations: {} (fixed-effect projection steps: {})   Status: {}\n",
                     result.iterations, Thousands(result.fe_iterations), result.message);
  if (!least_squares) {
    out += fmt::format(
        "Time (s): cleaning {:.2f}, separation check {:.2f}, IRLS {:.2f}, variance {:.2f}\n",
        result.seconds_cleaning, result.seconds_separation, result.seconds_irls,
        result.seconds_variance);
  }
  return out;
}

std::string EstimateToJson(const EstimateResult& result, bool include_fixed_effects) {
  nlohmann::json doc;
  doc["estimator"] = FamilyKey(result.family);
  doc["formula"] = result.formula;
  doc["status"] = TerminationName(result.termination);
  doc["converged"] = result.converged();
  doc["message"] = result.message;
  doc["nobs"] = result.num_obs;
  doc["rows_read"] = result.rows_read;
  nlohmann::json dropped = nlohmann::json::object();
  int64_t total_dropped = 0;
  for (const auto& [reason, count] : result.dropped) {
    dropped[DropReasonName(reason)] = count;
    total_dropped += count;
  }
  doc["dropped"] = dropped;
  doc["dropped_total"] = total_dropped;
  doc["collinear"] = result.collinear;
  doc["iterations"] = result.iterations;
  doc["fe_iterations"] = result.fe_iterations;
  doc["seconds"] = {{"cleaning", result.seconds_cleaning},
                    {"separation", result.seconds_separation},
                    {"irls", result.seconds_irls},
                    {"variance", result.seconds_variance}};
  doc["deviance"] = result.deviance;
  doc["null_deviance"] = result.null_deviance;
  doc["pseudo_r2"] = result.pseudo_r2;
  doc["log_likelihood"] = result.log_likelihood;
  doc["vcov_type"] = result.vcov_description;
  doc["num_clusters"] = result.num_clusters;
  nlohmann::json coefs = nlohmann::json::array();
  for (size_t coef_idx = 0; coef_idx < result.coef_names.size(); ++coef_idx) {
    Row row = CoefRow(result, static_cast<int>(coef_idx));
    coefs.push_back({{"name", result.coef_names[coef_idx]},
                     {"estimate", row.estimate},
                     {"std_error", row.se},
                     {"z", row.z},
                     {"p_value", row.p},
                     {"ci_low", row.low},
                     {"ci_high", row.high}});
  }
  doc["coefficients"] = coefs;
  nlohmann::json vcov = nlohmann::json::array();
  for (Eigen::Index row_idx = 0; row_idx < result.vcov.rows(); ++row_idx) {
    std::vector<double> values(result.vcov.cols());
    for (Eigen::Index col_idx = 0; col_idx < result.vcov.cols(); ++col_idx)
      values[col_idx] = result.vcov(row_idx, col_idx);
    vcov.push_back(values);
  }
  doc["vcov"] = vcov;
  nlohmann::json fes = nlohmann::json::array();
  for (const auto& fe : result.fixed_effects) {
    nlohmann::json entry = {{"name", fe.name}, {"levels", fe.values.size()}};
    if (include_fixed_effects) {
      entry["labels"] = fe.labels;
      entry["values"] = fe.values;
    }
    fes.push_back(entry);
  }
  doc["fixed_effects"] = fes;
  doc["fe_normalisation"] = result.fe_normalisation;
  return JsonFileText(doc);
}

std::string EstimateToCsv(const EstimateResult& result) {
  std::string out = "term,estimate,std_error,z,p_value,ci_low,ci_high\n";
  for (size_t coef_idx = 0; coef_idx < result.coef_names.size(); ++coef_idx) {
    Row row = CoefRow(result, static_cast<int>(coef_idx));
    out += fmt::format("\"{}\",{:.17g},{:.17g},{:.17g},{:.17g},{:.17g},{:.17g}\n",
                       result.coef_names[coef_idx], row.estimate, row.se, row.z, row.p, row.low,
                       row.high);
  }
  return out;
}

std::string FixedEffectsToCsv(const EstimateResult& result) {
  std::string out = fmt::format("# {}\ndimension,level,estimate\n", result.fe_normalisation);
  for (const auto& fe : result.fixed_effects) {
    for (size_t level = 0; level < fe.values.size(); ++level) {
      out += fmt::format("\"{}\",\"{}\",{:.17g}\n", fe.name,
                         level < fe.labels.size() ? fe.labels[level] : "", fe.values[level]);
    }
  }
  return out;
}

}  // namespace mizani

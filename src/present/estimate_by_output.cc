// Stacked renderings of `--by` results (include/mizani/estimate_by.h). Each
// group's numbers come from the single-model renderers, so a stacked row
// reads exactly as the separate run's.
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string_view>

#include "mizani/estimate_by.h"
#include "mizani/estimate_output.h"
#include "report/json_values.h"

namespace mizani {
namespace {

std::string CsvQuote(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string Status(const ByGroupFit& group) {
  if (group.failed()) return "error: " + group.error;
  return group.result.converged() ? "converged" : group.result.message;
}

}  // namespace

std::string EstimateByToCsv(const EstimateByResult& result) {
  std::string out =
      CsvQuote(result.column) + ",term,estimate,std_error,z,p_value,ci_low,ci_high,nobs,status\n";
  for (const ByGroupFit& group : result.groups) {
    const std::string value = CsvQuote(group.value);
    if (group.failed()) {
      out += fmt::format("{},,,,,,,,0,{}\n", value, CsvQuote(Status(group)));
      continue;
    }
    const std::string single = EstimateToCsv(group.result);
    const std::string suffix =
        fmt::format(",{},{}\n", group.result.num_obs, CsvQuote(Status(group)));
    // Skip the header line; every other line is one coefficient.
    size_t line_begin = single.find('\n') + 1;
    while (line_begin < single.size()) {
      const size_t line_end = single.find('\n', line_begin);
      out += value;
      out += ',';
      out.append(single, line_begin, line_end - line_begin);
      out += suffix;
      line_begin = line_end + 1;
    }
  }
  return out;
}

std::string EstimateByToJson(const EstimateByResult& result) {
  nlohmann::json doc;
  doc["by"] = result.column;
  doc["rows_missing_value"] = result.rows_missing_value;
  nlohmann::json groups = nlohmann::json::array();
  for (const ByGroupFit& group : result.groups) {
    nlohmann::json entry = group.failed()
                               ? nlohmann::json::object()
                               : nlohmann::json::parse(EstimateToJson(group.result, false));
    entry["value"] = group.value;
    entry["rows"] = group.rows;
    if (group.failed()) {
      entry["error"] = group.error;
      entry["exit_code"] = static_cast<int>(group.error_code);
    }
    groups.push_back(std::move(entry));
  }
  doc["groups"] = std::move(groups);
  return JsonFileText(doc);
}

std::string FormatEstimateByTable(const EstimateByResult& result) {
  size_t value_width = result.column.size();
  size_t term_width = 4;
  for (const ByGroupFit& group : result.groups) {
    value_width = std::max(value_width, group.value.size());
    for (const std::string& name : group.result.coef_names)
      term_width = std::max(term_width, name.size());
  }
  std::string out;
  if (!result.groups.empty() && !result.groups[0].result.formula.empty()) {
    out += fmt::format("One model per value of {}: {}\n", result.column,
                       result.groups[0].result.formula);
  }
  if (result.rows_missing_value > 0) {
    out += fmt::format("{} rows with {} missing belong to no group\n", result.rows_missing_value,
                       result.column);
  }
  out += fmt::format("\n{:<{}}  {:<{}} {:>12} {:>11} {:>9} {:>8} {:>11}  {}\n", result.column,
                     value_width, "term", term_width, "Estimate", "Std. Error", "z value",
                     "Pr(>|z|)", "N", "status");
  for (const ByGroupFit& group : result.groups) {
    if (group.failed() || group.result.coef_names.empty()) {
      out += fmt::format("{:<{}}  {:<{}} {:>12} {:>11} {:>9} {:>8} {:>11}  {}\n", group.value,
                         value_width, "", term_width, "", "", "", "",
                         group.failed() ? 0 : group.result.num_obs, Status(group));
      continue;
    }
    for (size_t coef_idx = 0; coef_idx < group.result.coef_names.size(); ++coef_idx) {
      const auto idx = static_cast<Eigen::Index>(coef_idx);
      const double estimate = group.result.coef(idx);
      const double se = group.result.vcov.size() > 0
                            ? std::sqrt(std::max(0.0, group.result.vcov(idx, idx)))
                            : NAN;
      const double z = estimate / se;
      std::string line = fmt::format(
          "{:<{}}  {:<{}} {:>12.6f} {:>11.6f} {:>9.3f} {:>8.4f} {:>11}  {}", group.value,
          value_width, group.result.coef_names[coef_idx], term_width, estimate, se, z,
          TwoSidedNormalP(z), group.result.num_obs, coef_idx == 0 ? Status(group) : "");
      line.erase(line.find_last_not_of(' ') + 1);
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace mizani

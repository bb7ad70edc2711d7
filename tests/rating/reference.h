// Running the statsmodels reference (ordered_reference.py) from a test.
#pragma once

#include <Eigen/Dense>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mizani/rating.h"

namespace mizani::rating::testing {

// Writes y, cluster and the regressors as CSV at full precision.
inline void WriteOrderedCsv(const std::string& path, const Eigen::MatrixXd& x,
                            std::span<const int> y, std::span<const int> cluster) {
  std::ofstream out(path);
  out.precision(17);
  out << "y,cluster";
  for (Eigen::Index col = 0; col < x.cols(); ++col) out << ",x" << col;
  out << "\n";
  for (Eigen::Index row = 0; row < x.rows(); ++row) {
    out << y[row] << "," << cluster[row];
    for (Eigen::Index col = 0; col < x.cols(); ++col) out << "," << x(row, col);
    out << "\n";
  }
}

// The JSON printed by the reference script, or nullopt with the reason
// (no Debian python, no statsmodels) in `why`.
inline std::optional<nlohmann::json> RunStatsmodels(const std::string& csv, Link link,
                                                    std::string* why) {
  const std::string python = "/usr/bin/python3";
  if (!std::ifstream(python)) {
    *why = "Debian's /usr/bin/python3 is absent (install python3-statsmodels)";
    return std::nullopt;
  }
  const std::string command = python + " " + MIZANI_SOURCE_DIR +
                              "/tests/rating/ordered_reference.py " + csv + " " +
                              (link == Link::kProbit ? "probit" : "logit") + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    *why = "cannot run " + command;
    return std::nullopt;
  }
  std::string text;
  char buffer[4096];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) text.append(buffer, got);
  const int status = pclose(pipe);
  if (status != 0 || text.empty()) {
    *why = "statsmodels reference did not run (python3-statsmodels missing?): " + command;
    return std::nullopt;
  }
  return nlohmann::json::parse(text);
}

}  // namespace mizani::rating::testing

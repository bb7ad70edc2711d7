// Running the independent references from a test: statsmodels
// (ordered_reference.py) and R's ordinal package (ordinal_reference.py, .R).
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

// Runs `command` and parses the JSON it prints; nullopt with `why` set to
// `failure` when it does not run or exits non-zero.
inline std::optional<nlohmann::json> RunJson(const std::string& command, const std::string& failure,
                                             std::string* why) {
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
    *why = failure + ": " + command;
    return std::nullopt;
  }
  return nlohmann::json::parse(text);
}

inline const char* LinkArgument(Link link) { return link == Link::kProbit ? "probit" : "logit"; }

inline bool HavePython(std::string* why) {
  if (std::ifstream("/usr/bin/python3")) return true;
  *why = "Debian's /usr/bin/python3 is absent (install python3-statsmodels)";
  return false;
}

// The JSON printed by the statsmodels reference script, or nullopt with the
// reason (no Debian python, no statsmodels) in `why`.
inline std::optional<nlohmann::json> RunStatsmodels(const std::string& csv, Link link,
                                                    std::string* why) {
  if (!HavePython(why)) return std::nullopt;
  return RunJson(std::string("/usr/bin/python3 ") + MIZANI_SOURCE_DIR +
                     "/tests/rating/ordered_reference.py " + csv + " " + LinkArgument(link) +
                     " 2>/dev/null",
                 "statsmodels reference did not run (python3-statsmodels missing?)", why);
}

// R's ordinal::clm with sandwich covariances from closed-form scores
// (ordinal_reference.py), or nullopt with the reason (no Rscript, no
// r-cran-ordinal) in `why`.
inline std::optional<nlohmann::json> RunClm(const std::string& csv, Link link, std::string* why) {
  if (!HavePython(why)) return std::nullopt;
  return RunJson(std::string("/usr/bin/python3 ") + MIZANI_SOURCE_DIR +
                     "/tests/rating/ordinal_reference.py " + csv + " " + LinkArgument(link) +
                     " 2>/dev/null",
                 "R ordinal::clm reference did not run (Rscript or r-cran-ordinal missing?)", why);
}

// R's ordinal::clmm with one random intercept per cluster and `points`
// adaptive Gauss-Hermite nodes (ordinal_reference.R).
inline std::optional<nlohmann::json> RunClmm(const std::string& csv, Link link, int points,
                                             std::string* why) {
  return RunJson(std::string("Rscript ") + MIZANI_SOURCE_DIR +
                     "/tests/rating/ordinal_reference.R " + csv + " " + LinkArgument(link) +
                     " clmm " + std::to_string(points) + " 2>/dev/null",
                 "R ordinal::clmm reference did not run (Rscript or r-cran-ordinal missing?)", why);
}

}  // namespace mizani::rating::testing

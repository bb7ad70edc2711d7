// `mizani rate`: a rating configuration file (examples/africa_ratings.toml,
// docs/rating.md) run into report documents (fit, evaluate, score, explain).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mizani/rating.h"
#include "mizani/report.h"

namespace mizani::rating {

struct RateConfig {
  std::string file;
  std::string name;
  PanelOptions panel;
  RatingModelOptions model;
  std::string methodology_path;  // empty: no scorecard
  int first_test_year = 2010;
  std::vector<Agency> evaluate_agencies = {Agency::kSp, Agency::kMoodys, Agency::kFitch,
                                           Agency::kDbrs};
  int min_predictions = 30;  // agencies with fewer out-of-sample predictions are flagged
  std::string country = "KEN";
  int year = 2024;
  int peers = 5;
  std::vector<std::string> goal_seek;  // WEO codes
  std::vector<std::string> countries;  // ISO3 to score; empty: every African sovereign
  std::string output = "rate_out";
};

// Command-line values that replace the file's.
struct RateOverrides {
  std::string data_dir;  // expands ${MIZANI_DATA}; relative data paths resolve here
  std::string output;
  std::string country;  // ISO3 or any known name
  std::optional<int> year;
  std::string agency;
  std::string link;
};

// Throws Error(kFileUnreadable) or Error(kBadScenario) naming file, line and
// key: unknown keys, an unknown country, agency or link, bad years.
RateConfig LoadRateConfig(const std::string& path, const RateOverrides& overrides);

struct RateOutcome {
  ReportDocument document;
  std::string summary;  // printed on stdout
};

using Progress = std::function<void(const std::string&)>;

RateOutcome RunRateFit(const RateConfig& config, const Progress& progress);
RateOutcome RunRateEvaluate(const RateConfig& config, const Progress& progress);
RateOutcome RunRateScore(const RateConfig& config, const Progress& progress);
RateOutcome RunRateExplain(const RateConfig& config, const Progress& progress);

}  // namespace mizani::rating

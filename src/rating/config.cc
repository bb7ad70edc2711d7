// The `mizani rate` configuration file (rating_report.h, docs/rating.md).
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "common/data_path.h"
#include "mizani/error.h"
#include "mizani/rating_report.h"
#include "rating/toml_reader.h"

namespace mizani::rating {

namespace fs = std::filesystem;

namespace {

using internal::TomlReader;

// The last year a configuration may name: past any WEO projection horizon, and
// far inside the YYYYMMDD dates (int) the panel compares.
constexpr int kLastPanelYear = 2200;

// ${MIZANI_DATA} expands to --data-dir or the environment variable; other
// relative paths resolve against the configuration file's folder.
std::string ResolveRatePath(const std::string& raw, const std::string& base_dir,
                            const std::string& data_dir, const TomlReader& reader,
                            const toml::node& node, const std::string& key) {
  const DataPathExpansion expansion = ExpandDataVariable(raw, data_dir);
  if (expansion.root_missing) {
    reader.Fail(node, key,
                "the path uses ${MIZANI_DATA} but neither --data-dir nor the MIZANI_DATA "
                "environment variable is set");
  }
  if (expansion.used) return expansion.path;
  if (fs::path(raw).is_absolute() || base_dir.empty()) return raw;
  return (fs::path(base_dir) / raw).string();
}

std::string CountryCode(const std::string& text, const TomlReader* reader, const toml::node* node,
                        const std::string& key) {
  if (FindCountry(text) != nullptr) return text;
  const auto iso3 = Iso3ForName(text);
  if (iso3) return *iso3;
  const std::string message = fmt::format(
      "unknown country '{}' (use an ISO3 code such as KEN or a name in "
      "src/rating/country_names.cc)",
      text);
  if (reader != nullptr && node != nullptr) reader->Fail(*node, key, message);
  throw Error(ErrorCode::kBadScenario, fmt::format("--country: {}", message));
}

Agency AgencyOf(const std::string& text, const TomlReader* reader, const toml::node* node,
                const std::string& key) {
  const auto agency = ParseAgency(text);
  if (agency) return *agency;
  const std::string message =
      fmt::format("unknown agency '{}' (expected S&P, Moody's, Fitch or DBRS)", text);
  if (reader != nullptr && node != nullptr) reader->Fail(*node, key, message);
  throw Error(ErrorCode::kBadScenario, fmt::format("--agency: {}", message));
}

Link LinkOf(const std::string& text, const TomlReader* reader, const toml::node* node,
            const std::string& key) {
  if (text == "probit") return Link::kProbit;
  if (text == "logit") return Link::kLogit;
  const std::string message = fmt::format("unknown link '{}' (probit or logit)", text);
  if (reader != nullptr && node != nullptr) reader->Fail(*node, key, message);
  throw Error(ErrorCode::kBadScenario, fmt::format("--link: {}", message));
}

const toml::table* Section(const toml::table& root, const TomlReader& reader, const char* key) {
  const toml::node* node = root.get(key);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) reader.Fail(*node, key, fmt::format("expected a [{}] table", key));
  return node->as_table();
}

// [[data.extra]]: indicator files beyond the WEO, each with its path, source
// and vintage.
void ParseExtraFiles(const TomlReader& reader, const toml::table& data, const std::string& base_dir,
                     const RateOverrides& overrides, RateConfig& config) {
  const auto files = reader.Tables(data, "data", "extra");
  for (size_t idx = 0; idx < files.size(); ++idx) {
    const std::string entry_path = fmt::format("data.extra[{}]", idx + 1);
    const toml::table& entry = *files[idx];
    reader.CheckKeys(entry, entry_path, {"path", "source", "vintage"});
    auto required = [&](const char* key) {
      const auto value = reader.String(entry, entry_path, key);
      if (!value || value->empty()) {
        reader.Fail(entry, entry_path,
                    fmt::format("missing key '{}' (an extra-indicator file needs its path, "
                                "source and vintage)",
                                key));
      }
      return *value;
    };
    ExtraIndicatorFile file{required("path"), required("source"), required("vintage")};
    file.path = ResolveRatePath(file.path, base_dir, overrides.data_dir, reader, *entry.get("path"),
                                entry_path + ".path");
    config.panel.extra_files.push_back(std::move(file));
  }
}

// [data]: the two input files (with ${MIZANI_DATA}) and the panel's years.
void ParseDataSection(const TomlReader& reader, const toml::table& root,
                      const std::string& base_dir, const RateOverrides& overrides,
                      RateConfig& config) {
  const std::string& path = config.file;
  const toml::table* data = Section(root, reader, "data");
  if (data == nullptr) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{}: missing [data] table (ratings and weo paths)", path));
  }
  reader.CheckKeys(*data, "data",
                   {"ratings", "weo", "vintage", "snapshot_date", "first_year", "last_year",
                    "indicator_lag", "extra"});
  for (const char* key : {"ratings", "weo"}) {
    const auto value = reader.String(*data, "data", key);
    if (!value) reader.Fail(*data, "data", fmt::format("missing key '{}'", key));
    const std::string resolved = ResolveRatePath(*value, base_dir, overrides.data_dir, reader,
                                                 *data->get(key), std::string("data.") + key);
    (std::string(key) == "ratings" ? config.panel.ratings_path : config.panel.weo_path) = resolved;
  }
  ParseExtraFiles(reader, *data, base_dir, overrides, config);
  config.panel.vintage = reader.String(*data, "data", "vintage").value_or(config.panel.vintage);
  config.panel.snapshot_date =
      reader.String(*data, "data", "snapshot_date").value_or(config.panel.snapshot_date);
  // Years from WEO's first vintage (1980) to kLastPanelYear; the lag up to 5.
  config.panel.first_year =
      reader.IntegerIn(*data, "data", "first_year", 1980, kLastPanelYear).value_or(2000);
  config.panel.last_year =
      reader.IntegerIn(*data, "data", "last_year", 1980, kLastPanelYear).value_or(2024);
  config.panel.indicator_lag = reader.IntegerIn(*data, "data", "indicator_lag", 0, 5).value_or(0);
  if (config.panel.first_year > config.panel.last_year) {
    reader.Fail(*data, "data.first_year", "first_year must not be after last_year");
  }
}

// [[indicator]]: the model's regressors, at least one.
void ParseIndicators(const TomlReader& reader, const toml::table& root, RateConfig& config) {
  const std::string& path = config.file;
  const auto indicators = reader.Tables(root, "", "indicator");
  if (indicators.empty()) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{}: no [[indicator]] table (the model's regressors)", path));
  }
  for (size_t idx = 0; idx < indicators.size(); ++idx) {
    const std::string entry_path = fmt::format("indicator[{}]", idx + 1);
    const toml::table& entry = *indicators[idx];
    reader.CheckKeys(entry, entry_path, {"code", "label", "transform"});
    IndicatorSpec spec;
    const auto code = reader.String(entry, entry_path, "code");
    if (!code) reader.Fail(entry, entry_path, "missing 'code' (a WEO subject code)");
    spec.code = *code;
    spec.label = reader.String(entry, entry_path, "label").value_or(spec.code);
    const std::string transform = reader.String(entry, entry_path, "transform").value_or("level");
    if (transform == "log") {
      spec.transform = Transform::kLog;
    } else if (transform == "log1p_percent") {
      spec.transform = Transform::kLogOnePlusPercent;
    } else if (transform != "level") {
      reader.Fail(*entry.get("transform"), entry_path + ".transform",
                  fmt::format("unknown transform '{}' (level, log or log1p_percent)", transform));
    }
    config.panel.indicators.push_back(spec);
  }
}

// The optional tables: [model], [scorecard], [evaluate], [explain], [score],
// [output].
void ParseOptionalSections(const TomlReader& reader, const toml::table& root,
                           const std::string& base_dir, RateConfig& config) {
  if (const toml::table* model = Section(root, reader, "model")) {
    reader.CheckKeys(*model, "model",
                     {"agency", "link", "mundlak", "previous_rating", "indicated", "max_iterations",
                      "effects", "quadrature_points"});
    if (const auto agency = reader.String(*model, "model", "agency")) {
      config.model.agency = AgencyOf(*agency, &reader, model->get("agency"), "model.agency");
    }
    if (const auto link = reader.String(*model, "model", "link")) {
      config.model.ordered.link = LinkOf(*link, &reader, model->get("link"), "model.link");
    }
    config.model.mundlak = reader.Bool(*model, "model", "mundlak").value_or(true);
    config.model.previous_rating = reader.Bool(*model, "model", "previous_rating").value_or(false);
    config.model.ordered.max_iterations =
        reader.IntegerIn(*model, "model", "max_iterations", 1, 100000).value_or(200);
    if (const auto effects = reader.String(*model, "model", "effects")) {
      if (*effects != "pooled" && *effects != "random") {
        reader.Fail(*model->get("effects"), "model.effects",
                    fmt::format("unknown effects '{}' (pooled or random)", *effects));
      }
      config.model.random_effects = *effects == "random";
    }
    if (const auto points = reader.IntegerIn(*model, "model", "quadrature_points", 1, 50)) {
      config.model.quadrature_points = *points;
    }
  }
  if (const toml::table* scorecard = Section(root, reader, "scorecard")) {
    reader.CheckKeys(*scorecard, "scorecard", {"methodology"});
    if (const auto methodology = reader.String(*scorecard, "scorecard", "methodology")) {
      config.methodology_path =
          ResolveRatePath(*methodology, base_dir, "", reader, *scorecard->get("methodology"),
                          "scorecard.methodology");
    }
  }
  if (const toml::table* evaluate = Section(root, reader, "evaluate")) {
    reader.CheckKeys(*evaluate, "evaluate", {"first_test_year", "agencies", "min_predictions"});
    config.first_test_year =
        reader.IntegerIn(*evaluate, "evaluate", "first_test_year", 1980, kLastPanelYear)
            .value_or(config.first_test_year);
    config.min_predictions = reader.IntegerIn(*evaluate, "evaluate", "min_predictions", 1, 1000000)
                                 .value_or(config.min_predictions);
    const auto agencies = reader.Strings(*evaluate, "evaluate", "agencies");
    if (!agencies.empty()) config.evaluate_agencies.clear();
    for (const std::string& agency : agencies) {
      config.evaluate_agencies.push_back(
          AgencyOf(agency, &reader, evaluate->get("agencies"), "evaluate.agencies"));
    }
  }
  if (const toml::table* explain = Section(root, reader, "explain")) {
    reader.CheckKeys(*explain, "explain", {"country", "year", "peers", "goal_seek"});
    if (const auto country = reader.String(*explain, "explain", "country")) {
      config.country = CountryCode(*country, &reader, explain->get("country"), "explain.country");
    }
    config.year =
        reader.IntegerIn(*explain, "explain", "year", 1980, kLastPanelYear).value_or(config.year);
    config.peers = reader.IntegerIn(*explain, "explain", "peers", 0, 1000).value_or(5);
    config.goal_seek = reader.Strings(*explain, "explain", "goal_seek");
  }
  if (const toml::table* score = Section(root, reader, "score")) {
    reader.CheckKeys(*score, "score", {"countries"});
    for (const std::string& country : reader.Strings(*score, "score", "countries")) {
      config.countries.push_back(
          CountryCode(country, &reader, score->get("countries"), "score.countries"));
    }
  }
  if (const toml::table* output = Section(root, reader, "output")) {
    reader.CheckKeys(*output, "output", {"folder"});
    if (const auto folder = reader.String(*output, "output", "folder")) {
      config.output = fs::path(*folder).is_absolute() || base_dir.empty()
                          ? *folder
                          : (fs::path(base_dir) / *folder).string();
    }
  }
}

// The command line's overrides, then the checks that need the whole file.
void ApplyOverrides(const RateOverrides& overrides, RateConfig& config) {
  const std::string& path = config.file;
  if (!overrides.output.empty()) config.output = overrides.output;
  if (!overrides.country.empty()) {
    config.country = CountryCode(overrides.country, nullptr, nullptr, "");
    config.countries = {config.country};
  }
  if (overrides.year) config.year = *overrides.year;
  if (!overrides.agency.empty())
    config.model.agency = AgencyOf(overrides.agency, nullptr, nullptr, "");
  if (!overrides.link.empty())
    config.model.ordered.link = LinkOf(overrides.link, nullptr, nullptr, "");
  if (config.year < config.panel.first_year || config.year > config.panel.last_year) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{}: year {} lies outside the panel's years {}-{}", path, config.year,
                            config.panel.first_year, config.panel.last_year));
  }
  if (config.first_test_year <= config.panel.first_year ||
      config.first_test_year > config.panel.last_year) {
    throw Error(
        ErrorCode::kBadScenario,
        fmt::format("{}: evaluate.first_test_year {} must lie after first_year {} and "
                    "not after last_year {}",
                    path, config.first_test_year, config.panel.first_year, config.panel.last_year));
  }
}

}  // namespace

RateConfig LoadRateConfig(const std::string& path, const RateOverrides& overrides) {
  const TomlReader reader(path);
  const toml::table root = reader.Parse();
  reader.CheckKeys(root, "",
                   {"name", "data", "indicator", "model", "scorecard", "evaluate", "explain",
                    "score", "output"});
  RateConfig config;
  config.file = path;
  config.name = reader.String(root, "", "name").value_or("Sovereign ratings");
  const std::string base_dir = fs::path(path).parent_path().string();
  ParseDataSection(reader, root, base_dir, overrides, config);
  ParseIndicators(reader, root, config);
  ParseOptionalSections(reader, root, base_dir, config);
  ApplyOverrides(overrides, config);
  return config;
}
}  // namespace mizani::rating

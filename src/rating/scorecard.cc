// The transparent scorecard: a TOML methodology scored, calibrated and
// inverted (rating.h, docs/rating.md).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "mizani/error.h"
#include "mizani/rating.h"
#include "rating/toml_reader.h"

namespace mizani::rating {

namespace {

using internal::TomlReader;

std::vector<GridPoint> ParseGrid(const TomlReader& reader, const toml::table& table,
                                 const std::string& path) {
  const toml::node* node = table.get("grid");
  if (node == nullptr) reader.Fail(table, path, "missing 'grid' ([[value, score], ...])");
  const toml::array* array = node->as_array();
  std::vector<GridPoint> grid;
  const std::string key = path + ".grid";
  if (array == nullptr || array->empty()) reader.Fail(*node, key, "expected [[value, score], ...]");
  for (const toml::node& element : *array) {
    const toml::array* pair = element.as_array();
    if (pair == nullptr || pair->size() != 2) {
      reader.Fail(element, key, "each grid point is [value, score]");
    }
    GridPoint point;
    double* targets[2] = {&point.value, &point.score};
    for (size_t idx = 0; idx < 2; ++idx) {
      const toml::node& number = *pair->get(idx);
      if (number.is_integer()) {
        *targets[idx] = static_cast<double>(number.as_integer()->get());
      } else if (number.is_floating_point()) {
        *targets[idx] = number.as_floating_point()->get();
      } else {
        reader.Fail(element, key, "grid values and scores are numbers");
      }
    }
    if (!std::isfinite(point.value) || point.score < 0 || point.score > 100) {
      reader.Fail(element, key, "scores lie between 0 and 100");
    }
    grid.push_back(point);
  }
  bool increasing = true;
  bool decreasing = true;
  for (size_t idx = 1; idx < grid.size(); ++idx) {
    if (!(grid[idx].value > grid[idx - 1].value)) {
      reader.Fail(*node, key, "grid values must be strictly increasing");
    }
    increasing = increasing && grid[idx].score >= grid[idx - 1].score;
    decreasing = decreasing && grid[idx].score <= grid[idx - 1].score;
  }
  if (!increasing && !decreasing) {
    reader.Fail(*node, key,
                "grid scores must be monotone (a better indicator never lowers the score)");
  }
  return grid;
}

}  // namespace

Methodology LoadMethodology(const std::string& path) {
  const TomlReader reader(path);
  const toml::table root = reader.Parse();
  reader.CheckKeys(root, "",
                   {"name", "intercept", "slope", "calibrate_to", "max_total_adjustment",
                    "local_currency", "factor", "adjustment"});
  Methodology methodology;
  methodology.file = path;
  methodology.name = reader.String(root, "", "name").value_or("scorecard");
  methodology.intercept = reader.Number(root, "", "intercept").value_or(methodology.intercept);
  methodology.slope = reader.Number(root, "", "slope").value_or(methodology.slope);
  if (!(methodology.slope > 0)) reader.Fail(*root.get("slope"), "slope", "must be positive");
  if (const auto agency = reader.String(root, "", "calibrate_to")) {
    methodology.calibrate_to = ParseAgency(*agency);
    if (!methodology.calibrate_to) {
      reader.Fail(*root.get("calibrate_to"), "calibrate_to",
                  fmt::format("unknown agency '{}' (S&P, Moody's, Fitch or DBRS)", *agency));
    }
  }
  // Bounds: at most the span of the notch scale (kMaxNotch - kMinNotch).
  constexpr int kSpan = kMaxNotch - kMinNotch;
  methodology.max_total_adjustment = reader.IntegerIn(root, "", "max_total_adjustment", 0, kSpan)
                                         .value_or(methodology.max_total_adjustment);
  if (const toml::node* node = root.get("local_currency")) {
    if (!node->is_table()) reader.Fail(*node, "local_currency", "expected a table");
    const toml::table& table = *node->as_table();
    reader.CheckKeys(table, "local_currency", {"uplift", "no_uplift"});
    methodology.local_currency_uplift =
        reader.IntegerIn(table, "local_currency", "uplift", 0, kSpan).value_or(1);
    methodology.no_local_uplift = reader.Strings(table, "local_currency", "no_uplift");
  }
  const auto factors = reader.Tables(root, "", "factor");
  if (factors.empty()) {
    throw Error(ErrorCode::kBadScenario, fmt::format("{}: no [[factor]] table", path));
  }
  for (size_t factor_idx = 0; factor_idx < factors.size(); ++factor_idx) {
    const toml::table& table = *factors[factor_idx];
    const std::string factor_path = fmt::format("factor[{}]", factor_idx + 1);
    reader.CheckKeys(table, factor_path, {"name", "weight", "indicator"});
    ScorecardFactor factor;
    factor.name = reader.String(table, factor_path, "name").value_or(factor_path);
    factor.weight = reader.Number(table, factor_path, "weight").value_or(1.0);
    if (factor.weight < 0)
      reader.Fail(*table.get("weight"), factor_path + ".weight", "negative weight");
    const auto indicators = reader.Tables(table, factor_path, "indicator");
    if (indicators.empty()) {
      reader.Fail(table, factor_path, "a factor needs at least one [[factor.indicator]]");
    }
    for (size_t indicator_idx = 0; indicator_idx < indicators.size(); ++indicator_idx) {
      const toml::table& entry = *indicators[indicator_idx];
      const std::string entry_path =
          fmt::format("{}.indicator[{}]", factor_path, indicator_idx + 1);
      reader.CheckKeys(entry, entry_path, {"code", "label", "weight", "grid"});
      ScorecardIndicator indicator;
      const auto code = reader.String(entry, entry_path, "code");
      if (!code || code->empty())
        reader.Fail(entry, entry_path, "missing 'code' (a WEO subject code)");
      indicator.code = *code;
      indicator.label = reader.String(entry, entry_path, "label").value_or(indicator.code);
      indicator.weight = reader.Number(entry, entry_path, "weight").value_or(1.0);
      if (!(indicator.weight > 0)) {
        reader.Fail(entry, entry_path + ".weight", "an indicator weight must be positive");
      }
      indicator.grid = ParseGrid(reader, entry, entry_path);
      factor.indicators.push_back(std::move(indicator));
    }
    methodology.factors.push_back(std::move(factor));
  }
  double total_weight = 0.0;
  for (const ScorecardFactor& factor : methodology.factors) total_weight += factor.weight;
  if (!(total_weight > 0)) {
    throw Error(ErrorCode::kBadScenario, fmt::format("{}: the factor weights sum to zero", path));
  }
  const auto adjustments = reader.Tables(root, "", "adjustment");
  for (size_t adjustment_idx = 0; adjustment_idx < adjustments.size(); ++adjustment_idx) {
    const toml::table& table = *adjustments[adjustment_idx];
    const std::string adjustment_path = fmt::format("adjustment[{}]", adjustment_idx + 1);
    reader.CheckKeys(
        table, adjustment_path,
        {"name", "reason", "notches", "country", "years", "indicator", "above", "below"});
    Adjustment adjustment;
    adjustment.name = reader.String(table, adjustment_path, "name").value_or(adjustment_path);
    adjustment.reason = reader.String(table, adjustment_path, "reason").value_or("");
    const auto notches = reader.IntegerIn(table, adjustment_path, "notches", -kSpan, kSpan);
    if (!notches || *notches == 0) reader.Fail(table, adjustment_path, "missing or zero 'notches'");
    adjustment.notches = *notches;
    adjustment.country = reader.String(table, adjustment_path, "country").value_or("");
    adjustment.indicator = reader.String(table, adjustment_path, "indicator").value_or("");
    adjustment.above = reader.Number(table, adjustment_path, "above");
    adjustment.below = reader.Number(table, adjustment_path, "below");
    if (const toml::node* years = table.get("years")) {
      const toml::array* array = years->as_array();
      if (array == nullptr)
        reader.Fail(*years, adjustment_path + ".years", "expected [2023, 2024]");
      for (const toml::node& year : *array) {
        if (!year.is_integer() || year.as_integer()->get() < 1 || year.as_integer()->get() > 9999) {
          reader.Fail(year, adjustment_path + ".years", "years are integers from 1 to 9999");
        }
        adjustment.years.push_back(static_cast<int>(year.as_integer()->get()));
      }
    }
    if (adjustment.country.empty() == adjustment.indicator.empty()) {
      reader.Fail(table, adjustment_path,
                  "give either 'country' (an ISO3 code) or 'indicator' with 'above'/'below'");
    }
    if (!adjustment.country.empty() && FindCountry(adjustment.country) == nullptr) {
      reader.Fail(*table.get("country"), adjustment_path + ".country",
                  fmt::format("unknown ISO3 code '{}'", adjustment.country));
    }
    if (!adjustment.indicator.empty() && !adjustment.above && !adjustment.below) {
      reader.Fail(table, adjustment_path, "an indicator rule needs 'above' or 'below'");
    }
    methodology.adjustments.push_back(std::move(adjustment));
  }
  return methodology;
}

double GridScore(std::span<const GridPoint> grid, double value) {
  if (value <= grid.front().value) return grid.front().score;
  if (value >= grid.back().value) return grid.back().score;
  for (size_t idx = 1; idx < grid.size(); ++idx) {
    if (value <= grid[idx].value) {
      const GridPoint& left = grid[idx - 1];
      const GridPoint& right = grid[idx];
      const double share = (value - left.value) / (right.value - left.value);
      return left.score + share * (right.score - left.score);
    }
  }
  return grid.back().score;
}

std::optional<double> GridInverse(std::span<const GridPoint> grid, double target) {
  const bool increasing = grid.back().score >= grid.front().score;
  // Walk from the worst end towards the best; the first segment whose
  // score reaches the target holds the least demanding value.
  const size_t count = grid.size();
  for (size_t step = 0; step < count; ++step) {
    const size_t idx = increasing ? step : count - 1 - step;
    if (grid[idx].score < target) continue;
    if (step == 0) return grid[idx].value;
    const GridPoint& previous = grid[increasing ? idx - 1 : idx + 1];
    const GridPoint& point = grid[idx];
    if (point.score == previous.score) return point.value;
    const double share = (target - previous.score) / (point.score - previous.score);
    return previous.value + share * (point.value - previous.value);
  }
  return std::nullopt;
}

IndicatorLookup PanelLookup(const Panel& panel, const std::string& iso3, int year) {
  return [&panel, iso3, year](const std::string& code) {
    return panel.WeoValue(iso3, code, year - panel.indicator_lag);
  };
}

std::optional<std::string> FirstMissingIndicator(const Methodology& methodology,
                                                 const IndicatorLookup& lookup) {
  for (const ScorecardFactor& factor : methodology.factors) {
    for (const ScorecardIndicator& indicator : factor.indicators) {
      if (!lookup(indicator.code)) return indicator.code;
    }
  }
  for (const Adjustment& adjustment : methodology.adjustments) {
    if (!adjustment.indicator.empty() && !lookup(adjustment.indicator)) {
      return adjustment.indicator;
    }
  }
  return std::nullopt;
}

ScoreResult Score(const Methodology& methodology, const std::string& iso3, int year,
                  const IndicatorLookup& lookup) {
  ScoreResult result;
  double total_weight = 0.0;
  for (const ScorecardFactor& factor : methodology.factors) total_weight += factor.weight;
  for (const ScorecardFactor& factor : methodology.factors) {
    double indicator_weight = 0.0;
    double weighted = 0.0;
    for (const ScorecardIndicator& indicator : factor.indicators) {
      const std::optional<double> value = lookup(indicator.code);
      if (!value || !std::isfinite(*value)) {
        throw Error(ErrorCode::kBadData,
                    fmt::format("{} {}: indicator {} ({}) is missing for the scored year; the "
                                "scorecard does not impute",
                                iso3, year, indicator.code, indicator.label));
      }
      const double score = GridScore(indicator.grid, *value);
      result.indicator_scores.push_back(score);
      result.audit.push_back(
          {"indicator",
           fmt::format("{}: {} = {:.4g} -> score {:.2f} (weight {:g})", factor.name,
                       indicator.label, *value, score, indicator.weight),
           score});
      weighted += indicator.weight * score;
      indicator_weight += indicator.weight;
    }
    const double factor_score = weighted / indicator_weight;
    result.factor_scores.push_back(factor_score);
    const double share = factor.weight / total_weight;
    result.score += share * factor_score;
    result.contribution.push_back(methodology.slope * share * factor_score);
    result.audit.push_back({"factor",
                            fmt::format("{}: score {:.2f} x weight {:.3f} = {:.2f} points",
                                        factor.name, factor_score, share, share * factor_score),
                            share * factor_score});
  }
  result.unrounded_notch = methodology.intercept + methodology.slope * result.score;
  result.model_notch =
      std::clamp(static_cast<int>(std::lround(result.unrounded_notch)), kMinNotch, kMaxNotch);
  result.audit.push_back(
      {"model",
       fmt::format("{:.3f} + {:.4f} x score {:.2f} = {:.3f} -> {} ({})", methodology.intercept,
                   methodology.slope, result.score, result.unrounded_notch, result.model_notch,
                   NotchLabel(result.model_notch)),
       result.unrounded_notch});
  int adjustment = 0;
  for (const Adjustment& rule : methodology.adjustments) {
    bool applies = false;
    std::string why;
    if (!rule.country.empty()) {
      applies = rule.country == iso3 &&
                (rule.years.empty() ||
                 std::find(rule.years.begin(), rule.years.end(), year) != rule.years.end());
      why = rule.reason;
    } else {
      const std::optional<double> value = lookup(rule.indicator);
      if (!value || !std::isfinite(*value)) {
        throw Error(ErrorCode::kBadData,
                    fmt::format("{} {}: indicator {} (adjustment '{}') is missing for the "
                                "scored year",
                                iso3, year, rule.indicator, rule.name));
      }
      applies = (!rule.above || *value > *rule.above) && (!rule.below || *value < *rule.below);
      why = fmt::format("{} = {:.4g}{}", rule.indicator, *value,
                        rule.reason.empty() ? "" : "; " + rule.reason);
    }
    if (!applies) continue;
    adjustment += rule.notches;
    result.audit.push_back({"adjustment",
                            fmt::format("{}: {:+d} notch(es) ({})", rule.name, rule.notches, why),
                            static_cast<double>(rule.notches)});
  }
  const int cap = methodology.max_total_adjustment;
  if (std::abs(adjustment) > cap) {
    const int capped = adjustment > 0 ? cap : -cap;
    result.audit.push_back({"cap",
                            fmt::format("adjustments {:+d} capped at {:+d}", adjustment, capped),
                            static_cast<double>(capped)});
    adjustment = capped;
  }
  result.adjustment = adjustment;
  result.foreign_currency_notch = std::clamp(result.model_notch + adjustment, kMinNotch, kMaxNotch);
  const bool no_uplift =
      std::find(methodology.no_local_uplift.begin(), methodology.no_local_uplift.end(), iso3) !=
      methodology.no_local_uplift.end();
  // A sovereign in default on foreign-currency debt gets no uplift.
  const int uplift =
      no_uplift || result.foreign_currency_notch <= 2 ? 0 : methodology.local_currency_uplift;
  result.local_currency_notch =
      std::clamp(result.foreign_currency_notch + uplift, kMinNotch, kMaxNotch);
  result.audit.push_back(
      {"local currency",
       fmt::format("{:+d} notch(es){}: {} -> {}", uplift,
                   no_uplift ? " (no own currency or monetary union: no uplift)" : "",
                   NotchLabel(result.foreign_currency_notch),
                   NotchLabel(result.local_currency_notch)),
       static_cast<double>(uplift)});
  return result;
}

double CalibrateMethodology(Methodology* methodology,
                            const std::vector<std::vector<double>>& factor_scores,
                            std::span<const int> notches) {
  const size_t num_factors = methodology->factors.size();
  const size_t num_obs = notches.size();
  if (factor_scores.size() != num_obs || num_obs < num_factors + 2) {
    throw Error(ErrorCode::kBadModel,
                fmt::format("calibration needs more rated sovereign-years ({}) than factors ({}) "
                            "plus two",
                            num_obs, num_factors));
  }
  if (num_factors > 16) {
    throw Error(ErrorCode::kBadModel, "calibration handles at most 16 factors");
  }
  // notch ~ c + sum_f b_f F_f with b_f >= 0: the least-squares fit over
  // every set of active factors, keeping the best feasible one (exact NNLS
  // for a handful of factors; Lawson & Hanson 1974 would scale further).
  Eigen::MatrixXd design(num_obs, num_factors + 1);
  Eigen::VectorXd target(num_obs);
  for (size_t obs = 0; obs < num_obs; ++obs) {
    design(static_cast<Eigen::Index>(obs), 0) = 1.0;
    for (size_t factor_idx = 0; factor_idx < num_factors; ++factor_idx) {
      design(static_cast<Eigen::Index>(obs), static_cast<Eigen::Index>(factor_idx) + 1) =
          factor_scores[obs][factor_idx];
    }
    target[static_cast<Eigen::Index>(obs)] = notches[obs];
  }
  double best_ssr = std::numeric_limits<double>::infinity();
  Eigen::VectorXd best;
  for (uint32_t mask = 1; mask < (1U << num_factors); ++mask) {
    std::vector<Eigen::Index> active = {0};
    for (size_t factor_idx = 0; factor_idx < num_factors; ++factor_idx) {
      if ((mask >> factor_idx) & 1U) active.push_back(static_cast<Eigen::Index>(factor_idx) + 1);
    }
    Eigen::MatrixXd sub(num_obs, active.size());
    for (size_t col = 0; col < active.size(); ++col)
      sub.col(static_cast<Eigen::Index>(col)) = design.col(active[col]);
    const Eigen::VectorXd coef = sub.colPivHouseholderQr().solve(target);
    bool feasible = true;
    for (Eigen::Index col = 1; col < coef.size(); ++col) feasible = feasible && coef[col] > 0;
    if (!feasible) continue;
    const double ssr = (sub * coef - target).squaredNorm();
    if (ssr < best_ssr) {
      best_ssr = ssr;
      best = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(num_factors) + 1);
      for (size_t col = 0; col < active.size(); ++col)
        best[active[col]] = coef[static_cast<Eigen::Index>(col)];
    }
  }
  if (best.size() == 0) {
    throw Error(ErrorCode::kBadModel,
                "calibration: no factor has a positive weight (the factor scores do not rise "
                "with the rating)");
  }
  const double slope_per_point = best.tail(static_cast<Eigen::Index>(num_factors)).sum();
  // Score = sum_f w_f F_f with weights summing to one, so slope = sum b_f.
  methodology->intercept = best[0];
  methodology->slope = slope_per_point;
  for (size_t factor_idx = 0; factor_idx < num_factors; ++factor_idx) {
    methodology->factors[factor_idx].weight =
        best[static_cast<Eigen::Index>(factor_idx) + 1] / slope_per_point;
  }
  return std::sqrt(best_ssr / static_cast<double>(num_obs));
}

ScorecardGoal GoalSeekScorecard(const Methodology& methodology, const std::string& iso3, int year,
                                const IndicatorLookup& lookup, const std::string& code) {
  ScorecardGoal goal;
  goal.code = code;
  const ScoreResult base = Score(methodology, iso3, year, lookup);
  goal.from_notch = base.foreign_currency_notch;
  goal.to_notch = base.foreign_currency_notch + 1;
  const std::optional<double> current = lookup(code);
  if (current) goal.current = *current;
  if (goal.to_notch > kMaxNotch || !current) return goal;
  double total_weight = 0.0;
  for (const ScorecardFactor& factor : methodology.factors) total_weight += factor.weight;
  // The indicator's first appearance; its score moves the notch by
  // slope * factor share * indicator share per point.
  for (const ScorecardFactor& factor : methodology.factors) {
    double indicator_weight = 0.0;
    for (const ScorecardIndicator& indicator : factor.indicators)
      indicator_weight += indicator.weight;
    for (const ScorecardIndicator& indicator : factor.indicators) {
      if (indicator.code != code) continue;
      const double per_point =
          methodology.slope * factor.weight / total_weight * indicator.weight / indicator_weight;
      if (per_point <= 0) return goal;
      // The model notch must reach the next one before rounding.
      const double needed_notch = base.model_notch + 0.5;
      const double target_score =
          GridScore(indicator.grid, *current) + (needed_notch - base.unrounded_notch) / per_point;
      const std::optional<double> value = GridInverse(indicator.grid, target_score + 1e-9);
      if (!value) return goal;
      // Adjustments driven by the same indicator can switch on or off:
      // confirm by scoring again.
      const IndicatorLookup moved = [&](const std::string& key) -> std::optional<double> {
        if (key == code) return *value;
        return lookup(key);
      };
      if (Score(methodology, iso3, year, moved).foreign_currency_notch >= goal.to_notch) {
        goal.required = *value;
      }
      return goal;
    }
  }
  throw Error(ErrorCode::kBadModel,
              fmt::format("indicator {} is not in the methodology {}", code, methodology.file));
}

BackTestResult BackTestScorecard(const Panel& panel, const Methodology& methodology,
                                 const BackTestOptions& options) {
  const int agency = static_cast<int>(options.model.agency);
  BackTestResult result;
  result.agency = options.model.agency;
  result.confusion.assign(kMaxNotch, std::vector<int64_t>(kMaxNotch, 0));
  // Factor scores do not depend on the weights: computed once per
  // sovereign-year the agency rates and the scorecard can score.
  struct Scored {
    size_t row_id;
    std::vector<double> factor_scores;
  };
  std::vector<Scored> scored;
  int last_year = 0;
  for (size_t row_id = 0; row_id < panel.rows.size(); ++row_id) {
    const SovereignYear& row = panel.rows[row_id];
    last_year = std::max(last_year, row.year);
    const IndicatorLookup lookup = PanelLookup(panel, row.iso3, row.year);
    if (row.notch[agency] == 0 || FirstMissingIndicator(methodology, lookup)) continue;
    scored.push_back({row_id, Score(methodology, row.iso3, row.year, lookup).factor_scores});
  }
  for (int test_year = options.first_test_year; test_year <= last_year; ++test_year) {
    ++result.windows;
    std::vector<std::vector<double>> factor_scores;
    std::vector<int> notches;
    for (const Scored& entry : scored) {
      const SovereignYear& row = panel.rows[entry.row_id];
      if (row.year >= test_year) continue;
      factor_scores.push_back(entry.factor_scores);
      notches.push_back(row.notch[agency]);
    }
    Methodology calibrated = methodology;
    try {
      (void)CalibrateMethodology(&calibrated, factor_scores, notches);
    } catch (const Error& error) {
      if (error.code() != ErrorCode::kBadModel) throw;
      ++result.failed_windows;
      continue;
    }
    int64_t predicted_here = 0;
    for (const Scored& entry : scored) {
      const SovereignYear& row = panel.rows[entry.row_id];
      if (row.year != test_year) continue;
      const int predicted =
          Score(calibrated, row.iso3, row.year, PanelLookup(panel, row.iso3, row.year))
              .foreign_currency_notch;
      const int actual = row.notch[agency];
      result.predictions.push_back(
          {row.iso3, row.year, actual, predicted, row.previous_notch[agency]});
      result.exact += predicted == actual ? 1 : 0;
      result.within_one += std::abs(predicted - actual) <= 1 ? 1 : 0;
      ++result.confusion[actual - 1][predicted - 1];
      ++predicted_here;
    }
    if (options.progress) {
      options.progress(
          fmt::format("scorecard calibrated on years < {} ({} sovereign-years), "
                      "predict {}: {} sovereigns",
                      test_year, notches.size(), test_year, predicted_here));
    }
  }
  return result;
}

}  // namespace mizani::rating

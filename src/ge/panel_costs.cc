// Trade costs from a panel, Step I of the Advanced Guide's application 2
// (Yotov et al. 2016, ch. 2, pp. 111-113, after Anderson & Yotov 2016):
//  stage 1, PPML of the flows on exporter-year, importer-year and pair fixed
//  effects and the policy terms (eq. 2-54/2-55). As in the do-file, the pair
//  effect is symmetric (one per unordered pair) and every domestic pair
//  shares one group whose effect is the omitted one, so gamma_ij = mu_ij -
//  mu_domestic is identified; pairs that never trade have none;
//  stage 2, PPML of exp(gamma_ij) in the baseline year on exporter and
//  importer effects and DIST (logged), CNTG, LANG, CLNY, international pairs
//  only (eq. 2-56); its predictions fill the missing pairs.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <span>
#include <utility>

#include "mizani/error.h"
#include "mizani/ge_fitted.h"

namespace mizani {
namespace {

[[noreturn]] void FailData(const std::string& message) {
  throw Error(ErrorCode::kBadData, message);
}

// The effect of every level of fixed-effect dimension `dim`, by label; NaN
// for levels the fit dropped.
std::map<std::string, double> EffectsByLabel(const EstimateResult& fit, size_t dim) {
  std::map<std::string, double> effects;
  if (dim >= fit.fixed_effects.size()) return effects;
  const FixedEffectEstimates& estimates = fit.fixed_effects[dim];
  for (size_t level_idx = 0; level_idx < estimates.labels.size(); ++level_idx) {
    effects[estimates.labels[level_idx]] = estimates.values[level_idx];
  }
  return effects;
}

double Lookup(const std::map<std::string, double>& effects, const std::string& label) {
  const auto found = effects.find(label);
  return found == effects.end() ? std::numeric_limits<double>::quiet_NaN() : found->second;
}

// The symmetric pair's label, the same for both directions.
std::string PairLabel(const std::string& exporter, const std::string& importer) {
  return exporter < importer ? fmt::format("{}-{}", exporter, importer)
                             : fmt::format("{}-{}", importer, exporter);
}

struct Dense {
  std::vector<int32_t> ids;
  std::vector<std::string> labels;
  std::map<std::string, int32_t> index;
  int32_t Get(const std::string& label) {
    const auto [it, inserted] = index.emplace(label, static_cast<int32_t>(labels.size()));
    if (inserted) labels.push_back(label);
    return it->second;
  }
};

// The columns the panel regressions read, checked once.
struct PanelColumns {
  const Column& exporter;
  const Column& importer;
  std::span<const double> years, flows;
  std::vector<std::span<const double>> policy, gravity;  // gravity: logged ones first
};

PanelColumns ReadPanelColumns(const Table& table, const PanelCostOptions& options) {
  PanelColumns columns{table.Get(options.exporter),
                       table.Get(options.importer),
                       RequireNumeric(table, options.year),
                       RequireNumeric(table, options.flow),
                       {},
                       {}};
  for (const std::string& name : options.policy) {
    columns.policy.push_back(RequireNumeric(table, name));
  }
  for (const std::string& name : options.log_gravity) {
    columns.gravity.push_back(RequireNumeric(table, name));
  }
  for (const std::string& name : options.gravity) {
    columns.gravity.push_back(RequireNumeric(table, name));
  }
  return columns;
}

// The rows of the kept years; sets costs.codes (sorted, the reference last,
// the do-file's "ZZZ") and costs.reference_country.
std::vector<size_t> SelectPanelRows(const Table& table, const PanelCostOptions& options,
                                    const PanelColumns& columns, PanelCosts& costs) {
  const std::span<const double> years = columns.years;
  const Column& exporter_col = columns.exporter;
  const Column& importer_col = columns.importer;
  const std::set<int> kept_years(options.years.begin(), options.years.end());
  std::set<std::string> country_set;
  std::vector<size_t> rows;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (std::isnan(years[row_idx])) {
      FailData(fmt::format("{}: row {}, column '{}': missing year", table.source, row_idx + 1,
                           options.year));
    }
    const int year = WholeNumber(years[row_idx], table, row_idx, options.year);
    if (!kept_years.empty() && kept_years.count(year) == 0) continue;
    if (exporter_col.IsMissing(row_idx) || importer_col.IsMissing(row_idx)) {
      FailData(fmt::format("{}: row {}: missing exporter or importer", table.source, row_idx + 1));
    }
    country_set.insert(exporter_col.CellText(row_idx));
    country_set.insert(importer_col.CellText(row_idx));
    rows.push_back(row_idx);
  }
  if (country_set.count(options.reference) == 0) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{}: reference country '{}' is not in the data", table.source,
                            options.reference));
  }
  for (const std::string& code : country_set) {
    if (code != options.reference) costs.codes.push_back(code);
  }
  costs.codes.push_back(options.reference);
  const auto num_countries = static_cast<Eigen::Index>(costs.codes.size());
  costs.reference_country = static_cast<int>(num_countries - 1);
  return rows;
}

// Stage 1's frame (flows on exporter-year, importer-year and pair effects
// and the policy terms), and the baseline year's flows, policy values,
// distances and gravity variables (per pair, row-major, in `gravity_rows`).
ModelFrame BuildPanelFrame(const Table& table, const PanelCostOptions& options,
                           const PanelColumns& columns, const std::vector<size_t>& rows,
                           PanelCosts& costs, std::vector<std::vector<double>>& gravity_rows,
                           std::vector<double>& pair_weights) {
  const Column& exporter_col = columns.exporter;
  const Column& importer_col = columns.importer;
  const std::span<const double> years = columns.years;
  const std::span<const double> flows = columns.flows;
  const std::vector<std::span<const double>>& policy = columns.policy;
  const std::vector<std::span<const double>>& gravity = columns.gravity;
  const auto num_countries = static_cast<Eigen::Index>(costs.codes.size());
  std::map<std::string, int> country_index;
  for (int country_idx = 0; country_idx < num_countries; ++country_idx) {
    country_index[costs.codes[country_idx]] = country_idx;
  }
  ModelFrame frame;
  Dense exporter_year;
  Dense importer_year;
  Dense pairs;
  const std::string domestic = "domestic";
  pairs.Get(domestic);
  const auto num_policy = static_cast<Eigen::Index>(policy.size());
  std::vector<double> regressors;
  costs.flows = Eigen::MatrixXd::Constant(num_countries, num_countries,
                                          std::numeric_limits<double>::quiet_NaN());
  costs.policy_values.assign(policy.size(), Eigen::MatrixXd::Zero(num_countries, num_countries));
  costs.distance = Eigen::MatrixXd::Constant(num_countries, num_countries,
                                             std::numeric_limits<double>::quiet_NaN());
  Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic> seen =
      Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic>::Constant(num_countries, num_countries,
                                                                    false);
  gravity_rows.assign(static_cast<size_t>(num_countries * num_countries), {});
  pair_weights.assign(static_cast<size_t>(num_countries * num_countries), 1.0);
  const bool weighted = !options.weights.empty();
  if (weighted && options.weights.size() != table.num_rows) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{} weights for the {} rows of {}", options.weights.size(),
                            table.num_rows, table.source));
  }
  int64_t missing = 0;
  for (const size_t row_idx : rows) {
    const std::string exporter = exporter_col.CellText(row_idx);
    const std::string importer = importer_col.CellText(row_idx);
    const int exporter_idx = country_index.at(exporter);
    const int importer_idx = country_index.at(importer);
    // Whole and in range: checked when the rows were selected.
    const int year = static_cast<int>(years[row_idx]);
    if (year == options.baseline_year) {
      if (seen(exporter_idx, importer_idx)) {
        FailData(fmt::format("{}: row {}: a second {} -> {} flow in {}", table.source, row_idx + 1,
                             exporter, importer, year));
      }
      seen(exporter_idx, importer_idx) = true;
      costs.flows(exporter_idx, importer_idx) = flows[row_idx];
      for (Eigen::Index term_idx = 0; term_idx < num_policy; ++term_idx) {
        costs.policy_values[term_idx](exporter_idx, importer_idx) = policy[term_idx][row_idx];
      }
      std::vector<double>& values = gravity_rows[exporter_idx * num_countries + importer_idx];
      for (size_t term_idx = 0; term_idx < gravity.size(); ++term_idx) {
        const double value = gravity[term_idx][row_idx];
        values.push_back(term_idx < options.log_gravity.size() ? std::log(value) : value);
      }
      if (!options.log_gravity.empty()) {
        costs.distance(exporter_idx, importer_idx) = gravity[0][row_idx];
      }
      if (weighted)
        pair_weights[exporter_idx * num_countries + importer_idx] = options.weights[row_idx];
    }
    if (weighted && options.weights[row_idx] == 0) continue;  // not drawn
    bool has_missing = std::isnan(flows[row_idx]);
    for (const auto& column : policy) has_missing = has_missing || std::isnan(column[row_idx]);
    if (has_missing) {
      ++missing;
      continue;
    }
    frame.y.push_back(flows[row_idx]);
    if (weighted) frame.weights.push_back(options.weights[row_idx]);
    for (const auto& column : policy) regressors.push_back(column[row_idx]);
    frame.source_row.push_back(static_cast<int64_t>(row_idx));
    exporter_year.ids.push_back(exporter_year.Get(fmt::format("{}_{}", exporter, year)));
    importer_year.ids.push_back(importer_year.Get(fmt::format("{}_{}", importer, year)));
    pairs.ids.push_back(pairs.Get(exporter == importer ? domestic : PairLabel(exporter, importer)));
  }
  if (!seen.all()) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{}: the baseline year {} does not hold every one of the {} x {} "
                            "exporter-importer pairs",
                            table.source, options.baseline_year, num_countries, num_countries));
  }
  const auto num_obs = static_cast<Eigen::Index>(frame.y.size());
  frame.X = Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      regressors.data(), num_obs, num_policy);
  frame.coef_names = options.policy;
  frame.fe_ids = {exporter_year.ids, importer_year.ids, pairs.ids};
  frame.fe_sizes = {static_cast<int32_t>(exporter_year.labels.size()),
                    static_cast<int32_t>(importer_year.labels.size()),
                    static_cast<int32_t>(pairs.labels.size())};
  frame.fe_names = {"exporter^year", "importer^year", "pair"};
  frame.fe_labels = {exporter_year.labels, importer_year.labels, pairs.labels};
  frame.rows_read = static_cast<int64_t>(rows.size());
  if (missing > 0) frame.CountDrop(DropReason::kMissing, missing);
  return frame;
}

// Stage 1's fit, and the pair costs exp(gamma_ij) relative to the domestic
// group (NaN effect: the pair never trades, marked in costs.filled).
void FitPairCosts(const Table& table, const PanelCostOptions& options, ModelFrame frame,
                  PanelCosts& costs) {
  const std::string domestic = "domestic";
  const auto num_countries = static_cast<Eigen::Index>(costs.codes.size());
  EstimateOptions estimate = options.estimate;
  estimate.family = Family::kPoisson;
  estimate.vcov.type = VcovType::kHetero;
  estimate.vcov.cluster.clear();
  costs.panel = Fit(std::move(frame), estimate);
  if (!costs.panel.converged()) {
    throw Error(ErrorCode::kBadModel,
                fmt::format("{}: the panel PPML for the pair effects did not converge: {}",
                            table.source, costs.panel.message));
  }
  costs.policy_names = costs.panel.coef_names;
  if (costs.policy_names.size() != options.policy.size()) {
    throw Error(
        ErrorCode::kBadModel,
        fmt::format("{}: a policy term was dropped as collinear in the panel PPML", table.source));
  }
  costs.policy_coef = costs.panel.coef;
  costs.policy_se = costs.panel.StdErrors();

  const std::map<std::string, double> pair_effects = EffectsByLabel(costs.panel, 2);
  const double domestic_effect = Lookup(pair_effects, domestic);
  if (std::isnan(domestic_effect)) {
    throw Error(ErrorCode::kBadModel,
                fmt::format("{}: the panel has no domestic flows to anchor the pair effects",
                            table.source));
  }
  costs.pair_costs = Eigen::MatrixXd::Ones(num_countries, num_countries);
  costs.filled = Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic>::Constant(
      num_countries, num_countries, false);
  for (Eigen::Index exporter_idx = 0; exporter_idx < num_countries; ++exporter_idx) {
    for (Eigen::Index importer_idx = 0; importer_idx < num_countries; ++importer_idx) {
      if (exporter_idx == importer_idx) continue;
      const std::string& exporter = costs.codes[exporter_idx];
      const std::string& importer = costs.codes[importer_idx];
      const double effect = Lookup(pair_effects, PairLabel(exporter, importer));
      costs.pair_costs(exporter_idx, importer_idx) = std::exp(effect - domestic_effect);
      costs.filled(exporter_idx, importer_idx) = std::isnan(effect);
    }
  }
}

// Stage 2: the pair costs of the baseline year regressed on the gravity
// variables; its predictions fill the pairs without a pair effect.
void FillMissingPairCosts(const Table& table, const PanelCostOptions& options,
                          const PanelColumns& columns,
                          const std::vector<std::vector<double>>& gravity_rows,
                          const std::vector<double>& pair_weights, PanelCosts& costs) {
  const std::vector<std::span<const double>>& gravity = columns.gravity;
  const auto num_countries = static_cast<Eigen::Index>(costs.codes.size());
  ModelFrame cross;
  std::vector<double> cross_regressors;
  for (Eigen::Index exporter_idx = 0; exporter_idx < num_countries; ++exporter_idx) {
    for (Eigen::Index importer_idx = 0; importer_idx < num_countries; ++importer_idx) {
      if (exporter_idx == importer_idx || costs.filled(exporter_idx, importer_idx)) continue;
      const std::vector<double>& values = gravity_rows[exporter_idx * num_countries + importer_idx];
      if (std::any_of(values.begin(), values.end(),
                      [](double value) { return !std::isfinite(value); })) {
        FailData(
            fmt::format("{}: gravity variables of {} -> {} in {} are missing or not "
                        "positive where logged",
                        table.source, costs.codes[exporter_idx], costs.codes[importer_idx],
                        options.baseline_year));
      }
      const double weight = pair_weights[exporter_idx * num_countries + importer_idx];
      if (weight == 0) continue;
      cross.y.push_back(costs.pair_costs(exporter_idx, importer_idx));
      if (!options.weights.empty()) cross.weights.push_back(weight);
      cross_regressors.insert(cross_regressors.end(), values.begin(), values.end());
      cross.fe_ids.resize(2);
      cross.fe_ids[0].push_back(static_cast<int32_t>(exporter_idx));
      cross.fe_ids[1].push_back(static_cast<int32_t>(importer_idx));
      cross.source_row.push_back(static_cast<int64_t>(cross.source_row.size()));
    }
  }
  const auto num_gravity = static_cast<Eigen::Index>(gravity.size());
  const auto num_cross = static_cast<Eigen::Index>(cross.y.size());
  cross.X = Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      cross_regressors.data(), num_cross, num_gravity);
  for (const std::string& name : options.log_gravity)
    cross.coef_names.push_back("log(" + name + ")");
  for (const std::string& name : options.gravity) cross.coef_names.push_back(name);
  cross.fe_sizes = {static_cast<int32_t>(num_countries), static_cast<int32_t>(num_countries)};
  cross.fe_names = {"exporter", "importer"};
  cross.fe_labels = {costs.codes, costs.codes};
  cross.rows_read = num_cross;
  EstimateOptions stage2_options = options.estimate;
  stage2_options.family = Family::kPoisson;
  stage2_options.vcov.type = VcovType::kHetero;
  stage2_options.vcov.cluster.clear();
  costs.stage2 = Fit(std::move(cross), stage2_options);
  if (!costs.stage2.converged() ||
      costs.stage2.coef.size() != static_cast<Eigen::Index>(gravity.size())) {
    throw Error(ErrorCode::kBadModel,
                fmt::format("{}: the stage-2 regression of the pair effects failed: {}",
                            table.source, costs.stage2.message));
  }
  const std::map<std::string, double> exporter_effects = EffectsByLabel(costs.stage2, 0);
  const std::map<std::string, double> importer_effects = EffectsByLabel(costs.stage2, 1);
  for (Eigen::Index exporter_idx = 0; exporter_idx < num_countries; ++exporter_idx) {
    for (Eigen::Index importer_idx = 0; importer_idx < num_countries; ++importer_idx) {
      if (!costs.filled(exporter_idx, importer_idx)) continue;
      const std::vector<double>& values = gravity_rows[exporter_idx * num_countries + importer_idx];
      double index = Lookup(exporter_effects, costs.codes[exporter_idx]) +
                     Lookup(importer_effects, costs.codes[importer_idx]);
      for (Eigen::Index term_idx = 0; term_idx < num_gravity; ++term_idx) {
        index += costs.stage2.coef(term_idx) * values[term_idx];
      }
      if (!std::isfinite(index)) {
        throw Error(
            ErrorCode::kBadModel,
            fmt::format("{}: cannot predict the trade cost of {} -> {} (no estimate of "
                        "its exporter or importer effect)",
                        table.source, costs.codes[exporter_idx], costs.codes[importer_idx]));
      }
      costs.pair_costs(exporter_idx, importer_idx) = std::exp(index);
    }
  }
}

}  // namespace

Eigen::MatrixXd PanelTradeCosts(const PanelCosts& costs,
                                const std::vector<Eigen::MatrixXd>& policy_values) {
  if (policy_values.size() != static_cast<size_t>(costs.policy_coef.size())) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{} policy matrices for {} policy terms", policy_values.size(),
                            costs.policy_coef.size()));
  }
  Eigen::ArrayXXd log_costs = costs.pair_costs.array().log();
  for (size_t term_idx = 0; term_idx < policy_values.size(); ++term_idx) {
    if (policy_values[term_idx].rows() != costs.pair_costs.rows() ||
        policy_values[term_idx].cols() != costs.pair_costs.cols()) {
      throw Error(ErrorCode::kBadScenario,
                  fmt::format("policy matrix {} has the wrong size", costs.policy_names[term_idx]));
    }
    log_costs +=
        costs.policy_coef(static_cast<Eigen::Index>(term_idx)) * policy_values[term_idx].array();
  }
  return log_costs.exp().matrix();
}

PanelCosts EstimatePanelTradeCosts(const Table& table, const PanelCostOptions& options) {
  const PanelColumns columns = ReadPanelColumns(table, options);
  PanelCosts costs;
  const std::vector<size_t> rows = SelectPanelRows(table, options, columns, costs);
  std::vector<std::vector<double>> gravity_rows;
  std::vector<double> pair_weights;
  ModelFrame frame =
      BuildPanelFrame(table, options, columns, rows, costs, gravity_rows, pair_weights);
  FitPairCosts(table, options, std::move(frame), costs);
  FillMissingPairCosts(table, options, columns, gravity_rows, pair_weights, costs);
  return costs;
}

}  // namespace mizani

// A scenario solved from the Advanced Guide's fitted baseline (model.baseline
// = "fitted"; include/mizani/ge_fitted.h, docs/ge-solver.md "Fitted
// baseline"): trade costs from the panel's pair effects and the scenario's
// estimated terms (application 2) or from the [estimation] fit's regressors
// (application 1), the constrained PPML baseline, the scenario's partial
// effects B applied to those costs, and the book's full-endowment loop (or
// the exact equilibrium). FittedScenarioModel is a GeModel, so goal seeking,
// the sigma table and the bootstrap use it as they use hat algebra; its
// results are GeResults, so every output of a scenario works unchanged.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <span>

#include "ge/ge_common.h"
#include "mizani/error.h"
#include "mizani/filter.h"
#include "mizani/formula.h"
#include "mizani/ge_fitted.h"
#include "scenario/internal.h"

namespace mizani {

namespace {

// [data] and [model] mapped to the panel-cost regressions; the reference
// country must be in the baseline.
PanelCostOptions MakePanelCostOptions(const Scenario& scenario,
                                      const std::vector<std::string>& codes,
                                      const std::vector<std::string>& policy_terms,
                                      const SourceRef& where) {
  PanelCostOptions options;
  options.exporter = scenario.data.exporter;
  options.importer = scenario.data.importer;
  options.year = scenario.data.year;
  options.flow = scenario.data.trade;
  options.baseline_year = *scenario.data.baseline_year;
  options.policy = policy_terms;
  options.gravity.clear();
  options.log_gravity.clear();
  // Logged regressors first (PanelCostOptions' order), then the others.
  for (const std::string& entry : scenario.model.fitted_gravity) {
    if (entry.size() > 5 && entry.rfind("log(", 0) == 0 && entry.back() == ')') {
      options.log_gravity.push_back(entry.substr(4, entry.size() - 5));
    }
  }
  for (const std::string& entry : scenario.model.fitted_gravity) {
    if (entry.rfind("log(", 0) != 0) options.gravity.push_back(entry);
  }
  options.reference = scenario.model.reference_country.empty() ? std::string("DEU")
                                                               : scenario.model.reference_country;
  if (std::find(codes.begin(), codes.end(), options.reference) == codes.end()) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{}: the fitted baseline normalises on a reference country's inward "
                            "resistance; '{}' is not in the data (set [model] reference)",
                            where.Describe(), options.reference));
  }
  options.estimate.tolerance = 1e-10;
  return options;
}

// The book's result in the GeResult every scenario output reads.
GeResult ToGeResult(const FittedGeResult& fitted, const FittedGeInputs& inputs, GeMode mode,
                    const GeOptions& ge_options) {
  const std::vector<std::string>& codes = inputs.codes;
  const auto num_countries = static_cast<Eigen::Index>(codes.size());
  GeResult result;
  result.termination = fitted.termination;
  result.message = fitted.message;
  result.iterations = fitted.iterations;
  if (fitted.fitted_baseline.size() == 0) return result;
  const bool full = mode == GeMode::kFullEndowment;
  if (full && fitted.flows_full.size() == 0) return result;
  const double inv = 1.0 / (1.0 - inputs.sigma);
  result.baseline_flows = fitted.fitted_baseline;
  result.new_flows = full ? fitted.flows_full : fitted.fitted_conditional;
  result.flow_change_pct = 100.0 * (result.new_flows.array() / result.baseline_flows.array() - 1.0);
  GeCountryResults& countries = result.countries;
  countries.codes = codes;
  const Eigen::VectorXd sales = result.new_flows.rowwise().sum();
  const Eigen::VectorXd purchases = result.new_flows.colwise().sum().transpose();
  countries.domestic_before = result.baseline_flows.diagonal();
  countries.domestic_after = result.new_flows.diagonal();
  countries.exports_before = fitted.exports_baseline;
  countries.exports_after = full ? fitted.exports_full : fitted.exports_conditional;
  countries.exports_change_pct =
      100.0 * (countries.exports_after.array() / countries.exports_before.array() - 1.0);
  countries.imports_before =
      result.baseline_flows.colwise().sum().transpose() - countries.domestic_before;
  countries.imports_after = purchases - countries.domestic_after;
  countries.imports_change_pct =
      100.0 * (countries.imports_after.array() / countries.imports_before.array() - 1.0);
  countries.output_before = fitted.output;
  countries.output_after = full ? fitted.output_full : fitted.output;
  countries.expenditure_before = fitted.expenditure;
  countries.expenditure_after = full ? fitted.expenditure_full : fitted.expenditure;
  countries.trade_balance_before = countries.exports_before - countries.imports_before;
  countries.trade_balance_after = countries.exports_after - countries.imports_after;
  const Eigen::VectorXd& imr_after = full ? fitted.imr_full : fitted.imr_conditional;
  const Eigen::VectorXd& omr_after = full ? fitted.omr_full : fitted.omr_conditional;
  countries.inward_resistance_hat = (imr_after.array() / fitted.imr_baseline.array()).pow(inv);
  countries.inward_resistance_level = imr_after.array().pow(inv);
  countries.outward_resistance_hat = (omr_after.array() / fitted.omr_baseline.array()).pow(inv);
  if (full) {
    countries.factory_gate_price_hat = fitted.factory_gate_price_hat;
    countries.real_gdp_change_pct =
        100.0 * (fitted.real_gdp_full.array() / fitted.real_gdp_baseline.array() - 1.0);
    // E = phi Y: welfare (E / P) moves with real GDP (Y / P).
    countries.welfare_change_pct = countries.real_gdp_change_pct;
  } else {
    countries.factory_gate_price_hat = Eigen::VectorXd::Ones(num_countries);
    countries.real_gdp_change_pct =
        Eigen::VectorXd::Constant(num_countries, std::numeric_limits<double>::quiet_NaN());
    countries.welfare_change_pct = countries.real_gdp_change_pct;
  }
  result.world_output_hat = countries.output_after.sum() / countries.output_before.sum();
  result.log_price_state = countries.factory_gate_price_hat.array().log();
  result.market_clearing_residual =
      ((sales - countries.output_after).cwiseAbs().array() / countries.output_after.array())
          .maxCoeff();
  result.budget_residual = ((purchases - countries.expenditure_after).cwiseAbs().array() /
                            countries.expenditure_after.array())
                               .maxCoeff();
  result.groups = ge_internal::GroupResults(ge_options, result.baseline_flows, result.new_flows);
  return result;
}

// Stage 1 of the panel route (application 2): pair effects and policy terms
// of the panel, in the scenario's country order.
FittedGeInputs PanelCostInputs(const Scenario& scenario, const Table& table,
                               const std::vector<std::string>& codes,
                               const std::vector<std::string>& policy_terms,
                               std::span<const double> row_weights, FittedScenario& fitted) {
  SourceRef where = scenario.model.where;
  where.key = "model.baseline";
  if (!scenario.data.baseline_year) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{}: fitted_costs = \"panel\" needs a panel: [data] baseline_year",
                            where.Describe()));
  }
  PanelCostOptions options = MakePanelCostOptions(scenario, codes, policy_terms, where);
  const std::vector<uint8_t> keep = PanelRows(scenario, table);
  const bool filtered = scenario.estimation && !scenario.estimation->filters.empty();
  const Table panel = filtered ? table.Select(keep) : table;
  if (!row_weights.empty()) {
    // A bootstrap draw: replications already run side by side.
    options.estimate.threads = 1;
    for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
      if (keep[row_idx]) options.weights.push_back(row_weights[row_idx]);
    }
  }
  const PanelCosts costs = EstimatePanelTradeCosts(panel, options);
  const auto num_countries = static_cast<Eigen::Index>(codes.size());
  if (static_cast<Eigen::Index>(costs.codes.size()) != num_countries) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{}: the panel has {} countries, the baseline {}", where.Describe(),
                            costs.codes.size(), num_countries));
  }
  std::map<std::string, Eigen::Index> cost_index;
  for (Eigen::Index country_idx = 0; country_idx < num_countries; ++country_idx) {
    cost_index[costs.codes[country_idx]] = country_idx;
  }
  std::vector<Eigen::Index> order(num_countries);
  for (Eigen::Index country_idx = 0; country_idx < num_countries; ++country_idx) {
    const auto found = cost_index.find(codes[country_idx]);
    if (found == cost_index.end()) {
      throw Error(ErrorCode::kBadScenario, fmt::format("{}: country {} is not in the panel",
                                                       where.Describe(), codes[country_idx]));
    }
    order[country_idx] = found->second;
  }
  const Eigen::MatrixXd baseline_costs = PanelTradeCosts(costs, costs.policy_values);
  FittedGeInputs inputs;
  inputs.flows.resize(num_countries, num_countries);
  inputs.baseline_costs.resize(num_countries, num_countries);
  for (Eigen::Index row_idx = 0; row_idx < num_countries; ++row_idx) {
    for (Eigen::Index col_idx = 0; col_idx < num_countries; ++col_idx) {
      inputs.flows(row_idx, col_idx) = costs.flows(order[row_idx], order[col_idx]);
      inputs.baseline_costs(row_idx, col_idx) = baseline_costs(order[row_idx], order[col_idx]);
    }
  }
  for (Eigen::Index term_idx = 0; term_idx < costs.policy_coef.size(); ++term_idx) {
    fitted.coefficients[costs.policy_names[term_idx]] = costs.policy_coef(term_idx);
  }
  inputs.reference_country =
      static_cast<int>(std::find(codes.begin(), codes.end(), options.reference) - codes.begin());
  fitted.note = fmt::format(
      "fitted baseline (Advanced Guide ch. 2, application 2): pair effects of a panel PPML on {} "
      "observations{}; {} pair costs predicted from {}",
      costs.panel.num_obs,
      policy_terms.empty()
          ? std::string()
          : fmt::format(" with {} = {:.6f}", policy_terms[0], costs.policy_coef(0)),
      costs.filled.count(), fmt::join(scenario.model.fitted_gravity, ", "));
  return inputs;
}

// The estimation route (application 1, eq. 2-51/2-52): t_ij^(1-sigma) =
// exp(sum_k b_k x_k,ij) over the [estimation] formula's regressors at their
// baseline-year values, the fixed effects left out.
FittedGeInputs EstimationCostInputs(const Scenario& scenario, const Table& table,
                                    const std::vector<std::string>& codes,
                                    const Eigen::MatrixXd& flows, const EstimateResult& fit,
                                    FittedScenario& fitted) {
  SourceRef where = scenario.model.where;
  where.key = "model.fitted_costs";
  std::vector<RowFilter> filters;
  for (const std::string& text : scenario.estimation->filters) filters.push_back({text});
  if (scenario.data.baseline_year) {
    filters.push_back({fmt::format("{} == {}", scenario.data.year, *scenario.data.baseline_year)});
  }
  EstimateOptions frame_options;
  frame_options.check_separation = false;
  frame_options.drop_singletons = false;
  const ModelFrame frame =
      BuildModelFrame(table, ParseFormula(scenario.estimation->formula), filters, frame_options);
  Eigen::VectorXd beta(frame.X.cols());
  for (Eigen::Index term_idx = 0; term_idx < frame.X.cols(); ++term_idx) {
    const std::string& name = frame.coef_names[term_idx];
    const auto found = std::find(fit.coef_names.begin(), fit.coef_names.end(), name);
    if (found == fit.coef_names.end()) {
      throw Error(ErrorCode::kBadModel,
                  fmt::format("{}: the trade-cost term '{}' was not estimated (collinear with the "
                              "fixed effects?)",
                              where.Describe(), name));
    }
    beta(term_idx) = fit.coef(found - fit.coef_names.begin());
    fitted.coefficients[name] = beta(term_idx);
  }
  std::map<std::string, Eigen::Index> index;
  for (size_t country_idx = 0; country_idx < codes.size(); ++country_idx) {
    index[codes[country_idx]] = static_cast<Eigen::Index>(country_idx);
  }
  const auto num_countries = static_cast<Eigen::Index>(codes.size());
  FittedGeInputs inputs;
  inputs.flows = flows;
  inputs.baseline_costs = Eigen::MatrixXd::Constant(num_countries, num_countries,
                                                    std::numeric_limits<double>::quiet_NaN());
  const Column& exporter = table.Get(scenario.data.exporter);
  const Column& importer = table.Get(scenario.data.importer);
  const Eigen::VectorXd log_costs = frame.X * beta;
  for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx) {
    const auto row_idx = static_cast<size_t>(frame.source_row[obs_idx]);
    const auto exporter_idx = index.find(exporter.CellText(row_idx));
    const auto importer_idx = index.find(importer.CellText(row_idx));
    if (exporter_idx == index.end() || importer_idx == index.end()) continue;
    inputs.baseline_costs(exporter_idx->second, importer_idx->second) =
        std::exp(log_costs(obs_idx));
  }
  for (Eigen::Index exporter_idx = 0; exporter_idx < num_countries; ++exporter_idx) {
    for (Eigen::Index importer_idx = 0; importer_idx < num_countries; ++importer_idx) {
      if (std::isfinite(inputs.baseline_costs(exporter_idx, importer_idx))) continue;
      throw Error(ErrorCode::kBadScenario,
                  fmt::format("{}: no trade cost for {} -> {}: the pair has no row with every "
                              "regressor of the formula in the baseline",
                              where.Describe(), codes[exporter_idx], codes[importer_idx]));
    }
  }
  std::string terms;
  for (const auto& [name, value] : fitted.coefficients) {
    terms += fmt::format("{}{} = {:.6f}", terms.empty() ? "" : ", ", name, value);
  }
  fitted.note = fmt::format(
      "fitted baseline (Advanced Guide ch. 2, application 1): trade costs exp(b'x) from the "
      "[estimation] fit ({})",
      terms);
  return inputs;
}

}  // namespace

std::vector<uint8_t> PanelRows(const Scenario& scenario, const Table& table) {
  // The scenario's estimation filters select the panel (e.g. every fourth year).
  std::vector<RowFilter> filters;
  if (scenario.estimation) {
    for (const std::string& text : scenario.estimation->filters) filters.push_back({text});
  }
  if (filters.empty()) return std::vector<uint8_t>(table.num_rows, 1);
  return EvaluateFilters(table, filters);
}

FittedScenarioModel::FittedScenarioModel(FittedGeInputs inputs, FittedGeOptions fitted_options,
                                         GeOptions ge_options)
    : inputs_(std::move(inputs)),
      fitted_options_(fitted_options),
      ge_options_(std::move(ge_options)) {}

GeResult FittedScenarioModel::Solve(const Eigen::MatrixXd& partial_effects,
                                    const GeResult* /*warm_start*/) const {
  FittedGeInputs inputs = inputs_;
  inputs.counterfactual_costs = inputs.baseline_costs.cwiseProduct(partial_effects);
  const FittedGeResult fitted = SolveFittedGe(inputs, fitted_options_);
  return ToGeResult(fitted, inputs, ge_options_.mode, ge_options_);
}

std::unique_ptr<GeModel> FittedScenarioModel::AtSigma(double sigma) const {
  FittedGeInputs inputs = inputs_;
  inputs.sigma = sigma;
  return std::make_unique<FittedScenarioModel>(std::move(inputs), fitted_options_, ge_options_);
}

std::unique_ptr<GeModel> ModelAtSigma(const GeModel& model, const Eigen::MatrixXd& flows,
                                      const std::vector<std::string>& codes, double sigma) {
  if (const auto* fitted = dynamic_cast<const FittedScenarioModel*>(&model)) {
    return fitted->AtSigma(sigma);
  }
  return MakeGeModel(flows, codes, sigma - 1, model.options());
}

FittedScenario BuildFittedScenario(const Scenario& scenario, const Table& table,
                                   const std::vector<std::string>& codes,
                                   const Eigen::MatrixXd& flows,
                                   const std::vector<std::string>& policy_terms,
                                   const std::optional<EstimateResult>& estimation,
                                   const GeOptions& ge_options,
                                   std::span<const double> row_weights) {
  FittedScenario fitted;
  FittedGeInputs inputs;
  if (scenario.model.fitted_costs == FittedCosts::kPanel) {
    inputs = PanelCostInputs(scenario, table, codes, policy_terms, row_weights, fitted);
  } else {
    inputs = EstimationCostInputs(scenario, table, codes, flows, *estimation, fitted);
  }
  const std::string reference = scenario.model.reference_country.empty()
                                    ? std::string("DEU")
                                    : scenario.model.reference_country;
  const auto found = std::find(codes.begin(), codes.end(), reference);
  if (found == codes.end()) {
    SourceRef where = scenario.model.where;
    where.key = "model.reference";
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{}: the fitted baseline normalises on a reference country's inward "
                            "resistance; '{}' is not in the data (set [model] reference)",
                            where.Describe(), reference));
  }
  inputs.reference_country = static_cast<int>(found - codes.begin());
  inputs.codes = codes;
  inputs.sigma = scenario.model.theta + 1;
  FittedGeOptions fitted_options;
  fitted_options.stopping =
      scenario.model.fitted_book_loop ? FittedGeStopping::kBook : FittedGeStopping::kConverged;
  fitted_options.converged_tolerance = scenario.model.tolerance;
  fitted.note += fmt::format(
      "; constrained PPML baseline normalised on {}; {}", reference,
      scenario.model.fitted_book_loop
          ? std::string("full endowment stopped by the do-files' rule (0.01 on the price changes)")
          : std::string("full endowment solved exactly from the fitted baseline"));
  fitted.model =
      std::make_unique<FittedScenarioModel>(std::move(inputs), fitted_options, ge_options);
  return fitted;
}

}  // namespace mizani

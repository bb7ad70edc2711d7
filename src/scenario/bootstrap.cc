// Uncertainty on GE outcomes: pair bootstrap (resample country pairs,
// re-estimate, rebuild B, re-solve) and parametric draws of the coefficients.
//
// The pair bootstrap follows the user-written loops around Stata ge_gravity
// (Baier, Yotov & Zylkin 2019) and Anderson, Larch & Yotov (2018, section 4):
// the estimation sample is resampled by pair, which keeps the within-pair time
// series (and so the pair fixed effect) intact. Each replication only sets
// frequency weights on a frame built once.
#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <thread>
#include <unordered_map>

#include "common/parallel.h"
#include "common/splitmix.h"
#include "mizani/error.h"
#include "scenario/internal.h"

namespace mizani {

namespace {

// Uniform integer in [0, bound) from 53 random bits; std::uniform_int_distribution
// is implementation-defined and would make results depend on the library.
int64_t UniformIndex(std::mt19937_64& rng, int64_t bound) {
  const double unit = static_cast<double>(rng() >> 11) * 0x1.0p-53;
  return std::min<int64_t>(bound - 1, static_cast<int64_t>(unit * static_cast<double>(bound)));
}

// Standard normal by Box-Muller, for the same reason.
double StandardNormal(std::mt19937_64& rng) {
  const double u1 = (static_cast<double>(rng() >> 11) + 1.0) * 0x1.0p-53;  // (0, 1]
  const double u2 = static_cast<double>(rng() >> 11) * 0x1.0p-53;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

// Type-7 quantile (linear interpolation of order statistics; R's default).
double Quantile(const std::vector<double>& sorted_values, double prob) {
  if (sorted_values.empty()) return std::nan("");
  const double position = prob * static_cast<double>(sorted_values.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, sorted_values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return sorted_values[below] + fraction * (sorted_values[above] - sorted_values[below]);
}

// The resampling unit of a table row: its value in the unit column, or the
// unordered exporter-importer pair (i->j and j->i are one unit, as the
// Advanced Guide's pair_id).
std::string UnitKey(const Table& table, const Scenario& scenario, size_t row_idx) {
  const std::string& column_name = scenario.uncertainty.unit_column;
  if (!column_name.empty()) return table.Get(column_name).CellText(row_idx);
  std::string first = table.Get(scenario.data.exporter).CellText(row_idx);
  std::string second = table.Get(scenario.data.importer).CellText(row_idx);
  if (second < first) std::swap(first, second);
  first += '|';
  return first + second;
}

// Dense ids 0..G-1 of `rows`' units, in order of first appearance.
std::vector<int32_t> DenseUnits(const Table& table, const Scenario& scenario,
                                std::span<const int64_t> rows, int32_t& num_units,
                                std::string& description) {
  std::unordered_map<std::string, int32_t> ids;
  std::vector<int32_t> unit(rows.size());
  for (size_t obs_idx = 0; obs_idx < rows.size(); ++obs_idx) {
    const std::string key = UnitKey(table, scenario, static_cast<size_t>(rows[obs_idx]));
    auto [it, inserted] = ids.emplace(key, static_cast<int32_t>(ids.size()));
    unit[obs_idx] = it->second;
  }
  num_units = static_cast<int32_t>(ids.size());
  const std::string& column_name = scenario.uncertainty.unit_column;
  description = fmt::format("{} ({} units)",
                            column_name.empty() ? "unordered exporter-importer pair" : column_name,
                            num_units);
  return unit;
}

// How many times each of `num_units` units is drawn (a draw of size num_units
// with replacement).
std::vector<double> DrawUnitCounts(std::mt19937_64& rng, int32_t num_units) {
  std::vector<double> count(num_units, 0.0);
  for (int32_t draw_idx = 0; draw_idx < num_units; ++draw_idx) {
    count[UniformIndex(rng, num_units)] += 1.0;
  }
  return count;
}

// One replication's outputs, flattened: per-country outputs, group shares,
// focus change, coefficients.
struct Draw {
  bool ok = false;
  double sigma = 0;
  std::vector<double> values;
};

}  // namespace

double FocusChangePct(const ScenarioOutcome& outcome, const GeResult& ge) {
  if (outcome.focus_exporter.empty()) return std::nan("");
  const auto exporter =
      std::find(outcome.codes.begin(), outcome.codes.end(), outcome.focus_exporter);
  const auto importer =
      std::find(outcome.codes.begin(), outcome.codes.end(), outcome.focus_importer);
  return ge.flow_change_pct(exporter - outcome.codes.begin(), importer - outcome.codes.begin());
}

namespace {

// What every replication shares.
struct ReplicationContext {
  const Scenario& scenario;
  const UncertaintySpec& spec;
  const std::vector<std::string>& terms;
  const ScenarioOutcome& outcome;
  const GeModel& model;
  const Eigen::MatrixXd& flows;
  const ShockOverride& size_override;
  EstimateOptions rep_options{};
  Eigen::VectorXd beta_hat{};   // parametric: the estimate of the used terms
  Eigen::MatrixXd chol{};       // parametric: L with V = L L'
  std::vector<int32_t> unit{};  // pair bootstrap: the unit of each observation
  int32_t num_units = 0;
  size_t width = 0;  // values per draw
  // Fitted baseline, pair bootstrap: the cost regression and the baseline
  // re-estimated per draw; the panel route's rows and their units.
  const Table* table = nullptr;
  bool refit_baseline = false;
  std::vector<int64_t> panel_rows{};
  std::vector<int32_t> panel_unit{};
  int32_t num_panel_units = 0;
};

// The draws' shared inputs: the Cholesky factor of V restricted to the used
// terms (parametric) or the resampled units (pair bootstrap), described in `unit_text`.
ReplicationContext PrepareReplications(const Scenario& scenario, const Table& table,
                                       const EstimationState& estimation, const GeModel& model,
                                       const Eigen::MatrixXd& flows, const ScenarioOutcome& outcome,
                                       const ShockOverride& size_override, std::string& unit_text) {
  const UncertaintySpec& spec = scenario.uncertainty;
  ReplicationContext context{.scenario = scenario,
                             .spec = spec,
                             .terms = estimation.used_terms,
                             .outcome = outcome,
                             .model = model,
                             .flows = flows,
                             .size_override = size_override,
                             .table = &table};
  const std::vector<std::string>& terms = estimation.used_terms;
  const int num_terms = static_cast<int>(terms.size());
  context.beta_hat.resize(num_terms);
  std::vector<int> coef_index(num_terms);
  for (int term_idx = 0; term_idx < num_terms; ++term_idx) {
    const auto& names = estimation.result.coef_names;
    coef_index[term_idx] =
        static_cast<int>(std::find(names.begin(), names.end(), terms[term_idx]) - names.begin());
    // The run's coefficient: the estimate, or with a fitted baseline the cost
    // regression's (the same fit with fitted_costs = "estimation").
    context.beta_hat(term_idx) = outcome.coefficients.at(terms[term_idx]);
  }
  if (spec.method == UncertaintyMethod::kParametric) {
    Eigen::MatrixXd vcov(num_terms, num_terms);
    for (int row_idx = 0; row_idx < num_terms; ++row_idx) {
      for (int col_idx = 0; col_idx < num_terms; ++col_idx) {
        vcov(row_idx, col_idx) = estimation.result.vcov(coef_index[row_idx], coef_index[col_idx]);
      }
    }
    Eigen::LLT<Eigen::MatrixXd> llt(vcov);
    if (llt.info() != Eigen::Success) {
      throw Error(ErrorCode::kNotConverged,
                  "parametric draws: the coefficients' covariance matrix is not positive definite");
    }
    context.chol = llt.matrixL();
    unit_text = fmt::format("normal draws from the estimate and its covariance ({})",
                            estimation.result.vcov_description);
  } else {
    context.unit =
        DenseUnits(table, scenario, estimation.frame.source_row, context.num_units, unit_text);
  }
  // A fitted baseline's pair bootstrap re-estimates the cost regression and
  // re-fits the baseline in every draw (docs/ge-solver.md section 7); the
  // panel route resamples the rows its regressions read.
  context.refit_baseline = scenario.model.baseline == BaselineKind::kFitted &&
                           spec.method == UncertaintyMethod::kPairBootstrap;
  if (context.refit_baseline && scenario.model.fitted_costs == FittedCosts::kPanel) {
    const std::vector<uint8_t> keep = PanelRows(scenario, table);
    std::vector<int64_t> rows;
    for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
      if (keep[row_idx]) rows.push_back(static_cast<int64_t>(row_idx));
    }
    context.panel_rows = rows;
    context.panel_unit = DenseUnits(table, scenario, rows, context.num_panel_units, unit_text);
  }
  // Each replication re-estimates on one thread; replications run side by side.
  context.rep_options = estimation.options;
  context.rep_options.threads = 1;
  context.rep_options.vcov.type = VcovType::kIid;  // only the point estimate is needed
  context.rep_options.vcov.cluster.clear();
  context.rep_options.on_iteration = nullptr;
  context.rep_options.keep_fitted = false;
  context.width = CountryOutputs(outcome.ge).size() * outcome.codes.size() +
                  outcome.ge.groups.size() + 1 + num_terms;
  return context;
}

// The estimation refitted on one pair-bootstrap draw: each observation
// weighted by how many times its unit is drawn.
EstimateResult FitOnResampledUnits(const ReplicationContext& context, const ModelFrame& base,
                                   std::mt19937_64& rng) {
  const std::vector<double> count = DrawUnitCounts(rng, context.num_units);
  ModelFrame frame = base;
  frame.weights.resize(frame.num_obs());
  for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx) {
    frame.weights[obs_idx] = count[context.unit[obs_idx]];
  }
  return Fit(std::move(frame), context.rep_options);
}

// The coefficients of one replication: a normal draw (parametric) or a PPML
// fit on resampled units; false when the fit fails or drops a used term.
bool DrawCoefficients(const ReplicationContext& context, const ModelFrame& base,
                      std::mt19937_64& rng, Eigen::VectorXd& beta) {
  const int num_terms = static_cast<int>(context.terms.size());
  if (context.spec.method == UncertaintyMethod::kParametric) {
    Eigen::VectorXd normal(num_terms);
    for (int term_idx = 0; term_idx < num_terms; ++term_idx) normal(term_idx) = StandardNormal(rng);
    beta = context.beta_hat + context.chol * normal;
    return true;
  }
  const EstimateResult fit = FitOnResampledUnits(context, base, rng);
  if (!fit.converged()) return false;
  for (int term_idx = 0; term_idx < num_terms; ++term_idx) {
    const auto found =
        std::find(fit.coef_names.begin(), fit.coef_names.end(), context.terms[term_idx]);
    if (found == fit.coef_names.end()) return false;
    beta(term_idx) = fit.coef(found - fit.coef_names.begin());
  }
  return true;
}

// A fitted baseline's pair-bootstrap draw, the Advanced Guide's Step 5
// (pp. 93-94, after Anderson & Yotov 2016): the cost regression re-estimated
// on resampled pairs (the panel with its pair effects and stage-2 fill, or
// the [estimation] fit), the baseline re-fitted on those costs; `beta` the
// draw's coefficients of the shocks' terms. False when a fit fails.
bool RefitBaseline(const ReplicationContext& context, const ModelFrame& base, std::mt19937_64& rng,
                   Eigen::VectorXd& beta, std::unique_ptr<GeModel>& model) {
  const Scenario& scenario = context.scenario;
  std::optional<EstimateResult> fit;
  std::vector<double> row_weights;
  if (scenario.model.fitted_costs == FittedCosts::kEstimation) {
    fit = FitOnResampledUnits(context, base, rng);
    if (!fit->converged()) return false;
  } else {
    const std::vector<double> count = DrawUnitCounts(rng, context.num_panel_units);
    row_weights.assign(context.table->num_rows, 0.0);
    for (size_t row_idx = 0; row_idx < context.panel_rows.size(); ++row_idx) {
      row_weights[context.panel_rows[row_idx]] = count[context.panel_unit[row_idx]];
    }
  }
  try {
    FittedScenario fitted =
        BuildFittedScenario(scenario, *context.table, context.outcome.codes, context.flows,
                            context.terms, fit, context.model.options(), row_weights);
    for (size_t term_idx = 0; term_idx < context.terms.size(); ++term_idx) {
      const auto found = fitted.coefficients.find(context.terms[term_idx]);
      if (found == fitted.coefficients.end()) return false;
      beta(static_cast<Eigen::Index>(term_idx)) = found->second;
    }
    model = std::move(fitted.model);
  } catch (const Error&) {
    return false;  // e.g. a pair cost that the draw cannot predict
  }
  return true;
}

// One replication into `draw`; draw.ok stays false when the estimate or the
// GE solve fails. Other errors throw.
void RunReplication(const ReplicationContext& context, const ModelFrame& base, int rep_idx,
                    Draw& draw) {
  const int num_terms = static_cast<int>(context.terms.size());
  const Scenario& scenario = context.scenario;
  const ScenarioOutcome& outcome = context.outcome;
  std::mt19937_64 rng(SplitMix64(context.spec.seed + static_cast<uint64_t>(rep_idx)));
  Eigen::VectorXd beta(num_terms);
  std::unique_ptr<GeModel> refitted;  // the draw's own fitted baseline
  if (context.refit_baseline) {
    if (!RefitBaseline(context, base, rng, beta, refitted)) return;
  } else if (!DrawCoefficients(context, base, rng, beta)) {
    return;
  }
  const GeModel& model = refitted ? *refitted : context.model;
  std::map<std::string, double> coefficients = outcome.coefficients;
  for (int term_idx = 0; term_idx < num_terms; ++term_idx) {
    coefficients[context.terms[term_idx]] = beta(term_idx);
  }
  const Eigen::MatrixXd effects =
      BuildPartialEffects(scenario, outcome.codes, coefficients, context.size_override);
  // The elasticity drawn too: its own GE model (cheap, O(N^2)).
  const double sigma = DrawSigma(context.spec, scenario.model.theta + 1, rng);
  std::unique_ptr<GeModel> drawn;
  if (sigma != scenario.model.theta + 1) {
    drawn = ModelAtSigma(model, context.flows, outcome.codes, sigma);
  }
  const GeResult ge = (drawn ? *drawn : model).Solve(effects, &outcome.ge);
  draw.sigma = sigma;
  if (!ge.converged()) return;
  draw.values.reserve(context.width);
  for (const auto& [name, values] : CountryOutputs(ge)) {
    draw.values.insert(draw.values.end(), values.data(), values.data() + values.size());
  }
  for (const GeGroupResult& group : ge.groups) draw.values.push_back(group.intra_share_after);
  draw.values.push_back(FocusChangePct(outcome, ge));
  for (int term_idx = 0; term_idx < num_terms; ++term_idx) draw.values.push_back(beta(term_idx));
  draw.ok = true;
}

// Percentile intervals over the successful replications, in the order the
// draws hold their values.
void SummarizeDraws(const std::vector<Draw>& draws, const UncertaintySpec& spec,
                    const ScenarioOutcome& outcome, const std::vector<std::string>& terms,
                    UncertaintyResult& result) {
  const int replications = static_cast<int>(draws.size());
  const int num_terms = static_cast<int>(terms.size());
  const int num_countries = static_cast<int>(outcome.codes.size());
  const size_t num_groups = outcome.ge.groups.size();
  std::vector<const Draw*> good;
  for (const Draw& draw : draws) {
    if (draw.ok) good.push_back(&draw);
  }
  result.succeeded = static_cast<int>(good.size());
  if (result.succeeded < 2) {
    throw Error(ErrorCode::kNotConverged,
                fmt::format("only {} of {} bootstrap replications succeeded", result.succeeded,
                            replications));
  }
  const double tail = (1 - spec.level) / 2;
  auto interval = [&](size_t column, double& lower, double& upper) {
    std::vector<double> values;
    values.reserve(good.size());
    for (const Draw* draw : good) {
      const double value = draw->values[column];
      if (std::isnan(value)) {
        lower = upper = std::nan("");
        return;
      }
      values.push_back(value);
    }
    std::sort(values.begin(), values.end());
    lower = Quantile(values, tail);
    upper = Quantile(values, 1 - tail);
  };
  size_t column = 0;
  for (const auto& [name, values] : CountryOutputs(outcome.ge)) {
    IntervalSet set;
    set.name = name;
    set.labels = outcome.codes;
    set.lower.resize(num_countries);
    set.upper.resize(num_countries);
    for (int country_idx = 0; country_idx < num_countries; ++country_idx) {
      interval(column++, set.lower(country_idx), set.upper(country_idx));
    }
    result.countries.push_back(std::move(set));
  }
  result.groups.name = "intra_share_after";
  for (const GeGroupResult& group : outcome.ge.groups) result.groups.labels.push_back(group.name);
  result.groups.lower.resize(static_cast<Eigen::Index>(num_groups));
  result.groups.upper.resize(static_cast<Eigen::Index>(num_groups));
  for (size_t group_idx = 0; group_idx < num_groups; ++group_idx) {
    interval(column++, result.groups.lower(group_idx), result.groups.upper(group_idx));
  }
  result.focus.name = "focus_flow_change_pct";
  result.focus.lower.resize(1);
  result.focus.upper.resize(1);
  interval(column++, result.focus.lower(0), result.focus.upper(0));
  result.coefficients.name = "coefficients";
  result.coefficients.labels = terms;
  result.coefficients.lower.resize(num_terms);
  result.coefficients.upper.resize(num_terms);
  result.coefficient_draws = Eigen::MatrixXd::Constant(replications, num_terms, std::nan(""));
  for (int term_idx = 0; term_idx < num_terms; ++term_idx) {
    interval(column, result.coefficients.lower(term_idx), result.coefficients.upper(term_idx));
    for (int rep_idx = 0; rep_idx < replications; ++rep_idx) {
      if (draws[rep_idx].ok)
        result.coefficient_draws(rep_idx, term_idx) = draws[rep_idx].values[column];
    }
    ++column;
  }
  if (!spec.sigma_values.empty() || spec.sigma_sd > 0) {
    result.sigma_draws = Eigen::VectorXd::Constant(replications, std::nan(""));
    for (int rep_idx = 0; rep_idx < replications; ++rep_idx) {
      if (draws[rep_idx].ok) result.sigma_draws(rep_idx) = draws[rep_idx].sigma;
    }
  }
}

}  // namespace

UncertaintyResult RunBootstrap(const Scenario& scenario, const Table& table,
                               const EstimationState& estimation, const GeModel& model,
                               const Eigen::MatrixXd& flows, const ScenarioOutcome& outcome,
                               const ShockOverride& size_override, const RunOptions& options) {
  const UncertaintySpec& spec = scenario.uncertainty;
  const auto start = std::chrono::steady_clock::now();
  UncertaintyResult result;
  result.method = spec.method;
  result.replications = spec.replications;
  result.level = spec.level;
  result.seed = spec.seed;
  const ReplicationContext context = PrepareReplications(scenario, table, estimation, model, flows,
                                                         outcome, size_override, result.unit);
  const int replications = spec.replications;
  std::vector<Draw> draws(replications);
  std::atomic<int> next{0}, done{0};
  std::mutex error_mutex;
  std::string first_error;

  auto work = [&] {
    // A frame without cluster ids: the replication's variance is iid.
    ModelFrame base = estimation.frame;
    base.cluster_ids.clear();
    base.cluster_names.clear();
    for (int rep_idx = next++; rep_idx < replications; rep_idx = next++) {
      try {
        RunReplication(context, base, rep_idx, draws[rep_idx]);
      } catch (const std::exception& error) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (first_error.empty()) first_error = error.what();
      }
      done++;
    }
  };

  const int num_threads = std::max(1, std::min(ResolveThreads(options.threads), replications));
  result.threads = num_threads;
  std::vector<std::thread> workers;
  workers.reserve(num_threads);
  for (int thread_idx = 0; thread_idx < num_threads; ++thread_idx) workers.emplace_back(work);
  // The calling thread reports progress; callbacks never run on workers.
  while (done.load() < replications) {
    if (options.on_replication) options.on_replication(done.load(), replications);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto& worker : workers) worker.join();
  if (options.on_replication) options.on_replication(replications, replications);
  if (!first_error.empty()) {
    throw Error(ErrorCode::kInternal, fmt::format("bootstrap replication failed: {}", first_error));
  }
  SummarizeDraws(draws, spec, outcome, estimation.used_terms, result);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace mizani

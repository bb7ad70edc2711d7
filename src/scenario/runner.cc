// RunScenario: a driver over the stages of a run (internal.h): validate
// (validate.cc), estimate, the fitted baseline's model (fitted.cc), partial
// effects, goal seek (goal_seek.cc), engine solve, sigma sensitivity
// (sensitivity.cc) and bootstrap (bootstrap.cc).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>

#include "mizani/error.h"
#include "mizani/read.h"
#include "mizani/scenario.h"
#include "scenario/internal.h"

namespace mizani {

namespace {

[[noreturn]] void Fail(const SourceRef& where, const std::string& message) {
  throw Error(ErrorCode::kBadScenario, fmt::format("{}: {}", where.Describe(), message));
}

// [estimation] mapped to the estimator's options, once.
EstimateOptions MakeEstimateOptions(const EstimationSpec& spec, int threads) {
  EstimateOptions options;
  options.tolerance = spec.tolerance;
  options.check_separation = spec.check_separation;
  options.drop_singletons = spec.drop_singletons;
  options.threads = threads;
  options.vcov.type = spec.vcov;
  options.vcov.cluster = spec.cluster;
  options.vcov.small_sample = spec.small_sample;
  return options;
}

// The estimation stage: the model frame (kept for the bootstrap), the PPML
// fit, and the coefficients of the terms the shocks use. Throws
// kNotConverged when the fit fails, kBadModel when a used term was dropped.
std::map<std::string, double> Estimate(const EstimationSpec& spec, const Table& table, int threads,
                                       EstimationState& estimation, const RunProgress& progress) {
  estimation.options = MakeEstimateOptions(spec, threads);
  std::vector<RowFilter> filters;
  for (const auto& text : spec.filters) filters.push_back({text});
  SourceRef filter_ref = spec.where;
  filter_ref.key = "estimation.filters";
  try {
    estimation.frame = BuildModelFrame(table, estimation.formula, filters, estimation.options);
  } catch (const Error& error) {
    if (error.code() == ErrorCode::kBadModel) Fail(filter_ref, error.what());
    throw;
  }
  progress(
      fmt::format("estimating {} on {} observations", spec.formula, estimation.frame.num_obs()));
  estimation.result = Fit(estimation.frame, estimation.options);
  // Fit sees only the frame; the formula text is the scenario's.
  estimation.result.formula = estimation.formula.text;
  if (!estimation.result.converged()) {
    throw Error(ErrorCode::kNotConverged,
                fmt::format("estimation did not converge: {}", estimation.result.message));
  }
  std::map<std::string, double> coefficients;
  for (const auto& term : estimation.used_terms) {
    const auto& names = estimation.result.coef_names;
    const auto found = std::find(names.begin(), names.end(), term);
    if (found == names.end()) {
      throw Error(ErrorCode::kBadModel,
                  fmt::format("the coefficient of '{}' could not be estimated (collinear with "
                              "the fixed effects?)",
                              term));
    }
    coefficients[term] = estimation.result.coef(found - names.begin());
  }
  for (const auto& [term, value] : coefficients) {
    progress(fmt::format("{} = {:.6f} ({:.2f} s)", term, value, progress.Elapsed()));
  }
  return coefficients;
}

// The outcome's fields that come straight from the validated scenario.
ScenarioOutcome StartOutcome(const ValidatedScenario& validated) {
  const Scenario& scenario = validated.scenario;
  ScenarioOutcome outcome;
  outcome.name = scenario.name;
  outcome.description = scenario.description;
  outcome.file = scenario.file;
  outcome.baseline_year = scenario.data.baseline_year;
  outcome.theta = scenario.model.theta;
  outcome.codes = validated.baseline.codes;
  outcome.model = scenario.model;
  outcome.tables = scenario.output.tables;
  outcome.notes = validated.notes;
  outcome.focus_exporter = scenario.output.focus_exporter;
  outcome.focus_importer = scenario.output.focus_importer;
  return outcome;
}

// With a fitted baseline, the run's GE model is the Advanced Guide's
// (fitted.cc), built once the estimation is done; its cost regression's
// coefficients feed the shocks.
void UseFittedBaseline(ValidatedScenario& validated, const Table& table, ScenarioOutcome& outcome,
                       const RunProgress& progress) {
  const Scenario& scenario = validated.scenario;
  progress("estimating the trade costs of the fitted baseline");
  FittedScenario fitted = BuildFittedScenario(
      scenario, table, outcome.codes, validated.baseline.flows,
      validated.estimation ? validated.estimation->used_terms : std::vector<std::string>{},
      outcome.estimation, validated.ge_options);
  for (const auto& [term, value] : fitted.coefficients) {
    const auto found = outcome.coefficients.find(term);
    if (found == outcome.coefficients.end()) continue;
    if (std::abs(found->second - value) > 1e-9 * std::max(1.0, std::abs(value))) {
      outcome.notes.push_back(fmt::format(
          "{}: the shocks use the cost regression's coefficient {:.6f}; the [estimation] table "
          "reports {:.6f} (docs/ge-solver.md section 7)",
          term, value, found->second));
    }
    found->second = value;
  }
  outcome.notes.push_back(std::move(fitted.note));
  validated.model = std::move(fitted.model);
}

}  // namespace

std::vector<std::pair<std::string, Eigen::VectorXd>> CountryOutputs(const GeResult& ge) {
  const GeCountryResults& countries = ge.countries;
  auto pct = [](const Eigen::VectorXd& hat) -> Eigen::VectorXd {
    return 100.0 * (hat.array() - 1.0).matrix();
  };
  return {
      {"exports_change_pct", countries.exports_change_pct},
      {"imports_change_pct", countries.imports_change_pct},
      {"real_gdp_change_pct", countries.real_gdp_change_pct},
      {"welfare_change_pct", countries.welfare_change_pct},
      {"factory_gate_price_change_pct", pct(countries.factory_gate_price_hat)},
      {"inward_resistance_change_pct", pct(countries.inward_resistance_hat)},
      {"outward_resistance_change_pct", pct(countries.outward_resistance_hat)},
  };
}

ScenarioOutcome RunScenario(const Scenario& scenario, const RunOptions& options) {
  const RunProgress progress(options);
  progress(fmt::format("reading {}", scenario.data.path));
  ReadOptions read_options;
  read_options.encoding = scenario.data.encoding;
  const Table table = ReadTable(scenario.data.path, read_options);
  progress(fmt::format("{} rows read ({:.2f} s)", table.num_rows, progress.Elapsed()));
  return RunScenarioOnTable(scenario, table, options);
}

ScenarioOutcome RunScenarioOnTable(const Scenario& scenario_in, const Table& table,
                                   const RunOptions& options) {
  const RunProgress progress(options);
  ValidatedScenario validated = ValidateScenario(scenario_in, table);
  const Scenario& scenario = validated.scenario;
  const std::vector<std::string>& codes = validated.baseline.codes;
  ScenarioOutcome outcome = StartOutcome(validated);
  if (validated.estimation) {
    outcome.coefficients =
        Estimate(*scenario.estimation, table, options.threads, *validated.estimation, progress);
    outcome.estimation = validated.estimation->result;
  }
  if (scenario.model.baseline == BaselineKind::kFitted) {
    UseFittedBaseline(validated, table, outcome, progress);
  }
  ShockOverride size_override;
  if (scenario.goal.enabled) {
    outcome.goal = SeekGoal(
        {scenario, validated.goal_shock, *validated.model, codes, outcome.coefficients}, progress);
    size_override = {validated.goal_shock, outcome.goal->value};
  }
  outcome.partial_effects =
      BuildPartialEffects(scenario, codes, outcome.coefficients, size_override);
  progress(fmt::format("solving GE for {} countries", codes.size()));
  outcome.ge = validated.model->Solve(outcome.partial_effects);
  if (!outcome.ge.converged()) {
    throw Error(ErrorCode::kNotConverged,
                fmt::format("the GE solve did not converge: {}", outcome.ge.message));
  }
  progress(fmt::format("GE solved in {} iterations ({:.2f} s)", outcome.ge.iterations,
                       progress.Elapsed()));
  // The same shocks at other elasticities, for every scenario.
  outcome.sensitivity = ComputeSigmaSensitivity(
      scenario, *validated.model, validated.baseline.flows, codes, outcome.partial_effects);
  progress(fmt::format("sigma sensitivity: {} values ({:.2f} s)", outcome.sensitivity.sigmas.size(),
                       progress.Elapsed()));
  if (scenario.uncertainty.method != UncertaintyMethod::kNone && validated.estimation) {
    outcome.uncertainty = RunBootstrap(scenario, table, *validated.estimation, *validated.model,
                                       validated.baseline.flows, outcome, size_override, options);
  }
  outcome.seconds = progress.Elapsed();
  return outcome;
}

}  // namespace mizani

// RunScenario: validate against the data, estimate, build B, solve GE, then
// bootstrap and goal seeking.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "common/parallel.h"
#include "common/strings.h"
#include "mizani/error.h"
#include "mizani/geppml.h"
#include "mizani/read.h"
#include "mizani/scenario.h"
#include "scenario/internal.h"

namespace mizani {

namespace {

[[noreturn]] void Fail(const SourceRef& where, const std::string& message) {
  throw Error(ErrorCode::kBadScenario, fmt::format("{}: {}", where.Describe(), message));
}

double GoalValue(const GoalSpec& goal, const GeResult& ge, const std::vector<std::string>& codes) {
  if (goal.outcome == GoalOutcome::kIntraGroupShare) {
    for (const GeGroupResult& group : ge.groups) {
      if (group.name == goal.group) return group.intra_share_after;
    }
    return std::nan("");
  }
  const int country_idx = IndexOf(codes, goal.country);
  const GeCountryResults& countries = ge.countries;
  switch (goal.outcome) {
    case GoalOutcome::kExportsChangePct:
      return countries.exports_change_pct(country_idx);
    case GoalOutcome::kImportsChangePct:
      return countries.imports_change_pct(country_idx);
    case GoalOutcome::kRealGdpChangePct:
      return countries.real_gdp_change_pct(country_idx);
    case GoalOutcome::kWelfareChangePct:
      return countries.welfare_change_pct(country_idx);
    case GoalOutcome::kIntraGroupShare:
      break;
  }
  return std::nan("");
}

std::string GoalOutcomeText(const GoalSpec& goal) {
  switch (goal.outcome) {
    case GoalOutcome::kIntraGroupShare:
      return fmt::format("the intra-group share of {}'s international trade", goal.group);
    case GoalOutcome::kExportsChangePct:
      return fmt::format("{}'s exports change (%)", goal.country);
    case GoalOutcome::kImportsChangePct:
      return fmt::format("{}'s imports change (%)", goal.country);
    case GoalOutcome::kRealGdpChangePct:
      return fmt::format("{}'s real GDP change (%)", goal.country);
    case GoalOutcome::kWelfareChangePct:
      return fmt::format("{}'s welfare change (%)", goal.country);
  }
  return "the outcome";
}

std::string SizeText(const Shock& shock, double value) {
  switch (shock.kind) {
    case ShockKind::kTradeCost:
      return value < 0 ? fmt::format("a {:.4g}% cut", -value)
                       : fmt::format("a {:.4g}% rise", value);
    case ShockKind::kTariff:
    case ShockKind::kNtb:
      return fmt::format("a new rate of {:.4g}%", value);
    case ShockKind::kAgreement:
      return fmt::format("a coefficient of {:.4g}", value);
  }
  return fmt::format("{}", value);
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

GeResult SolveScenarioGe(const GeProblem& problem, GeSolver solver,
                         const Eigen::MatrixXd& partial_effects, const GeResult* warm_start) {
  switch (solver) {
    case GeSolver::kHat:
      return problem.Solve(partial_effects, warm_start);
    case GeSolver::kGeppml:
      // GEPPML (Anderson, Larch & Yotov 2018) re-estimates PPML instead of
      // iterating on prices; it has no warm start.
      return SolveGeppml(problem.baseline_flows(), problem.codes(), problem.theta(),
                         partial_effects, problem.options());
  }
  throw Error(ErrorCode::kInternal, "unknown GE solver");
}

ScenarioOutcome RunScenario(const Scenario& scenario, const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (!options.quiet && options.progress) {
    options.progress(fmt::format("reading {}", scenario.data.path));
  }
  ReadOptions read_options;
  read_options.encoding = scenario.data.encoding;
  const Table table = ReadTable(scenario.data.path, read_options);
  if (!options.quiet && options.progress) {
    options.progress(fmt::format(
        "{} rows read ({:.2f} s)", table.num_rows,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()));
  }
  return RunScenarioOnTable(scenario, table, options);
}

ScenarioOutcome RunScenarioOnTable(const Scenario& scenario_in, const Table& table,
                                   const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  auto progress = [&](const std::string& line) {
    if (!options.quiet && options.progress) options.progress(line);
  };

  // ---- 1. Validate everything against the data before any work ----------
  const Baseline baseline = BuildBaseline(table, scenario_in.data);
  // Agreements with `unless`: the pairs that already have one in the
  // baseline year come from the data, so they are resolved here.
  Scenario scenario = scenario_in;
  std::vector<std::string> in_force_notes;
  for (Shock& shock : scenario.shocks) {
    if (shock.unless_column.empty()) continue;
    const Column* flag = table.Find(shock.unless_column);
    // A flag column made text by one bad cell ("1e400"): name that cell.
    if (flag != nullptr && flag->type != ColumnType::kNumeric) {
      (void)RequireNumeric(table, shock.unless_column);
    }
    if (flag == nullptr || flag->type != ColumnType::kNumeric) {
      SourceRef ref = shock.where;
      ref.key += ".unless";
      Fail(ref, fmt::format("column '{}' is not a numeric column of {}", shock.unless_column,
                            table.source));
    }
    const Column& exporter = table.Get(scenario.data.exporter);
    const Column& importer = table.Get(scenario.data.importer);
    const Column* year = scenario.data.baseline_year ? table.Find(scenario.data.year) : nullptr;
    for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
      if (year != nullptr &&
          year->num[row_idx] != static_cast<double>(*scenario.data.baseline_year)) {
        continue;
      }
      const double value = flag->num[row_idx];
      if (std::isnan(value) || value == 0) continue;
      shock.pairs_in_force.emplace(exporter.CellText(row_idx), importer.CellText(row_idx));
    }
  }
  const std::vector<std::string>& codes = baseline.codes;
  const int num_countries = static_cast<int>(codes.size());

  ScenarioOutcome outcome;
  outcome.name = scenario.name;
  outcome.description = scenario.description;
  outcome.file = scenario.file;
  outcome.baseline_year = scenario.data.baseline_year;
  outcome.theta = scenario.model.theta;
  outcome.codes = codes;
  outcome.model = scenario.model;
  outcome.tables = scenario.output.tables;
  for (const Shock& shock : scenario.shocks) {
    if (shock.unless_column.empty()) continue;
    // Count the selected pairs the shock skips, for the reader.
    Shock unrestricted = shock;
    unrestricted.pairs_in_force.clear();
    unrestricted.coefficient = 1.0;
    unrestricted.estimated_term.clear();
    Scenario probe = scenario;
    probe.shocks = {unrestricted};
    const Eigen::MatrixXd all = BuildPartialEffects(probe, codes, {});
    int skipped = 0;
    for (int exporter_idx = 0; exporter_idx < num_countries; ++exporter_idx) {
      for (int importer_idx = 0; importer_idx < num_countries; ++importer_idx) {
        if (all(exporter_idx, importer_idx) != 1.0 &&
            shock.pairs_in_force.count({codes[exporter_idx], codes[importer_idx]}) > 0) {
          ++skipped;
        }
      }
    }
    outcome.notes.push_back(fmt::format(
        "shock '{}': {} of the selected pairs already have {} != 0 in the baseline year and keep "
        "their agreement (no second effect)",
        shock.name, skipped, shock.unless_column));
  }
  if (baseline.absent_pairs > 0) {
    outcome.notes.push_back(fmt::format(
        "{} international pairs have no row in the baseline year and were taken as zero flows",
        baseline.absent_pairs));
  }
  if (baseline.zero_pairs > 0) {
    outcome.notes.push_back(fmt::format(
        "{} international pairs trade nothing in the baseline; exact hat algebra keeps them at "
        "zero",
        baseline.zero_pairs));
  }
  if (scenario.model.mode == GeMode::kConditional) {
    outcome.notes.push_back(
        "conditional GE holds output and expenditure fixed: real GDP and welfare are not "
        "defined");
  }

  GeOptions ge_options;
  ge_options.mode = scenario.model.mode;
  ge_options.imbalance = scenario.model.imbalance;
  ge_options.normalization = scenario.model.normalization;
  ge_options.tolerance = scenario.model.tolerance;
  if (scenario.model.normalization == Normalization::kReferencePrice) {
    ge_options.reference_country = IndexOf(codes, scenario.model.reference_country);
    if (ge_options.reference_country < 0) {
      SourceRef ref = scenario.model.where;
      ref.key = "model.reference";
      Fail(ref, fmt::format("reference country '{}' is not in the baseline",
                            scenario.model.reference_country));
    }
  }
  for (const auto& [name, spec] : scenario.groups) {
    ge_options.groups[name] = ResolveCountries(spec, scenario, codes);
  }
  for (const std::string* code :
       {&scenario.output.focus_exporter, &scenario.output.focus_importer}) {
    if (!code->empty() && IndexOf(codes, *code) < 0) {
      SourceRef ref = scenario.output.where;
      ref.key = "output.focus";
      Fail(ref, fmt::format("focus country '{}' is not in the baseline", *code));
    }
  }
  outcome.focus_exporter = scenario.output.focus_exporter;
  outcome.focus_importer = scenario.output.focus_importer;
  int goal_shock = -1;
  if (scenario.goal.enabled) {
    if (scenario.goal.outcome != GoalOutcome::kIntraGroupShare &&
        IndexOf(codes, scenario.goal.country) < 0) {
      SourceRef ref = scenario.goal.where;
      ref.key = "goal.country";
      Fail(ref, fmt::format("country '{}' is not in the baseline", scenario.goal.country));
    }
    if (scenario.model.mode == GeMode::kConditional &&
        (scenario.goal.outcome == GoalOutcome::kRealGdpChangePct ||
         scenario.goal.outcome == GoalOutcome::kWelfareChangePct)) {
      Fail(scenario.goal.where, "real GDP and welfare are not defined in conditional GE");
    }
    for (size_t shock_idx = 0; shock_idx < scenario.shocks.size(); ++shock_idx) {
      if (scenario.shocks[shock_idx].name == scenario.goal.shock) {
        goal_shock = static_cast<int>(shock_idx);
      }
    }
  }

  std::optional<EstimationState> estimation;
  if (scenario.estimation) {
    const EstimationSpec& spec = *scenario.estimation;
    estimation.emplace();
    SourceRef formula_ref = spec.where;
    formula_ref.key = "estimation.formula";
    try {
      estimation->formula = ParseFormula(spec.formula);
    } catch (const Error& error) {
      Fail(formula_ref, error.what());
    }
    for (const std::string& column : estimation->formula.Columns()) {
      if (table.Find(column) == nullptr) {
        Fail(formula_ref,
             fmt::format("column '{}' of the formula is not in {}", column, table.source));
      }
    }
    for (const std::string& column : spec.cluster) {
      if (table.Find(column) == nullptr) {
        SourceRef ref = spec.where;
        ref.key = "estimation.cluster";
        Fail(ref, fmt::format("cluster column '{}' is not in {}", column, table.source));
      }
    }
    std::set<std::string> labels;
    for (const Term& term : estimation->formula.regressors) labels.insert(term.label);
    for (const Shock& shock : scenario.shocks) {
      if (shock.estimated_term.empty()) continue;
      if (labels.count(shock.estimated_term) == 0) {
        std::string known;
        for (const auto& label : labels) known += (known.empty() ? "" : ", ") + label;
        SourceRef ref = shock.where;
        ref.key += ".term";
        Fail(ref, fmt::format("term '{}' is not a regressor of the formula (regressors: {})",
                              shock.estimated_term, known.empty() ? "none" : known));
      }
      if (std::find(estimation->used_terms.begin(), estimation->used_terms.end(),
                    shock.estimated_term) == estimation->used_terms.end()) {
        estimation->used_terms.push_back(shock.estimated_term);
      }
    }
  }
  if (scenario.model.baseline == BaselineKind::kFitted &&
      (scenario.goal.enabled || scenario.uncertainty.method != UncertaintyMethod::kNone)) {
    SourceRef ref = scenario.model.where;
    ref.key = "model.baseline";
    Fail(ref, "baseline = \"fitted\" does not support [goal] or [uncertainty] yet");
  }
  const UncertaintySpec& uncertainty = scenario.uncertainty;
  if (uncertainty.method == UncertaintyMethod::kPairBootstrap && !uncertainty.unit_column.empty() &&
      table.Find(uncertainty.unit_column) == nullptr) {
    SourceRef ref = uncertainty.where;
    ref.key = "uncertainty.unit";
    Fail(ref, fmt::format("column '{}' is not in {}", uncertainty.unit_column, table.source));
  }
  // Overlaps and codes in shocks: build B once with placeholder coefficients.
  {
    std::map<std::string, double> placeholder;
    if (estimation) {
      for (const auto& term : estimation->used_terms) placeholder[term] = 0;
    }
    BuildPartialEffects(scenario, codes, placeholder);
  }
  // The GE baseline (also validates the flows once more, e.g. E_j <= 0).
  const GeProblem problem(baseline.flows, codes, scenario.model.theta, ge_options);

  // ---- 2. Estimation ------------------------------------------------------
  if (estimation) {
    const EstimationSpec& spec = *scenario.estimation;
    EstimateOptions& est_options = estimation->options;
    est_options.tolerance = spec.tolerance;
    est_options.check_separation = spec.check_separation;
    est_options.drop_singletons = spec.drop_singletons;
    est_options.threads = options.threads;
    est_options.vcov.type = spec.vcov;
    est_options.vcov.cluster = spec.cluster;
    est_options.vcov.small_sample = spec.small_sample;
    std::vector<RowFilter> filters;
    for (const auto& text : spec.filters) filters.push_back({text});
    SourceRef filter_ref = spec.where;
    filter_ref.key = "estimation.filters";
    try {
      estimation->frame = BuildModelFrame(table, estimation->formula, filters, est_options);
    } catch (const Error& error) {
      if (error.code() == ErrorCode::kBadModel) Fail(filter_ref, error.what());
      throw;
    }
    progress(
        fmt::format("estimating {} on {} observations", spec.formula, estimation->frame.num_obs()));
    estimation->result = Fit(estimation->frame, est_options);
    // Fit sees only the frame; the formula text is the scenario's.
    estimation->result.formula = estimation->formula.text;
    if (!estimation->result.converged()) {
      throw Error(ErrorCode::kNotConverged,
                  fmt::format("estimation did not converge: {}", estimation->result.message));
    }
    for (const auto& term : estimation->used_terms) {
      const auto& names = estimation->result.coef_names;
      const auto found = std::find(names.begin(), names.end(), term);
      if (found == names.end()) {
        throw Error(ErrorCode::kBadModel,
                    fmt::format("the coefficient of '{}' could not be estimated (collinear with "
                                "the fixed effects?)",
                                term));
      }
      outcome.coefficients[term] = estimation->result.coef(found - names.begin());
    }
    const Eigen::VectorXd se = estimation->result.StdErrors();
    for (const auto& [term, value] : outcome.coefficients) {
      progress(fmt::format("{} = {:.6f} ({:.2f} s)", term, value, elapsed()));
    }
    (void)se;
    outcome.estimation = estimation->result;
  }

  // ---- 3. Partial effects and the GE solve --------------------------------
  ShockOverride size_override;
  if (scenario.goal.enabled) {
    const GoalSpec& goal = scenario.goal;
    const Shock& varied = scenario.shocks[goal_shock];
    GoalResult goal_result;
    std::string notes_on_range;
    const GeResult* warm = nullptr;
    GeResult last;
    // The outcome minus the target at one size of the shock; nullopt where
    // the GE has no solution (with additive imbalances a deep cut can leave
    // a surplus country a negative expenditure).
    // `start`: a solution to start from (the previous size's), or nullptr.
    std::string no_solution;
    auto try_evaluate = [&](double size, const GeResult* start) -> std::optional<double> {
      ShockOverride at{goal_shock, size};
      const Eigen::MatrixXd effects =
          BuildPartialEffects(scenario, codes, outcome.coefficients, at);
      GeResult ge = SolveScenarioGe(problem, scenario.model.solver, effects, start);
      if (ge.termination == GeTermination::kNumericalFailure) {
        no_solution = ge.message;
        progress(fmt::format("goal: no GE solution at {}: {}", SizeText(varied, size), ge.message));
        return std::nullopt;
      }
      if (!ge.converged()) {
        throw Error(ErrorCode::kNotConverged,
                    fmt::format("goal seeking: GE did not converge at {}: {}",
                                SizeText(varied, size), ge.message));
      }
      last = std::move(ge);
      warm = &last;
      const double value = GoalValue(goal, last, codes);
      goal_result.trace.emplace_back(size, value);
      progress(fmt::format("goal: {} -> {:.8g}", SizeText(varied, size), value));
      return value - goal.target;
    };
    // Inside the bracket, where the ends have solutions.
    auto evaluate = [&](double size) {
      const std::optional<double> value = try_evaluate(size, warm);
      if (!value) {
        throw Error(ErrorCode::kNotConverged,
                    fmt::format("goal seeking: GE did not converge at {}: {}",
                                SizeText(varied, size), no_solution));
      }
      return *value;
    };
    // Illinois variant of regula falsi (Dowell & Jarratt 1971): keeps a
    // bracket, and halves the stale end's value when the same end is kept
    // twice, which restores superlinear convergence.
    double low = goal.low, high = goal.high;
    std::optional<double> f_low_found = try_evaluate(low, nullptr);
    std::optional<double> f_high_found = try_evaluate(high, nullptr);
    if (!f_low_found && !f_high_found) {
      throw Error(ErrorCode::kBadScenario,
                  fmt::format("{}: the GE has no solution at either end of the range [{}, {}] "
                              "of shock '{}'; narrow the range, or use imbalances = "
                              "\"multiplicative\" or \"removed\"",
                              goal.where.Describe(), goal.low, goal.high, goal.shock));
    }
    // An end without a solution is moved, by bisection, to the last size
    // that has one: the target is sought over the sizes where the GE exists.
    if (!f_low_found || !f_high_found) {
      double solved = f_low_found ? low : high;
      double unsolved = f_low_found ? high : low;
      std::optional<double> f_solved = f_low_found ? f_low_found : f_high_found;
      constexpr int kBoundarySteps = 30;
      for (int step = 0; step < kBoundarySteps; ++step) {
        const double middle = 0.5 * (solved + unsolved);
        if (std::optional<double> f_middle = try_evaluate(middle, nullptr)) {
          solved = middle;
          f_solved = f_middle;
        } else {
          unsolved = middle;
        }
      }
      notes_on_range =
          fmt::format(" (beyond {} the GE has no solution with {} imbalances)",
                      SizeText(varied, solved), ImbalanceText(scenario.model.imbalance));
      progress(fmt::format("goal: searching up to {}{}", SizeText(varied, solved), notes_on_range));
      (f_low_found ? high : low) = solved;
      (f_low_found ? f_high_found : f_low_found) = f_solved;
      warm = nullptr;
    }
    double f_low = *f_low_found;
    double f_high = *f_high_found;
    if (std::isnan(f_low) || std::isnan(f_high)) {
      throw Error(ErrorCode::kBadScenario, "goal seeking: the outcome is not defined");
    }
    if (f_low * f_high > 0) {
      const double value_low = f_low + goal.target, value_high = f_high + goal.target;
      const bool low_is_max = value_low >= value_high;
      throw Error(
          ErrorCode::kTargetUnreachable,
          fmt::format("{}: {} cannot reach the target {:.6g}: it reaches at most {:.6g} at {} "
                      "and at least {:.6g} at {} (range [{}, {}] of shock '{}'){}",
                      goal.where.Describe(), GoalOutcomeText(goal), goal.target,
                      std::max(value_low, value_high), SizeText(varied, low_is_max ? low : high),
                      std::min(value_low, value_high), SizeText(varied, low_is_max ? high : low),
                      goal.low, goal.high, goal.shock, notes_on_range));
    }
    double found = std::abs(f_low) < std::abs(f_high) ? low : high;
    double f_found = std::min(std::abs(f_low), std::abs(f_high));
    for (int iteration = 0; iteration < goal.max_iterations && f_found > goal.tolerance;
         ++iteration) {
      const double candidate = high - f_high * (high - low) / (f_high - f_low);
      const double f_candidate = evaluate(candidate);
      ++goal_result.iterations;
      found = candidate;
      f_found = std::abs(f_candidate);
      if (f_candidate * f_high < 0) {
        low = high;
        f_low = f_high;
      } else {
        f_low *= 0.5;
      }
      high = candidate;
      f_high = f_candidate;
      if (std::abs(high - low) <= 1e-12 * (1 + std::abs(high))) break;
    }
    goal_result.value = found;
    goal_result.reached = f_found <= goal.tolerance;
    if (!goal_result.reached) {
      throw Error(ErrorCode::kNotConverged,
                  fmt::format("goal seeking stopped after {} iterations {} away from the target",
                              goal_result.iterations, f_found));
    }
    size_override = {goal_shock, found};
    goal_result.message = fmt::format("{} reaches {:.6g} at {} ({} iterations, |error| {:.2g})",
                                      GoalOutcomeText(goal), goal.target, SizeText(varied, found),
                                      goal_result.iterations, f_found);
    outcome.goal = goal_result;
    progress(goal_result.message);
  }
  outcome.partial_effects =
      BuildPartialEffects(scenario, codes, outcome.coefficients, size_override);
  progress(fmt::format("solving GE for {} countries", num_countries));
  if (scenario.model.baseline == BaselineKind::kFitted) {
    outcome.ge = SolveFittedScenario(
        scenario, table, codes, estimation ? estimation->used_terms : std::vector<std::string>{},
        outcome.coefficients, outcome.partial_effects, ge_options, outcome.notes);
  } else {
    outcome.ge = SolveScenarioGe(problem, scenario.model.solver, outcome.partial_effects, nullptr);
  }
  if (!outcome.ge.converged()) {
    throw Error(ErrorCode::kNotConverged,
                fmt::format("the GE solve did not converge: {}", outcome.ge.message));
  }
  progress(fmt::format("GE solved in {} iterations ({:.2f} s)", outcome.ge.iterations, elapsed()));

  // The same shocks at other elasticities, for every scenario.
  if (scenario.model.baseline == BaselineKind::kObserved) {
    outcome.sensitivity = ComputeSigmaSensitivity(scenario, baseline.flows, codes, ge_options,
                                                  outcome.partial_effects);
    progress(fmt::format("sigma sensitivity: {} values ({:.2f} s)",
                         outcome.sensitivity.sigmas.size(), elapsed()));
  } else {
    outcome.notes.push_back(
        "the sigma sensitivity table is not computed with baseline = \"fitted\"");
  }

  // ---- 4. Uncertainty -----------------------------------------------------
  if (uncertainty.method != UncertaintyMethod::kNone && estimation) {
    outcome.uncertainty = RunBootstrap(scenario, table, *estimation, problem, baseline.flows,
                                       outcome, size_override, options);
  }
  outcome.seconds = elapsed();
  return outcome;
}

}  // namespace mizani

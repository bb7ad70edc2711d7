// Stage 1 of a run (runner.cc): everything in the scenario checked against
// the data before any estimation or solve, so that a long run never fails
// late on a typo. Resolves what only the data know (the baseline, the pairs
// an `unless` column exempts, country indices) and builds the GE model.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <variant>

#include "common/strings.h"
#include "mizani/error.h"
#include "scenario/internal.h"

namespace mizani {

namespace {

[[noreturn]] void Fail(const SourceRef& where, const std::string& message) {
  throw Error(ErrorCode::kBadScenario, fmt::format("{}: {}", where.Describe(), message));
}

// Calls `visit(row_idx, exporter, importer)` for every row of the baseline
// year (every row of a cross-section).
template <typename Visit>
void ForEachBaselineRow(const Scenario& scenario, const Table& table, Visit visit) {
  const Column& exporter = table.Get(scenario.data.exporter);
  const Column& importer = table.Get(scenario.data.importer);
  const Column* year = scenario.data.baseline_year ? table.Find(scenario.data.year) : nullptr;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (year != nullptr &&
        year->values()[row_idx] != static_cast<double>(*scenario.data.baseline_year)) {
      continue;
    }
    visit(row_idx, exporter.CellText(row_idx), importer.CellText(row_idx));
  }
}

// The numeric column a shock key names; a column made text by one bad cell
// ("1e400") gets that cell named.
const Column& ShockColumn(const Table& table, const std::string& name, const Shock& shock,
                          const char* key) {
  const Column* column = table.Find(name);
  if (column != nullptr && column->type != ColumnType::kNumeric) (void)RequireNumeric(table, name);
  if (column == nullptr || column->type != ColumnType::kNumeric) {
    SourceRef ref = shock.where;
    ref.key += key;
    Fail(ref, fmt::format("column '{}' is not a numeric column of {}", name, table.source));
  }
  return *column;
}

// What only the data know about the shocks: the pairs that already have an
// agreement (`unless`), the baseline values of a regressor shock's term.
void ResolveShockData(Scenario& scenario, const Table& table) {
  for (Shock& shock : scenario.shocks) {
    if (auto* regressor = std::get_if<RegressorShock>(&shock.spec)) {
      const Column& values = ShockColumn(table, regressor->term, shock, ".term");
      ForEachBaselineRow(
          scenario, table, [&](size_t row_idx, std::string exporter, std::string importer) {
            const double value = values.values()[row_idx];
            if (std::isnan(value)) return;
            regressor->baseline_values[{std::move(exporter), std::move(importer)}] = value;
          });
      continue;
    }
    auto* agreement = std::get_if<AgreementShock>(&shock.spec);
    if (agreement == nullptr || agreement->unless_column.empty()) continue;
    const Column& flag = ShockColumn(table, agreement->unless_column, shock, ".unless");
    ForEachBaselineRow(
        scenario, table, [&](size_t row_idx, std::string exporter, std::string importer) {
          const double value = flag.values()[row_idx];
          if (std::isnan(value) || value == 0) return;
          agreement->pairs_in_force.emplace(std::move(exporter), std::move(importer));
        });
  }
}

// What the reader should know about the data: skipped pairs, absent and zero
// flows, what conditional GE leaves undefined.
std::vector<std::string> DataNotes(const Scenario& scenario, const Baseline& baseline) {
  std::vector<std::string> notes;
  for (const Shock& shock : scenario.shocks) {
    // A regressor shock changes only pairs with a value of its term in the
    // baseline year (BuildPartialEffects); the others keep their costs.
    if (const auto* regressor = std::get_if<RegressorShock>(&shock.spec)) {
      int without_value = 0;
      for (const auto& [exporter_idx, importer_idx] :
           SelectedPairs(shock, scenario, baseline.codes)) {
        if (regressor->baseline_values.count(
                {baseline.codes[exporter_idx], baseline.codes[importer_idx]}) == 0) {
          ++without_value;
        }
      }
      if (without_value > 0) {
        notes.push_back(fmt::format(
            "shock '{}': {} of the selected pairs have no value of {} in the baseline year and "
            "keep their trade costs",
            shock.name, without_value, regressor->term));
      }
      continue;
    }
    const auto* agreement = std::get_if<AgreementShock>(&shock.spec);
    if (agreement == nullptr || agreement->unless_column.empty()) continue;
    int skipped = 0;
    for (const auto& [exporter_idx, importer_idx] :
         SelectedPairs(shock, scenario, baseline.codes)) {
      if (agreement->pairs_in_force.count(
              {baseline.codes[exporter_idx], baseline.codes[importer_idx]}) > 0) {
        ++skipped;
      }
    }
    notes.push_back(fmt::format(
        "shock '{}': {} of the selected pairs already have {} != 0 in the baseline year and keep "
        "their agreement (no second effect)",
        shock.name, skipped, agreement->unless_column));
  }
  if (baseline.absent_pairs > 0) {
    notes.push_back(fmt::format(
        "{} international pairs have no row in the baseline year and were taken as zero flows",
        baseline.absent_pairs));
  }
  // A fitted baseline predicts every flow, zeros included.
  if (baseline.zero_pairs > 0 && scenario.model.baseline == BaselineKind::kObserved) {
    notes.push_back(fmt::format(
        "{} international pairs trade nothing in the baseline; exact hat algebra keeps them at "
        "zero",
        baseline.zero_pairs));
  }
  if (scenario.model.mode == GeMode::kConditional) {
    notes.emplace_back(
        "conditional GE holds output and expenditure fixed: real GDP and welfare are not "
        "defined");
  }
  return notes;
}

// [model] and [groups] mapped to the GE options, once for the whole run.
GeOptions MakeGeOptions(const Scenario& scenario, const std::vector<std::string>& codes) {
  GeOptions ge_options;
  ge_options.solver = scenario.model.solver;
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
  return ge_options;
}

// The focus pair and the goal's country; returns the index of the goal's shock
// (-1 without [goal]).
int ValidateFocusAndGoal(const Scenario& scenario, const std::vector<std::string>& codes) {
  for (const std::string* code :
       {&scenario.output.focus_exporter, &scenario.output.focus_importer}) {
    if (!code->empty() && IndexOf(codes, *code) < 0) {
      SourceRef ref = scenario.output.where;
      ref.key = "output.focus";
      Fail(ref, fmt::format("focus country '{}' is not in the baseline", *code));
    }
  }
  int goal_shock = -1;
  if (!scenario.goal.enabled) return goal_shock;
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
  return goal_shock;
}

// The formula parsed and its columns, the cluster columns and the terms the
// shocks use checked against the data.
EstimationState PrepareEstimation(const Scenario& scenario, const Table& table) {
  const EstimationSpec& spec = *scenario.estimation;
  EstimationState estimation;
  SourceRef formula_ref = spec.where;
  formula_ref.key = "estimation.formula";
  try {
    estimation.formula = ParseFormula(spec.formula);
  } catch (const Error& error) {
    Fail(formula_ref, error.what());
  }
  for (const std::string& column : estimation.formula.Columns()) {
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
  for (const Term& term : estimation.formula.regressors) labels.insert(term.label);
  for (const Shock& shock : scenario.shocks) {
    const std::string term = EstimatedTerm(shock);
    if (term.empty()) continue;
    if (labels.count(term) == 0) {
      std::string known;
      for (const auto& label : labels) known += (known.empty() ? "" : ", ") + label;
      SourceRef ref = shock.where;
      ref.key += ".term";
      Fail(ref, fmt::format("term '{}' is not a regressor of the formula (regressors: {})", term,
                            known.empty() ? "none" : known));
    }
    if (std::find(estimation.used_terms.begin(), estimation.used_terms.end(), term) ==
        estimation.used_terms.end()) {
      estimation.used_terms.push_back(term);
    }
  }
  return estimation;
}

// Combinations the run does not support, and the bootstrap's unit column.
void ValidateRunFeatures(const Scenario& scenario, const Table& table) {
  if (scenario.model.baseline == BaselineKind::kFitted &&
      scenario.model.fitted_costs == FittedCosts::kEstimation && !scenario.estimation) {
    SourceRef ref = scenario.model.where;
    ref.key = "model.fitted_costs";
    Fail(ref,
         "fitted_costs = \"estimation\" takes the trade costs from the [estimation] fit; add "
         "an [estimation] table");
  }
  const UncertaintySpec& uncertainty = scenario.uncertainty;
  if (uncertainty.method == UncertaintyMethod::kPairBootstrap && !uncertainty.unit_column.empty() &&
      table.Find(uncertainty.unit_column) == nullptr) {
    SourceRef ref = uncertainty.where;
    ref.key = "uncertainty.unit";
    Fail(ref, fmt::format("column '{}' is not in {}", uncertainty.unit_column, table.source));
  }
}

}  // namespace

ValidatedScenario ValidateScenario(const Scenario& scenario_in, const Table& table) {
  ValidatedScenario validated;
  validated.baseline = BuildBaseline(table, scenario_in.data);
  validated.scenario = scenario_in;
  Scenario& scenario = validated.scenario;
  ResolveShockData(scenario, table);
  const std::vector<std::string>& codes = validated.baseline.codes;
  validated.notes = DataNotes(scenario, validated.baseline);
  validated.ge_options = MakeGeOptions(scenario, codes);
  validated.goal_shock = ValidateFocusAndGoal(scenario, codes);
  if (scenario.estimation) validated.estimation = PrepareEstimation(scenario, table);
  ValidateRunFeatures(scenario, table);
  // Overlaps and codes in shocks: build B once with placeholder coefficients.
  std::map<std::string, double> placeholder;
  if (validated.estimation) {
    for (const auto& term : validated.estimation->used_terms) placeholder[term] = 0;
  }
  BuildPartialEffects(scenario, codes, placeholder);
  // The GE model (also validates the flows once more, e.g. E_j <= 0).
  validated.model =
      MakeGeModel(validated.baseline.flows, codes, scenario.model.theta, validated.ge_options);
  return validated;
}

}  // namespace mizani

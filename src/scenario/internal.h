// Pieces shared by the scenario runner, the bootstrap and the outputs.
#pragma once

#include <Eigen/Core>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "mizani/estimate.h"
#include "mizani/formula.h"
#include "mizani/ge.h"
#include "mizani/ge_fitted.h"
#include "mizani/scenario.h"

namespace mizani {

// Everything estimation-related that the bootstrap reuses: the frame is built
// once and each replication only changes its frequency weights.
struct EstimationState {
  Formula formula;
  ModelFrame frame;
  EstimateOptions options;
  EstimateResult result;
  std::vector<std::string> used_terms;  // terms that feed shocks, in order
};

// Progress lines of a run (RunOptions::progress unless quiet), and the
// seconds since the run started.
class RunProgress {
 public:
  explicit RunProgress(const RunOptions& options)
      : options_(options), start_(std::chrono::steady_clock::now()) {}
  void operator()(const std::string& line) const {
    if (!options_.quiet && options_.progress) options_.progress(line);
  }
  double Elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  const RunOptions& options_;
  std::chrono::steady_clock::time_point start_;
};

// The stages of a run (RunScenarioOnTable, runner.cc): validate -> estimate
// -> partial effects -> goal seek -> engine solve -> sensitivity -> bootstrap.

// Stage 1 (validate.cc): the scenario checked against the data before any
// work. Throws Error(kBadScenario) naming the key.
struct ValidatedScenario {
  Scenario scenario;  // with the pairs of `unless` columns resolved
  Baseline baseline;
  GeOptions ge_options;                       // [model] and [groups], mapped once
  std::unique_ptr<GeModel> model;             // of ge_options.solver, on the observed baseline
  std::optional<EstimationState> estimation;  // formula parsed, used terms
  int goal_shock = -1;                        // index of [goal] shock, -1 without [goal]
  std::vector<std::string> notes;             // assumptions the data imply
};
ValidatedScenario ValidateScenario(const Scenario& scenario, const Table& table);

// A shock's pairs as selected (members, between, exporters/importers or
// country + side), before `unless` exempts any; (exporter, importer) indices,
// never domestic, in row-major order. Throws kBadScenario for unknown codes.
std::vector<std::pair<int, int>> SelectedPairs(const Shock& shock, const Scenario& scenario,
                                               const std::vector<std::string>& codes);

// A size of a shock in words, in its own unit ("a 5% cut").
std::string SizeText(const Shock& shock, double value);

// The estimation term whose coefficient the shock uses (an agreement with
// coefficient = "estimated", a regressor shock); empty otherwise.
std::string EstimatedTerm(const Shock& shock);

// The goal-seeking stage (goal_seek.cc): the size of shock `shock_index` at
// which [goal] is met. Throws kTargetUnreachable when the bracket holds no
// solution, kNotConverged when the search or a GE solve fails.
struct GoalSeekInputs {
  const Scenario& scenario;
  int shock_index;
  const GeModel& model;
  const std::vector<std::string>& codes;
  const std::map<std::string, double>& coefficients;
};
GoalResult SeekGoal(const GoalSeekInputs& inputs, const RunProgress& progress);

// Per-country outputs that get tables and intervals, in a fixed order:
// exports, imports, real GDP, welfare (percent changes), and the percent
// changes of the factory-gate price, inward and outward resistance.
std::vector<std::pair<std::string, Eigen::VectorXd>> CountryOutputs(const GeResult& ge);

// "additive", "multiplicative", "removed": as written in a scenario file.
const char* ImbalanceText(ImbalanceMode mode);

// model.baseline = "fitted" (src/scenario/fitted.cc): the Advanced Guide's
// GE from a fitted baseline as a GeModel. Solve(B) takes t_CFL = t_BLN * B
// (element-wise) and runs the constrained baseline, the conditional step and
// the full-endowment loop (or the exact equilibrium); warm starts are ignored.
class FittedScenarioModel final : public GeModel {
 public:
  FittedScenarioModel(FittedGeInputs inputs, FittedGeOptions fitted_options, GeOptions ge_options);
  GeResult Solve(const Eigen::MatrixXd& partial_effects,
                 const GeResult* warm_start = nullptr) const override;
  const GeOptions& options() const override { return ge_options_; }
  // The same costs and baseline flows at another sigma.
  std::unique_ptr<GeModel> AtSigma(double sigma) const;

 private:
  FittedGeInputs inputs_;  // counterfactual_costs unused
  FittedGeOptions fitted_options_;
  GeOptions ge_options_;
};

// The fitted baseline of a run: the model, the cost regression's
// coefficients (they replace the [estimation]'s for the shocks, so that
// t_CFL / t_BLN is exactly the terms changed, as in the book's Step II) and
// a note for the reader.
struct FittedScenario {
  std::unique_ptr<GeModel> model;
  std::map<std::string, double> coefficients;
  std::string note;
};
// The rows the panel route's cost regressions read: those the scenario's
// [estimation] filters keep (every row without filters). The pair bootstrap
// of a fitted baseline resamples exactly these.
std::vector<uint8_t> PanelRows(const Scenario& scenario, const Table& table);

// Costs from the panel (fitted_costs = "panel": pair effects and
// `policy_terms`, the panel regressions weighted by `row_weights`, one per
// table row, when given) or from `estimation` (fitted_costs = "estimation");
// `flows` is the observed baseline. Throws kBadScenario / kBadModel / kBadData.
FittedScenario BuildFittedScenario(const Scenario& scenario, const Table& table,
                                   const std::vector<std::string>& codes,
                                   const Eigen::MatrixXd& flows,
                                   const std::vector<std::string>& policy_terms,
                                   const std::optional<EstimateResult>& estimation,
                                   const GeOptions& ge_options,
                                   std::span<const double> row_weights = {});

// The run's model at another sigma: a FittedScenarioModel's AtSigma, or the
// model of `options.solver` on the observed `flows`.
std::unique_ptr<GeModel> ModelAtSigma(const GeModel& model, const Eigen::MatrixXd& flows,
                                      const std::vector<std::string>& codes, double sigma);

// The sigma grid of a scenario: [uncertainty] sigma, or [model] sigma +- 1
// and +- 2 (values > 1), always with [model] sigma itself; sorted.
std::vector<double> SigmaGrid(const Scenario& scenario);

// The shocks solved by the run's `model` (ModelAtSigma) at every sigma of the
// grid (src/scenario/sensitivity.cc).
SigmaSensitivity ComputeSigmaSensitivity(const Scenario& scenario, const GeModel& model,
                                         const Eigen::MatrixXd& flows,
                                         const std::vector<std::string>& codes,
                                         const Eigen::MatrixXd& partial_effects);

// One replication's sigma: from [uncertainty] sigma (uniformly) or a normal
// around `sigma` with sd sigma_sd (redrawn until > 1); `sigma` otherwise.
double DrawSigma(const UncertaintySpec& spec, double sigma, std::mt19937_64& rng);

// The groups' intra-group shares before and after, as grouped bars
// (src/present/scenario_adviser_summary.cc).
struct GroupedBarChart;  // mizani/report.h
GroupedBarChart GroupSharesChart(const ScenarioOutcome& outcome);

// 100 (X'_ij / (Y_hat_world X_ij) - 1) of the focus pair, NaN without one.
double FocusChangePct(const ScenarioOutcome& outcome, const GeResult& ge);

UncertaintyResult RunBootstrap(const Scenario& scenario, const Table& table,
                               const EstimationState& estimation, const GeModel& model,
                               const Eigen::MatrixXd& flows, const ScenarioOutcome& outcome,
                               const ShockOverride& size_override, const RunOptions& options);

}  // namespace mizani

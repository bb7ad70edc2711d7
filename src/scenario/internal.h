// Pieces shared by the scenario runner, the bootstrap and the outputs.
#pragma once

#include <Eigen/Core>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "mizani/estimate.h"
#include "mizani/formula.h"
#include "mizani/ge.h"
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

// Per-country outputs that get tables and intervals, in a fixed order:
// exports, imports, real GDP, welfare (percent changes), and the percent
// changes of the factory-gate price, inward and outward resistance.
std::vector<std::pair<std::string, Eigen::VectorXd>> CountryOutputs(const GeResult& ge);

// Solves the counterfactual with the scenario's solver. The one place that
// chooses between exact hat algebra and GEPPML: when SolveGeppml
// (mizani/geppml.h) is merged, its branch calls
// SolveGeppml(problem.baseline_flows(), problem.codes(), problem.theta(),
// partial_effects, problem.options()) and parse.cc stops rejecting
// solver = "geppml".
// "additive", "multiplicative", "removed": as written in a scenario file.
const char* ImbalanceText(ImbalanceMode mode);

GeResult SolveScenarioGe(const GeProblem& problem, GeSolver solver,
                         const Eigen::MatrixXd& partial_effects, const GeResult* warm_start);

// model.baseline = "fitted" (src/scenario/fitted.cc): trade costs from the
// panel (pair effects and `policy_terms`), whose coefficients replace those
// in `coefficients` for the partial effects; then the Advanced Guide's GE.
// Assumptions go to `notes`.
GeResult SolveFittedScenario(const Scenario& scenario, const Table& table,
                             const std::vector<std::string>& codes,
                             const std::vector<std::string>& policy_terms,
                             std::map<std::string, double>& coefficients,
                             Eigen::MatrixXd& partial_effects, const GeOptions& ge_options,
                             std::vector<std::string>& notes);

// The sigma grid of a scenario: [uncertainty] sigma, or [model] sigma +- 1
// and +- 2 (values > 1), always with [model] sigma itself; sorted.
std::vector<double> SigmaGrid(const Scenario& scenario);

// The shocks solved from the observed `flows` at every sigma of the grid
// (src/scenario/sensitivity.cc).
SigmaSensitivity ComputeSigmaSensitivity(const Scenario& scenario, const Eigen::MatrixXd& flows,
                                         const std::vector<std::string>& codes,
                                         const GeOptions& ge_options,
                                         const Eigen::MatrixXd& partial_effects);

// One replication's sigma: from [uncertainty] sigma (uniformly) or a normal
// around `sigma` with sd sigma_sd (redrawn until > 1); `sigma` otherwise.
double DrawSigma(const UncertaintySpec& spec, double sigma, std::mt19937_64& rng);

// 100 (X'_ij / (Y_hat_world X_ij) - 1) of the focus pair, NaN without one.
double FocusChangePct(const ScenarioOutcome& outcome, const GeResult& ge);

UncertaintyResult RunBootstrap(const Scenario& scenario, const Table& table,
                               const EstimationState& estimation, const GeProblem& problem,
                               const Eigen::MatrixXd& flows, const ScenarioOutcome& outcome,
                               const ShockOverride& size_override, const RunOptions& options);

}  // namespace mizani

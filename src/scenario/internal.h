// Pieces shared by the scenario runner, the bootstrap and the outputs.
#pragma once

#include <Eigen/Core>
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

// 100 (X'_ij / (Y_hat_world X_ij) - 1) of the focus pair, NaN without one.
double FocusChangePct(const ScenarioOutcome& outcome, const GeResult& ge);

UncertaintyResult RunBootstrap(const Scenario& scenario, const Table& table,
                               const EstimationState& estimation, const GeProblem& problem,
                               const ScenarioOutcome& outcome, const ShockOverride& size_override,
                               const RunOptions& options);

}  // namespace mizani

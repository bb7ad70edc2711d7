// General-equilibrium counterfactuals by GEPPML: the structural gravity model
// solved by re-estimating PPML with exporter and importer fixed effects and
// the trade costs as an offset (Anderson, Larch & Yotov 2018, "GEPPML:
// General equilibrium analysis with PPML", The World Economy 41(10); Yotov,
// Piermartini, Monteiro & Larch 2016, Advanced Guide, ch. 2, Step III).
//
// It solves the same model as the exact hat algebra of ge.h and returns the
// same GeResult, under the same conventions (GeOptions mode, imbalance,
// normalisation, groups), so callers can switch between the two paths and
// use each as a check on the other. docs/ge-solver.md, "GEPPML path",
// describes the algorithm and why the two agree.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "mizani/ge.h"

namespace mizani {

// `flows`, `codes`, `theta` and `partial_effects` (B) as for GeProblem /
// GeProblem::Solve. Honoured options: mode, imbalance (all three modes),
// normalization and reference_country, tolerance (on the same measure as the
// hat-algebra solver: max_i |ln(sum_j X'_ij / Y'_i)|, and the budget
// max_j |ln(sum_i X'_ij / E'_j)|), max_iterations (PPML re-estimations after
// the conditional one), baseline_inward_resistance and groups. The
// acceleration options (algorithm, anderson_memory, damping) do not apply.
//
// GeResult::iterations counts the PPML re-estimations after the first
// (conditional) one, so it is 0 in conditional mode; anderson_restarts is 0;
// log_price_state is ln w_hat (conditional: -ln Pi_hat) on the world-output
// normalisation, the state GeProblem::Solve accepts as a warm start.
//
// Bad input throws Error(ErrorCode::kBadScenario), exactly as GeProblem does.
// Non-convergence (of the price iteration or of a PPML fit) is reported in
// GeResult::termination and message, never thrown.
GeResult SolveGeppml(const Eigen::MatrixXd& flows, const std::vector<std::string>& codes,
                     double theta, const Eigen::MatrixXd& partial_effects,
                     const GeOptions& options = {});

// GEPPML behind the GeModel interface (what MakeGeModel returns for
// GeSolver::kGeppml). The baseline is validated once, as GeProblem does, and
// under kRemoved its balanced version is the one re-estimated. GEPPML has no
// warm start: Solve ignores it.
class GeppmlModel final : public GeModel {
 public:
  GeppmlModel(Eigen::MatrixXd flows, std::vector<std::string> codes, double theta,
              GeOptions options = {});
  GeResult Solve(const Eigen::MatrixXd& partial_effects,
                 const GeResult* warm_start = nullptr) const override;
  const GeOptions& options() const override { return baseline_.options(); }

 private:
  GeProblem baseline_;  // validation and the (balanced) baseline flows
};

}  // namespace mizani

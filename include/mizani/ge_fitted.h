// General equilibrium from a *fitted* baseline, as the Advanced Guide computes
// it (Yotov, Piermartini, Monteiro & Larch 2016, ch. 2, pp. 95-117, and its
// Stata do-files): the baseline is the constrained PPML fit of the flows on
// estimated trade costs, not the observed flows (ge.h solves from observed
// flows, as Stata ge_gravity does). docs/ge-solver.md, "Fitted baseline",
// states every step with the book's page references.
//
//  1. Trade costs t_ij^(1-sigma): from a cross-section gravity regression
//     (application 1, eq. 2-51, p. 103) or from pair fixed effects of a panel
//     PPML (eq. 2-54, p. 111) with the missing pairs predicted by a
//     cross-section regression of the pair effects on DIST, CNTG, LANG, CLNY
//     (Anderson & Yotov 2016 two-stage procedure, eq. 2-56, pp. 112-113):
//     EstimatePanelTradeCosts.
//  2. The baseline and conditional GE are constrained PPML fits (exporter and
//     importer effects, ln t as offset; pp. 105-106, 113), normalised by the
//     reference country's importer effect (Germany, "ZZZ" in the do-files).
//  3. Full endowment: the do-files' iterative procedure (Step III.b, pp.
//     99-102 and 107-108) with its stopping rule, or iterated to convergence.
//
// Errors: bad input throws Error(ErrorCode::kBadScenario) (kBadData for the
// table in EstimatePanelTradeCosts); a loop or fit that does not converge is
// reported in the result's termination and message.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "mizani/estimate.h"
#include "mizani/ge.h"
#include "mizani/table.h"

namespace mizani {

struct FittedGeInputs {
  // Baseline-year flows X_ij, exporter rows, N x N; NaN marks a missing flow:
  // left out of the baseline and conditional fits (as Stata's ppml drops the
  // row) but predicted, like every other pair.
  Eigen::MatrixXd flows;
  // Trade costs t_ij^(1-sigma) in the baseline and in the counterfactual
  // (positive and finite; domestic entries included).
  Eigen::MatrixXd baseline_costs, counterfactual_costs;
  std::vector<std::string> codes;  // one per country, unique
  int reference_country = -1;      // index: its importer effect is 0 (p. 104)
  double sigma = 7;                // elasticity of substitution, > 1 (p. 115)
};

enum class FittedGeStopping {
  // The do-files' rule: stop once the standard deviation and |maximum| of the
  // change between the last two first-order price updates are both <=
  // price_tolerance (0.01 in both chapter-2 do-files). Table 4 is this.
  kBook,
  // The full-endowment equilibrium itself, solved by exact hat algebra
  // (GeProblem) from the fitted baseline with E = phi Y (kMultiplicative)
  // and P of the reference country fixed, to converged_tolerance. The book's
  // loop is not a contraction: on small test worlds it oscillates without
  // converging, so "iterate it longer" is not an option (docs/ge-solver.md).
  kConverged,
};

struct FittedGeOptions {
  FittedGeStopping stopping = FittedGeStopping::kBook;
  double price_tolerance = 0.01;
  double converged_tolerance = 1e-12;
  int max_iterations = 500;
  // Each constrained PPML fit with two-way effects is solved by its first-
  // order conditions (fitted row and column totals = those of the dependent
  // variable), to this relative gap.
  double fit_tolerance = 1e-13;
  int max_fit_iterations = 200000;
};

// Levels as the do-files define them (all per country, in input order).
// OMR is Pi^(1-sigma) = Y E_R / exp(pi_i) and IMR is P^(1-sigma) =
// E / (exp(chi_j) E_R) (eqs. 2-41, 2-42, 2-45, 2-46), E_R the reference
// country's expenditure in the same scenario.
struct FittedGeResult {
  Termination termination = Termination::kNumericalFailure;
  std::string message;
  int iterations = 0;  // full-endowment PPML re-estimations (the do-files' S - 1)
  // The do-files' convergence measures at the last iteration.
  double price_change_sd = 0, price_change_max = 0;
  std::vector<std::string> codes;

  Eigen::VectorXd output, expenditure;            // observed Y, E (baseline year)
  Eigen::VectorXd output_full, expenditure_full;  // Y_FULL, E_FULL = phi Y_FULL
  // International exports sum_{j != i}: of the fitted baseline, of the
  // baseline with the new costs and nothing else changed (the partial or
  // direct effect), of the conditional fit and of the full-endowment flows.
  Eigen::VectorXd exports_baseline, exports_partial, exports_conditional, exports_full;
  Eigen::VectorXd omr_baseline, omr_conditional, omr_full;
  Eigen::VectorXd imr_baseline, imr_conditional, imr_full;
  Eigen::VectorXd factory_gate_price_hat;            // change_pricei_FULL, p_FULL / p_BLN
  Eigen::VectorXd real_gdp_baseline, real_gdp_full;  // Y / P, with P = IMR^(1/(1-sigma))
  Eigen::MatrixXd fitted_baseline, fitted_conditional, flows_full;

  bool converged() const { return termination == Termination::kConverged; }
};

// Throws Error(kBadScenario) on bad input (sizes, non-positive costs, a
// country with no flows, a bad reference index, sigma <= 1).
FittedGeResult SolveFittedGe(const FittedGeInputs& inputs, const FittedGeOptions& options = {});

// Which way percent changes are read.
enum class FittedGeDirection {
  // (counterfactual - baseline) / baseline; price (p_hat - 1): application 1,
  // "trade without borders" (pp. 108-110).
  kCounterfactualVsBaseline,
  // (baseline - counterfactual) / counterfactual, the effect of the policy in
  // place in the baseline (application 2, NAFTA, Table 4 pp. 116-117); the
  // do-file takes the price as (1 - p_hat), which we keep.
  kBaselineVsCounterfactual,
};

// Percent changes, one entry per country, as the do-files' Step IV.
struct FittedGeEffects {
  Eigen::VectorXd exports_partial, exports_conditional, exports_full;
  Eigen::VectorXd factory_gate_price, real_gdp;
  Eigen::VectorXd imr_conditional, imr_full, omr_conditional, omr_full;
};

FittedGeEffects FittedGePercentChanges(const FittedGeResult& result, double sigma,
                                       FittedGeDirection direction);

// Step I of application 2 (pp. 111-113): trade costs from a panel.
struct PanelCostOptions {
  std::string exporter = "exporter", importer = "importer", year = "year", flow = "trade";
  // Symmetric pair identifier; every domestic pair is put in one common group,
  // the omitted (zero) pair effect, as the do-file does.
  std::string pair = "pair_id";
  std::vector<int> years;                     // years kept in the panel (empty: all)
  std::vector<std::string> policy = {"RTA"};  // time-varying cost terms beside the pair effects
  // Stage 2 (eq. 2-56): regressors of the pair effects; `log_gravity` are logged.
  std::vector<std::string> gravity = {"CNTG", "LANG", "CLNY"};
  std::vector<std::string> log_gravity = {"DIST"};
  int baseline_year = 1994;
  std::string reference = "DEU";  // moved last, as "ZZZ" in the do-file
  EstimateOptions estimate;       // PPML settings for both stages
  // Frequency weights, one per table row (empty: all 1), as a pair bootstrap
  // draws them: rows of weight 0 are left out of both regressions (a pair
  // never drawn has no pair effect and is predicted by stage 2), a pair drawn
  // k times counts k times in both. The baseline-year flows are all kept.
  std::vector<double> weights;
};

struct PanelCosts {
  std::vector<std::string> codes;  // sorted, the reference country last
  int reference_country = -1;
  // exp(gamma_ij): pair effects relative to the domestic group (1 on the
  // diagonal); `filled` marks pairs predicted by stage 2.
  Eigen::MatrixXd pair_costs;
  Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic> filled;
  std::vector<std::string> policy_names;
  Eigen::VectorXd policy_coef, policy_se;
  std::vector<Eigen::MatrixXd> policy_values;  // in the baseline year, N x N
  Eigen::MatrixXd flows;                       // baseline year (NaN where missing)
  Eigen::MatrixXd distance;                    // first log_gravity column, for reports
  EstimateResult panel, stage2;                // the two regressions
};

// Throws Error(kBadData / kBadModel) for missing columns, an unknown
// reference or baseline year, duplicate rows or an incomplete baseline year.
PanelCosts EstimatePanelTradeCosts(const Table& table, const PanelCostOptions& options);

// t_ij^(1-sigma) = pair_costs * exp(sum_k b_k policy_k): the baseline costs
// with `policy_values`, or a counterfactual with other policy matrices.
Eigen::MatrixXd PanelTradeCosts(const PanelCosts& costs,
                                const std::vector<Eigen::MatrixXd>& policy_values);

}  // namespace mizani

// One-sector general-equilibrium (GE) counterfactuals of structural gravity by
// exact hat algebra (Dekle, Eaton & Kortum 2007, AER P&P 97(2); the form of
// Stata ge_gravity, Baier, Yotov & Zylkin 2019, JIE 116).
//
// Conventions (docs/ge-solver.md states them in full):
//   X_ij   baseline flow from exporter i (row) to importer j (column), domestic
//          flows X_ii > 0 included; Y_i = sum_j X_ij, E_j = sum_i X_ij,
//          D_j = E_j - Y_j, pi_ij = X_ij / E_j.
//   theta  trade elasticity, theta = sigma - 1 > 0.
//   B_ij   partial effect of the counterfactual on X_ij, exp(b_ij); 1 = no change.
//   a hat  x' / x, the counterfactual value over the baseline value.
//
// Bad input throws mizani::Error(ErrorCode::kBadScenario). A solve that does
// not converge is reported in GeResult::termination, never thrown.
#pragma once

#include <Eigen/Core>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mizani/termination.h"

namespace mizani {

// kConditional holds output Y and expenditure E at their baseline values and
// solves only the multilateral resistances (the "conditional general
// equilibrium" of Yotov et al. 2016, ch. 2). kFullEndowment lets factory-gate
// prices, output and expenditure adjust (endowment economy).
enum class GeMode { kConditional, kFullEndowment };

// How baseline trade imbalances D_j = E_j - Y_j carry into the counterfactual.
enum class ImbalanceMode {
  // E'_j = Y'_j + D_j * (sum_i Y'_i / sum_i Y_i): deficits fixed in units of
  // world output, i.e. fixed in levels under the kWorldOutput normalisation
  // and scaled with the numeraire otherwise, so that real outcomes do not
  // depend on the normalisation.
  kAdditive,
  // E'_j = kappa * phi_j * Y'_j with phi_j = E_j / Y_j. The common factor
  // kappa = sum_i Y'_i / sum_j phi_j Y'_j (reported as expenditure_scale)
  // restores world adding-up, without which no equilibrium exists; kappa = 1
  // whenever factory-gate prices move uniformly and stays within O(shock) of 1.
  kMultiplicative,
  // First solve a baseline with D = 0 (B = 1), then the counterfactual from
  // that balanced baseline (Dekle, Eaton & Kortum 2007; ge_gravity). Every
  // "before" value in the result refers to the balanced baseline.
  kRemoved,
};

// Which nominal anchor pins the price level. Real outcomes (real GDP, welfare,
// flow changes in percent) do not depend on it; nominal hats do.
enum class Normalization {
  kWorldOutput,     // sum_i Y_i w_hat_i = sum_i Y_i
  kReferencePrice,  // P_hat of GeOptions::reference_country = 1 (Advanced Guide)
};

enum class GeAlgorithm {
  kAnderson,    // fixed point accelerated by Anderson mixing, safeguarded
  kFixedPoint,  // the plain (optionally damped) fixed point; for comparison
};

// Which engine solves the model (GeModel, MakeGeModel): exact hat algebra
// (GeProblem, this header) or GEPPML (Anderson, Larch & Yotov 2018;
// GeppmlModel in mizani/geppml.h). Both give the same equilibrium.
enum class GeSolver { kHat, kGeppml };

struct GeOptions {
  GeSolver solver = GeSolver::kHat;  // used by MakeGeModel
  GeMode mode = GeMode::kFullEndowment;
  ImbalanceMode imbalance = ImbalanceMode::kAdditive;
  Normalization normalization = Normalization::kWorldOutput;
  int reference_country = -1;  // index, required for kReferencePrice

  GeAlgorithm algorithm = GeAlgorithm::kAnderson;
  // Stop when max_i |ln(sum_j X'_ij / Y'_i)| <= tolerance, i.e. when goods
  // markets clear to `tolerance` in relative terms. That is (sigma) times the
  // largest change in ln w_hat a plain fixed-point step would still make.
  double tolerance = 1e-10;
  int max_iterations = 2000;
  int anderson_memory = 8;  // past steps mixed by Anderson acceleration
  double damping = 1.0;     // relaxation of the fixed-point step, in (0, 1]

  // Optional baseline levels of the inward multilateral resistance P_j (for
  // instance recovered from importer fixed effects); when empty the reported
  // level index is P_hat itself (baseline = 1).
  Eigen::VectorXd baseline_inward_resistance;

  // Country groups (e.g. an agreement's members) whose intra-group share of
  // international trade is reported before and after. Values are indices.
  std::map<std::string, std::vector<int>> groups;
};

// Per-country outcomes, one entry per country in input order. "International"
// exports/imports exclude the domestic flow X_ii. Levels (before/after) are
// nominal, in the units the normalisation implies. Percent changes of values
// are measured in units of world output, 100 * (after / (Y_hat_world * before) - 1)
// with Y_hat_world = GeResult::world_output_hat, so that they do not depend on
// the normalisation; under kWorldOutput, Y_hat_world = 1 and they are nominal.
struct GeCountryResults {
  std::vector<std::string> codes;
  Eigen::VectorXd exports_before, exports_after, exports_change_pct;
  Eigen::VectorXd imports_before, imports_after, imports_change_pct;
  Eigen::VectorXd domestic_before, domestic_after;            // X_ii
  Eigen::VectorXd output_before, output_after;                // Y_i, Y'_i
  Eigen::VectorXd expenditure_before, expenditure_after;      // E_j, E'_j
  Eigen::VectorXd trade_balance_before, trade_balance_after;  // exports - imports = Y - E
  // Factory-gate price w_hat (1 in conditional mode, where it is held fixed).
  Eigen::VectorXd factory_gate_price_hat;
  // Inward resistance (consumer price index) P_hat_j, from
  // P_hat_j^-theta = sum_i pi_ij B_ij w_hat_i^-theta (full endowment) and its level
  // (baseline_inward_resistance * P_hat, or P_hat when no level was given).
  Eigen::VectorXd inward_resistance_hat, inward_resistance_level;
  // Outward resistance, Anderson & van Wincoop (2003) in hats:
  // Pi_hat_i^-theta = sum_j (X_ij / Y_i) B_ij E_hat_j / (P_hat_j^-theta * Y_hat_world).
  Eigen::VectorXd outward_resistance_hat;
  // Real GDP 100 * (w_hat / P_hat - 1) and welfare 100 * (E_hat / P_hat - 1);
  // under kMultiplicative E_hat is phi Y'/(phi Y) = w_hat (kappa left out),
  // so welfare equals real GDP, as in Stata ge_gravity.
  // Not defined in conditional mode (NaN): Y and E are held fixed there.
  Eigen::VectorXd real_gdp_change_pct, welfare_change_pct;
};

struct GeGroupResult {
  std::string name;
  std::vector<int> members;
  double intra_share_before = 0;  // IntraGroupTradeShare, fraction in [0, 1]
  double intra_share_after = 0;
};

struct GeResult {
  Termination termination = Termination::kNumericalFailure;
  std::string message;
  int iterations = 0;         // fixed-point map evaluations after the start point
  int anderson_restarts = 0;  // times the Anderson history was discarded
  // Final max_i |ln(sum_j X'_ij / Y'_i)| (the convergence measure).
  double max_log_excess_supply = 0;
  // Relative residuals of the returned flows: max_i |sum_j X'_ij - Y'_i| / Y'_i
  // and max_j |sum_i X'_ij - E'_j| / E'_j.
  double market_clearing_residual = 0;
  double budget_residual = 0;
  // kAdditive: the deficit scale sum Y' / sum Y; kMultiplicative: kappa; else 1.
  double expenditure_scale = 1;
  // sum_i Y'_i / sum_i Y_i: 1 under kWorldOutput (or in conditional mode), the
  // nominal drift of the numeraire under kReferencePrice.
  double world_output_hat = 1;
  // Iterations spent removing imbalances (kRemoved), 0 otherwise.
  int imbalance_removal_iterations = 0;

  Eigen::MatrixXd baseline_flows;  // the baseline used (balanced if kRemoved)
  Eigen::MatrixXd new_flows;       // X'_ij
  // 100 * (X'_ij / (Y_hat_world X_ij) - 1); 0 where the baseline flow is 0 (it stays 0).
  Eigen::MatrixXd flow_change_pct;
  GeCountryResults countries;
  std::vector<GeGroupResult> groups;

  // Solver state, ln of the price unknown under the world-output
  // normalisation; pass the result back to GeProblem::Solve to warm-start.
  Eigen::VectorXd log_price_state;

  bool converged() const { return termination == Termination::kConverged; }
};

// A GE model ready for repeated counterfactuals (bootstrap draws, goal
// seeking, sensitivity runs): the one interface every GE engine implements,
// exact hat algebra and GEPPML today, a multi-sector model later. Solve
// returns a GeResult whose termination and message say how it stopped; bad
// input throws Error(kBadScenario).
class GeModel {
 public:
  virtual ~GeModel() = default;
  // `partial_effects` is B (N x N, positive, finite). `warm_start`, if given,
  // is an earlier result of this model that may start the iteration (engines
  // that cannot use it ignore it).
  virtual GeResult Solve(const Eigen::MatrixXd& partial_effects,
                         const GeResult* warm_start = nullptr) const = 0;
  virtual const GeOptions& options() const = 0;
};

// The model of `options.solver` (GeProblem or GeppmlModel) for these flows.
// Throws Error(kBadScenario) on bad input.
std::unique_ptr<GeModel> MakeGeModel(const Eigen::MatrixXd& flows,
                                     const std::vector<std::string>& codes, double theta,
                                     const GeOptions& options = {});

// Exact hat algebra: validation, the balanced baseline of kRemoved and the
// expenditure shares are computed once; Solve costs O(N^2) per iteration. It
// always solves by hat algebra, whatever options.solver says.
class GeProblem final : public GeModel {
 public:
  // Throws Error(kBadScenario) on bad input. `codes` may be empty (countries
  // are then named by index) or hold one unique code per country.
  GeProblem(Eigen::MatrixXd flows, std::vector<std::string> codes, double theta,
            GeOptions options = {});

  // `partial_effects` is B (N x N, positive, finite). `warm_start`, if given,
  // is an earlier result of this problem whose solution starts the iteration.
  GeResult Solve(const Eigen::MatrixXd& partial_effects,
                 const GeResult* warm_start = nullptr) const override;

  int num_countries() const { return static_cast<int>(baseline_flows_.rows()); }
  const std::vector<std::string>& codes() const { return codes_; }
  double theta() const { return theta_; }
  const GeOptions& options() const override { return options_; }
  // The baseline counterfactuals start from: the input flows, or their
  // balanced version under kRemoved.
  const Eigen::MatrixXd& baseline_flows() const { return baseline_flows_; }

 private:
  Eigen::MatrixXd baseline_flows_;
  std::vector<std::string> codes_;
  double theta_;
  GeOptions options_;
  Eigen::VectorXd output_, expenditure_, deficit_;
  Eigen::MatrixXd shares_;  // pi_ij = X_ij / E_j
  // Outcome of removing imbalances (kRemoved): a failure there is reported by Solve.
  Termination removal_termination_ = Termination::kConverged;
  std::string removal_message_;
  int removal_iterations_ = 0;
};

// One-shot convenience: GeProblem(flows, codes, theta, options).Solve(partial_effects).
GeResult SolveGe(const Eigen::MatrixXd& flows, const std::vector<std::string>& codes, double theta,
                 const Eigen::MatrixXd& partial_effects, const GeOptions& options = {});

// Share of the group's international trade that stays inside the group:
// (intra-group exports + intra-group imports) / (members' exports + imports),
// all excluding domestic flows; an intra-group flow counts once as an export
// and once as an import, so the share is 1 when members trade only with each
// other. 0 when members have no international trade. Throws Error(kBadScenario)
// on an out-of-range or repeated member index or a non-square matrix.
double IntraGroupTradeShare(const Eigen::MatrixXd& flows, const std::vector<int>& members);

// Partial-effect matrix for switching an agreement on among `members`:
// B_ij = exp(coefficient) for every ordered pair of distinct members, 1 elsewhere.
Eigen::MatrixXd AgreementPartialEffects(int num_countries, const std::vector<int>& members,
                                        double coefficient);

}  // namespace mizani

// GEPPML (Anderson, Larch & Yotov 2018, World Economy 41(10); Yotov et al.
// 2016, Advanced Guide, ch. 2, Step III and its Stata do-files).
//
// Structural gravity with exporter and importer fixed effects,
//   X_ij = exp(pi_i + chi_j) t_ij^-theta,
//   exp(pi_i) = Y_i / Pi_i^-theta,  exp(chi_j) = E_j / P_j^-theta   (up to constants),
// is what PPML with two-way fixed effects fits, and its first-order conditions
// make the fitted row and column totals equal those of the dependent
// variable. The baseline trade costs are identified from the baseline itself:
// with the offset o_ij = ln(t_ij^-theta) = ln(X_ij Y_W / (Y_i E_j)) PPML
// reproduces the baseline exactly (pi_i = ln Y_i, chi_j = ln E_j - ln Y_W).
// The counterfactual offset adds ln B_ij.
//
// Hats. In the counterfactual, X'_ij = X_ij B_ij a_i E'_j / (E_j Phi_j), with
// a_i = w_hat_i^-theta and Phi_j = P_hat_j^-theta (ge.cc's notation). Writing a
// fit as X_ij B_ij exp(pi_i + chi_j) Y_W / (Y_i E_j) gives, for some constant g
// (the split of the constant between the two fixed-effect dimensions),
//   a_i = exp(pi_i) / (g Y_i)        (the Advanced Guide's eq. 2-43),
//   Phi_j = E'_j / (g Y_W exp(chi_j)) (eq. 2-46),
// and g is pinned by the price normalisation.
//
// Conditional GE is one PPML fit of the baseline flows with the counterfactual
// offset: Y and E are the fitted totals, the fixed effects the new
// resistances. Full endowment iterates as the Guide's do-file: (i) factory-
// gate prices w_hat from the exporter effects (read from the fitted values:
// PairPpml::EffectsFromFitted), (ii) output Y'_i = Y_i w_hat_i
// and expenditure E'_j by the imbalance rule, put into a dependent variable
// with exactly those totals (DependentWithTotals), (iii) re-estimate, which
// solves the resistances for these Y' and E' and gives new exporter effects,
// (iv) until w_hat stops moving. Each fit is the exact conditional
// equilibrium for the current Y', E', so the step in x = ln w_hat is
//   theta x_new = ln T(x_new) - ln Y - x,  T_i = sum_j pi_ij B_ij E'_j / Phi_j,
// whose fixed points are those of the hat-algebra market clearing
// (theta + 1) x = ln T - ln Y; near the solution it contracts by about
// (1 - own-market share) / (theta (1 - market share)) <= ~1/theta, so 10-15
// re-estimations reach 1e-10 (docs/ge-solver.md, "GEPPML path").
//
// The Guide instead scales the last fitted flows by the changes in prices and
// resistances (eq. 2-44); such a dependent variable lies in the span of the
// model, PPML returns it unchanged, and the loop is a tatonnement; a loop
// of that kind (last fit rescaled to the new totals) failed to converge on
// our 12-country test baseline and diverged under additive deficits. Giving PPML the new
// totals is what lets it do the work.
#include "mizani/geppml.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "ge/ge_common.h"
#include "mizani/error.h"
#include "mizani/estimate.h"

namespace mizani {
namespace {

using ge_internal::CountryLabel;
using ge_internal::ExpenditureRule;
using ge_internal::ExpenditureRuleFor;
using ge_internal::FillRealOutcomes;
using ge_internal::GroupResults;
using ge_internal::ValidatePartialEffects;

struct Baseline {
  Eigen::MatrixXd flows;
  Eigen::VectorXd output, expenditure, deficit;
  double world_output = 0;

  explicit Baseline(Eigen::MatrixXd baseline_flows) : flows(std::move(baseline_flows)) {
    output = flows.rowwise().sum();
    expenditure = flows.colwise().sum().transpose();
    deficit = expenditure - output;
    world_output = output.sum();
  }
};

// One PPML fit with exporter and importer fixed effects and no regressors, on
// the pairs with a positive baseline flow: a zero flow has t_ij^-theta = 0 and
// stays zero, as in hat algebra.
class PairPpml {
 public:
  PairPpml(const Baseline& baseline, const Eigen::MatrixXd& partial_effects,
           const std::vector<std::string>& codes, int hub)
      : num_countries_(static_cast<int>(baseline.flows.rows())), hub_(hub) {
    for (int importer_idx = 0; importer_idx < num_countries_; ++importer_idx) {
      for (int exporter_idx = 0; exporter_idx < num_countries_; ++exporter_idx) {
        const double flow = baseline.flows(exporter_idx, importer_idx);
        if (!(flow > 0)) continue;
        exporters_.push_back(exporter_idx);
        importers_.push_back(importer_idx);
        // ln t_ij^-theta identified from the baseline, plus ln B_ij.
        template_.offset.push_back(std::log(flow) + std::log(baseline.world_output) -
                                   std::log(baseline.output(exporter_idx)) -
                                   std::log(baseline.expenditure(importer_idx)) +
                                   std::log(partial_effects(exporter_idx, importer_idx)));
      }
    }
    const auto num_obs = static_cast<Eigen::Index>(exporters_.size());
    template_.X = Eigen::MatrixXd(num_obs, 0);
    template_.fe_ids = {exporters_, importers_};
    template_.fe_sizes = {num_countries_, num_countries_};
    template_.fe_names = {"exporter", "importer"};
    template_.fe_labels = {codes, codes};
    template_.rows_read = num_obs;
    template_.source_row.resize(num_obs);
    for (Eigen::Index obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
      template_.source_row[obs_idx] = obs_idx;
    }
    options_.family = Family::kPoisson;
    // The deviance is measured on flows in units of world output (see Fit
    // below), so a relative change of 1e-13 is far above rounding noise yet
    // leaves the fitted totals exact to ~1e-13 (IRLS is Newton's method for
    // the canonical Poisson link).
    options_.tolerance = 1e-13;
    options_.fe_tolerance = 1e-13;
    options_.max_iterations = 200;
    options_.check_separation = false;
    options_.drop_singletons = false;
    options_.vcov.type = VcovType::kIid;
    options_.vcov.small_sample = SmallSample::kNone;
    options_.keep_fitted = true;
    // Threads parallelise across demeaned columns only; there is one.
    options_.threads = 1;
  }

  struct Fitted {
    bool ok = false;
    std::string failure;
    Eigen::MatrixXd flows;  // mu in the dependent variable's units
    Eigen::VectorXd exporter_effect, importer_effect;
  };

  // Fits `dependent` (N x N, read on the kept pairs), scaled by `scale` so
  // that the deviance test is relative to world output.
  Fitted Fit(const Eigen::MatrixXd& dependent, double scale) const {
    ModelFrame frame = template_;
    frame.y.resize(exporters_.size());
    for (size_t obs_idx = 0; obs_idx < exporters_.size(); ++obs_idx) {
      frame.y[obs_idx] = dependent(exporters_[obs_idx], importers_[obs_idx]) / scale;
    }
    const EstimateResult estimate = mizani::Fit(std::move(frame), options_);
    Fitted fitted;
    if (estimate.termination == Termination::kNumericalFailure ||
        estimate.termination == Termination::kNoObservations ||
        estimate.fixed_effects.size() != 2 || estimate.fitted.size() != exporters_.size()) {
      fitted.failure = "PPML fit failed: " + estimate.message;
      return fitted;
    }
    // A fit stopped by max_iterations is kept: the GE convergence test below
    // checks the fitted totals themselves.
    fitted.flows = Eigen::MatrixXd::Zero(num_countries_, num_countries_);
    for (size_t obs_idx = 0; obs_idx < exporters_.size(); ++obs_idx) {
      fitted.flows(exporters_[obs_idx], importers_[obs_idx]) = estimate.fitted[obs_idx] * scale;
    }
    if (!EffectsFromFitted(estimate, fitted)) return fitted;
    // exp(pi_i + chi_j + o_ij) fits y / scale; carry the scale in pi.
    fitted.exporter_effect.array() += std::log(scale);
    fitted.ok = fitted.flows.allFinite() && fitted.exporter_effect.allFinite() &&
                fitted.importer_effect.allFinite();
    if (!fitted.ok) fitted.failure = "PPML fit returned non-finite values";
    return fitted;
  }

 private:
  // The exporter and importer effects, read from the fitted values rather
  // than taken from EstimateResult::fixed_effects. The fitted values are what
  // the PPML first-order conditions pin down (their totals are those of the
  // dependent variable); the exported effects are a by-product of a separate
  // projection, and GEPPML's prices are a function of them with no further
  // check. On the 12-country test baseline the PPML engine returned, for one
  // re-estimation, fitted values exact to 1e-13 and effects that reproduced
  // them only to a factor 1e5 (multiples of 4, as if the projection's level
  // coefficients had drifted to ~2^54 along the two-way null direction
  // pi + c, chi - c before being normalised): the prices read from them were
  // garbage, and the outer iteration failed two fits later. With the hub h
  // (which trades both ways with everyone), ln mu_ij - o_ij = pi_i + chi_j
  // gives chi_j from row h and pi_i from column h exactly; without a hub the
  // engine's effects are used. Either way they must reproduce every fitted
  // value to 1e-9 (a rounding-level inconsistency is ~1e-13), else the fit is
  // reported as failed instead of feeding wrong prices to the iteration.
  bool EffectsFromFitted(const EstimateResult& estimate, Fitted& fitted) const {
    const auto num_obs = exporters_.size();
    Eigen::VectorXd exporter_effect =
        Eigen::Map<const Eigen::VectorXd>(estimate.fixed_effects[0].values.data(), num_countries_);
    Eigen::VectorXd importer_effect =
        Eigen::Map<const Eigen::VectorXd>(estimate.fixed_effects[1].values.data(), num_countries_);
    if (hub_ >= 0) {
      Eigen::MatrixXd log_index = Eigen::MatrixXd::Constant(
          num_countries_, num_countries_, std::numeric_limits<double>::quiet_NaN());
      for (size_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
        log_index(exporters_[obs_idx], importers_[obs_idx]) =
            std::log(estimate.fitted[obs_idx]) - template_.offset[obs_idx];
      }
      // pi_h = 0 first, then the engine's normalisation: chi_0 = 0.
      importer_effect = log_index.row(hub_).transpose();
      exporter_effect = log_index.col(hub_).array() - importer_effect(hub_);
      const double shift = importer_effect(0);
      importer_effect.array() -= shift;
      exporter_effect.array() += shift;
    }
    double worst = 0;
    for (size_t obs_idx = 0; obs_idx < num_obs; ++obs_idx) {
      const double gap = exporter_effect(exporters_[obs_idx]) +
                         importer_effect(importers_[obs_idx]) + template_.offset[obs_idx] -
                         std::log(estimate.fitted[obs_idx]);
      worst = std::isnan(gap) ? INFINITY : std::max(worst, std::abs(gap));
    }
    constexpr double kMaxLogGap = 1e-9;
    if (!(worst <= kMaxLogGap)) {
      fitted.failure = fmt::format(
          "PPML fitted values are not of the fixed-effect form exp(pi_i + chi_j + o_ij) "
          "(largest |ln gap| {:.3g})",
          worst);
      return false;
    }
    fitted.exporter_effect = std::move(exporter_effect);
    fitted.importer_effect = std::move(importer_effect);
    return true;
  }

  int num_countries_;
  int hub_;
  std::vector<int32_t> exporters_, importers_;
  ModelFrame template_;
  EstimateOptions options_;
};

// Prices, output and expenditure implied by one fit.
struct State {
  Eigen::VectorXd x;  // ln w_hat (conditional: -ln Pi_hat), world-output normalisation
  Eigen::VectorXd a;  // exp(-theta x)
  double log_g = 0;   // ln g: a_i = exp(pi_i) / (g Y_i)
  Eigen::VectorXd new_output, new_expenditure;
  double expenditure_scale = 1;
  std::string failure;
};

struct Outcome {
  Termination termination = Termination::kNumericalFailure;
  std::string message;
  int iterations = 0;
  double max_excess = 0;
  PairPpml::Fitted fit;
  State state;
};

// The hub: the country with the largest domestic flow among those that trade
// (both ways) with every other country; -1 when there is none.
int FindHub(const Eigen::MatrixXd& flows) {
  int hub = -1;
  for (int country_idx = 0; country_idx < flows.rows(); ++country_idx) {
    if ((flows.row(country_idx).array() > 0).all() && (flows.col(country_idx).array() > 0).all() &&
        (hub < 0 || flows(country_idx, country_idx) > flows(hub, hub))) {
      hub = country_idx;
    }
  }
  return hub;
}

class GeppmlSolver {
 public:
  GeppmlSolver(const Baseline& baseline, const std::vector<std::string>& codes, double theta,
               bool full_endowment, ExpenditureRule rule)
      : baseline_(baseline),
        codes_(codes),
        theta_(theta),
        full_endowment_(full_endowment),
        rule_(rule) {
    hub_ = FindHub(baseline_.flows);
  }

  // Prices from the exporter effects (eq. 2-43), shifted to the world-output
  // normalisation sum_i Y_i w_hat_i = sum_i Y_i; then Y' and E'.
  bool StateFrom(const Eigen::VectorXd& exporter_effect, State& state) const {
    const Eigen::ArrayXd log_output = baseline_.output.array().log();
    state.x = (log_output - exporter_effect.array()) / theta_;
    const double shift =
        std::log((baseline_.output.array() * state.x.array().exp()).sum() / baseline_.world_output);
    state.x.array() -= shift;
    state.a = (-theta_ * state.x.array()).exp();
    state.log_g = (exporter_effect.array() - log_output - state.a.array().log()).mean();
    if (full_endowment_) {
      state.new_output = baseline_.output.array() * state.x.array().exp();
    } else {
      state.new_output = baseline_.output;
    }
    switch (rule_) {
      case ExpenditureRule::kFixed:
        state.new_expenditure = baseline_.expenditure;
        state.expenditure_scale = 1;
        break;
      case ExpenditureRule::kAdditive:
        state.expenditure_scale = state.new_output.sum() / baseline_.world_output;
        state.new_expenditure = state.new_output + state.expenditure_scale * baseline_.deficit;
        break;
      case ExpenditureRule::kMultiplicative:
        state.new_expenditure = baseline_.expenditure.array() * state.x.array().exp();
        state.expenditure_scale = state.new_output.sum() / state.new_expenditure.sum();
        state.new_expenditure *= state.expenditure_scale;
        break;
      case ExpenditureRule::kBalanced:
        state.new_expenditure = state.new_output;
        state.expenditure_scale = 1;
        break;
    }
    Eigen::Index worst_idx = 0;
    if (!state.x.allFinite()) {
      state.failure = "factory-gate prices are not finite";
      return false;
    }
    if (!state.new_expenditure.allFinite() || !(state.new_expenditure.minCoeff(&worst_idx) > 0)) {
      state.failure = fmt::format(
          "expenditure of {} would be {} (<= 0): its fixed trade surplus exceeds its "
          "counterfactual output; use multiplicative or removed imbalances (imbalances = "
          "\"multiplicative\" in a scenario)",
          CountryLabel(codes_, static_cast<int>(worst_idx)), state.new_expenditure(worst_idx));
      return false;
    }
    return true;
  }

  // A matrix on the support of the baseline with row totals Y' and column
  // totals E' (the data PPML needs: with two-way fixed effects it uses only
  // these totals). Start from the last fit with its rows scaled to Y' (eq.
  // 2-44: new output, last resistances), then close each column gap delta_j
  // through the hub h, which buys from and sells to everyone, without moving
  // any row total: every exporter i shifts sales between market j and market
  // h, in proportion to its sales there (delta_j < 0: from j to h; delta_j >
  // 0: from h to j). Column h then moves by -sum_{j != h} delta_j = delta_h,
  // as world spending equals world output.
  bool DependentWithTotals(const Eigen::MatrixXd& fitted, const State& state,
                           Eigen::MatrixXd& dependent) const {
    dependent = fitted;
    const Eigen::VectorXd sales = fitted.rowwise().sum();
    dependent.array().colwise() *= state.new_output.array() / sales.array();
    const Eigen::VectorXd gaps = state.new_expenditure - dependent.colwise().sum().transpose();
    const int num_countries = static_cast<int>(gaps.size());
    for (int importer_idx = 0; importer_idx < num_countries; ++importer_idx) {
      if (importer_idx == hub_ || gaps(importer_idx) >= 0) continue;
      const double others = dependent.col(importer_idx).sum() - dependent(hub_, importer_idx);
      const double fraction = -gaps(importer_idx) / others;
      if (!(fraction <= 1)) return false;
      for (int exporter_idx = 0; exporter_idx < num_countries; ++exporter_idx) {
        if (exporter_idx == hub_) continue;
        const double moved = fraction * dependent(exporter_idx, importer_idx);
        dependent(exporter_idx, importer_idx) -= moved;
        dependent(exporter_idx, hub_) += moved;
      }
    }
    const Eigen::VectorXd hub_column = dependent.col(hub_);
    for (int importer_idx = 0; importer_idx < num_countries; ++importer_idx) {
      if (importer_idx == hub_ || gaps(importer_idx) <= 0) continue;
      double source = 0;
      for (int exporter_idx = 0; exporter_idx < num_countries; ++exporter_idx) {
        if (baseline_.flows(exporter_idx, importer_idx) > 0) source += hub_column(exporter_idx);
      }
      for (int exporter_idx = 0; exporter_idx < num_countries; ++exporter_idx) {
        if (!(baseline_.flows(exporter_idx, importer_idx) > 0)) continue;
        const double moved = gaps(importer_idx) * hub_column(exporter_idx) / source;
        dependent(exporter_idx, importer_idx) += moved;
        dependent(exporter_idx, hub_) -= moved;
      }
    }
    return dependent.allFinite() && dependent.minCoeff() >= 0;
  }

  Outcome Run(const Eigen::MatrixXd& partial_effects, double tolerance, int max_iterations) const {
    Outcome outcome;
    const PairPpml ppml(baseline_, partial_effects, codes_, hub_);
    // Step III.a, the conditional fit: the baseline flows with the
    // counterfactual offset.
    outcome.fit = ppml.Fit(baseline_.flows, baseline_.world_output);
    if (!outcome.fit.ok) {
      outcome.message = outcome.fit.failure;
      return outcome;
    }
    if (!StateFrom(outcome.fit.exporter_effect, outcome.state)) {
      outcome.message = outcome.state.failure;
      return outcome;
    }
    // Step III.b, (i)-(iv).
    for (int iteration = 0;; ++iteration) {
      outcome.iterations = iteration;
      const Eigen::VectorXd sales = outcome.fit.flows.rowwise().sum();
      const Eigen::VectorXd purchases = outcome.fit.flows.colwise().sum().transpose();
      // ln of fitted over required totals: excess supply and excess spending.
      const Eigen::ArrayXd excess_supply = (sales.array() / outcome.state.new_output.array()).log();
      const Eigen::ArrayXd excess_spending =
          (purchases.array() / outcome.state.new_expenditure.array()).log();
      outcome.max_excess = excess_supply.abs().maxCoeff();
      const double max_budget = excess_spending.abs().maxCoeff();
      if (!std::isfinite(outcome.max_excess) || !std::isfinite(max_budget)) {
        outcome.message =
            fmt::format("fitted totals are not finite after {} iterations", iteration);
        return outcome;
      }
      if (std::max(outcome.max_excess, max_budget) <= tolerance) {
        outcome.termination = Termination::kConverged;
        outcome.message =
            fmt::format("converged after {} PPML re-estimations (max |ln excess supply| {:.3g})",
                        iteration, outcome.max_excess);
        return outcome;
      }
      if (!full_endowment_) {
        // Conditional GE is a single fit; totals off by more than the
        // tolerance mean the fit itself was not accurate enough.
        outcome.termination = Termination::kMaxIterations;
        outcome.message = fmt::format(
            "the conditional PPML fit reproduces the totals only to {:.3g} (tolerance {:.3g})",
            std::max(outcome.max_excess, max_budget), tolerance);
        return outcome;
      }
      if (iteration >= max_iterations) {
        outcome.termination = Termination::kMaxIterations;
        outcome.message = fmt::format(
            "stopped after {} PPML re-estimations with max |ln excess supply| {:.3g} > "
            "tolerance {:.3g}",
            iteration, outcome.max_excess, tolerance);
        return outcome;
      }
      if (hub_ < 0) {
        outcome.message = "GEPPML needs a country that trades both ways with every other country";
        return outcome;
      }
      // (ii) A dependent variable whose totals are the new output Y' and
      // expenditure E'; PPML only sees these totals.
      Eigen::MatrixXd dependent;
      if (!DependentWithTotals(outcome.fit.flows, outcome.state, dependent)) {
        outcome.message = fmt::format(
            "iteration {}: the expenditure adjustment through {} would make a flow negative",
            iteration + 1, CountryLabel(codes_, hub_));
        return outcome;
      }
      // (iii) Re-estimate; (i) new prices from its exporter effects.
      PairPpml::Fitted fit = ppml.Fit(dependent, baseline_.world_output);
      if (!fit.ok) {
        outcome.message = fmt::format("iteration {}: {}", iteration + 1, fit.failure);
        return outcome;
      }
      State state;
      if (!StateFrom(fit.exporter_effect, state)) {
        outcome.message = fmt::format("iteration {}: {}", iteration + 1, state.failure);
        return outcome;
      }
      outcome.fit = std::move(fit);
      outcome.state = std::move(state);
    }
  }

 private:
  const Baseline& baseline_;
  const std::vector<std::string>& codes_;
  double theta_;
  bool full_endowment_;
  ExpenditureRule rule_;
  int hub_ = -1;
};

// 100 * (after / (deflator * before) - 1).
Eigen::VectorXd PercentChange(const Eigen::VectorXd& before, const Eigen::VectorXd& after,
                              double deflator) {
  return 100.0 * (after.array() / (deflator * before.array()) - 1.0);
}

}  // namespace

GeResult SolveGeppml(const Eigen::MatrixXd& flows, const std::vector<std::string>& codes,
                     double theta, const Eigen::MatrixXd& partial_effects,
                     const GeOptions& options) {
  // Validation exactly as the hat-algebra path (kAdditive: GeProblem would
  // otherwise remove imbalances by hat algebra, which this path does itself).
  GeOptions checked_options = options;
  checked_options.imbalance = ImbalanceMode::kAdditive;
  const GeProblem checked(flows, codes, theta, checked_options);
  const std::vector<std::string>& country_codes = checked.codes();
  const int num_countries = checked.num_countries();
  ValidatePartialEffects(partial_effects, num_countries, country_codes);

  // A precondition of the method, not a failure to converge: the scenario
  // must choose the hat-algebra solver for this world.
  if (FindHub(flows) < 0) {
    throw Error(ErrorCode::kBadScenario,
                "GEPPML needs a country that trades both ways with every other country (none "
                "does in this baseline); use solver = \"hat\"");
  }
  GeResult result;
  Baseline baseline(flows);
  if (options.imbalance == ImbalanceMode::kRemoved) {
    // Dekle, Eaton & Kortum (2007, section III): the balanced baseline is the
    // counterfactual with unchanged costs and D' = 0, here solved by GEPPML.
    const GeppmlSolver removal(baseline, country_codes, theta, /*full_endowment=*/true,
                               ExpenditureRule::kBalanced);
    const Outcome balanced = removal.Run(Eigen::MatrixXd::Ones(num_countries, num_countries),
                                         options.tolerance, options.max_iterations);
    result.imbalance_removal_iterations = balanced.iterations;
    if (balanced.termination != Termination::kConverged) {
      result.termination = balanced.termination;
      result.message = "removing trade imbalances failed: " + balanced.message;
      return result;
    }
    baseline = Baseline(balanced.fit.flows);
    baseline.deficit.setZero();
  }

  const bool full_endowment = options.mode == GeMode::kFullEndowment;
  const ExpenditureRule rule = ExpenditureRuleFor(options);
  const GeppmlSolver solver(baseline, country_codes, theta, full_endowment, rule);
  Outcome outcome = solver.Run(partial_effects, options.tolerance, options.max_iterations);
  result.termination = outcome.termination;
  result.message = outcome.message;
  result.iterations = outcome.iterations;
  result.baseline_flows = baseline.flows;
  if (outcome.state.x.size() != num_countries || outcome.fit.flows.size() == 0) return result;
  State& state = outcome.state;
  result.log_price_state = state.x;
  result.max_log_excess_supply = outcome.max_excess;
  result.expenditure_scale = state.expenditure_scale;

  // P_hat_j^-theta from the importer effects (eq. 2-46).
  Eigen::VectorXd phi =
      state.new_expenditure.array() /
      (std::exp(state.log_g) * baseline.world_output * outcome.fit.importer_effect.array().exp());
  Eigen::MatrixXd new_flows = outcome.fit.flows;
  Eigen::VectorXd x = state.x;
  Eigen::VectorXd a = state.a;
  if (options.normalization == Normalization::kReferencePrice) {
    // P_hat_ref = 1: shift ln w_hat by c = ln(Phi_ref) / theta. Every nominal
    // value is homogeneous of degree one in the prices (full endowment);
    // conditional GE keeps Y and E, and only the resistances move.
    const double shift = std::log(phi(options.reference_country)) / theta;
    x.array() += shift;
    a *= std::exp(-theta * shift);
    phi *= std::exp(-theta * shift);
    if (full_endowment) {
      const double scale = std::exp(shift);
      new_flows *= scale;
      state.new_output *= scale;
      state.new_expenditure *= scale;
      // The additive deficit scale is sum Y' / sum Y in the new units.
      if (rule == ExpenditureRule::kAdditive) result.expenditure_scale *= scale;
    }
  }
  result.new_flows = new_flows;

  const Eigen::VectorXd row_sums = new_flows.rowwise().sum();
  const Eigen::VectorXd col_sums = new_flows.colwise().sum().transpose();
  result.market_clearing_residual =
      ((row_sums - state.new_output).cwiseAbs().array() / state.new_output.array()).maxCoeff();
  result.budget_residual =
      ((col_sums - state.new_expenditure).cwiseAbs().array() / state.new_expenditure.array())
          .maxCoeff();

  // Percent changes in units of world output, as GeProblem::Solve.
  const double world_output_hat = state.new_output.sum() / baseline.world_output;
  result.world_output_hat = world_output_hat;
  result.flow_change_pct =
      (baseline.flows.array() > 0)
          .select(100.0 * (new_flows.array() / (world_output_hat * baseline.flows.array()) - 1.0),
                  0.0);

  GeCountryResults& countries = result.countries;
  countries.codes = country_codes;
  const Eigen::VectorXd domestic_before = baseline.flows.diagonal();
  const Eigen::VectorXd domestic_after = new_flows.diagonal();
  countries.domestic_before = domestic_before;
  countries.domestic_after = domestic_after;
  countries.exports_before = baseline.output - domestic_before;
  countries.exports_after = row_sums - domestic_after;
  countries.exports_change_pct =
      PercentChange(countries.exports_before, countries.exports_after, world_output_hat);
  countries.imports_before = baseline.expenditure - domestic_before;
  countries.imports_after = col_sums - domestic_after;
  countries.imports_change_pct =
      PercentChange(countries.imports_before, countries.imports_after, world_output_hat);
  countries.output_before = baseline.output;
  countries.output_after = state.new_output;
  countries.expenditure_before = baseline.expenditure;
  countries.expenditure_after = state.new_expenditure;
  countries.trade_balance_before = countries.exports_before - countries.imports_before;
  countries.trade_balance_after = countries.exports_after - countries.imports_after;

  const Eigen::ArrayXd inward_hat = phi.array().pow(-1.0 / theta);
  countries.inward_resistance_hat = inward_hat;
  countries.inward_resistance_level =
      options.baseline_inward_resistance.size() == num_countries
          ? Eigen::VectorXd(options.baseline_inward_resistance.array() * inward_hat)
          : Eigen::VectorXd(inward_hat);
  // Pi_hat_i^-theta = T_i / (Y_i Y_hat_world) with T_i = sales_i / a_i
  // (eq. 2-45: the outward resistance is output over the exporter effect).
  countries.outward_resistance_hat =
      (row_sums.array() / (a.array() * baseline.output.array() * world_output_hat))
          .pow(-1.0 / theta);
  FillRealOutcomes(full_endowment, x, inward_hat, state.new_expenditure, baseline.expenditure, rule,
                   state.expenditure_scale, countries);
  result.groups = GroupResults(options, baseline.flows, new_flows);
  return result;
}

}  // namespace mizani

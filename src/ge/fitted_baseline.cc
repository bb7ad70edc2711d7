// The Advanced Guide's GEPPML procedure from a fitted baseline (Yotov et al.
// 2016, ch. 2; include/mizani/ge_fitted.h; docs/ge-solver.md, "Fitted
// baseline").
//
// Every constrained fit here is PPML with exporter and importer effects and
// the log trade costs as offset. Its first-order conditions say that the
// fitted row and column totals equal those of the dependent variable, and
// mu_ij = exp(pi_i) exp(chi_j) t_ij: the fit is the bi-proportional scaling
// of t to those totals, which we solve directly by alternating scaling
// (Sinkhorn / RAS) to a relative gap of 1e-13. That is the same estimate
// Stata's ppml returns at convergence, without an IRLS loop.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "ge/ge_common.h"
#include "mizani/error.h"
#include "mizani/ge_fitted.h"

namespace mizani {
namespace {

using ge_internal::CountryLabel;

[[noreturn]] void Fail(const std::string& message) {
  throw Error(ErrorCode::kBadScenario, message);
}

// One constrained PPML fit: the exporter and importer effects (as exp(pi),
// exp(chi), with exp(chi_ref) = 1) and the fitted values on every pair.
struct ConstrainedFit {
  Eigen::VectorXd exp_pi, exp_chi;
  Eigen::MatrixXd fitted;
  int iterations = 0;
  double gap = 0;
  bool ok = false;
};

// `dependent` NaN entries are left out of the totals and the scaling (Stata
// drops those rows) but are still predicted.
ConstrainedFit FitConstrained(const Eigen::MatrixXd& dependent, const Eigen::MatrixXd& costs,
                              int reference, const FittedGeOptions& options) {
  const Eigen::Index num_countries = dependent.rows();
  const Eigen::MatrixXd observed =
      dependent.unaryExpr([](double value) { return std::isnan(value) ? 0.0 : 1.0; });
  const Eigen::MatrixXd weights = costs.cwiseProduct(observed);
  const Eigen::MatrixXd values =
      dependent.unaryExpr([](double value) { return std::isnan(value) ? 0.0 : value; });
  const Eigen::VectorXd row_totals = values.rowwise().sum();
  const Eigen::VectorXd col_totals = values.colwise().sum().transpose();
  ConstrainedFit fit;
  fit.exp_pi = Eigen::VectorXd::Ones(num_countries);
  fit.exp_chi = Eigen::VectorXd::Ones(num_countries);
  for (int iteration = 1; iteration <= options.max_fit_iterations; ++iteration) {
    fit.exp_pi = row_totals.cwiseQuotient(weights * fit.exp_chi);
    fit.exp_chi = col_totals.cwiseQuotient(weights.transpose() * fit.exp_pi);
    // Columns now match exactly; the rows measure the remaining gap.
    const Eigen::VectorXd rows = fit.exp_pi.cwiseProduct(weights * fit.exp_chi);
    fit.gap = ((rows - row_totals).cwiseAbs().array() / row_totals.array()).maxCoeff();
    fit.iterations = iteration;
    if (!std::isfinite(fit.gap)) return fit;
    if (fit.gap <= options.fit_tolerance) break;
  }
  // Normalisation of the do-files: the reference importer's effect is omitted.
  const double scale = fit.exp_chi(reference);
  fit.exp_chi /= scale;
  fit.exp_pi *= scale;
  fit.fitted = (fit.exp_pi * fit.exp_chi.transpose()).cwiseProduct(costs);
  fit.ok = fit.gap <= options.fit_tolerance && fit.fitted.allFinite();
  return fit;
}

Eigen::VectorXd InternationalExports(const Eigen::MatrixXd& flows) {
  return flows.rowwise().sum() - flows.diagonal();
}

void Validate(const FittedGeInputs& inputs, const FittedGeOptions& options) {
  const Eigen::Index num_countries = inputs.flows.rows();
  if (inputs.flows.cols() != num_countries || num_countries < 2) {
    Fail(
        fmt::format("fitted GE: flows must be a square matrix of at least 2 countries, got {} x {}",
                    inputs.flows.rows(), inputs.flows.cols()));
  }
  if (static_cast<Eigen::Index>(inputs.codes.size()) != num_countries) {
    Fail(fmt::format("fitted GE: {} codes for {} countries", inputs.codes.size(), num_countries));
  }
  std::set<std::string> seen(inputs.codes.begin(), inputs.codes.end());
  if (static_cast<Eigen::Index>(seen.size()) != num_countries) {
    Fail("fitted GE: country codes must be unique");
  }
  for (const auto* costs : {&inputs.baseline_costs, &inputs.counterfactual_costs}) {
    const char* what = costs == &inputs.baseline_costs ? "baseline" : "counterfactual";
    if (costs->rows() != num_countries || costs->cols() != num_countries) {
      Fail(fmt::format("fitted GE: {} trade costs are {} x {} for {} countries", what,
                       costs->rows(), costs->cols(), num_countries));
    }
    for (Eigen::Index importer_idx = 0; importer_idx < num_countries; ++importer_idx) {
      for (Eigen::Index exporter_idx = 0; exporter_idx < num_countries; ++exporter_idx) {
        const double cost = (*costs)(exporter_idx, importer_idx);
        if (!(cost > 0) || !std::isfinite(cost)) {
          Fail(
              fmt::format("fitted GE: {} trade cost t^(1-sigma) from {} to {} is {}; it must be "
                          "positive and finite",
                          what, CountryLabel(inputs.codes, static_cast<int>(exporter_idx)),
                          CountryLabel(inputs.codes, static_cast<int>(importer_idx)), cost));
        }
      }
    }
  }
  for (Eigen::Index country_idx = 0; country_idx < num_countries; ++country_idx) {
    double sales = 0;
    double purchases = 0;
    for (Eigen::Index partner_idx = 0; partner_idx < num_countries; ++partner_idx) {
      const double sale = inputs.flows(country_idx, partner_idx);
      const double purchase = inputs.flows(partner_idx, country_idx);
      if (sale < 0 || purchase < 0 || std::isinf(sale) || std::isinf(purchase)) {
        Fail(fmt::format("fitted GE: flows of {} must be finite and non-negative",
                         CountryLabel(inputs.codes, static_cast<int>(country_idx))));
      }
      if (!std::isnan(sale)) sales += sale;
      if (!std::isnan(purchase)) purchases += purchase;
    }
    if (!(sales > 0) || !(purchases > 0) || !(inputs.flows(country_idx, country_idx) > 0)) {
      Fail(
          fmt::format("fitted GE: {} needs positive output, expenditure and domestic flow "
                      "(output {}, expenditure {})",
                      CountryLabel(inputs.codes, static_cast<int>(country_idx)), sales, purchases));
    }
  }
  if (inputs.reference_country < 0 || inputs.reference_country >= num_countries) {
    Fail(fmt::format("fitted GE: reference country index {} is out of range [0, {})",
                     inputs.reference_country, num_countries));
  }
  if (!(inputs.sigma > 1) || !std::isfinite(inputs.sigma)) {
    Fail(fmt::format("fitted GE: sigma must be > 1, got {}", inputs.sigma));
  }
  if (!(options.price_tolerance > 0) || !(options.converged_tolerance > 0) ||
      !(options.fit_tolerance > 0) || options.max_iterations < 1 ||
      options.max_fit_iterations < 1) {
    Fail("fitted GE: tolerances and iteration limits must be positive");
  }
}

// The do-files' loop variables for one iteration s.
struct Iterate {
  Eigen::VectorXd exp_pi, exp_chi, output, expenditure, price_change, omr, imr;
  Eigen::VectorXd omr_change, imr_change;
  double reference_expenditure = 0;
  Eigen::MatrixXd fitted;
};

// The full-endowment step solved exactly: hat algebra from the fitted
// baseline, B = t_CFL / t_BLN, E' = kappa phi Y', P of the reference fixed;
// the results then written in the do-files' definitions (OMR_i = sum_j t_ij
// E_j / IMR_j, IMR_j = P_j^(1-sigma), both in the units of eqs. 2-45/2-46).
void SolveExactly(const FittedGeInputs& inputs, const FittedGeOptions& options,
                  const Eigen::MatrixXd& fitted_baseline, FittedGeResult& result) {
  const double inv = 1.0 / (1.0 - inputs.sigma);
  GeOptions ge_options;
  ge_options.mode = GeMode::kFullEndowment;
  ge_options.imbalance = ImbalanceMode::kMultiplicative;
  ge_options.normalization = Normalization::kReferencePrice;
  ge_options.reference_country = inputs.reference_country;
  ge_options.tolerance = options.converged_tolerance;
  ge_options.max_iterations = std::max(options.max_iterations, 2000);
  const GeResult solved =
      SolveGe(fitted_baseline, inputs.codes, inputs.sigma - 1,
              inputs.counterfactual_costs.cwiseQuotient(inputs.baseline_costs), ge_options);
  result.termination = solved.termination;
  result.message = "exact hat algebra from the fitted baseline: " + solved.message;
  result.iterations = solved.iterations;
  if (!solved.converged()) return;
  const GeCountryResults& countries = solved.countries;
  result.factory_gate_price_hat = countries.factory_gate_price_hat;
  // The do-files' Y_FULL = p_hat Y and E_FULL = phi Y_FULL on observed
  // levels; kappa (1 up to O(shock)) is kept in E'.
  result.output_full = result.factory_gate_price_hat.cwiseProduct(result.output);
  result.expenditure_full = result.expenditure.cwiseProduct(countries.expenditure_after)
                                .cwiseQuotient(countries.expenditure_before);
  result.imr_full =
      result.imr_baseline.array() * countries.inward_resistance_hat.array().pow(1.0 - inputs.sigma);
  const Eigen::VectorXd spending_over_imr = result.expenditure_full.cwiseQuotient(result.imr_full);
  result.omr_full = inputs.counterfactual_costs * spending_over_imr;
  result.flows_full =
      (result.output_full.cwiseQuotient(result.omr_full) * spending_over_imr.transpose())
          .cwiseProduct(inputs.counterfactual_costs);
  result.exports_full = InternationalExports(result.flows_full);
  result.real_gdp_full = result.output_full.array() / result.imr_full.array().pow(inv);
}

// An iterate from one constrained fit and its Y and E: the do-files'
// OMR = Y E_R / exp(pi) and IMR = E / (exp(chi) E_R), E_R the reference's E.
Iterate MakeIterate(const ConstrainedFit& fit, Eigen::VectorXd output, Eigen::VectorXd expenditure,
                    int reference) {
  Iterate iterate;
  iterate.exp_pi = fit.exp_pi;
  iterate.exp_chi = fit.exp_chi;
  iterate.fitted = fit.fitted;
  iterate.output = std::move(output);
  iterate.expenditure = std::move(expenditure);
  iterate.reference_expenditure = iterate.expenditure(reference);
  iterate.omr = iterate.output.array() * iterate.reference_expenditure / iterate.exp_pi.array();
  iterate.imr =
      iterate.expenditure.array() / (iterate.exp_chi.array() * iterate.reference_expenditure);
  return iterate;
}

}  // namespace

FittedGeResult SolveFittedGe(const FittedGeInputs& inputs, const FittedGeOptions& options) {
  Validate(inputs, options);
  const Eigen::Index num_countries = inputs.flows.rows();
  const int ref = inputs.reference_country;
  const double sigma = inputs.sigma;
  const double inv = 1.0 / (1.0 - sigma);
  FittedGeResult result;
  result.codes = inputs.codes;

  const Eigen::MatrixXd observed =
      inputs.flows.unaryExpr([](double value) { return std::isnan(value) ? 0.0 : value; });
  const Eigen::VectorXd output = observed.rowwise().sum();
  const Eigen::VectorXd expenditure = observed.colwise().sum().transpose();
  const double reference_expenditure = expenditure(ref);
  const Eigen::VectorXd phi = expenditure.cwiseQuotient(output);
  result.output = output;
  result.expenditure = expenditure;

  auto fit_or_fail = [&](const Eigen::MatrixXd& dependent, const char* what, ConstrainedFit& fit) {
    fit = FitConstrained(dependent, inputs.counterfactual_costs, ref, options);
    if (!fit.ok) {
      result.message = fmt::format(
          "the {} PPML fit did not reach its totals (gap {:.3g} after {} "
          "scalings)",
          what, fit.gap, fit.iterations);
    }
    return fit.ok;
  };

  // Step I (pp. 104-105, 113): the constrained baseline.
  const ConstrainedFit baseline = FitConstrained(inputs.flows, inputs.baseline_costs, ref, options);
  if (!baseline.ok) {
    result.message =
        fmt::format("the baseline PPML fit did not reach its totals (gap {:.3g})", baseline.gap);
    return result;
  }
  result.fitted_baseline = baseline.fitted;
  result.exports_baseline = InternationalExports(baseline.fitted);
  result.omr_baseline = output.array() * reference_expenditure / baseline.exp_pi.array();
  result.imr_baseline = expenditure.array() / (baseline.exp_chi.array() * reference_expenditure);
  result.real_gdp_baseline = output.array() / result.imr_baseline.array().pow(inv);
  // The direct (partial) effect: the fitted baseline with the new costs only.
  const Eigen::MatrixXd cost_change =
      inputs.counterfactual_costs.cwiseQuotient(inputs.baseline_costs);
  result.exports_partial = InternationalExports(baseline.fitted.cwiseProduct(cost_change));

  // Step III.a (pp. 98-99, 105-106): the conditional fit, observed flows.
  ConstrainedFit conditional;
  if (!fit_or_fail(inputs.flows, "conditional", conditional)) return result;
  result.fitted_conditional = conditional.fitted;
  result.exports_conditional = InternationalExports(conditional.fitted);
  result.omr_conditional = output.array() * reference_expenditure / conditional.exp_pi.array();
  result.imr_conditional =
      expenditure.array() / (conditional.exp_chi.array() * reference_expenditure);

  if (options.stopping == FittedGeStopping::kConverged) {
    SolveExactly(inputs, options, baseline.fitted, result);
    return result;
  }

  // Step III.b (pp. 99-102, 107-108): s = 0 the baseline, s = 1 conditional.
  // Only the last three iterates are needed (the test looks one step back).
  std::deque<Iterate> iterates;
  iterates.push_back(MakeIterate(baseline, output, expenditure, ref));
  iterates.back().price_change = Eigen::VectorXd::Zero(num_countries);  // "change_pricei_0 = 0"
  iterates.push_back(MakeIterate(conditional, output, expenditure, ref));
  Iterate& one = iterates.back();
  // Eq. 2-43: p_hat = (exp(pi') / E_R' / (exp(pi) / E_R))^(1/(1-sigma)).
  one.price_change = (conditional.exp_pi.array() / baseline.exp_pi.array()).pow(inv);
  one.omr_change = Eigen::VectorXd::Ones(num_countries);
  one.imr_change = Eigen::VectorXd::Ones(num_countries);

  const double num_rows = static_cast<double>(num_countries * num_countries);
  for (int iteration = 1;; ++iteration) {
    const Iterate& last = iterates.back();
    // (ii) Eq. 2-44: the last fit scaled by the price and resistance changes.
    Eigen::MatrixXd dependent = last.fitted;
    dependent.array().colwise() *= (last.price_change.array() / last.omr_change.array());
    dependent.array().rowwise() *=
        (last.price_change.array() / last.imr_change.array()).transpose();
    // (iii) Re-estimate with the counterfactual costs.
    ConstrainedFit fit;
    if (!fit_or_fail(dependent, "full-endowment", fit)) {
      result.iterations = iteration;
      return result;
    }
    const Eigen::VectorXd next_output = fit.fitted.rowwise().sum();
    Iterate next = MakeIterate(fit, next_output, phi.cwiseProduct(next_output), ref);
    const double reference_ratio = next.reference_expenditure / last.reference_expenditure;
    next.price_change = ((next.exp_pi.array() / last.exp_pi.array()) / reference_ratio).pow(inv);
    next.omr_change = next.omr.cwiseQuotient(last.omr);
    next.imr_change = next.imr.cwiseQuotient(last.imr);
    iterates.push_back(std::move(next));
    if (iterates.size() > 3) iterates.pop_front();
    result.iterations = iteration;

    // (iv) The do-file's test, on the change between the two previous price
    // updates (one iteration behind), over its N^2 rows: sd and |max|.
    const size_t count = iterates.size();
    const Eigen::ArrayXd difference =
        iterates[count - 2].price_change.array() - iterates[count - 3].price_change.array();
    const double mean = difference.mean();
    result.price_change_sd = std::sqrt(static_cast<double>(num_countries) *
                                       (difference - mean).square().sum() / (num_rows - 1));
    result.price_change_max = std::abs(difference.maxCoeff());
    if (result.price_change_sd <= options.price_tolerance &&
        result.price_change_max <= options.price_tolerance) {
      result.termination = Termination::kConverged;
      result.message = fmt::format("stopped after {} PPML re-estimations", iteration);
      break;
    }
    if (iteration >= options.max_iterations) {
      result.termination = Termination::kMaxIterations;
      result.message = fmt::format("no convergence after {} PPML re-estimations", iteration);
      break;
    }
  }

  // Eqs. 2-45 to 2-50, from the last iterate S.
  const Iterate& final_iterate = iterates.back();
  result.factory_gate_price_hat = ((final_iterate.exp_pi.array() / baseline.exp_pi.array()) /
                                   (final_iterate.reference_expenditure / reference_expenditure))
                                      .pow(inv);
  result.output_full = result.factory_gate_price_hat.cwiseProduct(output);
  result.expenditure_full = phi.cwiseProduct(result.output_full);
  result.omr_full = result.output_full.array() * final_iterate.reference_expenditure /
                    final_iterate.exp_pi.array();
  result.imr_full = final_iterate.expenditure.array() /
                    (final_iterate.exp_chi.array() * final_iterate.reference_expenditure);
  result.flows_full = (result.output_full.cwiseQuotient(result.omr_full) *
                       result.expenditure_full.cwiseQuotient(result.imr_full).transpose())
                          .cwiseProduct(inputs.counterfactual_costs);
  result.exports_full = InternationalExports(result.flows_full);
  result.real_gdp_full = result.output_full.array() / result.imr_full.array().pow(inv);
  return result;
}

FittedGeEffects FittedGePercentChanges(const FittedGeResult& result, double sigma,
                                       FittedGeDirection direction) {
  const double inv = 1.0 / (1.0 - sigma);
  const bool forward = direction == FittedGeDirection::kCounterfactualVsBaseline;
  // 100 (after - before) / before, `after` the counterfactual when forward.
  auto change = [forward](const Eigen::VectorXd& baseline, const Eigen::VectorXd& counterfactual) {
    const Eigen::VectorXd& before = forward ? baseline : counterfactual;
    const Eigen::VectorXd& after = forward ? counterfactual : baseline;
    return Eigen::VectorXd(100.0 * (after - before).array() / before.array());
  };
  auto index = [inv](const Eigen::VectorXd& level) {
    return Eigen::VectorXd(level.array().pow(inv));
  };
  FittedGeEffects effects;
  effects.exports_partial = change(result.exports_baseline, result.exports_partial);
  effects.exports_conditional = change(result.exports_baseline, result.exports_conditional);
  effects.exports_full = change(result.exports_baseline, result.exports_full);
  const Eigen::ArrayXd price_change = 100.0 * (result.factory_gate_price_hat.array() - 1.0);
  effects.factory_gate_price = price_change;
  if (!forward) effects.factory_gate_price = -effects.factory_gate_price;
  effects.real_gdp = change(result.real_gdp_baseline, result.real_gdp_full);
  effects.imr_conditional = change(index(result.imr_baseline), index(result.imr_conditional));
  effects.imr_full = change(index(result.imr_baseline), index(result.imr_full));
  effects.omr_conditional = change(index(result.omr_baseline), index(result.omr_conditional));
  effects.omr_full = change(index(result.omr_baseline), index(result.omr_full));
  return effects;
}

}  // namespace mizani

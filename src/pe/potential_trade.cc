// Potential trade where there is none to start from (docs/pe.md, "Market
// access"): PPML of an exporter's sales of one product across destinations,
// y_j = exp(b0 + x_j'b), fitted with the estimate layer and evaluated at the
// target destination's regressors. Santos Silva and Tenreyro (2006) for PPML
// with zeros; the prediction is a potential, not a forecast.
#include <fmt/format.h>

#include <cmath>

#include "mizani/error.h"
#include "mizani/estimate.h"
#include "mizani/formula.h"
#include "mizani/pe.h"

namespace mizani::pe {

PotentialTradeEstimate EstimatePotentialTrade(const Table& comparables,
                                              const std::string& trade_column,
                                              const std::vector<std::string>& regressors,
                                              const std::map<std::string, double>& target) {
  if (regressors.empty()) {
    throw Error(ErrorCode::kBadModel, "potential trade: at least one regressor is needed");
  }
  std::string text = trade_column + " ~ ";
  for (size_t idx = 0; idx < regressors.size(); ++idx) {
    if (idx > 0) text += " + ";
    text += regressors[idx];
    if (target.find(regressors[idx]) == target.end()) {
      throw Error(ErrorCode::kBadModel,
                  fmt::format("potential trade: the target has no value for regressor '{}'",
                              regressors[idx]));
    }
  }
  EstimateOptions options;
  options.family = Family::kPoisson;
  options.threads = 1;
  options.check_separation = true;
  options.vcov.type = VcovType::kHetero;
  const EstimateResult fit = Estimate(comparables, ParseFormula(text), {}, options);
  PotentialTradeEstimate out;
  out.formula = text;
  out.num_obs = fit.num_obs;
  out.coef_names = fit.coef_names;
  out.coefficients.assign(fit.coef.data(), fit.coef.data() + fit.coef.size());
  out.pseudo_r2 = fit.pseudo_r2;
  out.converged = fit.converged();
  out.message = fit.message;
  double eta = 0;
  for (size_t idx = 0; idx < out.coef_names.size(); ++idx) {
    const std::string& name = out.coef_names[idx];
    if (name == "(Intercept)") {
      eta += out.coefficients[idx];
    } else {
      eta += out.coefficients[idx] * target.at(name);
    }
  }
  out.predicted = std::exp(eta);
  return out;
}

}  // namespace mizani::pe

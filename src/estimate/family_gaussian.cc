// Gaussian least squares (OLS) with fixed effects: identity link, V(mu) = 1,
// solved directly from one weighted projection of [y, X] (fit_ols.cc).
#include "estimate/family.h"

namespace mizani::estimate {

namespace {

class Gaussian final : public EstimatorFamily {
 public:
  Family id() const override { return Family::kGaussian; }
  const char* key() const override { return "ols"; }
  const char* glm_name() const override { return "gaussian"; }
  const char* label() const override { return "OLS"; }

  double Link(double mu) const override { return mu; }
  double InverseLink(double eta) const override { return eta; }
  double Variance(double /*mu*/) const override { return 1; }
  double UnitDeviance(double y, double mu) const override { return (y - mu) * (y - mu); }
  // No iterations: the start is the outcome itself.
  double StartMean(double y, double /*typical*/) const override { return y; }

  bool least_squares() const override { return true; }
  bool nonnegative_outcome() const override { return false; }
  bool drops_all_zero_groups() const override { return false; }
  bool can_be_separated() const override { return false; }

  EstimateResult Fit(FitInputs inputs, EstimateResult result) const override {
    FinishCounts(inputs.frame, result);
    return FitGaussian(inputs.frame, inputs.options, std::move(result));
  }
};

}  // namespace

const EstimatorFamily& GaussianFamily() {
  static const Gaussian family;
  return family;
}

}  // namespace mizani::estimate

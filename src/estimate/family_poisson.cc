// Poisson pseudo-maximum likelihood (PPML; Santos Silva & Tenreyro 2006): log
// link, V(mu) = mu, fitted by IRLS with high-dimensional fixed effects
// (irls.cc).
#include <cmath>

#include "estimate/family.h"
#include "estimate/irls.h"

namespace mizani::estimate {

namespace {

class Poisson final : public EstimatorFamily {
 public:
  Family id() const override { return Family::kPoisson; }
  const char* key() const override { return "ppml"; }
  const char* glm_name() const override { return "poisson"; }
  const char* label() const override { return "PPML"; }

  double Link(double mu) const override { return std::log(mu); }
  double InverseLink(double eta) const override { return std::exp(eta); }
  double Variance(double mu) const override { return mu; }
  // 2 (y log(y / mu) - (y - mu)), with y log y = 0 at y = 0.
  double UnitDeviance(double y, double mu) const override {
    return 2 * ((y > 0 ? y * std::log(y / mu) : 0.0) - (y - mu));
  }
  // y + 0.015 typical: positive where y = 0, and close to y elsewhere (the
  // choice and its effect on iterations: irls.cc, StartValues).
  double StartMean(double y, double typical) const override {
    return y + PoissonStartShift(typical);
  }

  bool least_squares() const override { return false; }
  bool nonnegative_outcome() const override { return true; }
  bool drops_all_zero_groups() const override { return true; }
  bool can_be_separated() const override { return true; }

  EstimateResult Fit(FitInputs inputs, EstimateResult result) const override {
    return FitPoisson(inputs.frame, inputs.options, std::move(inputs.sample), inputs.pool,
                      inputs.caller_source_row, std::move(result));
  }
};

}  // namespace

const EstimatorFamily& PoissonFamily() {
  static const Poisson family;
  return family;
}

}  // namespace mizani::estimate

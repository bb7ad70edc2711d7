// The estimator family: the seam between Fit's shared stages and what one
// model (Poisson PML, Gaussian least squares; others later) defines. A family
// is one class implementing EstimatorFamily in its own file (family_*.cc)
// plus one row in the registry (family.cc) and its enumerator in Family
// (include/mizani/estimate.h); the command line, the scenario parser and the
// Python binding take its names from that registry (FamilyNames).
//
// The scalar pieces are the generalised linear model's (McCullagh & Nelder
// 1989, ch. 2: link g, variance function V, unit deviance d): they are the
// family's definition, which the vectorised kernels of its fit path (irls.cc
// for Poisson: mu = exp(eta) and the deviance in blocks) implement and are
// tested against. The fit path itself is Fit(): IRLS for a family whose
// likelihood needs iterations, one weighted projection for least squares.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/buffer_pool.h"
#include "estimate/fit_stages.h"
#include "mizani/estimate.h"

namespace mizani::estimate {

// What a family's fit path receives from the driver (fit.cc) after the
// shared cleaning stage.
struct FitInputs {
  ModelFrame& frame;
  const EstimateOptions& options;
  CleanedSample sample;  // the separation check's projector, when reusable
  BufferPool& pool;
  // The caller's row order, for fitted values (TrackRowOrder).
  const std::vector<int64_t>& caller_source_row;
};

class EstimatorFamily {
 public:
  EstimatorFamily() = default;
  EstimatorFamily(const EstimatorFamily&) = delete;
  EstimatorFamily& operator=(const EstimatorFamily&) = delete;
  virtual ~EstimatorFamily() = default;

  virtual Family id() const = 0;
  // The name of outputs ("ppml": JSON `estimator`, the CLI's first name),
  // the GLM family's own name ("poisson": the second name users may write,
  // the Python result's `family`) and the label of tables ("PPML").
  virtual const char* key() const = 0;
  virtual const char* glm_name() const = 0;
  virtual const char* label() const = 0;

  // eta = g(mu), mu = g^-1(eta), V(mu), and the unit deviance d(y, mu), whose
  // (frequency-weighted) sum is the deviance.
  virtual double Link(double mu) const = 0;
  virtual double InverseLink(double eta) const = 0;
  virtual double Variance(double mu) const = 0;
  virtual double UnitDeviance(double y, double mu) const = 0;
  // The start of the iterations for an outcome y of a sample whose
  // positive outcomes have the geometric mean `typical`.
  virtual double StartMean(double y, double typical) const = 0;

  // The least-squares path (one projection, dispersion estimated from the
  // residuals, Stata's `regress` small-sample rule) rather than IRLS.
  virtual bool least_squares() const = 0;
  // The outcome must be >= 0 (an error in the data otherwise), and a
  // fixed-effect group whose outcome is all zero has no finite estimate
  // (dropped, Correia, Guimarães & Zylkin 2020), nor has a separated
  // observation (the ReLU check).
  virtual bool nonnegative_outcome() const = 0;
  virtual bool drops_all_zero_groups() const = 0;
  virtual bool can_be_separated() const = 0;

  // The fit of the cleaned sample: coefficients, statistics, variance and
  // fixed effects into `result` (the stages of fit_stages.h).
  virtual EstimateResult Fit(FitInputs inputs, EstimateResult result) const = 0;
};

// The implementations, one file each.
const EstimatorFamily& PoissonFamily();   // family_poisson.cc
const EstimatorFamily& GaussianFamily();  // family_gaussian.cc

// The registry (family.cc): the implementation of `family`.
const EstimatorFamily& FamilyOf(Family family);

}  // namespace mizani::estimate

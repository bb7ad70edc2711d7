// The per-observation step of a PPML IRLS iteration (irls.cc): the linear
// predictor from the coefficients, mu = exp(eta), the next working outcome
// and the deviance terms, in one pass over the rows. Kept free of I/O and
// of the fit's state: it takes flat arrays.
//
// Suffixes as in fe_projector.h (`_N` per observation, `_C` per regressor,
// `_Q` per fixed-effect dimension).
#pragma once

#include <cstdint>

namespace mizani::estimate {

struct IrlsRows {
  int64_t num_obs = 0;
  const double* y_N = nullptr;
  const double* freq_N = nullptr;    // frequency weights; null: one
  const double* offset_N = nullptr;  // null: none
  const double* x_NC = nullptr;      // column-major, num_obs x num_cols
  int num_cols = 0;
  const double* beta_C = nullptr;
  // The fixed-effect part of eta: sum over dimensions of
  // effect_Q[q][ids_Q[q][obs]].
  int num_dims = 0;
  const int32_t* const* ids_Q = nullptr;
  const double* const* effect_Q = nullptr;
  double* eta_N = nullptr;
  const double* eta_old_N = nullptr;  // the previous iterate (step-halving)
  double* mu_N = nullptr;
  double* z_N = nullptr;  // receives the next working outcome
};

enum class EtaUpdate {
  kFullStep,  // eta = offset + D effect + X beta
  kHalfway,   // eta = (eta + eta_old) / 2
};

// eta = offset + D effect + X beta on rows [begin, end) (eta_old, mu and z
// are not used). The separation check's fitted values are the same sum.
void LinearPredictor(const IrlsRows& rows, int64_t begin, int64_t end);

// Updates eta on rows [begin, end), then mu = exp(eta) and
// z = eta - offset + (y - mu) / mu; returns sum fw (y (eta + 1) - mu),
// from which the caller forms the deviance.
double IrlsRowPass(const IrlsRows& rows, EtaUpdate update, int64_t begin, int64_t end);

}  // namespace mizani::estimate

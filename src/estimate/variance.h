// Variance-covariance estimators for PPML and OLS after the fixed effects
// have been projected out (Frisch–Waugh–Lovell: scores use the projected
// regressors). One-way and multi-way clustering follow Cameron, Gelbach &
// Miller (2011, JBES 29(2)): V = sum over non-empty subsets S of the cluster
// dimensions of (-1)^(|S|+1) V_S, V_S clustered on the intersection of S.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "mizani/communicator.h"
#include "mizani/estimate.h"

namespace mizani::estimate {

struct VarianceInput {
  const Eigen::Map<const Eigen::MatrixXd>* X_tilde = nullptr;  // N x K projected regressors
  const std::vector<double>* weights = nullptr;  // IRLS weights w (mu*fw for PPML, fw for OLS)
  const std::vector<double>* resid = nullptr;    // y - mu (PPML) or OLS residual
  const std::vector<double>* freq = nullptr;     // frequency weights, may be empty
  Eigen::MatrixXd bread;                         // (X~' W X~)^-1
  int64_t num_obs = 0;                           // sum of frequency weights
  int64_t num_params = 0;                        // K + fixed-effect dof (for N-K)
  double sigma2 = 1;                             // OLS IID residual variance
  Family family = Family::kPoisson;
  // Sharded fit (docs/distributed.md): X_tilde, weights, resid and freq hold
  // this rank's rows, rows[i] is row i's index in `frame` (whose cluster ids
  // are global), and the meat's sums are reduced across comm's ranks.
  const std::vector<int64_t>* rows = nullptr;
  Communicator* comm = nullptr;
};

struct VarianceOutput {
  Eigen::MatrixXd vcov;
  std::vector<int64_t> num_clusters;
  std::string description;
};

VarianceOutput ComputeVariance(const VarianceInput& input, const ModelFrame& frame,
                               const VcovOptions& options);

}  // namespace mizani::estimate

// PPML by IRLS with high-dimensional fixed effects, as stages over one
// shared state (PoissonState): start values, collinearity, the IRLS loop with
// its convergence controller, fit statistics, variance and fixed-effect
// recovery. FitPoisson (irls.cc) runs them in order. Suffixes as in
// hdfe/fe_projector.h.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <span>
#include <vector>

#include "common/buffer_pool.h"
#include "common/parallel.h"
#include "estimate/fit_stages.h"
#include "estimate/frame_ops.h"
#include "estimate/hdfe/fe_projector.h"
#include "estimate/separation.h"
#include "mizani/communicator.h"
#include "mizani/estimate.h"

namespace mizani::estimate {

// What the stages of a PPML fit share: the frame, the projector, the
// per-observation work arrays and the coefficients.
//
// A sharded fit (options.communicator of several ranks, docs/distributed.md)
// has `frame` hold this rank's rows (ShardOf) and `whole` the whole cleaned
// frame, which every rank holds: its labels, cluster ids, counts and the
// fixed-effect degrees of freedom. Every sum over observations is reduced
// (Reduce, ReduceMax), so every rank takes the same decisions and holds the
// same result. One process: `whole` is `frame`, `rows` and `comm` null.
struct PoissonState {
  PoissonState(ModelFrame& frame_in, ModelFrame& whole_in, const EstimateOptions& options_in,
               FeProjector& projector_in, BufferPool& pool_in);

  ModelFrame& frame;
  ModelFrame& whole;
  Communicator* comm = nullptr;
  const std::vector<int64_t>* rows = nullptr;  // whole-frame row of each of frame's rows
  const EstimateOptions& options;
  FeProjector& projector;
  BufferPool& pool;
  const int threads;
  const int64_t num_obs;
  int num_cols;  // regressors still in the model (collinear ones removed)
  const bool has_offset;
  const std::vector<double>& freq;  // frequency weights; empty: one

  double total_w = 0;    // sum of the frequency weights
  double mean_y = 0;     // their weighted mean of y
  double sum_ylogy = 0;  // S = sum fw y log y (the deviance's constant)
  double null_dev = 0;
  // The working outcome z; mu, eta and the previous eta (step-halving).
  std::vector<double> z, mu, eta, eta_old;
  std::vector<double> weight_storage;  // mu * fw, with frequency weights
  std::vector<double> alpha;           // projection warm start, level-major (z, X...)
  std::vector<double> effect_G;        // gamma = alpha_z - alpha_X beta, per level
  Eigen::VectorXd beta;
  int last_halvings = 0;  // halvings of the last IRLS step

  // Sums (maxima) over this rank's rows made the whole sample's, in place.
  void Reduce(std::span<double> values) const { ReduceSum(comm, values); }
  double ReduceMax(double value) const {
    if (comm != nullptr) comm->AllreduceMax(std::span<double>(&value, 1));
    return value;
  }

  // IRLS weights mu * fw; with unit frequency weights they are mu itself.
  const std::vector<double>& weight() const { return freq.empty() ? mu : weight_storage; }
  void UpdateWeights();

  // The per-observation steps run on all threads too: on millions of rows
  // they are a fifth of the time.
  template <typename Body>
  void ForRows(Body&& body) const {
    ParallelFor(threads, num_obs, [&](int, int64_t begin, int64_t end) { body(begin, end); });
  }
};

// The start's shift, mu = y + shift, for a sample whose positive outcomes
// have the geometric mean `typical` (irls.cc says why).
double PoissonStartShift(double typical);

// Start values (irls.cc): mu = y + PoissonStartShift(geometric mean of the
// positive outcomes), eta = log mu, S and the null deviance.
void StartValues(PoissonState& state);

// Collinearity before the first step (collinearity.cc): drops collinear
// regressors and sets the regressors' warm start in state.alpha.
void CheckCollinearity(PoissonState& state, ProjectedRegressors& separation_x,
                       EstimateResult& result);

// The IRLS loop (irls.cc): sets beta, eta, mu, effect_G, the iteration
// count, termination and message.
void RunIrls(PoissonState& state, EstimateResult& result);

// Deviance, pseudo-R2 and log-likelihood at the final mu
// (fit_statistics.cc).
void ComputeFitStatistics(const PoissonState& state, EstimateResult& result);

// Variance at the final mu (fit_variance.cc). Returns the residuals y - mu.
std::vector<double> PoissonVariance(PoissonState& state, EstimateResult& result);

// The fixed effects of the final linear predictor (fe_recovery.cc);
// `buffer` (num_obs values) is reused as work memory.
void RecoverPoissonFixedEffects(PoissonState& state, std::vector<double> buffer,
                                EstimateResult& result);

}  // namespace mizani::estimate

// The stages of Fit (fit.cc), each in its own file: sample cleaning
// (fit_clean.cc), collinearity (collinearity.cc), OLS (fit_ols.cc), PPML by
// IRLS (irls.h: start values, the loop and its convergence controller,
// fit statistics), variance (fit_variance.cc) and fixed-effect recovery
// (fe_recovery.cc). Fit is the driver that calls them in order; each stage
// takes the frame, the options and what earlier stages produced, and writes
// its part of the EstimateResult.
#pragma once

#include <Eigen/Dense>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/buffer_pool.h"
#include "estimate/hdfe/fe_projector.h"
#include "estimate/separation.h"
#include "mizani/communicator.h"
#include "mizani/estimate.h"

namespace mizani::estimate {

// Seconds since `start` (the phase timings of EstimateResult).
double SecondsSince(std::chrono::steady_clock::time_point start);

// ---- Row order (fit.cc) ----------------------------------------------------
// Fitted values are returned in the caller's row order: each row's original
// position is tracked through the reordering and the removals. Returns the
// caller's source_row (empty without keep_fitted, when nothing needs the
// mapping and it is freed) and numbers the frame's rows 0..N-1.
std::vector<int64_t> TrackRowOrder(ModelFrame& frame, bool keep_fitted);
// Puts per-observation values back in the caller's order (rows removed by
// cleaning are absent; from shares, this rank's rows in file order) and maps
// source_row back to the caller's.
void RestoreRowOrder(const std::vector<int64_t>& caller_source_row, const ModelFrame& sorted_frame,
                     const std::vector<double>& values, EstimateResult& result);

// The projector of the rows a fit works on (fit.cc). Sharded (comm not
// null): on the Jacobi path, which is sharded (the Schur path is not), and
// reducing its level sums across comm's ranks.
std::unique_ptr<FeProjector> MakeFitProjector(const ModelFrame& work,
                                              const EstimateOptions& options, Communicator* comm);

// ---- Sample cleaning (fit_clean.cc) -----------------------------------------
struct CleanedSample {
  // Built for the separation check and reusable by IRLS (null when the
  // check did not run or dropped rows).
  std::unique_ptr<FeProjector> projector;
  ProjectedRegressors separation_x;  // X~ of the separation check, when reusable
  // Set when the separation check reached its iteration limit without a
  // verdict (nothing dropped): Fit appends it to the result's message.
  std::string separation_warning;
};
// Drops zero-weight rows, sorts by the largest fixed effect, drops all-zero
// groups (PPML), singletons and separated observations; records the
// cleaning and separation times in `result`.
CleanedSample CleanSample(ModelFrame& frame, const EstimateOptions& options, BufferPool& pool,
                          EstimateResult& result);
// Without fixed effects: an explicit intercept column first.
void AddIntercept(ModelFrame& frame);
// The observation count and the drop counts of the cleaned frame.
void FinishCounts(const ModelFrame& frame, EstimateResult& result);

// ---- Collinearity (collinearity.cc) -----------------------------------------
// Sequential (Gram–Schmidt style) collinearity check on X~'WX~: the indices
// of the columns to drop.
std::vector<int> FindCollinear(const Eigen::MatrixXd& gram, const Eigen::VectorXd& raw_ss,
                               double tolerance);
// Removes `columns` from X and the names, listing them in result.collinear.
void RemoveColumns(ModelFrame& frame, const std::vector<int>& columns, EstimateResult& result);

// ---- Variance (fit_variance.cc) ---------------------------------------------
// Fills result.vcov, num_clusters and vcov_description from the projected
// regressors X~, the IRLS (or unit/frequency) weights and the residuals.
// given_gram: X~'WX~ when the caller has it; known_fe_dof: the model's
// fixed-effect rank when known (-1: counted here). rows: a sharded fit
// (options.communicator), the frame row of each of this rank's rows, which
// X_tilde, weight_N and resid_N hold; the frame stays whole. freq_rows:
// those rows' frequency weights (default: weight_N, which OLS's are).
void FitVariance(const ModelFrame& frame, const EstimateOptions& options,
                 const Eigen::Map<const Eigen::MatrixXd>& X_tilde,
                 const std::vector<double>& weight_N, const std::vector<double>& resid_N,
                 double sigma2, EstimateResult& result, const Eigen::MatrixXd* given_gram = nullptr,
                 int64_t known_fe_dof = -1, const std::vector<int64_t>* rows = nullptr,
                 const std::vector<double>* freq_rows = nullptr);

// ---- Fixed effects (fe_recovery.cc) -----------------------------------------
// Fixed-effect coefficients of the linear predictor (alpha_G), normalised so
// that every dimension after the first has its first level at zero. The
// frame's level labels move into the result (the last use of the frame's
// labels: a pair dimension of a wide panel has hundreds of thousands).
// alpha_G is taken by value: callers move theirs in (it is normalised in
// place, and a copy of a pair dimension's coefficients would add to the
// fit's peak).
void ExportFixedEffects(ModelFrame& frame, const FeProjector& projector,
                        std::vector<double> alpha_G, EstimateResult& result);

// ---- OLS (fit_ols.cc) -------------------------------------------------------
EstimateResult FitGaussian(ModelFrame& frame, const EstimateOptions& options,
                           EstimateResult result);

// ---- PPML (irls.cc) ---------------------------------------------------------
EstimateResult FitPoisson(ModelFrame& frame, const EstimateOptions& options, CleanedSample sample,
                          BufferPool& pool, const std::vector<int64_t>& caller_source_row,
                          EstimateResult result);

}  // namespace mizani::estimate

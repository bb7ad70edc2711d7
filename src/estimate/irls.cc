// PPML by IRLS (Correia, Guimarães & Zylkin 2020): start values, the loop
// and its convergence controller, and FitPoisson, the driver of the PPML
// stages (irls.h).
#include "estimate/irls.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

#include "common/trace.h"
#include "estimate/frame_ops.h"
#include "estimate/irls_kernels.h"
#include "numerics/simd_exp.h"

namespace mizani::estimate {

PoissonState::PoissonState(ModelFrame& frame_in, ModelFrame& whole_in,
                           const EstimateOptions& options_in, FeProjector& projector_in,
                           BufferPool& pool_in)
    : frame(frame_in),
      whole(whole_in),
      options(options_in),
      projector(projector_in),
      pool(pool_in),
      threads(ResolveThreads(options_in.threads)),
      num_obs(frame_in.num_obs()),
      num_cols(static_cast<int>(frame_in.X.cols())),
      has_offset(!frame_in.offset.empty()),
      freq(frame_in.weights) {}

void PoissonState::UpdateWeights() {
  if (freq.empty()) return;
  ForRows([&](int64_t begin, int64_t end) {
    for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx)
      weight_storage[obs_idx] = mu[obs_idx] * freq[obs_idx];
  });
}

double PoissonStartShift(double typical) { return 0.015 * typical; }

void StartValues(PoissonState& state) {
  const std::vector<double>& freq = state.freq;
  const ModelFrame& frame = state.frame;
  // The deviance, 2 sum fw (y log(y / mu) - (y - mu)), is evaluated in the
  // iterations as 2 (S - sum fw (y eta + y - mu)) with the constant
  // S = sum fw y log y taken once (below): no logarithm per observation and
  // iteration. The reported deviance is recomputed term by term at the end.
  //
  // Start at mu = y + s with s = 0.015 times the geometric mean of the
  // positive outcomes: every zero starts log(0.015) = -4.2 below a typical
  // positive flow. A zero started too high comes down about one unit of eta
  // per step (its z is eta - 1); one started far too low also costs steps
  // where zeros are common (measured below). So the start is a fixed
  // distance below the typical positive flow: not a fraction of the mean,
  // which the largest flows set, nor a constant (fixest's y + 0.1), which
  // depends on the unit of y; with this shift the path does not.
  // Measured (bench/README.md, session 18): 12 models on six
  // synthetic processes took 81 iterations in all against 98 with the
  // earlier 0.001 mean(y), none more on any model (14 -> 8 on small counts
  // with 89% zeros); seven models of the shared real data took 55 against
  // 60 (one more on the HMR zeros panel and on the BACI sample).
  // One pass for sum fw, sum fw y, S = sum fw y log y and the sums for the
  // geometric mean, in blocks whose logarithms are taken together
  // (LogArray); log y is taken of y where y > 0 and of 1 elsewhere.
  struct Sums {
    double weight = 0, y = 0, ylogy = 0, positive_weight = 0, positive_log = 0;
  };
  std::vector<Sums> partial(state.threads);
  ParallelFor(state.threads, state.num_obs, [&](int task_idx, int64_t begin, int64_t end) {
    constexpr int64_t kBlock = 512;
    double log_y[kBlock];
    Sums sums;
    for (int64_t block_begin = begin; block_begin < end; block_begin += kBlock) {
      const int64_t length = std::min(end, block_begin + kBlock) - block_begin;
      const double* y = frame.y.data() + block_begin;
      for (int64_t idx = 0; idx < length; ++idx) log_y[idx] = y[idx] > 0 ? y[idx] : 1.0;
      LogArray(log_y, log_y, length);
      for (int64_t idx = 0; idx < length; ++idx) {
        const double fw = freq.empty() ? 1.0 : freq[block_begin + idx];
        sums.weight += fw;
        sums.y += fw * y[idx];
        sums.ylogy += fw * y[idx] * log_y[idx];
        if (y[idx] > 0) {
          sums.positive_weight += fw;
          sums.positive_log += fw * log_y[idx];
        }
      }
    }
    partial[task_idx] = sums;
  });
  double totals[5] = {};
  for (const Sums& sums : partial) {
    totals[0] += sums.weight;
    totals[1] += sums.y;
    totals[2] += sums.ylogy;
    totals[3] += sums.positive_weight;
    totals[4] += sums.positive_log;
  }
  state.Reduce(totals);
  state.total_w = totals[0];
  state.mean_y = totals[1] / state.total_w;
  state.sum_ylogy = totals[2];
  // (Without a positive outcome there is nothing to estimate; the shift
  // then only keeps log mu finite.)
  const double shift = PoissonStartShift(totals[3] > 0 ? std::exp(totals[4] / totals[3]) : 1.0);
  // The working outcome z; X is read where it is (frame.X): the
  // projections take column pointers and return only coefficients.
  state.z = state.pool.Take(state.num_obs);
  state.mu = state.pool.Take(state.num_obs);
  state.eta = state.pool.Take(state.num_obs);
  state.eta_old = state.pool.Take(state.num_obs);
  double* mu = state.mu.data();
  double* eta = state.eta.data();
  ParallelFor(state.threads, state.num_obs, [&](int, int64_t begin, int64_t end) {
    for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) mu[obs_idx] = frame.y[obs_idx] + shift;
    LogArray(mu + begin, eta + begin, end - begin);
  });
  state.weight_storage.assign(freq.empty() ? 0 : state.num_obs, 0.0);
  state.null_dev = 2 * (state.sum_ylogy - std::log(state.mean_y) * state.mean_y * state.total_w);
}

namespace {

// When IRLS stops, and how accurately each step's projection is solved.
class IrlsController {
 public:
  IrlsController(const EstimateOptions& options, int num_cols)
      : options_(options),
        // Early IRLS steps are far from the solution: a rough projection
        // (1e-3) moves them as well as an exact one (measured: same
        // iterations, a fifth fewer passes over the data on the 2.5M-row
        // benchmark panel).
        inner_tol_(std::max(options.fe_tolerance, 1e-3)),
        beta_previous_(
            Eigen::VectorXd::Constant(num_cols, std::numeric_limits<double>::infinity())) {}

  double inner_tolerance() const { return inner_tol_; }
  // The starting mu is not a point of the model, so its deviance cannot
  // serve as the bar for step-halving: the first IRLS step is always taken.
  double deviance() const { return deviance_; }
  double rel_change() const { return rel_change_; }

  // Takes a finite new deviance; returns its relative change.
  double Observe(double new_dev) {
    rel_change_ =
        std::isfinite(deviance_) ? std::abs(new_dev - deviance_) / (0.1 + std::abs(new_dev)) : 1.0;
    deviance_ = new_dev;
    return rel_change_;
  }

  // Whether the step just observed ends the loop; otherwise sets the next
  // projection tolerance.
  bool Converged(const Eigen::VectorXd& beta, int halvings, bool projection_converged,
                 double used_tol) {
    const int num_cols = static_cast<int>(beta.size());
    // The projection need only be as accurate as the outer iteration is
    // close to convergence (ppmlhdfe's adaptive tolerance); the final
    // iterations use the full tolerance.
    const bool tight = used_tol <= options_.fe_tolerance * 1.0000001;
    // The deviance criterion alone is fooled when the deviance is tiny or
    // flat (its denominator is 0.1 + deviance, as fixest's): also require
    // the coefficients to have settled, to 1e-7 relative. When the steps
    // shrink fast, the error left after step d_k is bounded by
    // d_k rho / (1 - rho) with rho = d_k / d_{k-1} (the a-posteriori bound
    // of a sequence converging at least linearly at rate rho; IRLS is
    // Newton's method for the canonical link and converges faster); when
    // that bound is already below the bar, the confirming extra iteration
    // (a fifth of the fit on the three-way benchmark) is skipped.
    const double beta_change = num_cols > 0 ? (beta - beta_previous_).cwiseAbs().maxCoeff() : 0.0;
    const double beta_scale = num_cols > 0 ? 1.0 + beta.cwiseAbs().maxCoeff() : 1.0;
    const double beta_bar = 1e-7 * beta_scale;
    const double rate = beta_change / beta_change_previous_;
    const bool settled =
        beta_change <= beta_bar || (halvings == 0 && std::isfinite(beta_change_previous_) &&
                                    rate < 0.1 && beta_change * rate / (1 - rate) <= beta_bar);
    beta_previous_ = beta;
    beta_change_previous_ = beta_change;
    if (rel_change_ < options_.tolerance && tight && settled) return true;
    // A projection solved to t moves the coefficients by about t (relative)
    // and the next deviance by about t^2 (the deviance is flat at its
    // minimum), while the step itself moves them by about sqrt(d), d the
    // relative deviance change: t = 1e-3 sqrt(d) keeps the projection's
    // error a thousandth of the step.
    inner_tol_ = std::max(options_.fe_tolerance, std::min(1e-3, 1e-3 * std::sqrt(rel_change_)));
    // The step that will be accepted as final is solved at full accuracy.
    // Which one that is comes from the changes' own rate: the next change
    // is predicted as d_k * (d_k / d_{k-1}) (no faster than the last
    // ratio). A wrong "not yet" costs one more step; the rule this replaces
    // (full accuracy once d < 1e3 x tolerance) paid a second full-accuracy
    // step whenever the first did not converge (bench/README.md, session
    // 27: 102 passes against 76 on the seventh process).
    const double ratio = std::isfinite(rel_change_previous_) && rel_change_previous_ > 0
                             ? std::min(1.0, rel_change_ / rel_change_previous_)
                             : 1.0;
    rel_change_previous_ = rel_change_;
    const double predicted = rel_change_ * ratio;
    // The step before the final one: near the solution IRLS (Newton's
    // method) leaves an error of about C e^2 after a step from an iterate
    // with error e, and this iterate's error is about its projection's t.
    // t at most 1e-6 keeps the final coefficients within about C x 1e-12
    // of the converged ones; t = 9e-6 left fixest's four-way trade example
    // 7e-10 away.
    if (predicted < 1e3 * options_.tolerance) inner_tol_ = std::min(inner_tol_, 1e-6);
    if (predicted < options_.tolerance) inner_tol_ = options_.fe_tolerance;
    // A step that had to be halved after a loose projection was probably
    // spoiled by the projection error, not by the curvature: tighten.
    if (!projection_converged || halvings > 0) inner_tol_ = options_.fe_tolerance;
    return false;
  }

 private:
  const EstimateOptions& options_;
  double inner_tol_;
  double deviance_ = std::numeric_limits<double>::infinity();
  double rel_change_ = 1;
  double rel_change_previous_ = std::numeric_limits<double>::infinity();
  double beta_change_previous_ = std::numeric_limits<double>::infinity();
  Eigen::VectorXd beta_previous_;
};

// Pointers the row pass and the projection read every iteration.
struct IrlsLayout {
  std::vector<const double*> block_C;  // the projected block [z, X], by column
  std::vector<const int32_t*> ids_Q;
  std::vector<const double*> effect_Q;  // each dimension's part of effect_G
};

IrlsLayout MakeLayout(PoissonState& state) {
  IrlsLayout layout;
  // gamma (below), stacked per level, and where each dimension's part of it
  // and its ids start: the row pass sums the row's levels' gamma.
  const std::vector<int64_t>& fe_offsets = state.projector.offsets_Q();
  const int num_dims = static_cast<int>(state.frame.fe_ids.size());
  state.effect_G.assign(state.projector.num_levels(), 0.0);
  layout.ids_Q.resize(num_dims);
  layout.effect_Q.resize(num_dims);
  for (int dim_idx = 0; dim_idx < num_dims; ++dim_idx) {
    layout.ids_Q[dim_idx] = state.frame.fe_ids[dim_idx].data();
    layout.effect_Q[dim_idx] = state.effect_G.data() + fe_offsets[dim_idx];
  }
  const double* x_raw = state.frame.X.data();  // column-major
  layout.block_C.assign(state.num_cols + 1, state.z.data());
  for (int col_idx = 0; col_idx < state.num_cols; ++col_idx)
    layout.block_C[col_idx + 1] = x_raw + col_idx * state.num_obs;
  return layout;
}

struct StepOutcome {
  double deviance = 0;
  int halvings = 0;
  bool projection_converged = true;
};

// One IRLS step at the current weights: project [z, X], solve for beta,
// rebuild the linear predictor, mu and the next z in one row pass, halving
// the step while the deviance is not finite or rises.
StepOutcome IrlsStep(PoissonState& state, const IrlsLayout& layout, double used_tol,
                     double previous_deviance, Eigen::VectorXd& beta_accepted,
                     EstimateResult& result) {
  const int num_cols = state.num_cols;
  Eigen::VectorXd& beta = state.beta;
  // The projection also returns [z~, X~]' W [z~, X~] (from its output pass).
  Eigen::MatrixXd cross(num_cols + 1, num_cols + 1);
  auto stats = state.projector.Project(layout.block_C, nullptr, state.alpha, used_tol,
                                       state.options.fe_max_iterations, nullptr, cross.data());
  result.fe_iterations += stats.iterations;
  TraceDetail("projected");
  if (num_cols > 0) {
    beta = cross.bottomRightCorner(num_cols, num_cols).ldlt().solve(cross.col(0).tail(num_cols));
  }
  TraceDetail("gram solved");
  // The weighted least-squares fit of z on X and the fixed effects has
  // z - e = X beta + D gamma with gamma = alpha_z - alpha_X beta (the
  // projection is linear column by column), so the new linear predictor
  // is eta = X beta + D gamma + offset, built from the coefficients
  // without z~ and X~ (which are never written: their stores, and a copy
  // of X, saved).
  for (int64_t level = 0; level < state.projector.num_levels(); ++level) {
    const double* level_alpha = state.alpha.data() + level * (num_cols + 1);
    double value = level_alpha[0];
    for (int col_idx = 0; col_idx < num_cols; ++col_idx)
      value -= beta(col_idx) * level_alpha[col_idx + 1];
    state.effect_G[level] = value;
  }
  // One pass: eta, mu = exp(eta), the deviance terms, and the next
  // iteration's z (irls_kernels.h).
  state.eta_old.swap(state.eta);
  IrlsRows rows;
  rows.num_obs = state.num_obs;
  rows.y_N = state.frame.y.data();
  rows.freq_N = state.freq.empty() ? nullptr : state.freq.data();
  rows.offset_N = state.has_offset ? state.frame.offset.data() : nullptr;
  rows.x_NC = state.frame.X.data();
  rows.num_cols = num_cols;
  rows.beta_C = beta.data();
  rows.num_dims = static_cast<int>(layout.ids_Q.size());
  rows.ids_Q = layout.ids_Q.data();
  rows.effect_Q = layout.effect_Q.data();
  rows.eta_N = state.eta.data();
  rows.eta_old_N = state.eta_old.data();
  rows.mu_N = state.mu.data();
  rows.z_N = state.z.data();
  auto deviance_sum = [&](EtaUpdate update) {
    std::vector<double> partial(state.threads, 0.0);
    ParallelFor(state.threads, state.num_obs, [&](int task_idx, int64_t begin, int64_t end) {
      partial[task_idx] = IrlsRowPass(rows, update, begin, end);
    });
    double cross_sum = 0;
    for (double value : partial) cross_sum += value;
    state.Reduce(std::span<double>(&cross_sum, 1));
    return 2 * (state.sum_ylogy - cross_sum);
  };
  StepOutcome outcome;
  outcome.projection_converged = stats.converged;
  outcome.deviance = deviance_sum(EtaUpdate::kFullStep);
  // Step-halving (as fixest and ppmlhdfe): when the deviance is not
  // finite or rises, move half way back towards the previous iterate.
  while (!(std::isfinite(outcome.deviance) &&
           outcome.deviance <= previous_deviance * (1 + 1e-12) + 1e-12) &&
         outcome.halvings < 30) {
    ++outcome.halvings;
    outcome.deviance = deviance_sum(EtaUpdate::kHalfway);
    // The coefficients move with the linear predictor.
    if (beta_accepted.size() == beta.size()) beta = 0.5 * (beta + beta_accepted);
  }
  beta_accepted = beta;
  return outcome;
}

}  // namespace

void RunIrls(PoissonState& state, EstimateResult& result) {
  const EstimateOptions& options = state.options;
  state.beta = Eigen::VectorXd::Zero(state.num_cols);
  Eigen::VectorXd beta_accepted;  // coefficients of the last accepted iterate
  IrlsController controller(options, state.num_cols);
  // z of the first iteration; later ones are written by the previous
  // iteration's pass over the rows (IrlsStep), which has every input at hand.
  state.ForRows([&](int64_t begin, int64_t end) {
    for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) {
      state.z[obs_idx] = state.eta[obs_idx] -
                         (state.has_offset ? state.frame.offset[obs_idx] : 0.0) +
                         (state.frame.y[obs_idx] - state.mu[obs_idx]) / state.mu[obs_idx];
    }
  });
  const IrlsLayout layout = MakeLayout(state);
  result.termination = Termination::kMaxIterations;
  int iteration = 0;
  for (iteration = 1; iteration <= options.max_iterations; ++iteration) {
    state.UpdateWeights();
    state.projector.SetWeights(state.weight());
    TraceDetail("weights set");
    const double used_tol = controller.inner_tolerance();
    const StepOutcome step =
        IrlsStep(state, layout, used_tol, controller.deviance(), beta_accepted, result);
    state.last_halvings = step.halvings;
    if (!std::isfinite(step.deviance)) {
      result.termination = Termination::kNumericalFailure;
      result.message = fmt::format("deviance is not finite at iteration {}", iteration);
      break;
    }
    const double rel_change = controller.Observe(step.deviance);
    if (options.on_iteration) options.on_iteration(iteration, step.deviance, rel_change);
    if (TraceEnabled()) {
      Trace(fmt::format("IRLS iteration {}: relative deviance change {:.3g}, projection to {:.3g}",
                        iteration, rel_change, used_tol));
    }
    if (controller.Converged(state.beta, step.halvings, step.projection_converged, used_tol)) {
      result.termination = Termination::kConverged;
      result.message = fmt::format("converged: relative deviance change {:.3g} < {:.3g}",
                                   rel_change, options.tolerance);
      break;
    }
  }
  result.iterations = std::min(iteration, options.max_iterations);
  if (result.termination == Termination::kMaxIterations) {
    result.message = fmt::format(
        "did not converge: relative deviance change {:.3g} after {} iterations (tolerance {:.3g})",
        controller.rel_change(), options.max_iterations, options.tolerance);
  }
}

namespace {

// The whole sample's fitted values on every rank of a sharded fit: each
// rank sends its (row, mu) pairs.
std::vector<double> GatherFitted(const PoissonState& state) {
  std::string bytes;
  bytes.reserve(state.mu.size() * (sizeof(int64_t) + sizeof(double)));
  for (size_t idx = 0; idx < state.mu.size(); ++idx) {
    const int64_t row = (*state.rows)[idx];
    bytes.append(reinterpret_cast<const char*>(&row), sizeof(row));
    bytes.append(reinterpret_cast<const char*>(&state.mu[idx]), sizeof(double));
  }
  std::vector<double> mu(state.whole.num_obs(), 0.0);
  for (const std::string& part : state.comm->Allgatherv(bytes)) {
    for (size_t pos = 0; pos + sizeof(int64_t) + sizeof(double) <= part.size();
         pos += sizeof(int64_t) + sizeof(double)) {
      int64_t row = 0;
      std::memcpy(&row, part.data() + pos, sizeof(row));
      std::memcpy(&mu[static_cast<size_t>(row)], part.data() + pos + sizeof(row), sizeof(double));
    }
  }
  return mu;
}

}  // namespace

// With options.communicator of several ranks every rank holds the same
// cleaned frame (the separation check ran on it whole, on every rank) and
// fits its shard of the rows on the Jacobi path (the Schur path is not
// sharded): every sum is reduced, so every rank holds the whole result.
EstimateResult FitPoisson(ModelFrame& frame, const EstimateOptions& options, CleanedSample sample,
                          BufferPool& pool, const std::vector<int64_t>& caller_source_row,
                          EstimateResult result) {
  auto phase_start = std::chrono::steady_clock::now();
  Communicator* comm = ShardingCommunicator(options);
  std::vector<int64_t> rows;
  ModelFrame shard;
  ModelFrame& work = WorkFrame(frame, comm, rows, shard);
  if (comm != nullptr && frame.shard_comm == nullptr) {
    // The separation check's projector and projection hold the whole frame.
    sample.projector.reset();
    sample.separation_x = ProjectedRegressors{};
  }
  if (!sample.projector) sample.projector = MakeFitProjector(work, options, comm);
  PoissonState state(work, frame, options, *sample.projector, pool);
  state.comm = comm;
  state.rows = comm != nullptr ? &rows : nullptr;
  StartValues(state);
  if (state.num_cols > 0) CheckCollinearity(state, sample.separation_x, result);
  RunIrls(state, result);
  result.seconds_irls = SecondsSince(phase_start);
  Trace("IRLS done");
  phase_start = std::chrono::steady_clock::now();
  FinishCounts(frame, result);
  ComputeFitStatistics(state, result);
  TraceDetail("stats");
  std::vector<double> resid_N = PoissonVariance(state, result);
  TraceDetail("variance");
  if (!frame.fe_ids.empty()) RecoverPoissonFixedEffects(state, std::move(resid_N), result);
  result.seconds_variance = SecondsSince(phase_start);
  Trace("variance and fixed effects done");
  if (options.keep_fitted) {
    // Gathered when every rank holds the whole frame; from shares each
    // rank keeps its own rows' (EstimateOptions::keep_fitted).
    const bool gather = comm != nullptr && frame.shard_comm == nullptr;
    RestoreRowOrder(caller_source_row, frame, gather ? GatherFitted(state) : state.mu, result);
  }
  return result;
}

}  // namespace mizani::estimate

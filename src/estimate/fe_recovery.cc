// Fixed-effect recovery: the coefficients of each level, normalised and
// labelled for the result (a stage of Fit, fit_stages.h).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "common/parallel.h"
#include "common/trace.h"
#include "estimate/fit_stages.h"
#include "estimate/irls.h"
#include "mizani/estimate.h"

namespace mizani::estimate {

void ExportFixedEffects(const ModelFrame& frame, const FeProjector& projector,
                        const std::vector<double>& alpha_G, EstimateResult& result) {
  const auto& offsets = projector.offsets_Q();
  std::vector<double> alpha = alpha_G;
  double shift = 0;
  for (size_t dim_idx = 1; dim_idx < frame.fe_ids.size(); ++dim_idx) {
    const double ref = alpha[offsets[dim_idx]];
    for (int32_t level = 0; level < frame.fe_sizes[dim_idx]; ++level)
      alpha[offsets[dim_idx] + level] -= ref;
    shift += ref;
  }
  for (size_t dim_idx = 0; dim_idx < frame.fe_ids.size(); ++dim_idx) {
    FixedEffectEstimates fe;
    fe.name =
        dim_idx < frame.fe_names.size() ? frame.fe_names[dim_idx] : fmt::format("fe{}", dim_idx);
    fe.values.resize(frame.fe_sizes[dim_idx]);
    for (int32_t level = 0; level < frame.fe_sizes[dim_idx]; ++level) {
      fe.values[level] = alpha[offsets[dim_idx] + level] + (dim_idx == 0 ? shift : 0.0);
    }
    if (dim_idx < frame.fe_labels.size()) fe.labels = frame.fe_labels[dim_idx];
    result.fixed_effects.push_back(std::move(fe));
  }
  if (frame.fe_ids.size() > 1) {
    std::string refs;
    for (size_t dim_idx = 1; dim_idx < frame.fe_ids.size(); ++dim_idx) {
      refs += fmt::format("{}{} = {}", dim_idx > 1 ? ", " : "", result.fixed_effects[dim_idx].name,
                          result.fixed_effects[dim_idx].labels.empty()
                              ? std::string("level 0")
                              : result.fixed_effects[dim_idx].labels[0]);
    }
    result.fe_normalisation =
        fmt::format("effects of {} are zero for the reference level(s) {}; the constant is in {}",
                    "every dimension after the first", refs, result.fixed_effects[0].name);
  } else if (frame.fe_ids.size() == 1) {
    result.fe_normalisation = "one dimension: the effects are identified and carry the constant";
  }
}

void RecoverPoissonFixedEffects(PoissonState& state, std::vector<double> buffer,
                                EstimateResult& result) {
  ModelFrame& frame = state.frame;
  const EstimateOptions& options = state.options;
  FeProjector* projector = &state.projector;
  const int threads = state.threads;
  const int64_t num_obs = state.num_obs;
  const int num_cols = state.num_cols;
  // The last step set eta = X beta + D gamma + offset with gamma =
  // alpha_z - alpha_X beta (effect_G), so those are the fixed effects
  // exactly. After a halved last step eta is an average of two iterates:
  // recover them by projecting eta - offset - X beta, which lies in the
  // fixed-effect space.
  // The fixed-effect part of the linear predictor, eta - offset - X beta.
  std::vector<double> fe_part = std::move(buffer);  // its memory (the residuals, used)
  state.ForRows([&](int64_t begin, int64_t end) {
    for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) {
      double value = state.eta[obs_idx] - (state.has_offset ? frame.offset[obs_idx] : 0.0);
      for (int col_idx = 0; col_idx < num_cols; ++col_idx)
        value -= frame.X(obs_idx, col_idx) * state.beta(col_idx);
      fe_part[obs_idx] = value;
    }
  });
  auto project_fe_part = [&](double tolerance) {
    std::vector<double> coef_G(projector->num_levels(), 0.0), residual(num_obs);
    projector->Project(fe_part.data(), residual.data(), 1, coef_G, tolerance,
                       options.fe_max_iterations);
    return coef_G;
  };
  // Largest gap between fe_part and the sum of the effects, relative to eta.
  auto worst_gap = [&](const std::vector<double>& coef_G) {
    const auto& offsets = projector->offsets_Q();
    std::vector<double> worst_T(threads, 0.0);
    ParallelFor(threads, num_obs, [&](int task_idx, int64_t begin, int64_t end) {
      double worst = 0;
      for (int64_t obs_idx = begin; obs_idx < end; ++obs_idx) {
        double value = fe_part[obs_idx];
        for (size_t dim_idx = 0; dim_idx < frame.fe_ids.size(); ++dim_idx)
          value -= coef_G[offsets[dim_idx] + frame.fe_ids[dim_idx][obs_idx]];
        const double gap = std::abs(value) / (1.0 + std::abs(state.eta[obs_idx]));
        // A NaN gap must fail the check, which std::max would drop.
        worst = std::isnan(gap) ? std::numeric_limits<double>::infinity() : std::max(worst, gap);
      }
      worst_T[task_idx] = worst;
    });
    return state.ReduceMax(*std::max_element(worst_T.begin(), worst_T.end()));
  };
  std::vector<double> alpha_fe;
  if (state.last_halvings == 0 &&
      state.alpha.size() == static_cast<size_t>(projector->num_levels() * (num_cols + 1))) {
    alpha_fe = state.effect_G;
  } else {
    alpha_fe = project_fe_part(options.fe_tolerance);
  }
  // If rounding has spoiled the effects, recover them by a fresh projection.
  if (!(worst_gap(alpha_fe) <= 1e-8)) {
    alpha_fe = project_fe_part(options.fe_tolerance * 1e-2);
    const double gap = worst_gap(alpha_fe);
    if (!(gap <= 1e-8)) {
      result.message +=
          fmt::format("; warning: fixed-effect estimates reproduce the fit only to {:.2g}", gap);
    }
  }
  TraceDetail("fe gap");
  // (The whole frame: its labels and names; a shard has the ids only.)
  ExportFixedEffects(state.whole, *projector, alpha_fe, result);
}

}  // namespace mizani::estimate

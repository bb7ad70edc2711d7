// Fixed-effect recovery: the coefficients of each level, normalised and
// labelled for the result (a stage of Fit, fit_stages.h).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "common/parallel.h"
#include "common/trace.h"
#include "estimate/fit_stages.h"
#include "estimate/frame_ops.h"
#include "estimate/irls.h"
#include "mizani/estimate.h"

namespace mizani::estimate {

namespace {

// Two dimensions: the effects are identified up to one constant per
// connected set of levels (Abowd, Creecy & Kramarz 2002; lfe's getfe takes
// one reference per component likewise). In each set the first level of
// the second dimension is set to zero and its value moved into the first
// dimension's levels of the set, so every fit of the same model (Schur or
// Jacobi path, any rank count) exports the same effects. Returns the
// normalisation's description.
std::string NormaliseTwoWay(const ModelFrame& frame, const std::vector<int64_t>& offsets,
                            std::vector<double>& alpha) {
  int32_t num_components = 0;
  const std::vector<int32_t> component = TwoWayComponents(frame, 0, 1, &num_components);
  const int32_t size_a = frame.fe_sizes[0];
  std::vector<double> reference(num_components, 0.0);
  std::vector<int32_t> reference_level(num_components, -1);
  for (int32_t level = 0; level < frame.fe_sizes[1]; ++level) {
    const int32_t set = component[size_a + level];
    if (reference_level[set] < 0) {
      reference_level[set] = level;
      reference[set] = alpha[offsets[1] + level];
    }
  }
  for (int32_t level = 0; level < frame.fe_sizes[1]; ++level)
    alpha[offsets[1] + level] -= reference[component[size_a + level]];
  for (int32_t level = 0; level < size_a; ++level)
    alpha[offsets[0] + level] += reference[component[level]];
  auto label = [&](int32_t level) {
    return frame.fe_labels.size() > 1 && static_cast<size_t>(level) < frame.fe_labels[1].size()
               ? frame.fe_labels[1][level]
               : fmt::format("level {}", level);
  };
  const std::string name1 = frame.fe_names.size() > 1 ? frame.fe_names[1] : "fe1";
  const std::string name0 = !frame.fe_names.empty() ? frame.fe_names[0] : "fe0";
  if (num_components == 1) {
    return fmt::format("effects of {} are zero for the reference level {}; the constant is in {}",
                       name1, label(reference_level[0]), name0);
  }
  std::string refs;
  for (int32_t set = 0; set < std::min(num_components, 3); ++set)
    refs += fmt::format("{}{}", set > 0 ? ", " : "", label(reference_level[set]));
  return fmt::format(
      "the levels form {} connected sets, each identified up to its own constant: in each set "
      "the effect of its first level of {} is zero ({}{}), and the set's constant is in {}",
      num_components, name1, refs, num_components > 3 ? ", ..." : "", name0);
}

}  // namespace

void ExportFixedEffects(ModelFrame& frame, const FeProjector& projector,
                        std::vector<double> alpha_G, EstimateResult& result) {
  const auto& offsets = projector.offsets_Q();
  std::vector<double>& alpha = alpha_G;
  projector.CompleteLocalLevels(alpha, 1);  // sharded: every rank's pairs
  const size_t num_dims = frame.fe_ids.size();
  if (num_dims == 2) {
    result.fe_normalisation = NormaliseTwoWay(frame, offsets, alpha);
  } else if (num_dims > 2) {
    double shift = 0;
    std::string refs;
    for (size_t dim_idx = 1; dim_idx < num_dims; ++dim_idx) {
      const double ref = alpha[offsets[dim_idx]];
      for (int32_t level = 0; level < frame.fe_sizes[dim_idx]; ++level)
        alpha[offsets[dim_idx] + level] -= ref;
      shift += ref;
      refs += fmt::format(
          "{}{} = {}", dim_idx > 1 ? ", " : "",
          dim_idx < frame.fe_names.size() ? frame.fe_names[dim_idx] : fmt::format("fe{}", dim_idx),
          dim_idx < frame.fe_labels.size() && !frame.fe_labels[dim_idx].empty()
              ? frame.fe_labels[dim_idx][0]
              : "level 0");
    }
    for (int32_t level = 0; level < frame.fe_sizes[0]; ++level) alpha[offsets[0] + level] += shift;
    // With three or more dimensions the model has further redundancies
    // (in exporter-year, importer-year and pair effects: one constant per
    // year moved between exporters and importers, one per exporter and per
    // importer moved into the pairs) that no simple rule of references
    // removes (lfe's getfe documentation says the same): the effects are
    // one solution; their sum on every observation is exact.
    result.fe_normalisation = fmt::format(
        "effects of every dimension after the first are zero for the reference level(s) {}; the "
        "constant is in {}; with three or more dimensions the effects are one solution among "
        "many (only their sum on each observation is identified)",
        refs, !frame.fe_names.empty() ? frame.fe_names[0] : "fe0");
  } else if (num_dims == 1) {
    result.fe_normalisation = "one dimension: the effects are identified and carry the constant";
  }
  for (size_t dim_idx = 0; dim_idx < num_dims; ++dim_idx) {
    FixedEffectEstimates fe;
    fe.name =
        dim_idx < frame.fe_names.size() ? frame.fe_names[dim_idx] : fmt::format("fe{}", dim_idx);
    fe.values.assign(alpha.begin() + offsets[dim_idx],
                     alpha.begin() + offsets[dim_idx] + frame.fe_sizes[dim_idx]);
    if (dim_idx < frame.fe_labels.size()) fe.labels = std::move(frame.fe_labels[dim_idx]);
    result.fixed_effects.push_back(std::move(fe));
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
    alpha_fe = std::move(state.effect_G);  // (the IRLS is over: moved, not copied)
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
  ExportFixedEffects(state.whole, *projector, std::move(alpha_fe), result);
}

}  // namespace mizani::estimate

// The fixed-effect projection kernels alone, on the issue-2 benchmark panel
// (`mizani synth` 250 x 250 x 40, 2.49M rows), with PPML-like weights: the
// time of one pass over the data (one CG step) for the three-way model
// (exporter-year, importer-year, pair; the pair eliminated exactly) and the
// two-way model, each with one and with five columns, and the time of
// building the projector. Forty passes are timed per projection (tolerance
// zero, so none stops early); the reported time is per pass.
// Run: ./build/bench/projection_bench
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "estimate/hdfe/fe_projector.h"
#include "mizani/estimate.h"
#include "mizani/formula.h"
#include "mizani/synth.h"
#include "mizani/table.h"

namespace {

using mizani::estimate::FeProjector;

// MIZANI_SIMD=sse2 and MIZANI_FE_SOLVER as for `mizani estimate` (the
// library reads no environment; the program passes them in).
mizani::ProjectionOptions Kernels() {
  mizani::ProjectionOptions options;
  const char* simd = std::getenv("MIZANI_SIMD");
  if (simd != nullptr && std::string_view(simd) == "sse2")
    options.simd = mizani::SimdKernels::kSse2;
  const char* solver = std::getenv("MIZANI_FE_SOLVER");
  if (solver != nullptr && std::string_view(solver) == "jacobi")
    options.solver = mizani::FeSolver::kJacobi;
  if (solver != nullptr && std::string_view(solver) == "schur")
    options.solver = mizani::FeSolver::kSchur;
  return options;
}

const mizani::ModelFrame& Frame(bool three_way) {
  auto build = [](const char* formula) {
    const mizani::Table panel = mizani::Synthesize(mizani::SynthOptions{});
    return mizani::BuildModelFrame(panel, mizani::ParseFormula(formula), {}, {});
  };
  static const mizani::ModelFrame three =
      build("trade ~ rta | exporter^year + importer^year + exporter^importer");
  static const mizani::ModelFrame two =
      build("trade ~ log(dist) + contig + lang + rta | exporter^year + importer^year");
  return three_way ? three : two;
}

// Weights spread like PPML's mu: log-normal around the flows.
std::vector<double> Weights(const mizani::ModelFrame& frame) {
  std::vector<double> weight(frame.num_obs());
  for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx)
    weight[obs_idx] = 1.0 + frame.y[obs_idx] + 0.5 * std::sin(static_cast<double>(obs_idx));
  return weight;
}

void BM_Pass(benchmark::State& state) {
  const bool three_way = state.range(0) == 3;
  const int num_cols = static_cast<int>(state.range(1));
  const mizani::ModelFrame& frame = Frame(three_way);
  FeProjector projector(frame.fe_ids, frame.fe_sizes, 0, 0, Kernels());
  const std::vector<double> weight = Weights(frame);
  projector.SetWeights(weight);
  std::vector<double> block(static_cast<size_t>(frame.num_obs()) * num_cols);
  for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
    for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx)
      block[col_idx * frame.num_obs() + obs_idx] = std::log1p(frame.y[obs_idx]) + col_idx;
  }
  std::vector<double> out(block.size());
  constexpr int kPasses = 40;
  for (auto _ : state) {
    std::vector<double> alpha;
    auto stats = projector.Project(block.data(), out.data(), num_cols, alpha, 0.0, kPasses);
    benchmark::DoNotOptimize(stats.iterations);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kPasses * frame.num_obs());
  state.counters["s_per_pass"] = benchmark::Counter(
      kPasses, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Pass)
    ->Args({3, 1})
    ->Args({3, 2})
    ->Args({2, 1})
    ->Args({2, 5})
    ->ArgNames({"model", "cols"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_Setup(benchmark::State& state) {
  const mizani::ModelFrame& frame = Frame(state.range(0) == 3);
  const std::vector<double> weight = Weights(frame);
  for (auto _ : state) {
    FeProjector projector(frame.fe_ids, frame.fe_sizes, 0, 0, Kernels());
    projector.SetWeights(weight);
    benchmark::DoNotOptimize(projector.num_levels());
  }
}
BENCHMARK(BM_Setup)->Arg(3)->Arg(2)->ArgName("model")->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

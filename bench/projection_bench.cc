// The fixed-effect projection kernels alone, on the issue-2 benchmark panel
// (`mizani synth` 250 x 250 x 40, 2.49M rows), with PPML-like weights: the
// time of one pass over the data (one CG step) for the three-way model
// (exporter-year, importer-year, pair; the pair eliminated exactly) and the
// two-way model, each with one and with five columns, and the time of
// building the projector. Forty passes are timed per projection (tolerance
// zero, so none stops early); the reported time is per pass, and includes
// a fortieth of what a projection does once. BM_PassBySize separates the
// two and sweeps the panel's size.
// Run: ./build/bench/projection_bench
//      ./build/bench/projection_bench --benchmark_filter=PassBySize
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
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

// num_cols columns to project, column-major: log1p of the flows, shifted.
std::vector<double> Columns(const mizani::ModelFrame& frame, int num_cols) {
  std::vector<double> block(static_cast<size_t>(frame.num_obs()) * num_cols);
  for (int col_idx = 0; col_idx < num_cols; ++col_idx) {
    for (int64_t obs_idx = 0; obs_idx < frame.num_obs(); ++obs_idx)
      block[col_idx * frame.num_obs() + obs_idx] = std::log1p(frame.y[obs_idx]) + col_idx;
  }
  return block;
}

// A projector with weights set, the columns to project and room for the
// results (the weights stay alive: the projector reads them).
struct Inputs {
  Inputs(const mizani::ModelFrame& frame, int num_cols)
      : projector(frame.fe_ids, frame.fe_sizes, 0, 0, Kernels()),
        weight(Weights(frame)),
        block(Columns(frame, num_cols)),
        out(block.size()) {
    projector.SetWeights(weight);
  }
  FeProjector projector;
  std::vector<double> weight, block, out;
};

void BM_Pass(benchmark::State& state) {
  const bool three_way = state.range(0) == 3;
  const int num_cols = static_cast<int>(state.range(1));
  const mizani::ModelFrame& frame = Frame(three_way);
  Inputs inputs(frame, num_cols);
  constexpr int kPasses = 40;
  for (auto _ : state) {
    std::vector<double> alpha;
    auto stats = inputs.projector.Project(inputs.block.data(), inputs.out.data(), num_cols, alpha,
                                          0.0, kPasses);
    benchmark::DoNotOptimize(stats.iterations);
    benchmark::DoNotOptimize(inputs.out.data());
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

// The three-way pass on `synth` panels of 20 to 500 countries (40 years):
// 15,200 to 9.98M rows, so the weights a pass streams (8 bytes a row) go
// from fitting in the level-2 cache to far beyond the last level. Each
// iteration projects twice, once stopped after kShort passes and once
// after kShort + kCounted; the difference is the time of kCounted passes
// alone, without what a projection does once (its first pass reads the
// columns and, after new weights, gathers the weight sums; its last
// writes the results; it allocates). Reported per row and pass
// (ns_per_row), as the rate the weights stream at (weight_GBps), and what
// the projection does once (setup_ms) besides.
const mizani::ModelFrame& SizedFrame(int countries) {
  static std::map<int, std::unique_ptr<mizani::ModelFrame>> frames;
  auto& frame = frames[countries];
  if (frame == nullptr) {
    mizani::SynthOptions options;
    options.exporters = countries;
    options.importers = countries;
    const mizani::Table panel = mizani::Synthesize(options);
    frame = std::make_unique<mizani::ModelFrame>(mizani::BuildModelFrame(
        panel,
        mizani::ParseFormula("trade ~ rta | exporter^year + importer^year + exporter^importer"), {},
        {}));
  }
  return *frame;
}

void BM_PassBySize(benchmark::State& state) {
  const int countries = static_cast<int>(state.range(0));
  const int num_cols = static_cast<int>(state.range(1));
  const mizani::ModelFrame& frame = SizedFrame(countries);
  Inputs inputs(frame, num_cols);
  constexpr int kShort = 2;
  constexpr int kCounted = 40;
  auto timed = [&](int passes) {
    std::vector<double> alpha;
    const auto start = std::chrono::steady_clock::now();
    const auto stats = inputs.projector.Project(inputs.block.data(), inputs.out.data(), num_cols,
                                                alpha, 0.0, passes);
    benchmark::DoNotOptimize(inputs.out.data());
    // A projection that converged before `passes` would make the
    // difference meaningless.
    if (stats.iterations != passes) state.SkipWithError("the projection stopped early");
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  double setup = 0;
  for (auto _ : state) {
    const double short_call = timed(kShort);
    const double long_call = timed(kShort + kCounted);
    state.SetIterationTime(long_call - short_call);
    setup += short_call - kShort * (long_call - short_call) / kCounted;
  }
  const double row_passes = static_cast<double>(kCounted) * static_cast<double>(frame.num_obs());
  state.counters["rows"] = static_cast<double>(frame.num_obs());
  state.counters["ns_per_row"] =
      benchmark::Counter(row_passes * 1e-9, benchmark::Counter::kIsIterationInvariantRate |
                                                benchmark::Counter::kInvert);
  state.counters["weight_GBps"] =
      benchmark::Counter(row_passes * 8e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["setup_ms"] = 1e3 * setup / static_cast<double>(state.iterations());
}
BENCHMARK(BM_PassBySize)
    ->ArgsProduct({{20, 40, 80, 160, 250, 500}, {1, 2}})
    ->ArgNames({"countries", "cols"})
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();

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

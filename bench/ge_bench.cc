// GE counterfactual timings: a full-endowment solve after a group agreement
// (the first N/5 countries, b = 0.5, theta = 4) on random dense baselines with
// trade imbalances and domestic flows of about 70% of expenditure (as in
// manufacturing data; high domestic shares are what slows the plain fixed
// point). Targets: 200 countries <= 20 ms,
// 1000 countries <= 0.5 s.
//
//   cmake --build --preset release --target ge_bench && ./build/bench/ge_bench
#include <benchmark/benchmark.h>

#include "../tests/ge/ge_fixtures.h"
#include "mizani/ge.h"

namespace {

using ::mizani::testing::FirstCountries;
using ::mizani::testing::IndexCodes;
using ::mizani::testing::RandomFlows;

constexpr double kTheta = 4.0;

Eigen::MatrixXd Baseline(int num_countries) {
  return RandomFlows(num_countries, 42, /*zero_share=*/0.05, /*home_bias=*/30.0 * num_countries);
}

void SetCounters(benchmark::State& state, const mizani::GeResult& result) {
  state.counters["iterations"] = result.iterations;
  state.counters["restarts"] = result.anderson_restarts;
  state.counters["market_clearing"] = result.market_clearing_residual;
  if (!result.converged()) state.SkipWithError(result.message.c_str());
}

mizani::GeOptions OptionsFor(benchmark::State& state) {
  mizani::GeOptions options;
  options.algorithm =
      state.range(1) == 0 ? mizani::GeAlgorithm::kAnderson : mizani::GeAlgorithm::kFixedPoint;
  options.max_iterations = 100000;
  return options;
}

// Validation, baseline shares and the solve, as a one-shot caller pays them.
void BM_SolveGe(benchmark::State& state) {
  const int num_countries = static_cast<int>(state.range(0));
  const Eigen::MatrixXd flows = Baseline(num_countries);
  const std::vector<std::string> codes = IndexCodes(num_countries);
  const Eigen::MatrixXd effects =
      mizani::AgreementPartialEffects(num_countries, FirstCountries(num_countries / 5), 0.5);
  const mizani::GeOptions options = OptionsFor(state);
  mizani::GeResult result;
  for (auto _ : state) {
    result = mizani::SolveGe(flows, codes, kTheta, effects, options);
    benchmark::DoNotOptimize(result.new_flows.data());
  }
  SetCounters(state, result);
}
BENCHMARK(BM_SolveGe)
    ->Args({200, 0})
    ->Args({200, 1})
    ->Args({1000, 0})
    ->Args({1000, 1})
    ->Unit(benchmark::kMillisecond);

// Re-solving a prepared problem, cold and warm-started from a nearby scenario
// (what bootstrap draws and goal seeking do).
void BM_ProblemSolve(benchmark::State& state) {
  const int num_countries = static_cast<int>(state.range(0));
  const bool warm = state.range(1) != 0;
  const mizani::GeProblem problem(Baseline(num_countries), IndexCodes(num_countries), kTheta);
  const std::vector<int> members = FirstCountries(num_countries / 5);
  const mizani::GeResult nearby =
      problem.Solve(mizani::AgreementPartialEffects(num_countries, members, 0.45));
  const Eigen::MatrixXd effects = mizani::AgreementPartialEffects(num_countries, members, 0.5);
  mizani::GeResult result;
  for (auto _ : state) {
    result = problem.Solve(effects, warm ? &nearby : nullptr);
    benchmark::DoNotOptimize(result.new_flows.data());
  }
  SetCounters(state, result);
}
BENCHMARK(BM_ProblemSolve)
    ->Args({200, 0})
    ->Args({200, 1})
    ->Args({1000, 0})
    ->Args({1000, 1})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

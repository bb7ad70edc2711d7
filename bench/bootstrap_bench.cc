// Pair bootstrap of the Advanced Guide's chapter-2 NAFTA application: 200
// replications, each a three-way PPML (trade ~ RTA | exporter^year +
// importer^year + pair_id, 28,482 observations, 2,415 pair_id units resampled)
// followed by the full-endowment GE of removing NAFTA (69 countries, sigma = 7).
// Target: <= 20 s on 2 cores. Argument: worker threads.
//
//   cmake --build --preset release --target bootstrap_bench
//   ./build/bench/bootstrap_bench --benchmark_repetitions=3
//
// Needs ../shared/data (or $MIZANI_SHARED_DATA); skipped when absent.
//
// Measured (GCC 12 -O3, 2-core box shared with other builds, load ~4.5):
// 2 threads median of 3 runs 11.3 s (11.4, 11.5, 11.4); 1 thread 11.1 s. About
// 55 ms of CPU per replication (three-way PPML ~50 ms, warm-started GE
// ~1 ms); on two idle cores the two workers should halve the wall time.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "mizani/scenario.h"
#include "nafta_scenario.h"

namespace {

std::string DataPath() {
  const char* env = std::getenv("MIZANI_SHARED_DATA");
  const std::filesystem::path base = env != nullptr ? env : MIZANI_SHARED_DATA_DIR;
  return (base / "agtpa_yotov2016/csv/Chapter2Application2.csv.gz").string();
}

void BM_NaftaPairBootstrap(benchmark::State& state) {
  const std::string data = DataPath();
  if (!std::filesystem::exists(data)) {
    state.SkipWithError(("shared data not found: " + data).c_str());
    return;
  }
  const std::string text = mizani::test_data::NaftaScenarioToml(
      data, 2006, "full",
      "[uncertainty]\nreplications = 200\nseed = 1\nmethod = \"pair\"\nunit = \"pair_id\"");
  const mizani::Scenario scenario = mizani::ParseScenario(text, "bench.toml", "");
  mizani::RunOptions options;
  options.quiet = true;
  options.threads = static_cast<int>(state.range(0));
  mizani::ScenarioOutcome outcome;
  for (auto _ : state) {
    outcome = mizani::RunScenario(scenario, options);
  }
  state.counters["replications_ok"] = outcome.uncertainty.succeeded;
  state.counters["bootstrap_s"] = outcome.uncertainty.seconds;
  state.counters["total_s"] = outcome.seconds;
  state.counters["rta_lower"] = outcome.uncertainty.coefficients.lower(0);
  state.counters["rta_upper"] = outcome.uncertainty.coefficients.upper(0);
}

BENCHMARK(BM_NaftaPairBootstrap)
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

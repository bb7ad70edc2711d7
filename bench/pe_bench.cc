// Product-level PE timings (docs/pe.md). Targets: SMART on one market with
// 5,000 HS6 lines x 200 partners (with the sensitivity reruns and the
// exporter view) under 1 s; GSIM with 50 markets x 50 exporters x 100 lines
// under 5 s on 2 cores. Random baselines: lognormal trade, 30% zero cells,
// tariffs 0-30%, a preferential cut to zero for one partner in three.
//
//   cmake --build build --target pe_bench && ./build/bench/pe_bench
#include <benchmark/benchmark.h>

#include <random>

#include "mizani/pe.h"

namespace {

using mizani::pe::ElasticitySource;

std::string Code(int idx) {
  std::string code = "C";
  code += std::to_string(idx);
  return code;
}

std::vector<mizani::pe::SmartLine> SmartLines(int num_lines, int num_partners) {
  std::mt19937 rng(42);
  std::lognormal_distribution<double> trade(3.0, 2.0);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<mizani::pe::SmartLine> lines(num_lines);
  for (int line_idx = 0; line_idx < num_lines; ++line_idx) {
    mizani::pe::SmartLine& line = lines[line_idx];
    line.market = "JPN";
    line.product = std::to_string(100000 + line_idx);
    line.import_demand = {-0.5 - 2 * unit(rng), ElasticitySource::kUser, ""};
    line.substitution = {1.5, ElasticitySource::kWitsDefault, ""};
    line.export_supply = {99, ElasticitySource::kWitsDefault, ""};
    line.flows.resize(num_partners);
    for (int partner = 0; partner < num_partners; ++partner) {
      mizani::pe::SmartFlow& flow = line.flows[partner];
      flow.partner = Code(partner);
      flow.trade = unit(rng) < 0.3 ? 0.0 : trade(rng);
      flow.tariff0 = 0.3 * unit(rng);
      flow.tariff1 = partner % 3 == 0 ? 0.0 : flow.tariff0;
    }
  }
  return lines;
}

void BM_Smart(benchmark::State& state) {
  const auto lines = SmartLines(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  for (auto _ : state) {
    const mizani::pe::SmartResult result = mizani::pe::RunSmart(lines);
    const auto partners = mizani::pe::SummarizeByPartner(result);
    benchmark::DoNotOptimize(partners.data());
  }
  state.counters["flows"] = static_cast<double>(state.range(0) * state.range(1));
}
BENCHMARK(BM_Smart)->Args({5000, 200})->Unit(benchmark::kMillisecond);

std::vector<mizani::pe::GsimProduct> GsimProducts(int num_markets, int num_exporters,
                                                  int num_lines) {
  std::mt19937 rng(7);
  std::lognormal_distribution<double> trade(3.0, 2.0);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<mizani::pe::GsimProduct> products(num_lines);
  for (int line_idx = 0; line_idx < num_lines; ++line_idx) {
    mizani::pe::GsimProduct& p = products[line_idx];
    p.product = std::to_string(100000 + line_idx);
    for (int idx = 0; idx < num_markets; ++idx) p.importers.push_back(Code(idx));
    for (int idx = 0; idx < num_exporters; ++idx) p.exporters.push_back(Code(idx));
    const size_t num_pairs = static_cast<size_t>(num_markets) * num_exporters;
    for (size_t pair = 0; pair < num_pairs; ++pair) {
      p.trade.push_back(unit(rng) < 0.3 ? 0.0 : trade(rng));
      p.tariff0.push_back(0.3 * unit(rng));
      // Markets in the first fifth cut tariffs to zero for exporters 0-9.
      const bool cut =
          pair / num_exporters < static_cast<size_t>(num_markets / 5) && pair % num_exporters < 10;
      p.tariff1.push_back(cut ? 0.0 : p.tariff0.back());
    }
    for (int idx = 0; idx < num_markets; ++idx) p.import_demand.push_back(-0.5 - 2 * unit(rng));
    p.substitution = 4.0;
    for (int idx = 0; idx < num_exporters; ++idx) p.export_supply.push_back(0.5 + 5 * unit(rng));
  }
  return products;
}

void BM_Gsim(benchmark::State& state) {
  const auto products =
      GsimProducts(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
                   static_cast<int>(state.range(2)));
  double worst = 0;
  int iterations = 0;
  for (auto _ : state) {
    for (const mizani::pe::GsimProduct& product : products) {
      const mizani::pe::GsimResult result = mizani::pe::SolveGsim(product);
      if (!result.converged()) state.SkipWithError(result.message.c_str());
      worst = std::max(worst, result.max_residual);
      iterations = std::max(iterations, result.iterations);
    }
  }
  state.counters["max_residual"] = worst;
  state.counters["max_newton_iterations"] = iterations;
}
BENCHMARK(BM_Gsim)->Args({50, 50, 100})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

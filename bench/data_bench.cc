// Data-layer timings on a 250 x 250 x 40 synthetic panel (2.49M rows):
// generation, CSV writing, CSV reading (plain and gzip) and factorising.
// Run: ./build/bench/data_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "mizani/read.h"
#include "mizani/synth.h"
#include "mizani/table.h"

namespace {

const mizani::Table& Panel() {
  static const mizani::Table panel = mizani::Synthesize(mizani::SynthOptions{});
  return panel;
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("mizani_data_bench_" + name)).string();
}

// The panel written once as plain CSV and as gzip CSV.
const std::string& PlainCsv() {
  static const std::string path = [] {
    std::string file = TempPath("panel.csv");
    mizani::WriteCsv(Panel(), file);
    return file;
  }();
  return path;
}

const std::string& GzipCsv() {
  static const std::string path = [] {
    std::string file = TempPath("panel.csv.gz");
    std::FILE* in = std::fopen(PlainCsv().c_str(), "rb");
    gzFile out = gzopen(file.c_str(), "wb6");
    std::string buffer(size_t{1} << 20, '\0');
    size_t got = 0;
    while ((got = std::fread(buffer.data(), 1, buffer.size(), in)) > 0) {
      gzwrite(out, buffer.data(), static_cast<unsigned>(got));
    }
    gzclose(out);
    std::fclose(in);
    return file;
  }();
  return path;
}

void BM_Synthesize(benchmark::State& state) {
  for (auto _ : state) {
    mizani::Table table = mizani::Synthesize(mizani::SynthOptions{});
    benchmark::DoNotOptimize(table.num_rows);
  }
}
BENCHMARK(BM_Synthesize)->Unit(benchmark::kMillisecond);

void BM_WriteCsv(benchmark::State& state) {
  const mizani::Table& panel = Panel();
  std::string file = TempPath("write.csv");
  for (auto _ : state) mizani::WriteCsv(panel, file);
  std::filesystem::remove(file);
}
BENCHMARK(BM_WriteCsv)->Unit(benchmark::kMillisecond);

void BM_ReadCsv(benchmark::State& state) {
  const std::string& file = PlainCsv();
  for (auto _ : state) {
    mizani::Table table = mizani::ReadCsv(file);
    benchmark::DoNotOptimize(table.num_rows);
  }
  state.counters["MB"] = static_cast<double>(std::filesystem::file_size(file)) / 1e6;
  state.counters["rows"] = static_cast<double>(Panel().num_rows);
}
BENCHMARK(BM_ReadCsv)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ReadCsvGzip(benchmark::State& state) {
  const std::string& file = GzipCsv();
  for (auto _ : state) {
    mizani::Table table = mizani::ReadCsv(file);
    benchmark::DoNotOptimize(table.num_rows);
  }
  state.counters["MB"] = static_cast<double>(std::filesystem::file_size(file)) / 1e6;
}
BENCHMARK(BM_ReadCsvGzip)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_FactorizeExporterYear(benchmark::State& state) {
  const mizani::Table& panel = Panel();
  for (auto _ : state) {
    mizani::Factor factor = mizani::Factorize(panel, {"exporter", "year"});
    benchmark::DoNotOptimize(factor.ids.data());
  }
}
BENCHMARK(BM_FactorizeExporterYear)->Unit(benchmark::kMillisecond);

void BM_FactorizePair(benchmark::State& state) {
  const mizani::Table& panel = Panel();
  for (auto _ : state) {
    mizani::Factor factor = mizani::Factorize(panel, {"exporter", "importer"});
    benchmark::DoNotOptimize(factor.ids.data());
  }
}
BENCHMARK(BM_FactorizePair)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

// The issue-13 benchmark: 10,000 exchange-rate paths x 10 years x Kenya's
// external debt register (1,025 lines) x 5 borrowing strategies, target under
// 2 s on 2 cores. Prints the time of each phase and the total, to stdout.
// Run: ./build/bench/debt_bench [paths] [threads]
// (needs ../shared/data; exits 0 with a message without it).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>

#include "mizani/finance.h"

namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  namespace fin = mizani::finance;
  const int paths = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  const std::filesystem::path data = MIZANI_SHARED_DATA_DIR;
  const auto register_path = data / "kenya_debt" / "kenya_external_debt_register_2023-06-30.csv";
  if (!std::filesystem::exists(register_path)) {
    std::printf("debt_bench: shared data not found in %s; nothing measured\n", data.c_str());
    return 0;
  }
  const auto start = Clock::now();
  const std::clock_t cpu_start = std::clock();

  auto phase = Clock::now();
  fin::RegisterOptions register_options;
  register_options.first_year = 2025;
  register_options.category_rates = {
      {"Multilateral", 0.015}, {"Bilateral", 0.025}, {"Commercial Bank", 0.075}};
  register_options.floating_categories = {"Commercial Bank"};
  register_options.usd_per_unit = fin::LoadCbkUsdRates(
      (data / "fx_history" / "cbk_indicative_rates_all_currencies_2016_2025.csv.gz").string(),
      "2023-06-30");
  register_options.usd_per_unit["XDR"] = 1.33007;
  const fin::RegisterLoad load = fin::LoadDebtRegister(register_path.string(), register_options);
  const fin::MacroPath macro = fin::LoadWeoMacro(
      (data / "imf_weo_2025apr" / "weo_2025apr_long.csv.gz").string(), "Kenya", 2025, 10);
  const fin::FxHistory history = fin::LoadFxHistory(data.string(), {"KES", "JPY", "EUR"});
  const double read_seconds = Since(phase);

  phase = Clock::now();
  fin::FxModelOptions fx_options;
  fx_options.paths = paths;
  fx_options.horizon_years = 10;
  fx_options.threads = threads;
  fx_options.interest_rates = {{"USD", 0.0438}, {"JPY", 0.0107}, {"KES", 0.0921}};
  const fin::FxSimulation simulation = fin::SimulateFx(history, fx_options);
  const double simulate_seconds = Since(phase);

  // Amounts in KES bn, as in RunDebtScenario.
  fin::Portfolio portfolio;
  portfolio.loans = load.loans;
  double external = 0;
  for (fin::Loan& loan : portfolio.loans) {
    loan.outstanding /= 1000;
    external += loan.outstanding * simulation.KesPer(loan.currency, 0, 0.0);
  }
  portfolio.loans.push_back(
      {"domestic", "KES", "Domestic", macro.base_debt - external, 0.13, false, false, 0, 7});
  const std::vector<fin::FundingSource> sources = {
      {"eurobond", "USD", 0.0972, false, 11, 0, 3, true},
      {"samurai", "JPY", 0.0231, false, 10, 0, 1, true},
      {"concessional", "USD", 0.02, false, 30, 5, 0, true},
      {"domestic", "KES", 0.13, false, 8, 0, 1, false}};
  const std::vector<fin::Strategy> strategies = {{"A", {0.25, 0.0, 0.15, 0.60}},
                                                 {"B", {0.15, 0.10, 0.15, 0.60}},
                                                 {"C", {0.0, 0.25, 0.15, 0.60}},
                                                 {"D", {0.10, 0.0, 0.15, 0.75}},
                                                 {"E", {0.05, 0.20, 0.20, 0.55}}};
  fin::ProjectionOptions projection_options;
  projection_options.horizon_years = 10;
  phase = Clock::now();
  const std::clock_t project_cpu = std::clock();
  double check = 0;
  for (const fin::Strategy& strategy : strategies) {
    const fin::StochasticSummary summary = fin::ProjectStochastic(
        portfolio, sources, strategy, macro, simulation, projection_options, threads);
    check += summary.debt_gdp_p95;
  }
  const double project_seconds = Since(phase);
  const double project_cpu_seconds =
      static_cast<double>(std::clock() - project_cpu) / CLOCKS_PER_SEC;
  std::printf(
      "debt_bench: %d paths x 10 years x %zu register loans (%d lines) x %zu strategies, %d "
      "threads\n",
      paths, load.loans.size(), load.lines, strategies.size(), threads);
  std::printf("  read data       %.3f s\n", read_seconds);
  std::printf("  simulate FX     %.3f s\n", simulate_seconds);
  std::printf("  project 5 strat %.3f s (CPU %.3f s)\n", project_seconds, project_cpu_seconds);
  std::printf("  total           %.3f s (CPU %.3f s; sum of debt/GDP p95s %.4f)\n", Since(start),
              static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC, check);
  return 0;
}

// `mizani debt` scenario files (src/finance/scenario.cc, docs/finance.md) and
// the tables a run reads: a bundle input (fuzz_support.h) of the scenario
// TOML, a debt register, CBK indicative rates and a WEO long table. Each
// reader is called as `mizani debt` calls it (src/finance/run.cc); any input
// ends in a value or a mizani::Error, never a crash, a sanitizer report or
// another exception.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "fuzz_support.h"
#include "mizani/error.h"
#include "mizani/finance.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string folder = mizani::fuzz::WriteBundle(
      data, size, {"scenario.toml", "register.csv", "cbk.csv", "weo.csv"});
  mizani::finance::DebtScenario scenario;
  try {
    mizani::finance::DebtOverrides overrides;
    overrides.data_dir = folder;
    scenario = mizani::finance::LoadDebtScenario(folder + "/scenario.toml", overrides);
  } catch (const mizani::Error& error) {
    mizani::fuzz::Explain(error);
  }
  try {
    mizani::finance::RegisterOptions options = scenario.register_options;
    std::map<std::string, double> usd_per_unit =
        mizani::finance::LoadCbkUsdRates(folder + "/cbk.csv", scenario.register_rates_date);
    for (const auto& [code, rate] : options.usd_per_unit) usd_per_unit[code] = rate;
    options.usd_per_unit = usd_per_unit;
    (void)mizani::finance::LoadDebtRegister(folder + "/register.csv", options);
  } catch (const mizani::Error& error) {
    mizani::fuzz::Explain(error);
  }
  try {
    const std::string weo = folder + "/weo.csv";
    (void)mizani::finance::LoadWeoMacro(weo, scenario.country, scenario.first_year,
                                        scenario.horizon_years);
    (void)mizani::finance::LoadWeoHistory(weo, scenario.country,
                                          scenario.first_year - scenario.stress_history_years,
                                          scenario.first_year - 1);
  } catch (const mizani::Error& error) {
    mizani::fuzz::Explain(error);
  }
  return 0;
}

// `mizani pe` scenario files and the tables they name (docs/pe.md): a bundle
// input (fuzz_support.h) holds the scenario TOML and up to five CSV files,
// named a.csv ... e.csv in the seeds. Any input ends in a scenario that runs
// (SMART or GSIM) or in a mizani::Error, never a crash, a sanitizer report or
// another exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "mizani/error.h"
#include "mizani/pe_scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string folder = mizani::fuzz::WriteBundle(
      data, size, {"scenario.toml", "a.csv", "b.csv", "c.csv", "d.csv", "e.csv"});
  try {
    // "shared:x.csv" resolves in the bundle's folder too.
    const mizani::pe::PeScenario scenario =
        mizani::pe::LoadPeScenario(folder + "/scenario.toml", folder);
    (void)mizani::pe::RunPeScenario(scenario);
  } catch (const mizani::Error& error) {
    mizani::fuzz::Explain(error);
  }
  return 0;
}

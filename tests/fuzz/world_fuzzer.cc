// `mizani baseline build` (src/world/build.cc, docs/world-baseline.md): a
// bundle input (fuzz_support.h) of the flows table, CEPII distances and CEPII
// geography. Any input ends in a baseline whose tables can be written, or in
// a mizani::Error, never a crash, a sanitizer report or another exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "mizani/error.h"
#include "mizani/world.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string folder =
      mizani::fuzz::WriteBundle(data, size, {"flows.csv", "dist.csv", "geo.csv"});
  mizani::world::BuildOptions options;
  options.flows_path = folder + "/flows.csv";
  options.distances_path = folder + "/dist.csv";
  options.geography_path = folder + "/geo.csv";
  // Both constructions of domestic sales, picked by the input's length.
  if (size % 2 == 1) {
    options.method = mizani::world::DomesticMethod::kGdpShare;
    options.domestic_share = 0.5;
  }
  try {
    const mizani::world::WorldBaseline world = mizani::world::BuildWorldBaseline(options);
    (void)mizani::world::PairTable(world);
    (void)mizani::world::CountryTable(world);
    (void)mizani::world::IntraGroupExportShare(world);
    (void)mizani::world::IntraGroupTradeShare(world);
  } catch (const mizani::Error& error) {
    mizani::fuzz::Explain(error);
  }
  return 0;
}

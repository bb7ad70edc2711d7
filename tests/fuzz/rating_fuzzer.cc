// `mizani rate` configuration files (src/rating/config.cc, docs/rating.md),
// the scorecard methodology they name and the panel they read: a bundle
// input (fuzz_support.h) of the configuration TOML, the methodology TOML, the
// ratings history and the WEO long table (named b.toml, c.csv, d.csv in the
// seeds). Any input ends in a value or a mizani::Error, never a crash, a
// sanitizer report or another exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "mizani/error.h"
#include "mizani/rating.h"
#include "mizani/rating_report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string folder =
      mizani::fuzz::WriteBundle(data, size, {"rate.toml", "b.toml", "c.csv", "d.csv"});
  mizani::rating::RateConfig config;
  config.panel.ratings_path = folder + "/c.csv";
  config.panel.weo_path = folder + "/d.csv";
  config.methodology_path = folder + "/b.toml";
  try {
    mizani::rating::RateOverrides overrides;
    overrides.data_dir = folder;
    config = mizani::rating::LoadRateConfig(folder + "/rate.toml", overrides);
  } catch (const mizani::Error& error) {
    mizani::fuzz::Explain(error);
  }
  try {
    if (!config.methodology_path.empty()) {
      (void)mizani::rating::LoadMethodology(config.methodology_path);
    }
  } catch (const mizani::Error& error) {
    mizani::fuzz::Explain(error);
  }
  try {
    (void)mizani::rating::BuildPanel(config.panel);
  } catch (const mizani::Error& error) {
    mizani::fuzz::Explain(error);
  }
  return 0;
}

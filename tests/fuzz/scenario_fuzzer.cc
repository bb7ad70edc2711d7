// The scenario TOML parser and its checks (no data read: the table is
// declared in memory, as `mizani demo` does).
#include <cstddef>
#include <cstdint>
#include <string>

#include "mizani/error.h"
#include "mizani/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  mizani::ScenarioOverrides overrides;
  overrides.data_in_memory = true;
  overrides.data_dir = "/nonexistent";
  try {
    (void)mizani::ParseScenario(text, "fuzz.toml", "/nonexistent", overrides);
  } catch (const mizani::Error&) {
  }
  return 0;
}

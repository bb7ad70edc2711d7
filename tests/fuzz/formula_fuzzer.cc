// The fixest-style formula parser.
#include <cstddef>
#include <cstdint>
#include <string>

#include "mizani/error.h"
#include "mizani/formula.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const mizani::Formula formula = mizani::ParseFormula(text);
    (void)formula.Columns();
  } catch (const mizani::Error&) {
  }
  return 0;
}

// The Stata .dta reader (ReadStat underneath): any input ends in a table or
// a mizani::Error, and never allocates from an untrusted size field.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "mizani/error.h"
#include "mizani/read.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = mizani::fuzz::WriteInput(data, size, ".dta");
  try {
    (void)mizani::ReadTable(path);
  } catch (const mizani::Error&) {
  }
  return 0;
}

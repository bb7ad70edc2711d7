// The MPI test programs' round size for the byte collectives: the ctest
// cases *_rounds set MIZANI_MPI_ROUND_BYTES (tests/CMakeLists.txt) so that
// every message takes several rounds; unset, the library's default. Read
// here, not in the library, which reads no environment.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

#include "mizani/communicator.h"

namespace mizani::testing {

inline int64_t RoundBytesForTest() {
  const char* text = std::getenv("MIZANI_MPI_ROUND_BYTES");
  return text == nullptr ? kMaxRoundBytes : std::stoll(text);
}

}  // namespace mizani::testing

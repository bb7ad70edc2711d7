// Helpers shared by the libFuzzer targets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace mizani::fuzz {

// Writes the input to a file of this process (the readers take paths) and
// returns its path; `extension` picks the reader (".csv", ".dta").
std::string WriteInput(const uint8_t* data, size_t size, const std::string& extension);

}  // namespace mizani::fuzz

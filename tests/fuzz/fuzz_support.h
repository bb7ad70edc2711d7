// Helpers shared by the libFuzzer targets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

namespace mizani::fuzz {

// Writes the input to a file of this process (the readers take paths) and
// returns its path; `extension` picks the reader (".csv", ".dta").
std::string WriteInput(const uint8_t* data, size_t size, const std::string& extension);

// The line that separates the files of a bundle input.
inline constexpr char kBundleSeparator[] = "\n%%\n";

// For readers of a file that names other files (a scenario TOML and its CSV
// inputs): splits the input at kBundleSeparator and writes part k to
// `names[k]` in a folder of this process; a missing part leaves no file, so
// the reader meets a missing input too. Returns the folder's path; the seeds
// refer to the parts by their bare names (relative to the TOML's folder).
std::string WriteBundle(const uint8_t* data, size_t size, const std::vector<std::string>& names);

// Prints the message of an error on stderr when MIZANI_FUZZ_VERBOSE is set:
// run a target on one seed (`pe_fuzzer seed.txt`) to see how far it gets.
void Explain(const std::exception& error);

}  // namespace mizani::fuzz

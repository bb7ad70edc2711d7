// The TICAD 9 scenario files (examples/ticad9/*.toml), compiled into the
// library by cmake/embed_files.cmake so that `mizani demo` needs no files.
#pragma once

#include <string>
#include <vector>

namespace mizani::demo_internal {

struct EmbeddedFile {
  std::string name;  // file name, e.g. "a_japan_opens.toml"
  std::string text;
};

// In file-name order (a_..., b_..., ...).
const std::vector<EmbeddedFile>& EmbeddedScenarios();

}  // namespace mizani::demo_internal

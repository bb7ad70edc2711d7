// A place in an input file (scenario, methodology or configuration TOML), for
// messages. Shared by every engine that reads such files, so it sits in the
// common layer.
#pragma once

#include <string>

namespace mizani {

// "nafta.toml:14:1 ([[shocks]] #2)".
struct SourceRef {
  std::string file;
  int line = 0;
  int column = 0;
  std::string key;  // the TOML key path, e.g. "shocks[1].members"
  std::string Describe() const;
};

}  // namespace mizani

// ${MIZANI_DATA} in paths of input files (scenario, rating configuration):
// expanded to the --data-dir override or else the MIZANI_DATA environment
// variable. One rule for every file format that accepts it.
#pragma once

#include <cstdlib>
#include <string>

namespace mizani {

struct DataPathExpansion {
  bool used = false;          // the path holds ${MIZANI_DATA}
  bool root_missing = false;  // ... but neither --data-dir nor MIZANI_DATA is set
  std::string path;           // the expanded path when used and not root_missing
};

inline DataPathExpansion ExpandDataVariable(const std::string& raw, const std::string& data_dir) {
  DataPathExpansion expansion;
  const std::string variable = "${MIZANI_DATA}";
  const size_t at = raw.find(variable);
  if (at == std::string::npos) return expansion;
  expansion.used = true;
  std::string root = data_dir;
  if (root.empty()) {
    const char* env = std::getenv("MIZANI_DATA");
    if (env != nullptr) root = env;
  }
  if (root.empty()) {
    expansion.root_missing = true;
    return expansion;
  }
  expansion.path = raw;
  expansion.path.replace(at, variable.size(), root);
  return expansion;
}

}  // namespace mizani

// ${MIZANI_DATA} in paths of input files (scenario, rating configuration,
// financing scenario): expanded to the call's data folder (--data-dir) or
// else Settings::data_variable, which the command sets from the MIZANI_DATA
// environment variable (mizani/settings.h). One rule for every file format
// that accepts it.
#pragma once

#include <string>

#include "mizani/settings.h"

namespace mizani {

struct DataPathExpansion {
  bool used = false;          // the path holds ${MIZANI_DATA}
  bool root_missing = false;  // ... but neither the call nor the settings give it
  std::string path;           // the expanded path when used and not root_missing
};

inline DataPathExpansion ExpandDataVariable(const std::string& raw, const std::string& data_dir) {
  DataPathExpansion expansion;
  const std::string variable = "${MIZANI_DATA}";
  const size_t at = raw.find(variable);
  if (at == std::string::npos) return expansion;
  expansion.used = true;
  const std::string& root = data_dir.empty() ? CurrentSettings().data_variable : data_dir;
  if (root.empty()) {
    expansion.root_missing = true;
    return expansion;
  }
  expansion.path = raw;
  expansion.path.replace(at, variable.size(), root);
  return expansion;
}

}  // namespace mizani

// Process-wide settings that the host application chooses: the `mizani`
// command fills them from its environment variables (apps/cli/environment.cc;
// docs/cli.md lists them), a binding from its own arguments. The library
// never reads the environment itself, so a host decides what applies.
//
// Set them once, before any work starts: a running estimation or report
// reads them without a lock. Values given to a call (a scenario's
// data_dir, say) take precedence over these defaults.
#pragma once

#include <string>

namespace mizani {

struct Settings {
  // Phase trace on stderr (mizani/trace.h): 0 off, 1 phases, 2 details.
  int trace_level = 0;
  // First folder searched for the HTML report's web assets (a node_modules
  // folder with vega, vega-lite, vega-embed, world-atlas); empty: only the
  // build's folder and <exe dir>/../web/node_modules.
  std::string web_dir;
  // The value of ${MIZANI_DATA} in input paths when the call gives no data
  // folder of its own; empty: such a path is an error that says so.
  std::string data_variable;
};

// Replaces the settings (trace level clamped to 0..2).
void ApplySettings(const Settings& settings);
const Settings& CurrentSettings();

}  // namespace mizani

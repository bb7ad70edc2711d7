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
  // Ask the kernel for transparent huge pages (madvise) for the CSV
  // reader's large blocks. Off by default: on virtual machines whose
  // hypervisor takes back free memory in 2 MiB blocks a huge page can cost
  // milliseconds to touch (bench/README.md, session 16), while a host
  // process may have reasons of its own. The `mizani` command decides per
  // run (docs/cli.md, MIZANI_HEAP_HUGE_PAGES).
  bool huge_pages = false;
};

// Replaces the settings (trace level clamped to 0..2).
void ApplySettings(const Settings& settings);
const Settings& CurrentSettings();

// Settings::huge_pages, readable from any thread while work runs.
bool HugePagesAdvised();

}  // namespace mizani

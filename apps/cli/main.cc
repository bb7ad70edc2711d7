// The `mizani` command: a thin layer over the core library. Every error
// becomes an exit code here and only here (see docs/cli.md for the table).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <fmt/format.h>
#include <new>

#include "mizani/error.h"

int main(int argc, char** argv) {
  CLI::App app{"mizani: structural gravity estimation and general-equilibrium counterfactuals"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("mizani ") + MIZANI_CLI_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : static_cast<int>(mizani::ErrorCode::kUsage);
  }
  return 0;
}

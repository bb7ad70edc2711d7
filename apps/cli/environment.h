// The command's environment variables, read once at start-up (docs/cli.md
// lists them): the library takes the same values as settings and options,
// never from the environment itself.
#pragma once

#include <string>

#include "mizani/settings.h"

namespace mizani::cli {

struct Environment {
  Settings settings;  // MIZANI_TRACE, MIZANI_WEB_DIR, MIZANI_DATA
  // MIZANI_SHARED_DATA, or ../shared/data: where `pe` and `baseline` look
  // for the shared data sets when --data-dir is not given.
  std::string shared_data_dir;
};

Environment ReadEnvironment();

}  // namespace mizani::cli

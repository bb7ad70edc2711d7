// Helpers shared by the test executables.
#pragma once

#include <string>

namespace mizani::testing {

// ../shared/data (or $MIZANI_SHARED_DATA) joined with `relative`; empty when
// the file is absent, so the caller can GTEST_SKIP() with a message.
std::string SharedDataPath(const std::string& relative);
// tests/data/<relative>
std::string TestDataPath(const std::string& relative);
// A fresh empty directory under the build tree's temp area.
std::string MakeTempDir(const std::string& prefix);
// Stdout of a shell command (e.g. a peer run by /usr/bin/python3); empty when
// it cannot start or exits non-zero, so the caller can skip.
std::string CaptureCommand(const std::string& command);

}  // namespace mizani::testing

#define MIZANI_REQUIRE_SHARED(var, relative)                             \
  const std::string var = ::mizani::testing::SharedDataPath(relative);   \
  if (var.empty())                                                       \
  GTEST_SKIP() << "shared data not found: ../shared/data/" << (relative) \
               << " (set MIZANI_SHARED_DATA to the folder holding the data sets)"

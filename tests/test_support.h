// Helpers shared by the test executables.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "mizani/error.h"

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

// Runs `action`, expecting Error with `code` and every text of `parts` in
// its message.
void ExpectError(const std::function<void()>& action, ErrorCode code,
                 const std::vector<std::string>& parts);

// A fixture with a fresh temporary directory, removed after the test.
class TempDirTest : public ::testing::Test {
 protected:
  explicit TempDirTest(std::string prefix) : prefix_(std::move(prefix)) {}
  void SetUp() override { dir_ = MakeTempDir(prefix_); }
  void TearDown() override;

  // Writes `content` (bytes as given) to `name` in the directory; its path.
  std::string WriteText(const std::string& name, const std::string& content) const;

  std::string prefix_;
  std::string dir_;
};

}  // namespace mizani::testing

#define MIZANI_REQUIRE_SHARED(var, relative)                             \
  const std::string var = ::mizani::testing::SharedDataPath(relative);   \
  if (var.empty())                                                       \
  GTEST_SKIP() << "shared data not found: ../shared/data/" << (relative) \
               << " (set MIZANI_SHARED_DATA to the folder holding the data sets)"

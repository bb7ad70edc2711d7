#include "test_support.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <utility>

namespace mizani::testing {

std::string SharedDataPath(const std::string& relative) {
  const char* env = std::getenv("MIZANI_SHARED_DATA");
  std::filesystem::path base = env != nullptr ? env : MIZANI_SHARED_DATA_DIR;
  std::filesystem::path full = base / relative;
  std::error_code ec;
  if (!std::filesystem::exists(full, ec)) return "";
  return full.string();
}

std::string TestDataPath(const std::string& relative) {
  return (std::filesystem::path(MIZANI_TEST_DATA_DIR) / relative).string();
}

std::string MakeTempDir(const std::string& prefix) {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() /
             (prefix + "-" + std::to_string(rd()) + "-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string CaptureCommand(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string out;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  return pclose(pipe) == 0 ? out : "";
}

void ExpectError(const std::function<void()>& action, ErrorCode code,
                 const std::vector<std::string>& parts) {
  try {
    action();
    ADD_FAILURE() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), code) << error.what();
    for (const std::string& part : parts) {
      EXPECT_NE(std::string(error.what()).find(part), std::string::npos)
          << "'" << part << "' not in: " << error.what();
    }
  }
}

void TempDirTest::TearDown() { std::filesystem::remove_all(dir_); }

std::string TempDirTest::WriteText(const std::string& name, const std::string& content) const {
  std::string path = dir_ + "/" + name;
  std::ofstream out(path, std::ios::binary);
  out << content;
  return path;
}

}  // namespace mizani::testing

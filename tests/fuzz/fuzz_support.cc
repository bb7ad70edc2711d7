#include "fuzz_support.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string_view>

namespace mizani::fuzz {

namespace {

// /dev/shm when there is one: the files never reach a disk.
std::filesystem::path ScratchFolder() {
  return std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
}

void WriteFile(const std::string& path, const char* data, size_t size) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);
}

}  // namespace

std::string WriteInput(const uint8_t* data, size_t size, const std::string& extension) {
  std::string path =
      (ScratchFolder() / ("mizani-fuzz-" + std::to_string(::getpid()) + extension)).string();
  WriteFile(path, reinterpret_cast<const char*>(data), size);
  return path;
}

std::string WriteBundle(const uint8_t* data, size_t size, const std::vector<std::string>& names) {
  const std::filesystem::path folder =
      ScratchFolder() / ("mizani-fuzz-" + std::to_string(::getpid()) + "-bundle");
  std::filesystem::create_directories(folder);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string_view separator(kBundleSeparator);
  size_t start = 0;
  for (const std::string& name : names) {
    const std::string path = (folder / name).string();
    if (start > text.size()) {
      std::filesystem::remove(path);
      continue;
    }
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    WriteFile(path, text.data() + start, end - start);
    start = end + separator.size();
  }
  return folder.string();
}

void Explain(const std::exception& error) {
  static const bool verbose = std::getenv("MIZANI_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "fuzz: %s\n", error.what());
}

}  // namespace mizani::fuzz

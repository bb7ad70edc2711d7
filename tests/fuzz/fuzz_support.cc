#include "fuzz_support.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace mizani::fuzz {

std::string WriteInput(const uint8_t* data, size_t size, const std::string& extension) {
  // /dev/shm when there is one: the file never reaches a disk.
  const std::filesystem::path folder =
      std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  const std::string path =
      (folder / ("mizani-fuzz-" + std::to_string(::getpid()) + extension)).string();
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);
  return path;
}

}  // namespace mizani::fuzz

// Writing command output to stdout or a file.
#pragma once

#include <string>

namespace mizani::cli {

// "-" or empty: stdout. Throws Error(kOutputFailed) naming the path.
void WriteText(const std::string& path, const std::string& text);

}  // namespace mizani::cli

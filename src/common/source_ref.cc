#include "mizani/source_ref.h"

#include <fmt/format.h>

namespace mizani {

std::string SourceRef::Describe() const {
  std::string text = file.empty() ? std::string("<scenario>") : file;
  if (line > 0) text += fmt::format(":{}:{}", line, column);
  if (!key.empty()) text += fmt::format(" ({})", key);
  return text;
}

}  // namespace mizani

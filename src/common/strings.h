// Small string helpers shared by the layers (one definition each).
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace mizani {

// "a, b, c": the names a message lists (the columns a file has, say).
inline std::string JoinNames(const std::vector<std::string>& names,
                             std::string_view separator = ", ") {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += separator;
    out += name;
  }
  return out;
}

// ASCII lowercase (file extensions, keys); other bytes unchanged.
inline std::string Lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char symbol) { return static_cast<char>(std::tolower(symbol)); });
  return text;
}

// The position of `name` in `names`, or -1 when it is not there.
inline int IndexOf(const std::vector<std::string>& names, const std::string& name) {
  const auto found = std::find(names.begin(), names.end(), name);
  return found == names.end() ? -1 : static_cast<int>(found - names.begin());
}

inline bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace mizani

// Small string helpers shared by the layers (one definition each).
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
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

// Length of the well-formed UTF-8 prefix of `text` (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF); text.size() when all of it
// is valid.
inline size_t ValidUtf8Prefix(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    if (lead < 0x80) {
      ++pos;
      continue;
    }
    size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;  // the range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;   // overlong
      if (lead == 0xED) high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;   // overlong
      if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
    } else {
      return pos;
    }
    if (pos + length > text.size()) return pos;
    const auto second = static_cast<unsigned char>(text[pos + 1]);
    if (second < low || second > high) return pos;
    for (size_t byte_idx = 2; byte_idx < length; ++byte_idx) {
      const auto next = static_cast<unsigned char>(text[pos + byte_idx]);
      if (next < 0x80 || next > 0xBF) return pos;
    }
    pos += length;
  }
  return pos;
}

// ISO 8859-1 (Latin-1) text as UTF-8: each byte is the code point of the
// same value.
inline std::string Latin1ToUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  for (char symbol : text) {
    const auto byte = static_cast<unsigned char>(symbol);
    if (byte < 0x80) {
      out.push_back(symbol);
    } else {
      out.push_back(static_cast<char>(0xC0 | (byte >> 6)));
      out.push_back(static_cast<char>(0x80 | (byte & 0x3F)));
    }
  }
  return out;
}

}  // namespace mizani

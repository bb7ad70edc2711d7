#include "report/format.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>

namespace mizani::report_internal {

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char character : text) {
    switch (character) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += character;
    }
  }
  return out;
}

std::string MarkdownEscape(std::string_view text) {
  static constexpr std::string_view kSpecial = "\\`*_[]<>|#~";
  std::string out;
  out.reserve(text.size());
  for (char character : text) {
    if (character == '\n' || character == '\r') {
      out += ' ';
    } else if (kSpecial.find(character) != std::string_view::npos) {
      out += '\\';
      out += character;
    } else {
      out += character;
    }
  }
  return out;
}

std::string JsonForScript(std::string json) {
  std::string out;
  out.reserve(json.size());
  for (size_t index = 0; index < json.size(); ++index) {
    const char character = json[index];
    // Outside strings JSON has none of these characters, so escaping them
    // everywhere keeps the document valid and its values unchanged.
    if (character == '<') {
      out += "\\u003c";
    } else if (character == '>') {
      out += "\\u003e";
    } else if (character == '&') {
      out += "\\u0026";
    } else if (character == '\xE2' && index + 2 < json.size() && json[index + 1] == '\x80' &&
               (json[index + 2] == '\xA8' || json[index + 2] == '\xA9')) {
      out += json[index + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      index += 2;
    } else {
      out += character;
    }
  }
  return out;
}

std::string ScriptForHtml(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  auto starts_with_ci = [&](size_t index, std::string_view word) {
    if (index + word.size() > source.size()) return false;
    for (size_t offset = 0; offset < word.size(); ++offset) {
      if (std::tolower(static_cast<unsigned char>(source[index + offset])) != word[offset]) {
        return false;
      }
    }
    return true;
  };
  for (size_t index = 0; index < source.size(); ++index) {
    // In JavaScript strings, regular expressions and comments "<\/" and "<\!"
    // mean the same as "</" and "<!", but the HTML parser no longer sees them.
    if (starts_with_ci(index, "</script")) {
      out += "<\\/";
      index += 1;
    } else if (starts_with_ci(index, "<!--")) {
      out += "<\\!";
      index += 1;
    } else {
      out += source[index];
    }
  }
  return out;
}

std::string FormatNumber(double value, int decimals) {
  if (std::isnan(value)) return std::string(kMissingText);
  if (std::isinf(value)) return value > 0 ? "\u221E" : "-\u221E";
  std::string digits = fmt::format("{:.{}f}", std::fabs(value), decimals < 0 ? 0 : decimals);
  const size_t point = digits.find('.');
  const size_t integer_end = point == std::string::npos ? digits.size() : point;
  std::string grouped;
  for (size_t index = 0; index < integer_end; ++index) {
    if (index > 0 && (integer_end - index) % 3 == 0) grouped += ',';
    grouped += digits[index];
  }
  grouped += digits.substr(integer_end);
  // Only a sign on a number that still shows a non-zero digit: no "-0.00".
  const bool shows_nonzero = grouped.find_first_of("123456789") != std::string::npos;
  return (value < 0 && shows_nonzero) ? "-" + grouped : grouped;
}

std::string FormatValue(double value, ValueKind kind, int decimals) {
  std::string text = FormatNumber(value, decimals);
  if (kind == ValueKind::kPercent && !std::isnan(value)) text += '%';
  return text;
}

std::string CellText(const ReportCell& cell, const ReportColumn& column) {
  if (const auto* text = std::get_if<std::string>(&cell)) return *text;
  const double value = std::get<double>(cell);
  if (std::isnan(value)) return std::string(kMissingText);
  if (column.kind == ValueKind::kText) return ExactNumber(value);
  return FormatValue(value, column.kind, column.decimals);
}

std::string ExactNumber(double value) {
  if (std::isnan(value)) return "";
  return fmt::format("{}", value);
}

}  // namespace mizani::report_internal

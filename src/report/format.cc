#include "report/format.h"

#include <fmt/format.h>

#include <algorithm>
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

namespace {

// Decimals for `significant` significant digits of a non-zero finite value:
// 0.0042 has its first at the 3rd decimal, so 2 digits need 4 decimals.
int SignificantDecimals(double value, int significant) {
  const double magnitude = std::floor(std::log10(std::fabs(value)));
  return std::clamp(static_cast<int>(-magnitude) + std::max(significant, 1) - 1, 0, kMaxDecimals);
}

}  // namespace

int AdaptiveDecimals(double value, int min_decimals, int significant) {
  const int decimals = std::clamp(min_decimals, 0, kMaxDecimals);
  if (!std::isfinite(value) || value == 0) return decimals;
  // Only when the minimum would hide the value: 0.25 at 1 decimal stays "0.2".
  if (FormatNumber(value, decimals).find_first_of("123456789") != std::string::npos) {
    return decimals;
  }
  return std::max(decimals, SignificantDecimals(value, significant));
}

namespace {

// A value that no fixed decimals can show (below 10^-kMaxDecimals):
// scientific notation, "1.2e-15".
bool NeedsScientific(double value) {
  return std::isfinite(value) && value != 0 &&
         std::fabs(value) < 0.5 * std::pow(10.0, -kMaxDecimals);
}

std::string WithSign(std::string text, double value, bool sign) {
  if (sign && value > 0 && text.find_first_of("123456789") != std::string::npos) {
    return "+" + text;
  }
  return text;
}

// Percentages below one basis point (0.01%) are shown in basis points: the
// adviser reads "+0.59 bp" where "+0.01%" or "0.00%" would hide the size.
constexpr double kBasisPointLimit = 0.01;

}  // namespace

std::string FormatValue(double value, ValueKind kind, int decimals, bool sign) {
  if (std::isnan(value)) return std::string(kMissingText);
  if (kind == ValueKind::kPercent && value != 0 && std::fabs(value) < kBasisPointLimit) {
    const double points = value * 100;
    const std::string digits = NeedsScientific(points)
                                   ? fmt::format("{:.1e}", points)
                                   : FormatNumber(points, SignificantDecimals(points, 2));
    return WithSign(digits, value, sign) + " bp";
  }
  std::string text = NeedsScientific(value)
                         ? fmt::format("{:.1e}", value)
                         : FormatNumber(value, AdaptiveDecimals(value, decimals));
  text = WithSign(std::move(text), value, sign);
  if (kind == ValueKind::kPercent && std::isfinite(value)) text += '%';
  return text;
}

}  // namespace mizani::report_internal

namespace mizani {

std::string FormatShown(double value, ValueKind kind, int decimals, bool sign) {
  return report_internal::FormatValue(value, kind, decimals, sign);
}

}  // namespace mizani

namespace mizani::report_internal {

ChartNumberFormat ChooseChartFormat(double max_abs, ValueKind kind) {
  ChartNumberFormat format;
  const bool no_data = !std::isfinite(max_abs) || max_abs <= 0;
  format.basis_points = kind == ValueKind::kPercent && !no_data && max_abs < kBasisPointLimit;
  double shown = max_abs;
  if (kind == ValueKind::kPercent) {
    // Vega's "%" format multiplies by 100: percent values travel as fractions.
    format.factor = format.basis_points ? 100.0 : 0.01;
    if (format.basis_points) {
      shown = max_abs * 100;
      format.unit_title = " (basis points; 1 bp = 0.01%)";
    }
  }
  // Vega draws up to about twenty ticks on a wide axis, at steps of 1, 2 or 5
  // times a power of ten: the decimals of the smallest such step keep
  // neighbouring ticks distinct ("~" trims the zeros a larger step leaves).
  int axis_decimals = 0;
  int value_decimals = 2;
  if (!no_data) {
    const double step = shown / 20;
    axis_decimals = std::clamp(static_cast<int>(-std::floor(std::log10(step))), 0, kMaxDecimals);
    value_decimals = std::max(2, AdaptiveDecimals(shown, 0, 2));
  }
  const bool percent = kind == ValueKind::kPercent && !format.basis_points;
  const char* suffix = percent ? "%" : "f";
  format.d3_axis = fmt::format(",.{}~{}", axis_decimals, suffix);
  format.d3_value = fmt::format(",.{}~{}", value_decimals, suffix);
  return format;
}

std::string CellText(const ReportCell& cell, const ReportColumn& column) {
  if (const auto* text = std::get_if<std::string>(&cell)) return *text;
  const double value = std::get<double>(cell);
  if (std::isnan(value)) return std::string(kMissingText);
  if (column.kind == ValueKind::kText) return ExactNumber(value);
  return FormatValue(value, column.kind, column.decimals);
}

namespace {

// Calls `plain` for text outside code spans and `code` for the inside of each
// `...` pair; a backtick without a partner is plain text.
template <typename Plain, typename Code>
void SplitCodeSpans(std::string_view text, const Plain& plain, const Code& code) {
  size_t at = 0;
  while (at < text.size()) {
    const size_t open = text.find('`', at);
    const size_t close = open == std::string_view::npos ? open : text.find('`', open + 1);
    if (close == std::string_view::npos) {
      plain(text.substr(at));
      return;
    }
    plain(text.substr(at, open - at));
    code(text.substr(open + 1, close - open - 1));
    at = close + 1;
  }
}

}  // namespace

std::string ParagraphHtml(std::string_view text) {
  std::string out;
  SplitCodeSpans(
      text, [&](std::string_view part) { out += HtmlEscape(part); },
      [&](std::string_view part) { out += "<code>" + HtmlEscape(part) + "</code>"; });
  return out;
}

std::string ParagraphMarkdown(std::string_view text) {
  std::string out;
  SplitCodeSpans(
      text, [&](std::string_view part) { out += MarkdownEscape(part); },
      [&](std::string_view part) {
        // Inside a code span Markdown escapes nothing; line breaks would end it.
        std::string inner(part);
        std::replace(inner.begin(), inner.end(), '\n', ' ');
        out += "`" + inner + "`";
      });
  return out;
}

std::string ExactNumber(double value) {
  if (std::isnan(value)) return "";
  return fmt::format("{}", value);
}

}  // namespace mizani::report_internal

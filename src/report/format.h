// Escaping and number formatting shared by the report renderers.
#pragma once

#include <string>
#include <string_view>

#include "mizani/report.h"

namespace mizani::report_internal {

// The dash shown for a missing number (NaN): an en dash, as statistical tables use.
inline constexpr std::string_view kMissingText = "\u2013";

// Text for HTML element content and attribute values.
std::string HtmlEscape(std::string_view text);
// Inline Markdown text: characters with Markdown meaning are backslash-escaped
// and line breaks become spaces, so a value cannot break a table row.
std::string MarkdownEscape(std::string_view text);
// JSON text made safe inside <script>: '<', '>', '&' and the JS line
// separators U+2028/U+2029 become \u escapes (valid JSON, same value).
std::string JsonForScript(std::string json);
// JavaScript source made safe inside <script>...</script>: "</script" and
// "<!--" cannot appear literally or the HTML parser would end the element.
std::string ScriptForHtml(std::string_view source);

// "1,234.57"; "–" for NaN; negative zero shows as zero. Exactly `decimals`
// digits: callers that show effects use FormatValue, which never rounds a
// non-zero value to zero.
std::string FormatNumber(double value, int decimals);
// The digits after the point that `value` needs: at least `min_decimals`, and
// more when fewer would show no non-zero digit, until `significant` digits show
// (0.0042 at 2 decimals: 4). At most kMaxDecimals.
inline constexpr int kMaxDecimals = 12;
int AdaptiveDecimals(double value, int min_decimals, int significant = 2);
// A number as every renderer shows it (FormatShown in report.h).
std::string FormatValue(double value, ValueKind kind, int decimals, bool sign = false);
// How a chart writes the numbers of one value axis: tick labels need the
// decimals of the tick step, and tiny percentages go to basis points.
struct ChartNumberFormat {
  double factor = 1;       // spec value = value * factor
  std::string d3_axis;     // d3-format of the tick labels
  std::string d3_value;    // d3-format of single values (tooltips)
  std::string unit_title;  // appended to the axis title, e.g. " (basis points)"
  bool basis_points = false;
};
// `max_abs`: the largest absolute value drawn (NaN or 0: no data).
ChartNumberFormat ChooseChartFormat(double max_abs, ValueKind kind);
// Cell text as shown in HTML and Markdown tables (before escaping).
std::string CellText(const ReportCell& cell, const ReportColumn& column);
// Paragraph text with `code` spans: HTML wraps each in <code>, Markdown keeps
// it as a code span; elsewhere text is escaped as usual. An unpaired backtick
// is text. (So commands in a paragraph never print their backticks.)
std::string ParagraphHtml(std::string_view text);
std::string ParagraphMarkdown(std::string_view text);
// Shortest text that reads back as the same double ("0.1", "1e+300"); empty for NaN.
std::string ExactNumber(double value);

}  // namespace mizani::report_internal

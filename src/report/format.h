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

// "1,234.57"; "–" for NaN; negative zero shows as zero.
std::string FormatNumber(double value, int decimals);
// FormatNumber plus "%" for kPercent.
std::string FormatValue(double value, ValueKind kind, int decimals);
// Cell text as shown in HTML and Markdown tables (before escaping).
std::string CellText(const ReportCell& cell, const ReportColumn& column);
// Shortest text that reads back as the same double ("0.1", "1e+300"); empty for NaN.
std::string ExactNumber(double value);

}  // namespace mizani::report_internal

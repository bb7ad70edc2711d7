// A generic report document and its renderers (HTML, Markdown, CSV, JSON).
//
// The simulate and demo commands fill a ReportDocument; this module knows
// nothing about trade models. The HTML rendering is one self-contained file
// that opens offline: its charts are Vega-Lite specs drawn by vega-embed, whose
// JavaScript (installed by scripts/setup.sh with npm) is inlined into the page.
// See docs/report.md.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace mizani {

// How a number is shown. kPercent values are already in percent units:
// 2.5 is shown as "2.50%" (they are not fractions).
enum class ValueKind { kText, kNumber, kPercent };

struct ReportColumn {
  std::string name;
  ValueKind kind = ValueKind::kText;
  int decimals = 2;  // digits after the decimal point for kNumber and kPercent
};

// A table cell: text, or a number (NaN is shown as "–" and written empty in CSV).
using ReportCell = std::variant<std::string, double>;

struct ReportTable {
  std::string name;  // file stem of its CSV: letters, digits, '_' and '-' only
  std::string caption;
  std::vector<ReportColumn> columns;
  std::vector<std::vector<ReportCell>> rows;  // each row has one cell per column
  std::string note;                           // shown under the table when not empty
};

struct ReportParagraph {
  std::string text;  // plain text; escaped by every renderer
};

// Key-value list such as "Elasticity of substitution: 5".
struct AssumptionList {
  std::string title;  // optional
  std::vector<std::pair<std::string, std::string>> items;
};

struct ChartSeries {
  std::string name;
  std::vector<double> values;  // one per category; NaN leaves the bar out
  // Interval bounds drawn as error bars: empty, or one per category.
  std::vector<double> lower;
  std::vector<double> upper;
};

// What the whiskers of a bar chart are: a statistical interval (a bootstrap
// percentile interval: solid) or an assumed policy range (low/high sizes of
// the policy: dashed). Named differently in tooltips and notes.
enum class RangeKind { kInterval, kPolicyRange };

// Horizontal bars, one per category; several series are drawn side by side.
struct BarChart {
  std::string title;
  std::vector<std::string> categories;
  std::vector<ChartSeries> series;
  std::string axis_label;
  ValueKind kind = ValueKind::kNumber;
  bool sorted = false;  // order categories by the first series, largest first
  std::string note;
  RangeKind range_kind = RangeKind::kInterval;
  // Tooltip title of the whiskers, e.g. "95% interval". (Initialised so that
  // positional initialisers of the fields above stay complete.)
  std::string range_label{};
};

// Shares or levels per category under several named states ("Before",
// "After"), drawn as grouped bars with the value printed on each bar.
struct GroupedBarChart {
  std::string title;
  std::vector<std::string> categories;
  std::vector<std::string> groups;
  std::vector<std::vector<double>> values;  // values[group][category]
  std::string axis_label;
  ValueKind kind = ValueKind::kPercent;
  std::string note;
};

// Choropleth world map: a diverging colour scale centred at zero; countries
// absent from `values` are grey. Codes unknown to the map are listed in a note.
struct WorldMap {
  std::string title;
  std::map<std::string, double> values;  // ISO 3166-1 alpha-3 code -> value
  std::string legend_label;
  ValueKind kind = ValueKind::kPercent;
  std::string note;
  // Only these countries (ISO3) are drawn, the map fitted to them (a region
  // such as Africa); empty: the world. (Initialised so that positional
  // initialisers of the fields above stay complete.)
  std::vector<std::string> region{};
  // A discrete legend in words: every value is a key here (a notch), the
  // legend lists the labels of the values present in key order on a
  // red-to-green scale (worst to best), and tooltips show the label. Empty:
  // a diverging scale centred at zero.
  std::map<double, std::string> legend_labels{};
};

// Lines over a numeric x axis (years, say), each series with an optional
// shaded band between `lower` and `upper` (a fan chart of percentiles); with
// `points` the series are drawn as labelled markers instead (a scatter, such
// as a cost-risk frontier). y values are in `kind` units; NaN is left out.
struct LineSeries {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
  std::vector<double> lower;        // empty, or one per x
  std::vector<double> upper;        // empty, or one per x
  std::vector<std::string> labels;  // empty, or one per x (shown beside points)
};

struct LineChart {
  std::string title;
  std::vector<LineSeries> series;
  std::string x_label;
  std::string y_label;
  ValueKind x_kind = ValueKind::kNumber;
  ValueKind kind = ValueKind::kNumber;
  bool points = false;
  std::string note;
  // The y axis labelled in words at these values (a rating scale: 12 ->
  // "BBB-"), ticks at the keys within the data's range; tooltips show the
  // label too. Empty: numbers. (Initialised so that positional initialisers
  // of the fields above stay complete.)
  std::map<double, std::string> y_labels{};
};

using ReportBlock = std::variant<ReportParagraph, AssumptionList, ReportTable, BarChart,
                                 GroupedBarChart, WorldMap, LineChart>;

// Blocks are rendered in the order they were added.
struct ReportSection {
  std::string heading;
  std::vector<ReportBlock> blocks;
  // Printed, a page break follows it: a summary printed on pages of its own.
  // (Initialised so that positional initialisers of the fields above stay complete.)
  bool ends_page{};
};

struct ReportDocument {
  std::string title;
  std::string subtitle;
  std::string badge;         // e.g. "SYNTHETIC DATA"; shown prominently when not empty
  std::string generated_at;  // shown as given, e.g. "2024-05-01 14:03 UTC"
  std::vector<ReportSection> sections;
  // Tables too wide for a page or a narrow window: not in the HTML or
  // Markdown, but written as CSV files, sheets of the workbook and in
  // report.json like every other table.
  std::vector<ReportTable> download_tables;
};

// A number as every renderer shows it: `decimals` after the point, more when
// fewer would show a non-zero value as zero (two significant digits), and a
// percentage below 0.01% in basis points ("+0.59 bp"). NaN: "–". `sign`: a
// "+" before positive values.
std::string FormatShown(double value, ValueKind kind, int decimals = 2, bool sign = false);

// The columns of `table` listed in `columns` (its column name, the header to
// show), in that order, as table `name` with the same caption and note.
// Throws Error(kInternal) naming a column the table lacks.
ReportTable SelectColumns(const ReportTable& table, const std::string& name,
                          const std::vector<std::pair<std::string, std::string>>& columns);

// One self-contained HTML page. Reads the web assets (see docs/report.md) from
// Settings::web_dir (mizani/settings.h; the command sets it from MIZANI_WEB_DIR), the build's
// web/node_modules, or <exe dir>/../web/node_modules; throws Error(kFileUnreadable) when none has
// them.
std::string RenderHtml(const ReportDocument& doc);
// GitHub-flavoured Markdown; charts become a short note listing their top values.
std::string RenderMarkdown(const ReportDocument& doc);
// RFC 4180 CSV with a header row; numbers at full precision, NaN empty.
std::string RenderCsv(const ReportTable& table);
// The whole document as JSON (NaN as null), written as report.json.
std::string RenderJson(const ReportDocument& doc);
// Every table as a sheet of one Excel workbook (headers, a units row, numbers at
// full precision) plus a Sources sheet (captions, notes, assumptions): the
// bytes of <basename>.xlsx. Throws Error(kOutputFailed).
std::string RenderWorkbook(const ReportDocument& doc);

// One file of an output folder: its path relative to the folder ("a.csv" or
// "report/report.html") and its content.
struct OutputFile {
  std::string path;
  std::string content;
};

// The name of the list of files mizani wrote into an output folder. mizani
// replaces a folder only when every entry in it is on that list, so it never
// deletes or overwrites a file it did not write itself.
inline constexpr const char* kOutputManifest = ".mizani-manifest";

// Checks, before any work, that `folder` can receive output: it is absent,
// empty, or a previous mizani output holding only files its manifest lists;
// and the nearest existing parent folder is writable. Throws
// Error(kOutputFailed) naming the first foreign file or the unwritable folder.
void CheckOutputFolder(const std::string& folder);

// Writes `files` and the manifest into `folder`, all-or-nothing: everything
// goes to a temporary folder beside it first, then one rename puts it in
// place (a previous output is swapped out and removed only afterwards).
// Checks the folder again first (CheckOutputFolder). Throws
// Error(kOutputFailed) on IO errors, Error(kInternal) for unsafe file names.
void WriteOutputFolder(const std::string& folder, const std::vector<OutputFile>& files);

// The files of a report: <basename>.html, <basename>.md, report.json and
// <table name>.csv for every table. Throws Error(kFileUnreadable) when the web
// assets for the HTML are missing, Error(kInternal) for invalid or duplicate
// table names.
// `extra_files` (name, content) join them, e.g. an engine's results.json;
// <basename>.xlsx (RenderWorkbook) is one of them too.
std::vector<OutputFile> RenderReportFiles(
    const ReportDocument& doc, const std::string& basename = "report",
    const std::vector<std::pair<std::string, std::string>>& extra_files = {});

// RenderReportFiles written into `out_dir` by WriteOutputFolder.
void WriteReport(const ReportDocument& doc, const std::string& out_dir,
                 const std::string& basename = "report",
                 const std::vector<std::pair<std::string, std::string>>& extra_files = {});

// The current time as ReportDocument::generated_at shows it ("2024-05-01 14:03 UTC").
std::string ReportTimestamp();

}  // namespace mizani

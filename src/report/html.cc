// RenderHtml: one self-contained page (inline CSS, inline JavaScript, inline
// chart data) that opens offline and prints cleanly.
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <variant>

#include "mizani/error.h"
#include "mizani/report.h"
#include "report/format.h"
#include "report/vega_specs.h"
#include "report/web_assets.h"

#ifndef MIZANI_VERSION
#define MIZANI_VERSION "unknown"
#endif

namespace mizani {

namespace {

using report_internal::HtmlEscape;
using report_internal::Json;

constexpr const char* kStyle = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #ffffff; color: #1b1b1b; line-height: 1.5; font-size: 16px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans",
    "Hiragino Sans", "Yu Gothic", "Noto Sans CJK JP", sans-serif; }
.page { max-width: 1000px; margin: 0 auto; padding: 24px 32px 48px; }
.badge { display: block; margin: 0 0 20px; padding: 10px 16px; border: 2px solid #b45309;
  border-radius: 4px; background: #fff4d6; color: #7c2d12; font-weight: 700; font-size: 15px;
  letter-spacing: 0.08em; text-align: center; text-transform: uppercase; }
header h1 { margin: 0 0 4px; font-size: 30px; line-height: 1.2; font-weight: 700; }
header .subtitle { margin: 0 0 8px; font-size: 18px; color: #404040; }
header .meta { margin: 0; font-size: 13px; color: #666666; }
header { padding-bottom: 16px; border-bottom: 3px solid #1f3a5f; }
nav.toc { margin: 20px 0 8px; font-size: 14px; }
nav.toc h2 { font-size: 14px; margin: 0 0 4px; border: 0; padding: 0; color: #555555;
  text-transform: uppercase; letter-spacing: 0.06em; }
nav.toc ol { margin: 0; padding-left: 20px; columns: 2; }
nav.toc a { color: #1f3a5f; }
section { margin-top: 36px; }
section > h2 { font-size: 22px; margin: 0 0 12px; padding-bottom: 4px; color: #1f3a5f;
  border-bottom: 1px solid #d4d9e0; }
p { margin: 0 0 12px; max-width: 75ch; }
figure { margin: 20px 0 28px; }
figcaption { font-weight: 600; margin-bottom: 8px; font-size: 15px; }
.note { font-size: 13px; color: #555555; margin: 6px 0 0; max-width: 90ch; }
.assumptions { margin: 12px 0 20px; padding: 12px 16px; background: #f5f7fa;
  border-left: 4px solid #1f3a5f; max-width: 75ch; }
.assumptions h3 { margin: 0 0 8px; font-size: 15px; }
.assumptions dl { display: grid; grid-template-columns: minmax(0, 15em) minmax(0, 1fr);
  gap: 4px 20px; margin: 0; font-size: 14px; }
.assumptions dt { font-weight: 600; overflow-wrap: anywhere; }
.assumptions dd { margin: 0; overflow-wrap: anywhere; }
.table-scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 14px; min-width: 50%; }
th, td { padding: 5px 8px; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
th { background: #eef1f5; border-bottom: 2px solid #8a96a3; text-align: left; font-weight: 600; }
tbody tr:nth-child(even) td { background: #fafbfc; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th.num { text-align: right; }
/* Headers wrap (they carry words and units); numbers do not. Long words in
   text cells (file names, sources) may break, so no table runs off the page. */
th, th.num { white-space: normal; overflow-wrap: anywhere; min-width: 4.5em; }
td { overflow-wrap: anywhere; }
@media (max-width: 900px) {
  .page { padding: 16px 12px 32px; }
  table { font-size: 12.5px; }
  th, td { padding: 4px 5px; }
  th, th.num { min-width: 3em; }
}
code { font-size: 0.92em; background: #f0f2f5; padding: 0 3px; border-radius: 3px;
  overflow-wrap: anywhere; }
.chart { min-height: 40px; }
.chart svg { max-width: 100%; height: auto; }
.chart-fallback { color: #666666; font-size: 13px; font-style: italic; }
footer { margin-top: 48px; padding-top: 8px; border-top: 1px solid #d4d9e0; font-size: 12px;
  color: #666666; }
@page { size: A4; margin: 15mm 12mm; }
@media print {
  .page { max-width: none; padding: 0; }
  body { font-size: 10.5pt; line-height: 1.35; }
  header h1 { font-size: 20pt; }
  header .subtitle { font-size: 12pt; }
  /* A summary fits one or two A4 pages: tighter spacing, shorter charts. */
  section.ends-page { break-after: page; }
  section.ends-page figure { margin: 4px 0 8px; }
  section.ends-page figcaption { font-size: 10.5pt; margin-bottom: 2px; }
  section.ends-page .chart svg { max-height: 190px; width: auto; }
  section.ends-page p { margin: 0 0 6px; }
  section.ends-page .note { font-size: 9pt; margin: 2px 0 0; }
  .badge, th, tbody tr:nth-child(even) td, .assumptions { -webkit-print-color-adjust: exact;
    print-color-adjust: exact; }
  nav.toc { display: none; }
  figure, .assumptions, tr { break-inside: avoid; }
  section > h2 { break-after: avoid; }
  .vega-embed details, .vega-embed .vega-actions { display: none !important; }
  a { color: inherit; text-decoration: none; }
}
)css";

// Installed before any library so that every error while the page loads or
// draws is recorded: the browser test reads #mizani-errors from the DOM.
constexpr const char* kErrorCapture = R"js(
(function () {
  var errors = [];
  window.__mizaniErrors = errors;
  function record(message) {
    errors.push(String(message));
    var box = document.getElementById('mizani-errors');
    if (box) box.textContent = errors.join('\n');
  }
  window.__mizaniRecordError = record;
  window.addEventListener('error', function (event) {
    record('error: ' + (event.message || event.type));
  });
  window.addEventListener('unhandledrejection', function (event) {
    var reason = event.reason;
    record('unhandled rejection: ' + (reason && reason.message ? reason.message : reason));
  });
  var originalError = console.error;
  console.error = function () {
    record(Array.prototype.join.call(arguments, ' '));
    return originalError.apply(console, arguments);
  };
  var originalWarn = console.warn;
  console.warn = function () {
    record('warning: ' + Array.prototype.join.call(arguments, ' '));
    return originalWarn.apply(console, arguments);
  };
})();
)js";

// Draws every chart; sets data-charts-rendered on <body> to the number drawn
// once all have finished (the browser test compares it with the chart count).
constexpr const char* kDrawCharts = R"js(
(function () {
  var record = window.__mizaniRecordError;
  var containers = Array.prototype.slice.call(document.querySelectorAll('[data-spec-id]'));
  var drawn = 0;
  var options = { renderer: 'svg', mode: 'vega-lite',
    actions: { export: true, source: false, compiled: false, editor: false } };
  Promise.all(containers.map(function (container) {
    try {
      var spec = JSON.parse(document.getElementById(container.getAttribute('data-spec-id')).textContent);
      return vegaEmbed(container, spec, options).then(function () { drawn += 1; })
        .catch(function (error) {
          record('chart ' + container.id + ': ' + (error && error.message ? error.message : error));
          container.textContent = 'This chart could not be drawn; its data are in report.json.';
        });
    } catch (error) {
      record('chart ' + container.id + ': ' + error.message);
      return Promise.resolve();
    }
  })).then(function () {
    document.body.setAttribute('data-charts-rendered', String(drawn));
  });
})();
)js";

class HtmlWriter {
 public:
  explicit HtmlWriter(const report_internal::WebAssets& assets)
      : assets_(assets),
        world_(ParseWorld(assets.world_topojson)),
        shape_ids_(report_internal::WorldShapeIds(world_)) {}

  std::string Render(const ReportDocument& doc) {
    out_ += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out_ += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out_ += fmt::format("<meta name=\"generator\" content=\"mizani {}\">\n", MIZANI_VERSION);
    const std::string page_title =
        doc.badge.empty() ? doc.title : fmt::format("[{}] {}", doc.badge, doc.title);
    out_ += fmt::format("<title>{}</title>\n<style>{}</style>\n", HtmlEscape(page_title), kStyle);
    out_ += fmt::format("<script>{}</script>\n</head>\n<body>\n", kErrorCapture);
    out_ += "<div id=\"mizani-errors\" hidden></div>\n<div class=\"page\">\n";
    RenderHeader(doc);
    RenderContents(doc);
    out_ += "<main>\n";
    for (size_t index = 0; index < doc.sections.size(); ++index) {
      RenderSection(doc.sections[index], index + 1);
    }
    out_ += "</main>\n";
    out_ += fmt::format(
        "<footer>Produced with mizani {}. Charts drawn with Vega-Lite; map shapes from Natural "
        "Earth (world-atlas, 1:110m), where small states are too small to appear. Every table is "
        "also saved as a CSV file, and the whole report as report.json.</footer>\n",
        MIZANI_VERSION);
    out_ += "</div>\n";
    if (chart_count_ > 0) {
      // The libraries go last so that the text and tables show before the
      // 850 KB of JavaScript is parsed.
      for (const std::string* library :
           {&assets_.vega_js, &assets_.vega_lite_js, &assets_.vega_embed_js}) {
        out_ += "<script>";
        out_ += report_internal::ScriptForHtml(*library);
        out_ += "</script>\n";
      }
      out_ += fmt::format("<script>{}</script>\n", kDrawCharts);
    } else {
      out_ += "<script>document.body.setAttribute('data-charts-rendered', '0');</script>\n";
    }
    out_ += "</body>\n</html>\n";
    return std::move(out_);
  }

 private:
  static Json ParseWorld(const std::string& text) {
    Json world = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (world.is_discarded()) {
      throw Error(ErrorCode::kFileUnreadable,
                  "world-atlas/countries-110m.json is not valid JSON; run scripts/setup.sh again");
    }
    return world;
  }

  void RenderHeader(const ReportDocument& doc) {
    out_ += "<header>\n";
    if (!doc.badge.empty()) {
      out_ += fmt::format("<div class=\"badge\" role=\"note\">{}</div>\n", HtmlEscape(doc.badge));
    }
    out_ += fmt::format("<h1>{}</h1>\n", HtmlEscape(doc.title));
    if (!doc.subtitle.empty()) {
      out_ += fmt::format("<p class=\"subtitle\">{}</p>\n", HtmlEscape(doc.subtitle));
    }
    if (!doc.generated_at.empty()) {
      out_ += fmt::format("<p class=\"meta\">Generated {}</p>\n", HtmlEscape(doc.generated_at));
    }
    out_ += "</header>\n";
  }

  void RenderContents(const ReportDocument& doc) {
    // A contents list only helps once the report is longer than a screen.
    if (doc.sections.size() < 3) return;
    out_ += "<nav class=\"toc\"><h2>Contents</h2><ol>\n";
    for (size_t index = 0; index < doc.sections.size(); ++index) {
      out_ += fmt::format("<li><a href=\"#section-{}\">{}</a></li>\n", index + 1,
                          HtmlEscape(doc.sections[index].heading));
    }
    out_ += "</ol></nav>\n";
  }

  void RenderSection(const ReportSection& section, size_t number) {
    out_ +=
        fmt::format("<section id=\"section-{}\"{}>\n<h2>{}</h2>\n", number,
                    section.ends_page ? " class=\"ends-page\"" : "", HtmlEscape(section.heading));
    for (const ReportBlock& block : section.blocks) {
      std::visit([this](const auto& content) { RenderBlock(content); }, block);
    }
    out_ += "</section>\n";
  }

  void RenderBlock(const ReportParagraph& paragraph) {
    out_ += fmt::format("<p>{}</p>\n", report_internal::ParagraphHtml(paragraph.text));
  }

  void RenderBlock(const AssumptionList& list) {
    out_ += "<div class=\"assumptions\">\n";
    if (!list.title.empty()) out_ += fmt::format("<h3>{}</h3>\n", HtmlEscape(list.title));
    out_ += "<dl>\n";
    for (const auto& [key, value] : list.items) {
      out_ += fmt::format("<dt>{}</dt><dd>{}</dd>\n", HtmlEscape(key), HtmlEscape(value));
    }
    out_ += "</dl>\n</div>\n";
  }

  void RenderBlock(const ReportTable& table) {
    out_ += "<figure class=\"table-figure\">\n";
    if (!table.caption.empty()) {
      out_ += fmt::format("<figcaption>{}</figcaption>\n", HtmlEscape(table.caption));
    }
    out_ += "<div class=\"table-scroll\"><table>\n<thead><tr>";
    for (const ReportColumn& column : table.columns) {
      out_ +=
          fmt::format("<th scope=\"col\"{}>{}</th>", NumericClass(column), HtmlEscape(column.name));
    }
    out_ += "</tr></thead>\n<tbody>\n";
    for (const std::vector<ReportCell>& row : table.rows) {
      out_ += "<tr>";
      for (size_t column_index = 0; column_index < table.columns.size(); ++column_index) {
        const ReportColumn& column = table.columns[column_index];
        const std::string text = column_index < row.size()
                                     ? report_internal::CellText(row[column_index], column)
                                     : std::string(report_internal::kMissingText);
        // The exact value beside the shown text: the browser test checks that
        // no non-zero value is shown as zero.
        std::string exact;
        if (column_index < row.size() && column.kind != ValueKind::kText) {
          if (const auto* value = std::get_if<double>(&row[column_index])) {
            if (std::isfinite(*value)) {
              exact = fmt::format(" data-value=\"{}\"", report_internal::ExactNumber(*value));
            }
          }
        }
        out_ += fmt::format("<td{}{}>{}</td>", NumericClass(column), exact, HtmlEscape(text));
      }
      out_ += "</tr>\n";
    }
    out_ += "</tbody>\n</table></div>\n";
    RenderNote(table.note);
    out_ += "</figure>\n";
  }

  void RenderBlock(const BarChart& chart) {
    RenderChart(chart.title, report_internal::BarChartSpec(chart), chart.note);
  }

  void RenderBlock(const GroupedBarChart& chart) {
    RenderChart(chart.title, report_internal::GroupedBarChartSpec(chart), chart.note);
  }

  void RenderBlock(const LineChart& chart) {
    RenderChart(chart.title, report_internal::LineChartSpec(chart), chart.note);
  }

  void RenderBlock(const WorldMap& chart) {
    std::string note = chart.note;
    const std::vector<std::string> undrawn = report_internal::UndrawnCountries(chart, shape_ids_);
    if (!undrawn.empty()) {
      std::string listed;
      for (const std::string& code : undrawn) {
        if (!listed.empty()) listed += ", ";
        const double value = chart.values.at(code);
        const auto label = chart.legend_labels.find(value);
        listed += fmt::format("{} {}", code,
                              label != chart.legend_labels.end()
                                  ? label->second
                                  : report_internal::FormatValue(value, chart.kind, 2));
      }
      note += fmt::format("{}Not drawn (too small for this map or not a current ISO code): {}.",
                          note.empty() ? "" : " ", listed);
    }
    note += fmt::format("{}Grey: no value in this report.", note.empty() ? "" : " ");
    RenderChart(chart.title, report_internal::WorldMapSpec(chart, world_), note);
  }

  void RenderChart(const std::string& title, const Json& spec, const std::string& note) {
    ++chart_count_;
    out_ += "<figure class=\"chart-figure\">\n";
    if (!title.empty()) out_ += fmt::format("<figcaption>{}</figcaption>\n", HtmlEscape(title));
    out_ += fmt::format(
        "<div class=\"chart\" id=\"chart-{0}\" data-spec-id=\"chart-spec-{0}\">"
        "<p class=\"chart-fallback\">The chart is drawn by JavaScript; if it does not appear, "
        "its data are in report.json.</p></div>\n",
        chart_count_);
    const std::string json =
        spec.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
    out_ += fmt::format("<script type=\"application/json\" id=\"chart-spec-{}\">{}</script>\n",
                        chart_count_, report_internal::JsonForScript(json));
    RenderNote(note);
    out_ += "</figure>\n";
  }

  void RenderNote(const std::string& note) {
    if (!note.empty()) out_ += fmt::format("<p class=\"note\">{}</p>\n", HtmlEscape(note));
  }

  static const char* NumericClass(const ReportColumn& column) {
    return column.kind == ValueKind::kText ? "" : " class=\"num\"";
  }

  const report_internal::WebAssets& assets_;
  Json world_;
  std::set<std::string> shape_ids_;
  std::string out_;
  int chart_count_ = 0;
};

}  // namespace

std::string RenderHtml(const ReportDocument& doc) {
  const auto web_dir = report_internal::LocateWebDir(report_internal::DefaultWebDirCandidates());
  const report_internal::WebAssets assets = report_internal::LoadWebAssets(web_dir);
  return HtmlWriter(assets).Render(doc);
}

}  // namespace mizani

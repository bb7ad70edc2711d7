// RenderMarkdown: the report as GitHub-flavoured Markdown, for reading in a
// repository, an e-mail or a plain text editor. Charts become short notes.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <variant>

#include "mizani/report.h"
#include "report/format.h"

namespace mizani {

namespace {

using report_internal::FormatValue;
using report_internal::MarkdownEscape;

// Charts with more entries than this list only the largest and smallest few.
constexpr size_t kListAllUpTo = 10;
constexpr size_t kListEachEnd = 5;

struct Entry {
  std::string label;
  double value;
};

// "A 2.50%, B 1.00%" for all entries, or the largest and smallest few.
// A value as `kind` shows it, or its label (escaped) when `labels` has one.
std::string ShownOrLabel(double value, ValueKind kind,
                         const std::map<double, std::string>& labels) {
  const auto found = labels.find(value);
  return found != labels.end() ? MarkdownEscape(found->second) : FormatValue(value, kind, 2);
}

std::string DescribeEntries(std::vector<Entry> entries, ValueKind kind,
                            const std::map<double, std::string>& labels = {}) {
  entries.erase(std::remove_if(entries.begin(), entries.end(),
                               [](const Entry& entry) { return std::isnan(entry.value); }),
                entries.end());
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& left, const Entry& right) { return left.value > right.value; });
  auto join = [&](size_t begin, size_t end) {
    std::string text;
    for (size_t index = begin; index < end; ++index) {
      if (!text.empty()) text += ", ";
      text += fmt::format("{} {}", MarkdownEscape(entries[index].label),
                          ShownOrLabel(entries[index].value, kind, labels));
    }
    return text;
  };
  if (entries.empty()) return "no values";
  if (entries.size() <= kListAllUpTo) return join(0, entries.size());
  return fmt::format("largest: {}; smallest: {}", join(0, kListEachEnd),
                     join(entries.size() - kListEachEnd, entries.size()));
}

class MarkdownWriter {
 public:
  std::string Render(const ReportDocument& doc) {
    out_ += fmt::format("# {}\n\n", MarkdownEscape(doc.title));
    if (!doc.badge.empty()) out_ += fmt::format("> **{}**\n\n", MarkdownEscape(doc.badge));
    if (!doc.subtitle.empty()) out_ += fmt::format("{}\n\n", MarkdownEscape(doc.subtitle));
    if (!doc.generated_at.empty()) {
      out_ += fmt::format("Generated {}\n\n", MarkdownEscape(doc.generated_at));
    }
    for (const ReportSection& section : doc.sections) {
      out_ += fmt::format("## {}\n\n", MarkdownEscape(section.heading));
      for (const ReportBlock& block : section.blocks) {
        std::visit([this](const auto& content) { RenderBlock(content); }, block);
      }
    }
    return std::move(out_);
  }

 private:
  void RenderBlock(const ReportParagraph& paragraph) {
    out_ += fmt::format("{}\n\n", report_internal::ParagraphMarkdown(paragraph.text));
  }

  void RenderBlock(const AssumptionList& list) {
    if (!list.title.empty()) out_ += fmt::format("**{}**\n\n", MarkdownEscape(list.title));
    for (const auto& [key, value] : list.items) {
      out_ += fmt::format("- **{}**: {}\n", MarkdownEscape(key), MarkdownEscape(value));
    }
    out_ += "\n";
  }

  void RenderBlock(const ReportTable& table) {
    if (!table.caption.empty()) out_ += fmt::format("**{}**\n\n", MarkdownEscape(table.caption));
    if (table.columns.empty()) return;
    out_ += "|";
    for (const ReportColumn& column : table.columns) {
      out_ += fmt::format(" {} |", MarkdownEscape(column.name));
    }
    out_ += "\n|";
    for (const ReportColumn& column : table.columns) {
      out_ += column.kind == ValueKind::kText ? " :--- |" : " ---: |";
    }
    out_ += "\n";
    for (const std::vector<ReportCell>& row : table.rows) {
      out_ += "|";
      for (size_t column_index = 0; column_index < table.columns.size(); ++column_index) {
        const std::string text =
            column_index < row.size()
                ? report_internal::CellText(row[column_index], table.columns[column_index])
                : std::string(report_internal::kMissingText);
        out_ += fmt::format(" {} |", MarkdownEscape(text));
      }
      out_ += "\n";
    }
    out_ += "\n";
    if (!table.note.empty()) out_ += fmt::format("*{}*\n\n", MarkdownEscape(table.note));
  }

  void RenderBlock(const BarChart& chart) {
    std::string body;
    for (const ChartSeries& series : chart.series) {
      std::vector<Entry> entries;
      for (size_t index = 0; index < chart.categories.size() && index < series.values.size();
           ++index) {
        entries.push_back({chart.categories[index], series.values[index]});
      }
      if (!body.empty()) body += " ";
      const std::string prefix =
          chart.series.size() > 1 ? fmt::format("{}: ", MarkdownEscape(series.name)) : "";
      body += fmt::format("{}{}.", prefix, DescribeEntries(std::move(entries), chart.kind));
    }
    RenderChartNote(chart.title, chart.axis_label, body, chart.note);
  }

  void RenderBlock(const GroupedBarChart& chart) {
    std::string body;
    for (size_t group = 0; group < chart.groups.size() && group < chart.values.size(); ++group) {
      std::vector<Entry> entries;
      for (size_t index = 0; index < chart.categories.size() && index < chart.values[group].size();
           ++index) {
        entries.push_back({chart.categories[index], chart.values[group][index]});
      }
      if (!body.empty()) body += " ";
      body += fmt::format("{}: {}.", MarkdownEscape(chart.groups[group]),
                          DescribeEntries(std::move(entries), chart.kind));
    }
    RenderChartNote(chart.title, chart.axis_label, body, chart.note);
  }

  void RenderBlock(const LineChart& chart) {
    // Each series' last point (with its band when there is one).
    std::string body;
    for (const LineSeries& series : chart.series) {
      if (series.x.empty() || series.y.empty()) continue;
      const size_t last = std::min(series.x.size(), series.y.size()) - 1;
      if (!body.empty()) body += "; ";
      // A whole number on a plain x axis is a year or a count: "2024", as the
      // HTML axis shows it, not "2,024.00".
      const double x = series.x[last];
      const bool whole = chart.x_kind == ValueKind::kNumber && std::isfinite(x) &&
                         x == std::floor(x) && std::fabs(x) < 1e6;
      body += fmt::format(
          "{}: {} at {}", MarkdownEscape(series.name),
          ShownOrLabel(series.y[last], chart.kind, chart.y_labels),
          whole ? fmt::format("{:.0f}", x) : report_internal::FormatValue(x, chart.x_kind, 2));
      if (last < series.lower.size() && last < series.upper.size()) {
        body += fmt::format(" ({} to {})",
                            report_internal::FormatValue(series.lower[last], chart.kind, 2),
                            report_internal::FormatValue(series.upper[last], chart.kind, 2));
      }
    }
    RenderChartNote(chart.title, chart.y_label, body + ".", chart.note);
  }

  void RenderBlock(const WorldMap& chart) {
    std::vector<Entry> entries;
    for (const auto& [code, value] : chart.values) entries.push_back({code, value});
    RenderChartNote(chart.title, chart.legend_label,
                    DescribeEntries(std::move(entries), chart.kind, chart.legend_labels) + ".",
                    chart.note);
  }

  void RenderChartNote(const std::string& title, const std::string& label, const std::string& body,
                       const std::string& note) {
    out_ += fmt::format("> **Chart: {}** (drawn in the HTML report)", MarkdownEscape(title));
    if (!label.empty()) out_ += fmt::format(" \u2014 {}", MarkdownEscape(label));
    out_ += fmt::format("  \n> {}\n", body);
    if (!note.empty()) out_ += fmt::format(">  \n> *{}*\n", MarkdownEscape(note));
    out_ += "\n";
  }

  std::string out_;
};

}  // namespace

std::string RenderMarkdown(const ReportDocument& doc) { return MarkdownWriter().Render(doc); }

}  // namespace mizani

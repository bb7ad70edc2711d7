// RenderCsv and RenderJson: the machine-readable forms of the report.
#include <cmath>
#include <nlohmann/json.hpp>
#include <variant>

#include "mizani/report.h"
#include "report/format.h"
#include "report/json_values.h"

namespace mizani {

namespace {

using Json = nlohmann::ordered_json;

// Quotes a field only when it must be (RFC 4180), so plain values stay plain.
std::string CsvField(const std::string& text) {
  const bool needs_quotes = text.find_first_of(",\"\r\n") != std::string::npos ||
                            (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!needs_quotes) return text;
  std::string quoted = "\"";
  for (char character : text) {
    if (character == '"') quoted += '"';
    quoted += character;
  }
  quoted += '"';
  return quoted;
}

const char* KindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kText:
      return "text";
    case ValueKind::kNumber:
      return "number";
    case ValueKind::kPercent:
      return "percent";
  }
  return "text";
}

Json Numbers(const std::vector<double>& values) {
  Json array = Json::array();
  for (double value : values) array.push_back(JsonNumber<Json>(value));
  return array;
}

Json BlockJson(const ReportParagraph& paragraph) {
  return Json{{"type", "paragraph"}, {"text", paragraph.text}};
}

Json BlockJson(const AssumptionList& list) {
  Json items = Json::array();
  for (const auto& [key, value] : list.items) items.push_back({{"key", key}, {"value", value}});
  return Json{{"type", "assumptions"}, {"title", list.title}, {"items", items}};
}

Json BlockJson(const ReportTable& table) {
  Json columns = Json::array();
  for (const ReportColumn& column : table.columns) {
    columns.push_back(
        {{"name", column.name}, {"kind", KindName(column.kind)}, {"decimals", column.decimals}});
  }
  Json rows = Json::array();
  for (const std::vector<ReportCell>& row : table.rows) {
    Json cells = Json::array();
    for (const ReportCell& cell : row) {
      if (const auto* text = std::get_if<std::string>(&cell)) {
        cells.push_back(*text);
      } else {
        cells.push_back(JsonNumber<Json>(std::get<double>(cell)));
      }
    }
    rows.push_back(std::move(cells));
  }
  return Json{{"type", "table"},    {"name", table.name}, {"caption", table.caption},
              {"columns", columns}, {"rows", rows},       {"note", table.note}};
}

Json BlockJson(const BarChart& chart) {
  Json series = Json::array();
  for (const ChartSeries& one : chart.series) {
    series.push_back({{"name", one.name},
                      {"values", Numbers(one.values)},
                      {"lower", Numbers(one.lower)},
                      {"upper", Numbers(one.upper)}});
  }
  return Json{{"type", "bar_chart"},
              {"title", chart.title},
              {"categories", chart.categories},
              {"series", series},
              {"axis_label", chart.axis_label},
              {"kind", KindName(chart.kind)},
              {"sorted", chart.sorted},
              {"note", chart.note}};
}

Json BlockJson(const GroupedBarChart& chart) {
  Json values = Json::array();
  for (const std::vector<double>& group : chart.values) values.push_back(Numbers(group));
  return Json{
      {"type", "grouped_bar_chart"},  {"title", chart.title}, {"categories", chart.categories},
      {"groups", chart.groups},       {"values", values},     {"axis_label", chart.axis_label},
      {"kind", KindName(chart.kind)}, {"note", chart.note}};
}

// Value labels (a notch -> its rating) as [{"value": 12, "label": "BBB-"}, ...].
Json LabelsJson(const std::map<double, std::string>& labels) {
  Json list = Json::array();
  for (const auto& [value, label] : labels) list.push_back({{"value", value}, {"label", label}});
  return list;
}

Json BlockJson(const LineChart& chart) {
  Json series = Json::array();
  for (const LineSeries& one : chart.series) {
    series.push_back({{"name", one.name},
                      {"x", Numbers(one.x)},
                      {"y", Numbers(one.y)},
                      {"lower", Numbers(one.lower)},
                      {"upper", Numbers(one.upper)},
                      {"labels", one.labels}});
  }
  return Json{{"type", "line_chart"},
              {"title", chart.title},
              {"series", series},
              {"x_label", chart.x_label},
              {"y_label", chart.y_label},
              {"kind", KindName(chart.kind)},
              {"points", chart.points},
              {"note", chart.note},
              {"y_labels", LabelsJson(chart.y_labels)}};
}

Json BlockJson(const WorldMap& chart) {
  Json values = Json::object();
  for (const auto& [code, value] : chart.values) values[code] = JsonNumber<Json>(value);
  return Json{{"type", "world_map"},
              {"title", chart.title},
              {"values", values},
              {"legend_label", chart.legend_label},
              {"kind", KindName(chart.kind)},
              {"note", chart.note},
              {"region", chart.region},
              {"legend_labels", LabelsJson(chart.legend_labels)}};
}

}  // namespace

std::string RenderCsv(const ReportTable& table) {
  std::string out;
  for (size_t column_index = 0; column_index < table.columns.size(); ++column_index) {
    if (column_index > 0) out += ',';
    out += CsvField(table.columns[column_index].name);
  }
  out += '\n';
  for (const std::vector<ReportCell>& row : table.rows) {
    for (size_t column_index = 0; column_index < table.columns.size(); ++column_index) {
      if (column_index > 0) out += ',';
      if (column_index >= row.size()) continue;
      const ReportCell& cell = row[column_index];
      // Numbers at full precision, unformatted, so the file is data, not display.
      out += std::holds_alternative<std::string>(cell)
                 ? CsvField(std::get<std::string>(cell))
                 : report_internal::ExactNumber(std::get<double>(cell));
    }
    out += '\n';
  }
  return out;
}

std::string RenderJson(const ReportDocument& doc) {
  Json sections = Json::array();
  for (const ReportSection& section : doc.sections) {
    Json blocks = Json::array();
    for (const ReportBlock& block : section.blocks) {
      blocks.push_back(std::visit([](const auto& content) { return BlockJson(content); }, block));
    }
    sections.push_back({{"heading", section.heading}, {"blocks", blocks}});
  }
  Json downloads = Json::array();
  for (const ReportTable& table : doc.download_tables) downloads.push_back(BlockJson(table));
  const Json document{{"format", "mizani-report"}, {"format_version", 1},
                      {"title", doc.title},        {"subtitle", doc.subtitle},
                      {"badge", doc.badge},        {"generated_at", doc.generated_at},
                      {"sections", sections},      {"download_tables", downloads}};
  // Invalid UTF-8 in a label becomes U+FFFD instead of failing the whole report.
  return document.dump(2, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace) + "\n";
}

}  // namespace mizani

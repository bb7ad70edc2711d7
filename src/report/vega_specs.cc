#include "report/vega_specs.h"

#include <algorithm>
#include <cmath>

#include "report/iso_codes.h"

namespace mizani::report_internal {

namespace {

constexpr const char* kSchema = "https://vega.github.io/schema/vega-lite/v6.json";
constexpr const char* kPositiveColour = "#2166ac";
constexpr const char* kNegativeColour = "#b2182b";
constexpr const char* kNoDataColour = "#d0d0d0";
// Colour-blind-safe categorical colours (Okabe-Ito, darkest first) so the
// series stay distinguishable in greyscale print too.
const std::vector<std::string> kSeriesColours = {"#0072B2", "#E69F00", "#009E73",
                                                 "#CC79A7", "#56B4E9", "#D55E00"};
constexpr int kChartWidth = 560;
constexpr int kBarStep = 22;        // height per category, one bar each
constexpr int kOffsetBarStep = 16;  // height per bar when several share a category

// Percent values are stored in percent units; Vega's "%" format expects
// fractions, so the spec carries value / 100 and formats with ".2%".
double SpecValue(double value, ValueKind kind) {
  return kind == ValueKind::kPercent ? value / 100.0 : value;
}

std::string D3Format(ValueKind kind) { return kind == ValueKind::kPercent ? ".2%" : ",.4~f"; }
std::string AxisFormat(ValueKind kind) { return kind == ValueKind::kPercent ? ".1%" : ",~f"; }

Json Config() {
  const std::string font =
      "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', "
      "sans-serif";
  return Json{{"font", font},
              {"view", {{"stroke", nullptr}}},
              {"axis",
               {{"labelFontSize", 12},
                {"titleFontSize", 12},
                {"titleFontWeight", "normal"},
                {"labelColor", "#333333"},
                {"titleColor", "#333333"},
                {"gridColor", "#e6e6e6"},
                {"domainColor", "#999999"},
                {"tickColor", "#999999"}}},
              {"legend", {{"labelFontSize", 12}, {"titleFontSize", 12}, {"orient", "top"}}}};
}

Json CategoryAxis(const std::vector<std::string>& sorted_categories) {
  return Json{{"field", "category"},
              {"type", "nominal"},
              {"sort", sorted_categories},
              {"title", nullptr},
              {"axis", {{"labelLimit", 240}, {"ticks", false}, {"domain", false}}}};
}

Json ValueAxis(const std::string& label, ValueKind kind) {
  Json axis{{"format", AxisFormat(kind)}, {"labelFlush", false}};
  return Json{{"field", "value"},
              {"type", "quantitative"},
              {"title", label.empty() ? Json(nullptr) : Json(label)},
              {"axis", axis}};
}

Json ZeroRule() {
  return Json{{"mark", {{"type", "rule"}, {"color", "#555555"}, {"strokeWidth", 1}}},
              {"encoding", {{"x", {{"datum", 0}, {"type", "quantitative"}}}}}};
}

Json ColourByName(const std::vector<std::string>& names, const std::string& field) {
  Json range = Json::array();
  for (size_t index = 0; index < names.size(); ++index) {
    range.push_back(kSeriesColours[index % kSeriesColours.size()]);
  }
  return Json{{"field", field},
              {"type", "nominal"},
              {"title", nullptr},
              {"sort", names},
              {"scale", {{"domain", names}, {"range", range}}}};
}

}  // namespace

std::vector<size_t> BarOrder(const BarChart& chart) {
  std::vector<size_t> order(chart.categories.size());
  for (size_t index = 0; index < order.size(); ++index) order[index] = index;
  if (!chart.sorted || chart.series.empty()) return order;
  const std::vector<double>& key = chart.series.front().values;
  auto value_of = [&](size_t index) { return index < key.size() ? key[index] : NAN; };
  std::stable_sort(order.begin(), order.end(), [&](size_t left, size_t right) {
    const double left_value = value_of(left);
    const double right_value = value_of(right);
    if (std::isnan(left_value) || std::isnan(right_value)) {
      return !std::isnan(left_value) && std::isnan(right_value);
    }
    return left_value > right_value;
  });
  return order;
}

Json BarChartSpec(const BarChart& chart) {
  const std::vector<size_t> order = BarOrder(chart);
  std::vector<std::string> sorted_categories;
  sorted_categories.reserve(order.size());
  for (size_t index : order) sorted_categories.push_back(chart.categories[index]);

  std::vector<std::string> series_names;
  Json rows = Json::array();
  bool any_interval = false;
  for (const ChartSeries& series : chart.series) {
    series_names.push_back(series.name);
    for (size_t index = 0; index < chart.categories.size(); ++index) {
      if (index >= series.values.size() || std::isnan(series.values[index])) continue;
      Json row{{"category", chart.categories[index]},
               {"series", series.name},
               {"value", SpecValue(series.values[index], chart.kind)}};
      if (index < series.lower.size() && index < series.upper.size() &&
          std::isfinite(series.lower[index]) && std::isfinite(series.upper[index])) {
        row["lower"] = SpecValue(series.lower[index], chart.kind);
        row["upper"] = SpecValue(series.upper[index], chart.kind);
        any_interval = true;
      }
      rows.push_back(std::move(row));
    }
  }

  const bool several = chart.series.size() > 1;
  Json tooltip = Json::array({{{"field", "category"}, {"title", "Category"}}});
  if (several) tooltip.push_back({{"field", "series"}, {"title", "Series"}});
  tooltip.push_back({{"field", "value"},
                     {"title", chart.axis_label.empty() ? "Value" : chart.axis_label},
                     {"format", D3Format(chart.kind)}});
  if (any_interval) {
    tooltip.push_back(
        {{"field", "lower"}, {"title", "Lower bound"}, {"format", D3Format(chart.kind)}});
    tooltip.push_back(
        {{"field", "upper"}, {"title", "Upper bound"}, {"format", D3Format(chart.kind)}});
  }

  Json bar_encoding{{"x", ValueAxis(chart.axis_label, chart.kind)}, {"tooltip", tooltip}};
  if (several) {
    bar_encoding["color"] = ColourByName(series_names, "series");
  } else {
    // One series: colour by sign so gains and losses read at a glance.
    bar_encoding["color"] = {
        {"condition", {{"test", "datum.value < 0"}, {"value", kNegativeColour}}},
        {"value", kPositiveColour}};
  }
  Json layers = Json::array();
  layers.push_back(
      {{"mark", {{"type", "bar"}, {"cornerRadiusEnd", 1}}}, {"encoding", bar_encoding}});
  if (any_interval) {
    layers.push_back(
        {{"transform", Json::array({{{"filter", "isValid(datum.lower)"}}})},
         {"mark", {{"type", "errorbar"}, {"ticks", true}, {"color", "#222222"}}},
         {"encoding",
          {{"x",
            {{"field", "lower"},
             {"type", "quantitative"},
             // Same title as the bars, or Vega-Lite joins both into the axis title.
             {"title", chart.axis_label.empty() ? Json(nullptr) : Json(chart.axis_label)}}},
           {"x2", {{"field", "upper"}}}}}});
  }
  layers.push_back(ZeroRule());

  Json encoding{{"y", CategoryAxis(sorted_categories)}};
  if (several) encoding["yOffset"] = {{"field", "series"}, {"sort", series_names}};
  // With yOffset the step sizes each bar within a category, not the category.
  return Json{{"$schema", kSchema},
              {"width", kChartWidth},
              {"height", {{"step", several ? kOffsetBarStep : kBarStep}}},
              {"data", {{"values", rows}}},
              {"encoding", encoding},
              {"layer", layers},
              {"config", Config()}};
}

Json GroupedBarChartSpec(const GroupedBarChart& chart) {
  Json rows = Json::array();
  for (size_t group = 0; group < chart.groups.size() && group < chart.values.size(); ++group) {
    for (size_t index = 0; index < chart.categories.size(); ++index) {
      if (index >= chart.values[group].size() || std::isnan(chart.values[group][index])) continue;
      rows.push_back({{"category", chart.categories[index]},
                      {"group", chart.groups[group]},
                      {"value", SpecValue(chart.values[group][index], chart.kind)}});
    }
  }
  Json tooltip = Json::array({{{"field", "category"}, {"title", "Category"}},
                              {{"field", "group"}, {"title", "State"}},
                              {{"field", "value"},
                               {"title", chart.axis_label.empty() ? "Value" : chart.axis_label},
                               {"format", D3Format(chart.kind)}}});
  Json bars{{"mark", {{"type", "bar"}}},
            {"encoding",
             {{"x", ValueAxis(chart.axis_label, chart.kind)},
              {"color", ColourByName(chart.groups, "group")},
              {"tooltip", tooltip}}}};
  // The value printed at the outer end of each bar, so the before/after
  // difference can be read without hovering (and on paper).
  Json labels{{"mark",
               {{"type", "text"},
                {"align", {{"expr", "datum.value < 0 ? 'right' : 'left'"}}},
                {"dx", {{"expr", "datum.value < 0 ? -4 : 4"}}},
                {"fontSize", 11},
                {"color", "#333333"}}},
              {"encoding",
               {{"x", {{"field", "value"}, {"type", "quantitative"}}},
                {"text", {{"field", "value"}, {"format", D3Format(chart.kind)}}}}}};
  return Json{{"$schema", kSchema},
              {"width", kChartWidth},
              {"height", {{"step", kOffsetBarStep}}},
              {"data", {{"values", rows}}},
              {"encoding",
               {{"y", CategoryAxis(chart.categories)},
                {"yOffset", {{"field", "group"}, {"sort", chart.groups}}}}},
              {"layer", Json::array({bars, labels, ZeroRule()})},
              {"config", Config()}};
}

Json LineChartSpec(const LineChart& chart) {
  Json rows = Json::array();
  std::vector<std::string> names;
  bool any_band = false;
  for (const LineSeries& series : chart.series) {
    names.push_back(series.name);
    for (size_t index = 0; index < series.x.size() && index < series.y.size(); ++index) {
      if (std::isnan(series.x[index]) || std::isnan(series.y[index])) continue;
      Json row{{"series", series.name},
               {"x", SpecValue(series.x[index], chart.x_kind)},
               {"value", SpecValue(series.y[index], chart.kind)}};
      if (index < series.lower.size() && index < series.upper.size() &&
          !std::isnan(series.lower[index]) && !std::isnan(series.upper[index])) {
        row["lower"] = SpecValue(series.lower[index], chart.kind);
        row["upper"] = SpecValue(series.upper[index], chart.kind);
        any_band = true;
      }
      if (index < series.labels.size()) row["label"] = series.labels[index];
      rows.push_back(std::move(row));
    }
  }
  const Json x_axis{{"field", "x"},
                    {"type", "quantitative"},
                    {"title", chart.x_label.empty() ? Json(nullptr) : Json(chart.x_label)},
                    {"scale", {{"zero", false}}},
                    {"axis", {{"format", chart.x_kind == ValueKind::kPercent ? ".1%" : "d"}}}};
  Json y_axis{{"field", "value"},
              {"type", "quantitative"},
              {"title", chart.y_label.empty() ? Json(nullptr) : Json(chart.y_label)},
              {"scale", {{"zero", false}}},
              {"axis", {{"format", AxisFormat(chart.kind)}}}};
  const Json colour = ColourByName(names, "series");
  const Json tooltip =
      Json::array({{{"field", "series"}, {"title", "Series"}},
                   {{"field", "x"},
                    {"title", chart.x_label.empty() ? "x" : chart.x_label},
                    {"format", chart.x_kind == ValueKind::kPercent ? ".2%" : ",.4~f"}},
                   {{"field", "value"},
                    {"title", chart.y_label.empty() ? "Value" : chart.y_label},
                    {"format", D3Format(chart.kind)}}});
  Json layers = Json::array();
  if (any_band) {
    layers.push_back({{"mark", {{"type", "area"}, {"opacity", 0.18}}},
                      {"encoding",
                       {{"x", x_axis},
                        {"y", {{"field", "lower"}, {"type", "quantitative"}}},
                        {"y2", {{"field", "upper"}}},
                        {"color", colour}}}});
  }
  Json main_mark = chart.points ? Json{{"type", "point"}, {"filled", true}, {"size", 70}}
                                : Json{{"type", "line"}, {"point", true}};
  layers.push_back(
      {{"mark", main_mark},
       {"encoding", {{"x", x_axis}, {"y", y_axis}, {"color", colour}, {"tooltip", tooltip}}}});
  if (chart.points) {
    layers.push_back(
        {{"mark", {{"type", "text"}, {"align", "left"}, {"dx", 6}, {"fontSize", 11}}},
         {"encoding",
          {{"x", x_axis}, {"y", y_axis}, {"text", {{"field", "label"}}}, {"color", colour}}}});
  }
  return Json{{"$schema", kSchema},         {"width", kChartWidth}, {"height", 300},
              {"data", {{"values", rows}}}, {"layer", layers},      {"config", Config()}};
}

std::set<std::string> WorldShapeIds(const Json& world) {
  std::set<std::string> ids;
  const Json* geometries = nullptr;
  if (world.contains("objects") && world["objects"].contains("countries")) {
    geometries = &world["objects"]["countries"]["geometries"];
  }
  if (geometries == nullptr || !geometries->is_array()) return ids;
  for (const Json& geometry : *geometries) {
    if (geometry.contains("id") && geometry["id"].is_string())
      ids.insert(geometry["id"].get<std::string>());
  }
  return ids;
}

std::vector<std::string> UndrawnCountries(const WorldMap& chart,
                                          const std::set<std::string>& shape_ids) {
  std::vector<std::string> undrawn;
  for (const auto& [code, value] : chart.values) {
    const std::string numeric = IsoNumericFor(code);
    if (numeric.empty() || shape_ids.count(numeric) == 0) undrawn.push_back(code);
  }
  return undrawn;
}

Json WorldMapSpec(const WorldMap& chart, const Json& world) {
  Json lookup_rows = Json::array();
  double largest_magnitude = 0.0;
  for (const auto& [code, value] : chart.values) {
    const std::string numeric = IsoNumericFor(code);
    if (numeric.empty() || std::isnan(value)) continue;
    const double spec_value = SpecValue(value, chart.kind);
    if (std::isfinite(spec_value))
      largest_magnitude = std::max(largest_magnitude, std::fabs(spec_value));
    lookup_rows.push_back({{"id", numeric}, {"code", code}, {"value", spec_value}});
  }
  // A symmetric domain keeps zero at the neutral colour and lets equal gains
  // and losses get equally strong colours.
  if (largest_magnitude == 0.0) largest_magnitude = chart.kind == ValueKind::kPercent ? 0.01 : 1.0;

  Json base{{"mark",
             {{"type", "geoshape"},
              {"fill", kNoDataColour},
              {"stroke", "#ffffff"},
              {"strokeWidth", 0.5}}},
            {"encoding",
             {{"tooltip", Json::array({{{"field", "properties.name"}, {"title", "Country"}}})}}}};
  Json coloured{
      {"transform", Json::array({{{"lookup", "id"},
                                  {"from",
                                   {{"data", {{"values", lookup_rows}}},
                                    {"key", "id"},
                                    {"fields", Json::array({"code", "value"})}}}},
                                 {{"filter", "isValid(datum.value)"}}})},
      {"mark", {{"type", "geoshape"}, {"stroke", "#ffffff"}, {"strokeWidth", 0.5}}},
      {"encoding",
       {{"color",
         {{"field", "value"},
          {"type", "quantitative"},
          {"title", chart.legend_label.empty() ? Json(nullptr) : Json(chart.legend_label)},
          {"scale",
           {{"scheme", "redblue"},
            {"domain", Json::array({-largest_magnitude, largest_magnitude})},
            {"domainMid", 0},
            {"clamp", true}}},
          {"legend",
           {{"format", AxisFormat(chart.kind)},
            {"orient", "bottom"},
            {"direction", "horizontal"},
            {"gradientLength", 320}}}}},
        {"tooltip",
         Json::array({{{"field", "properties.name"}, {"title", "Country"}},
                      {{"field", "code"}, {"title", "Code"}},
                      {{"field", "value"},
                       {"title", chart.legend_label.empty() ? "Value" : chart.legend_label},
                       {"format", D3Format(chart.kind)}}})}}}};
  return Json{
      {"$schema", kSchema},
      {"width", 760},
      {"height", 370},
      // Room on the left for the legend's first label ("-0.8%"), which is
      // drawn flush with the left edge of the plot.
      {"padding", {{"left", 16}, {"right", 8}, {"top", 5}, {"bottom", 5}}},
      {"projection", {{"type", "equalEarth"}}},
      {"data", {{"values", world}, {"format", {{"type", "topojson"}, {"feature", "countries"}}}}},
      // Antarctica (ISO 010) takes a fifth of the map and has no trade.
      {"transform", Json::array({{{"filter", "datum.id !== '010'"}}})},
      {"layer", Json::array({base, coloured})},
      {"config", Config()}};
}

}  // namespace mizani::report_internal

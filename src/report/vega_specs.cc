#include "report/vega_specs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "report/format.h"
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
// fractions, so the spec carries value * format.factor (value / 100, or basis
// points when every value is tiny: ChooseChartFormat). Every data row also
// carries its value as the tables show it ("label"), so tooltips and printed
// values never round a non-zero value to zero.
struct Scale {
  ValueKind kind;
  ChartNumberFormat format;
  double Spec(double value) const { return value * format.factor; }
  std::string Text(double value) const { return FormatValue(value, kind, 2); }
  Json Title(const std::string& label) const {
    if (label.empty()) return format.unit_title.empty() ? Json(nullptr) : Json("basis points");
    return Json(label + format.unit_title);
  }
};

double MaxAbs(double current, double value) {
  return std::isfinite(value) ? std::max(current, std::fabs(value)) : current;
}

Scale MakeScale(ValueKind kind, double max_abs) { return {kind, ChooseChartFormat(max_abs, kind)}; }

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

Json ValueAxis(const std::string& label, const Scale& scale) {
  // About eight ticks: enough to read a bar, few enough that labels with
  // several decimals do not run into each other.
  Json axis{{"format", scale.format.d3_axis}, {"labelFlush", false}, {"tickCount", 8}};
  return Json{
      {"field", "value"}, {"type", "quantitative"}, {"title", scale.Title(label)}, {"axis", axis}};
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

  double max_abs = 0;
  for (const ChartSeries& series : chart.series) {
    for (const std::vector<double>* list : {&series.values, &series.lower, &series.upper}) {
      for (double value : *list) max_abs = MaxAbs(max_abs, value);
    }
  }
  const Scale scale = MakeScale(chart.kind, max_abs);
  std::vector<std::string> series_names;
  Json rows = Json::array();
  bool any_interval = false;
  for (const ChartSeries& series : chart.series) {
    series_names.push_back(series.name);
    for (size_t index = 0; index < chart.categories.size(); ++index) {
      if (index >= series.values.size() || std::isnan(series.values[index])) continue;
      Json row{{"category", chart.categories[index]},
               {"series", series.name},
               {"value", scale.Spec(series.values[index])},
               {"label", scale.Text(series.values[index])}};
      if (index < series.lower.size() && index < series.upper.size() &&
          std::isfinite(series.lower[index]) && std::isfinite(series.upper[index])) {
        row["lower"] = scale.Spec(series.lower[index]);
        row["upper"] = scale.Spec(series.upper[index]);
        row["range"] = scale.Text(series.lower[index]) + " to " + scale.Text(series.upper[index]);
        any_interval = true;
      }
      rows.push_back(std::move(row));
    }
  }

  const bool several = chart.series.size() > 1;
  Json tooltip = Json::array({{{"field", "category"}, {"title", "Category"}}});
  if (several) tooltip.push_back({{"field", "series"}, {"title", "Series"}});
  tooltip.push_back(
      {{"field", "label"}, {"title", chart.axis_label.empty() ? "Value" : chart.axis_label}});
  if (any_interval) {
    tooltip.push_back(
        {{"field", "range"}, {"title", chart.range_label.empty() ? "Range" : chart.range_label}});
  }

  Json bar_encoding{{"x", ValueAxis(chart.axis_label, scale)}, {"tooltip", tooltip}};
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
         // A statistical interval is a solid whisker; an assumed policy
         // range is dashed, so the two never read as the same thing.
         {"mark", chart.range_kind == RangeKind::kPolicyRange
                      ? Json{{"type", "errorbar"},
                             {"ticks", true},
                             {"color", "#555555"},
                             {"rule", {{"strokeDash", Json::array({4, 3})}}}}
                      : Json{{"type", "errorbar"}, {"ticks", true}, {"color", "#222222"}}},
         {"encoding",
          {{"x",
            {{"field", "lower"},
             {"type", "quantitative"},
             // Same title as the bars, or Vega-Lite joins both into the axis title.
             {"title", scale.Title(chart.axis_label)}}},
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
  double max_abs = 0;
  for (const std::vector<double>& values : chart.values) {
    for (double value : values) max_abs = MaxAbs(max_abs, value);
  }
  const Scale scale = MakeScale(chart.kind, max_abs);
  Json rows = Json::array();
  for (size_t group = 0; group < chart.groups.size() && group < chart.values.size(); ++group) {
    for (size_t index = 0; index < chart.categories.size(); ++index) {
      if (index >= chart.values[group].size() || std::isnan(chart.values[group][index])) continue;
      rows.push_back({{"category", chart.categories[index]},
                      {"group", chart.groups[group]},
                      {"value", scale.Spec(chart.values[group][index])},
                      {"label", scale.Text(chart.values[group][index])}});
    }
  }
  Json tooltip = Json::array(
      {{{"field", "category"}, {"title", "Category"}},
       {{"field", "group"}, {"title", "State"}},
       {{"field", "label"}, {"title", chart.axis_label.empty() ? "Value" : chart.axis_label}}});
  Json bars{{"mark", {{"type", "bar"}}},
            {"encoding",
             {{"x", ValueAxis(chart.axis_label, scale)},
              {"color", ColourByName(chart.groups, "group")},
              {"tooltip", tooltip}}}};
  // The value printed at the outer end of each bar, so the before/after
  // difference can be read without hovering (and on paper).
  Json labels{
      {"mark",
       {{"type", "text"},
        {"align", {{"expr", "datum.value < 0 ? 'right' : 'left'"}}},
        {"dx", {{"expr", "datum.value < 0 ? -4 : 4"}}},
        {"fontSize", 11},
        {"color", "#333333"}}},
      {"encoding",
       {{"x", {{"field", "value"}, {"type", "quantitative"}}}, {"text", {{"field", "label"}}}}}};
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

namespace {

// A Vega expression giving the label of `field` (a number) from `labels`,
// '' for other values.
std::string LabelExpression(const std::map<double, std::string>& labels, const std::string& field) {
  std::string expression;
  for (const auto& [value, label] : labels) {
    std::string quoted;
    for (char character : label) {
      if (character == '\\' || character == '\'') quoted.push_back('\\');
      quoted.push_back(character);
    }
    expression += fmt::format("{} === {} ? '{}' : ", field, value, quoted);
  }
  return expression + "''";
}

// The label of `value`, or its number as `scale` shows it.
std::string LabelOr(const std::map<double, std::string>& labels, const Scale& scale, double value) {
  const auto found = labels.find(value);
  return found != labels.end() ? found->second : scale.Text(value);
}

}  // namespace

Json LineChartSpec(const LineChart& chart) {
  double max_abs = 0, max_abs_x = 0;
  for (const LineSeries& series : chart.series) {
    for (const std::vector<double>* list : {&series.y, &series.lower, &series.upper}) {
      for (double value : *list) max_abs = MaxAbs(max_abs, value);
    }
    for (double value : series.x) max_abs_x = MaxAbs(max_abs_x, value);
  }
  const Scale scale = MakeScale(chart.kind, max_abs);
  const Scale x_scale = MakeScale(chart.x_kind, max_abs_x);
  Json rows = Json::array();
  std::vector<std::string> names;
  bool any_band = false;
  for (const LineSeries& series : chart.series) {
    names.push_back(series.name);
    for (size_t index = 0; index < series.x.size() && index < series.y.size(); ++index) {
      if (std::isnan(series.x[index]) || std::isnan(series.y[index])) continue;
      Json row{{"series", series.name},
               {"x", x_scale.Spec(series.x[index])},
               {"x_text", chart.x_kind == ValueKind::kNumber
                              ? FormatNumber(series.x[index], AdaptiveDecimals(series.x[index], 0))
                              : x_scale.Text(series.x[index])},
               {"value", scale.Spec(series.y[index])},
               {"value_text", LabelOr(chart.y_labels, scale, series.y[index])}};
      if (index < series.lower.size() && index < series.upper.size() &&
          !std::isnan(series.lower[index]) && !std::isnan(series.upper[index])) {
        row["lower"] = scale.Spec(series.lower[index]);
        row["upper"] = scale.Spec(series.upper[index]);
        any_band = true;
      }
      if (index < series.labels.size()) row["label"] = series.labels[index];
      rows.push_back(std::move(row));
    }
  }
  const Json x_axis{
      {"field", "x"},
      {"type", "quantitative"},
      {"title", x_scale.Title(chart.x_label)},
      {"scale", {{"zero", false}}},
      {"axis", {{"format", chart.x_kind == ValueKind::kNumber ? "d" : x_scale.format.d3_axis}}}};
  Json y_axis{{"field", "value"},
              {"type", "quantitative"},
              {"title", scale.Title(chart.y_label)},
              {"scale", {{"zero", false}}},
              {"axis", {{"format", scale.format.d3_axis}}}};
  if (!chart.y_labels.empty()) {
    // Ticks at the labelled values within the data's range, named.
    double low = std::numeric_limits<double>::infinity();
    double high = -low;
    for (const Json& row : rows) {
      low = std::min(low, row["value"].get<double>());
      high = std::max(high, row["value"].get<double>());
    }
    Json ticks = Json::array();
    for (const auto& [value, label] : chart.y_labels) {
      if (value >= low && value <= high) ticks.push_back(scale.Spec(value));
    }
    y_axis["scale"]["domain"] = Json::array({scale.Spec(low), scale.Spec(high)});
    y_axis["scale"]["nice"] = false;
    y_axis["axis"] = {{"values", ticks},
                      {"labelExpr", LabelExpression(chart.y_labels, "datum.value")}};
  }
  const Json colour = ColourByName(names, "series");
  const Json tooltip = Json::array(
      {{{"field", "series"}, {"title", "Series"}},
       {{"field", "x_text"}, {"title", chart.x_label.empty() ? "x" : chart.x_label}},
       {{"field", "value_text"}, {"title", chart.y_label.empty() ? "Value" : chart.y_label}}});
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
  double max_abs = 0;
  for (const auto& [code, value] : chart.values) {
    if (!IsoNumericFor(code).empty()) max_abs = MaxAbs(max_abs, value);
  }
  const Scale scale = MakeScale(chart.kind, max_abs);
  Json lookup_rows = Json::array();
  std::set<double> present;
  for (const auto& [code, value] : chart.values) {
    const std::string numeric = IsoNumericFor(code);
    if (numeric.empty() || std::isnan(value)) continue;
    lookup_rows.push_back({{"id", numeric},
                           {"code", code},
                           {"value", scale.Spec(value)},
                           {"text", LabelOr(chart.legend_labels, scale, value)}});
    present.insert(value);
  }
  // A symmetric domain keeps zero at the neutral colour and lets equal gains
  // and losses get equally strong colours.
  double largest_magnitude = scale.Spec(max_abs);
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
                                    {"fields", Json::array({"code", "value", "text"})}}}},
                                 {{"filter", "isValid(datum.value)"}}})},
      {"mark", {{"type", "geoshape"}, {"stroke", "#ffffff"}, {"strokeWidth", 0.5}}},
      {"encoding",
       {{"color",
         {{"field", "value"},
          {"type", "quantitative"},
          {"title", scale.Title(chart.legend_label)},
          {"scale",
           {{"scheme", "redblue"},
            {"domain", Json::array({-largest_magnitude, largest_magnitude})},
            {"domainMid", 0},
            {"clamp", true}}},
          {"legend",
           {{"format", scale.format.d3_axis},
            {"orient", "bottom"},
            {"direction", "horizontal"},
            {"gradientLength", 320}}}}},
        {"tooltip",
         Json::array({{{"field", "properties.name"}, {"title", "Country"}},
                      {{"field", "code"}, {"title", "Code"}},
                      {{"field", "text"},
                       {"title", chart.legend_label.empty() ? "Value" : chart.legend_label}}})}}}};
  Json transforms = Json::array({{{"filter", "datum.id !== '010'"}}});
  if (!chart.region.empty()) {
    // Only the region's shapes: the projection then fits them.
    std::string ids;
    for (const std::string& code : chart.region) {
      const std::string numeric = IsoNumericFor(code);
      if (!numeric.empty()) ids += fmt::format("{}'{}'", ids.empty() ? "" : ", ", numeric);
    }
    transforms.push_back({{"filter", fmt::format("indexof([{}], datum.id) >= 0", ids)}});
  }
  if (!chart.legend_labels.empty()) {
    // Discrete colours, worst to best, for the labels present.
    Json domain = Json::array();
    for (double value : present) domain.push_back(LabelOr(chart.legend_labels, scale, value));
    Json& colour = coloured["encoding"]["color"];
    colour = {{"field", "text"},
              {"type", "ordinal"},
              {"title", chart.legend_label.empty() ? Json(nullptr) : Json(chart.legend_label)},
              {"sort", domain},
              {"scale", {{"domain", domain}, {"scheme", "redyellowgreen"}}},
              {"legend",
               {{"orient", "bottom"},
                {"direction", "horizontal"},
                {"columns", std::min<size_t>(domain.size(), 8)}}}};
  }
  const bool regional = !chart.region.empty();
  return Json{
      {"$schema", kSchema},
      {"width", regional ? 520 : 760},
      {"height", regional ? 520 : 370},
      // Room on the left for the legend's first label ("-0.8%"), which is
      // drawn flush with the left edge of the plot.
      {"padding", {{"left", 16}, {"right", 8}, {"top", 5}, {"bottom", 5}}},
      {"projection", {{"type", "equalEarth"}}},
      {"data", {{"values", world}, {"format", {{"type", "topojson"}, {"feature", "countries"}}}}},
      // Antarctica (ISO 010) takes a fifth of the map and has no trade.
      {"transform", transforms},
      {"layer", Json::array({base, coloured})},
      {"config", Config()}};
}

}  // namespace mizani::report_internal

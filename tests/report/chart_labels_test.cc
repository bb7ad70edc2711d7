// Value labels on charts: a line chart's y axis named in words at the
// labelled values (a rating scale), and a map limited to a region with a
// discrete legend in words (the rating report's map of Africa).
#include <gtest/gtest.h>

#include <string>

#include "mizani/report.h"
#include "report/vega_specs.h"

namespace mizani::report_internal {
namespace {

const std::map<double, std::string> kLabels = {{6, "B-"}, {7, "B"}, {8, "B+"}, {9, "BB-"}};

TEST(ChartLabels, LineChartAxisShowsTheLabelsWithinTheDataRange) {
  LineChart chart;
  chart.series = {{"agency", {2000, 2001, 2002}, {7, 8, NAN}, {}, {}, {}}};
  chart.y_labels = kLabels;
  const Json spec = LineChartSpec(chart);
  const Json& layer = spec["layer"].back();
  const Json& axis = layer["encoding"]["y"]["axis"];
  // Ticks at the labelled values between the lowest and highest point only.
  EXPECT_EQ(axis["values"], Json::array({7.0, 8.0}));
  const std::string expression = axis["labelExpr"];
  EXPECT_NE(expression.find("datum.value === 7 ? 'B'"), std::string::npos) << expression;
  EXPECT_NE(expression.find("datum.value === 9 ? 'BB-'"), std::string::npos) << expression;
  EXPECT_EQ(layer["encoding"]["y"]["scale"]["domain"], Json::array({7.0, 8.0}));
  // Tooltips name the rating; the missing point is left out.
  ASSERT_EQ(spec["data"]["values"].size(), 2u);
  EXPECT_EQ(spec["data"]["values"][1]["value_text"], "B+");
}

TEST(ChartLabels, RegionalMapDrawsTheRegionWithALegendInWords) {
  WorldMap map;
  map.kind = ValueKind::kNumber;
  map.region = {"KEN", "UGA", "TZA"};
  map.legend_labels = kLabels;
  map.values = {{"KEN", 9}, {"UGA", 6}, {"TZA", 9}};
  const Json world = Json::object();
  const Json spec = WorldMapSpec(map, world);
  // Kenya 404, Uganda 800, Tanzania 834: only their shapes are kept.
  const std::string filter = spec["transform"].back()["filter"];
  EXPECT_EQ(filter, "indexof(['404', '800', '834'], datum.id) >= 0");
  const Json& colour = spec["layer"][1]["encoding"]["color"];
  EXPECT_EQ(colour["type"], "ordinal");
  // The labels present, worst to best.
  EXPECT_EQ(colour["scale"]["domain"], Json::array({"B-", "BB-"}));
  const Json& rows = spec["layer"][1]["transform"][0]["from"]["data"]["values"];
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["text"], "BB-");  // KEN
  // Without a region or labels: the world and the diverging scale, as before.
  WorldMap plain;
  plain.values = {{"KEN", 1.0}};
  const Json world_spec = WorldMapSpec(plain, world);
  EXPECT_EQ(world_spec["transform"].size(), 1u);
  EXPECT_EQ(world_spec["layer"][1]["encoding"]["color"]["type"], "quantitative");
}

TEST(ChartLabels, MarkdownNotesUseTheLabels) {
  ReportDocument doc;
  ReportSection section;
  WorldMap map;
  map.title = "Map";
  map.kind = ValueKind::kNumber;
  map.legend_labels = kLabels;
  map.values = {{"KEN", 9}, {"UGA", 6}};
  section.blocks.emplace_back(map);
  LineChart path;
  path.title = "Path";
  path.y_labels = kLabels;
  path.series = {{"S&P", {2023, 2024}, {7, 6}, {}, {}, {}}};
  section.blocks.emplace_back(path);
  doc.sections.push_back(section);
  const std::string markdown = RenderMarkdown(doc);
  EXPECT_NE(markdown.find("KEN BB-, UGA B-."), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("S&P: B- at 2024."), std::string::npos) << markdown;
}

}  // namespace
}  // namespace mizani::report_internal

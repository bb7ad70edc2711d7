// Writes a sample report with every block and chart kind, for the browser
// test (tests/report_chromium.sh). Usage: report_render_fixture OUT_DIR
// Prints the folder written.
#include <cmath>
#include <cstdio>
#include <exception>

#include "mizani/error.h"
#include "mizani/report.h"

namespace {

mizani::ReportDocument SampleReport() {
  using mizani::ValueKind;
  mizani::ReportDocument doc;
  doc.title = "East African Community \u2013 Japan tariff cut";
  doc.subtitle = "Counterfactual: all bilateral tariffs between the EAC and Japan set to zero";
  doc.badge = "Synthetic data \u2013 not for policy use";
  doc.generated_at = "2024-05-01 12:00 UTC";

  mizani::ReportSection summary;
  summary.heading = "Summary";
  summary.blocks.emplace_back(mizani::ReportParagraph{
      "Removing tariffs raises real income in every EAC member; the gains are largest for Kenya, "
      "which trades most with Japan. Third countries lose slightly as trade is diverted "
      "(<less than 0.1%> & mostly in Asia)."});
  summary.blocks.emplace_back(mizani::AssumptionList{
      "Assumptions",
      {{"Model", "Structural gravity, PPML with exporter-year, importer-year and pair effects"},
       {"Elasticity of substitution (\u03c3)", "5"},
       {"Trade-cost elasticity", "-4 (= 1 - \u03c3)"},
       {"Baseline year", "2006"},
       {"Intervals", "95% bootstrap, 200 draws"}}});

  const std::vector<std::string> countries = {"KEN", "TZA", "UGA", "RWA", "BDI", "JPN",
                                              "CHN", "USA", "DEU", "IND", "ZAF", "BRA"};
  const std::vector<double> welfare = {0.82,  0.41,  0.37,  0.22,  0.12,  0.05,
                                       -0.04, -0.01, -0.02, -0.03, -0.06, NAN};
  mizani::BarChart welfare_chart;
  welfare_chart.title = "Change in real income (welfare), with 95% intervals";
  welfare_chart.categories = countries;
  mizani::ChartSeries central{"Central estimate", welfare, {}, {}};
  for (double value : welfare) {
    central.lower.push_back(value - 0.05 - std::fabs(value) * 0.3);
    central.upper.push_back(value + 0.05 + std::fabs(value) * 0.3);
  }
  welfare_chart.series.push_back(central);
  welfare_chart.axis_label = "Change in real income";
  welfare_chart.kind = ValueKind::kPercent;
  welfare_chart.sorted = true;
  welfare_chart.note = "Brazil: no estimate (missing data).";
  summary.blocks.emplace_back(welfare_chart);

  mizani::BarChart trade_chart;
  trade_chart.title = "Exports to Japan, before and after (USD million)";
  trade_chart.categories = {"Kenya", "Tanzania", "Uganda", "Rwanda", "Burundi"};
  trade_chart.series = {{"Baseline", {412.0, 230.5, 96.2, 31.0, 8.4}, {}, {}},
                        {"Counterfactual", {530.1, 281.0, 120.9, 37.2, 10.1}, {}, {}}};
  trade_chart.axis_label = "USD million";
  trade_chart.kind = ValueKind::kNumber;
  summary.blocks.emplace_back(trade_chart);

  mizani::ReportTable table;
  table.name = "welfare";
  table.caption = "Welfare and trade effects by country";
  table.columns = {{"Country", ValueKind::kText, 0},
                   {"ISO3", ValueKind::kText, 0},
                   {"Exports, USD million", ValueKind::kNumber, 1},
                   {"Real income change", ValueKind::kPercent, 2}};
  const std::vector<std::string> names = {"Kenya",   "Tanzania", "Uganda",       "Rwanda",
                                          "Burundi", "Japan",    "China",        "United States",
                                          "Germany", "India",    "South Africa", "Brazil"};
  for (size_t index = 0; index < countries.size(); ++index) {
    table.rows.push_back({names[index], countries[index],
                          1234.5 * static_cast<double>(index + 1) * 17, welfare[index]});
  }
  table.note = "Exports in the counterfactual equilibrium. \u2013: not estimated.";
  summary.blocks.emplace_back(table);

  mizani::ReportSection shares;
  shares.heading = "Where Kenya buys its imports";
  mizani::GroupedBarChart share_chart;
  share_chart.title = "Share of Kenya's imports by origin";
  share_chart.categories = {"China", "India", "EU", "Japan", "EAC partners", "Rest of world"};
  share_chart.groups = {"Before", "After"};
  share_chart.values = {{21.3, 12.1, 14.0, 3.9, 9.6, 39.1}, {20.8, 11.8, 13.6, 6.0, 9.5, 38.3}};
  share_chart.axis_label = "Share of imports";
  shares.blocks.emplace_back(share_chart);
  shares.blocks.emplace_back(mizani::ReportParagraph{
      "Japan's share of Kenyan imports rises from 3.9% to 6.0%, mostly at the expense of China "
      "and the EU."});

  mizani::ReportSection map_section;
  map_section.heading = "Effects around the world";
  mizani::WorldMap map;
  map.title = "Change in real income by country";
  for (size_t index = 0; index < countries.size(); ++index) {
    if (!std::isnan(welfare[index])) map.values[countries[index]] = welfare[index];
  }
  map.values["SGP"] = -0.02;  // too small for the 1:110m shapes: listed under the map
  map.legend_label = "Real income change";
  map.kind = ValueKind::kPercent;
  map_section.blocks.emplace_back(map);

  // Line charts: a fan (median with a 5-95% band) and a labelled scatter.
  mizani::ReportSection lines;
  lines.heading = "Lines, fans and points";
  mizani::LineChart fan;
  fan.title = "Debt/GDP fan";
  fan.x_label = "year";
  fan.y_label = "debt/GDP";
  fan.kind = ValueKind::kPercent;
  fan.series.push_back({"strategy A",
                        {2025, 2026, 2027},
                        {66.8, 67.0, 66.8},
                        {64.0, 62.1, 60.5},
                        {70.2, 74.9, 78.4},
                        {}});
  fan.series.push_back({"strategy C", {2025, 2026, 2027}, {66.8, 66.1, 65.2}, {}, {}, {}});
  lines.blocks.emplace_back(fan);
  mizani::LineChart frontier;
  frontier.title = "Cost-risk frontier";
  frontier.points = true;
  frontier.x_label = "risk (pp)";
  frontier.y_label = "cost";
  frontier.kind = ValueKind::kPercent;
  frontier.series.push_back(
      {"strategies", {1.07, 0.63, 0.78}, {5.76, 4.09, 5.83}, {}, {}, {"A", "C", "D"}});
  lines.blocks.emplace_back(frontier);

  doc.sections = {summary, shares, map_section, lines};
  return doc;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  try {
    mizani::WriteReport(SampleReport(), argv[1], "report");
  } catch (const mizani::Error& error) {
    std::fprintf(stderr, "report_render_fixture: %s\n", error.what());
    return static_cast<int>(error.code());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "report_render_fixture: %s\n", error.what());
    return 1;
  }
  std::printf("%s\n", argv[1]);
  return 0;
}

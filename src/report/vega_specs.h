// Vega-Lite specifications for the report's chart blocks.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "mizani/report.h"

namespace mizani::report_internal {

using Json = nlohmann::ordered_json;

// Category indices in display order: as given, or by the first series'
// value, largest first (missing values last) when chart.sorted.
std::vector<size_t> BarOrder(const BarChart& chart);

Json BarChartSpec(const BarChart& chart);
Json GroupedBarChartSpec(const GroupedBarChart& chart);
Json LineChartSpec(const LineChart& chart);
// `world` is the parsed world-atlas TopoJSON, inlined into the spec.
Json WorldMapSpec(const WorldMap& chart, const Json& world);

// ISO numeric ids of the shapes in the TopoJSON ("404", ...).
std::set<std::string> WorldShapeIds(const Json& world);
// Codes of `chart.values` that the map cannot draw: unknown codes, and
// countries too small to have a shape at this scale.
std::vector<std::string> UndrawnCountries(const WorldMap& chart,
                                          const std::set<std::string>& shape_ids);

}  // namespace mizani::report_internal

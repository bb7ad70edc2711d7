// The top of a scenario report for an adviser: a title taken from the
// scenario's description (not its id), and a summary of one headline sentence
// and one chart. Kept apart from scenario_output.cc (tables, JSON, the full report) so
// that each can move on its own.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <vector>

#include "mizani/scenario_output.h"
#include "scenario/internal.h"

namespace mizani {

namespace {

// The countries with the largest absolute change of `values`, largest first.
std::vector<int> LargestChanges(const Eigen::VectorXd& values, size_t count) {
  std::vector<int> order(static_cast<size_t>(values.size()));
  for (size_t country_idx = 0; country_idx < order.size(); ++country_idx) {
    order[country_idx] = static_cast<int>(country_idx);
  }
  std::stable_sort(order.begin(), order.end(), [&](int left, int right) {
    return std::abs(values(left)) > std::abs(values(right));
  });
  order.resize(std::min(order.size(), count));
  return order;
}

bool Conditional(const ScenarioOutcome& outcome) {
  return outcome.model.mode == GeMode::kConditional;
}

const Eigen::VectorXd& HeadlineValues(const ScenarioOutcome& outcome) {
  return Conditional(outcome) ? outcome.ge.countries.exports_change_pct
                              : outcome.ge.countries.real_gdp_change_pct;
}

std::string Signed(double value_pct) {
  return FormatShown(value_pct, ValueKind::kPercent, 2, true);
}

// "Real GDP changes most in MEX (-0.52%), CAN (-0.21%) and USA (-0.01%)."
std::string LargestChangesSentence(const ScenarioOutcome& outcome) {
  const Eigen::VectorXd& values = HeadlineValues(outcome);
  const std::vector<int> order = LargestChanges(values, 3);
  if (order.empty()) return {};
  std::string list;
  for (size_t rank = 0; rank < order.size(); ++rank) {
    const char* joint = rank == 0 ? "" : (rank + 1 == order.size() ? " and " : ", ");
    list +=
        fmt::format("{}{} ({})", joint, outcome.codes[order[rank]], Signed(values(order[rank])));
  }
  return fmt::format("{} changes most in {}.",
                     Conditional(outcome) ? "International exports" : "Real GDP", list);
}

// The chart of the summary: the goal seeking's path when there is a goal,
// else the groups' shares before and after, else the largest changes.
ReportBlock SummaryChart(const ScenarioOutcome& outcome) {
  if (outcome.goal && outcome.goal->trace.size() > 1) {
    LineChart chart;
    chart.title = "Goal seeking: the outcome at each shock size tried";
    chart.x_label = "size of the varied shock (in its own unit)";
    chart.y_label = "the goal's outcome";
    chart.points = true;
    LineSeries series;
    series.name = "solves";
    std::vector<std::pair<double, double>> trace = outcome.goal->trace;
    std::sort(trace.begin(), trace.end());
    for (const auto& [size, value] : trace) {
      series.x.push_back(size);
      series.y.push_back(value);
    }
    chart.series.push_back(std::move(series));
    chart.note = "Each point is one general-equilibrium solve tried by the goal seeking.";
    return chart;
  }
  if (!outcome.ge.groups.empty()) return GroupSharesChart(outcome);
  const Eigen::VectorXd& values = HeadlineValues(outcome);
  BarChart chart;
  chart.title = std::string(Conditional(outcome) ? "International exports" : "Real GDP") +
                ", % change: the largest changes";
  chart.kind = ValueKind::kPercent;
  chart.axis_label = "% change";
  chart.sorted = true;
  ChartSeries series;
  series.name = "point estimate";
  for (int country_idx : LargestChanges(values, 8)) {
    chart.categories.push_back(outcome.codes[static_cast<size_t>(country_idx)]);
    series.values.push_back(values(country_idx));
  }
  chart.series.push_back(std::move(series));
  return chart;
}

}  // namespace

GroupedBarChart GroupSharesChart(const ScenarioOutcome& outcome) {
  GroupedBarChart shares;
  shares.title = "Intra-group share of international trade, before and after (%)";
  shares.groups = {"Before", "After"};
  shares.values.resize(2);
  for (const GeGroupResult& group : outcome.ge.groups) {
    shares.categories.push_back(group.name);
    shares.values[0].push_back(100 * group.intra_share_before);
    shares.values[1].push_back(100 * group.intra_share_after);
  }
  return shares;
}

std::string ScenarioReportTitle(const ScenarioOutcome& outcome) {
  // The description's first clause (up to "; " or ". "): "Remove NAFTA (CAN,
  // MEX, USA)". The id is for files, not readers; it is the last resort.
  std::string title = outcome.description;
  for (const char* stop : {"; ", ". "}) {
    if (const size_t at = title.find(stop); at != std::string::npos) title.resize(at);
  }
  while (!title.empty() && (title.back() == '.' || title.back() == ' ')) title.pop_back();
  if (title.empty()) return outcome.name.empty() ? "Counterfactual scenario" : outcome.name;
  title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
  return title;
}

std::string ScenarioReportSubtitle(const ScenarioOutcome& outcome) {
  const std::string id = outcome.name.empty() ? outcome.file : outcome.name;
  if (outcome.description.empty() || ScenarioReportTitle(outcome) == outcome.description) {
    return id.empty() ? outcome.description : "Scenario " + id;
  }
  return outcome.description + (id.empty() ? "" : " (scenario " + id + ")");
}

std::string ScenarioHeadline(const ScenarioOutcome& outcome) {
  std::string text;
  if (outcome.goal) {
    text += outcome.goal->message + ". ";
    text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  }
  for (const GeGroupResult& group : outcome.ge.groups) {
    text += fmt::format(
        "The share of {}'s international trade that stays within the group moves from {} to "
        "{}. ",
        group.name, FormatShown(100 * group.intra_share_before, ValueKind::kPercent),
        FormatShown(100 * group.intra_share_after, ValueKind::kPercent));
  }
  if (!outcome.focus_exporter.empty()) {
    text += fmt::format("Exports from {} to {} change by {}. ", outcome.focus_exporter,
                        outcome.focus_importer, Signed(FocusChangePct(outcome, outcome.ge)));
  }
  return text + LargestChangesSentence(outcome);
}

ReportSection ScenarioAdviserSummary(const ScenarioOutcome& outcome) {
  ReportSection summary{kScenarioSummaryHeading, {}};
  summary.ends_page = true;
  summary.blocks.emplace_back(ReportParagraph{ScenarioHeadline(outcome)});
  summary.blocks.push_back(SummaryChart(outcome));
  return summary;
}

}  // namespace mizani

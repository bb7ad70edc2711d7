// The `mizani demo` report: a summary an adviser reads in ten minutes (one
// headline sentence and one chart per question), a section per question
// (answer, uncertainty, caveats, what the model leaves out), and the full
// tables in an appendix and in the downloads. This file builds the trade
// questions (A-D, structural gravity) and assembles the document; the
// financing, rating and product-line parts are in demo_agenda_report.cc.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "mizani/error.h"
#include "ticad9/demo.h"
#include "ticad9/demo_internal.h"

namespace mizani {

namespace {

using demo_internal::ByKey;
using demo_internal::CountryIndex;
using demo_internal::FlowChange;
using demo_internal::Group;
using demo_internal::Interval;
using demo_internal::NotModelledBox;
using demo_internal::QuestionPart;
using demo_internal::RealGdp;
using demo_internal::Signed;

// Column names of the scenario tables as a reader wants them: words and
// units ("Real GDP change (%)", not "real_gdp_change_pct"). `flow_unit`
// is the unit of trade flows in the data.
std::string HumanColumn(const std::string& name, const std::string& flow_unit) {
  static const std::map<std::string, std::string> kNames = {
      {"country", "Country"},
      {"Exports", "Exports change (%)"},
      {"Imports", "Imports change (%)"},
      {"Real GDP", "Real GDP change (%)"},
      {"Real GDP lower", "Real GDP change, 95% interval low (%)"},
      {"Real GDP upper", "Real GDP change, 95% interval high (%)"},
      {"Welfare", "Welfare change (%)"},
      {"Factory-gate price", "Factory-gate price change (%)"},
      {"Inward resistance", "Inward resistance change (%)"},
      {"exporter", "Exporter"},
      {"importer", "Importer"},
      {"partial_change_pct", "Partial effect before GE (%)"},
      {"flow_change_pct", "Flow change (%)"},
      {"flow_change_lower_pct", "Flow change, 95% interval low (%)"},
      {"flow_change_upper_pct", "Flow change, 95% interval high (%)"},
      {"group", "Group"},
      {"members", "Members"},
      {"share_before_pct", "Share of international trade within the group, before (%)"},
      {"share_after_pct", "Share within the group, after (%)"},
      {"share_after_lower_pct", "Share after, 95% interval low (%)"},
      {"share_after_upper_pct", "Share after, 95% interval high (%)"},
      {"term", "Term"},
      {"estimate", "Estimate (log points)"},
      {"std_error", "Standard error (clustered by pair)"},
      {"feeds_shocks", "Used by shocks"},
      {"lower", "95% interval low"},
      {"upper", "95% interval high"},
      {"evaluation", "Evaluation"},
      {"shock_size", "Trade-cost change tried (%)"},
      {"outcome", "Intra-group share there (fraction)"},
  };
  if (const auto found = kNames.find(name); found != kNames.end()) return found->second;
  if (name == "baseline_flow") return "Baseline flow (" + flow_unit + ")";
  if (name == "new_flow") return "Flow after (" + flow_unit + ")";
  // real_gdp_change_pct_sigma_5 -> "Real GDP change at σ = 5 (%)".
  for (const auto& [stem, words] :
       {std::pair<std::string, std::string>("real_gdp_change_pct_sigma_", "Real GDP change"),
        std::pair<std::string, std::string>("exports_change_pct_sigma_", "Exports change"),
        std::pair<std::string, std::string>("welfare_change_pct_sigma_", "Welfare change")}) {
    if (name.rfind(stem, 0) == 0) {
      return fmt::format("{} at \u03c3 = {} (%)", words, name.substr(stem.size()));
    }
  }
  return name;
}

// The scenario report's tables with human headers and a prefixed file name.
ReportTable HumanTable(ReportTable table, const std::string& prefix, const std::string& flow_unit) {
  table.name = prefix + "_" + table.name;
  for (ReportColumn& column : table.columns) column.name = HumanColumn(column.name, flow_unit);
  return table;
}

WorldMap WelfareMap(const ScenarioOutcome& outcome) {
  WorldMap map;
  map.title = "Welfare (real expenditure), % change by country";
  map.legend_label = "% change";
  for (size_t country_idx = 0; country_idx < outcome.codes.size(); ++country_idx) {
    map.values[outcome.codes[country_idx]] =
        outcome.ge.countries.welfare_change_pct(static_cast<Eigen::Index>(country_idx));
  }
  map.note = "Grey: not in the data. Red: losses; blue: gains.";
  return map;
}

// The assumptions of one scenario, every shock spelled out.
AssumptionList ScenarioAssumptions(AssumptionList list, const DemoScenario& item) {
  list.title = "Assumptions";
  std::erase_if(list.items, [](const auto& item_pair) {
    return item_pair.first == "Scenario file" || item_pair.first == "Solver";
  });
  list.items.emplace_back("Scenario file", "examples/ticad9/" + item.file + " (embedded)");
  for (const Shock& shock : item.scenario.shocks) {
    list.items.emplace_back("Shock '" + shock.name + "'", DescribeShock(shock, item.outcome));
  }
  if (!item.variants.empty()) {
    std::string range;
    for (const DemoVariant& variant : item.variants) {
      range += (range.empty() ? "" : "; ") + variant.label + ": " + variant.setting;
    }
    list.items.emplace_back("Policy range (sensitivity runs)",
                            range + " (central: " + item.setting + ")");
  }
  return list;
}

// The blocks of BuildScenarioReport for one scenario: charts and the
// assumptions into the section (the real GDP map replaced by welfare), every
// table into the appendix with human headers. Its key-result sentences are
// left out: the section states them with adaptive precision.
void AddScenarioBlocks(const DemoScenario& item, const std::string& flow_unit, QuestionPart* part) {
  const ReportDocument base = BuildScenarioReport(item.outcome);
  const std::string prefix = std::string(1, static_cast<char>(std::tolower(item.key[0])));
  for (const ReportSection& base_section : base.sections) {
    // The demo writes its own summary, one headline per question.
    if (base_section.heading == kScenarioSummaryHeading) continue;
    for (const ReportBlock& block : base_section.blocks) {
      if (const auto* table = std::get_if<ReportTable>(&block)) {
        ReportTable copy = HumanTable(*table, prefix, flow_unit);
        copy.caption = item.key + ". " + copy.caption;
        part->appendix.emplace_back(std::move(copy));
      } else if (const auto* list = std::get_if<AssumptionList>(&block)) {
        part->section.blocks.emplace_back(ScenarioAssumptions(*list, item));
      } else if (std::holds_alternative<WorldMap>(block)) {
        part->section.blocks.emplace_back(WelfareMap(item.outcome));
      } else if (std::holds_alternative<ReportParagraph>(block)) {
        if (base_section.heading != "Results") part->section.blocks.push_back(block);
      } else {
        part->section.blocks.push_back(block);
      }
    }
  }
}

// "σ sensitivity" line of a GE result: Kenya's real GDP at each σ of the
// scenario's sensitivity grid, same shocks.
std::string SigmaLine(const ScenarioOutcome& outcome, const std::string& code,
                      const std::string& who) {
  const SigmaSensitivity& grid = outcome.sensitivity;
  if (grid.sigmas.empty()) return "No \u03c3 sensitivity runs in this scenario.";
  const int at = CountryIndex(outcome.codes, code);
  std::string values;
  for (size_t sigma_idx = 0; sigma_idx < grid.sigmas.size(); ++sigma_idx) {
    values +=
        fmt::format("{}{} at \u03c3 = {:g}", values.empty() ? "" : ", ",
                    Signed(grid.real_gdp_change_pct(at, static_cast<Eigen::Index>(sigma_idx))),
                    grid.sigmas[sigma_idx]);
  }
  return fmt::format(
      "\u03c3 sensitivity (elasticity of substitution; same shocks, central \u03c3 = {:g}): {} "
      "real GDP {}.{}",
      outcome.theta + 1, who, values,
      grid.failures.empty() ? "" : " Not solved: " + grid.failures.front() + ".");
}

// What the trade model leaves out, said once per GE question.
AssumptionList GeNotModelled() {
  return NotModelledBox({
      {"Tariff revenue",
       "tariffs and NTB equivalents act as trade costs; the revenue a tariff raises, and loses "
       "when it is cut, is not modelled, so welfare omits it."},
      {"Agriculture and services",
       "one sector, manufacturing (Kenya's tea, flowers and avocados are in G)."},
      {"Input-output links, investment and growth", "the effects are long-run level changes."},
      {"Unemployment and adjustment costs", "each country's output is fixed (endowment economy)."},
      {"New trade relationships", "pairs with zero trade in the baseline stay at zero."},
      {"Exchange rates and finance", "trade imbalances are held as a constant ratio."},
  });
}

// The question's section: question, answer, uncertainty, caveats, the box.
ReportSection QuestionSection(const std::string& heading, const std::string& question,
                              const std::string& answer, const std::string& uncertainty,
                              const std::string& caveats) {
  ReportSection section;
  section.heading = heading;
  section.blocks.emplace_back(ReportParagraph{"Question: " + question});
  section.blocks.emplace_back(ReportParagraph{"Answer: " + answer});
  section.blocks.emplace_back(ReportParagraph{"Uncertainty: " + uncertainty});
  if (!caveats.empty()) section.blocks.emplace_back(ReportParagraph{"Caveats: " + caveats});
  return section;
}

// Bars of one outcome across the runs of a policy range (low, central,
// high): the runs are separate bars, not whiskers, because the range is an
// assumption about the policy's size, not a statistical interval.
BarChart PolicyRangeChart(const DemoScenario& item, const std::string& title,
                          const std::string& axis_label,
                          const std::function<double(const ScenarioOutcome&)>& value) {
  BarChart chart;
  chart.title = title;
  chart.kind = ValueKind::kPercent;
  chart.axis_label = axis_label;
  ChartSeries series;
  series.name = "Policy range";
  auto add = [&](const std::string& label, const ScenarioOutcome& outcome) {
    chart.categories.push_back(label);
    series.values.push_back(value(outcome));
  };
  add(item.variants[0].setting + " (low)", item.variants[0].outcome);
  add(item.setting + " (central)", item.outcome);
  add(item.variants[1].setting + " (high)", item.variants[1].outcome);
  chart.series.push_back(std::move(series));
  chart.note =
      "Policy range: the policy's size is an assumption (low, central, high runs), not a "
      "statistical interval.";
  return chart;
}

std::string FlowUnit(const DemoRun& run) {
  return run.synthetic ? "synthetic units" : "million US$";
}

// A trade question's section (question, answer, uncertainty, caveats), the
// trade model's "what this does not model" box, then the scenario's charts
// into the section and its tables into the appendix.
void AddGeSection(const DemoRun& run, const DemoScenario& item, ReportSection section,
                  QuestionPart* part) {
  part->section = std::move(section);
  part->section.blocks.emplace_back(GeNotModelled());
  AddScenarioBlocks(item, FlowUnit(run), part);
}

QuestionPart PartA(const DemoRun& run) {
  const DemoScenario& a = ByKey(run, "A");
  const ScenarioOutcome& low = a.variants[0].outcome;
  const ScenarioOutcome& high = a.variants[1].outcome;
  const int ken = CountryIndex(a.outcome.codes, "KEN"), jpn = CountryIndex(a.outcome.codes, "JPN");
  const Eigen::MatrixXd& before = a.outcome.ge.baseline_flows;
  const Eigen::MatrixXd& after = a.outcome.ge.new_flows;
  QuestionPart part;
  part.headline = fmt::format(
      "A. If Japan removes its tariff (2.47%) and its non-tariff barriers on Kenyan goods, "
      "Kenya's manufactured exports to Japan rise by {} (policy range {} to {}), Kenya's real "
      "GDP by {} and Japan's by {}.",
      Signed(FlowChange(a.outcome, "KEN", "JPN"), 0), Signed(FlowChange(low, "KEN", "JPN"), 0),
      Signed(FlowChange(high, "KEN", "JPN"), 0), Signed(RealGdp(a.outcome, "KEN")),
      Signed(RealGdp(a.outcome, "JPN")));
  part.summary_blocks.emplace_back(PolicyRangeChart(
      a, "A. Kenya's manufactured exports to Japan, % change, by the assumed size of the NTBs",
      "% change in exports to Japan",
      [](const ScenarioOutcome& outcome) { return FlowChange(outcome, "KEN", "JPN"); }));
  AddGeSection(
      run, a,
      QuestionSection(
          "A. " + a.title,
          "what happens to Kenya, Japan and everyone else if Japan removes its tariff and its "
          "non-tariff barriers on imports from Kenya? Only the Kenya \u2192 Japan flow is shocked; "
          "everything else moves through prices and incomes.",
          fmt::format(
              "Kenya's manufactured exports to Japan rise by {}. Kenya's real GDP changes by {}, "
              "Japan's by {}. Kenya's trade balance with Japan moves from {:.1f} to {:.1f} {}: "
              "Kenya "
              "sells little to Japan, so even doubling it changes the bilateral balance little.",
              Signed(FlowChange(a.outcome, "KEN", "JPN"), 1), Signed(RealGdp(a.outcome, "KEN")),
              Signed(RealGdp(a.outcome, "JPN")), before(ken, jpn) - before(jpn, ken),
              after(ken, jpn) - after(jpn, ken), FlowUnit(run)),
          fmt::format(
              "the NTBs' size is not known; the policy range runs them at 5% and 20% (the "
              "central run: 10%): Kenya's exports to Japan {} to {}, its real GDP {} to {}. "
              "{}",
              Signed(FlowChange(low, "KEN", "JPN"), 1), Signed(FlowChange(high, "KEN", "JPN"), 1),
              Signed(RealGdp(low, "KEN")), Signed(RealGdp(high, "KEN")),
              SigmaLine(a.outcome, "KEN", "Kenya's")),
          "a small shock to a small flow: the effects elsewhere are tiny, hence basis points "
          "(1 bp = 0.01%)."),
      &part);
  return part;
}

// The skewed bootstrap interval of the agreement effect, in words.
std::string AgreementIntervalText(const ScenarioOutcome& outcome, double rta, double rta_se) {
  const IntervalSet& set = outcome.uncertainty.coefficients;
  for (size_t term_idx = 0; term_idx < set.labels.size(); ++term_idx) {
    if (set.labels[term_idx] != "RTA" || set.lower.size() == 0) continue;
    const double lower = set.lower(static_cast<Eigen::Index>(term_idx));
    const double upper = set.upper(static_cast<Eigen::Index>(term_idx));
    const double below = rta - lower, above = upper - rta;
    std::string shape;
    if (below > 1.5 * above || above > 1.5 * below) {
      shape = fmt::format(
          "It is skewed: it reaches {:.3f} {} the estimate but only {:.3f} {} it. The effect "
          "is identified only by the pairs whose agreement status changes between 1986 and "
          "2006; a pair bootstrap draws some replications with few of them, or with the ones "
          "whose trade grew least (or most), and those replications find a much smaller (or "
          "larger) effect. A percentile interval keeps that asymmetry",
          std::max(below, above), below > above ? "below" : "above", std::min(below, above),
          below > above ? "above" : "below");
    } else {
      shape = "It is roughly symmetric, as a percentile interval need not be";
    }
    return fmt::format(
        "The 95% bootstrap interval of the agreement effect is [{:.3f}, {:.3f}] around {:.3f}. "
        "{}, where the normal interval from the clustered standard error is symmetric by "
        "construction: {:.3f} \u00b1 1.96 \u00d7 {:.3f} = [{:.3f}, {:.3f}].",
        lower, upper, rta, shape, rta, rta_se, rta - 1.96 * rta_se, rta + 1.96 * rta_se);
  }
  return "No bootstrap was run (--replications 0): the results carry no statistical interval.";
}

QuestionPart PartB(const DemoRun& run) {
  const DemoScenario& b = ByKey(run, "B");
  const GeGroupResult& group = Group(b.outcome);
  const double rta = b.outcome.coefficients.at("RTA");
  const auto& names = b.outcome.estimation->coef_names;
  const double rta_se = b.outcome.estimation->StdErrors()(
      std::find(names.begin(), names.end(), "RTA") - names.begin());
  const bool has_bootstrap = b.outcome.uncertainty.method != UncertaintyMethod::kNone &&
                             b.outcome.uncertainty.groups.lower.size() > 0;
  const double share_low = has_bootstrap ? 100 * b.outcome.uncertainty.groups.lower(0) : NAN;
  const double share_high = has_bootstrap ? 100 * b.outcome.uncertainty.groups.upper(0) : NAN;
  const auto [ken_low, ken_high] = Interval(b.outcome, "real_gdp_change_pct", "KEN");
  const std::string interval =
      has_bootstrap ? fmt::format(" (95% interval {:.2f}% to {:.2f}%)", share_low, share_high)
                    : std::string();
  const int members = static_cast<int>(group.members.size());
  QuestionPart part;
  part.headline = fmt::format(
      "B. A free trade area among the {} African countries in the data raises the share of "
      "their international trade that stays among them from {:.2f}% to {:.2f}%{}; Kenya's real "
      "GDP changes by {}.",
      members, 100 * group.intra_share_before, 100 * group.intra_share_after, interval,
      Signed(RealGdp(b.outcome, "KEN")));
  BarChart chart;
  chart.title = "B. Share of the African countries' international trade that stays among them (%)";
  chart.kind = ValueKind::kPercent;
  chart.axis_label = "share of members' international trade";
  chart.categories = {"Before (baseline)", "After the free trade area"};
  chart.series.push_back({"Share",
                          {100 * group.intra_share_before, 100 * group.intra_share_after},
                          {NAN, share_low},
                          {NAN, share_high}});
  chart.range_kind = RangeKind::kInterval;
  chart.range_label = "95% interval (pair bootstrap)";
  chart.note = has_bootstrap ? fmt::format(
                                   "Whisker: 95% interval, pair bootstrap with {} "
                                   "replications (statistical uncertainty).",
                                   b.outcome.uncertainty.succeeded)
                             : std::string("No bootstrap: no interval.");
  part.summary_blocks.emplace_back(std::move(chart));
  const std::string ken_interval =
      std::isnan(ken_low)
          ? std::string()
          : fmt::format(" (95% interval {} to {})", Signed(ken_low), Signed(ken_high));
  AddGeSection(
      run, b,
      QuestionSection(
          "B. " + b.title,
          fmt::format(
              "what if the {} African countries in the data formed a free trade area? The "
              "effect of an agreement is estimated from 1986\u20132006 trade in the same run "
              "(three-way PPML), and a pair bootstrap gives statistical intervals.",
              members),
          fmt::format(
              "the agreement effect is estimated at {:.3f} (standard error {:.3f}): trade "
              "between new partners \u00d7{:.2f} before general-equilibrium adjustment. The "
              "share of the members' international trade that stays among them rises from "
              "{:.2f}% to {:.2f}%{}. Kenya's real GDP changes by {}{}.",
              rta, rta_se, std::exp(rta), 100 * group.intra_share_before,
              100 * group.intra_share_after, interval, Signed(RealGdp(b.outcome, "KEN")),
              ken_interval),
          AgreementIntervalText(b.outcome, rta, rta_se) + " " +
              SigmaLine(b.outcome, "KEN", "Kenya's"),
          "the estimated effect is an average over the agreements in the data, most of them among "
          "richer countries."),
      &part);
  return part;
}

QuestionPart PartC(const DemoRun& run) {
  const DemoScenario& c = ByKey(run, "C");
  const GeGroupResult& group = Group(c.outcome);
  const double cut = -c.outcome.goal->value;
  // The ~15% cited at TICAD 9 is all goods and all 54 countries; say why the
  // data's share differs, and never compare invented numbers with it.
  const std::string context =
      run.synthetic ? fmt::format(
                          "The starting point in the synthetic world is {:.2f}%, an invented "
                          "number; on the Advanced Guide data it is about 4%.",
                          100 * group.intra_share_before)
                    : fmt::format(
                          "Today's starting point in the data is {:.2f}%, far below the ~15% cited "
                          "at TICAD 9: that figure covers all goods and all 54 African countries, "
                          "while these data hold manufacturing only and {} countries, whose "
                          "manufactured imports come mostly from Europe, Asia and America.",
                          100 * group.intra_share_before, group.members.size());
  QuestionPart part;
  part.headline = fmt::format(
      "C. For half of these countries' international trade to stay in Africa, trade costs among "
      "them would have to fall by {:.1f}% (from a {:.2f}% share today); Kenya's real GDP would "
      "change by {}.",
      cut, 100 * group.intra_share_before, Signed(RealGdp(c.outcome, "KEN")));
  LineChart chart;
  chart.title = "C. Intra-African share (%) against the cut in intra-African trade costs (%)";
  chart.x_label = "cut in trade costs among the African countries (%)";
  chart.y_label = "intra-African share of their trade (%)";
  chart.kind = ValueKind::kPercent;
  chart.x_kind = ValueKind::kPercent;
  LineSeries series;
  series.name = "goal seeking";
  std::vector<std::pair<double, double>> trace = c.outcome.goal->trace;
  std::sort(trace.begin(), trace.end());
  for (auto it = trace.rbegin(); it != trace.rend(); ++it) {
    series.x.push_back(-it->first);
    series.y.push_back(100 * it->second);
  }
  chart.series.push_back(std::move(series));
  chart.note = "Each point is one general-equilibrium solve tried by the goal seeking.";
  part.summary_blocks.emplace_back(std::move(chart));
  AddGeSection(
      run, c,
      QuestionSection(
          "C. " + c.title,
          "how far must trade costs among these countries fall for half of their international "
          "trade to stay in Africa?",
          fmt::format(
              "a {:.2f}% cut (goal seeking). {} At that cut Kenya's real GDP changes by {}.", cut,
              context, Signed(RealGdp(c.outcome, "KEN"))),
          "the cut is found to the solver's tolerance; it inherits the model's assumptions, not a "
          "statistical interval. " +
              SigmaLine(c.outcome, "KEN", "Kenya's"),
          "a cut of this size is far outside the range of any observed agreement: read it as a "
          "measure of distance, not a policy."),
      &part);
  return part;
}

QuestionPart PartD(const DemoRun& run) {
  const DemoScenario& d = ByKey(run, "D");
  const ScenarioOutcome& low = d.variants[0].outcome;
  const ScenarioOutcome& high = d.variants[1].outcome;
  const int ken = CountryIndex(d.outcome.codes, "KEN");
  QuestionPart part;
  part.headline = fmt::format(
      "D. Port and logistics upgrades that cut Kenya's trade costs with every partner by 5% "
      "raise Kenya's real GDP by {} (policy range {} for a 2% cut to {} for a 10% cut).",
      Signed(RealGdp(d.outcome, "KEN")), Signed(RealGdp(low, "KEN")), Signed(RealGdp(high, "KEN")));
  part.summary_blocks.emplace_back(
      PolicyRangeChart(d, "D. Kenya's real GDP, % change, by the assumed cut in its trade costs",
                       "% change in Kenya's real GDP",
                       [](const ScenarioOutcome& outcome) { return RealGdp(outcome, "KEN"); }));
  AddGeSection(
      run, d,
      QuestionSection(
          "D. " + d.title,
          "what are port and logistics upgrades (Mombasa, the Northern Corridor) worth to Kenya if "
          "they cut its trade costs with every partner by 5%?",
          fmt::format("Kenya's real GDP rises by {} and its exports by {}.",
                      Signed(RealGdp(d.outcome, "KEN")),
                      Signed(d.outcome.ge.countries.exports_change_pct(ken), 1)),
          fmt::format(
              "the size of the cut is an assumption; the policy range runs 2% and 10%: real "
              "GDP {} to {}. {}",
              Signed(RealGdp(low, "KEN")), Signed(RealGdp(high, "KEN")),
              SigmaLine(d.outcome, "KEN", "Kenya's")),
          "what an upgrade costs, and whether it cuts trade costs by this much, are outside the "
          "model."),
      &part);
  return part;
}

// Every headline number in one table: statistical intervals and policy
// ranges in separate, differently named columns.
ReportTable HeadlineTable(const DemoRun& run) {
  const DemoScenario& a = ByKey(run, "A");
  const DemoScenario& b = ByKey(run, "B");
  const DemoScenario& c = ByKey(run, "C");
  const DemoScenario& d = ByKey(run, "D");
  ReportTable table;
  table.name = "headline";
  table.caption = "Headline numbers of the trade questions (A\u2013D)";
  table.columns = {{"Question", ValueKind::kText},
                   {"Result", ValueKind::kText},
                   {"Central (%)", ValueKind::kPercent, 2},
                   {"95% interval low (%)", ValueKind::kPercent, 2},
                   {"95% interval high (%)", ValueKind::kPercent, 2},
                   {"Policy range low (%)", ValueKind::kPercent, 2},
                   {"Policy range high (%)", ValueKind::kPercent, 2}};
  const double nan = NAN;
  auto policy = [&](const std::string& key, const std::string& result, const DemoScenario& item,
                    const std::function<double(const ScenarioOutcome&)>& value) {
    table.rows.push_back({key, result, value(item.outcome), nan, nan,
                          value(item.variants[0].outcome), value(item.variants[1].outcome)});
  };
  auto ken_exports = [](const ScenarioOutcome& o) { return FlowChange(o, "KEN", "JPN"); };
  auto ken_gdp = [](const ScenarioOutcome& o) { return RealGdp(o, "KEN"); };
  auto jpn_gdp = [](const ScenarioOutcome& o) { return RealGdp(o, "JPN"); };
  policy("A", "Kenya's exports to Japan", a, ken_exports);
  policy("A", "Kenya's real GDP", a, ken_gdp);
  policy("A", "Japan's real GDP", a, jpn_gdp);
  const GeGroupResult& group = Group(b.outcome);
  const bool boot = b.outcome.uncertainty.groups.lower.size() > 0;
  const auto [ken_low, ken_high] = Interval(b.outcome, "real_gdp_change_pct", "KEN");
  table.rows.push_back({std::string("B"), std::string("Intra-African share, before"),
                        100 * group.intra_share_before, nan, nan, nan, nan});
  table.rows.push_back({std::string("B"), std::string("Intra-African share, after"),
                        100 * group.intra_share_after,
                        boot ? 100 * b.outcome.uncertainty.groups.lower(0) : nan,
                        boot ? 100 * b.outcome.uncertainty.groups.upper(0) : nan, nan, nan});
  table.rows.push_back({std::string("B"), std::string("Kenya's real GDP"), ken_gdp(b.outcome),
                        ken_low, ken_high, nan, nan});
  table.rows.push_back({std::string("C"), std::string("Trade-cost cut for a 50% share"),
                        -c.outcome.goal->value, nan, nan, nan, nan});
  table.rows.push_back({std::string("C"), std::string("Kenya's real GDP at that cut"),
                        ken_gdp(c.outcome), nan, nan, nan, nan});
  policy("D", "Kenya's real GDP", d, ken_gdp);
  policy("D", "Kenya's exports", d, [](const ScenarioOutcome& o) {
    return o.ge.countries.exports_change_pct(CountryIndex(o.codes, "KEN"));
  });
  table.note =
      "95% interval: statistical uncertainty of the estimated agreement effect (pair "
      "bootstrap). Policy range: runs at an assumed low and high size of the policy (A: NTBs "
      "worth 5% and 20%; D: trade-cost cuts of 2% and 10%). Real GDP: factory-gate income "
      "deflated by the consumer price index.";
  return table;
}

// Kenya-Japan trade in every run of the trade questions.
ReportTable KenyaJapanTable(const DemoRun& run) {
  const DemoScenario& a = ByKey(run, "A");
  const std::string unit = FlowUnit(run);
  ReportTable pair;
  pair.name = "kenya_japan";
  pair.caption = fmt::format("Kenya\u2013Japan trade in each run ({}; % change)", unit);
  pair.columns = {{"Run", ValueKind::kText},
                  {"Kenya's exports to Japan after (" + unit + ")", ValueKind::kNumber, 2},
                  {"Kenya's exports to Japan, change (%)", ValueKind::kPercent, 2},
                  {"Japan's exports to Kenya after (" + unit + ")", ValueKind::kNumber, 2},
                  {"Japan's exports to Kenya, change (%)", ValueKind::kPercent, 2},
                  {"Kenya's balance with Japan after (" + unit + ")", ValueKind::kNumber, 2}};
  auto add_row = [&](const std::string& label, const ScenarioOutcome& outcome) {
    const int ken = CountryIndex(outcome.codes, "KEN"), jpn = CountryIndex(outcome.codes, "JPN");
    const Eigen::MatrixXd& after = outcome.ge.new_flows;
    pair.rows.push_back({label, after(ken, jpn), outcome.ge.flow_change_pct(ken, jpn),
                         after(jpn, ken), outcome.ge.flow_change_pct(jpn, ken),
                         after(ken, jpn) - after(jpn, ken)});
  };
  for (const DemoScenario& item : run.scenarios) {
    add_row(item.setting.empty() ? item.key : item.key + ": " + item.setting, item.outcome);
    for (const DemoVariant& variant : item.variants) {
      add_row(item.key + " " + variant.label + ": " + variant.setting, variant.outcome);
    }
  }
  const int ken = CountryIndex(a.outcome.codes, "KEN"), jpn = CountryIndex(a.outcome.codes, "JPN");
  const Eigen::MatrixXd& before = a.outcome.ge.baseline_flows;
  pair.note = fmt::format(
      "Before (baseline {}): Kenya exports {:.2f} and imports {:.2f} ({}) of manufactures to "
      "and from Japan, a balance of {:.2f}. Levels after the shock are in units of world output "
      "(held unchanged).",
      a.outcome.baseline_year.value_or(0), before(ken, jpn), before(jpn, ken), unit,
      before(ken, jpn) - before(jpn, ken));
  return pair;
}

ReportSection SetupSection(const DemoRun& run) {
  const DemoScenario& a = ByKey(run, "A");
  const DemoScenario& b = ByKey(run, "B");
  std::string african;
  for (int member : Group(b.outcome).members) {
    african += (african.empty() ? "" : ", ") + b.outcome.codes[member];
  }
  ReportSection setup{"Questions, data and model (trade questions A\u2013D)", {}};
  AssumptionList common;
  common.title = "Common to the trade questions";
  common.items = {
      {"Data", run.data_source},
      {"Baseline year", a.outcome.baseline_year ? std::to_string(*a.outcome.baseline_year) : "-"},
      {"Countries", std::to_string(a.outcome.codes.size())},
      {"African countries in the data (AFR)", african},
      {"Elasticity of substitution \u03c3",
       fmt::format("{:g} (trade elasticity \u03b8 = {:g}); every result is also solved at the "
                   "other \u03c3 values of the scenario's sensitivity grid",
                   a.outcome.theta + 1, a.outcome.theta)},
      {"General equilibrium",
       "full endowment economy, exact hat algebra (Dekle, Eaton & Kortum 2007); trade "
       "imbalances kept as a constant ratio of spending to output"},
      {"Japan's tariff on Kenyan manufactures",
       "2.47% applied MFN (JPN, 2006: MFN_TARIFF = 0.0247 in the Advanced Guide's "
       "Chapter1Exercise2); Kenya has no EPA with Japan and is not an LDC"},
      {"Japan's NTBs",
       "10% ad-valorem equivalent; policy range 5% to 20% (AVEs of non-tariff measures in the "
       "literature are commonly 5\u201320%)"},
      {"Kenya's port and logistics upgrade",
       "5% lower trade costs with all partners; policy range 2% to 10%"},
  };
  setup.blocks.emplace_back(common);
  setup.blocks.emplace_back(ReportParagraph{
      "How to read the numbers: every change compares the world of the baseline year with the "
      "same world after the policy, once prices, incomes and trade have adjusted everywhere "
      "(general equilibrium). They are long-run level effects, not growth rates, and they "
      "concern manufacturing trade only. Changes below 0.01% are shown in basis points "
      "(1 bp = 0.01%). A \"95% interval\" is statistical (bootstrap); a \"policy range\" "
      "repeats the run at an assumed low and high size of the policy."});
  return setup;
}

ReportSection MethodSection() {
  ReportSection method{"Method and reproduction", {}};
  method.blocks.emplace_back(ReportParagraph{
      "Trade model: one-sector structural gravity (Anderson & van Wincoop 2003; Yotov et al. "
      "2016). A policy changes bilateral trade costs; the model then finds the new factory-gate "
      "prices, incomes and consumer prices at which every market clears. Tariffs and NTB "
      "equivalents enter as ad-valorem wedges, b = \u2212\u03b8 ln((1 + t\u2032)/(1 + t)); "
      "trade-cost changes as b = \u2212\u03b8 ln(1 + c); agreements with the estimated "
      "coefficient."});
  method.blocks.emplace_back(ReportParagraph{
      "Reproduce: `mizani demo --data-dir ../shared/data/agtpa_yotov2016` runs everything; one "
      "trade question alone: `mizani simulate examples/ticad9/<file>.toml --data-dir "
      "../shared/data`; the financing, rating and product-line parts: `mizani debt "
      "examples/kenya_financing.toml`, `mizani rate explain examples/africa_ratings.toml "
      "--country KEN` and `mizani pe examples/kenya_japan_products.toml` (each with "
      "--data-dir ../shared/data). More bootstrap replications: `mizani demo --replications "
      "500`. Every table of this report is in the downloads as CSV and in report.xlsx."});
  return method;
}

ReportDocument NewDemoDocument(const DemoRun& run) {
  ReportDocument doc;
  doc.title = "TICAD 9: Kenya, Japan and Africa \u2014 trade, financing, ratings, products";
  doc.subtitle =
      "Seven questions of the TICAD 9 agenda: Japan opening to Kenyan goods, an African free "
      "trade area, what a 50% intra-African share would take, Kenya's ports, yen or dollar "
      "borrowing, Kenya's rating, and Kenyan product lines in Japan.";
  if (run.synthetic) doc.badge = kSyntheticLabel;
  doc.generated_at = ReportTimestamp();
  return doc;
}

}  // namespace

namespace demo_internal {

ReportDocument BuildDemoDocument(const DemoRun& run) {
  ReportDocument doc = NewDemoDocument(run);
  std::vector<QuestionPart> parts;
  parts.push_back(PartA(run));
  parts.push_back(PartB(run));
  parts.push_back(PartC(run));
  parts.push_back(PartD(run));
  parts.push_back(FinancingPart(run.financing));
  parts.push_back(RatingPart(run.rating));
  parts.push_back(ProductsPart(run.products));

  // One or two pages up front: a headline sentence and a chart per question.
  ReportSection summary{"Summary for the adviser", {}};
  summary.ends_page = true;  // printed on its own one or two pages (tests/demo_chromium.sh)
  if (run.synthetic) {
    summary.blocks.emplace_back(ReportParagraph{
        "These results use SYNTHETIC data built into the program so that it runs anywhere: the "
        "countries are real but every trade flow is invented. They show what the analysis "
        "looks like, not what would happen. Run `mizani demo --data-dir <Advanced Guide data>` "
        "for results on real data."});
  }
  for (QuestionPart& part : parts) {
    summary.blocks.emplace_back(ReportParagraph{part.headline});
    for (ReportBlock& block : part.summary_blocks) summary.blocks.push_back(std::move(block));
  }
  summary.blocks.emplace_back(ReportParagraph{
      "Full tables: the appendix, the CSV files and report.xlsx. 95% interval = statistical "
      "(bootstrap); policy range = the run repeated at an assumed low and high policy size; "
      "bp = basis point (0.01%)."});
  doc.sections.push_back(std::move(summary));
  doc.sections.push_back(SetupSection(run));

  ReportSection appendix{"Appendix: full tables", {}};
  appendix.blocks.emplace_back(HeadlineTable(run));
  appendix.blocks.emplace_back(KenyaJapanTable(run));
  std::string wide;
  for (QuestionPart& part : parts) {
    doc.sections.push_back(std::move(part.section));
    for (ReportBlock& block : part.appendix) {
      // Tables too wide for a page or a narrow window: downloads and workbook only.
      auto* table = std::get_if<ReportTable>(&block);
      if (table != nullptr && table->columns.size() > kMaxPageColumns) {
        wide += fmt::format("{}{}.csv ({})", wide.empty() ? "" : "; ", table->name, table->caption);
        doc.download_tables.push_back(std::move(*table));
        continue;
      }
      appendix.blocks.push_back(std::move(block));
    }
  }
  if (!wide.empty()) {
    appendix.blocks.emplace_back(ReportParagraph{
        "Too wide for a page, in the CSV files and report.xlsx only: " + wide + "."});
  }
  doc.sections.push_back(MethodSection());
  doc.sections.push_back(std::move(appendix));
  return doc;
}

}  // namespace demo_internal

ReportDocument BuildDemoReport(const DemoRun& run) { return demo_internal::BuildDemoDocument(run); }

void WriteDemoOutputs(const DemoRun& run, const std::string& folder) {
  WriteReport(BuildDemoReport(run), folder, "report");
}

}  // namespace mizani

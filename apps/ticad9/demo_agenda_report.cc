// The demo report's parts for the rest of the TICAD 9 agenda: the financing
// comparison (E), the rating model's view of Kenya (F) and the product lines
// (G). Each states its question, a headline, the answer, the uncertainty
// (named for what it is: simulated exchange-rate paths, back-test accuracy,
// elasticity ranges) and what the engine does not model.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ticad9/demo.h"
#include "ticad9/demo_internal.h"

namespace mizani::demo_internal {

namespace {

using rating::NotchLabel;

std::string Pct(double fraction) { return FormatShown(100 * fraction, ValueKind::kPercent, 2); }

// A part that did not run: its section says why, and so does the summary.
QuestionPart SkippedPart(const std::string& key, const std::string& title, const AgendaPart& part) {
  QuestionPart out;
  out.headline = fmt::format("{}. {}: {}", key, title, part.skipped);
  out.section.heading = key + ". " + title;
  out.section.blocks.emplace_back(ReportParagraph{part.skipped});
  return out;
}

// "ordered_model_needs" -> "Ordered model needs"; known names get units.
std::string Humanize(const std::string& name, const std::map<std::string, std::string>& known) {
  if (const auto found = known.find(name); found != known.end()) return found->second;
  std::string text = name;
  std::replace(text.begin(), text.end(), '_', ' ');
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

// An engine report's table for the appendix: prefixed name, human headers,
// years as plain text ("2024", not "2,024").
ReportTable HumanTable(ReportTable table, const std::string& prefix,
                       const std::map<std::string, std::string>& known) {
  table.name = prefix + "_" + table.name;
  for (ReportColumn& column : table.columns) {
    if (column.name == "year") column.kind = ValueKind::kText;
    column.name = Humanize(column.name, known);
  }
  return table;
}

// Every table of an engine's report, as HumanTable.
void AppendTables(const ReportDocument& doc, const std::string& prefix,
                  const std::map<std::string, std::string>& known, std::vector<ReportBlock>* out) {
  for (const ReportSection& section : doc.sections) {
    for (const ReportBlock& block : section.blocks) {
      if (const auto* table = std::get_if<ReportTable>(&block)) {
        out->emplace_back(HumanTable(*table, prefix, known));
      }
    }
  }
}

const ReportTable* FindTable(const ReportDocument& doc, const std::string& name) {
  for (const ReportSection& section : doc.sections) {
    for (const ReportBlock& block : section.blocks) {
      const auto* table = std::get_if<ReportTable>(&block);
      if (table != nullptr && table->name == name) return table;
    }
  }
  return nullptr;
}

// The number in `column` of `row`, NaN when absent or text.
double CellNumber(const ReportTable& table, const std::vector<ReportCell>& row,
                  const std::string& column) {
  for (size_t column_idx = 0; column_idx < table.columns.size(); ++column_idx) {
    if (table.columns[column_idx].name != column || column_idx >= row.size()) continue;
    if (const auto* value = std::get_if<double>(&row[column_idx])) return *value;
  }
  return NAN;
}

std::string CellString(const ReportTable& table, const std::vector<ReportCell>& row,
                       const std::string& column) {
  for (size_t column_idx = 0; column_idx < table.columns.size(); ++column_idx) {
    if (table.columns[column_idx].name != column || column_idx >= row.size()) continue;
    if (const auto* text = std::get_if<std::string>(&row[column_idx])) return *text;
  }
  return {};
}

const finance::InstrumentResult* FindInstrument(const finance::DebtOutcome& outcome,
                                                const std::string& name) {
  for (const finance::InstrumentResult& result : outcome.instruments) {
    if (result.instrument.name == name) return &result;
  }
  return nullptr;
}

// The debt engine's own tables (finance.h), with the columns and headers an
// adviser needs.
ReportTable InstrumentTable(const finance::DebtOutcome& outcome) {
  ReportTable table = SelectColumns(finance::DebtInstrumentTable(outcome), "e_instruments",
                                    {{"instrument", "Instrument"},
                                     {"currency", "Currency"},
                                     {"yield", "Yield (%)"},
                                     {"all-in (own currency)", "All-in cost in its currency (%)"},
                                     {"all-in KES mean", "All-in cost in KES, mean (%)"},
                                     {"all-in KES p05", "KES, 5th percentile of paths (%)"},
                                     {"all-in KES p95", "KES, 95th percentile of paths (%)"}});
  table.caption = "E. Instruments: yield and all-in cost (% a year)";
  table.note = fmt::format(
      "All-in cost: internal rate of return of the net proceeds against the debt service. In "
      "KES: along each of the simulated exchange-rate paths ({}).",
      outcome.fx_model);
  return table;
}

ReportTable StrategyTable(const finance::DebtOutcome& outcome) {
  ReportTable table = SelectColumns(finance::DebtFrontierTable(outcome), "e_strategies",
                                    {{"strategy", "Strategy"},
                                     {"interest/GDP, mean", "Interest/GDP, mean (%)"},
                                     {"interest/GDP, p95", "Interest/GDP, 95th percentile (%)"},
                                     {"debt/GDP mean", "Debt/GDP, mean (%)"},
                                     {"debt/GDP p95", "Debt/GDP, 95th percentile (%)"}});
  table.caption = "E. Borrowing strategies: cost and risk in the horizon year (% of GDP)";
  table.note = "Percentiles over the simulated exchange-rate paths (MTDS-style projection).";
  return table;
}

ReportTable StressTable(const finance::DebtOutcome& outcome) {
  ReportTable table =
      SelectColumns(finance::DebtStressTable(outcome), "e_stress_tests",
                    {{"strategy", "Strategy"},
                     {"test", "Test"},
                     {"max PV external/GDP", "PV of external debt/GDP (%)"},
                     {"max ext. service/revenue", "External debt service/revenue (%)"},
                     {"max PV public/GDP", "PV of public debt/GDP (%)"},
                     {"breach", "Threshold breached"},
                     {"first breach year", "First year breached"}});
  // Years as plain text ("2030", not "2,030"), none when never breached.
  table.columns.back().kind = ValueKind::kText;
  for (std::vector<ReportCell>& row : table.rows) {
    const double year = std::get<double>(row.back());
    row.back() = std::isnan(year) ? std::string() : fmt::format("{:.0f}", year);
  }
  table.caption = "E. LIC-DSF-style stress tests: highest ratio over the horizon (%)";
  return table;
}

BarChart FinancingChart(const finance::DebtOutcome& outcome) {
  BarChart chart;
  chart.title = "E. All-in cost a year, % (in the currency of issue, and in Kenyan shillings)";
  chart.kind = ValueKind::kPercent;
  chart.axis_label = "all-in cost, % a year";
  ChartSeries own{"Own currency", {}, {}, {}};
  ChartSeries kes{"KES, mean of paths", {}, {}, {}};
  for (const finance::InstrumentResult& result : outcome.instruments) {
    chart.categories.push_back(result.instrument.name + " (" + result.instrument.currency + ")");
    own.values.push_back(100 * result.analytics.all_in_cost);
    own.lower.push_back(NAN);
    own.upper.push_back(NAN);
    kes.values.push_back(100 * result.kes.mean);
    kes.lower.push_back(100 * result.kes.p05);
    kes.upper.push_back(100 * result.kes.p95);
  }
  chart.series = {std::move(own), std::move(kes)};
  chart.range_kind = RangeKind::kInterval;
  chart.range_label = "5th\u201395th percentile of simulated exchange-rate paths";
  chart.note =
      "Whiskers: 5th to 95th percentile of the cost in KES over the simulated exchange-rate "
      "paths (exchange-rate risk, not estimation error).";
  return chart;
}

// The back-test run with the demo (`rate evaluate`'s summary row for the
// fundamentals-only model), in words.
std::string BackTestText(const DemoRating& part) {
  const ReportTable* table = FindTable(part.evaluation.document, "backtest_summary");
  const std::vector<ReportCell>* row = nullptr;
  for (size_t row_idx = 0; table != nullptr && row_idx < table->rows.size(); ++row_idx) {
    if (CellString(*table, table->rows[row_idx], "model") == "fundamentals only") {
      row = &table->rows[row_idx];
    }
  }
  if (row == nullptr) return "The back-test gave no out-of-sample prediction.";
  return fmt::format(
      "Out of sample (computed in this run: for each year from {} on, the model is fitted on "
      "the years before and predicts that year; {:.0f} windows, {:.0f} skipped), it places {} of "
      "{}'s {:.0f} sovereign-years within one notch and {} exactly: read the indication as "
      "about \u00b11 notch.",
      part.config.first_test_year, CellNumber(*table, *row, "windows"),
      CellNumber(*table, *row, "windows_skipped"),
      FormatShown(CellNumber(*table, *row, "within_one_pct"), ValueKind::kPercent, 2),
      CellString(*table, *row, "agency"), CellNumber(*table, *row, "predictions"),
      FormatShown(CellNumber(*table, *row, "exact_pct"), ValueKind::kPercent, 2));
}

}  // namespace

AssumptionList NotModelledBox(std::vector<std::pair<std::string, std::string>> items) {
  return AssumptionList{"What this does not model", std::move(items)};
}

std::string FinancingHeadline(const DemoFinancing& part) {
  if (!part.ran) return "Yen or dollars: " + part.skipped;
  const finance::DebtOutcome& outcome = part.outcome;
  const auto* dollar = FindInstrument(outcome, outcome.scenario.dollar_instrument);
  const auto* yen = FindInstrument(outcome, outcome.scenario.yen_instrument);
  if (dollar == nullptr || yen == nullptr) return "Yen or dollars: no instruments to compare.";
  return fmt::format(
      "Borrowing in yen on guaranteed Samurai terms ({}) costs {} a year in yen but {} in "
      "shillings on average (5\u201395% of simulated exchange-rate paths: {} to {}), against {} "
      "({} to {}) for the dollar Eurobond; the yen stays cheaper in dollars unless it "
      "appreciates by more than {} a year.",
      yen->instrument.name, Pct(yen->analytics.all_in_cost), Pct(yen->kes.mean), Pct(yen->kes.p05),
      Pct(yen->kes.p95), Pct(dollar->kes.mean), Pct(dollar->kes.p05), Pct(dollar->kes.p95),
      Pct(outcome.break_even_appreciation));
}

QuestionPart FinancingPart(const DemoFinancing& part) {
  const std::string title = "Yen or dollars: financing Kenya's borrowing";
  if (!part.ran) return SkippedPart("E", title, part);
  const finance::DebtOutcome& outcome = part.outcome;
  QuestionPart out;
  out.headline = "E. " + FinancingHeadline(part);
  out.summary_blocks.emplace_back(FinancingChart(outcome));
  std::string strategies;
  for (const finance::StochasticSummary& strategy : outcome.stochastic) {
    strategies += fmt::format("{}{}: interest {} of GDP (95th percentile {})",
                              strategies.empty() ? "" : "; ", strategy.strategy,
                              FormatShown(strategy.interest_gdp_mean, ValueKind::kPercent, 2),
                              FormatShown(strategy.interest_gdp_p95, ValueKind::kPercent, 2));
  }
  int breaches = 0;
  for (const finance::StressResult& stress : outcome.stress) breaches += stress.breach ? 1 : 0;
  std::string goals;
  for (const finance::GoalResult& goal : outcome.goals) goals += " " + goal.message;
  out.section.heading = "E. " + title;
  out.section.blocks.emplace_back(ReportParagraph{
      "Question: should Kenya borrow in yen (a Samurai bond guaranteed by Japan, on terms like "
      "C\u00f4te d'Ivoire's and Egypt's) or in dollars (a Eurobond like its 2036 notes)? " +
      outcome.scenario.description});
  out.section.blocks.emplace_back(
      ReportParagraph{"Answer: " + FinancingHeadline(part) +
                      " In the horizon year, by strategy: " + strategies + "."});
  out.section.blocks.emplace_back(ReportParagraph{fmt::format(
      "Uncertainty: the cost in shillings depends on the exchange rates, simulated on {} paths "
      "({}); the ranges above are the 5th to 95th percentiles of those paths (exchange-rate "
      "risk), not statistical intervals of an estimate. {} of {} stress tests breach a LIC-DSF "
      "threshold.{}",
      outcome.instruments.empty() ? 0 : outcome.instruments.front().kes.draws.size(),
      outcome.fx_model, breaches, outcome.stress.size(), goals)});
  if (!outcome.notes.empty()) {
    std::string notes;
    for (const std::string& note : outcome.notes) notes += (notes.empty() ? "" : " ") + note;
    out.section.blocks.emplace_back(ReportParagraph{"Caveats: " + notes});
  }
  out.section.blocks.emplace_back(NotModelledBox({
      {"Default and market access", "spreads are fixed at issue; no rollover or refinancing risk."},
      {"Feedback to the economy",
       "growth, inflation and the budget follow the IMF WEO path whatever the borrowing choice."},
      {"The guarantee premium", "JBIC/NEXI premiums are not disclosed, so none is added."},
      {"Exports-based LIC-DSF tests and indicators",
       "not run here: the shared data have no export series (mizani debt computes them from an "
       "[exports] table)."},
      {"Exchange-rate regimes",
       "the simulation follows the 2005\u20132025 history; no devaluation beyond the stress "
       "tests."},
  }));
  out.appendix = {InstrumentTable(outcome), StrategyTable(outcome), StressTable(outcome)};
  return out;
}

std::string RatingHeadline(const DemoRating& part) {
  if (!part.ran) return "Kenya's rating: " + part.skipped;
  const ReportTable* path = FindTable(part.outcome.document, "path");
  if (path == nullptr || path->rows.empty()) return "Kenya's rating: the model gave no path.";
  const std::vector<ReportCell>& row = path->rows.back();
  auto label = [&](const std::string& column) {
    const double notch = CellNumber(*path, row, column);
    return std::isnan(notch) ? std::string("not rated") : NotchLabel(static_cast<int>(notch));
  };
  return fmt::format(
      "The rating model (ordered probit on IMF WEO fundamentals, fitted to S&P) indicates {} "
      "for Kenya in {} and the scorecard {}; the agencies rate it {} (S&P), {} (Moody's) and {} "
      "(Fitch).",
      label("ordered_model"), part.config.year, label("scorecard"), label("sp"), label("moodys"),
      label("fitch"));
}

QuestionPart RatingPart(const DemoRating& part) {
  const std::string title = "Kenya's sovereign rating: what the fundamentals say";
  if (!part.ran) return SkippedPart("F", title, part);
  const ReportDocument& doc = part.outcome.document;
  QuestionPart out;
  out.headline = "F. " + RatingHeadline(part);
  const ReportTable* path = FindTable(doc, "path");
  BarChart chart;
  chart.title = fmt::format("F. Kenya's rating in {}, in notches (21 = AAA, 12 = BBB-, 6 = B-)",
                            part.config.year);
  chart.axis_label = "notch";
  ChartSeries series{"Kenya", {}, {}, {}};
  for (const auto& [column, name] :
       std::vector<std::pair<std::string, std::string>>{{"ordered_model", "Ordered model"},
                                                        {"scorecard", "Scorecard"},
                                                        {"sp", "S&P"},
                                                        {"moodys", "Moody's"},
                                                        {"fitch", "Fitch"}}) {
    const double notch = path == nullptr ? NAN : CellNumber(*path, path->rows.back(), column);
    if (std::isnan(notch)) continue;
    chart.categories.push_back(name + " (" + NotchLabel(static_cast<int>(notch)) + ")");
    series.values.push_back(notch);
  }
  chart.series.push_back(std::move(series));
  out.summary_blocks.emplace_back(std::move(chart));

  std::string lift;
  if (const ReportTable* goal = FindTable(doc, "goal_seek")) {
    for (const std::vector<ReportCell>& row : goal->rows) {
      if (CellString(*goal, row, "indicator") != "GGXWDG_NGDP") continue;
      lift = fmt::format(
          " One notch up on the scorecard ({}) needs government debt at {:.1f}% of GDP, other "
          "things equal (now {:.1f}%); the ordered model needs {:.1f}%.",
          CellString(*goal, row, "scorecard_from"), CellNumber(*goal, row, "scorecard_needs"),
          CellNumber(*goal, row, "current"), CellNumber(*goal, row, "ordered_model_needs"));
    }
  }
  out.section.heading = "F. " + title;
  out.section.blocks.emplace_back(ReportParagraph{
      "Question: where do Kenya's public fundamentals (growth, debt, deficits, the current "
      "account, revenue) put its rating, next to the agencies' ratings?"});
  const std::string first_line = part.outcome.summary.substr(0, part.outcome.summary.find('\n'));
  out.section.blocks.emplace_back(ReportParagraph{"Answer: " + RatingHeadline(part) +
                                                  " Model output: " + first_line + "." + lift});
  out.section.blocks.emplace_back(ReportParagraph{
      "Uncertainty: the indicated rating is the median of the model's predicted distribution "
      "over notches; the expected notch above says where in that distribution Kenya sits. " +
      BackTestText(part)});
  out.section.blocks.emplace_back(NotModelledBox({
      {"Governance and politics",
       "the agencies weigh institutions, politics and sanctions; the WEO has no such series."},
      {"Default history, reserves and banking risk", "not in the indicators."},
      {"Timing", "the model rates year-end fundamentals; agencies act on news and outlooks."},
  }));
  if (const ReportTable* backtest = FindTable(part.evaluation.document, "backtest_summary")) {
    out.appendix.emplace_back(HumanTable(
        *backtest, "f",
        {{"agency", "Agency"},
         {"model", "Model"},
         {"windows", "Windows (years predicted)"},
         {"predictions", "Predictions (sovereign-years)"},
         {"exact_pct", "Exact, out of sample (%)"},
         {"within_one_pct", "Within one notch, out of sample (%)"},
         {"in_sample_exact_pct", "Exact, in sample (%)"},
         {"in_sample_within_one_pct", "Within one notch, in sample (%)"},
         {"no_change_within_one_pct", "Last year's rating carried forward, within one (%)"},
         {"enough_data", "Enough predictions"}}));
  }
  AppendTables(doc, "f",
               {{"ordered_model", "Ordered model (notch)"},
                {"scorecard", "Scorecard (notch)"},
                {"sp", "S&P (notch)"},
                {"moodys", "Moody's (notch)"},
                {"fitch", "Fitch (notch)"},
                {"year", "Year"},
                {"indicator", "Indicator (WEO code)"},
                {"current", "Current value"},
                {"ordered_model_from", "Ordered model: from \u2192 to"},
                {"ordered_model_needs", "Ordered model: value needed"},
                {"scorecard_from", "Scorecard: from \u2192 to"},
                {"scorecard_needs", "Scorecard: value needed"}},
               &out.appendix);
  return out;
}

std::string ProductsHeadline(const DemoProducts& part) {
  if (!part.ran) return "Product lines: " + part.skipped;
  const pe::PeRun& run = part.run;
  int simulated = 0;
  for (const pe::LineStatus& line : run.lines) simulated += line.status == "simulated" ? 1 : 0;
  std::string text;
  if (simulated > 0) {
    double total = 0;
    for (const pe::SmartLineResult& line : run.smart.lines) total += line.total;
    text = fmt::format(
        "On the {} of {} product lines that can be simulated, the policy changes "
        "imports by {} {}.",
        simulated, run.lines.size(), FormatShown(total, ValueKind::kNumber, 0),
        part.scenario.trade_unit);
  } else {
    text = fmt::format(
        "None of the {} product lines can be simulated yet: {} input rows still have cells to "
        "fill (Japan's imports by supplier or its tariffs are not in the shared data).",
        run.lines.size(), run.to_fill.size());
  }
  if (run.potential && part.scenario.market_access) {
    const pe::MarketAccessSpec& spec = *part.scenario.market_access;
    text += fmt::format(
        " A potential-trade estimate (PPML gravity, not a forecast) puts what a market like {} "
        "buys of {}'s HS {} at {} {} a year.",
        spec.target, spec.exporter, spec.product,
        FormatShown(run.potential->predicted, ValueKind::kNumber, 0), part.scenario.trade_unit);
  }
  return text;
}

QuestionPart ProductsPart(const DemoProducts& part) {
  const std::string title = "Kenyan product lines in Japan";
  if (!part.ran) return SkippedPart("G", title, part);
  QuestionPart out;
  out.headline = "G. " + ProductsHeadline(part);
  BarChart chart;
  chart.title = "G. Product lines by what the data allow (number of lines)";
  chart.axis_label = "lines";
  std::map<std::string, double> counts;
  for (const pe::LineStatus& line : part.run.lines) counts[line.status] += 1;
  ChartSeries series{"Lines", {}, {}, {}};
  for (const auto& [status, count] : counts) {
    chart.categories.push_back(status);
    series.values.push_back(count);
  }
  chart.series.push_back(std::move(series));
  chart.note = "Simulated: every input cell sourced or assumed. Not simulated: cells to fill.";
  out.summary_blocks.emplace_back(std::move(chart));
  out.section.heading = "G. " + title;
  out.section.blocks.emplace_back(ReportParagraph{
      "Question: what would Japan's tariff and NTB changes do for Kenya's tea, cut flowers, "
      "avocados, coffee and macadamia (" +
      part.scenario.title + ")?"});
  out.section.blocks.emplace_back(ReportParagraph{"Answer: " + ProductsHeadline(part)});
  out.section.blocks.emplace_back(ReportParagraph{
      "Uncertainty: SMART results carry an elasticity range (import-demand and substitution "
      "elasticities \u00d70.5 and \u00d71.5), an assumption, not a statistical interval; the "
      "potential-trade figure is one fitted value of a regression with a low pseudo-R\u00b2 and "
      "says what similar markets buy, not what a policy would bring."});
  out.section.blocks.emplace_back(NotModelledBox({
      {"Income effects and other products",
       "SMART is partial equilibrium, one product and one market at a time."},
      {"Phytosanitary rules, quotas and rules of origin",
       "only ad-valorem tariffs and NTB equivalents; a preference is assumed fully used."},
      {"Supply capacity", "lines Kenya does not sell to Japan today stay at zero in SMART."},
  }));
  AppendTables(pe::BuildPeReport(part.scenario, part.run), "g",
               {{"trade0", "Baseline imports (" + part.scenario.trade_unit + ")"},
                {"total", "Total effect (" + part.scenario.trade_unit + ")"}},
               &out.appendix);
  return out;
}

}  // namespace mizani::demo_internal

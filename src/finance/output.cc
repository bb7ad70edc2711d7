// Outputs of `mizani debt`: tables, results.json and the report (frontier,
// fan charts, cash-flow profiles), written all-or-nothing by WriteReport.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "mizani/error.h"
#include "mizani/finance.h"
#include "mizani/report.h"
#include "report/json_values.h"

namespace mizani::finance {

namespace {

using Json = nlohmann::ordered_json;

ReportColumn Text(const std::string& name) { return {name, ValueKind::kText, 0}; }
ReportColumn Num(const std::string& name, int decimals = 2) {
  return {name, ValueKind::kNumber, decimals};
}
ReportColumn Pct(const std::string& name, int decimals = 2) {
  return {name, ValueKind::kPercent, decimals};
}

const Projection* Find(const DebtOutcome& outcome, const std::string& strategy,
                       const std::string& shock) {
  for (const Projection& projection : outcome.projections) {
    if (projection.strategy == strategy && projection.shock == shock) return &projection;
  }
  return nullptr;
}

}  // namespace

ReportTable DebtInstrumentTable(const DebtOutcome& outcome) {
  ReportTable table{
      "instruments",
      "Instruments: yield and all-in cost (IRR of net proceeds against debt "
      "service), in the currency of issue and in KES and USD on the simulated paths",
      {Text("instrument"), Text("currency"), Num("face (m)", 0), Num("price", 3), Pct("coupon", 3),
       Pct("guarantee fee", 3), Pct("yield", 3), Num("Macaulay duration", 3),
       Num("average life", 2), Pct("all-in (own currency)", 3), Pct("all-in KES, parity path", 3),
       Pct("all-in KES mean", 3), Pct("all-in KES p05", 3), Pct("all-in KES p95", 3),
       Pct("all-in USD mean", 3), Pct("all-in USD p95", 3)},
      {},
      ""};
  for (const InstrumentResult& result : outcome.instruments) {
    const Instrument& instrument = result.instrument;
    table.rows.push_back(
        {instrument.name, instrument.currency, instrument.face, instrument.price,
         100 * instrument.coupon, 100 * instrument.guarantee_fee, 100 * result.analytics.yield,
         result.analytics.macaulay_duration, result.analytics.average_life,
         100 * result.analytics.all_in_cost, 100 * result.kes.deterministic, 100 * result.kes.mean,
         100 * result.kes.p05, 100 * result.kes.p95, 100 * result.usd.mean, 100 * result.usd.p95});
  }
  return table;
}

ReportTable DebtFrontierTable(const DebtOutcome& outcome) {
  ReportTable table{
      "frontier",
      "Cost-risk frontier: interest/GDP in the horizon year (cost) and its 95th "
      "percentile over the mean on the simulated paths (risk)",
      {Text("strategy"), Pct("cost: interest/GDP, deterministic", 3), Pct("interest/GDP, mean", 3),
       Pct("interest/GDP, p95", 3), Num("risk: p95 - mean (pp)", 3), Pct("debt/GDP mean", 2),
       Pct("debt/GDP p95", 2)},
      {},
      ""};
  for (const StochasticSummary& summary : outcome.stochastic) {
    const Projection* base = Find(outcome, summary.strategy, "baseline");
    table.rows.push_back({summary.strategy, base->rows.back().interest_gdp,
                          summary.interest_gdp_mean, summary.interest_gdp_p95,
                          summary.interest_gdp_p95 - summary.interest_gdp_mean,
                          summary.debt_gdp_mean, summary.debt_gdp_p95});
  }
  return table;
}

ReportTable DebtStressTable(const DebtOutcome& outcome) {
  const Thresholds& limits = outcome.thresholds;
  ReportTable table{
      "stress_tests",
      "LIC-DSF-style stress tests: the highest ratio over the horizon and breaches",
      {Text("strategy"), Text("test"), Pct("max PV external/GDP", 1),
       Pct("max ext. service/revenue", 1), Pct("max PV public/GDP", 1),
       Pct("max PV external/exports", 1), Pct("max ext. service/exports", 1), Text("breach"),
       Num("first breach year", 0)},
      {},
      fmt::format(
          "Thresholds ({} debt-carrying capacity, LIC-DSF 2018): PV of external debt/GDP {:g}%, "
          "PV of external debt/exports {:g}%, external debt service/exports {:g}%, external "
          "debt service/revenue {:g}%; benchmark PV of total public debt/GDP {:g}%. {}",
          outcome.scenario.capacity == CarryingCapacity::kWeak     ? "weak"
          : outcome.scenario.capacity == CarryingCapacity::kMedium ? "medium"
                                                                   : "strong",
          limits.pv_external_gdp, limits.pv_external_exports, limits.external_service_exports,
          limits.external_service_revenue, limits.pv_public_gdp,
          outcome.scenario.exports
              ? "Exports from the scenario's [exports] table."
              : "Export-based indicators are not computed: the scenario has no [exports] "
                "table (the shared data have no export series).")};
  for (const StressResult& result : outcome.stress) {
    table.rows.push_back(
        {result.strategy, result.test, result.max_pv_external_gdp, result.max_service_revenue,
         result.max_pv_public_gdp, result.max_pv_external_exports, result.max_service_exports,
         std::string(result.breach ? "yes" : "no"),
         result.first_breach_year > 0 ? static_cast<double>(result.first_breach_year)
                                      : std::nan("")});
  }
  return table;
}

namespace {

ReportTable CashFlowTable(const DebtOutcome& outcome) {
  ReportTable table{
      "cash_flows",
      "Cash flows of each instrument (currency of issue, millions)",
      {Text("instrument"), Text("date"), Num("years", 3), Num("interest", 4), Num("principal", 4),
       Num("guarantee", 4), Num("total", 4), Num("outstanding", 4)},
      {},
      ""};
  for (const InstrumentResult& result : outcome.instruments) {
    for (const CashFlow& flow : result.analytics.flows) {
      table.rows.push_back({result.instrument.name, FormatDate(flow.date), flow.time, flow.interest,
                            flow.principal, flow.guarantee, flow.Total(), flow.outstanding});
    }
  }
  return table;
}

ReportTable StrategyTable(const DebtOutcome& outcome) {
  ReportTable table{
      "strategies", "Borrowing strategies: shares of gross borrowing by source", {}, {}, ""};
  table.columns.push_back(Text("strategy"));
  for (const FundingSource& source : outcome.scenario.sources) {
    table.columns.push_back(Pct(source.name, 1));
  }
  for (const Strategy& strategy : outcome.scenario.strategies) {
    std::vector<ReportCell> row{strategy.name};
    for (double share : strategy.shares) row.emplace_back(100 * share);
    table.rows.push_back(std::move(row));
  }
  return table;
}

ReportTable ProjectionTable(const DebtOutcome& outcome, bool all_shocks) {
  ReportTable table{all_shocks ? "projections" : "baseline",
                    all_shocks
                        ? "Projections under every strategy and shock (KES bn; ratios in percent)"
                        : "Baseline projection: cost and risk indicators (MTDS)",
                    {Text("strategy"),
                     Text("shock"),
                     Num("year", 0),
                     Num("GDP", 0),
                     Num("gross financing need", 1),
                     Num("interest", 1),
                     Num("amortisation", 1),
                     Num("debt", 0),
                     Pct("debt/GDP", 1),
                     Pct("interest/GDP", 2),
                     Pct("interest/revenue", 1),
                     Pct("weighted avg rate", 2),
                     Num("ATM (years)", 2),
                     Num("ATR (years)", 2),
                     Pct("FX share", 1),
                     Pct("maturing in 1y", 1),
                     Pct("refixing in 1y", 1),
                     Pct("PV external/GDP", 1),
                     Pct("ext. service/revenue", 1),
                     Pct("PV public/GDP", 1),
                     Num("exports (KES bn)", 1),
                     Pct("PV external/exports", 1),
                     Pct("ext. service/exports", 1)},
                    {},
                    "ATM and ATR at the end of each year; PV at the LIC-DSF 5% discount rate."};
  for (const Projection& projection : outcome.projections) {
    if (!all_shocks && projection.shock != "baseline") continue;
    for (const YearRow& row : projection.rows) {
      table.rows.push_back({projection.strategy,
                            projection.shock,
                            static_cast<double>(row.year),
                            row.gdp,
                            row.gross_financing_need,
                            row.interest,
                            row.amortisation,
                            row.debt,
                            row.debt_gdp,
                            row.interest_gdp,
                            row.interest_revenue,
                            row.weighted_rate,
                            row.atm,
                            row.atr,
                            row.fx_share,
                            row.maturing_1y,
                            row.refixing_1y,
                            row.pv_external_gdp,
                            row.external_service_revenue,
                            row.pv_public_gdp,
                            row.exports,
                            row.pv_external_exports,
                            row.external_service_exports});
    }
  }
  return table;
}

ReportTable DynamicsTable(const DebtOutcome& outcome) {
  ReportTable table{"debt_dynamics",
                    "Public debt dynamics, baseline (percentage points of GDP; the parts sum to "
                    "the change)",
                    {Text("strategy"), Num("year", 0), Num("change in debt/GDP", 3),
                     Num("interest", 3), Num("real growth", 3), Num("inflation", 3),
                     Num("exchange rate", 3), Num("primary deficit", 3), Num("residual", 6)},
                    {},
                    ""};
  for (const Projection& projection : outcome.projections) {
    if (projection.shock != "baseline") continue;
    for (const YearRow& row : projection.rows) {
      table.rows.push_back({projection.strategy, static_cast<double>(row.year), row.d_change,
                            row.d_interest, row.d_growth, row.d_inflation, row.d_exchange,
                            row.d_primary, row.d_residual});
    }
  }
  return table;
}

ReportTable ShockTable(const DebtOutcome& outcome) {
  ReportTable table{"cost_at_risk",
                    "Cost-at-risk: interest/GDP and debt/GDP in the horizon year under the MTDS "
                    "standard shocks and the stochastic model",
                    {Text("strategy"), Text("shock"), Pct("interest/GDP", 2),
                     Num("increase over baseline (pp)", 2), Pct("debt/GDP", 1),
                     Num("increase over baseline (pp) ", 2)},
                    {},
                    ""};
  for (const Strategy& strategy : outcome.scenario.strategies) {
    const Projection* base = Find(outcome, strategy.name, "baseline");
    for (const Projection& projection : outcome.projections) {
      if (projection.strategy != strategy.name || projection.shock.rfind("LIC", 0) == 0) continue;
      const YearRow& last = projection.rows.back();
      table.rows.push_back({strategy.name, projection.shock, last.interest_gdp,
                            last.interest_gdp - base->rows.back().interest_gdp, last.debt_gdp,
                            last.debt_gdp - base->rows.back().debt_gdp});
    }
  }
  return table;
}

ReportTable GoalTable(const DebtOutcome& outcome) {
  ReportTable table{"goals",
                    "Goal seeking",
                    {Text("goal"), Text("reached"), Num("value", 5), Text("message")},
                    {},
                    ""};
  for (const GoalResult& goal : outcome.goals) {
    table.rows.push_back(
        {goal.name, std::string(goal.reached ? "yes" : "no"), goal.value, goal.message});
  }
  return table;
}

ReportSection AssumptionsSection(const DebtOutcome& outcome) {
  const DebtScenario& scenario = outcome.scenario;
  ReportSection setup{"Assumptions", {}};
  AssumptionList list;
  list.items = {
      {"Scenario file", scenario.file},
      {"Country (WEO)", scenario.country},
      {"Projection",
       fmt::format("{}-{}", scenario.first_year, scenario.first_year + scenario.horizon_years - 1)},
      {"Exchange-rate model", outcome.fx_model},
      {"Paths, seed", fmt::format("{}, {}", scenario.fx.paths, scenario.fx.seed)},
      {"Bond analytics", "QuantLib 1.29 (AmortizingFixedRateBond, BondFunctions, CashFlows)"}};
  for (const auto& [code, rate] : outcome.spot) {
    list.items.emplace_back(fmt::format("Spot {} per USD", code), fmt::format("{:.4f}", rate));
  }
  for (const auto& [code, rate] : scenario.interest_rates) {
    list.items.emplace_back(fmt::format("Interest rate {}", code),
                            fmt::format("{:.3f}%", 100 * rate));
  }
  setup.blocks.emplace_back(list);
  for (const std::string& note : outcome.notes) setup.blocks.emplace_back(ReportParagraph{note});

  return setup;
}

// All-in cost in KES: mean and 5th-95th percentile, by instrument.
BarChart CostChart(const DebtOutcome& outcome) {
  BarChart chart;
  chart.title = "All-in cost in KES: mean and 5th-95th percentile";
  chart.kind = ValueKind::kPercent;
  chart.axis_label = "all-in cost in KES, % a year";
  ChartSeries series{"mean", {}, {}, {}};
  for (const InstrumentResult& result : outcome.instruments) {
    chart.categories.push_back(result.instrument.name);
    series.values.push_back(100 * result.kes.mean);
    series.lower.push_back(100 * result.kes.p05);
    series.upper.push_back(100 * result.kes.p95);
  }
  chart.series.push_back(std::move(series));
  return chart;
}

LineChart ServiceFanChart(const DebtOutcome& outcome) {
  LineChart fan;
  fan.title = "Fan chart: yearly debt service in KES per 100 KES raised (median, 5-95%)";
  fan.x_label = "year since issue";
  fan.y_label = "KES per 100 raised";
  for (const InstrumentResult& result : outcome.instruments) {
    LineSeries series;
    series.name = result.instrument.name;
    for (size_t year_idx = 0; year_idx < result.service_p50.size(); ++year_idx) {
      series.x.push_back(static_cast<double>(year_idx + 1));
    }
    series.y = result.service_p50;
    series.lower = result.service_p05;
    series.upper = result.service_p95;
    fan.series.push_back(std::move(series));
  }
  return fan;
}

LineChart CashFlowChart(const DebtOutcome& outcome) {
  LineChart flows;
  flows.title = "Cash-flow profiles: debt service per 100 of face, currency of issue";
  flows.x_label = "year";
  flows.y_label = "debt service per 100 face";
  for (const InstrumentResult& result : outcome.instruments) {
    LineSeries series;
    series.name = result.instrument.name;
    std::map<int, double> by_year;
    for (const CashFlow& flow : result.analytics.flows) {
      by_year[flow.date.year] += 100 * flow.Total() / result.instrument.face;
    }
    for (const auto& [year, amount] : by_year) {
      series.x.push_back(year);
      series.y.push_back(amount);
    }
    flows.series.push_back(std::move(series));
  }
  return flows;
}

LineChart FrontierChart(const DebtOutcome& outcome) {
  LineChart frontier;
  frontier.title = "Cost-risk frontier (horizon year)";
  frontier.points = true;
  frontier.x_kind = ValueKind::kNumber;
  frontier.x_label = "risk: p95 - mean of interest/GDP (percentage points)";
  frontier.y_label = "cost: expected interest/GDP";
  frontier.kind = ValueKind::kPercent;
  LineSeries series;
  series.name = "strategies";
  for (const StochasticSummary& summary : outcome.stochastic) {
    series.x.push_back(summary.interest_gdp_p95 - summary.interest_gdp_mean);
    series.y.push_back(summary.interest_gdp_mean);
    series.labels.push_back(summary.strategy);
  }
  frontier.series.push_back(std::move(series));
  return frontier;
}

LineChart DebtFanChart(const DebtOutcome& outcome) {
  const DebtScenario& scenario = outcome.scenario;
  LineChart fan;
  fan.title = "Fan chart: debt/GDP on the simulated exchange-rate paths (median, 5-95%)";
  fan.x_label = "year";
  fan.y_label = "debt/GDP";
  fan.kind = ValueKind::kPercent;
  for (const StochasticSummary& summary : outcome.stochastic) {
    LineSeries series;
    series.name = summary.strategy;
    for (int year_idx = 0; year_idx < static_cast<int>(summary.fan_p50.size()); ++year_idx) {
      series.x.push_back(scenario.first_year + year_idx);
    }
    series.y = summary.fan_p50;
    series.lower = summary.fan_p05;
    series.upper = summary.fan_p95;
    fan.series.push_back(std::move(series));
  }
  return fan;
}

ReportDocument BuildReport(const DebtOutcome& outcome) {
  const DebtScenario& scenario = outcome.scenario;
  ReportDocument doc;
  doc.title = scenario.name.empty() ? "Financing: cost, risk and sustainability" : scenario.name;
  doc.subtitle = scenario.description;
  doc.generated_at = ReportTimestamp();

  doc.sections.push_back(AssumptionsSection(outcome));

  ReportSection instruments{"Yen or dollars: the instruments", {}};
  if (!scenario.dollar_instrument.empty()) {
    instruments.blocks.emplace_back(ReportParagraph{fmt::format(
        "Break-even yen appreciation against the dollar: {:.3f}% a year (the yen bond's USD "
        "all-in cost equals the dollar bond's). For comparison (1 + all-in USD)/(1 + all-in JPY) "
        "- 1 = {:.3f}%; the two agree exactly for bullet bonds without fees.",
        100 * outcome.break_even_appreciation, 100 * outcome.break_even_closed_form)});
  }
  instruments.blocks.emplace_back(DebtInstrumentTable(outcome));
  instruments.blocks.emplace_back(CostChart(outcome));
  instruments.blocks.emplace_back(ServiceFanChart(outcome));
  instruments.blocks.emplace_back(CashFlowChart(outcome));
  instruments.blocks.emplace_back(CashFlowTable(outcome));
  doc.sections.push_back(std::move(instruments));

  ReportSection strategies{"Strategies: cost and risk (MTDS)", {}};
  strategies.blocks.emplace_back(StrategyTable(outcome));
  strategies.blocks.emplace_back(FrontierChart(outcome));
  strategies.blocks.emplace_back(DebtFrontierTable(outcome));
  strategies.blocks.emplace_back(DebtFanChart(outcome));
  strategies.blocks.emplace_back(ShockTable(outcome));
  strategies.blocks.emplace_back(ProjectionTable(outcome, false));
  doc.sections.push_back(std::move(strategies));

  ReportSection sustainability{"Sustainability (LIC-DSF)", {}};
  sustainability.blocks.emplace_back(DebtStressTable(outcome));
  sustainability.blocks.emplace_back(DynamicsTable(outcome));
  doc.sections.push_back(std::move(sustainability));

  ReportSection goals{"Goal seeking", {}};
  for (const GoalResult& goal : outcome.goals)
    goals.blocks.emplace_back(ReportParagraph{goal.message});
  goals.blocks.emplace_back(GoalTable(outcome));
  doc.sections.push_back(std::move(goals));

  ReportSection details{"Details", {}};
  details.blocks.emplace_back(ProjectionTable(outcome, true));
  doc.sections.push_back(std::move(details));
  return doc;
}

Json Distribution(const CostDistribution& cost) {
  return Json{{"mean", cost.mean},
              {"p05", cost.p05},
              {"p50", cost.p50},
              {"p95", cost.p95},
              {"deterministic", cost.deterministic}};
}

Json ResultsJson(const DebtOutcome& outcome) {
  Json doc;
  doc["scenario"] = {{"file", outcome.scenario.file},
                     {"name", outcome.scenario.name},
                     {"country", outcome.scenario.country},
                     {"first_year", outcome.scenario.first_year},
                     {"horizon_years", outcome.scenario.horizon_years},
                     {"paths", outcome.scenario.fx.paths},
                     {"seed", outcome.scenario.fx.seed}};
  doc["fx_model"] = outcome.fx_model;
  doc["spot_per_usd"] = outcome.spot;
  Json instruments = Json::array();
  for (const InstrumentResult& result : outcome.instruments) {
    instruments.push_back({{"name", result.instrument.name},
                           {"currency", result.instrument.currency},
                           {"yield", result.analytics.yield},
                           {"macaulay_duration", result.analytics.macaulay_duration},
                           {"modified_duration", result.analytics.modified_duration},
                           {"average_life", result.analytics.average_life},
                           {"all_in_cost", result.analytics.all_in_cost},
                           {"principal_repaid", result.analytics.principal_repaid},
                           {"all_in_kes", Distribution(result.kes)},
                           {"all_in_usd", Distribution(result.usd)}});
  }
  doc["instruments"] = instruments;
  doc["break_even_appreciation"] = outcome.break_even_appreciation;
  doc["break_even_closed_form"] = outcome.break_even_closed_form;
  doc["register"] = {{"lines", outcome.register_load.lines},
                     {"loans_used", outcome.register_load.loans.size()},
                     {"total_usd_million", outcome.register_load.total_usd},
                     {"skipped_lines_by_currency", outcome.register_load.skipped_by_currency}};
  doc["start_kes_bn"] = {{"external", outcome.external_start_kes},
                         {"domestic", outcome.domestic_start_kes}};
  Json projections = Json::array();
  for (const Projection& projection : outcome.projections) {
    Json rows = Json::array();
    for (const YearRow& row : projection.rows) {
      rows.push_back({{"year", row.year},
                      {"debt_gdp", row.debt_gdp},
                      {"interest_gdp", row.interest_gdp},
                      {"interest_revenue", row.interest_revenue},
                      {"weighted_rate", row.weighted_rate},
                      {"atm", row.atm},
                      {"atr", row.atr},
                      {"fx_share", row.fx_share},
                      {"maturing_1y", row.maturing_1y},
                      {"pv_external_gdp", row.pv_external_gdp},
                      {"external_service_revenue", row.external_service_revenue},
                      {"pv_public_gdp", row.pv_public_gdp},
                      {"exports_kes_bn", JsonNumber<Json>(row.exports)},
                      {"pv_external_exports", JsonNumber<Json>(row.pv_external_exports)},
                      {"external_service_exports", JsonNumber<Json>(row.external_service_exports)},
                      {"gross_financing_need", row.gross_financing_need},
                      {"dynamics",
                       {{"change", row.d_change},
                        {"interest", row.d_interest},
                        {"real_growth", row.d_growth},
                        {"inflation", row.d_inflation},
                        {"exchange_rate", row.d_exchange},
                        {"primary_deficit", row.d_primary},
                        {"residual", row.d_residual}}}});
    }
    projections.push_back(
        {{"strategy", projection.strategy}, {"shock", projection.shock}, {"rows", rows}});
  }
  doc["projections"] = projections;
  Json stochastic = Json::array();
  for (const StochasticSummary& summary : outcome.stochastic) {
    stochastic.push_back({{"strategy", summary.strategy},
                          {"interest_gdp_mean", summary.interest_gdp_mean},
                          {"interest_gdp_p95", summary.interest_gdp_p95},
                          {"debt_gdp_mean", summary.debt_gdp_mean},
                          {"debt_gdp_p05", summary.debt_gdp_p05},
                          {"debt_gdp_p50", summary.debt_gdp_p50},
                          {"debt_gdp_p95", summary.debt_gdp_p95}});
  }
  doc["stochastic"] = stochastic;
  Json stress = Json::array();
  for (const StressResult& result : outcome.stress) {
    stress.push_back(
        {{"strategy", result.strategy},
         {"test", result.test},
         {"max_pv_external_gdp", result.max_pv_external_gdp},
         {"max_external_service_revenue", result.max_service_revenue},
         {"max_pv_public_gdp", result.max_pv_public_gdp},
         {"max_pv_external_exports", JsonNumber<Json>(result.max_pv_external_exports)},
         {"max_external_service_exports", JsonNumber<Json>(result.max_service_exports)},
         {"breach", result.breach},
         {"first_breach_year", result.first_breach_year}});
  }
  doc["stress_tests"] = stress;
  doc["thresholds"] = {{"pv_external_gdp", outcome.thresholds.pv_external_gdp},
                       {"pv_external_exports", outcome.thresholds.pv_external_exports},
                       {"external_service_exports", outcome.thresholds.external_service_exports},
                       {"external_service_revenue", outcome.thresholds.external_service_revenue},
                       {"pv_public_gdp", outcome.thresholds.pv_public_gdp}};
  Json goals = Json::array();
  for (const GoalResult& goal : outcome.goals) {
    goals.push_back({{"name", goal.name},
                     {"reached", goal.reached},
                     {"value", JsonNumber<Json>(goal.value)},
                     {"target", goal.target},
                     {"message", goal.message}});
  }
  doc["goals"] = goals;
  AddRunRecord(doc, outcome.notes, outcome.seconds);
  return doc;
}

}  // namespace

void WriteDebtOutputs(const DebtOutcome& outcome, const std::string& folder) {
  WriteReport(BuildReport(outcome), folder, "report", {{"results.json", DebtResultsJson(outcome)}});
}

ReportDocument BuildDebtReport(const DebtOutcome& outcome) { return BuildReport(outcome); }

std::string DebtResultsJson(const DebtOutcome& outcome) {
  return JsonFileText(ResultsJson(outcome));
}

std::string SummarizeDebt(const DebtOutcome& outcome) {
  std::string text =
      fmt::format("Financing scenario {}: {} paths, {} strategies\n",
                  outcome.scenario.name.empty() ? outcome.scenario.file : outcome.scenario.name,
                  outcome.scenario.fx.paths, outcome.scenario.strategies.size());
  for (const InstrumentResult& result : outcome.instruments) {
    text += fmt::format(
        "  {} ({}): yield {:.3f}%, all-in {:.3f}%; in KES mean {:.3f}%, p95 {:.3f}%\n",
        result.instrument.name, result.instrument.currency, 100 * result.analytics.yield,
        100 * result.analytics.all_in_cost, 100 * result.kes.mean, 100 * result.kes.p95);
  }
  if (!outcome.scenario.dollar_instrument.empty()) {
    text += fmt::format("  break-even yen appreciation: {:.3f}% a year\n",
                        100 * outcome.break_even_appreciation);
  }
  for (const StochasticSummary& summary : outcome.stochastic) {
    text += fmt::format(
        "  strategy {}: interest/GDP {:.2f}% (p95 {:.2f}%), debt/GDP {:.1f}% (p95 {:.1f}%)\n",
        summary.strategy, summary.interest_gdp_mean, summary.interest_gdp_p95,
        summary.debt_gdp_mean, summary.debt_gdp_p95);
  }
  for (const GoalResult& goal : outcome.goals) text += "  goal: " + goal.message + "\n";
  return text;
}

}  // namespace mizani::finance

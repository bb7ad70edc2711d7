// The `mizani pe` report: one document rendered to HTML, Markdown, JSON and a
// CSV per table by the shared report writer (include/mizani/report.h).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "mizani/pe_scenario.h"

namespace mizani::pe {

namespace {

std::string Describe(const Elasticity& e) {
  const std::string value = std::isinf(e.value) ? "inf" : fmt::format("{:.4g}", e.value);
  return fmt::format("{} ({}: {})", value, ToString(e.source), e.detail);
}

ReportColumn Num(const char* name, int decimals = 2) {
  return {name, ValueKind::kNumber, decimals};
}
ReportColumn Pct(const char* name) { return {name, ValueKind::kPercent, 2}; }
ReportColumn Txt(const char* name) { return {name, ValueKind::kText, 0}; }

void AddInputSection(const PeScenario& scenario, const PeRun& run, ReportDocument& doc) {
  ReportSection section;
  section.heading = "Inputs and assumptions";
  AssumptionList list;
  list.items.emplace_back("Model", scenario.model == PeModel::kSmart
                                       ? "SMART (single market, WITS definitions)"
                                       : "GSIM (several markets, world prices solved)");
  if (scenario.model == PeModel::kGsim) {
    list.items.emplace_back(
        "GSIM solution",
        scenario.gsim.solution == GsimSolution::kLinearised
            ? "linearised: Francois and Hall's percent-change system and welfare formulas, as "
              "GSIM publishes its tables (first-order; large shocks differ from levels)"
            : "levels: the model solved exactly in levels by Newton's method");
  }
  list.items.emplace_back("Trade values", scenario.trade_unit + ", at world prices (= quantities)");
  list.items.emplace_back(
      "Import demand elasticity",
      scenario.import_demand_set
          ? fmt::format("{} (user; no WITS default exists)", scenario.import_demand)
          : "per product");
  std::string sub;
  if (scenario.substitution.value) {
    sub = fmt::format("{} (user)", *scenario.substitution.value);
  } else {
    for (const ElasticitySource source : scenario.substitution.sources) {
      sub += (sub.empty() ? "" : ", then ") + std::string(ToString(source));
    }
  }
  list.items.emplace_back("Substitution elasticity", sub);
  list.items.emplace_back("Export supply elasticity",
                          std::isinf(scenario.export_supply)
                              ? std::string("infinite")
                              : fmt::format("{} ({})", scenario.export_supply,
                                            ToString(scenario.export_supply_source)));
  list.items.emplace_back(
      "Sensitivity range",
      fmt::format("import-demand and substitution elasticities x {} and x {}",
                  scenario.smart.sensitivity_low, scenario.smart.sensitivity_high));
  for (const std::string& file : scenario.input_files) list.items.emplace_back("Input", file);
  for (const PolicyChange& change : scenario.changes) {
    std::string what;
    if (change.tariff) what += fmt::format("tariff -> {:.2f}%", *change.tariff * 100);
    if (change.tariff_cut) what += fmt::format("tariff cut by {:.0f}%", *change.tariff_cut * 100);
    if (change.ntb)
      what += fmt::format("{}NTB AVE -> {:.2f}%", what.empty() ? "" : ", ", *change.ntb * 100);
    std::string partners = "all partners (MFN)";
    if (!change.partners.empty()) partners = fmt::format("{}", fmt::join(change.partners, " "));
    std::string products = "all products";
    if (!change.products.empty()) products = fmt::format("{}", fmt::join(change.products, " "));
    list.items.emplace_back(change.label.empty() ? "Change" : change.label,
                            fmt::format("{} for {} on {}", what, partners, products));
  }
  list.title = "Scenario";
  section.blocks.emplace_back(list);
  ReportTable status{
      "lines_status",
      "Status of every line",
      {Txt("reporter"), Txt("product"), Txt("description"), Txt("status"), Txt("detail")},
      {},
      ""};
  for (const LineStatus& line : run.lines) {
    status.rows.push_back(
        {line.reporter, line.product, line.description, line.status, line.detail});
  }
  section.blocks.emplace_back(status);
  ReportTable fill{"cells_to_fill",
                   "Input cells still to fill (rows left out of the simulation)",
                   {Txt("origin"), Txt("reporter"), Txt("partner"), Txt("product"),
                    Txt("trade_value"), Txt("tariff"), Txt("trade_source"), Txt("tariff_source")},
                   {},
                   "A row is simulated only when its trade value and tariff are both sourced "
                   "(or assumed); fill the cells and run again."};
  for (const InputRow& row : run.to_fill) {
    fill.rows.push_back({row.origin, row.reporter, row.partner, row.product,
                         std::string(ToString(row.trade_status)),
                         std::string(ToString(row.tariff_status)), row.trade_source,
                         row.tariff_source});
  }
  section.blocks.emplace_back(fill);
  ReportTable rates{"tariff_sources",
                    "Tariffs read from the tariff schedule, and from which level",
                    {Txt("reporter"), Txt("partner"), Txt("product"), Pct("tariff"), Txt("status"),
                     Txt("level"), Txt("source")},
                    {},
                    "level: HS6, national lines averaged to HS6, HS4 or HS2 rate inherited by "
                    "the HS6 line, or an HS version concordance step; rows absent here took "
                    "their tariff from the input table."};
  for (const InputRow& row : scenario.rows) {
    if (row.tariff_level.empty()) continue;
    rates.rows.push_back(
        {row.reporter, row.partner, row.product,
         row.tariff_status == CellStatus::kToFill ? std::nan("") : row.tariff * 100,
         std::string(ToString(row.tariff_status)), row.tariff_level, row.tariff_source});
  }
  if (!rates.rows.empty()) section.blocks.emplace_back(rates);
  doc.sections.push_back(std::move(section));
}

void AddSmartSections(const PeScenario& scenario, const PeRun& run, ReportDocument& doc) {
  ReportSection lines_section;
  lines_section.heading = "SMART results by line";
  ReportTable lines{
      "smart_lines",
      "Effects by line (" + scenario.trade_unit + ")",
      {Txt("market"), Txt("product"), Txt("description"), Num("trade0"), Num("creation"),
       Num("diversion"), Num("price_effect"), Num("total"), Num("total_low"), Num("total_high"),
       Num("revenue0"), Num("revenue1"), Num("consumer_surplus"), Num("welfare"),
       Txt("import_demand"), Txt("substitution"), Txt("export_supply")},
      {},
      "total = creation + diversion + price effect; total_low/high: sensitivity "
      "range; welfare = consumer surplus + tariff revenue change."};
  double trade0 = 0;
  double creation = 0;
  double diversion = 0;
  double price = 0;
  double total = 0;
  double revenue0 = 0;
  double revenue1 = 0;
  double cs = 0;
  for (const SmartLineResult& line : run.smart.lines) {
    lines.rows.push_back({line.market, line.product, line.description, line.trade0, line.creation,
                          line.diversion, line.price_effect, line.total, line.total_low,
                          line.total_high, line.revenue0, line.revenue1, line.consumer_surplus,
                          line.welfare, Describe(line.import_demand), Describe(line.substitution),
                          Describe(line.export_supply)});
    trade0 += line.trade0;
    creation += line.creation;
    diversion += line.diversion;
    price += line.price_effect;
    total += line.total;
    revenue0 += line.revenue0;
    revenue1 += line.revenue1;
    cs += line.consumer_surplus;
  }
  lines.rows.push_back({std::string("all"), std::string("total"), std::string(""), trade0, creation,
                        diversion, price, total, std::nan(""), std::nan(""), revenue0, revenue1, cs,
                        cs + revenue1 - revenue0, std::string(""), std::string(""),
                        std::string("")});
  lines_section.blocks.emplace_back(lines);
  ReportTable flows{"smart_flows",
                    "Effects by line and partner (" + scenario.trade_unit + ")",
                    {Txt("market"), Txt("product"), Txt("partner"), Num("trade0"), Pct("tariff0"),
                     Pct("tariff1"), Pct("ntb0"), Pct("ntb1"), Num("creation"), Num("diversion"),
                     Num("price_effect"), Num("total"), Num("trade1"), Num("revenue0"),
                     Num("revenue1"), Num("consumer_surplus"), Txt("note")},
                    {},
                    "Diversion sums to zero over the partners of a line (market side)."};
  for (const SmartLineResult& line : run.smart.lines) {
    for (const SmartFlowResult& flow : line.flows) {
      flows.rows.push_back(
          {line.market, line.product, flow.partner, flow.trade0, flow.tariff0 * 100,
           flow.tariff1 * 100, flow.ntb0 * 100, flow.ntb1 * 100, flow.creation, flow.diversion,
           flow.price_effect, flow.total, flow.trade1, flow.revenue0, flow.revenue1,
           flow.consumer_surplus,
           std::string(flow.zero_baseline
                           ? "zero baseline: SMART cannot create this trade (see market access)"
                           : "")});
    }
  }
  lines_section.blocks.emplace_back(flows);
  doc.sections.push_back(std::move(lines_section));

  ReportSection partner_section;
  partner_section.heading = "The exporters' view";
  ReportTable partners{"smart_partners",
                       "Effects by exporting partner over all lines",
                       {Txt("partner"), Num("trade0"), Num("creation"), Num("diversion"),
                        Num("price_effect"), Num("total")},
                       {},
                       ""};
  BarChart chart{"Total trade effect by exporter",
                 {},
                 {{"total", {}, {}, {}}},
                 scenario.trade_unit,
                 ValueKind::kNumber,
                 true,
                 ""};
  for (const PartnerSummary& partner : run.partners) {
    partners.rows.push_back({partner.partner, partner.trade0, partner.creation, partner.diversion,
                             partner.price_effect, partner.total});
    chart.categories.push_back(partner.partner);
    chart.series[0].values.push_back(partner.total);
  }
  partner_section.blocks.emplace_back(partners);
  if (!chart.categories.empty()) partner_section.blocks.emplace_back(chart);
  if (!scenario.focus.empty()) {
    ReportTable from{"focus_gains_from",
                     "What " + scenario.focus + " gains, and from whom",
                     {Txt("partner"), Txt("from"), Num("diversion_gained")},
                     {},
                     "Diversion gained on each line, attributed to the partners that lose it in "
                     "proportion to their losses; creation is new trade, taken from no one."};
    for (const PartnerSummary& partner : run.partners) {
      if (partner.partner != scenario.focus) continue;
      from.rows.push_back({partner.partner, std::string("(trade creation)"), partner.creation});
      for (const auto& [loser, value] : partner.diversion_from) {
        from.rows.push_back({partner.partner, loser, value});
      }
    }
    partner_section.blocks.emplace_back(from);
  }
  doc.sections.push_back(std::move(partner_section));
}

void AddGsimSection(const PeScenario& scenario, const PeRun& run, ReportDocument& doc) {
  ReportSection section;
  section.heading = "GSIM results";
  ReportTable prices{
      "gsim_exporters",
      "World prices and producer surplus by exporter",
      {Txt("product"), Txt("exporter"), Pct("world_price_change"), Num("producer_surplus")},
      {},
      ""};
  ReportTable importers{
      "gsim_importers",
      "Consumer surplus and tariff revenue by importer (" + scenario.trade_unit + ")",
      {Txt("product"), Txt("importer"), Num("consumer_surplus"), Num("revenue0"), Num("revenue1"),
       Num("welfare")},
      {},
      "welfare = consumer surplus + revenue change (producer surplus is the "
      "exporters')."};
  ReportTable pairs{"gsim_flows",
                    "Trade by importer and exporter",
                    {Txt("product"), Txt("importer"), Txt("exporter"), Num("trade0"), Num("trade1"),
                     Num("change")},
                    {},
                    ""};
  ReportTable totals{
      "gsim_products",
      "Change in world trade by product (" + scenario.trade_unit + ")",
      {Txt("product"), Num("trade_change"), Num("trade_change_low"), Num("trade_change_high")},
      {},
      "low/high: import-demand and substitution elasticities scaled by the "
      "sensitivity multipliers."};
  for (const GsimProductRun& product_run : run.gsim) {
    totals.rows.push_back({product_run.product.product, product_run.trade_change,
                           product_run.trade_change_low, product_run.trade_change_high});
  }
  section.blocks.emplace_back(totals);
  ReportTable solver{"gsim_solver",
                     "Solver",
                     {Txt("product"),
                      Txt("solution"),
                      Txt("termination"),
                      Num("iterations", 0),
                      {"max_residual", ValueKind::kNumber, 15}},
                     {},
                     "solution: levels (exact) or linearised (GSIM as published); max_residual: "
                     "largest |demand - supply| / baseline supply over exporters (linearised: in "
                     "percent-change units)."};
  for (const GsimProductRun& product_run : run.gsim) {
    const GsimProduct& p = product_run.product;
    const GsimResult& r = product_run.result;
    solver.rows.push_back({p.product, std::string(ToString(r.solution)), r.message,
                           static_cast<double>(r.iterations), r.max_residual});
    for (size_t exp = 0; exp < p.exporters.size(); ++exp) {
      prices.rows.push_back(
          {p.product, p.exporters[exp], (r.world_price[exp] - 1) * 100, r.producer_surplus[exp]});
    }
    for (size_t imp = 0; imp < p.importers.size(); ++imp) {
      importers.rows.push_back({p.product, p.importers[imp], r.consumer_surplus[imp],
                                r.revenue0[imp], r.revenue1[imp],
                                r.consumer_surplus[imp] + r.revenue1[imp] - r.revenue0[imp]});
      for (size_t exp = 0; exp < p.exporters.size(); ++exp) {
        const size_t pair = imp * p.exporters.size() + exp;
        if (p.trade[pair] <= 0) continue;
        pairs.rows.push_back({p.product, p.importers[imp], p.exporters[exp], p.trade[pair],
                              r.trade1[pair], r.trade1[pair] - p.trade[pair]});
      }
    }
  }
  section.blocks.emplace_back(solver);
  section.blocks.emplace_back(importers);
  section.blocks.emplace_back(prices);
  section.blocks.emplace_back(pairs);
  doc.sections.push_back(std::move(section));
}

void AddMarketAccessSection(const PeScenario& scenario, const PeRun& run, ReportDocument& doc) {
  if (!scenario.market_access || !run.potential) return;
  const MarketAccessSpec& spec = *scenario.market_access;
  const PotentialTradeEstimate& est = *run.potential;
  ReportSection section;
  section.heading = "Market access: potential trade (an estimate, not a SMART result)";
  section.blocks.emplace_back(ReportParagraph{fmt::format(
      "{} imports no {} today from the suppliers in the inputs, so SMART and hat algebra, which "
      "scale existing trade, give zero for any tariff or NTB change. The figure below is a "
      "POTENTIAL-TRADE ESTIMATE: a PPML gravity fit of {}'s sales of {} across {} destinations "
      "(zeros included) on log distance and log of its sales of all goods there, evaluated at "
      "{}. It says what a market like {} buys from {} when access is open; it is not a forecast "
      "of what removing the barrier would bring. {}",
      spec.target, spec.product, spec.exporter, spec.product, est.num_obs, spec.target, spec.target,
      spec.exporter, spec.note)});
  ReportTable table{"market_access_potential",
                    "Potential-trade estimate (PPML)",
                    {Txt("item"), Num("value", 4)},
                    {},
                    est.formula + "; " + est.message};
  for (size_t idx = 0; idx < est.coef_names.size(); ++idx) {
    table.rows.push_back({"coefficient " + est.coef_names[idx], est.coefficients[idx]});
  }
  table.rows.push_back({std::string("observations"), static_cast<double>(est.num_obs)});
  table.rows.push_back({std::string("pseudo R2"), est.pseudo_r2});
  table.rows.push_back(
      {fmt::format("potential {} -> {} ({})", spec.exporter, spec.target, scenario.trade_unit),
       est.predicted});
  section.blocks.emplace_back(table);
  doc.sections.push_back(std::move(section));
}

}  // namespace

ReportDocument BuildPeReport(const PeScenario& scenario, const PeRun& run) {
  ReportDocument doc;
  doc.title = scenario.title;
  doc.subtitle =
      fmt::format("mizani pe: {} on {}",
                  scenario.model == PeModel::kSmart
                      ? std::string("SMART")
                      : fmt::format("GSIM ({} solution)", ToString(scenario.gsim.solution)),
                  scenario.file);
  if (!run.to_fill.empty()) doc.badge = "INPUT CELLS TO FILL";
  AddInputSection(scenario, run, doc);
  if (scenario.model == PeModel::kSmart) {
    AddSmartSections(scenario, run, doc);
  } else {
    AddGsimSection(scenario, run, doc);
  }
  AddMarketAccessSection(scenario, run, doc);
  return doc;
}

}  // namespace mizani::pe

// Running a `mizani pe` scenario: the input rows become SMART lines or GSIM
// products, each with the elasticities it uses and where they came from.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "mizani/error.h"
#include "mizani/pe_scenario.h"
#include "pe/inputs.h"

namespace mizani::pe {

namespace {

const ProductSpec* FindProduct(const PeScenario& scenario, const std::string& hs6) {
  for (const ProductSpec& spec : scenario.products) {
    if (spec.hs6 == hs6) return &spec;
  }
  return nullptr;
}

bool Selected(const PeScenario& scenario, const std::string& hs6) {
  return scenario.products.empty() || FindProduct(scenario, hs6) != nullptr;
}

Elasticity ImportDemand(const PeScenario& scenario, const ProductSpec* spec) {
  if (spec != nullptr && spec->import_demand) {
    return {*spec->import_demand, ElasticitySource::kUser, "[[product]] " + spec->hs6};
  }
  return {scenario.import_demand, ElasticitySource::kUser, "[elasticities] import_demand"};
}

Elasticity Substitution(const PeScenario& scenario, const ProductSpec* spec,
                        const std::string& reporter, const std::string& hs6) {
  if (spec != nullptr && spec->substitution) {
    return {*spec->substitution, ElasticitySource::kUser, "[[product]] " + hs6};
  }
  if (scenario.substitution.value) {
    return {*scenario.substitution.value, ElasticitySource::kUser, "[elasticities] substitution"};
  }
  Elasticity found;
  for (const ElasticitySource source : scenario.substitution.sources) {
    switch (source) {
      case ElasticitySource::kBrodaWeinstein:
        if (scenario.tables.BrodaWeinstein(reporter, hs6, &found)) return found;
        break;
      case ElasticitySource::kProtee:
        if (scenario.tables.Protee(hs6, &found)) return found;
        break;
      case ElasticitySource::kWitsDefault:
        return {kWitsSubstitutionElasticity, ElasticitySource::kWitsDefault, "WITS SMART default"};
      case ElasticitySource::kUser:
        break;
    }
  }
  throw Error(ErrorCode::kBadScenario,
              fmt::format("{} {}: no substitution elasticity in the listed sources (add \"wits\" "
                          "as the last fallback, or load the table)",
                          reporter, hs6));
}

Elasticity ExportSupply(const PeScenario& scenario, const ProductSpec* spec) {
  if (spec != nullptr && spec->export_supply) {
    return {*spec->export_supply, ElasticitySource::kUser, "[[product]] " + spec->hs6};
  }
  return {scenario.export_supply, scenario.export_supply_source,
          scenario.export_supply_source == ElasticitySource::kWitsDefault
              ? "WITS SMART default (99: near-infinite)"
              : "[elasticities] export_supply"};
}

// The scenario's rates for one row: later [[change]] entries override earlier ones.
void NewRates(const PeScenario& scenario, const InputRow& row, double* tariff1, double* ntb1) {
  *tariff1 = row.tariff;
  *ntb1 = row.ntb;
  for (const PolicyChange& change : scenario.changes) {
    const bool reporter =
        change.reporters.empty() || std::find(change.reporters.begin(), change.reporters.end(),
                                              row.reporter) != change.reporters.end();
    const bool partner = change.partners.empty() ||
                         std::find(change.partners.begin(), change.partners.end(), row.partner) !=
                             change.partners.end();
    const bool product = change.products.empty() ||
                         std::find(change.products.begin(), change.products.end(), row.product) !=
                             change.products.end();
    if (!reporter || !partner || !product) continue;
    if (change.tariff) *tariff1 = *change.tariff;
    if (change.tariff_cut) *tariff1 = row.tariff * (1 - *change.tariff_cut);
    if (change.ntb) *ntb1 = *change.ntb;
  }
}

struct LineKey {
  std::string reporter;
  std::string product;
  bool operator<(const LineKey& other) const {
    return std::tie(reporter, product) < std::tie(other.reporter, other.product);
  }
};

void RunSmartLines(const PeScenario& scenario, PeRun& run) {
  std::map<LineKey, std::vector<const InputRow*>> lines;
  for (const InputRow& row : scenario.rows) {
    if (Selected(scenario, row.product)) lines[{row.reporter, row.product}].push_back(&row);
  }
  std::vector<SmartLine> smart_lines;
  for (const auto& [key, rows] : lines) {
    const ProductSpec* spec = FindProduct(scenario, key.product);
    LineStatus status{key.reporter, key.product, "", "", ""};
    status.description = spec != nullptr && !spec->description.empty() ? spec->description
                                                                       : rows.front()->description;
    SmartLine line;
    line.market = key.reporter;
    line.product = key.product;
    line.description = status.description;
    int to_fill = 0;
    double trade = 0;
    for (const InputRow* row : rows) {
      if (!row->complete()) {
        ++to_fill;
        continue;
      }
      SmartFlow flow;
      flow.partner = row->partner;
      flow.trade = row->trade;
      flow.tariff0 = row->tariff;
      flow.ntb0 = row->ntb;
      NewRates(scenario, *row, &flow.tariff1, &flow.ntb1);
      trade += flow.trade;
      line.flows.push_back(flow);
    }
    if (line.flows.empty()) {
      status.status = "not simulated";
      status.detail = fmt::format("{} supplier rows have cells to fill", to_fill);
    } else if (trade <= 0) {
      status.status = "no baseline trade";
      status.detail =
          "no imports to start from: SMART (and hat algebra) cannot price a barrier that keeps "
          "the product out; see the market-access estimate";
    } else {
      status.status = to_fill > 0 ? "partial" : "simulated";
      status.detail = to_fill > 0 ? fmt::format(
                                        "{} of {} supplier rows have cells to fill and "
                                        "are left out: market totals are understated",
                                        to_fill, rows.size())
                                  : "";
      for (const SmartFlow& flow : line.flows) {
        if (flow.partner == scenario.focus && flow.trade <= 0) {
          status.detail += (status.detail.empty() ? "" : "; ") + scenario.focus +
                           " has no baseline trade in this line: SMART gives it nothing (see "
                           "the market-access estimate)";
        }
      }
      line.import_demand = ImportDemand(scenario, spec);
      line.substitution = Substitution(scenario, spec, key.reporter, key.product);
      line.export_supply = ExportSupply(scenario, spec);
      smart_lines.push_back(std::move(line));
    }
    run.lines.push_back(status);
  }
  run.smart = RunSmart(smart_lines, scenario.smart);
  run.partners = SummarizeByPartner(run.smart);
}

double TradeChange(const GsimProduct& product, const GsimResult& result) {
  double change = 0;
  for (size_t pair = 0; pair < product.trade.size(); ++pair) {
    change += result.trade1[pair] - product.trade[pair];
  }
  return change;
}

void RunGsimProducts(const PeScenario& scenario, PeRun& run,
                     const std::function<void(const std::string&)>& progress) {
  std::map<std::string, std::vector<const InputRow*>> by_product;
  for (const InputRow& row : scenario.rows) {
    if (Selected(scenario, row.product) && row.complete()) by_product[row.product].push_back(&row);
  }
  for (const auto& [hs6, rows] : by_product) {
    const ProductSpec* spec = FindProduct(scenario, hs6);
    GsimProductRun product_run;
    GsimProduct& product = product_run.product;
    product.product = hs6;
    std::set<std::string> importers;
    std::set<std::string> exporters;
    for (const InputRow* row : rows) {
      importers.insert(row->reporter);
      exporters.insert(row->partner);
    }
    product.importers.assign(importers.begin(), importers.end());
    product.exporters.assign(exporters.begin(), exporters.end());
    const size_t num_pairs = importers.size() * exporters.size();
    product.trade.assign(num_pairs, 0.0);
    product.tariff0.assign(num_pairs, 0.0);
    product.tariff1.assign(num_pairs, 0.0);
    for (const InputRow* row : rows) {
      const size_t imp =
          std::lower_bound(product.importers.begin(), product.importers.end(), row->reporter) -
          product.importers.begin();
      const size_t exp =
          std::lower_bound(product.exporters.begin(), product.exporters.end(), row->partner) -
          product.exporters.begin();
      const size_t pair = imp * exporters.size() + exp;
      double tariff1 = 0;
      double ntb1 = 0;
      NewRates(scenario, *row, &tariff1, &ntb1);
      product.trade[pair] = row->trade;
      // GSIM prices the NTB equivalent as part of the tariff wedge.
      product.tariff0[pair] = row->tariff + row->ntb;
      product.tariff1[pair] = tariff1 + ntb1;
    }
    product.import_demand.assign(importers.size(), ImportDemand(scenario, spec).value);
    product.substitution = Substitution(scenario, spec, product.importers.front(), hs6).value;
    product.export_supply.assign(exporters.size(), ExportSupply(scenario, spec).value);
    product_run.result = SolveGsim(product, scenario.gsim);
    product_run.trade_change = TradeChange(product, product_run.result);
    product_run.trade_change_low = product_run.trade_change_high = product_run.trade_change;
    for (const double factor : {scenario.smart.sensitivity_low, scenario.smart.sensitivity_high}) {
      GsimProduct scaled = product;
      for (double& eps : scaled.import_demand) eps *= factor;
      scaled.substitution *= factor;
      // GSIM's CES index is undefined at exactly 1 (Cobb-Douglas).
      if (std::abs(scaled.substitution - 1) < 1e-6) scaled.substitution = 1 + 1e-6;
      const GsimResult result = SolveGsim(scaled, scenario.gsim);
      if (!result.converged())
        continue;  // the range then omits this bound; the solver table says why
      const double change = TradeChange(scaled, result);
      product_run.trade_change_low = std::min(product_run.trade_change_low, change);
      product_run.trade_change_high = std::max(product_run.trade_change_high, change);
    }
    if (progress) progress(fmt::format("GSIM {}: {}", hs6, product_run.result.message));
    run.lines.push_back({fmt::format("{} importers", importers.size()), hs6,
                         spec != nullptr ? spec->description : rows.front()->description,
                         product_run.result.converged() ? "simulated" : "not converged",
                         product_run.result.message});
    run.gsim.push_back(std::move(product_run));
  }
}

}  // namespace

PeRun RunPeScenario(const PeScenario& scenario,
                    const std::function<void(const std::string&)>& progress) {
  PeRun run;
  for (const InputRow& row : scenario.rows) {
    if (!row.complete() && Selected(scenario, row.product)) run.to_fill.push_back(row);
  }
  if (progress) {
    progress(fmt::format("{} input rows, {} with cells to fill", scenario.rows.size(),
                         run.to_fill.size()));
  }
  if (scenario.model == PeModel::kSmart) {
    RunSmartLines(scenario, run);
    if (progress) progress(fmt::format("SMART: {} lines simulated", run.smart.lines.size()));
  } else {
    RunGsimProducts(scenario, run, progress);
  }
  if (scenario.market_access) {
    std::map<std::string, double> target;
    const Table comparables = BuildComparables(*scenario.market_access, &target);
    run.potential = EstimatePotentialTrade(comparables, "trade", {"ln_dist", "ln_total"}, target);
    if (progress) {
      progress(fmt::format("market access: PPML on {} destinations of {}", run.potential->num_obs,
                           scenario.market_access->exporter));
    }
  }
  return run;
}

}  // namespace mizani::pe

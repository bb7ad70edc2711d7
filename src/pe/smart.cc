// SMART: one importing market, per HS6 line and supplier. Equations and the
// choices made where WITS does not publish its algebra: docs/pe.md.
//
// References: Laird and Yeats (1986), "The UNCTAD trade policy simulation
// model"; Jammes and Olarreaga (2005), "Explaining SMART and GSIM", World
// Bank; WITS online help, "SMART theoretical framework".
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "mizani/error.h"
#include "mizani/pe.h"
#include "pe/checks.h"

namespace mizani::pe {

const char* ToString(ElasticitySource source) {
  switch (source) {
    case ElasticitySource::kUser:
      return "user";
    case ElasticitySource::kWitsDefault:
      return "WITS default";
    case ElasticitySource::kBrodaWeinstein:
      return "Broda-Weinstein";
    case ElasticitySource::kProtee:
      return "CEPII ProTEE";
  }
  return "?";
}

namespace {

// The quantity effects of one line for given elasticities, written into
// `flows` (creation, diversion, price effect, revenue, surplus).
void SmartKernel(const SmartLine& line, double import_demand, double substitution,
                 double export_supply, std::vector<SmartFlowResult>& flows) {
  const size_t num_flows = line.flows.size();
  flows.resize(num_flows);
  double total_trade = 0;
  for (const SmartFlow& flow : line.flows) total_trade += flow.trade;
  // J&O (2005) eq. for finite export supply: the world price absorbs part of
  // the tariff change, so creation is scaled by 1 / (1 - eps_m / eps_x).
  const double supply_factor =
      std::isinf(export_supply) ? 1.0 : 1.0 / (1.0 - import_demand / export_supply);
  // Diversion: CES reallocation of the line's imports across suppliers at a
  // fixed total (zero-sum on the market side). Shares stay positive, so no
  // supplier loses more than it sold: the WITS ceiling holds by construction.
  // Its first-order term is Jammes and Olarreaga's linear formula (tested).
  double weight_sum = 0;
  std::vector<double> weight(num_flows, 0.0);
  for (size_t flow_idx = 0; flow_idx < num_flows; ++flow_idx) {
    const SmartFlow& flow = line.flows[flow_idx];
    const double price_ratio = (1 + flow.tariff1 + flow.ntb1) / (1 + flow.tariff0 + flow.ntb0);
    weight[flow_idx] = flow.trade * std::pow(price_ratio, -substitution);
    weight_sum += weight[flow_idx];
  }
  for (size_t flow_idx = 0; flow_idx < num_flows; ++flow_idx) {
    const SmartFlow& flow = line.flows[flow_idx];
    SmartFlowResult& out = flows[flow_idx];
    out.partner = flow.partner;
    out.trade0 = flow.trade;
    out.tariff0 = flow.tariff0;
    out.tariff1 = flow.tariff1;
    out.ntb0 = flow.ntb0;
    out.ntb1 = flow.ntb1;
    out.zero_baseline = flow.trade <= 0;
    const double cost0 = 1 + flow.tariff0 + flow.ntb0;
    const double cost1 = 1 + flow.tariff1 + flow.ntb1;
    const double relative_change = cost1 / cost0 - 1;
    out.creation = import_demand * flow.trade * relative_change * supply_factor;
    out.diversion = weight_sum > 0 ? total_trade * weight[flow_idx] / weight_sum - flow.trade : 0.0;
    // A large tariff rise would take the linear creation term below zero
    // imports: stop at zero (the supplier is priced out).
    double quantity1 = flow.trade + out.creation + out.diversion;
    if (quantity1 < 0) {
      out.creation -= quantity1;
      quantity1 = 0;
    }
    // World price along the exporter's supply curve X = X0 p^eps_x.
    const double price1 = (std::isinf(export_supply) || flow.trade <= 0)
                              ? 1.0
                              : std::pow(quantity1 / flow.trade, 1.0 / export_supply);
    out.world_price_change = price1 - 1;
    out.price_effect = (price1 - 1) * quantity1;
    out.total = out.creation + out.diversion + out.price_effect;
    out.trade1 = flow.trade + out.total;
    // Revenue from the tariff only: an NTB's ad-valorem equivalent is a cost,
    // not a duty (docs/pe.md).
    out.revenue0 = flow.tariff0 * flow.trade;
    out.revenue1 = flow.tariff1 * price1 * quantity1;
    // Consumer surplus: the area left of the demand curve between the two
    // domestic prices, by the trapezoid rule (Harberger).
    const double domestic0 = cost0;
    const double domestic1 = price1 * cost1;
    out.consumer_surplus = -(domestic1 - domestic0) * (flow.trade + quantity1) / 2;
  }
}

double LineTotal(const std::vector<SmartFlowResult>& flows) {
  double total = 0;
  for (const SmartFlowResult& flow : flows) total += flow.total;
  return total;
}

}  // namespace

SmartLineResult SimulateSmartLine(const SmartLine& line) {
  const std::string where = fmt::format("market {} product {}", line.market, line.product);
  CheckImportDemand(line.import_demand.value, where);
  CheckSubstitution(line.substitution.value, where);
  CheckExportSupply(line.export_supply.value, where);
  for (const SmartFlow& flow : line.flows) {
    // The message is formatted only for a bad row (a million rows per second matter).
    if (ValidAmount(flow.trade) && ValidAmount(flow.tariff0) && ValidAmount(flow.tariff1) &&
        ValidAmount(flow.ntb0) && ValidAmount(flow.ntb1)) {
      continue;
    }
    const std::string flow_where = fmt::format("{} partner {}", where, flow.partner);
    CheckTrade(flow.trade, flow_where);
    CheckRate(flow.tariff0, flow_where, "baseline tariff");
    CheckRate(flow.tariff1, flow_where, "scenario tariff");
    CheckRate(flow.ntb0, flow_where, "baseline NTB ad-valorem equivalent");
    CheckRate(flow.ntb1, flow_where, "scenario NTB ad-valorem equivalent");
  }
  SmartLineResult result;
  result.market = line.market;
  result.product = line.product;
  result.description = line.description;
  result.import_demand = line.import_demand;
  result.substitution = line.substitution;
  result.export_supply = line.export_supply;
  SmartKernel(line, line.import_demand.value, line.substitution.value, line.export_supply.value,
              result.flows);
  for (const SmartFlowResult& flow : result.flows) {
    result.trade0 += flow.trade0;
    result.creation += flow.creation;
    result.diversion += flow.diversion;
    result.price_effect += flow.price_effect;
    result.total += flow.total;
    result.revenue0 += flow.revenue0;
    result.revenue1 += flow.revenue1;
    result.consumer_surplus += flow.consumer_surplus;
  }
  result.welfare = result.consumer_surplus + result.revenue1 - result.revenue0;
  result.total_low = result.total_high = result.total;
  return result;
}

SmartResult RunSmart(std::span<const SmartLine> lines, const SmartOptions& options) {
  if (!(options.sensitivity_low > 0) || !(options.sensitivity_high > 0)) {
    throw Error(ErrorCode::kBadScenario, "SMART sensitivity multipliers must be positive");
  }
  SmartResult result;
  result.lines.reserve(lines.size());
  std::vector<SmartFlowResult> scratch;
  for (const SmartLine& line : lines) {
    SmartLineResult line_result = SimulateSmartLine(line);
    double low = line_result.total;
    double high = line_result.total;
    for (const double factor : {options.sensitivity_low, options.sensitivity_high}) {
      SmartKernel(line, line.import_demand.value * factor, line.substitution.value * factor,
                  line.export_supply.value, scratch);
      const double total = LineTotal(scratch);
      low = std::min(low, total);
      high = std::max(high, total);
    }
    line_result.total_low = low;
    line_result.total_high = high;
    result.lines.push_back(std::move(line_result));
  }
  return result;
}

std::vector<PartnerSummary> SummarizeByPartner(const SmartResult& result) {
  // Partners numbered once; the attribution of diversion goes into a dense
  // gainer x loser matrix (a map insertion per pair cost 2 s on 5,000 lines
  // x 200 partners).
  std::unordered_map<std::string, size_t> index;
  std::vector<PartnerSummary> summaries;
  std::vector<size_t> flow_partner;
  std::vector<double> from;  // gainer * num_partners + loser, sized as partners appear
  size_t capacity = 0;
  for (const SmartLineResult& line : result.lines) {
    flow_partner.clear();
    double losses = 0;
    for (const SmartFlowResult& flow : line.flows) {
      const auto [it, inserted] = index.emplace(flow.partner, summaries.size());
      if (inserted) summaries.push_back({flow.partner, 0, 0, 0, 0, 0, {}});
      flow_partner.push_back(it->second);
      if (flow.diversion < 0) losses -= flow.diversion;
      PartnerSummary& summary = summaries[it->second];
      summary.trade0 += flow.trade0;
      summary.creation += flow.creation;
      summary.diversion += flow.diversion;
      summary.price_effect += flow.price_effect;
      summary.total += flow.total;
    }
    if (summaries.size() > capacity) {
      // Grow the square matrix, keeping what it holds.
      const size_t grown = std::max(summaries.size(), 2 * capacity);
      std::vector<double> bigger(grown * grown, 0.0);
      for (size_t row = 0; row < capacity; ++row) {
        std::copy(from.begin() + static_cast<std::ptrdiff_t>(row * capacity),
                  from.begin() + static_cast<std::ptrdiff_t>((row + 1) * capacity),
                  bigger.begin() + static_cast<std::ptrdiff_t>(row * grown));
      }
      from = std::move(bigger);
      capacity = grown;
    }
    if (losses <= 0) continue;
    for (size_t gainer = 0; gainer < line.flows.size(); ++gainer) {
      const double gain = line.flows[gainer].diversion;
      if (gain <= 0) continue;
      double* row = from.data() + flow_partner[gainer] * capacity;
      for (size_t loser = 0; loser < line.flows.size(); ++loser) {
        const double loss = line.flows[loser].diversion;
        if (loss < 0) row[flow_partner[loser]] += gain * (-loss) / losses;
      }
    }
  }
  for (size_t gainer = 0; gainer < summaries.size(); ++gainer) {
    for (size_t loser = 0; loser < summaries.size(); ++loser) {
      const double value = from[gainer * capacity + loser];
      if (value != 0) summaries[gainer].diversion_from[summaries[loser].partner] = value;
    }
  }
  std::sort(summaries.begin(), summaries.end(),
            [](const PartnerSummary& a, const PartnerSummary& b) { return a.total > b.total; });
  return summaries;
}

}  // namespace mizani::pe

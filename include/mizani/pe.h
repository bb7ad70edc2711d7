// Product-level partial equilibrium: SMART (one importing market, Laird and
// Yeats 1986; WITS) and GSIM (several markets and exporters, Francois and Hall
// 2003). Equations, defaults and what is not modelled: docs/pe.md.
//
// Units, as in SMART: trade values are quantities at world prices normalised
// to 1, tariffs and ad-valorem equivalents are fractions (0.12 for 12%).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "mizani/table.h"
#include "mizani/termination.h"

namespace mizani::pe {

// WITS SMART defaults (WITS online help, "SMART input requirements").
inline constexpr double kWitsSubstitutionElasticity = 1.5;
inline constexpr double kWitsExportSupplyElasticity = 99.0;
inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

enum class ElasticitySource {
  kUser,            // stated in the scenario or the input table
  kWitsDefault,     // 1.5 substitution, 99 export supply
  kBrodaWeinstein,  // importer x HS 3-digit (Broda and Weinstein 2006)
  kProtee,          // CEPII ProTEE HS6 (Fontagne, Guimbard and Orefice 2022)
};
const char* ToString(ElasticitySource source);

struct Elasticity {
  double value = 0;
  ElasticitySource source = ElasticitySource::kUser;
  std::string detail;  // e.g. "JPN HS3 090" or "HS6 090240"
};

// One supplier of one tariff line. tariff is the applied ad-valorem rate;
// ntb the ad-valorem equivalent of non-tariff measures (no revenue).
struct SmartFlow {
  std::string partner;
  double trade = 0;  // baseline imports, world prices
  double tariff0 = 0;
  double tariff1 = 0;
  double ntb0 = 0;
  double ntb1 = 0;
};

struct SmartLine {
  std::string market;   // importer, ISO3
  std::string product;  // HS6
  std::string description;
  std::vector<SmartFlow> flows;
  Elasticity import_demand;  // < 0
  Elasticity substitution;   // > 0
  Elasticity export_supply;  // > 0; kInfinity allowed
};

struct SmartFlowResult {
  std::string partner;
  double trade0 = 0;
  double tariff0 = 0, tariff1 = 0, ntb0 = 0, ntb1 = 0;  // copied from the flow
  double creation = 0;
  double diversion = 0;
  double price_effect = 0;        // value of the world price change on the new quantity
  double total = 0;               // creation + diversion + price_effect
  double trade1 = 0;              // trade0 + total, at new world prices
  double world_price_change = 0;  // relative, p*1/p*0 - 1
  double revenue0 = 0;
  double revenue1 = 0;
  double consumer_surplus = 0;  // change
  bool zero_baseline = false;   // no trade to start from: SMART cannot price it
};

struct SmartLineResult {
  std::string market;
  std::string product;
  std::string description;
  std::vector<SmartFlowResult> flows;  // same order as SmartLine::flows
  Elasticity import_demand, substitution, export_supply;
  double trade0 = 0, creation = 0, diversion = 0, price_effect = 0, total = 0;
  double revenue0 = 0, revenue1 = 0, consumer_surplus = 0;
  double welfare = 0;  // consumer surplus + revenue change
  // Total effect with the import-demand and substitution elasticities scaled
  // by SmartOptions::sensitivity_low / _high.
  double total_low = 0, total_high = 0;
};

struct SmartOptions {
  // Multipliers on the import-demand and substitution elasticities for the
  // sensitivity range reported with every line.
  double sensitivity_low = 0.5;
  double sensitivity_high = 1.5;
};

// SMART for one line (a kernel: no I/O). Throws Error(kBadScenario) for an
// elasticity of the wrong sign and Error(kBadData) for a negative trade value
// or a tariff below -100%.
SmartLineResult SimulateSmartLine(const SmartLine& line);

struct SmartResult {
  std::vector<SmartLineResult> lines;
};
SmartResult RunSmart(std::span<const SmartLine> lines, const SmartOptions& options = {});

// The exporter's view: one row per partner over every line, with the
// diversion it gains attributed to the partners that lose it, in proportion
// to their losses on each line.
struct PartnerSummary {
  std::string partner;
  double trade0 = 0, creation = 0, diversion = 0, price_effect = 0, total = 0;
  std::map<std::string, double> diversion_from;  // loser -> value taken from it
};
std::vector<PartnerSummary> SummarizeByPartner(const SmartResult& result);

// ---------------------------------------------------------------------------
// GSIM: one product, several importers and exporters, an integrated world
// price per exporter solved by Newton's method on the market-clearing
// conditions (supply of each exporter = sum of its sales to every importer).

struct GsimProduct {
  std::string product;
  std::vector<std::string> importers;
  std::vector<std::string> exporters;
  // Row-major importer x exporter, num_importers * num_exporters entries.
  std::vector<double> trade;  // baseline, world prices
  std::vector<double> tariff0;
  std::vector<double> tariff1;
  std::vector<double> import_demand;  // per importer, < 0
  double substitution = kWitsSubstitutionElasticity;
  std::vector<double> export_supply;  // per exporter, > 0 or kInfinity
};

// How GSIM is solved. kLevels: the model in levels (CES demand, constant-
// elasticity supply), exact for any size of shock. kLinearised: Francois and
// Hall's percent-change system as the GSIM spreadsheet solves it, one linear
// solve, with its second-order welfare formulas; it reproduces GSIM's
// published tables and agrees with kLevels to first order (docs/pe.md).
enum class GsimSolution { kLevels, kLinearised };
const char* ToString(GsimSolution solution);  // "levels", "linearised"

struct GsimOptions {
  int max_iterations = 100;
  double tolerance = 1e-12;  // max |excess supply| / supply
  GsimSolution solution = GsimSolution::kLevels;
};

struct GsimResult {
  GsimSolution solution = GsimSolution::kLevels;  // which system was solved
  Termination termination = Termination::kMaxIterations;
  std::string message;
  int iterations = 0;
  double max_residual = 0;          // max over exporters of |supply - demand| / supply
  std::vector<double> world_price;  // per exporter, p*1 / p*0
  std::vector<double> trade1;       // per pair, value at new world prices
  // Per importer, the composite (CES) price index P1/P0 at domestic prices;
  // linearised: 1 + sum_e theta_ie ((1 + x_e)(1 + dT_ie) - 1).
  std::vector<double> price_index;
  std::vector<double> consumer_surplus;    // per importer, change
  std::vector<double> revenue0, revenue1;  // per importer
  std::vector<double> producer_surplus;    // per exporter, change
  bool converged() const { return termination == Termination::kConverged; }
};

// Solves in levels or linearised as options.solution says. Throws
// Error(kBadScenario) for inconsistent sizes or wrong-signed elasticities,
// Error(kBadData) for negative trade or tariffs below -100%.
GsimResult SolveGsim(const GsimProduct& product, const GsimOptions& options = {});

// ---------------------------------------------------------------------------
// Elasticity tables from ../shared/data/trade_elasticities (SOURCE.md there).
class ElasticityTables {
 public:
  // Either path may be empty. Throws Error(kFileUnreadable / kBadData).
  void LoadBrodaWeinstein(const std::string& path);
  void LoadProtee(const std::string& path);
  // Substitution elasticity for an importer and HS6 code; false when absent.
  bool BrodaWeinstein(const std::string& iso3, const std::string& hs6, Elasticity* out) const;
  // |ProTEE| at HS6: the elasticity of bilateral imports to bilateral tariffs
  // with importer fixed effects, i.e. the CES elasticity between suppliers.
  bool Protee(const std::string& hs6, Elasticity* out) const;

 private:
  std::map<std::string, double> bw_;      // "JPN:090" -> sigma
  std::map<std::string, double> protee_;  // "090240" -> elasticity (< 0)
};

// ---------------------------------------------------------------------------
// Market access: a line with no baseline trade cannot be priced by SMART.
// The potential-trade estimate fits PPML of an exporter's sales of the
// product across destinations on log regressors and predicts the target.
struct PotentialTradeEstimate {
  std::string formula;
  int64_t num_obs = 0;
  std::vector<std::string> coef_names;
  std::vector<double> coefficients;
  double pseudo_r2 = 0;
  double predicted = 0;  // same units as the input trade column
  bool converged = false;
  std::string message;
};
// `comparables` holds one row per destination with the trade column and the
// regressors; `target` holds the target destination's regressors (one row).
PotentialTradeEstimate EstimatePotentialTrade(const Table& comparables,
                                              const std::string& trade_column,
                                              const std::vector<std::string>& regressors,
                                              const std::map<std::string, double>& target);

}  // namespace mizani::pe

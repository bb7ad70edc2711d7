// `mizani pe` scenario files (TOML), their inputs (WITS/SMART-style tables,
// BACI, tariff schedules) and their report. docs/pe.md describes the format.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mizani/pe.h"
#include "mizani/report.h"

namespace mizani::pe {

enum class PeModel { kSmart, kGsim };

// How a cell of the input got its value.
enum class CellStatus { kSourced, kAssumed, kToFill };
const char* ToString(CellStatus status);

// One reporter x partner x product row of the inputs.
struct InputRow {
  std::string reporter;  // importer, ISO3
  std::string partner;   // exporter, ISO3 (ROW: rest of world)
  std::string product;   // HS6
  std::string description;
  double trade = 0;  // baseline imports, in `trade_unit`
  CellStatus trade_status = CellStatus::kToFill;
  std::string trade_source;
  double tariff = 0;  // applied ad-valorem rate, fraction
  CellStatus tariff_status = CellStatus::kToFill;
  std::string tariff_source;
  // Where the tariff came from when a tariff schedule filled it: "HS6",
  // "HS4", "HS2", "national lines (simple average of 3)", or the concordance
  // step ("HS2012 -> HS2017: ..."); empty when the input table gave it.
  std::string tariff_level;
  double ntb = 0;      // ad-valorem equivalent of NTBs, fraction
  std::string origin;  // "file:row N"
  bool complete() const {
    return trade_status != CellStatus::kToFill && tariff_status != CellStatus::kToFill;
  }
};

// A policy change: new rates for some partners and products.
struct PolicyChange {
  std::vector<std::string> reporters;  // importers whose rates change; empty: every one
  std::vector<std::string> partners;   // empty: every partner (an MFN change)
  std::vector<std::string> products;   // empty: every product
  std::optional<double> tariff;        // new rate, fraction
  std::optional<double> tariff_cut;    // proportional cut of the rate, 0.5 halves it
  std::optional<double> ntb;           // new NTB ad-valorem equivalent, fraction
  std::string label;
};

// How an elasticity is chosen: a number, or a table with a fallback.
struct ElasticityRule {
  std::optional<double> value;            // user value
  std::vector<ElasticitySource> sources;  // tried in order when no value
};

struct ProductSpec {
  std::string hs6;
  std::string description;
  std::optional<double> import_demand;
  std::optional<double> substitution;
  std::optional<double> export_supply;
};

struct MarketAccessSpec {
  std::string product;        // HS6
  std::string target;         // importer with no baseline trade, ISO3
  std::string exporter;       // comparable exporter whose sales are modelled, ISO3
  std::string baci;           // BACI file
  std::string country_codes;  // BACI country codes
  std::string distances;      // CEPII dist_cepii
  std::string note;
};

struct PeScenario {
  std::string file;
  std::string title;
  PeModel model = PeModel::kSmart;
  std::string focus;  // exporter whose view is reported
  std::string trade_unit = "thousand USD";
  std::vector<InputRow> rows;
  std::vector<ProductSpec> products;  // empty: every product in the inputs
  std::vector<PolicyChange> changes;
  double import_demand = 0;  // user value (required): no WITS default exists
  bool import_demand_set = false;
  ElasticityRule substitution;
  double export_supply = kWitsExportSupplyElasticity;
  ElasticitySource export_supply_source = ElasticitySource::kWitsDefault;
  ElasticityTables tables;
  SmartOptions smart;
  GsimOptions gsim;
  std::optional<MarketAccessSpec> market_access;
  std::vector<std::string> input_files;  // for the report
};

// Reads the scenario and its input files. `data_dir` resolves paths written
// "shared:..." (the ../shared/data folder). Throws Error with file, row and
// column or key: kFileUnreadable, kBadData, kBadScenario.
PeScenario LoadPeScenario(const std::string& path, const std::string& data_dir);

struct LineStatus {
  std::string reporter, product, description;
  std::string status;  // "simulated", "partial", "not simulated", "no baseline trade"
  std::string detail;
};

struct GsimProductRun {
  GsimProduct product;
  GsimResult result;
  // Change in the product's world trade (value), and its range with the
  // import-demand and substitution elasticities scaled by the sensitivity
  // multipliers (SmartOptions::sensitivity_low / _high).
  double trade_change = 0, trade_change_low = 0, trade_change_high = 0;
};

struct PeRun {
  SmartResult smart;
  std::vector<PartnerSummary> partners;
  std::vector<GsimProductRun> gsim;
  std::vector<LineStatus> lines;
  std::vector<InputRow> to_fill;  // rows left out because a cell must be filled
  std::optional<PotentialTradeEstimate> potential;
};

// Runs SMART or GSIM on the complete rows; `progress` (may be empty) gets
// one line per stage.
PeRun RunPeScenario(const PeScenario& scenario,
                    const std::function<void(const std::string&)>& progress = {});

ReportDocument BuildPeReport(const PeScenario& scenario, const PeRun& run);

}  // namespace mizani::pe

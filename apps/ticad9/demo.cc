// `mizani demo`: the TICAD 9 scenario set end to end. The scenarios are the
// embedded examples/ticad9/*.toml files; this file adds what a single
// scenario run does not know: the shared data (read or synthesised once),
// the sensitivity runs, and a combined report with a plain-words summary.
#include "ticad9/demo.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>

#include "mizani/error.h"
#include "mizani/read.h"
#include "mizani/synth.h"
#include "ticad9/demo_internal.h"
#include "ticad9/embedded.h"

namespace mizani {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDataFile = "Chapter2Application2.csv.gz";
constexpr uint64_t kSyntheticSeed = 20250820;  // TICAD 9 opened on 20 August 2025
constexpr const char* kGroup = "AFR";

// The Advanced Guide's 69 countries (ROM is its code for Romania).
const std::vector<std::string>& AdvancedGuideCodes() {
  static const std::vector<std::string> kCodes = {
      "ARG", "AUS", "AUT", "BEL", "BGR", "BOL", "BRA", "CAN", "CHE", "CHL", "CHN", "CMR",
      "COL", "CRI", "CYP", "DEU", "DNK", "ECU", "EGY", "ESP", "FIN", "FRA", "GBR", "GRC",
      "HKG", "HUN", "IDN", "IND", "IRL", "IRN", "ISL", "ISR", "ITA", "JOR", "JPN", "KEN",
      "KOR", "KWT", "LKA", "MAC", "MAR", "MEX", "MLT", "MMR", "MUS", "MWI", "MYS", "NER",
      "NGA", "NLD", "NOR", "NPL", "PAN", "PHL", "POL", "PRT", "QAT", "ROM", "SEN", "SGP",
      "SWE", "THA", "TTO", "TUN", "TUR", "TZA", "URY", "USA", "ZAF"};
  return kCodes;
}

// What each embedded file is, for the report, and its sensitivity range:
// the shock whose size is varied and the low and high values (in the
// shock's own unit: from_pct for an NTB, change_pct for trade costs).
struct ScenarioPlan {
  const char* file;
  const char* key;
  const char* title;
  const char* varied_shock;  // nullptr: no range
  double low = 0, high = 0;
  const char* setting_format;  // fmt pattern for one value of the varied shock
};

const std::vector<ScenarioPlan>& Plans() {
  // Ranges: NTB AVEs of 5-20% span most estimates in the literature; port
  // and logistics upgrades of 2-10% of trade costs (docs in the TOML files).
  static const std::vector<ScenarioPlan> kPlans = {
      {"a_japan_opens.toml", "A", "Japan removes its tariff and NTBs on Kenyan goods", "jpn-ntb", 5,
       20, "NTB equivalent {:g}%"},
      {"b_afcfta.toml", "B", "A free trade area among the African countries", nullptr, 0, 0, ""},
      {"c_goal_50pct.toml", "C", "What it takes for half of their trade to stay in Africa", nullptr,
       0, 0, ""},
      {"d_kenya_ports.toml", "D", "Cheaper trade through Kenya's ports and corridors", "ken-ports",
       -2, -10, "trade costs {:+g}%"},
  };
  return kPlans;
}

}  // namespace

namespace demo_internal {

int CountryIndex(const std::vector<std::string>& codes, const std::string& code) {
  const auto found = std::find(codes.begin(), codes.end(), code);
  if (found == codes.end()) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("the demo needs country {} in the data, which does not have it", code));
  }
  return static_cast<int>(found - codes.begin());
}

}  // namespace demo_internal

namespace {

Shock& FindShock(Scenario& scenario, const std::string& name) {
  for (Shock& shock : scenario.shocks) {
    if (shock.name == name) return shock;
  }
  throw Error(ErrorCode::kInternal,
              fmt::format("embedded scenario {} has no shock '{}'", scenario.file, name));
}

// The size the plan varies: the NTB's initial AVE (it is removed), or the
// trade-cost change.
double& VariedSize(Shock& shock) {
  if (auto* cost = std::get_if<TradeCostShock>(&shock.spec)) return cost->change_pct;
  if (auto* ntb = std::get_if<NtbShock>(&shock.spec)) return ntb->from_pct;
  return std::get<TariffShock>(shock.spec).from_pct;
}

}  // namespace

namespace demo_internal {

double RealGdp(const ScenarioOutcome& outcome, const std::string& code) {
  return outcome.ge.countries.real_gdp_change_pct(CountryIndex(outcome.codes, code));
}

double FlowChange(const ScenarioOutcome& outcome, const std::string& from, const std::string& to) {
  return outcome.ge.flow_change_pct(CountryIndex(outcome.codes, from),
                                    CountryIndex(outcome.codes, to));
}

const GeGroupResult& Group(const ScenarioOutcome& outcome) {
  for (const GeGroupResult& group : outcome.ge.groups) {
    if (group.name == kGroup) return group;
  }
  throw Error(ErrorCode::kInternal, "embedded scenario without the AFR group");
}

// The bootstrap interval of one per-country output, or NaN when none.
std::pair<double, double> Interval(const ScenarioOutcome& outcome, const std::string& output,
                                   const std::string& code) {
  for (const IntervalSet& set : outcome.uncertainty.countries) {
    if (set.name != output || set.lower.size() == 0) continue;
    const int at = CountryIndex(outcome.codes, code);
    return {set.lower(at), set.upper(at)};
  }
  return {std::nan(""), std::nan("")};
}

const DemoScenario& ByKey(const DemoRun& run, const std::string& key) {
  for (const DemoScenario& item : run.scenarios) {
    if (item.key == key) return item;
  }
  throw Error(ErrorCode::kInternal, "demo scenario " + key + " missing");
}

std::string DisplayPath(const std::string& path) {
  const fs::path normal = fs::path(path).lexically_normal();
  if (normal.is_relative()) return normal.string();
  // From the data set's own folder on, so no local folder names are shown.
  fs::path shown;
  bool inside = false;
  for (const fs::path& part : normal) {
    inside = inside || part == "agtpa_yotov2016";
    if (inside) shown /= part;
  }
  return inside ? shown.string() : normal.filename().string();
}

}  // namespace demo_internal

std::string FindAdvancedGuideFile(const std::string& data_dir, const std::string& file_name) {
  const std::string expected = fmt::format(
      "expected the folder of the Advanced Guide data (agtpa_yotov2016, its csv/ subfolder, or "
      "the folder holding agtpa_yotov2016) with {}",
      file_name);
  std::error_code error;
  if (!fs::is_directory(data_dir, error)) {
    throw Error(ErrorCode::kFileUnreadable,
                fmt::format("--data-dir {}: no such folder; {}", data_dir, expected));
  }
  const fs::path root(data_dir);
  for (const fs::path& candidate :
       {root / file_name, root / "csv" / file_name, root / "agtpa_yotov2016" / "csv" / file_name}) {
    if (fs::is_regular_file(candidate, error)) return candidate.lexically_normal().string();
  }
  throw Error(
      ErrorCode::kFileUnreadable,
      fmt::format("--data-dir {}: {} not found there, in csv/ or in agtpa_yotov2016/csv/; {}",
                  data_dir, file_name, expected));
}

Table SynthesizeDemoWorld() {
  SynthOptions options;
  options.names = AdvancedGuideCodes();
  options.exporters = static_cast<int>(options.names.size());
  options.importers = options.exporters;
  options.years = 21;
  options.first_year = 1986;
  // Few zeros: exact hat algebra keeps zero flows at zero, and a demo world
  // where most pairs trade shows the mechanisms better.
  options.share_zeros = 0.05;
  options.seed = kSyntheticSeed;
  Table table = SynthesizeSquareWorld(options);
  table.source = fmt::format("synthetic world (seed {})", kSyntheticSeed);
  // The scenarios are written for the Advanced Guide's columns: RTA, and a
  // pair_id shared by both directions of a pair (the bootstrap unit).
  table.AddNumeric("RTA", table.Get("rta").num);
  const Column& exporter = table.Get("exporter");
  const Column& importer = table.Get("importer");
  std::map<std::string, int> index;
  for (const std::string& code : options.names) index.emplace(code, static_cast<int>(index.size()));
  std::vector<double> pair_ids(table.num_rows);
  const int num_countries = static_cast<int>(options.names.size());
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    const int exporter_idx = index.at(exporter.CellText(row_idx));
    const int importer_idx = index.at(importer.CellText(row_idx));
    pair_ids[row_idx] = 1 + std::min(exporter_idx, importer_idx) * num_countries +
                        std::max(exporter_idx, importer_idx);
  }
  table.AddNumeric("pair_id", std::move(pair_ids));
  return table;
}

DemoRun RunDemo(const DemoOptions& options) {
  using demo_internal::DisplayPath;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  auto progress = [&](const std::string& line) {
    if (!options.quiet && options.progress) options.progress(line);
  };
  DemoRun run;
  run.synthetic = options.data_dir.empty();
  // The data path is checked before anything else runs.
  Table table;
  if (run.synthetic) {
    progress("no --data-dir: building the embedded synthetic world (illustrative only)");
    table = SynthesizeDemoWorld();
    run.data_source = fmt::format(
        "Synthetic world built in memory by SynthesizeSquareWorld (seed {}): the Advanced "
        "Guide's 69 country codes, 1986\u20132006, domestic flows included. The numbers are "
        "made up and say nothing about real trade.",
        kSyntheticSeed);
  } else {
    const std::string path = FindAdvancedGuideFile(options.data_dir, kDataFile);
    progress(fmt::format("reading {}", path));
    table = ReadTable(path);
    run.data_source = fmt::format(
        "Yotov, Piermartini, Monteiro & Larch (2016), An Advanced Guide to Trade Policy "
        "Analysis (WTO/UNCTAD), {}: aggregate manufacturing trade in millions of current US$, "
        "69 countries, 1986\u20132006, domestic flows included ({}).",
        kDataFile, DisplayPath(path));
  }
  progress(fmt::format("{} rows ({:.2f} s)", table.num_rows, elapsed()));

  ScenarioOverrides overrides;
  overrides.data_dir = run.synthetic ? "<synthetic>" : options.data_dir;
  overrides.data_in_memory = true;
  RunOptions run_options;
  run_options.quiet = options.quiet;
  run_options.threads = options.threads;
  run_options.on_replication = options.on_replication;

  const auto& files = demo_internal::EmbeddedScenarios();
  for (const ScenarioPlan& plan : Plans()) {
    const auto file = std::find_if(files.begin(), files.end(), [&](const auto& embedded) {
      return embedded.name == plan.file;
    });
    if (file == files.end()) {
      throw Error(ErrorCode::kInternal, fmt::format("embedded scenario {} missing", plan.file));
    }
    DemoScenario item;
    item.key = plan.key;
    item.title = plan.title;
    item.file = plan.file;
    const std::string name = std::string("examples/ticad9/") + plan.file;
    item.scenario = ParseScenario(file->text, name, "", overrides);
    // --replications applies to the scenarios that have a bootstrap (B); the
    // others have no estimation to re-run.
    if (options.replications && item.scenario.uncertainty.method != UncertaintyMethod::kNone) {
      ScenarioOverrides with_replications = overrides;
      with_replications.replications = options.replications;
      item.scenario = ParseScenario(file->text, name, "", with_replications);
    }
    run_options.progress = [&, key = item.key](const std::string& line) {
      progress(fmt::format("[{}] {}", key, line));
    };
    progress(fmt::format("[{}] {}", item.key, item.scenario.description));
    item.outcome = RunScenarioOnTable(item.scenario, table, run_options);
    if (plan.varied_shock != nullptr) {
      Scenario varied = item.scenario;
      Shock& shock = FindShock(varied, plan.varied_shock);
      item.setting = fmt::format(fmt::runtime(plan.setting_format), VariedSize(shock));
      for (const auto& [label, value] :
           {std::pair("low", plan.low), std::pair("high", plan.high)}) {
        VariedSize(shock) = value;
        DemoVariant variant;
        variant.label = label;
        variant.setting = fmt::format(fmt::runtime(plan.setting_format), value);
        progress(fmt::format("[{}] sensitivity ({}): {}", item.key, label, variant.setting));
        RunOptions quiet_options = run_options;
        quiet_options.quiet = true;
        variant.outcome = RunScenarioOnTable(varied, table, quiet_options);
        item.variants.push_back(std::move(variant));
      }
    }
    run.scenarios.push_back(std::move(item));
  }
  progress(fmt::format("trade scenarios done ({:.1f} s)", elapsed()));
  RunAgenda(options, &run);
  run.seconds = elapsed();
  progress(fmt::format("all done ({:.1f} s)", run.seconds));
  return run;
}

std::string SummarizeDemo(const DemoRun& run) {
  using demo_internal::ByKey;
  using demo_internal::FlowChange;
  using demo_internal::Group;
  using demo_internal::RealGdp;
  using demo_internal::Signed;
  std::string text;
  if (run.synthetic) text += std::string(kSyntheticLabel) + "\n";
  const DemoScenario& a = ByKey(run, "A");
  const DemoScenario& b = ByKey(run, "B");
  const DemoScenario& c = ByKey(run, "C");
  const DemoScenario& d = ByKey(run, "D");
  text += fmt::format(
      "A  Japan removes tariff + NTBs on Kenya: KEN exports to JPN {} (policy range {} to {}), KEN "
      "real GDP {}\n",
      Signed(FlowChange(a.outcome, "KEN", "JPN"), 1),
      Signed(FlowChange(a.variants[0].outcome, "KEN", "JPN"), 1),
      Signed(FlowChange(a.variants[1].outcome, "KEN", "JPN"), 1),
      Signed(RealGdp(a.outcome, "KEN"), 2));
  text += fmt::format(
      "B  African FTA (RTA {:.4f}): intra-African share {:.2f}% -> {:.2f}%, KEN real GDP {}\n",
      b.outcome.coefficients.at("RTA"), 100 * Group(b.outcome).intra_share_before,
      100 * Group(b.outcome).intra_share_after, Signed(RealGdp(b.outcome, "KEN"), 2));
  text += fmt::format(
      "C  50% intra-African share needs a {:.2f}% cut in intra-African trade costs "
      "(baseline share {:.2f}%)\n",
      -c.outcome.goal->value, 100 * Group(c.outcome).intra_share_before);
  text += fmt::format("D  Kenya ports (-5% trade costs): KEN real GDP {} (policy range {} to {})\n",
                      Signed(RealGdp(d.outcome, "KEN"), 2),
                      Signed(RealGdp(d.variants[0].outcome, "KEN"), 2),
                      Signed(RealGdp(d.variants[1].outcome, "KEN"), 2));
  text += "E  " + demo_internal::FinancingHeadline(run.financing) + "\n";
  text += "F  " + demo_internal::RatingHeadline(run.rating) + "\n";
  text += "G  " + demo_internal::ProductsHeadline(run.products) + "\n";
  return text;
}

}  // namespace mizani

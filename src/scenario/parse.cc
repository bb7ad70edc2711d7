// Scenario files: TOML -> Scenario, with every check that does not need the
// data. Messages name the file, line and key and say what was expected.
#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <variant>

#include "common/data_path.h"
#include "mizani/error.h"
#include "mizani/scenario.h"
#include "scenario/internal.h"
#include "scenario/reader.h"

namespace mizani {

namespace fs = std::filesystem;

SourceRef DataSpec::Where(const std::string& key) const {
  const auto found = key_refs.find(key);
  if (found != key_refs.end()) return found->second;
  SourceRef ref = where;
  ref.key = key;
  return ref;
}

namespace {

// The kind names, in ShockSpec order.
template <size_t... kIdx>
constexpr std::array<const char*, sizeof...(kIdx)> KindNames(std::index_sequence<kIdx...>) {
  return {std::variant_alternative_t<kIdx, ShockSpec>::kName...};
}
constexpr auto kKindNames = KindNames(std::make_index_sequence<std::variant_size_v<ShockSpec>>());

// A default-constructed alternative by its index.
template <size_t... kIdx>
ShockSpec MakeSpec(size_t kind_idx, std::index_sequence<kIdx...>) {
  static constexpr std::array<ShockSpec (*)(), sizeof...(kIdx)> kMake = {
      [] { return ShockSpec(std::in_place_index<kIdx>); }...};
  return kMake[kind_idx]();
}

}  // namespace

const char* ToString(ShockKind kind) {
  const auto kind_idx = static_cast<size_t>(kind);
  return kind_idx < kKindNames.size() ? kKindNames[kind_idx] : "?";
}

namespace {

using scenario_parse::Reader;
using scenario_parse::ShockKeys;

// ${MIZANI_DATA} expands to the --data-dir override or the environment
// variable; a relative path resolves against --data-dir when given, else the
// scenario file's folder (so a scenario and its data can move together).
std::string ResolvePath(const std::string& raw, const std::string& base_dir,
                        const std::string& data_dir, const Reader& reader, const SourceRef& where,
                        bool is_data) {
  const DataPathExpansion expansion = ExpandDataVariable(raw, data_dir);
  if (expansion.root_missing) {
    reader.Fail(where,
                "the path uses ${MIZANI_DATA} but neither --data-dir nor the MIZANI_DATA "
                "environment variable is set");
  }
  if (expansion.used) return expansion.path;
  if (fs::path(raw).is_absolute()) return raw;
  if (is_data && !data_dir.empty()) return (fs::path(data_dir) / raw).string();
  if (base_dir.empty()) return raw;
  return (fs::path(base_dir) / raw).string();
}

void ParseData(const toml::table& root, const Reader& reader, const std::string& base_dir,
               const ScenarioOverrides& overrides, Scenario& scenario) {
  const toml::node* node = root.get("data");
  if (node == nullptr || !node->is_table()) {
    SourceRef where;
    where.file = reader.file();
    where.key = "data";
    reader.Fail(where, "missing [data] table (path, columns and baseline_year)");
  }
  const toml::table& table = *node->as_table();
  reader.CheckKeys(table, "data",
                   {"path", "exporter", "importer", "year", "trade", "baseline_year", "encoding"});
  DataSpec& data = scenario.data;
  data.where = reader.Ref(table, "data");
  const auto path = reader.String(table, "data", "path");
  if (!path) reader.Fail(data.where, "missing key 'path' (the data file: .csv, .csv.gz or .dta)");
  const SourceRef path_ref = reader.Ref(*table.get("path"), "data.path");
  data.path = ResolvePath(*path, base_dir, overrides.data_dir, reader, path_ref, true);
  std::error_code error;
  if (!overrides.data_in_memory && !fs::is_regular_file(data.path, error)) {
    throw Error(ErrorCode::kFileUnreadable,
                fmt::format("{}: data file '{}' does not exist or is not a file",
                            path_ref.Describe(), data.path));
  }
  for (auto&& [key, value] : table) {
    const std::string name = "data." + std::string(key.str());
    data.key_refs[name] = reader.Ref(value, name);
  }
  data.exporter = reader.String(table, "data", "exporter").value_or("exporter");
  data.importer = reader.String(table, "data", "importer").value_or("importer");
  data.year = reader.String(table, "data", "year").value_or("year");
  data.trade = reader.String(table, "data", "trade").value_or("trade");
  if (const auto year = reader.IntegerIn(table, "data", "baseline_year", 1, 9999)) {
    data.baseline_year = *year;
  }
  if (const auto encoding = reader.String(table, "data", "encoding")) {
    const auto parsed = ParseTextEncoding(*encoding);
    if (!parsed) {
      reader.Fail(reader.Ref(*table.get("encoding"), "data.encoding"),
                  fmt::format("unknown encoding '{}': \"utf8\" or \"latin1\"", *encoding));
    }
    data.encoding = *parsed;
  }
}

void ParseEstimation(const toml::table& root, const Reader& reader, Scenario& scenario) {
  const toml::node* node = root.get("estimation");
  if (node == nullptr) return;
  if (!node->is_table()) reader.Fail(reader.Ref(*node, "estimation"), "expected a table");
  const toml::table& table = *node->as_table();
  reader.CheckKeys(table, "estimation",
                   {"formula", "filters", "vcov", "cluster", "ssc", "tolerance", "separation_check",
                    "drop_singletons"});
  EstimationSpec spec;
  spec.where = reader.Ref(table, "estimation");
  const auto formula = reader.String(table, "estimation", "formula");
  if (!formula) {
    reader.Fail(spec.where,
                "missing key 'formula' (fixest syntax, e.g. \"trade ~ RTA | exporter^year + "
                "importer^year + pair_id\")");
  }
  spec.formula = *formula;
  spec.filters =
      reader.Strings(table, "estimation", "filters").value_or(std::vector<std::string>{});
  spec.cluster =
      reader.Strings(table, "estimation", "cluster").value_or(std::vector<std::string>{});
  spec.vcov =
      reader.Choice(table, "estimation", "vcov", DefaultVcov(!spec.cluster.empty()), VcovNames());
  if (spec.vcov == VcovType::kCluster && spec.cluster.empty()) {
    reader.Fail(reader.Ref(*table.get("vcov"), "estimation.vcov"),
                "vcov = \"cluster\" needs cluster = \"column\"");
  }
  spec.small_sample =
      reader.Choice(table, "estimation", "ssc", kDefaultSmallSample, SmallSampleNames());
  if (const auto tolerance = reader.Number(table, "estimation", "tolerance")) {
    if (*tolerance <= 0) {
      reader.Fail(reader.Ref(*table.get("tolerance"), "estimation.tolerance"),
                  "expected a positive number");
    }
    spec.tolerance = *tolerance;
  }
  spec.check_separation = reader.Bool(table, "estimation", "separation_check").value_or(true);
  spec.drop_singletons = reader.Bool(table, "estimation", "drop_singletons").value_or(true);
  scenario.estimation = spec;
}

void ParseModel(const toml::table& root, const Reader& reader, Scenario& scenario) {
  const toml::node* node = root.get("model");
  if (node == nullptr || !node->is_table()) {
    SourceRef where;
    where.file = reader.file();
    where.key = "model";
    reader.Fail(where, "missing [model] table (sigma or theta at least)");
  }
  const toml::table& table = *node->as_table();
  reader.CheckKeys(
      table, "model",
      {"sigma", "theta", "mode", "imbalances", "solver", "normalisation", "normalization",
       "reference", "tolerance", "baseline", "fitted_loop", "fitted_gravity", "fitted_costs"});
  ModelSpec& model = scenario.model;
  model.where = reader.Ref(table, "model");
  const auto sigma = reader.Number(table, "model", "sigma");
  const auto theta = reader.Number(table, "model", "theta");
  if (sigma && theta) {
    reader.Fail(reader.Ref(*table.get("theta"), "model.theta"),
                "give sigma or theta (= sigma - 1), not both");
  }
  if (sigma) {
    if (*sigma <= 1) {
      reader.Fail(reader.Ref(*table.get("sigma"), "model.sigma"),
                  fmt::format("sigma = {} but the elasticity of substitution must exceed 1 "
                              "(theta = sigma - 1 > 0)",
                              *sigma));
    }
    model.theta = *sigma - 1;
  } else if (theta) {
    if (*theta <= 0) {
      reader.Fail(reader.Ref(*table.get("theta"), "model.theta"),
                  fmt::format("theta = {} but the trade elasticity must be positive", *theta));
    }
    model.theta = *theta;
  } else {
    reader.Fail(model.where, "missing 'sigma' (elasticity of substitution > 1) or 'theta'");
  }
  model.mode = reader.Choice(table, "model", "mode", GeMode::kFullEndowment,
                             {{"full", GeMode::kFullEndowment},
                              {"full_endowment", GeMode::kFullEndowment},
                              {"conditional", GeMode::kConditional}});
  model.imbalance = reader.Choice(table, "model", "imbalances", ImbalanceMode::kAdditive,
                                  {{"additive", ImbalanceMode::kAdditive},
                                   {"multiplicative", ImbalanceMode::kMultiplicative},
                                   {"removed", ImbalanceMode::kRemoved}});
  model.solver = reader.Choice(table, "model", "solver", GeSolver::kHat,
                               {{"hat", GeSolver::kHat}, {"geppml", GeSolver::kGeppml}});
  model.baseline =
      reader.Choice(table, "model", "baseline", BaselineKind::kObserved,
                    {{"observed", BaselineKind::kObserved}, {"fitted", BaselineKind::kFitted}});
  model.fitted_book_loop =
      reader.Choice(table, "model", "fitted_loop", true, {{"book", true}, {"exact", false}});
  model.fitted_costs =
      reader.Choice(table, "model", "fitted_costs",
                    scenario.data.baseline_year ? FittedCosts::kPanel : FittedCosts::kEstimation,
                    {{"panel", FittedCosts::kPanel}, {"estimation", FittedCosts::kEstimation}});
  if (const toml::node* gravity = table.get("fitted_gravity")) {
    const toml::array* list = gravity->as_array();
    model.fitted_gravity.clear();
    for (size_t entry_idx = 0; list != nullptr && entry_idx < list->size(); ++entry_idx) {
      const auto text = (*list)[entry_idx].value<std::string>();
      if (!text) break;
      model.fitted_gravity.push_back(*text);
    }
    if (list == nullptr || model.fitted_gravity.size() != list->size()) {
      reader.Fail(reader.Ref(*gravity, "model.fitted_gravity"),
                  "expected a list of column names, e.g. [\"log(DIST)\", \"CNTG\"]");
    }
  }
  const char* norm_key = table.get("normalization") != nullptr ? "normalization" : "normalisation";
  model.normalization = reader.Choice(table, "model", norm_key, Normalization::kWorldOutput,
                                      {{"world_output", Normalization::kWorldOutput},
                                       {"reference", Normalization::kReferencePrice},
                                       {"reference_price", Normalization::kReferencePrice}});
  model.reference_country = reader.String(table, "model", "reference").value_or("");
  if (model.normalization == Normalization::kReferencePrice && model.reference_country.empty()) {
    reader.Fail(reader.Ref(*table.get(norm_key), std::string("model.") + norm_key),
                "normalisation = \"reference\" needs reference = \"ISO3\" (the country whose "
                "inward resistance is held fixed)");
  }
  if (const auto tolerance = reader.Number(table, "model", "tolerance")) {
    if (*tolerance <= 0) {
      reader.Fail(reader.Ref(*table.get("tolerance"), "model.tolerance"),
                  "expected a positive number");
    }
    model.tolerance = *tolerance;
  }
}

void ParseGroups(const toml::table& root, const Reader& reader, Scenario& scenario) {
  const toml::node* node = root.get("groups");
  if (node == nullptr) return;
  if (!node->is_table()) reader.Fail(reader.Ref(*node, "groups"), "expected a table");
  for (auto&& [key, value] : *node->as_table()) {
    const std::string name(key.str());
    const std::string path = "groups." + name;
    if (name == "*") reader.Fail(reader.Ref(value, path), "'*' is reserved for all countries");
    scenario.groups[name] = reader.Countries(value, path);
  }
  // A group may list another group; reject cycles and unknown names later
  // (ResolveCountries), but catch self-reference here for a clear message.
  for (const auto& [name, spec] : scenario.groups) {
    for (const auto& entry : spec.entries) {
      if (entry == name) reader.Fail(spec.where, fmt::format("group '{}' lists itself", name));
    }
  }
}

// Country codes are upper-case tokens (ISO3 "KEN", or "C001" in synthetic
// data); anything else that is not a group is a typo worth reporting early.
bool LooksLikeCode(const std::string& entry) {
  if (entry.size() < 2 || entry.size() > 8) return false;
  for (char ch : entry) {
    const bool allowed =
        (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
    if (!allowed) return false;
  }
  return true;
}

// Group references must name a group; codes are checked against the data later.
void CheckGroupRefs(const CountrySpec& spec, const Scenario& scenario, const Reader& reader) {
  for (const auto& entry : spec.entries) {
    if (entry == "*" || scenario.groups.count(entry) > 0 || LooksLikeCode(entry)) continue;
    std::string known;
    for (const auto& [name, group] : scenario.groups) known += (known.empty() ? "" : ", ") + name;
    reader.Fail(spec.where,
                fmt::format("'{}' is neither a group nor a country code (upper-case letters and "
                            "digits, e.g. \"KEN\"); groups defined: {}",
                            entry, known.empty() ? "none" : known));
  }
}

// A shock's kind and the keys that kind accepts.
void ParseShockKind(const toml::table& table, const std::string& path, const Reader& reader,
                    Shock& shock) {
  std::string names;
  for (size_t kind_idx = 0; kind_idx < kKindNames.size(); ++kind_idx) {
    names += fmt::format("{}\"{}\"",
                         kind_idx == 0                       ? ""
                         : kind_idx + 1 == kKindNames.size() ? " or "
                                                             : ", ",
                         kKindNames[kind_idx]);
  }
  if (table.get("kind") == nullptr) {
    reader.Fail(shock.where, fmt::format("missing key 'kind' ({})", names));
  }
  const std::string name = *reader.String(table, path, "kind");
  const auto found = std::find_if(kKindNames.begin(), kKindNames.end(),
                                  [&](const char* candidate) { return name == candidate; });
  if (found == kKindNames.end()) {
    std::string list;
    for (const char* candidate : kKindNames) {
      list += (list.empty() ? "\"" : ", \"") + std::string(candidate) + "\"";
    }
    reader.Fail(reader.Ref(*table.get("kind"), path + ".kind"),
                fmt::format("'{}' is not a valid value; expected one of {}", name, list));
  }
  shock.spec = MakeSpec(found - kKindNames.begin(),
                        std::make_index_sequence<std::variant_size_v<ShockSpec>>());
  std::vector<std::string> keys = {"kind", "name", "members", "between", "exporters", "importers"};
  std::visit(
      [&](const auto& kind) {
        using Kind = std::decay_t<decltype(kind)>;
        const std::vector<std::string> own = Kind::Keys();
        keys.insert(keys.end(), own.begin(), own.end());
      },
      shock.spec);
  reader.CheckKeys(table, path, keys);
}

// The pair selection (members, between, exporters/importers, country + side):
// exactly one, with known group references.
void ParsePairSelection(const toml::table& table, const std::string& path, const Reader& reader,
                        const Scenario& scenario, Shock& shock) {
  PairSelection& pairs = shock.pairs;
  int selections = 0;
  if (const toml::node* members = table.get("members")) {
    pairs.members = reader.Countries(*members, path + ".members");
    ++selections;
  }
  if (const toml::node* between = table.get("between")) {
    const toml::array* sides = between->as_array();
    if (sides == nullptr || sides->size() != 2) {
      reader.Fail(reader.Ref(*between, path + ".between"),
                  "expected two country sets, e.g. between = [\"EU\", \"EAC\"]");
    }
    pairs.between_a = reader.Countries(*sides->get(0), path + ".between[0]");
    pairs.between_b = reader.Countries(*sides->get(1), path + ".between[1]");
    ++selections;
  }
  const toml::node* exporters = table.get("exporters");
  const toml::node* importers = table.get("importers");
  if (exporters != nullptr || importers != nullptr) {
    CountrySpec all;
    all.entries = {"*"};
    all.where = shock.where;
    pairs.exporters = exporters ? reader.Countries(*exporters, path + ".exporters") : all;
    pairs.importers = importers ? reader.Countries(*importers, path + ".importers") : all;
    ++selections;
  }
  if (const toml::node* country = table.get("country")) {
    pairs.country = reader.Countries(*country, path + ".country");
    pairs.side = reader.Choice(table, path, "side", TradeSide::kBoth,
                               {{"exports", TradeSide::kExports},
                                {"imports", TradeSide::kImports},
                                {"both", TradeSide::kBoth}});
    ++selections;
  } else if (table.get("side") != nullptr) {
    reader.Fail(reader.Ref(*table.get("side"), path + ".side"), "'side' needs 'country'");
  }
  if (selections != 1) {
    reader.Fail(shock.where,
                selections == 0
                    ? "no pairs selected: give members, between, exporters/importers"
                      " (or country for trade_cost)"
                    : "give exactly one of members, between, exporters/importers, country");
  }
  for (const CountrySpec* spec : {&pairs.members, &pairs.between_a, &pairs.between_b,
                                  &pairs.exporters, &pairs.importers, &pairs.country}) {
    CheckGroupRefs(*spec, scenario, reader);
  }
}

void ParseShocks(const toml::table& root, const Reader& reader, Scenario& scenario) {
  const toml::node* node = root.get("shocks");
  if (node == nullptr) return;
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    reader.Fail(reader.Ref(*node, "shocks"), "expected [[shocks]] tables");
  }
  std::set<std::string> names;
  for (size_t shock_idx = 0; shock_idx < array->size(); ++shock_idx) {
    const toml::node& element = *array->get(shock_idx);
    const std::string path = fmt::format("shocks[{}]", shock_idx);
    if (!element.is_table()) reader.Fail(reader.Ref(element, path), "expected a table");
    const toml::table& table = *element.as_table();
    Shock shock;
    shock.where = reader.Ref(table, path);
    ParseShockKind(table, path, reader, shock);
    shock.name = reader.String(table, path, "name").value_or(path);
    if (!names.insert(shock.name).second) {
      reader.Fail(reader.Ref(*table.get("name"), path + ".name"),
                  fmt::format("two shocks are named '{}'", shock.name));
    }
    ParsePairSelection(table, path, reader, scenario, shock);
    const ShockKeys keys{table, path, reader, shock.where};
    std::visit([&](auto& kind) { kind.Parse(keys); }, shock.spec);
    scenario.shocks.push_back(std::move(shock));
  }
}

void ParseOutput(const toml::table& root, const Reader& reader, const std::string& base_dir,
                 const ScenarioOverrides& overrides, Scenario& scenario) {
  OutputSpec& output = scenario.output;
  const toml::node* node = root.get("output");
  if (node != nullptr) {
    if (!node->is_table()) reader.Fail(reader.Ref(*node, "output"), "expected a table");
    const toml::table& table = *node->as_table();
    reader.CheckKeys(table, "output", {"folder", "focus", "tables"});
    output.where = reader.Ref(table, "output");
    if (const auto folder = reader.String(table, "output", "folder")) {
      output.folder = ResolvePath(*folder, base_dir, "", reader,
                                  reader.Ref(*table.get("folder"), "output.folder"), false);
    }
    if (const toml::node* focus = table.get("focus")) {
      std::vector<std::string> parts = reader.StringsOf(*focus, "output.focus");
      if (parts.size() == 1) {
        // "KEN->JPN"
        const size_t arrow = parts[0].find("->");
        if (arrow != std::string::npos) {
          parts = {parts[0].substr(0, arrow), parts[0].substr(arrow + 2)};
        }
      }
      if (parts.size() != 2 || parts[0] == parts[1]) {
        reader.Fail(reader.Ref(*focus, "output.focus"),
                    "expected \"EXP->IMP\" or [\"EXP\", \"IMP\"] with two different countries");
      }
      output.focus_exporter = parts[0];
      output.focus_importer = parts[1];
    }
    if (const auto tables = reader.Strings(table, "output", "tables")) {
      static const std::set<std::string> kKnown = {"countries",    "pairs",      "groups",
                                                   "coefficients", "focus",      "uncertainty",
                                                   "goal",         "sensitivity"};
      for (const auto& name : *tables) {
        if (kKnown.count(name) == 0) {
          reader.Fail(reader.Ref(*table.get("tables"), "output.tables"),
                      fmt::format("unknown table '{}'; expected countries, pairs, groups, "
                                  "coefficients, focus, uncertainty, goal, sensitivity",
                                  name));
        }
      }
      output.tables = *tables;
    }
  }
  if (!overrides.output_folder.empty()) output.folder = overrides.output_folder;
  if (output.folder.empty()) {
    output.folder =
        (fs::path(base_dir.empty() ? "." : base_dir) /
         (scenario.name.empty() ? std::string("scenario-results") : scenario.name + "-results"))
            .string();
  }
}

void ParseUncertainty(const toml::table& root, const Reader& reader,
                      const ScenarioOverrides& overrides, Scenario& scenario) {
  UncertaintySpec& spec = scenario.uncertainty;
  const toml::node* node = root.get("uncertainty");
  if (node != nullptr) {
    if (!node->is_table()) reader.Fail(reader.Ref(*node, "uncertainty"), "expected a table");
    const toml::table& table = *node->as_table();
    reader.CheckKeys(table, "uncertainty",
                     {"replications", "seed", "method", "level", "unit", "sigma", "sigma_sd"});
    spec.where = reader.Ref(table, "uncertainty");
    spec.method = reader.Choice(table, "uncertainty", "method", UncertaintyMethod::kPairBootstrap,
                                {{"pair", UncertaintyMethod::kPairBootstrap},
                                 {"parametric", UncertaintyMethod::kParametric}});
    spec.replications =
        reader.IntegerIn(table, "uncertainty", "replications", 0, 1000000).value_or(200);
    spec.seed = static_cast<uint64_t>(reader.Integer(table, "uncertainty", "seed").value_or(1));
    spec.level = reader.Number(table, "uncertainty", "level").value_or(0.95);
    if (spec.level <= 0 || spec.level >= 1) {
      reader.Fail(reader.Ref(*table.get("level"), "uncertainty.level"),
                  "expected a coverage level strictly between 0 and 1 (e.g. 0.95)");
    }
    spec.unit_column = reader.String(table, "uncertainty", "unit").value_or("");
    if (const toml::node* sigma = table.get("sigma")) {
      const toml::array* list = sigma->as_array();
      for (size_t entry_idx = 0; list != nullptr && entry_idx < list->size(); ++entry_idx) {
        const auto value = (*list)[entry_idx].value<double>();
        if (!value || !(*value > 1) || !std::isfinite(*value)) break;
        spec.sigma_values.push_back(*value);
      }
      if (list == nullptr || list->empty() || spec.sigma_values.size() != list->size()) {
        reader.Fail(reader.Ref(*sigma, "uncertainty.sigma"),
                    "expected a non-empty list of elasticities of substitution, each > 1");
      }
    }
    if (const auto sd = reader.Number(table, "uncertainty", "sigma_sd")) {
      if (!(*sd > 0) || !std::isfinite(*sd)) {
        reader.Fail(reader.Ref(*table.get("sigma_sd"), "uncertainty.sigma_sd"),
                    "expected a positive standard deviation");
      }
      if (!spec.sigma_values.empty()) {
        reader.Fail(reader.Ref(*table.get("sigma_sd"), "uncertainty.sigma_sd"),
                    "give sigma (a list to draw from) or sigma_sd (a normal), not both");
      }
      spec.sigma_sd = *sd;
    }
  }
  if (overrides.replications) {
    spec.replications = *overrides.replications;
    if (spec.method == UncertaintyMethod::kNone && spec.replications > 0) {
      spec.method = UncertaintyMethod::kPairBootstrap;
    }
  }
  if (overrides.seed) spec.seed = *overrides.seed;
  if (spec.replications < 0) {
    reader.Fail(spec.where, "replications must be >= 0");
  }
  if (spec.replications == 0) spec.method = UncertaintyMethod::kNone;
  if (spec.method != UncertaintyMethod::kNone) {
    if (spec.replications < 2) reader.Fail(spec.where, "at least 2 replications are needed");
    if (!scenario.estimation) {
      reader.Fail(spec.where,
                  fmt::format("{} needs an [estimation]: the intervals come from re-estimating "
                              "the coefficients that feed the shocks",
                              node == nullptr ? "--replications" : "[uncertainty]"));
    }
  }
}

void ParseGoal(const toml::table& root, const Reader& reader, Scenario& scenario) {
  const toml::node* node = root.get("goal");
  if (node == nullptr) return;
  if (!node->is_table()) reader.Fail(reader.Ref(*node, "goal"), "expected a table");
  const toml::table& table = *node->as_table();
  reader.CheckKeys(
      table, "goal",
      {"outcome", "group", "country", "target", "shock", "range", "tolerance", "max_iterations"});
  GoalSpec& goal = scenario.goal;
  goal.enabled = true;
  goal.where = reader.Ref(table, "goal");
  goal.outcome = reader.Choice(table, "goal", "outcome", GoalOutcome::kIntraGroupShare,
                               {{"intra_group_share", GoalOutcome::kIntraGroupShare},
                                {"exports_change_pct", GoalOutcome::kExportsChangePct},
                                {"imports_change_pct", GoalOutcome::kImportsChangePct},
                                {"real_gdp_change_pct", GoalOutcome::kRealGdpChangePct},
                                {"welfare_change_pct", GoalOutcome::kWelfareChangePct}});
  if (goal.outcome == GoalOutcome::kIntraGroupShare) {
    const auto group = reader.String(table, "goal", "group");
    if (!group) reader.Fail(goal.where, "outcome = \"intra_group_share\" needs group = \"name\"");
    if (scenario.groups.count(*group) == 0) {
      reader.Fail(reader.Ref(*table.get("group"), "goal.group"),
                  fmt::format("unknown group '{}'; define it under [groups]", *group));
    }
    goal.group = *group;
  } else {
    const auto country = reader.String(table, "goal", "country");
    if (!country) reader.Fail(goal.where, "this outcome needs country = \"ISO3\"");
    goal.country = *country;
  }
  const auto target = reader.Number(table, "goal", "target");
  if (!target) reader.Fail(goal.where, "missing 'target' (the value the outcome should reach)");
  goal.target = *target;
  const auto shock = reader.String(table, "goal", "shock");
  if (!shock) reader.Fail(goal.where, "missing 'shock' (the name of the shock whose size varies)");
  goal.shock = *shock;
  const Shock* varied = nullptr;
  for (const Shock& candidate : scenario.shocks) {
    if (candidate.name == goal.shock) varied = &candidate;
  }
  if (varied == nullptr) {
    reader.Fail(reader.Ref(*table.get("shock"), "goal.shock"),
                fmt::format("no shock is named '{}' (give the shock name = \"{}\")", goal.shock,
                            goal.shock));
  }
  const std::optional<GoalRange> default_range =
      std::visit([](const auto& kind) { return kind.DefaultGoalRange(); }, varied->spec);
  if (!default_range) {
    reader.Fail(reader.Ref(*table.get("shock"), "goal.shock"),
                "goal seeking cannot vary an estimated coefficient; vary a trade_cost, tariff, "
                "ntb or an agreement with a given coefficient");
  }
  if (const toml::node* range = table.get("range")) {
    const toml::array* bounds = range->as_array();
    if (bounds == nullptr || bounds->size() != 2 || !bounds->get(0)->is_number() ||
        !bounds->get(1)->is_number()) {
      reader.Fail(reader.Ref(*range, "goal.range"), "expected [low, high]");
    }
    goal.low = *bounds->get(0)->value<double>();
    goal.high = *bounds->get(1)->value<double>();
  } else {
    goal.low = default_range->low;
    goal.high = default_range->high;
  }
  if (!(goal.low < goal.high)) {
    reader.Fail(goal.where, fmt::format("empty range [{}, {}]", goal.low, goal.high));
  }
  const std::optional<std::string> outside = std::visit(
      [&](const auto& kind) { return kind.CheckGoalRange(goal.low, goal.high); }, varied->spec);
  if (outside) reader.Fail(goal.where, *outside);
  goal.tolerance = reader.Number(table, "goal", "tolerance").value_or(1e-6);
  if (goal.tolerance <= 0) reader.Fail(goal.where, "tolerance must be positive");
  goal.max_iterations = reader.IntegerIn(table, "goal", "max_iterations", 1, 100000).value_or(100);
}

}  // namespace

Scenario ParseScenario(const std::string& toml_text, const std::string& file,
                       const std::string& base_dir, const ScenarioOverrides& overrides) {
  Reader reader(file);
  toml::table root;
  try {
    root = toml::parse(toml_text, file);
  } catch (const toml::parse_error& error) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{}:{}:{}: invalid TOML: {}", file, error.source().begin.line,
                            error.source().begin.column, error.description()));
  }
  reader.CheckKeys(root, "",
                   {"name", "description", "data", "estimation", "model", "groups", "shocks",
                    "output", "uncertainty", "goal"});
  Scenario scenario;
  scenario.file = file;
  scenario.name = reader.String(root, "", "name").value_or("");
  scenario.description = reader.String(root, "", "description").value_or("");
  ParseData(root, reader, base_dir, overrides, scenario);
  ParseEstimation(root, reader, scenario);
  ParseModel(root, reader, scenario);
  ParseGroups(root, reader, scenario);
  ParseShocks(root, reader, scenario);
  if (scenario.shocks.empty() && root.get("goal") == nullptr) {
    SourceRef where;
    where.file = file;
    where.key = "shocks";
    reader.Fail(where, "no [[shocks]]: a scenario needs at least one shock");
  }
  for (const Shock& shock : scenario.shocks) {
    if (!EstimatedTerm(shock).empty() && !scenario.estimation) {
      reader.Fail(shock.where, fmt::format("coefficient = \"estimated\" (term '{}') needs an "
                                           "[estimation] table",
                                           EstimatedTerm(shock)));
    }
  }
  ParseOutput(root, reader, base_dir, overrides, scenario);
  ParseUncertainty(root, reader, overrides, scenario);
  ParseGoal(root, reader, scenario);
  if (scenario.uncertainty.method != UncertaintyMethod::kNone) {
    bool uses_estimate = false;
    for (const Shock& shock : scenario.shocks) uses_estimate |= !EstimatedTerm(shock).empty();
    if (!uses_estimate) {
      reader.Fail(scenario.uncertainty.where,
                  "[uncertainty] has nothing to vary: no shock uses coefficient = \"estimated\"");
    }
  }
  return scenario;
}

Scenario LoadScenario(const std::string& path, const ScenarioOverrides& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(ErrorCode::kFileUnreadable, fmt::format("cannot read scenario file {}", path));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string base_dir = fs::path(path).parent_path().string();
  return ParseScenario(buffer.str(), path, base_dir, overrides);
}

}  // namespace mizani

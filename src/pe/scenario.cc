// `mizani pe` scenario files: TOML -> PeScenario, reading the input tables.
// Every message names the file and the key, or the file, row and column.
#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "mizani/error.h"
#include "mizani/pe_scenario.h"
#include "mizani/read.h"
#include "pe/checks.h"
#include "pe/inputs.h"

namespace mizani::pe {

namespace fs = std::filesystem;

const char* ToString(CellStatus status) {
  switch (status) {
    case CellStatus::kSourced:
      return "sourced";
    case CellStatus::kAssumed:
      return "assumed";
    case CellStatus::kToFill:
      return "to-fill";
  }
  return "?";
}

namespace {

class TomlReader {
 public:
  explicit TomlReader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void Fail(const toml::node* node, const std::string& key,
                         const std::string& message) const {
    std::string where = file_;
    if (node != nullptr) {
      where += fmt::format(":{}:{}", node->source().begin.line, node->source().begin.column);
    }
    throw Error(ErrorCode::kBadScenario, fmt::format("{} ({}): {}", where, key, message));
  }

  void AllowKeys(const toml::table& table, const std::string& path,
                 const std::set<std::string>& allowed) const {
    for (auto&& [key, node] : table) {
      if (allowed.count(std::string(key.str())) == 0) {
        std::string list;
        for (const std::string& name : allowed) list += (list.empty() ? "" : ", ") + name;
        Fail(&node, path + std::string(key.str()),
             fmt::format("unknown key; expected one of: {}", list));
      }
    }
  }

  std::optional<std::string> Text(const toml::table& table, const std::string& path,
                                  const char* key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_string()) Fail(node, path + key, "expected a string");
    return node->value<std::string>();
  }

  std::optional<double> Real(const toml::table& table, const std::string& path,
                             const char* key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_number()) Fail(node, path + key, "expected a number");
    return node->value<double>();
  }

  std::vector<std::string> Texts(const toml::table& table, const std::string& path,
                                 const char* key) const {
    std::vector<std::string> out;
    const toml::node* node = table.get(key);
    if (node == nullptr) return out;
    if (node->is_string()) return {*node->value<std::string>()};
    const toml::array* array = node->as_array();
    if (array == nullptr) Fail(node, path + key, "expected a string or an array of strings");
    for (const toml::node& element : *array) {
      if (!element.is_string()) Fail(&element, path + key, "expected strings");
      out.push_back(*element.value<std::string>());
    }
    return out;
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

// Percent in files and scenarios (the WITS convention), fractions inside.
double Percent(const TomlReader& reader, const toml::table& table, const std::string& path,
               const char* key, double value) {
  if (!std::isfinite(value) || value < 0) {
    reader.Fail(table.get(key), path + key,
                fmt::format("rate {} must be a finite percentage >= 0", value));
  }
  return value / 100;
}

ElasticitySource ParseSource(const TomlReader& reader, const toml::node* node,
                             const std::string& key, const std::string& name) {
  if (name == "wits") return ElasticitySource::kWitsDefault;
  if (name == "broda_weinstein") return ElasticitySource::kBrodaWeinstein;
  if (name == "protee") return ElasticitySource::kProtee;
  reader.Fail(node, key,
              fmt::format("unknown elasticity source '{}'; expected a number, \"wits\", "
                          "\"broda_weinstein\" or \"protee\"",
                          name));
}

void ParseElasticities(const TomlReader& reader, const toml::table& root,
                       const std::string& data_dir, const std::string& base_dir,
                       PeScenario& scenario) {
  const toml::table* table = root["elasticities"].as_table();
  if (table == nullptr) {
    reader.Fail(nullptr, "elasticities",
                "missing [elasticities] table: import_demand must be stated (no WITS default "
                "exists; WITS uses Kee, Nicita and Olarreaga 2008)");
  }
  const std::string path = "elasticities.";
  reader.AllowKeys(*table, path,
                   {"import_demand", "substitution", "export_supply", "broda_weinstein", "protee",
                    "sensitivity"});
  if (auto value = reader.Real(*table, path, "import_demand")) {
    CheckImportDemand(*value, fmt::format("{} (elasticities.import_demand)", reader.file()));
    scenario.import_demand = *value;
    scenario.import_demand_set = true;
  }
  const toml::node* sub = table->get("substitution");
  if (sub == nullptr) {
    scenario.substitution.sources = {ElasticitySource::kWitsDefault};
  } else if (sub->is_number()) {
    scenario.substitution.value = *sub->value<double>();
    CheckSubstitution(*scenario.substitution.value,
                      fmt::format("{} (elasticities.substitution)", reader.file()));
  } else {
    for (const std::string& name : reader.Texts(*table, path, "substitution")) {
      scenario.substitution.sources.push_back(
          ParseSource(reader, sub, path + "substitution", name));
    }
  }
  if (const toml::node* supply = table->get("export_supply")) {
    if (supply->is_number()) {
      scenario.export_supply = *supply->value<double>();
      scenario.export_supply_source = ElasticitySource::kUser;
    } else if (supply->is_string() && *supply->value<std::string>() == "inf") {
      scenario.export_supply = kInfinity;
      scenario.export_supply_source = ElasticitySource::kUser;
    } else if (!(supply->is_string() && *supply->value<std::string>() == "wits")) {
      reader.Fail(supply, path + "export_supply", "expected a number, \"inf\" or \"wits\" (99)");
    }
    CheckExportSupply(scenario.export_supply,
                      fmt::format("{} (elasticities.export_supply)", reader.file()));
  }
  if (auto bw = reader.Text(*table, path, "broda_weinstein")) {
    const std::string file = ResolvePath(*bw, data_dir, base_dir);
    scenario.tables.LoadBrodaWeinstein(file);
    scenario.input_files.push_back(file);
  }
  if (auto protee = reader.Text(*table, path, "protee")) {
    const std::string file = ResolvePath(*protee, data_dir, base_dir);
    scenario.tables.LoadProtee(file);
    scenario.input_files.push_back(file);
  }
  if (const toml::node* node = table->get("sensitivity")) {
    const toml::array* array = node->as_array();
    if (array == nullptr || array->size() != 2 || !(*array)[0].is_number() ||
        !(*array)[1].is_number()) {
      reader.Fail(node, path + "sensitivity", "expected [low, high] multipliers, e.g. [0.5, 1.5]");
    }
    scenario.smart.sensitivity_low = *(*array)[0].value<double>();
    scenario.smart.sensitivity_high = *(*array)[1].value<double>();
    if (!(scenario.smart.sensitivity_low > 0) || !(scenario.smart.sensitivity_high > 0)) {
      reader.Fail(node, path + "sensitivity", "multipliers must be > 0");
    }
  }
}

void ParseInputs(const TomlReader& reader, const toml::table& root, const std::string& data_dir,
                 const std::string& base_dir, PeScenario& scenario) {
  const toml::table* table = root["inputs"].as_table();
  if (table == nullptr) reader.Fail(nullptr, "inputs", "missing [inputs] table");
  const std::string path = "inputs.";
  reader.AllowKeys(
      *table, path,
      {"table", "baci", "tariffs", "trade_unit", "national_lines", "tariff_concordance"});
  if (auto unit = reader.Text(*table, path, "trade_unit")) scenario.trade_unit = *unit;
  for (const std::string& name : reader.Texts(*table, path, "table")) {
    const std::string file = ResolvePath(name, data_dir, base_dir);
    AppendRows(scenario.rows, ReadWitsTable(file));
    scenario.input_files.push_back(file);
  }
  if (const toml::node* node = table->get("baci")) {
    const toml::table* baci = node->as_table();
    if (baci == nullptr) reader.Fail(node, path + "baci", "expected a table");
    const std::string bpath = path + "baci.";
    reader.AllowKeys(*baci, bpath, {"path", "country_codes", "importers", "products"});
    BaciSelection selection;
    const auto file = reader.Text(*baci, bpath, "path");
    const auto codes = reader.Text(*baci, bpath, "country_codes");
    if (!file || !codes) reader.Fail(node, path + "baci", "needs path and country_codes");
    selection.path = ResolvePath(*file, data_dir, base_dir);
    selection.country_codes = ResolvePath(*codes, data_dir, base_dir);
    selection.importers = reader.Texts(*baci, bpath, "importers");
    selection.products = reader.Texts(*baci, bpath, "products");
    if (selection.importers.empty() || selection.products.empty()) {
      reader.Fail(node, path + "baci", "needs importers and products (HS6 codes)");
    }
    AppendRows(scenario.rows, ReadBaci(selection));
    scenario.input_files.push_back(selection.path);
    scenario.input_files.push_back(selection.country_codes);
  }
  TariffScheduleOptions schedule;
  if (auto averaging = reader.Text(*table, path, "national_lines")) {
    if (*averaging == "simple") {
      schedule.averaging = LineAveraging::kSimple;
    } else if (*averaging == "trade_weighted") {
      schedule.averaging = LineAveraging::kTradeWeighted;
    } else {
      reader.Fail(table->get("national_lines"), path + "national_lines",
                  "expected \"simple\" or \"trade_weighted\"");
    }
  }
  HsConcordance concordance;
  if (const toml::node* node = table->get("tariff_concordance")) {
    const toml::table* spec = node->as_table();
    if (spec == nullptr) reader.Fail(node, path + "tariff_concordance", "expected a table");
    const std::string cpath = path + "tariff_concordance.";
    reader.AllowKeys(*spec, cpath, {"path", "from", "to"});
    const auto file = reader.Text(*spec, cpath, "path");
    if (!file) reader.Fail(node, cpath + "path", "missing: the concordance CSV (columns from, to)");
    const std::string resolved = ResolvePath(*file, data_dir, base_dir);
    concordance = ReadHsConcordance(resolved, reader.Text(*spec, cpath, "from").value_or("from"),
                                    reader.Text(*spec, cpath, "to").value_or("to"));
    schedule.concordance = &concordance;
    scenario.input_files.push_back(resolved);
  }
  if (auto tariffs = reader.Text(*table, path, "tariffs")) {
    const std::string file = ResolvePath(*tariffs, data_dir, base_dir);
    ApplyTariffSchedule(scenario.rows, ReadTariffSchedule(file), schedule);
    scenario.input_files.push_back(file);
  } else if (schedule.concordance != nullptr || table->get("national_lines") != nullptr) {
    reader.Fail(table, path + "tariffs",
                "national_lines and tariff_concordance apply to a tariff schedule: give tariffs");
  }
  if (scenario.rows.empty()) {
    reader.Fail(table, "inputs", "the input tables have no rows for this scenario");
  }
}

void ParseProducts(const TomlReader& reader, const toml::table& root, PeScenario& scenario) {
  const toml::node* node = root.get("product");
  if (node == nullptr) return;
  const toml::array* array = node->as_array();
  if (array == nullptr) reader.Fail(node, "product", "expected [[product]] tables");
  std::set<std::string> known;
  for (const InputRow& row : scenario.rows) known.insert(row.product);
  for (const toml::node& element : *array) {
    const toml::table* table = element.as_table();
    if (table == nullptr) reader.Fail(&element, "product", "expected a table");
    const std::string path = "product.";
    reader.AllowKeys(*table, path,
                     {"hs6", "description", "import_demand", "substitution", "export_supply"});
    ProductSpec spec;
    const auto hs6 = reader.Text(*table, path, "hs6");
    if (!hs6) reader.Fail(&element, "product.hs6", "missing");
    spec.hs6 = *hs6;
    if (known.count(spec.hs6) == 0) {
      reader.Fail(table->get("hs6"), "product.hs6",
                  fmt::format("product {} is not in the input tables", spec.hs6));
    }
    spec.description = reader.Text(*table, path, "description").value_or("");
    const std::string where = fmt::format("{} (product {})", reader.file(), spec.hs6);
    if ((spec.import_demand = reader.Real(*table, path, "import_demand"))) {
      CheckImportDemand(*spec.import_demand, where);
    }
    if ((spec.substitution = reader.Real(*table, path, "substitution"))) {
      CheckSubstitution(*spec.substitution, where);
    }
    if ((spec.export_supply = reader.Real(*table, path, "export_supply"))) {
      CheckExportSupply(*spec.export_supply, where);
    }
    scenario.products.push_back(spec);
  }
}

// A [[change]] list of codes: each must be in the input tables; "all" (or
// no list) leaves it empty, which selects every code.
std::vector<std::string> KnownCodes(const TomlReader& reader, const toml::table& table,
                                    const char* key, const char* what,
                                    const std::set<std::string>& known) {
  std::vector<std::string> codes;
  for (const std::string& code : reader.Texts(table, "change.", key)) {
    if (code == "all") continue;
    if (known.count(code) == 0) {
      reader.Fail(table.get(key), std::string("change.") + key,
                  fmt::format("unknown {} code '{}': not in the input tables", what, code));
    }
    codes.push_back(code);
  }
  return codes;
}

void ParseChanges(const TomlReader& reader, const toml::table& root, PeScenario& scenario) {
  const toml::node* node = root.get("change");
  if (node == nullptr) reader.Fail(nullptr, "change", "missing [[change]]: nothing to simulate");
  const toml::array* array = node->as_array();
  if (array == nullptr) reader.Fail(node, "change", "expected [[change]] tables");
  std::set<std::string> partners;
  std::set<std::string> products;
  std::set<std::string> reporters;
  for (const InputRow& row : scenario.rows) {
    reporters.insert(row.reporter);
    partners.insert(row.partner);
    products.insert(row.product);
  }
  for (const toml::node& element : *array) {
    const toml::table* table = element.as_table();
    if (table == nullptr) reader.Fail(&element, "change", "expected a table");
    const std::string path = "change.";
    reader.AllowKeys(
        *table, path,
        {"label", "reporters", "partners", "products", "tariff", "tariff_cut", "ntb_ave"});
    PolicyChange change;
    change.label = reader.Text(*table, path, "label").value_or("");
    change.reporters = KnownCodes(reader, *table, "reporters", "reporter", reporters);
    change.partners = KnownCodes(reader, *table, "partners", "partner", partners);
    change.products = KnownCodes(reader, *table, "products", "product", products);
    if (auto value = reader.Real(*table, path, "tariff")) {
      change.tariff = Percent(reader, *table, path, "tariff", *value);
    }
    if (auto value = reader.Real(*table, path, "tariff_cut")) {
      if (*value < 0 || *value > 100) {
        reader.Fail(table->get("tariff_cut"), "change.tariff_cut", "expected a percentage 0-100");
      }
      change.tariff_cut = *value / 100;
    }
    if (auto value = reader.Real(*table, path, "ntb_ave")) {
      change.ntb = Percent(reader, *table, path, "ntb_ave", *value);
    }
    if (change.tariff && change.tariff_cut) {
      reader.Fail(&element, "change", "give tariff or tariff_cut, not both");
    }
    if (!change.tariff && !change.tariff_cut && !change.ntb) {
      reader.Fail(&element, "change", "states no new tariff, tariff_cut or ntb_ave");
    }
    scenario.changes.push_back(change);
  }
}

void ParseMarketAccess(const TomlReader& reader, const toml::table& root,
                       const std::string& data_dir, const std::string& base_dir,
                       PeScenario& scenario) {
  const toml::table* table = root["market_access"].as_table();
  if (table == nullptr) return;
  const std::string path = "market_access.";
  reader.AllowKeys(*table, path,
                   {"product", "target", "exporter", "baci", "country_codes", "distances", "note"});
  MarketAccessSpec spec;
  const auto get = [&](const char* key) {
    auto value = reader.Text(*table, path, key);
    if (!value) reader.Fail(table, path + key, "missing");
    return *value;
  };
  spec.product = get("product");
  spec.target = get("target");
  spec.exporter = get("exporter");
  spec.baci = ResolvePath(get("baci"), data_dir, base_dir);
  spec.country_codes = ResolvePath(get("country_codes"), data_dir, base_dir);
  spec.distances = ResolvePath(get("distances"), data_dir, base_dir);
  spec.note = reader.Text(*table, path, "note").value_or("");
  scenario.market_access = spec;
}

}  // namespace

PeScenario LoadPeScenario(const std::string& path, const std::string& data_dir) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    if (!fs::exists(path)) {
      throw Error(ErrorCode::kFileUnreadable, fmt::format("{}: cannot open scenario file", path));
    }
    throw Error(ErrorCode::kBadScenario, fmt::format("{}:{}:{}: {}", path, e.source().begin.line,
                                                     e.source().begin.column, e.description()));
  }
  const TomlReader reader(path);
  reader.AllowKeys(root, "",
                   {"title", "model", "focus", "inputs", "elasticities", "product", "change",
                    "market_access", "gsim"});
  const std::string base_dir = fs::path(path).parent_path().string();
  PeScenario scenario;
  scenario.file = path;
  scenario.title = reader.Text(root, "", "title").value_or("Product-level partial equilibrium");
  const std::string model = reader.Text(root, "", "model").value_or("smart");
  if (model == "smart") {
    scenario.model = PeModel::kSmart;
  } else if (model == "gsim") {
    scenario.model = PeModel::kGsim;
  } else {
    reader.Fail(root.get("model"), "model", "expected \"smart\" or \"gsim\"");
  }
  scenario.focus = reader.Text(root, "", "focus").value_or("");
  ParseInputs(reader, root, data_dir, base_dir, scenario);
  if (!scenario.focus.empty()) {
    const bool found =
        std::any_of(scenario.rows.begin(), scenario.rows.end(),
                    [&](const InputRow& row) { return row.partner == scenario.focus; });
    if (!found) {
      reader.Fail(
          root.get("focus"), "focus",
          fmt::format("unknown partner code '{}': not in the input tables", scenario.focus));
    }
  }
  ParseElasticities(reader, root, data_dir, base_dir, scenario);
  ParseProducts(reader, root, scenario);
  ParseChanges(reader, root, scenario);
  ParseMarketAccess(reader, root, data_dir, base_dir, scenario);
  if (const toml::table* gsim = root["gsim"].as_table()) {
    reader.AllowKeys(*gsim, "gsim.", {"tolerance", "max_iterations", "solution"});
    const std::string solution = reader.Text(*gsim, "gsim.", "solution").value_or("levels");
    if (solution == "linearised") {
      scenario.gsim.solution = GsimSolution::kLinearised;
    } else if (solution != "levels") {
      reader.Fail(gsim->get("solution"), "gsim.solution",
                  "expected \"levels\" (default) or \"linearised\" (GSIM as published)");
    }
    scenario.gsim.tolerance = reader.Real(*gsim, "gsim.", "tolerance").value_or(1e-12);
    if (!(scenario.gsim.tolerance > 0 && scenario.gsim.tolerance < 1)) {
      reader.Fail(gsim->get("tolerance"), "gsim.tolerance", "must be in (0, 1), e.g. 1e-12");
    }
    // Checked before the conversion: a double beyond int (1e300) has no int value.
    const double iterations = reader.Real(*gsim, "gsim.", "max_iterations").value_or(100);
    if (!(iterations >= 1 && iterations <= 1e6) || std::trunc(iterations) != iterations) {
      reader.Fail(gsim->get("max_iterations"), "gsim.max_iterations",
                  "must be a whole number from 1 to 1000000");
    }
    scenario.gsim.max_iterations = static_cast<int>(iterations);
  }
  bool need_import_demand = true;
  if (!scenario.products.empty()) {
    need_import_demand = std::any_of(scenario.products.begin(), scenario.products.end(),
                                     [](const ProductSpec& p) { return !p.import_demand; });
  }
  if (need_import_demand && !scenario.import_demand_set) {
    reader.Fail(nullptr, "elasticities.import_demand",
                "missing: state the import demand elasticity (< 0), globally or per [[product]]");
  }
  return scenario;
}

}  // namespace mizani::pe

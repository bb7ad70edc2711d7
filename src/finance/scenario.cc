// The `mizani debt` scenario file: TOML in, DebtScenario out, every mistake
// an Error(kBadScenario) naming the file, line and key (docs/finance.md).

#include <fmt/format.h>
#include <toml++/toml.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <set>

#include "common/data_path.h"
#include "mizani/error.h"
#include "mizani/finance.h"
#include "mizani/source_ref.h"

namespace mizani::finance {

namespace fs = std::filesystem;

namespace {

// Typed access to one TOML table, with its path for messages.
class Section {
 public:
  Section(const std::string& file, const toml::table& table, std::string path)
      : file_(file), table_(table), path_(std::move(path)) {}

  [[noreturn]] void Fail(const toml::node& node, const std::string& key,
                         const std::string& message) const {
    SourceRef where;
    where.file = file_;
    where.line = static_cast<int>(node.source().begin.line);
    where.column = static_cast<int>(node.source().begin.column);
    where.key = path_.empty() ? key : path_ + "." + key;
    throw Error(ErrorCode::kBadScenario, fmt::format("{}: {}", where.Describe(), message));
  }
  [[noreturn]] void Fail(const std::string& key, const std::string& message) const {
    const toml::node* node = table_.get(key);
    Fail(node != nullptr ? *node : static_cast<const toml::node&>(table_), key, message);
  }

  void Allow(std::initializer_list<std::string_view> keys) const {
    for (auto&& [key, node] : table_) {
      if (std::find(keys.begin(), keys.end(), key.str()) == keys.end()) {
        Fail(
            node, std::string(key.str()),
            fmt::format("unknown key '{}'; expected one of: {}", key.str(), fmt::join(keys, ", ")));
      }
    }
  }

  bool Has(const std::string& key) const { return table_.contains(key); }

  std::string Text(const std::string& key, const std::string& fallback) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return fallback;
    if (!node->is_string()) Fail(*node, key, "expected a string");
    return *node->value<std::string>();
  }
  std::string RequiredText(const std::string& key) const {
    if (!Has(key)) Fail(key, fmt::format("missing key '{}'", key));
    return Text(key, "");
  }
  double Real(const std::string& key, double fallback) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return fallback;
    if (!node->is_number() || !std::isfinite(*node->value<double>())) {
      Fail(*node, key, "expected a finite number");
    }
    return *node->value<double>();
  }
  double NonNegative(const std::string& key, double fallback) const {
    const double value = Real(key, fallback);
    if (value < 0) Fail(key, fmt::format("must not be negative, got {}", value));
    return value;
  }
  int Int(const std::string& key, int fallback, int low, int high) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return fallback;
    if (!node->is_integer()) Fail(*node, key, "expected an integer");
    const int64_t value = *node->value<int64_t>();
    if (value < low || value > high) {
      Fail(*node, key, fmt::format("must be between {} and {}, got {}", low, high, value));
    }
    return static_cast<int>(value);
  }
  bool Flag(const std::string& key, bool fallback) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return fallback;
    if (!node->is_boolean()) Fail(*node, key, "expected true or false");
    return *node->value<bool>();
  }
  CivilDate Date(const std::string& key) const {
    const std::string text = RequiredText(key);
    const auto date = ParseDate(text);
    if (!date) Fail(key, fmt::format("'{}' is not a date (YYYY-MM-DD)", text));
    return *date;
  }
  std::string Currency(const std::string& key, const std::string& fallback) const {
    std::string code = Text(key, fallback);
    if (!IsKnownCurrency(code)) {
      Fail(key, fmt::format("unknown currency '{}' (known: {})", code,
                            fmt::join(KnownCurrencies(), ", ")));
    }
    return code;
  }
  std::map<std::string, double> Numbers(const std::string& key) const {
    std::map<std::string, double> values;
    const toml::node* node = table_.get(key);
    if (node == nullptr) return values;
    const toml::table* inner = node->as_table();
    if (inner == nullptr) Fail(*node, key, "expected a table of numbers");
    const Section section(file_, *inner, path_.empty() ? key : path_ + "." + key);
    for (auto&& [name, value] : *inner)
      values[std::string(name.str())] = section.Real(std::string(name.str()), 0);
    return values;
  }
  std::vector<std::string> Texts(const std::string& key) const {
    std::vector<std::string> values;
    const toml::node* node = table_.get(key);
    if (node == nullptr) return values;
    const toml::array* array = node->as_array();
    if (array == nullptr) Fail(*node, key, "expected an array of strings");
    for (const toml::node& element : *array) {
      if (!element.is_string()) Fail(element, key, "expected an array of strings");
      values.push_back(*element.value<std::string>());
    }
    return values;
  }
  Section Child(const std::string& key) const {
    const toml::node* node = table_.get(key);
    static const toml::table kEmpty;
    if (node == nullptr) return {file_, kEmpty, key};
    if (!node->is_table()) Fail(*node, key, "expected a table");
    return {file_, *node->as_table(), path_.empty() ? key : path_ + "." + key};
  }
  // [[key]] arrays of tables.
  std::vector<Section> Children(const std::string& key) const {
    std::vector<Section> children;
    const toml::node* node = table_.get(key);
    if (node == nullptr) return children;
    const toml::array* array = node->as_array();
    if (array == nullptr) Fail(*node, key, fmt::format("expected [[{}]] tables", key));
    for (size_t index = 0; index < array->size(); ++index) {
      const toml::node& element = *array->get(index);
      if (!element.is_table()) Fail(element, key, fmt::format("expected [[{}]] tables", key));
      children.emplace_back(file_, *element.as_table(), fmt::format("{}[{}]", key, index + 1));
    }
    return children;
  }
  const toml::table& table() const { return table_; }

 private:
  const std::string& file_;
  const toml::table& table_;
  std::string path_;
};

// A data path: absolute, ${MIZANI_DATA}/..., or relative to the data folder.
std::string DataPath(const std::string& data_dir, const std::string& relative) {
  if (fs::path(relative).is_absolute()) return relative;
  return (fs::path(data_dir) / relative).string();
}

std::string ResolveDataDir(const Section& data, const std::string& base_dir,
                           const DebtOverrides& overrides) {
  if (!overrides.data_dir.empty()) return overrides.data_dir;
  std::string folder = data.Text("folder", "${MIZANI_DATA}");
  const DataPathExpansion expansion = ExpandDataVariable(folder, "");
  if (expansion.root_missing) {
    data.Fail("folder",
              "the data folder uses ${MIZANI_DATA} but neither --data-dir nor the MIZANI_DATA "
              "environment variable is set");
  }
  if (expansion.used) return expansion.path;
  if (fs::path(folder).is_absolute()) return folder;
  return (fs::path(base_dir) / folder).string();
}

Instrument ParseInstrument(const Section& section) {
  section.Allow({"name", "currency", "face", "issue", "maturity", "rate_type", "coupon",
                 "index_rate", "frequency", "day_count", "price", "upfront_fee", "guarantee_fee",
                 "grace_years", "instalments", "source"});
  Instrument instrument;
  instrument.name = section.RequiredText("name");
  instrument.currency = section.Currency("currency", "USD");
  instrument.face = section.Real("face", 100);
  if (!(instrument.face > 0)) {
    section.Fail("face", fmt::format("amount must be positive, got {}", instrument.face));
  }
  instrument.issue = section.Date("issue");
  instrument.maturity = section.Date("maturity");
  if (YearFraction(instrument.issue, instrument.maturity) <= 0) {
    section.Fail("maturity",
                 fmt::format("maturity {} is before or on the issue date {}",
                             FormatDate(instrument.maturity), FormatDate(instrument.issue)));
  }
  const std::string rate_type = section.Text("rate_type", "fixed");
  if (rate_type != "fixed" && rate_type != "floating") {
    section.Fail("rate_type", fmt::format("expected fixed or floating, got '{}'", rate_type));
  }
  instrument.rate_type = rate_type == "fixed" ? RateType::kFixed : RateType::kFloating;
  instrument.coupon = section.NonNegative("coupon", 0);
  instrument.index_rate = section.NonNegative("index_rate", 0);
  instrument.frequency = section.Int("frequency", 2, 1, 12);
  const std::string day_count = section.Text("day_count", "30/360");
  static const std::map<std::string, DayCount> kDayCounts = {{"30/360", DayCount::kThirty360},
                                                             {"ACT/365", DayCount::kActual365},
                                                             {"ACT/360", DayCount::kActual360},
                                                             {"ACT/ACT", DayCount::kActualActual}};
  const auto found = kDayCounts.find(day_count);
  if (found == kDayCounts.end()) {
    section.Fail("day_count",
                 fmt::format("expected 30/360, ACT/365, ACT/360 or ACT/ACT, got '{}'", day_count));
  }
  instrument.day_count = found->second;
  instrument.price = section.Real("price", 100);
  instrument.upfront_fee = section.NonNegative("upfront_fee", 0);
  instrument.guarantee_fee = section.NonNegative("guarantee_fee", 0);
  instrument.grace_years = section.Int("grace_years", 0, 0, 100);
  instrument.instalments = section.Int("instalments", 1, 0, 100);
  ValidateInstrument(instrument);
  return instrument;
}

void ParseHead(const Section& top, DebtScenario& scenario) {
  const Section head = top.Child("scenario");
  head.Allow(
      {"name", "description", "country", "first_year", "horizon_years", "carrying_capacity"});
  scenario.name = head.Text("name", "");
  scenario.description = head.Text("description", "");
  scenario.country = head.Text("country", "Kenya");
  scenario.first_year = head.Int("first_year", 2025, 1981, 2030);
  scenario.horizon_years = head.Int("horizon_years", 10, 1, 40);
  const std::string capacity = head.Text("carrying_capacity", "medium");
  if (capacity == "weak") {
    scenario.capacity = CarryingCapacity::kWeak;
  } else if (capacity == "medium") {
    scenario.capacity = CarryingCapacity::kMedium;
  } else if (capacity == "strong") {
    scenario.capacity = CarryingCapacity::kStrong;
  } else {
    head.Fail("carrying_capacity",
              fmt::format("expected weak, medium or strong, got '{}'", capacity));
  }
}

void ParseData(const Section& top, const DebtOverrides& overrides, DebtScenario& scenario) {
  const Section data = top.Child("data");
  data.Allow({"folder", "register", "cbk_rates", "weo"});
  const std::string base_dir = fs::path(scenario.file).parent_path().string();
  scenario.data_dir = ResolveDataDir(data, base_dir, overrides);
  scenario.register_path =
      DataPath(scenario.data_dir,
               data.Text("register", "kenya_debt/kenya_external_debt_register_2023-06-30.csv"));
  scenario.cbk_rates_path = DataPath(
      scenario.data_dir,
      data.Text("cbk_rates", "fx_history/cbk_indicative_rates_all_currencies_2016_2025.csv.gz"));
  scenario.weo_path =
      DataPath(scenario.data_dir, data.Text("weo", "imf_weo_2025apr/weo_2025apr_long.csv.gz"));
}

void ParseMarket(const Section& top, DebtScenario& scenario) {
  const Section market = top.Child("market");
  market.Allow({"rates", "spot"});
  scenario.interest_rates = market.Numbers("rates");
  scenario.spot = market.Numbers("spot");
  for (const auto& [code, rate] : scenario.interest_rates) {
    if (!IsKnownCurrency(code)) market.Fail("rates", fmt::format("unknown currency '{}'", code));
    if (rate <= -1) market.Fail("rates", fmt::format("rate of {} must exceed -1", code));
  }
  for (const auto& [code, rate] : scenario.spot) {
    if (!IsKnownCurrency(code)) market.Fail("spot", fmt::format("unknown currency '{}'", code));
    if (!(rate > 0)) market.Fail("spot", fmt::format("spot rate of {} must be positive", code));
  }
}

// The instruments, by unique name; returns the names.
std::set<std::string> ParseInstruments(const Section& top, DebtScenario& scenario) {
  std::set<std::string> names;
  for (const Section& section : top.Children("instrument")) {
    scenario.instruments.push_back(ParseInstrument(section));
    if (!names.insert(scenario.instruments.back().name).second) {
      section.Fail("name",
                   fmt::format("two instruments are named '{}'", scenario.instruments.back().name));
    }
  }
  return names;
}

// The value of `key`, which must name a defined [[instrument]].
std::string InstrumentNamed(const Section& section, const std::string& key,
                            const std::set<std::string>& names) {
  std::string name = section.RequiredText(key);
  if (!names.count(name)) {
    section.Fail(key, fmt::format("no [[instrument]] named '{}'", name));
  }
  return name;
}

void ParseCompare(const Section& top, const std::set<std::string>& names, DebtScenario& scenario) {
  const Section compare = top.Child("compare");
  compare.Allow({"dollar", "yen"});
  if (compare.Has("dollar") || compare.Has("yen")) {
    scenario.dollar_instrument = InstrumentNamed(compare, "dollar", names);
    scenario.yen_instrument = InstrumentNamed(compare, "yen", names);
  }
}

void ParseFx(const Section& top, const DebtOverrides& overrides, DebtScenario& scenario) {
  const Section fx = top.Child("fx");
  fx.Allow({"model", "drift", "block_months", "volatility_scale", "paths", "seed", "horizon_years",
            "first_month"});
  const std::string model = fx.Text("model", "bootstrap");
  if (model != "bootstrap" && model != "normal") {
    fx.Fail("model", fmt::format("expected bootstrap or normal, got '{}'", model));
  }
  scenario.fx.kind = model == "bootstrap" ? FxModelKind::kBlockBootstrap : FxModelKind::kNormal;
  const std::string drift = fx.Text("drift", "parity");
  if (drift == "parity") {
    scenario.fx.drift = FxDrift::kParity;
  } else if (drift == "historical") {
    scenario.fx.drift = FxDrift::kHistorical;
  } else if (drift == "zero") {
    scenario.fx.drift = FxDrift::kZero;
  } else {
    fx.Fail("drift", fmt::format("expected parity, historical or zero, got '{}'", drift));
  }
  scenario.fx.block_months = fx.Int("block_months", 12, 1, 120);
  scenario.fx.volatility_scale = fx.NonNegative("volatility_scale", 1);
  scenario.fx.paths = overrides.paths.value_or(fx.Int("paths", 10000, 1, 10000000));
  scenario.fx.seed =
      overrides.seed.value_or(static_cast<uint64_t>(fx.Int("seed", 20250820, 0, 2147483647)));
  scenario.fx.horizon_years = fx.Int("horizon_years", scenario.horizon_years, 1, 60);
  scenario.fx.interest_rates = scenario.interest_rates;
  scenario.fx_first_month = fx.Text("first_month", "2005-01");
}

void ParsePortfolio(const Section& top, DebtScenario& scenario) {
  const Section portfolio = top.Child("portfolio");
  portfolio.Allow({"category_rates", "default_rate", "floating_categories", "usd_per_unit",
                   "rates_date", "domestic_rate", "domestic_maturity_years"});
  scenario.register_options.first_year = scenario.first_year;
  scenario.register_options.category_rates = portfolio.Numbers("category_rates");
  scenario.register_options.default_rate = portfolio.NonNegative("default_rate", 0.03);
  scenario.register_options.floating_categories = portfolio.Texts("floating_categories");
  scenario.register_options.usd_per_unit = portfolio.Numbers("usd_per_unit");
  scenario.register_rates_date = portfolio.Text("rates_date", "2023-06-30");
  scenario.domestic_rate = portfolio.NonNegative("domestic_rate", 0.13);
  scenario.domestic_maturity_years = portfolio.Int("domestic_maturity_years", 8, 1, 50);
}

// One [[source]]: its own terms, or those of the instrument it names
// (returned in *instrument_name, empty otherwise).
FundingSource ParseSource(const Section& section, const std::set<std::string>& names,
                          const DebtScenario& scenario, std::set<std::string>& source_names,
                          std::string* instrument_name) {
  FundingSource source;
  section.Allow({"name", "currency", "rate", "floating", "maturity_years", "grace_years",
                 "instalments", "external", "instrument"});
  source.name = section.RequiredText("name");
  if (!source_names.insert(source.name).second) {
    section.Fail("name", fmt::format("two sources are named '{}'", source.name));
  }
  if (section.Has("instrument")) {
    // Terms of a defined instrument: its currency, all-in cost, maturity.
    *instrument_name = InstrumentNamed(section, "instrument", names);
    const Instrument& instrument = *std::find_if(
        scenario.instruments.begin(), scenario.instruments.end(),
        [&](const Instrument& candidate) { return candidate.name == *instrument_name; });
    source.currency = instrument.currency;
    source.maturity_years = std::max(
        1, static_cast<int>(std::lround(YearFraction(instrument.issue, instrument.maturity))));
    source.instalments = instrument.instalments;
    source.grace_years = instrument.grace_years;
    source.floating = instrument.rate_type == RateType::kFloating;
  } else {
    source.currency = section.Currency("currency", "USD");
    source.rate = section.NonNegative("rate", 0);
    source.floating = section.Flag("floating", false);
    source.maturity_years = section.Int("maturity_years", 10, 1, 60);
    source.grace_years = section.Int("grace_years", 0, 0, 59);
    source.instalments = section.Int("instalments", 1, 0, 60);
    if (source.instalments == 0 && source.grace_years == 0) {
      section.Fail("instalments", "0 instalments needs grace_years > 0");
    }
    if (source.instalments > source.maturity_years || source.grace_years >= source.maturity_years) {
      section.Fail("instalments", "instalments and grace must fit within maturity_years");
    }
  }
  source.external = section.Flag("external", source.currency != "KES");
  return source;
}

// The sources of new borrowing; returns their names.
std::set<std::string> ParseSources(const Section& top, const std::set<std::string>& names,
                                   DebtScenario& scenario) {
  std::set<std::string> source_names;
  for (const Section& section : top.Children("source")) {
    std::string instrument_name;
    scenario.sources.push_back(
        ParseSource(section, names, scenario, source_names, &instrument_name));
    scenario.source_instruments.push_back(instrument_name);
  }
  if (scenario.sources.empty())
    top.Fail("source", "at least one [[source]] of new borrowing is needed");
  return source_names;
}

void ParseStrategies(const Section& top, DebtScenario& scenario) {
  for (const Section& section : top.Children("strategy")) {
    section.Allow({"name", "shares"});
    Strategy strategy;
    strategy.name = section.RequiredText("name");
    const auto shares = section.Numbers("shares");
    strategy.shares.assign(scenario.sources.size(), 0.0);
    for (const auto& entry : shares) {
      const std::string& name = entry.first;
      const double share = entry.second;
      const auto found =
          std::find_if(scenario.sources.begin(), scenario.sources.end(),
                       [&](const FundingSource& source) { return source.name == name; });
      if (found == scenario.sources.end()) {
        section.Fail("shares", fmt::format("no [[source]] named '{}'", name));
      }
      strategy.shares[found - scenario.sources.begin()] = share;
    }
    double sum = 0;
    for (double share : strategy.shares) {
      if (share < 0) section.Fail("shares", fmt::format("share {} is negative", share));
      sum += share;
    }
    if (std::abs(sum - 1) > 1e-6) {
      section.Fail("shares",
                   fmt::format("strategy '{}': shares sum to {:.6g}, not 1", strategy.name, sum));
    }
    scenario.strategies.push_back(std::move(strategy));
  }
  if (scenario.strategies.empty()) top.Fail("strategy", "at least one [[strategy]] is needed");
}

void ParseShocks(const Section& top, DebtScenario& scenario) {
  const Section shocks = top.Child("shocks");
  shocks.Allow({"depreciation", "rate_shock", "history_years"});
  scenario.depreciation = shocks.NonNegative("depreciation", 0.30);
  scenario.rate_shock = shocks.NonNegative("rate_shock", 0.02);
  scenario.stress_history_years = shocks.Int("history_years", 10, 3, 40);
}

// [exports]: exports of goods and services by year (`values`, every
// projection year) and an optional `history` for the exports stress test.
std::map<int, double> ExportYears(const Section& exports, const std::string& key) {
  std::map<int, double> by_year;
  for (const auto& [name, value] : exports.Numbers(key)) {
    int year = 0;
    const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), year);
    if (error != std::errc() || end != name.data() + name.size() || year < 1900 || year > 2200) {
      exports.Fail(key, fmt::format("'{}' is not a year", name));
    }
    by_year[year] = value;
  }
  return by_year;
}

void ParseExports(const Section& top, DebtScenario& scenario) {
  if (!top.Has("exports")) return;
  const Section exports = top.Child("exports");
  exports.Allow({"unit", "values", "history"});
  ExportSeries series;
  const std::string unit = exports.Text("unit", "usd_bn");
  if (unit == "usd_bn") {
    series.unit = ExportUnit::kUsdBillion;
  } else if (unit == "percent_gdp") {
    series.unit = ExportUnit::kPercentOfGdp;
  } else {
    exports.Fail("unit", fmt::format("expected usd_bn or percent_gdp, got '{}'", unit));
  }
  if (!exports.Has("values")) exports.Fail("values", "missing key 'values' (exports by year)");
  series.projection = ExportYears(exports, "values");
  series.history = ExportYears(exports, "history");
  // Values and years: the message names the file, the [exports] table's
  // line and the key.
  const toml::source_region& region = top.table().get("exports")->source();
  ValidateExports(series, scenario.first_year, scenario.horizon_years,
                  fmt::format("{}:{}:{}", scenario.file, region.begin.line, region.begin.column));
  scenario.exports = std::move(series);
}

void ParseGoal(const Section& top, const std::set<std::string>& source_names,
               DebtScenario& scenario) {
  const Section goal = top.Child("goal");
  goal.Allow({"yen_source", "take_from", "base_strategy", "indicators"});
  if (goal.Has("indicators")) {
    scenario.goal_indicators = goal.Texts("indicators");
    for (const std::string& indicator : scenario.goal_indicators) {
      const bool export_based =
          indicator == "pv_external_exports" || indicator == "external_service_exports";
      if (indicator != "pv_external_gdp" && indicator != "external_service_revenue" &&
          indicator != "pv_public_gdp" && !export_based) {
        goal.Fail("indicators",
                  fmt::format("unknown indicator '{}'; expected pv_external_gdp, "
                              "external_service_revenue, pv_public_gdp, pv_external_exports or "
                              "external_service_exports",
                              indicator));
      }
      if (export_based && !scenario.exports) {
        goal.Fail("indicators",
                  fmt::format("indicator '{}' needs an [exports] table (exports of goods and "
                              "services by year)",
                              indicator));
      }
    }
    if (scenario.goal_indicators.empty()) goal.Fail("indicators", "name at least one indicator");
  }
  if (goal.Has("yen_source")) {
    const auto source_named = [&](const std::string& key) {
      std::string name = goal.RequiredText(key);
      if (!source_names.count(name)) goal.Fail(key, fmt::format("no [[source]] named '{}'", name));
      return name;
    };
    scenario.goal_yen_source = source_named("yen_source");
    scenario.goal_take_from = source_named("take_from");
    scenario.goal_base_strategy = goal.RequiredText("base_strategy");
    const bool known = std::any_of(
        scenario.strategies.begin(), scenario.strategies.end(),
        [&](const Strategy& strategy) { return strategy.name == scenario.goal_base_strategy; });
    if (!known) {
      goal.Fail("base_strategy",
                fmt::format("no [[strategy]] named '{}'", scenario.goal_base_strategy));
    }
  }
}

}  // namespace

DebtScenario LoadDebtScenario(const std::string& path, const DebtOverrides& overrides) {
  if (!fs::exists(path)) {
    throw Error(ErrorCode::kFileUnreadable, fmt::format("scenario file not found: {}", path));
  }
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{}:{}:{}: {}", path, error.source().begin.line,
                            error.source().begin.column, error.description()));
  }
  DebtScenario scenario;
  scenario.file = path;
  const Section top(scenario.file, root, "");
  top.Allow({"scenario", "data", "market", "instrument", "compare", "fx", "portfolio", "source",
             "strategy", "shocks", "exports", "goal"});

  ParseHead(top, scenario);
  ParseData(top, overrides, scenario);
  ParseMarket(top, scenario);
  const std::set<std::string> names = ParseInstruments(top, scenario);
  ParseCompare(top, names, scenario);
  ParseFx(top, overrides, scenario);
  ParsePortfolio(top, scenario);
  const std::set<std::string> source_names = ParseSources(top, names, scenario);
  ParseStrategies(top, scenario);
  ParseShocks(top, scenario);
  ParseExports(top, scenario);
  ParseGoal(top, source_names, scenario);
  return scenario;
}
}  // namespace mizani::finance

// Counterfactual scenarios stated in TOML files (docs/scenarios.md): the data,
// an optional PPML estimation whose coefficients feed the shocks, the GE
// model, country groups, the shocks, outputs, bootstrap uncertainty and goal
// seeking. `mizani simulate` is a thin layer over this module.
//
// Flow of a run: LoadScenario (parse and check the file on its own) ->
// RunScenario (read the data, check codes/columns/baseline against it before
// any work, estimate, build B, solve GE, bootstrap, goal seek) ->
// WriteScenarioOutputs (CSV tables and results.json, all-or-nothing).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "mizani/estimate.h"
#include "mizani/ge.h"
#include "mizani/read.h"
#include "mizani/source_ref.h"

namespace mizani {

enum class ShockKind { kAgreement, kTariff, kNtb, kTradeCost, kRegressor };
const char* ToString(ShockKind kind);

enum class UncertaintyMethod { kNone, kPairBootstrap, kParametric };

// Which side of a country's trade a `trade_cost` shock touches.
enum class TradeSide { kExports, kImports, kBoth };

// What goal seeking aims at.
enum class GoalOutcome {
  kIntraGroupShare,   // GeGroupResult::intra_share_after of `group` (fraction)
  kExportsChangePct,  // exports_change_pct of `country`
  kImportsChangePct,
  kRealGdpChangePct,
  kWelfareChangePct,
};

// SourceRef (a place in the scenario file, for messages): mizani/source_ref.h.

// A set of countries as written in the file: each entry an ISO3 code, a group
// name or "*" (all countries). Resolved against the data by RunScenario.
struct CountrySpec {
  std::vector<std::string> entries;
  SourceRef where;
  bool empty() const { return entries.empty(); }
};

// Which pairs a shock touches. Pairs are directed (exporter i, importer j),
// never domestic (i == j). Exactly one selection is used:
//   members            every ordered pair of distinct members;
//   between = [A, B]   i in A, j in B and i in B, j in A;
//   exporters/importers i in exporters, j in importers ("*" when omitted);
//   country + side     (kinds that allow it: trade_cost) pairs with i in
//                      country (exports), j in country (imports) or either
//                      (both), once per pair.
struct PairSelection {
  CountrySpec members, between_a, between_b, exporters, importers, country;
  TradeSide side = TradeSide::kBoth;
  // In words, for reports: "among EAC", "KEN → JPN", ...
  std::string Describe() const;
};

// The keys of one [[shocks]] table as read by the parser (src/scenario/reader.h).
namespace scenario_parse {
struct ShockKeys;
}

// What a kind needs to compute its log partial effect b on a selected pair.
struct ShockEffectInputs {
  double theta = 0;                                             // trade elasticity
  const std::map<std::string, double>* coefficients = nullptr;  // estimated, by term
  std::optional<double> size;  // goal seeking's value of the shock's size
  SourceRef where;             // the shock, for messages
};

struct ShockEffect {
  ShockEffect() = default;
  ShockEffect(double log_effect_in, std::string signature_in)
      : log_effect(log_effect_in), signature(std::move(signature_in)) {}

  double log_effect = 0;  // b: flows are multiplied by exp(b) before GE adjustment
  // What a level-setting kind states about a pair ("from 17% to 0%"); two
  // shocks of that kind on one pair must state the same. Empty: the kind is
  // relative and composes (trade_cost).
  std::string signature;
  // What the statement is about within its kind (regressor: the term), so
  // that settings of different terms on one pair do not contradict; empty:
  // the kind itself.
  std::string subject;
  // Kinds whose effect depends on the pair's own data (regressor): b_ij =
  // log_effect + slope * x_ij, x_ij from `pair_values` by (exporter,
  // importer) code; a pair without a value keeps b_ij = 0.
  double slope = 0;
  const std::map<std::pair<std::string, std::string>, double>* pair_values = nullptr;
};

// Goal seeking's bracket for a shock's size when [goal] gives no range.
struct GoalRange {
  double low = 0;
  double high = 0;
};

// One struct per shock kind. Each holds its own keys and, in
// src/scenario/shocks/<kind>.cc, all of its behaviour:
//   kName                 the `kind = "..."` value;
//   Keys()                the keys it reads beyond kind, name and the pairs;
//   Parse(keys)           reads and checks those keys;
//   Effect(inputs)        its log partial effect b (with goal seeking's size);
//   SizeText(value)       a size in its own unit, in words;
//   Describe(...)         one line for reports;
//   DefaultGoalRange()    the goal bracket (nullopt: its size cannot vary);
//   CheckGoalRange(l, h)  a message when a bracket is outside its domain.
// Adding a kind = one such struct and file, and one alternative in ShockSpec
// (and its ShockKind value).

// kind = "agreement": b = +coefficient (switch on) or -coefficient (`remove = true`).
struct AgreementShock {
  static constexpr const char* kName = "agreement";
  bool remove = false;
  // Switched on: pairs whose value in this data column is non-zero in the
  // baseline year already have an agreement and are left as they are
  // (otherwise its effect would be counted twice). Empty: every pair.
  std::string unless_column;
  // Filled by RunScenario from `unless_column`: the (exporter, importer) codes
  // the shock skips.
  std::set<std::pair<std::string, std::string>> pairs_in_force;
  std::optional<double> coefficient;  // given number
  std::string estimated_term;         // or the estimation's coefficient of this term

  static std::vector<std::string> Keys();
  void Parse(const scenario_parse::ShockKeys& keys);
  ShockEffect Effect(const ShockEffectInputs& inputs) const;
  static std::string SizeText(double value);
  std::string Describe(const std::string& pairs, double theta,
                       const std::map<std::string, double>& coefficients,
                       std::optional<double> sought) const;
  std::optional<GoalRange> DefaultGoalRange() const;
  static std::optional<std::string> CheckGoalRange(double low, double high);
};

// An ad-valorem rate (tariff, or ad-valorem equivalent of an NTB) in percent
// before and after; b = -theta * ln((1 + to) / (1 + from)). The tariff and
// ntb kinds share all but their name and description (src/scenario/shocks/rate.cc).
struct RateChange {
  double from_pct = 0;
  double to_pct = 0;

  static std::vector<std::string> Keys();
  void Parse(const scenario_parse::ShockKeys& keys);
  ShockEffect Effect(const ShockEffectInputs& inputs) const;
  static std::string SizeText(double value);
  std::optional<GoalRange> DefaultGoalRange() const;
  static std::optional<std::string> CheckGoalRange(double low, double high);
};

// kind = "tariff".
struct TariffShock : RateChange {
  static constexpr const char* kName = "tariff";

  std::string Describe(const std::string& pairs, double theta,
                       const std::map<std::string, double>& coefficients,
                       std::optional<double> sought) const;
};

// kind = "ntb": the ad-valorem equivalent of a non-tariff barrier.
struct NtbShock : RateChange {
  static constexpr const char* kName = "ntb";

  std::string Describe(const std::string& pairs, double theta,
                       const std::map<std::string, double>& coefficients,
                       std::optional<double> sought) const;
};

// kind = "trade_cost": trade costs tau change by change_pct percent;
// b = -theta * ln(1 + c/100).
struct TradeCostShock {
  static constexpr const char* kName = "trade_cost";
  double change_pct = 0;

  static std::vector<std::string> Keys();
  void Parse(const scenario_parse::ShockKeys& keys);
  ShockEffect Effect(const ShockEffectInputs& inputs) const;
  static std::string SizeText(double value);
  std::string Describe(const std::string& pairs, double theta,
                       const std::map<std::string, double>& coefficients,
                       std::optional<double> sought) const;
  std::optional<GoalRange> DefaultGoalRange() const;
  static std::optional<std::string> CheckGoalRange(double low, double high);
};

// kind = "regressor": a regressor of the [estimation] formula set to a new
// value on the selected pairs, b_ij = beta (to - x_ij) with x_ij the pair's
// value in the baseline year: the Advanced Guide's "trade without borders"
// (INTL_BRDR set to 0 on every pair, ch. 2 Step II, p. 105), or an RTA
// dummy set to 0 (NAFTA, p. 114). `term` must be a plain column of the data.
struct RegressorShock {
  static constexpr const char* kName = "regressor";
  std::string term;
  double to = 0;
  // Filled by RunScenario from the data: x_ij of `term` in the baseline year.
  std::map<std::pair<std::string, std::string>, double> baseline_values;

  static std::vector<std::string> Keys();
  void Parse(const scenario_parse::ShockKeys& keys);
  ShockEffect Effect(const ShockEffectInputs& inputs) const;
  static std::string SizeText(double value);
  std::string Describe(const std::string& pairs, double theta,
                       const std::map<std::string, double>& coefficients,
                       std::optional<double> sought) const;
  static std::optional<GoalRange> DefaultGoalRange();
  static std::optional<std::string> CheckGoalRange(double low, double high);
};

// The kinds, in ShockKind order (the kind table: adding a kind adds one here).
using ShockSpec =
    std::variant<AgreementShock, TariffShock, NtbShock, TradeCostShock, RegressorShock>;
static_assert(std::variant_size_v<ShockSpec> == static_cast<size_t>(ShockKind::kRegressor) + 1,
              "ShockKind and ShockSpec list the kinds in the same order");

// One shock: its name, where it was written, the pairs and the kind.
struct Shock {
  std::string name;  // optional, referenced by [goal]; defaults to "shocks[k]"
  SourceRef where;
  PairSelection pairs;
  ShockSpec spec;
  ShockKind kind() const { return static_cast<ShockKind>(spec.index()); }
};

struct DataSpec {
  std::string path;  // resolved: absolute, or relative to the working directory
  std::string exporter = "exporter";
  std::string importer = "importer";
  std::string year = "year";  // empty: a cross-section
  std::string trade = "trade";
  std::optional<int> baseline_year;
  TextEncoding encoding = TextEncoding::kUtf8;  // [data] encoding = "latin1"
  SourceRef where;                              // the [data] table
  std::map<std::string, SourceRef> key_refs;    // "data.trade" -> where it was given
  // The place of key `key` ("data.trade"), or of the [data] table when not given.
  SourceRef Where(const std::string& key) const;
};

struct EstimationSpec {
  std::string formula;
  std::vector<std::string> filters;
  VcovType vcov = VcovType::kHetero;
  std::vector<std::string> cluster;
  SmallSample small_sample = SmallSample::kStata;
  double tolerance = 1e-8;
  bool check_separation = true;  // ReLU separation check (EstimateOptions)
  bool drop_singletons = true;
  SourceRef where;
};

// Where the GE baseline comes from (docs/ge-solver.md): the observed flows
// (exact hat algebra, as Stata ge_gravity) or the Advanced Guide's fitted
// baseline (pair effects of the panel, missing pairs from a cross-section
// regression, constrained PPML; include/mizani/ge_fitted.h).
enum class BaselineKind { kObserved, kFitted };

// Where a fitted baseline's trade costs t_ij^(1-sigma) come from
// (docs/ge-solver.md section 7): the panel's pair effects and policy terms
// (Advanced Guide application 2, NAFTA; include/mizani/ge_fitted.h
// EstimatePanelTradeCosts), or the [estimation] fit itself, exp of its
// regressors times their coefficients, fixed effects left out (application
// 1, trade without borders, eq. 2-51/2-52).
enum class FittedCosts { kPanel, kEstimation };

struct ModelSpec {
  BaselineKind baseline = BaselineKind::kObserved;
  // baseline = "fitted": stop the full-endowment loop as the book's do-files
  // do (true), or solve the equilibrium exactly (fitted_loop = "exact").
  bool fitted_book_loop = true;
  // baseline = "fitted": regressors of the stage-2 regression that predicts
  // missing pair costs; "log(X)" entries are logged.
  std::vector<std::string> fitted_gravity = {"log(DIST)", "CNTG", "LANG", "CLNY"};
  // baseline = "fitted": `fitted_costs`, "panel" by default with [data]
  // baseline_year, "estimation" without (a cross-section).
  FittedCosts fitted_costs = FittedCosts::kPanel;
  double theta = 0;  // from sigma - 1 or given
  GeMode mode = GeMode::kFullEndowment;
  ImbalanceMode imbalance = ImbalanceMode::kAdditive;
  GeSolver solver = GeSolver::kHat;  // [model] solver, GeOptions::solver (mizani/ge.h)
  Normalization normalization = Normalization::kWorldOutput;
  std::string reference_country;  // for kReferencePrice
  double tolerance = 1e-10;
  SourceRef where;
};

struct OutputSpec {
  std::string folder;  // resolved like the data path
  std::string focus_exporter, focus_importer;
  // Tables to write: countries, pairs, groups, coefficients, focus,
  // uncertainty, goal. Empty: all that apply.
  std::vector<std::string> tables;
  SourceRef where;
};

struct UncertaintySpec {
  UncertaintyMethod method = UncertaintyMethod::kNone;
  int replications = 0;
  uint64_t seed = 1;
  double level = 0.95;
  // Pair bootstrap: the column whose values are the resampled units. Empty:
  // the unordered exporter-importer pair (both directions drawn together, like
  // the Advanced Guide's symmetric pair_id).
  std::string unit_column;
  // The elasticity drawn too (docs/scenarios.md): each replication takes
  // sigma uniformly from `sigma_values`, or from a normal with mean
  // [model] sigma and sd `sigma_sd` (redrawn until > 1). Either list also
  // sets the sigma sensitivity grid.
  std::vector<double> sigma_values;
  double sigma_sd = 0;
  SourceRef where;
};

struct GoalSpec {
  bool enabled = false;
  GoalOutcome outcome = GoalOutcome::kIntraGroupShare;
  std::string group;    // for kIntraGroupShare
  std::string country;  // for the per-country outcomes
  double target = 0;
  std::string shock;  // name of the shock whose size varies
  // Bracket in the shock's own unit: change_pct (trade_cost), to_pct (tariff,
  // ntb) or coefficient (agreement with a given number).
  double low = 0, high = 0;
  double tolerance = 1e-6;  // on the outcome
  int max_iterations = 100;
  SourceRef where;
};

struct Scenario {
  std::string file;  // the scenario file (or "<string>")
  std::string name;
  std::string description;
  DataSpec data;
  std::optional<EstimationSpec> estimation;
  ModelSpec model;
  std::map<std::string, CountrySpec> groups;
  std::vector<Shock> shocks;
  OutputSpec output;
  UncertaintySpec uncertainty;
  GoalSpec goal;
};

// Where relative paths in the file resolve, and command-line overrides.
struct ScenarioOverrides {
  std::string data_dir;       // expands ${MIZANI_DATA}; relative data paths resolve here
  std::string output_folder;  // replaces [output] folder (relative to the working dir)
  std::optional<int> replications;
  std::optional<uint64_t> seed;
  // The caller supplies the table (RunScenarioOnTable): the data path is
  // resolved but not required to exist.
  bool data_in_memory = false;
};

// Parses TOML text. `file` names it in messages; `base_dir` is where relative
// paths resolve (the scenario file's folder). Checks everything that does not
// need the data: types, unknown keys, sigma <= 1, unknown group references,
// shocks without pairs, the solver. Throws Error(kBadScenario) naming the
// file, line and key, or Error(kFileUnreadable) for a data file that does not
// exist.
Scenario ParseScenario(const std::string& toml_text, const std::string& file,
                       const std::string& base_dir, const ScenarioOverrides& overrides = {});
// Reads and parses a scenario file (kFileUnreadable when it cannot be read).
Scenario LoadScenario(const std::string& path, const ScenarioOverrides& overrides = {});

// The baseline: the N x N flow matrix of the baseline year, rows exporters,
// columns importers, countries sorted by code.
struct Baseline {
  std::vector<std::string> codes;
  Eigen::MatrixXd flows;
  int64_t absent_pairs = 0;  // international pairs without a row (taken as zero flows)
  int64_t zero_pairs = 0;    // international pairs with a zero flow (they stay zero)
};

// Builds the baseline from a table holding the DataSpec's columns. Throws
// Error(kBadScenario) for unknown columns, a baseline year without rows, a
// non-square set of countries, a missing/duplicate/negative flow, or a
// domestic flow that is missing or <= 0, naming the first offending country.
Baseline BuildBaseline(const Table& table, const DataSpec& data);

// The partial-effect matrix B of all shocks (multiplied), given the countries,
// theta and the coefficients of estimated terms. `scale`, when set, replaces
// the size of shock `scaled_shock` (goal seeking). Throws Error(kBadScenario)
// for unknown codes/groups, contradictory overlaps, a missing estimated term.
struct ShockOverride {
  int shock_index = -1;
  double value = 0;
};
Eigen::MatrixXd BuildPartialEffects(const Scenario& scenario, const std::vector<std::string>& codes,
                                    const std::map<std::string, double>& coefficients,
                                    const ShockOverride& override_size = {});

// Resolves a CountrySpec to sorted country indices (throws kBadScenario).
std::vector<int> ResolveCountries(const CountrySpec& spec, const Scenario& scenario,
                                  const std::vector<std::string>& codes);

// A percentile interval of one output, per country (or one value).
struct IntervalSet {
  std::string name;                 // "real_gdp_change_pct"
  std::vector<std::string> labels;  // per entry (country codes, group names, terms)
  Eigen::VectorXd lower, upper;
};

struct UncertaintyResult {
  UncertaintyMethod method = UncertaintyMethod::kNone;
  int replications = 0;  // requested
  int succeeded = 0;     // estimation converged and GE solved
  double level = 0.95;
  uint64_t seed = 1;
  std::string unit;  // "pair_id (2,415 units)"
  int threads = 1;
  double seconds = 0;
  std::vector<IntervalSet> countries;  // per-country outputs
  IntervalSet groups;                  // intra-group share after (fraction), per group
  IntervalSet coefficients;            // per estimated coefficient
  IntervalSet focus;                   // focus-pair flow change %, one value
  // draws[rep] of the used coefficients, for checks; NaN for failed reps.
  Eigen::MatrixXd coefficient_draws;
  // draws[rep] of sigma when the elasticity is drawn (else empty).
  Eigen::VectorXd sigma_draws;
};

// The GE re-solved at other values of sigma, same shocks (every scenario):
// countries x sigmas. Not solved: NaN, with the reason in `failures`.
struct SigmaSensitivity {
  std::vector<double> sigmas;
  Eigen::MatrixXd real_gdp_change_pct, welfare_change_pct, exports_change_pct;
  std::vector<std::string> failures;
};

struct GoalResult {
  bool reached = false;
  double value = 0;    // the shock size found
  double outcome = 0;  // the outcome there
  int iterations = 0;
  std::vector<std::pair<double, double>> trace;  // (size, outcome) evaluated in order
  std::string message;
};

struct ScenarioOutcome {
  std::string name;
  std::string description;
  std::string file;
  std::optional<int> baseline_year;
  double theta = 0;
  std::vector<std::string> codes;
  std::optional<EstimateResult> estimation;
  std::map<std::string, double> coefficients;  // estimated terms used by shocks
  Eigen::MatrixXd partial_effects;
  GeResult ge;
  std::string focus_exporter, focus_importer;
  UncertaintyResult uncertainty;
  SigmaSensitivity sensitivity;
  std::optional<GoalResult> goal;
  std::vector<std::string> notes;   // assumptions worth stating
  std::vector<std::string> tables;  // requested tables (empty: all)
  ModelSpec model;
  double seconds = 0;
};

struct RunOptions {
  bool quiet = false;
  int threads = 0;  // bootstrap workers; 0: one per CPU the process may use (mizani/machine.h)
  // Progress lines and the bootstrap bar go here (stderr in the CLI). Called
  // from the calling thread only.
  std::function<void(const std::string& line)> progress;
  // Bootstrap progress: (done, total); throttled by the caller of RunScenario.
  std::function<void(int done, int total)> on_replication;
};

// Runs the scenario. Throws Error(kBadScenario) when the file does not fit the
// data (before any estimation or solve), Error(kNotConverged) when the point
// estimate or GE solve fails, Error(kTargetUnreachable) when the goal lies
// outside the bracket.
ScenarioOutcome RunScenario(const Scenario& scenario, const RunOptions& options = {});
// The same on a table already in memory (scenario.data.path is not read):
// several scenarios on one data set, or synthetic data (`mizani demo`).
ScenarioOutcome RunScenarioOnTable(const Scenario& scenario, const Table& table,
                                   const RunOptions& options = {});

// A shock in one line for reports: its kind, pairs, size and partial effect b
// (with the size goal seeking found, for kinds that report it).
std::string DescribeShock(const Shock& shock, const ScenarioOutcome& outcome);

// The outputs of a run (results files, report, summary): mizani/scenario_output.h.

}  // namespace mizani

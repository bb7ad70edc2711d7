// RunDebtScenario: instruments, exchange-rate Monte Carlo, the portfolio
// under each strategy and shock, LIC-DSF stress tests and goal seeking.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>

#include "finance/internal.h"
#include "mizani/error.h"
#include "mizani/finance.h"
#include "numerics/root_find.h"

namespace mizani::finance {

namespace {

// ACT/365 years run long by a day per leap year: a payment 10 calendar years
// after issue falls at 10.008 years, still year 10 of the bond.
constexpr double kLeapSlack = 0.01;

void Say(const DebtRunOptions& options, const std::string& line) {
  if (options.progress) options.progress(line);
}

// Bisection for the root of a monotone function on [low, high]; nullopt when
// the ends do not bracket a root.
std::optional<double> Bisect(const std::function<double(double)>& gap, double low, double high,
                             int iterations = 60) {
  const numerics::RootSummary summary = numerics::BisectRoot(gap, low, high, iterations);
  if (!summary.converged()) return std::nullopt;
  return summary.root;
}

const Instrument& FindInstrument(const DebtScenario& scenario, const std::string& name) {
  for (const Instrument& instrument : scenario.instruments) {
    if (instrument.name == name) return instrument;
  }
  throw Error(ErrorCode::kBadScenario, fmt::format("no instrument named '{}'", name));
}

StressResult Assess(const Projection& projection, const Thresholds& thresholds) {
  StressResult result;
  result.strategy = projection.strategy;
  result.test = projection.shock;
  // The export-based maxima start at NaN and stay NaN without exports:
  // fmax ignores a NaN operand.
  for (const YearRow& row : projection.rows) {
    result.max_pv_external_gdp = std::max(result.max_pv_external_gdp, row.pv_external_gdp);
    result.max_service_revenue = std::max(result.max_service_revenue, row.external_service_revenue);
    result.max_pv_public_gdp = std::max(result.max_pv_public_gdp, row.pv_public_gdp);
    result.max_pv_external_exports =
        std::fmax(result.max_pv_external_exports, row.pv_external_exports);
    result.max_service_exports =
        std::fmax(result.max_service_exports, row.external_service_exports);
    // Comparisons with NaN are false: without exports only the GDP- and
    // revenue-based thresholds can be breached.
    const bool breach = row.pv_external_gdp > thresholds.pv_external_gdp ||
                        row.external_service_revenue > thresholds.external_service_revenue ||
                        row.pv_external_exports > thresholds.pv_external_exports ||
                        row.external_service_exports > thresholds.external_service_exports;
    if (breach && result.first_breach_year == 0) result.first_breach_year = row.year;
    result.breach = result.breach || breach;
  }
  return result;
}

// Every currency with exchange-rate risk: instruments, sources and the
// register's modelled currencies.
std::vector<std::string> RiskCurrencies(const DebtScenario& scenario) {
  std::vector<std::string> currencies{"KES"};
  const auto need = [&](const std::string& code) {
    if (code != "USD" &&
        std::find(currencies.begin(), currencies.end(), code) == currencies.end()) {
      currencies.push_back(code);
    }
  };
  for (const Instrument& instrument : scenario.instruments) need(instrument.currency);
  for (const FundingSource& source : scenario.sources) need(source.currency);
  for (const std::string& code : scenario.register_options.modelled) need(code);
  return currencies;
}

// The exchange-rate Monte Carlo over the longest of the horizon and every
// instrument's life; the scenario's spot rates replace the history's last.
FxSimulation SimulateExchangeRates(const DebtScenario& scenario, const DebtRunOptions& options,
                                   const std::vector<std::string>& currencies) {
  Say(options, fmt::format("reading the exchange-rate history ({})", fmt::join(currencies, ", ")));
  const FxHistory history = LoadFxHistory(scenario.data_dir, currencies, scenario.fx_first_month);
  FxModelOptions fx_options = scenario.fx;
  fx_options.threads = options.threads;
  int horizon = std::max(fx_options.horizon_years, scenario.horizon_years);
  for (const Instrument& instrument : scenario.instruments) {
    horizon = std::max(
        horizon,
        static_cast<int>(std::ceil(YearFraction(instrument.issue, instrument.maturity))) + 1);
  }
  fx_options.horizon_years = horizon;
  Say(options,
      fmt::format("simulating {} exchange-rate paths over {} years", fx_options.paths, horizon));
  FxSimulation simulation = SimulateFx(history, fx_options);
  for (const auto& [code, rate] : scenario.spot) simulation.spot[code] = rate;
  return simulation;
}

// One instrument: its analytics, its KES and USD cost on every path, and the
// fan of the yearly debt service in KES per 100 KES raised.
InstrumentResult AnalyzeOnPaths(const Instrument& instrument, const FxSimulation& simulation,
                                const DebtRunOptions& options) {
  InstrumentResult result;
  result.instrument = instrument;
  result.analytics = AnalyzeInstrument(instrument);
  result.kes = KesCostDistribution(result.analytics, instrument.currency, simulation,
                                   options.threads, "KES");
  result.usd = KesCostDistribution(result.analytics, instrument.currency, simulation,
                                   options.threads, "USD");
  const int years = static_cast<int>(std::ceil(result.analytics.flows.back().time - kLeapSlack));
  std::vector<std::vector<double>> service(years, std::vector<double>(simulation.paths, 0.0));
  for (int path_idx = 0; path_idx < simulation.paths; ++path_idx) {
    const double proceeds =
        result.analytics.net_proceeds * simulation.KesPer(instrument.currency, path_idx, 0.0);
    for (const CashFlow& flow : result.analytics.flows) {
      const int year_idx =
          std::clamp(static_cast<int>(std::ceil(flow.time - kLeapSlack)) - 1, 0, years - 1);
      service[year_idx][path_idx] += 100 * flow.Total() *
                                     simulation.KesPer(instrument.currency, path_idx, flow.time) /
                                     proceeds;
    }
  }
  for (const auto& column : service) {
    result.service_p05.push_back(Quantile(column, 0.05));
    result.service_p50.push_back(Quantile(column, 0.50));
    result.service_p95.push_back(Quantile(column, 0.95));
  }
  return result;
}

const InstrumentResult& ResultOf(const DebtOutcome& outcome, const std::string& name) {
  return *std::find_if(
      outcome.instruments.begin(), outcome.instruments.end(),
      [&](const InstrumentResult& result) { return result.instrument.name == name; });
}

void AnalyzeInstruments(const DebtScenario& scenario, const FxSimulation& simulation,
                        const DebtRunOptions& options, DebtOutcome& outcome) {
  for (const Instrument& instrument : scenario.instruments) {
    Say(options,
        fmt::format("instrument {}: cash flows, yield and cost on every path", instrument.name));
    outcome.instruments.push_back(AnalyzeOnPaths(instrument, simulation, options));
  }
  if (!scenario.dollar_instrument.empty()) {
    const InstrumentResult& dollar = ResultOf(outcome, scenario.dollar_instrument);
    const InstrumentResult& yen = ResultOf(outcome, scenario.yen_instrument);
    outcome.break_even_appreciation = BreakEvenAppreciation(yen.analytics, dollar.analytics);
    outcome.break_even_closed_form =
        (1 + dollar.analytics.all_in_cost) / (1 + yen.analytics.all_in_cost) - 1;
  }
}

// What the projections start from: the register's loans and the domestic
// rest of the WEO debt stock, in KES bn, and the macro framework.
struct Starting {
  Portfolio portfolio;
  MacroPath macro;
  MacroHistory history;
};

std::map<std::string, double> RegisterRates(const DebtScenario& scenario) {
  std::map<std::string, double> usd_per_unit =
      LoadCbkUsdRates(scenario.cbk_rates_path, scenario.register_rates_date);
  for (const auto& [code, rate] : scenario.register_options.usd_per_unit) usd_per_unit[code] = rate;
  return usd_per_unit;
}

Loan DomesticLoan(const DebtScenario& scenario, double outstanding) {
  Loan domestic;
  domestic.id = "domestic";
  domestic.currency = "KES";
  domestic.creditor_category = "Domestic";
  domestic.outstanding = outstanding;
  domestic.rate = scenario.domestic_rate;
  domestic.external = false;
  domestic.first_year = 0;
  domestic.last_year = scenario.domestic_maturity_years - 1;
  return domestic;
}

void NoteStartingStock(const DebtScenario& scenario, const MacroPath& macro, DebtOutcome& outcome) {
  outcome.notes.push_back(fmt::format(
      "Starting stock: general government gross debt {} (WEO) {:.0f} KES bn, of which external "
      "{:.0f} KES bn from the register at 30 June 2023 valued at the starting exchange rates, and "
      "the rest ({:.0f} KES bn) treated as domestic.",
      scenario.first_year - 1, macro.base_debt, outcome.external_start_kes,
      outcome.domestic_start_kes));
  if (!outcome.register_load.skipped_by_currency.empty()) {
    std::vector<std::string> skipped;
    for (const auto& [code, count] : outcome.register_load.skipped_by_currency) {
      skipped.push_back(fmt::format("{} ({:.0f} lines)", code, count));
    }
    outcome.notes.push_back(fmt::format(
        "Register lines without an exchange rate were left out, as in the shared composition "
        "table: {}.",
        fmt::join(skipped, ", ")));
  }
}

// The [exports] series in USD bn on the macro path, and the moments of its
// history's growth for the exports stress test.
void AddExports(const DebtScenario& scenario, Starting& start, DebtOutcome& outcome) {
  const ExportSeries usd = ExportsInUsd(*scenario.exports, scenario.weo_path, scenario.country);
  for (int year : start.macro.years) start.macro.exports_usd.push_back(usd.projection.at(year));
  const auto before = usd.history.find(scenario.first_year - 1);
  if (before != usd.history.end()) start.macro.base_exports_usd = before->second;
  const GrowthMoments moments = GrowthMomentsOf(usd.history);
  start.history.export_growth_mean = moments.mean;
  start.history.export_growth_sd = moments.sd;
  if (moments.observations >= 2) {
    outcome.notes.push_back(fmt::format(
        "Exports of goods and services from [exports] ({}). The exports stress test uses the "
        "growth of exports in USD over {}-{}: mean {:.2f}%, sd {:.2f}% ({} growth rates).",
        scenario.exports->unit == ExportUnit::kUsdBillion ? "USD bn"
                                                          : "percent of GDP, times WEO NGDPD",
        usd.history.begin()->first, usd.history.rbegin()->first, 100 * moments.mean,
        100 * moments.sd, moments.observations));
  } else {
    outcome.notes.push_back(
        "Exports of goods and services from [exports]; without [exports] history the exports "
        "stress test is not run.");
  }
}

Starting LoadStarting(const DebtScenario& scenario, const FxSimulation& simulation,
                      const DebtRunOptions& options, DebtOutcome& outcome) {
  Say(options, "reading the external debt register and the WEO macro framework");
  RegisterOptions register_options = scenario.register_options;
  register_options.usd_per_unit = RegisterRates(scenario);
  outcome.register_load = LoadDebtRegister(scenario.register_path, register_options);
  Starting start;
  start.macro = LoadWeoMacro(scenario.weo_path, scenario.country, scenario.first_year,
                             scenario.horizon_years);
  start.history =
      LoadWeoHistory(scenario.weo_path, scenario.country,
                     scenario.first_year - scenario.stress_history_years, scenario.first_year - 1);
  if (scenario.exports) AddExports(scenario, start, outcome);
  start.portfolio.loans = outcome.register_load.loans;
  for (const Loan& loan : start.portfolio.loans) {
    outcome.external_start_kes +=
        loan.outstanding * simulation.KesPer(loan.currency, 0, 0.0) / 1000;
  }
  outcome.domestic_start_kes = start.macro.base_debt - outcome.external_start_kes;
  if (outcome.domestic_start_kes <= 0) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{}: external debt from the register ({:.0f} KES bn) exceeds general "
                            "government gross debt {} ({:.0f} KES bn)",
                            scenario.register_path, outcome.external_start_kes,
                            scenario.first_year - 1, start.macro.base_debt));
  }
  // Amounts in KES bn from here: the register's millions of currency become
  // billions through the exchange rate (millions x KES per unit / 1000).
  for (Loan& loan : start.portfolio.loans) loan.outstanding /= 1000;
  start.portfolio.loans.push_back(DomesticLoan(scenario, outcome.domestic_start_kes));
  NoteStartingStock(scenario, start.macro, outcome);
  if (!scenario.exports) {
    outcome.notes.push_back(
        "Export-based indicators (PV of external debt/exports, external debt service/exports) "
        "and the exports stress test need exports of goods and services: add an [exports] "
        "table (docs/finance.md, section 4). None was given, so they are not computed.");
  }
  return start;
}

constexpr const char* kDepreciationTest = "LIC-DSF: one-off depreciation";

// A shock moving exports in the second and third years by `sds` historical
// standard deviations of their USD growth (LIC-DSF exports test).
Shock WithExportShock(Shock shock, const MacroHistory& history, double sds) {
  shock.export_shock_years = 2;
  shock.export_shock = sds;
  shock.export_growth_mean = history.export_growth_mean;
  shock.export_growth_sd = history.export_growth_sd;
  return shock;
}

// The MTDS shocks and the LIC-DSF stress tests (kDepreciationTest is the
// goal seek's test). The exports test runs when [exports] has a history;
// the combined test then includes exports at half size.
std::vector<Shock> StressShocks(const DebtScenario& scenario, const MacroHistory& history) {
  const double sd_growth = history.growth_sd;
  const double sd_balance = history.balance_sd;
  const bool exports = scenario.exports && !scenario.exports->history.empty();
  std::vector<Shock> shocks{
      Shock{"baseline", 0, 1, 0, 0, 0, 0, 1},
      Shock{"MTDS: exchange-rate shock", scenario.depreciation, 1, 0, 0, 0, 0, 1},
      Shock{"MTDS: interest-rate shock", 0, 1, scenario.rate_shock, 0, 0, 0, 1},
      Shock{"MTDS: combined shock", scenario.depreciation / 2, 1, scenario.rate_shock / 2, 0, 0, 0,
            1},
      Shock{"LIC-DSF: real GDP growth", 0, 1, 0, 2, sd_growth, 0, 1},
      Shock{"LIC-DSF: primary balance", 0, 1, 0, 2, 0, 0.5 * sd_balance, 1}};
  if (exports) shocks.push_back(WithExportShock(Shock{"LIC-DSF: exports"}, history, 1.0));
  shocks.push_back(Shock{kDepreciationTest, scenario.depreciation, 1, 0, 0, 0, 0, 1});
  const Shock combined{"LIC-DSF: combined", scenario.depreciation / 2, 1, 0, 2,
                       0.5 * sd_growth,     0.25 * sd_balance,         1};
  shocks.push_back(exports ? WithExportShock(combined, history, 0.5) : combined);
  return shocks;
}

// Everything the deterministic projections share.
struct ProjectionInputs {
  std::map<std::string, FxPath> paths;  // the model's drift (forward parity by default)
  std::vector<FundingSource> sources;   // rates of instrument-backed sources filled in
  ProjectionOptions options;
  std::vector<Shock> shocks;
};

ProjectionInputs PrepareProjections(const DebtScenario& scenario,
                                    const std::vector<std::string>& currencies,
                                    const FxSimulation& simulation, const Starting& start,
                                    DebtOutcome& outcome) {
  ProjectionInputs inputs;
  for (const std::string& code : currencies) {
    if (code != "KES") inputs.paths[code] = simulation.DriftPathFor(code);
  }
  inputs.paths["USD"] = simulation.DriftPathFor("USD");
  // Projections in KES bn: sources' issuance is in their currency's billions.
  inputs.options.horizon_years = scenario.horizon_years;
  inputs.sources = scenario.sources;
  for (size_t source_idx = 0; source_idx < inputs.sources.size(); ++source_idx) {
    if (!scenario.source_instruments[source_idx].empty()) {
      inputs.sources[source_idx].rate =
          ResultOf(outcome, scenario.source_instruments[source_idx]).analytics.all_in_cost;
    }
  }
  inputs.shocks = StressShocks(scenario, start.history);
  outcome.notes.push_back(fmt::format(
      "Stress tests use Kenya's WEO history {}-{}: real growth {:.2f}% (sd {:.2f}), primary "
      "balance {:.2f}% of GDP (sd {:.2f}).",
      scenario.first_year - scenario.stress_history_years, scenario.first_year - 1,
      100 * start.history.growth_mean, 100 * start.history.growth_sd,
      100 * start.history.balance_mean, 100 * start.history.balance_sd));
  return inputs;
}

void ProjectStrategies(const DebtScenario& scenario, const FxSimulation& simulation,
                       const Starting& start, const ProjectionInputs& inputs,
                       const DebtRunOptions& options, DebtOutcome& outcome) {
  for (const Strategy& strategy : scenario.strategies) {
    Say(options, fmt::format("strategy {}: {} shocks and {} stochastic paths", strategy.name,
                             inputs.shocks.size(), simulation.paths));
    for (const Shock& shock : inputs.shocks) {
      outcome.projections.push_back(Project(start.portfolio, inputs.sources, strategy, start.macro,
                                            inputs.paths, shock, inputs.options));
      if (shock.name == "baseline" || shock.name.rfind("LIC-DSF", 0) == 0) {
        outcome.stress.push_back(Assess(outcome.projections.back(), outcome.thresholds));
      }
    }
    outcome.stochastic.push_back(ProjectStochastic(start.portfolio, inputs.sources, strategy,
                                                   start.macro, simulation, inputs.options,
                                                   options.threads));
  }
}

// One yen parameter (the guarantee fee, the coupon) sought on [0, high] so
// that the yen bond's p95 KES cost equals the dollar bond's mean.
struct YenGoal {
  std::string name;
  double high = 0;
  std::function<void(Instrument&, double)> set;
  std::function<std::string(double found)> reached;
  std::function<std::string()> missed;
};

GoalResult SeekYenParameter(const YenGoal& spec, const Instrument& yen, double target,
                            const std::function<double(const Instrument&)>& p95_with) {
  GoalResult goal;
  goal.name = spec.name;
  goal.target = target;
  const auto found = Bisect(
      [&](double value) {
        Instrument variant = yen;
        spec.set(variant, value);
        return p95_with(variant) - target;
      },
      0.0, spec.high, 40);
  goal.reached = found.has_value();
  goal.value = found.value_or(std::nan(""));
  goal.message = found ? spec.reached(*found) : spec.missed();
  return goal;
}

void SeekInstrumentGoals(const DebtScenario& scenario, const FxSimulation& simulation,
                         const DebtRunOptions& options, DebtOutcome& outcome) {
  Say(options, "goal seeking: guarantee fee and yen coupon");
  const double target = ResultOf(outcome, scenario.dollar_instrument).kes.mean;
  const Instrument& yen = FindInstrument(scenario, scenario.yen_instrument);
  const auto p95_with = [&](const Instrument& variant) {
    return KesCostDistribution(AnalyzeInstrument(variant), variant.currency, simulation,
                               options.threads)
        .p95;
  };
  YenGoal fee;
  fee.name = "guarantee fee (a year) at which the yen p95 KES cost equals the dollar mean";
  fee.high = 0.15;
  fee.set = [](Instrument& variant, double value) { variant.guarantee_fee = value; };
  fee.reached = [&](double found) {
    return fmt::format(
        "A guarantee premium of {:.3f}% a year on {} makes its 95th-percentile "
        "KES cost equal the dollar bond's expected KES cost ({:.3f}%).",
        100 * found, yen.name, 100 * target);
  };
  fee.missed = [&] {
    return fmt::format(
        "No premium in [0, 15%] a year equates the yen p95 KES cost with the "
        "dollar mean ({:.3f}%): even without a premium the p95 is {:.3f}%.",
        100 * target, 100 * ResultOf(outcome, yen.name).kes.p95);
  };
  outcome.goals.push_back(SeekYenParameter(fee, yen, target, p95_with));
  YenGoal coupon;
  coupon.name = "yen coupon at which the yen p95 KES cost equals the dollar mean";
  coupon.high = 0.25;
  coupon.set = [](Instrument& variant, double value) { variant.coupon = value; };
  coupon.reached = [&](double found) {
    return fmt::format(
        "A yen coupon of {:.3f}% (premium {:.3f}% kept) makes the yen p95 KES "
        "cost equal the dollar bond's expected KES cost ({:.3f}%).",
        100 * found, 100 * yen.guarantee_fee, 100 * target);
  };
  coupon.missed = [&] {
    Instrument variant = yen;
    variant.coupon = 0;
    return fmt::format(
        "No yen coupon in [0, 25%] reaches the target {:.3f}%: with a zero "
        "coupon the yen p95 KES cost is {:.3f}%.",
        100 * target, 100 * p95_with(variant));
  };
  outcome.goals.push_back(SeekYenParameter(coupon, yen, target, p95_with));
}

// Margin to the tightest of the goal's external thresholds (negative:
// breached).
double TightestMargin(const std::vector<std::string>& indicators, const Thresholds& thresholds,
                      const StressResult& result) {
  double tightest = std::numeric_limits<double>::infinity();
  for (const std::string& indicator : indicators) {
    if (indicator == "pv_external_gdp") {
      tightest = std::min(tightest, thresholds.pv_external_gdp - result.max_pv_external_gdp);
    } else if (indicator == "external_service_revenue") {
      tightest =
          std::min(tightest, thresholds.external_service_revenue - result.max_service_revenue);
    } else if (indicator == "pv_external_exports") {
      tightest =
          std::min(tightest, thresholds.pv_external_exports - result.max_pv_external_exports);
    } else if (indicator == "external_service_exports") {
      tightest =
          std::min(tightest, thresholds.external_service_exports - result.max_service_exports);
    } else {
      tightest = std::min(tightest, thresholds.pv_public_gdp - result.max_pv_public_gdp);
    }
  }
  return tightest;
}

size_t SourceIndex(const std::vector<FundingSource>& sources, const std::string& name) {
  return static_cast<size_t>(
      std::find_if(sources.begin(), sources.end(),
                   [&](const FundingSource& source) { return source.name == name; }) -
      sources.begin());
}

// The goal's outcome once the scan has found the last share that keeps the
// margin and the first that does not (-1: none).
void SettleYenShare(const DebtScenario& scenario, const Strategy& base, double base_share,
                    double room, double last_ok, double first_bad,
                    const std::function<double(double)>& margin, GoalResult& goal) {
  if (last_ok < 0) {
    goal.reached = false;
    goal.value = 0;
    goal.message = fmt::format(
        "Strategy '{}' already breaches a threshold ({}) in the depreciation test before any "
        "yen borrowing is added (margin {:.2f} points).",
        base.name, fmt::join(scenario.goal_indicators, ", "), margin(0));
  } else if (first_bad < 0) {
    goal.reached = true;
    goal.value = base_share + room;
    goal.message = fmt::format(
        "Moving all of {}'s share ({:.1f}% of gross borrowing) to {} keeps {} under the "
        "thresholds in the depreciation test.",
        scenario.goal_take_from, 100 * room, scenario.goal_yen_source,
        fmt::join(scenario.goal_indicators, ", "));
  } else {
    const double moved = Bisect(margin, last_ok, first_bad, 30).value_or(last_ok);
    goal.reached = true;
    goal.value = base_share + moved;
    goal.message = fmt::format(
        "The yen share can rise to {:.1f}% of gross borrowing (moving {:.1f} points from {}) "
        "before a ratio crosses its threshold in the depreciation test.",
        100 * goal.value, 100 * moved, scenario.goal_take_from);
  }
}

void SeekYenShare(const DebtScenario& scenario, const Starting& start,
                  const ProjectionInputs& inputs, const DebtRunOptions& options,
                  DebtOutcome& outcome) {
  Say(options, "goal seeking: largest yen share under the thresholds in the depreciation test");
  const Strategy& base = *std::find_if(
      scenario.strategies.begin(), scenario.strategies.end(),
      [&](const Strategy& strategy) { return strategy.name == scenario.goal_base_strategy; });
  const size_t yen_idx = SourceIndex(inputs.sources, scenario.goal_yen_source);
  const size_t from_idx = SourceIndex(inputs.sources, scenario.goal_take_from);
  const double room = base.shares[from_idx];
  const Shock& stress =
      *std::find_if(inputs.shocks.begin(), inputs.shocks.end(),
                    [](const Shock& shock) { return shock.name == kDepreciationTest; });
  const std::function<double(double)> margin = [&](double moved) {
    Strategy variant = base;
    variant.name = fmt::format("{} + {:.1f}% yen", base.name, 100 * moved);
    variant.shares[from_idx] -= moved;
    variant.shares[yen_idx] += moved;
    const StressResult result = Assess(Project(start.portfolio, inputs.sources, variant,
                                               start.macro, inputs.paths, stress, inputs.options),
                                       outcome.thresholds);
    return TightestMargin(scenario.goal_indicators, outcome.thresholds, result);
  };
  GoalResult goal;
  goal.name = fmt::format(
      "largest {} share of gross borrowing (moved from {}) keeping {} under "
      "the thresholds in the depreciation test",
      scenario.goal_yen_source, scenario.goal_take_from, fmt::join(scenario.goal_indicators, ", "));
  // Scan, then bisect the first crossing: the margin need not be monotone.
  constexpr int kSteps = 20;
  double last_ok = -1;
  double first_bad = -1;
  for (int step = 0; step <= kSteps; ++step) {
    const double moved = room * step / kSteps;
    if (margin(moved) >= 0) {
      last_ok = moved;
    } else {
      first_bad = moved;
      break;
    }
  }
  SettleYenShare(scenario, base, base.shares[yen_idx], room, last_ok, first_bad, margin, goal);
  outcome.goals.push_back(goal);
}

}  // namespace

DebtOutcome RunDebtScenario(const DebtScenario& scenario, const DebtRunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  DebtOutcome outcome;
  outcome.scenario = scenario;
  outcome.thresholds = LicDsfThresholds(scenario.capacity);
  const std::vector<std::string> currencies = RiskCurrencies(scenario);
  const FxSimulation simulation = SimulateExchangeRates(scenario, options, currencies);
  outcome.spot = simulation.spot;
  outcome.fx_model = simulation.model;
  AnalyzeInstruments(scenario, simulation, options, outcome);
  const Starting start = LoadStarting(scenario, simulation, options, outcome);
  const ProjectionInputs inputs =
      PrepareProjections(scenario, currencies, simulation, start, outcome);
  ProjectStrategies(scenario, simulation, start, inputs, options, outcome);
  if (!scenario.dollar_instrument.empty())
    SeekInstrumentGoals(scenario, simulation, options, outcome);
  if (!scenario.goal_yen_source.empty()) SeekYenShare(scenario, start, inputs, options, outcome);
  outcome.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return outcome;
}

}  // namespace mizani::finance

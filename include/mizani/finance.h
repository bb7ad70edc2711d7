// Debt financing: bond analytics (QuantLib), exchange-rate paths and Monte
// Carlo, an MTDS-style portfolio projection of borrowing strategies and a
// LIC-DSF-style sustainability analysis. docs/finance.md states the method,
// what follows the IMF-World Bank tools exactly and what is simplified.
//
// Units: rates are fractions per year (0.0975 for 9.75%); prices are percent
// of par (97.27); amounts are in millions of the instrument's currency unless
// a field says otherwise; exchange rates are units of the reporting currency
// (KES) per unit of the foreign currency. Errors that stop an operation throw
// mizani::Error (error.h); expected outcomes (a goal that cannot be reached)
// are reported in the result structs.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mizani::finance {

struct CivilDate {
  int year = 0;
  int month = 1;
  int day = 1;
};
// "YYYY-MM-DD" (or "YYYY": 1 January). nullopt when malformed or invalid.
std::optional<CivilDate> ParseDate(const std::string& text);
std::string FormatDate(const CivilDate& date);
// Year fraction between two dates on ACT/365 (Fixed): the clock of every
// all-in cost and exchange-rate path.
double YearFraction(const CivilDate& from, const CivilDate& to);

enum class RateType { kFixed, kFloating };
enum class DayCount { kThirty360, kActual365, kActual360, kActualActual };

// Currencies the engine knows. A currency outside this list is an error
// (kBadScenario); one in the list but without an exchange-rate history is
// also an error where a path is needed.
const std::vector<std::string>& KnownCurrencies();
bool IsKnownCurrency(const std::string& code);

// One borrowing instrument. Principal is repaid in `instalments` equal
// annual amounts on the anniversaries ending at maturity (1 = bullet; the
// Kenya 2031 notes have 3: 2029, 2030, 2031), or, when `grace_years` > 0
// and `instalments` == 0, in equal amounts on every payment date after the
// grace period (concessional loans).
struct Instrument {
  std::string name;
  std::string currency = "USD";
  double face = 100;  // millions of `currency`
  CivilDate issue{2025, 1, 1};
  CivilDate maturity{2035, 1, 1};
  RateType rate_type = RateType::kFixed;
  double coupon = 0;      // fixed: the coupon; floating: the spread over the index
  double index_rate = 0;  // floating: the projected (flat) index rate
  int frequency = 2;      // payments per year: 1, 2, 4 or 12
  DayCount day_count = DayCount::kThirty360;
  double price = 100;        // issue price, % of par
  double upfront_fee = 0;    // fraction of face, paid at issue
  double guarantee_fee = 0;  // fraction of outstanding per year, paid with each coupon
  int grace_years = 0;
  int instalments = 1;
};

// Throws Error(kBadScenario) naming the instrument and field: unknown
// currency, negative amount or rate, maturity before issue, instalments
// longer than the life of the bond, frequency not in {1,2,4,12}.
void ValidateInstrument(const Instrument& instrument);

struct CashFlow {
  CivilDate date;
  double time = 0;  // years from issue (ACT/365F)
  double interest = 0;
  double principal = 0;
  double guarantee = 0;    // guarantee or insurance premium
  double outstanding = 0;  // after this payment
  double Total() const { return interest + principal + guarantee; }
};

struct BondAnalytics {
  std::vector<CashFlow> flows;   // debt service, in the currency of issue
  double net_proceeds = 0;       // face * price/100 - upfront fee
  double yield = 0;              // at the issue price, compounded `frequency` times a year
  double macaulay_duration = 0;  // years, at `yield`
  double modified_duration = 0;
  double average_life = 0;      // years, principal-weighted
  double all_in_cost = 0;       // annual effective IRR of net proceeds vs debt service
  double principal_repaid = 0;  // sum of principal flows
};

// Cash flows, yield, duration through QuantLib's AmortizingFixedRateBond and
// BondFunctions; the all-in cost through CashFlows::yield on the net flows.
// Floating-rate coupons are projected at index_rate + coupon (flat forward).
BondAnalytics AnalyzeInstrument(const Instrument& instrument);
// Clean price (% of par) of the instrument at a yield (same compounding).
double PriceAtYield(const Instrument& instrument, double yield);

// Annual effective internal rate of return: the rate r with
// sum amounts[k] / (1+r)^times[k] == 0 (the first amount is the positive
// proceeds). Brent's method on [-0.99, 10]; NaN when no sign change.
double Irr(std::span<const double> times, std::span<const double> amounts);

// An exchange-rate path: reporting-currency units per foreign unit at
// `times` (years from the start), interpolated log-linearly in time and held
// flat outside the grid.
struct FxPath {
  std::vector<double> times;
  std::vector<double> rates;
  double At(double time) const;
};
FxPath ConstantPath(double spot, double horizon_years);
// Covered interest parity: spot * ((1 + r_domestic)/(1 + r_foreign))^t.
FxPath ParityPath(double spot, double domestic_rate, double foreign_rate, double horizon_years);
// The foreign currency appreciating by `rate` a year: spot * (1+rate)^t.
FxPath TrendPath(double spot, double rate, double horizon_years);

// All-in cost in the reporting currency: IRR of the flows converted at the
// path (proceeds at t = 0, each payment at its time).
double AllInCostAlongPath(const BondAnalytics& bond, const FxPath& path);

// The yen (foreign) appreciation a year against the dollar at which the
// yen instrument's USD all-in cost equals the dollar instrument's. For
// bullet bonds at par without fees this is (1+y_usd)/(1+y_jpy) - 1.
double BreakEvenAppreciation(const BondAnalytics& foreign, const BondAnalytics& dollar);

// ----------------------------------------------------------------------------
// Exchange-rate history and the stochastic model.

// Month-end log levels of the exchange rates against the dollar, on their
// common months. `pairs` are "KES", "JPY", "EUR": units of that currency per
// US dollar.
struct FxHistory {
  std::vector<std::string> currencies;
  std::vector<std::string> months;  // "YYYY-MM"
  // log_levels[currency_idx][month_idx]
  std::vector<std::vector<double>> log_levels;
  // Joint monthly log-returns between consecutive calendar months that all
  // currencies have: returns[currency_idx][return_idx].
  std::vector<std::vector<double>> returns;
  std::map<std::string, double> last_rate;  // units per USD, last common month
  std::string source;
};
// Reads fx_history/ under `data_dir` (usd_kes_daily_cbk.csv,
// usd_jpy_daily_fred_dexjpus.csv.gz, eur_usd_daily_fred_dexuseu.csv) for the
// listed currencies (USD needs none). Throws Error(kFileUnreadable) naming
// the missing file, Error(kBadScenario) for a currency without history.
FxHistory LoadFxHistory(const std::string& data_dir, const std::vector<std::string>& currencies,
                        const std::string& first_month = "2005-01");

enum class FxModelKind {
  kBlockBootstrap,  // blocks of consecutive historical monthly log-returns (all pairs together)
  kNormal,          // correlated normal monthly log-returns, moments from history
};
enum class FxDrift {
  kHistorical,  // the sample mean of the history
  kParity,      // covered interest parity from `interest_rates` (per currency, and KES)
  kZero,
};

struct FxModelOptions {
  FxModelKind kind = FxModelKind::kBlockBootstrap;
  FxDrift drift = FxDrift::kParity;
  std::map<std::string, double> interest_rates;  // annual, per currency incl. "KES" and "USD"
  int block_months = 12;
  double volatility_scale = 1;  // 0: every path is the deterministic drift path
  int paths = 10000;
  int horizon_years = 10;
  uint64_t seed = 20250820;
  int threads = 0;  // 0: hardware concurrency; results do not depend on it
};

// Simulated monthly paths of log(units per USD), each path from its own
// counter-based random stream (seed, path index): the same numbers with any
// thread count.
struct FxSimulation {
  std::vector<std::string> currencies;
  std::map<std::string, double> spot;  // units per USD at t = 0
  int paths = 0;
  int months = 0;
  // log_change[(path * currencies + currency_idx) * (months + 1) + month]:
  // log of rate(t)/spot, month 0 = 0.
  std::vector<double> log_change;
  double monthly_drift(int currency_idx) const { return drift[currency_idx]; }
  std::vector<double> drift;       // per currency, per month (log)
  std::vector<double> volatility;  // per currency, per month (log), of the history
  std::string model;               // one-line description for reports
  std::string model_notes;
  // KES per unit of `currency` at time t (years) on `path_idx`.
  double KesPer(const std::string& currency, int path_idx, double time) const;
  FxPath PathFor(const std::string& currency, int path_idx) const;
  FxPath DriftPathFor(const std::string& currency) const;  // zero-volatility path
};
FxSimulation SimulateFx(const FxHistory& history, const FxModelOptions& options);

struct CostDistribution {
  double mean = 0, p05 = 0, p50 = 0, p95 = 0;
  double deterministic = 0;   // along the drift path
  std::vector<double> draws;  // per path
};
// All-in cost of one instrument on every simulated path, in `reporting`
// (KES or USD) units.
CostDistribution KesCostDistribution(const BondAnalytics& bond, const std::string& currency,
                                     const FxSimulation& simulation, int threads = 0,
                                     const std::string& reporting = "KES");

// ----------------------------------------------------------------------------
// Portfolio (MTDS-style) and sustainability (LIC-DSF-style).

// A loan of the existing portfolio, reduced to what the projection needs.
struct Loan {
  std::string id;
  std::string currency;  // USD, EUR, JPY, KES, ... (others valued through USD)
  std::string creditor_category;
  double outstanding = 0;  // millions of currency at the start
  double rate = 0;         // annual interest rate
  bool floating = false;
  bool external = true;
  // Principal is repaid in equal amounts at the end of each projection year
  // from first_year to last_year (0-based); last_year < 0 (overdue) means
  // everything is due at the end of year 0.
  int first_year = 0;
  int last_year = 0;
};

// The register at 30 June 2023 (kenya_debt/kenya_external_debt_register_*):
// each line's outstanding at 30 June 2023 in its currency (JPK = thousands
// of yen), in millions. Currencies with a modelled exchange rate
// (`modelled`: USD, EUR, JPY) stay in their currency; the others are
// converted to USD at `usd_per_unit` (their risk is then the dollar's).
// Lines in currencies without a rate are skipped and counted. Interest rates
// come from `category_rates` by creditor category (the register has none).
// Principal: equal annual instalments from the first projection year to the
// maturity year.
struct RegisterOptions {
  int first_year = 2025;  // first projection year
  std::map<std::string, double> category_rates;
  double default_rate = 0.03;
  std::vector<std::string> floating_categories;
  std::vector<std::string> modelled{"USD", "EUR", "JPY"};
  std::map<std::string, double> usd_per_unit;  // for the other currencies
};
struct RegisterLoad {
  std::vector<Loan> loans;
  int lines = 0;
  std::map<std::string, double> skipped_by_currency;  // lines skipped, by currency
  double total_usd = 0;  // millions, at usd_per_unit (modelled ones included)
};
RegisterLoad LoadDebtRegister(const std::string& path, const RegisterOptions& options);
// USD per unit of each currency on `date` (or the last day before it) from
// the CBK indicative rates (fx_history/cbk_indicative_rates_all_currencies_*).
std::map<std::string, double> LoadCbkUsdRates(const std::string& path, const std::string& date);

// A source of new borrowing: terms of new issues in that source.
struct FundingSource {
  std::string name;  // e.g. "eurobond_usd"
  std::string currency = "USD";
  double rate = 0;  // all-in annual cost (coupon + fees + premium, as IRR)
  bool floating = false;
  int maturity_years = 10;
  int grace_years = 0;  // principal starts after the grace period
  int instalments = 1;  // equal annual instalments ending at maturity (1 = bullet)
  bool external = true;
};

struct Strategy {
  std::string name;
  std::vector<double> shares;  // per funding source, summing to 1
};
// Throws Error(kBadScenario) when shares are negative or do not sum to 1
// (within 1e-6), naming the strategy.
void ValidateStrategy(const Strategy& strategy, size_t num_sources);

struct MacroPath {
  double base_gdp = 0;   // KES bn, the year before the first projection year
  double base_debt = 0;  // general government gross debt, KES bn, same year
  std::vector<int> years;
  std::vector<double> gdp;              // KES bn, nominal
  std::vector<double> real_growth;      // fraction
  std::vector<double> revenue;          // KES bn
  std::vector<double> primary_balance;  // KES bn (surplus > 0)
  // Exports of goods and services, USD bn, per projection year; empty when
  // unknown (then the export-based indicators are not computed).
  std::vector<double> exports_usd;
  double base_exports_usd = std::numeric_limits<double>::quiet_NaN();  // the year before
};

// Exports of goods and services for the LIC-DSF export-based indicators (PV
// of external debt/exports, external debt service/exports) and the exports
// stress test. Values by calendar year, in USD bn or in percent of GDP (then
// converted with the WEO's GDP in USD, NGDPD).
enum class ExportUnit { kUsdBillion, kPercentOfGdp };
struct ExportSeries {
  ExportUnit unit = ExportUnit::kUsdBillion;
  std::map<int, double> projection;  // every projection year
  std::map<int, double> history;     // consecutive years before the projection (>= 3)
};
// Throws Error(kBadScenario) with `where` (file and key) in the message: a
// value that is not finite or not positive, a projection year without a
// value, a history shorter than three years, with a gap, or reaching into
// the projection.
void ValidateExports(const ExportSeries& exports, int first_year, int horizon_years,
                     const std::string& where);
// The series in USD bn: as given, or percent of GDP times the WEO's GDP in
// USD (NGDPD) of the same year; beyond 2030, NGDPD grows at its 2030 rate.
ExportSeries ExportsInUsd(const ExportSeries& exports, const std::string& weo_path,
                          const std::string& country);
// Mean and standard deviation (n - 1) of the yearly growth of a series
// (fractions), over its consecutive years.
struct GrowthMoments {
  double mean = 0, sd = 0;
  int observations = 0;
};
GrowthMoments GrowthMomentsOf(const std::map<int, double>& series);
// WEO April 2025 (imf_weo_2025apr/weo_2025apr_long.csv.gz) for `country`
// from `first_year`, `years` long; beyond 2030 the 2030 growth, deflator,
// revenue and balance ratios are held.
MacroPath LoadWeoMacro(const std::string& path, const std::string& country, int first_year,
                       int years);
// The historical mean and standard deviation of real growth and of the
// primary balance/GDP over [first_year, last_year] (for the stress tests).
struct MacroHistory {
  double growth_mean = 0, growth_sd = 0;
  double balance_mean = 0, balance_sd = 0;  // fraction of GDP
  // Nominal growth of exports in USD (ExportSeries history); zero when none.
  double export_growth_mean = 0, export_growth_sd = 0;
};
MacroHistory LoadWeoHistory(const std::string& path, const std::string& country, int first_year,
                            int last_year);

struct Portfolio {
  std::vector<Loan> loans;  // external (register) and domestic
};

// Shocks applied to a projection (MTDS standard shocks; LIC-DSF stress tests).
struct Shock {
  std::string name = "baseline";
  double depreciation = 0;     // one-off KES depreciation against every currency
  int depreciation_year = 1;   // projection year index (0-based) it hits
  double rate_shock = 0;       // added to the rate of new issues and floating debt
  int growth_shock_years = 0;  // first `n` years from `shock_start`
  double growth_shock = 0;     // subtracted from real growth (fraction)
  double balance_shock = 0;    // subtracted from the primary balance (fraction of GDP)
  int shock_start = 1;
  // Exports (LIC-DSF): in the first `export_shock_years` years from
  // shock_start, nominal USD export growth is the lower of the historical
  // mean and the baseline growth, minus `export_shock` historical standard
  // deviations; later years grow at their baseline rates from that level.
  int export_shock_years = 0;
  double export_shock = 0;  // standard deviations
  double export_growth_mean = 0, export_growth_sd = 0;
};

struct ProjectionOptions {
  int horizon_years = 10;
  double discount_rate = 0.05;  // LIC-DSF present value of external debt
};

// One year of a projection (amounts KES bn; ratios in percent; ATM and ATR
// in years, at the end of the year).
struct YearRow {
  int year = 0;
  double gdp = 0, revenue = 0;
  double primary_deficit = 0, interest = 0, amortisation = 0, gross_financing_need = 0;
  std::vector<double> issuance;  // per source
  double debt = 0, external_debt = 0, fx_debt = 0;
  std::map<std::string, double> debt_by_currency;
  double external_debt_service = 0;
  double pv_external_debt = 0;
  // Indicators.
  double debt_gdp = 0, interest_gdp = 0, interest_revenue = 0, weighted_rate = 0;
  double atm = 0, atr = 0, fx_share = 0, maturing_1y = 0, refixing_1y = 0;
  double pv_external_gdp = 0, external_service_revenue = 0, pv_public_gdp = 0;
  // Exports (KES bn, the USD value at the year-end rate) and the export-based
  // ratios (percent); NaN when the macro path has no exports.
  double exports = std::numeric_limits<double>::quiet_NaN();
  double pv_external_exports = std::numeric_limits<double>::quiet_NaN();
  double external_service_exports = std::numeric_limits<double>::quiet_NaN();
  // Debt dynamics: change in debt/GDP and its parts (percentage points).
  double d_change = 0, d_interest = 0, d_growth = 0, d_inflation = 0, d_exchange = 0, d_primary = 0,
         d_residual = 0;
};

struct Projection {
  std::string strategy;
  std::string shock;
  std::vector<YearRow> rows;
};

// The deterministic projection of `portfolio` under a strategy: KES per unit
// of each currency from `kes_per` (a path per currency; "KES" is 1).
Projection Project(const Portfolio& portfolio, const std::vector<FundingSource>& sources,
                   const Strategy& strategy, const MacroPath& macro,
                   const std::map<std::string, FxPath>& kes_per, const Shock& shock,
                   const ProjectionOptions& options);

// The projection on every simulated exchange-rate path, reduced to the
// distributions the frontier needs (the indicator in the horizon year).
struct StochasticSummary {
  std::string strategy;
  double interest_gdp_mean = 0, interest_gdp_p95 = 0;
  double debt_gdp_mean = 0, debt_gdp_p05 = 0, debt_gdp_p50 = 0, debt_gdp_p95 = 0;
  // Fan chart of debt/GDP: per year p05, p50, p95.
  std::vector<double> fan_p05, fan_p50, fan_p95;
};
StochasticSummary ProjectStochastic(const Portfolio& portfolio,
                                    const std::vector<FundingSource>& sources,
                                    const Strategy& strategy, const MacroPath& macro,
                                    const FxSimulation& simulation,
                                    const ProjectionOptions& options, int threads = 0);

// LIC-DSF 2018 thresholds and benchmark for a debt-carrying capacity.
enum class CarryingCapacity { kWeak, kMedium, kStrong };
struct Thresholds {
  double pv_external_gdp = 0;      // percent
  double pv_external_exports = 0;  // percent
  double external_service_exports = 0;
  double external_service_revenue = 0;
  double pv_public_gdp = 0;  // total public debt benchmark
};
Thresholds LicDsfThresholds(CarryingCapacity capacity);

// Maturity indicators of a set of loans at a time (years), as in the MTDS
// tool: ATM = principal-weighted time to repayment; ATR = the same with
// floating debt re-fixing at its next payment (taken as now).
struct RiskIndicators {
  double atm = 0, atr = 0, maturing_1y = 0, refixing_1y = 0;
};
// Measured at the start of year `year_idx`; each loan's principal valued
// at `kes_per_unit[loan_idx]`.
RiskIndicators MaturityIndicators(std::span<const Loan> loans, std::span<const double> kes_per_unit,
                                  int year_idx);
// Principal repayment of a loan at the end of projection year `year_idx`.
double PrincipalDue(const Loan& loan, int year_idx);
// Outstanding after the payments of years before `year_idx` (start of year).
double OutstandingAt(const Loan& loan, int year_idx);

}  // namespace mizani::finance

namespace mizani {
struct ReportDocument;  // report.h
struct ReportTable;     // report.h
}  // namespace mizani

namespace mizani::finance {

// ----------------------------------------------------------------------------
// The scenario file of `mizani debt` (docs/finance.md) and its run.

struct DebtScenario {
  std::string file;
  std::string name;
  std::string description;
  std::string data_dir;  // resolved folder of the shared data
  std::string country = "Kenya";
  int first_year = 2025;
  int horizon_years = 10;
  CarryingCapacity capacity = CarryingCapacity::kMedium;
  std::map<std::string, double> interest_rates;  // [market] rates, incl. KES and USD
  std::map<std::string, double> spot;            // units per USD; default: history's last month
  std::vector<Instrument> instruments;
  std::string dollar_instrument;  // [compare]
  std::string yen_instrument;
  FxModelOptions fx;
  std::string fx_first_month = "2005-01";
  // The existing portfolio.
  std::string register_path;
  std::string cbk_rates_path;
  std::string weo_path;
  std::string register_rates_date = "2023-06-30";
  RegisterOptions register_options;
  double domestic_rate = 0.13;
  int domestic_maturity_years = 8;
  // Borrowing.
  std::vector<FundingSource> sources;
  std::vector<std::string>
      source_instruments;  // per source: instrument whose terms it takes, or ""
  std::vector<Strategy> strategies;
  // Shocks (MTDS) and stress tests (LIC-DSF).
  double depreciation = 0.30;
  double rate_shock = 0.02;
  int stress_history_years = 10;
  // [exports]: exports of goods and services; without it the export-based
  // indicators and the exports stress test are not computed.
  std::optional<ExportSeries> exports;
  // Goal seeking.
  std::string goal_yen_source;
  std::string goal_take_from;
  std::string goal_base_strategy;
  // Ratios kept under their thresholds: pv_external_gdp,
  // external_service_revenue, pv_public_gdp (the benchmark), and with
  // [exports] pv_external_exports, external_service_exports.
  std::vector<std::string> goal_indicators{"pv_external_gdp", "external_service_revenue"};
};

struct DebtOverrides {
  std::string data_dir;
  std::optional<int> paths;
  std::optional<uint64_t> seed;
};
// Throws Error(kBadScenario) naming file, line and key; Error(kFileUnreadable)
// for a missing file.
DebtScenario LoadDebtScenario(const std::string& path, const DebtOverrides& overrides = {});

struct DebtRunOptions {
  int threads = 0;
  std::function<void(const std::string&)> progress;  // one line, no newline
};

struct InstrumentResult {
  Instrument instrument;
  BondAnalytics analytics;
  CostDistribution kes;  // all-in cost in KES on the simulated paths
  CostDistribution usd;  // all-in cost in USD
  // Debt service in KES per 100 KES of net proceeds, by year since issue.
  std::vector<double> service_p05, service_p50, service_p95;
};

struct StressResult {
  std::string strategy;
  std::string test;
  double max_pv_external_gdp = 0, max_service_revenue = 0, max_pv_public_gdp = 0;
  // NaN when there are no exports.
  double max_pv_external_exports = std::numeric_limits<double>::quiet_NaN();
  double max_service_exports = std::numeric_limits<double>::quiet_NaN();
  int first_breach_year = 0;  // 0: none
  bool breach = false;        // an external threshold breached in some year (export-based
                              // ones included when exports are given)
};

struct GoalResult {
  std::string name;
  bool reached = false;
  double value = 0;
  double target = 0;
  std::string message;
};

struct DebtOutcome {
  DebtScenario scenario;
  std::string fx_model;
  std::map<std::string, double> spot;  // units per USD
  std::vector<InstrumentResult> instruments;
  double break_even_appreciation = 0;  // yen vs dollar instrument, a year
  double break_even_closed_form = 0;   // (1+y_usd)/(1+y_jpy) - 1 of their all-in costs
  RegisterLoad register_load;
  double external_start_kes = 0, domestic_start_kes = 0;
  std::vector<Projection> projections;  // strategies x shocks (baseline first)
  std::vector<StochasticSummary> stochastic;
  std::vector<StressResult> stress;
  Thresholds thresholds;
  std::vector<GoalResult> goals;
  std::vector<std::string> notes;
  double seconds = 0;
};

DebtOutcome RunDebtScenario(const DebtScenario& scenario, const DebtRunOptions& options = {});
// results.json, every table as CSV and the report (HTML, Markdown, JSON),
// all-or-nothing through WriteReport (report.h).
void WriteDebtOutputs(const DebtOutcome& outcome, const std::string& folder);
// The report WriteDebtOutputs writes (its tables are the CSV files), for
// front ends that want the tables without files (the Python module).
ReportDocument BuildDebtReport(const DebtOutcome& outcome);
// Three of that report's tables, for front ends that compose their own
// report (the TICAD 9 demo selects and relabels columns with SelectColumns):
// instruments (yield, all-in cost in the currency of issue and in KES/USD on
// the simulated paths), the cost-risk frontier by strategy, and the LIC-DSF
// stress tests.
ReportTable DebtInstrumentTable(const DebtOutcome& outcome);
ReportTable DebtFrontierTable(const DebtOutcome& outcome);
ReportTable DebtStressTable(const DebtOutcome& outcome);
// The results.json WriteDebtOutputs writes.
std::string DebtResultsJson(const DebtOutcome& outcome);
std::string SummarizeDebt(const DebtOutcome& outcome);

}  // namespace mizani::finance

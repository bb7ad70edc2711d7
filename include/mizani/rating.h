// A transparent sovereign credit rating model (`mizani rate`, docs/rating.md).
//
// Four parts, each usable alone:
//  1. The panel: sovereign-years with the rating in force at year end per
//     agency on one notch scale, outlook and watch kept apart, and WEO
//     indicators with their vintage; every dropped sovereign-year counted by
//     reason (BuildPanel).
//  2. Ordered probit and logit by maximum likelihood with analytic gradient
//     and Hessian, classical, robust and country-clustered covariances, and
//     Mundlak country means as in Afonso, Gomes & Rother (2011)
//     (FitOrdered).
//  3. A scorecard read from a TOML methodology: factors -> indicators ->
//     piecewise-linear grids -> weights -> indicated notch, with notching
//     adjustments that leave an audit trail and a local-currency rating
//     (LoadMethodology, Score).
//  4. A rolling out-of-sample back-test and explanations (BackTest,
//     GoalSeek).
#pragma once

#include <Eigen/Dense>
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mizani/termination.h"

namespace mizani::rating {

// ---------------------------------------------------------------- scale ---

enum class Agency { kSp = 0, kMoodys = 1, kFitch = 2, kDbrs = 3 };
inline constexpr int kNumAgencies = 4;
inline constexpr std::array<Agency, kNumAgencies> kAgencies = {Agency::kSp, Agency::kMoodys,
                                                               Agency::kFitch, Agency::kDbrs};
// "S&P", "Moody's", "Fitch", "DBRS".
std::string_view AgencyName(Agency agency);
// Accepts the names above in any case and "SP", "Moodys"; nullopt otherwise.
std::optional<Agency> ParseAgency(std::string_view text);

// The notch scale, one step per notch, higher is better:
//   21 AAA, 20 AA+, 19 AA, 18 AA-, 17 A+, 16 A, 15 A-, 14 BBB+, 13 BBB,
//   12 BBB-, 11 BB+, 10 BB, 9 BB-, 8 B+, 7 B, 6 B-, 5 CCC+, 4 CCC, 3 CCC-,
//   2 CC (Moody's Ca, S&P/Fitch C), 1 default (S&P SD/D, Fitch RD/D, Moody's C).
// Moody's Aaa..Caa3 and DBRS (high)/(low) map notch for notch; Moody's
// unnotched "Aa" and "A" are the middle notch (AA, A).
inline constexpr int kMinNotch = 1;
inline constexpr int kMaxNotch = 21;
inline constexpr int kInvestmentGradeNotch = 12;  // BBB- / Baa3
// nullopt when the grade is not on the agency's scale.
std::optional<int> NotchFromGrade(Agency agency, std::string_view grade);
// S&P-style label ("BBB-", "D" for 1); "?" outside the scale.
std::string NotchLabel(int notch);
// Inverse of NotchLabel (also accepts "SD"); nullopt when unknown.
std::optional<int> NotchFromLabel(std::string_view label);

enum class Outlook { kNone, kStable, kPositive, kNegative };
enum class Watch { kNone, kPositive, kNegative, kReview };
const char* OutlookName(Outlook outlook);
const char* WatchName(Watch watch);
// The file's Outlook column: "Stable", "Positive", "Negative", "Negative
// Watch", "Positive Watch", "Under Review", "N/A". A watch or review sets
// the watch and leaves the outlook kNone. False when the text is unknown.
bool ParseOutlook(std::string_view text, Outlook* outlook, Watch* watch);

// ------------------------------------------------------------ countries ---

// Folds a country name for matching: ascii letters and digits, lower case.
std::string NormalizeCountryName(std::string_view name);
// ISO 3166-1 alpha-3 code for any spelling in the table (src/rating/
// country_names.cc); nullopt when unknown.
std::optional<std::string> Iso3ForName(std::string_view name);
// Display name and region for an ISO3 code; nullptr when unknown.
struct CountryInfo {
  const char* iso3;
  const char* name;
  bool africa;  // African Union member state
};
const CountryInfo* FindCountry(std::string_view iso3);
// Every ISO3 code known, sorted.
std::vector<std::string> KnownIso3();

// ---------------------------------------------------------------- panel ---

// kLog: natural log (values must be positive). kLogOnePlusPercent: log(1 +
// v/100) for a percent rate such as inflation, so that hyperinflation years
// do not dominate the fit (Cantor & Packer 1996 use log inflation too).
enum class Transform { kLevel, kLog, kLogOnePlusPercent };

// One regressor taken from the WEO file.
struct IndicatorSpec {
  std::string code;   // WEO subject code, e.g. "GGXWDG_NGDP"
  std::string label;  // short display name; the code when empty
  Transform transform = Transform::kLevel;
};
// The transformed value; NaN outside the transform's domain.
double ApplyTransform(Transform transform, double value);
// Inverse of ApplyTransform.
double InvertTransform(Transform transform, double value);

// Indicators beyond the WEO (reserves in months of imports, governance...):
// a CSV file in long form with the columns country (ISO3 code or a name of
// src/rating/country_names.cc), year, indicator, value. An empty value is
// missing (the panel's missing-indicator policy applies); every value of
// the file carries its source and vintage.
struct ExtraIndicatorFile {
  std::string path;
  std::string source;   // who publishes the values
  std::string vintage;  // which release
};

// (iso3, indicator code) -> year -> value.
using IndicatorValues = std::map<std::pair<std::string, std::string>, std::map<int, double>>;

// Reads one extra-indicator file. Throws Error(kFileUnreadable) when it
// cannot be read and Error(kBadData) naming file, row and column for a
// missing column, an unknown country, a year that is not whole, a value that
// is not a number, or an (iso3, year, indicator) given twice.
IndicatorValues ReadExtraIndicators(const ExtraIndicatorFile& file);

struct PanelOptions {
  std::string ratings_path;  // countriesratings.csv
  std::string weo_path;      // weo_2025apr_long.csv(.gz)
  std::string vintage = "IMF World Economic Outlook, April 2025";
  std::vector<IndicatorSpec> indicators;
  int first_year = 2000;
  int last_year = 2024;
  // Actions dated after this day (YYYY-MM-DD) are excluded and counted: the
  // file holds one row dated after its own snapshot (see SOURCE.md).
  std::string snapshot_date = "2025-09-02";
  // Indicators of year t - lag explain the rating at the end of year t.
  int indicator_lag = 0;
  // Further WEO codes kept for the scorecard (raw values; not required for
  // a complete sovereign-year).
  std::vector<std::string> extra_codes;
  // Indicator files beside the WEO; their codes may be used like WEO codes.
  std::vector<ExtraIndicatorFile> extra_files;
};

struct RatingAction {
  Agency agency = Agency::kSp;
  std::string iso3;
  int date = 0;  // YYYYMMDD
  int notch = 0;
  std::string grade;  // as the agency wrote it
  Outlook outlook = Outlook::kNone;
  Watch watch = Watch::kNone;
  int64_t source_row = 0;  // 1-based data row in the file
};

struct SovereignYear {
  std::string iso3;
  int year = 0;
  std::array<int, kNumAgencies> notch{};  // 0: not rated at year end
  std::array<Outlook, kNumAgencies> outlook{};
  std::array<Watch, kNumAgencies> watch{};
  std::array<int, kNumAgencies> previous_notch{};  // at the end of the year before; 0: none
  std::vector<double> x;      // one per indicator, transformed; NaN when missing
  bool any_estimate = false;  // some indicator is an IMF estimate/projection
};

struct DropCount {
  std::string reason;
  int64_t count = 0;
};

struct Panel {
  std::vector<IndicatorSpec> indicators;
  std::string vintage;
  std::vector<RatingAction> actions;
  // Every sovereign-year rated by at least one agency in [first_year,
  // last_year]; `complete` marks those with every indicator present.
  std::vector<SovereignYear> rows;
  std::vector<uint8_t> complete;
  // Missing-indicator policy: a sovereign-year with any indicator missing is
  // left out of estimation; counts by reason (first missing indicator, no WEO
  // data for the country, supranational issuer, actions after the snapshot).
  std::vector<DropCount> dropped;
  int indicator_lag = 0;
  // Raw WEO values of the indicators and extra codes: (iso3, code) -> year
  // -> value. Every country of the WEO file, rated or not.
  std::map<std::pair<std::string, std::string>, std::map<int, double>> weo;
  std::set<std::string> weo_countries;
  // The extra-indicator files read, and the file (index) of each code they gave.
  std::vector<ExtraIndicatorFile> extra_files;
  std::map<std::string, size_t> extra_code_file;

  int64_t CompleteCount() const;
  // The WEO value, nullopt when absent.
  std::optional<double> WeoValue(const std::string& iso3, const std::string& code, int year) const;
  // The panel row of a sovereign-year when rated, else one built from the
  // WEO values (unrated: every notch 0). Indicators use the panel's lag.
  SovereignYear RowFor(const std::string& iso3, int year) const;
  // Index into `rows`, or -1.
  int64_t FindRow(const std::string& iso3, int year) const;
};

// Throws Error(kFileUnreadable) for unreadable files and Error(kBadData)
// naming file, row and column for an unknown country spelling, agency,
// grade, outlook or date.
Panel BuildPanel(const PanelOptions& options);

// ------------------------------------------------------- ordered models ---

enum class Link { kProbit, kLogit };

struct OrderedOptions {
  Link link = Link::kProbit;
  int max_iterations = 200;
  double gradient_tolerance = 1e-9;  // max |gradient| of the mean log-likelihood
};

// Parameters theta = (beta, cut_1, log(cut_2 - cut_1), ..., log(cut_{J-1} -
// cut_{J-2})): the increments are exponentiated so the cut-points stay
// ordered (the parametrisation of statsmodels' OrderedModel).
struct OrderedResult {
  Termination termination = Termination::kNumericalFailure;
  std::string message;
  int iterations = 0;
  int num_categories = 0;
  Eigen::VectorXd theta;
  Eigen::VectorXd beta;
  Eigen::VectorXd cutpoints;
  double log_likelihood = 0.0;
  // Covariances of theta: inverse information, sandwich (no correction), and
  // clustered with G/(G-1) (N-1)/(N-K) (statsmodels' default).
  Eigen::MatrixXd cov_classical;
  Eigen::MatrixXd cov_robust;
  Eigen::MatrixXd cov_cluster;  // empty without clusters
  int num_clusters = 0;
};

// The log-likelihood of `theta` and, when not null, its gradient and Hessian
// (analytic) and the per-observation scores (rows). y holds categories
// 0..num_categories-1. A kernel: no I/O, no allocation beyond the outputs.
double OrderedLogLikelihood(Link link, const Eigen::Ref<const Eigen::MatrixXd>& x,
                            std::span<const int> y, int num_categories,
                            const Eigen::Ref<const Eigen::VectorXd>& theta,
                            Eigen::VectorXd* gradient, Eigen::MatrixXd* hessian,
                            Eigen::MatrixXd* scores);

// Damped Newton on the analytic Hessian. `cluster` is empty or one id per
// row. Throws Error(kBadModel) for a category with no observation or a
// non-finite regressor.
OrderedResult FitOrdered(const Eigen::Ref<const Eigen::MatrixXd>& x, std::span<const int> y,
                         int num_categories, std::span<const int> cluster,
                         const OrderedOptions& options);

// Probabilities (rows x categories) at beta and cutpoints.
Eigen::MatrixXd OrderedProbabilities(Link link, const Eigen::Ref<const Eigen::MatrixXd>& x,
                                     const Eigen::VectorXd& beta, const Eigen::VectorXd& cutpoints);
// Cut-points from theta and their delta-method covariance.
Eigen::VectorXd CutpointsFromTheta(const Eigen::VectorXd& theta, int num_beta);
Eigen::MatrixXd CutpointCovariance(const Eigen::VectorXd& theta, int num_beta,
                                   const Eigen::MatrixXd& cov_theta);

// ------------------------------------------- random-effects ordered model ---

// Gauss-Hermite rule: sum_k weights[k] f(nodes[k]) approximates the integral
// of f(z) exp(-z^2) over the real line, exactly for polynomials of degree up
// to 2 points - 1 (Golub & Welsch 1969).
struct GaussHermiteRule {
  std::vector<double> nodes;
  std::vector<double> weights;
};
GaussHermiteRule GaussHermite(int points);

// The ordered model with a normal random intercept per cluster (country):
// P(y_it = j | u_i) = F(cut_j - x_it'b - sigma u_i) - F(cut_{j-1} - ...),
// u_i ~ N(0, 1) (Afonso, Gomes & Rother 2011). Each cluster's likelihood is
// integrated by adaptive Gauss-Hermite quadrature: nodes centred on the mode
// of the cluster's posterior and scaled by its curvature (the definition of
// R's ordinal::clmm with nAGQ > 1).
struct RandomEffectsOptions {
  Link link = Link::kProbit;
  int quadrature_points = 25;
  int max_iterations = 200;
  double gradient_tolerance = 1e-9;  // max |gradient| of the mean log-likelihood
  // ... or the gain the Newton step predicts in log-likelihood units: the
  // derivatives hold the adaptive nodes fixed, so near the optimum they
  // differ from those of the quadrature by its error (regressors in the
  // tens, such as debt ratios, magnify it in the gradient).
  double decrement_tolerance = 1e-9;
};

// theta = (beta, cut parameters as OrderedResult, log sigma).
struct RandomEffectsResult {
  Termination termination = Termination::kNumericalFailure;
  std::string message;
  int iterations = 0;
  int num_categories = 0;
  int num_clusters = 0;
  Eigen::VectorXd theta;
  Eigen::VectorXd beta;
  Eigen::VectorXd cutpoints;
  double sigma = 0.0;
  double log_likelihood = 0.0;
  // Covariance of theta: minus the inverse of the analytic Hessian.
  Eigen::MatrixXd cov;
  // Empirical-Bayes effect of each cluster: the posterior mean of sigma u_i
  // given its observations, in latent-index units.
  Eigen::VectorXd effect;
};

// The adaptive-quadrature log-likelihood of theta; when not null, its
// gradient and Hessian (analytic, quadrature nodes held where the
// adaptation put them: the derivatives of the integral, to the accuracy of
// the quadrature) and each cluster's posterior mean effect. `cluster` holds ids
// 0..num_clusters-1. -infinity when a cluster's mode cannot be found.
double RandomEffectsLogLikelihood(Link link, const Eigen::Ref<const Eigen::MatrixXd>& x,
                                  std::span<const int> y, int num_categories,
                                  std::span<const int> cluster, int num_clusters,
                                  const Eigen::Ref<const Eigen::VectorXd>& theta,
                                  const GaussHermiteRule& rule, Eigen::VectorXd* gradient,
                                  Eigen::MatrixXd* hessian, Eigen::VectorXd* effect);

// Damped Newton on the analytic Hessian from the pooled model's estimates. Throws
// Error(kBadModel) as FitOrdered does.
RandomEffectsResult FitRandomEffects(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                     std::span<const int> y, int num_categories,
                                     std::span<const int> cluster,
                                     const RandomEffectsOptions& options);

// A rating model on the panel: regressors are the indicators, optionally
// with their country means (Mundlak 1978; Afonso, Gomes & Rother 2011).
struct RatingModelOptions {
  Agency agency = Agency::kSp;
  OrderedOptions ordered;
  bool mundlak = true;
  // Adds the agency's notch at the end of the previous year as a regressor
  // (a dynamic model: one-year-ahead forecasts); sovereign-years without
  // one are left out.
  bool previous_rating = false;
  // The indicated notch: the one whose cut-points bracket the latent index
  // (the median of the predicted distribution; default), or the most
  // probable one (the mode favours wide categories).
  bool indicate_mode = false;
  // A normal random intercept per country (Afonso, Gomes & Rother 2011),
  // integrated by adaptive Gauss-Hermite quadrature with this many nodes;
  // predictions add the country's empirical-Bayes effect estimated from the
  // fitting sample (0 for a country not in it).
  bool random_effects = false;
  int quadrature_points = 25;
};

// Whether the model can use the row: every indicator present and, for a
// dynamic model, a previous rating.
bool UsableRow(const RatingModelOptions& options, const SovereignYear& row);

struct RatingModel {
  RatingModelOptions options;
  std::vector<std::string> terms;   // indicator labels, then "mean(label)"
  std::vector<int> category_notch;  // notch of each category, increasing
  OrderedResult fit;
  int64_t num_obs = 0;
  // Random effects: the standard deviation of the country effect and each
  // fitted country's empirical-Bayes effect (latent units); with random
  // effects `fit` holds beta, cut-points, log-likelihood and the
  // model-based covariance in all three covariance fields.
  double sigma_u = 0.0;
  std::map<std::string, double> country_effect;
};
// The country's effect in the model; 0 (and `known` false) for a country
// not in the fitting sample or a pooled model.
double CountryEffect(const RatingModel& model, const std::string& iso3, bool* known = nullptr);

// Country means used for Mundlak terms: over the rows given.
struct CountryMeans {
  std::vector<std::string> iso3;
  std::vector<std::vector<double>> mean;
  const std::vector<double>* Find(const std::string& code) const;
};
CountryMeans ComputeCountryMeans(const Panel& panel, std::span<const size_t> row_ids);

// Fits on the complete rows given (rated by the agency). Throws
// Error(kBadModel) when fewer than two notches are observed.
RatingModel FitRatingModel(const Panel& panel, std::span<const size_t> row_ids,
                           const RatingModelOptions& options, const CountryMeans& means);

struct RatingPrediction {
  int indicated_notch = 0;          // most probable notch
  double expected_notch = 0.0;      // probability-weighted notch
  double latent = 0.0;              // x'beta (+ the country effect)
  double country_effect = 0.0;      // random effects: the country's effect
  bool effect_known = false;        // random effects: the country was in the fit
  std::vector<double> probability;  // per category of the model
};
RatingPrediction PredictRating(const RatingModel& model, const SovereignYear& row,
                               const CountryMeans& means);
// The regressor row (indicators, then country means) of a sovereign-year.
Eigen::VectorXd RegressorRow(const RatingModel& model, const SovereignYear& row,
                             const CountryMeans& means);

// ------------------------------------------------------------ scorecard ---

struct GridPoint {
  double value = 0.0;
  double score = 0.0;
};

struct ScorecardIndicator {
  std::string code;  // WEO subject code
  std::string label;
  double weight = 1.0;          // within its factor
  std::vector<GridPoint> grid;  // values strictly increasing; scores monotone
};

struct ScorecardFactor {
  std::string name;
  double weight = 1.0;  // across factors
  std::vector<ScorecardIndicator> indicators;
};

// A notching adjustment: for one country (optionally some years), or for
// every sovereign whose indicator is above/below a threshold.
struct Adjustment {
  std::string name;
  std::string reason;
  int notches = 0;
  std::string country;     // ISO3; empty for an indicator rule
  std::vector<int> years;  // empty: every year
  std::string indicator;   // WEO code for a rule
  std::optional<double> above;
  std::optional<double> below;
};

struct Methodology {
  std::string name;
  std::string file;  // for messages
  std::vector<ScorecardFactor> factors;
  // Indicated notch = intercept + slope * score (score 0..100), rounded and
  // kept on the scale.
  double intercept = 1.0;
  double slope = 0.2;
  std::optional<Agency> calibrate_to;  // calibrate weights/intercept/slope
  std::vector<Adjustment> adjustments;
  int max_total_adjustment = 3;  // |sum of notches| is capped (Fitch's QO cap)
  int local_currency_uplift = 1;
  std::vector<std::string> no_local_uplift;  // ISO3: monetary unions, dollarised
};

// Reads a methodology TOML (docs/rating.md). Throws Error(kBadScenario)
// naming file and key for an unknown key, an empty grid, values not strictly
// increasing, non-monotone scores, a negative weight or an unknown agency.
Methodology LoadMethodology(const std::string& path);

// Piecewise-linear interpolation, constant beyond the first and last points.
double GridScore(std::span<const GridPoint> grid, double value);
// The smallest value whose grid score reaches `target` (nullopt when the
// grid never reaches it); for decreasing grids the largest such value.
std::optional<double> GridInverse(std::span<const GridPoint> grid, double target);

struct AuditEntry {
  std::string step;  // "factor", "adjustment", "cap", "local currency"...
  std::string detail;
  double value = 0.0;  // score points or notches
};

struct ScoreResult {
  std::vector<double> indicator_scores;  // flattened: factor by factor
  std::vector<double> factor_scores;     // 0..100
  std::vector<double> contribution;      // notches per factor (slope*w*score)
  double score = 0.0;                    // 0..100
  double unrounded_notch = 0.0;          // intercept + slope*score
  int model_notch = 0;                   // rounded, on the scale
  int adjustment = 0;                    // after the cap
  int foreign_currency_notch = 0;
  int local_currency_notch = 0;
  std::vector<AuditEntry> audit;
};

// Values of the methodology's indicators for one sovereign-year (by WEO code).
using IndicatorLookup = std::function<std::optional<double>(const std::string& code)>;

// The panel's values (WEO and extra files) of a sovereign-year, at the
// panel's indicator lag.
IndicatorLookup PanelLookup(const Panel& panel, const std::string& iso3, int year);
// The first indicator (or adjustment rule's indicator) of the methodology
// that `lookup` lacks; nullopt when the sovereign-year can be scored.
std::optional<std::string> FirstMissingIndicator(const Methodology& methodology,
                                                 const IndicatorLookup& lookup);

// Throws Error(kBadData) naming the country, year and code when an
// indicator is missing.
ScoreResult Score(const Methodology& methodology, const std::string& iso3, int year,
                  const IndicatorLookup& lookup);

// Calibrates factor weights, intercept and slope to an agency's notches by
// non-negative least squares (exhaustive over active sets; exact for the few
// factors of a scorecard). `factor_scores[i]` are the factor scores of
// observation i. Returns the in-sample RMSE in notches.
double CalibrateMethodology(Methodology* methodology,
                            const std::vector<std::vector<double>>& factor_scores,
                            std::span<const int> notches);

// Goal seeking on the scorecard: the value of one indicator (other things
// equal) at which the foreign-currency notch rises by one, by inverting the
// indicator's grid. `required` is nullopt when the grid cannot give the
// score needed (the indicator alone cannot lift the rating).
struct ScorecardGoal {
  std::string code;
  double current = 0.0;
  std::optional<double> required;
  int from_notch = 0;
  int to_notch = 0;
};
ScorecardGoal GoalSeekScorecard(const Methodology& methodology, const std::string& iso3, int year,
                                const IndicatorLookup& lookup, const std::string& code);

// --------------------------------------------------------- evaluation -----

struct BackTestOptions {
  int first_test_year = 2010;  // first year predicted out of sample
  RatingModelOptions model;
  // Called after each window ("fit <= 2012, predict 2013: 92 sovereigns").
  std::function<void(const std::string&)> progress;
};

struct BackTestPrediction {
  std::string iso3;
  int year = 0;
  int actual = 0;
  int predicted = 0;
  int previous = 0;  // the agency's notch a year earlier (0: none), for the no-change benchmark
};

struct BackTestResult {
  Agency agency = Agency::kSp;
  std::vector<BackTestPrediction> predictions;
  int64_t exact = 0;
  int64_t within_one = 0;
  // confusion[actual-1][predicted-1] on the 21-notch scale.
  std::vector<std::vector<int64_t>> confusion;
  double ExactRate() const;
  double WithinOneRate() const;
  int windows = 0;
  int failed_windows = 0;  // windows whose fit did not converge (skipped)
};

BackTestResult BackTest(const Panel& panel, const BackTestOptions& options);

// The scorecard back-test: for each year T from options.first_test_year to
// the panel's last year, the factor weights, intercept and slope are
// calibrated (CalibrateMethodology) to options.model.agency's notches on the
// sovereign-years before T that the scorecard can score, and the scorecard
// then rates year T (foreign currency, adjustments included). The grids are
// the methodology's. A window with too few sovereign-years to calibrate is
// counted in failed_windows and skipped.
BackTestResult BackTestScorecard(const Panel& panel, const Methodology& methodology,
                                 const BackTestOptions& options);

// Goal seeking on the ordered model: the value of one indicator (in its
// original units, other things equal) at which the most probable notch
// first rises by one. The change is permanent: with Mundlak terms the
// country mean moves with it. nullopt when no value within [lower, upper]
// does it.
struct GoalSeekResult {
  std::string code;
  double current = 0.0;
  std::optional<double> required;
  int from_notch = 0;
  int to_notch = 0;
};
GoalSeekResult GoalSeekOrdered(const RatingModel& model, const Panel& panel,
                               const SovereignYear& row, const CountryMeans& means,
                               size_t indicator_idx, double lower, double upper);

}  // namespace mizani::rating

// `mizani rate fit|evaluate|score|explain`: the configuration run into
// report documents (rating_report.h). Every table here is also written as
// CSV and JSON by WriteReport, so the report and the files agree.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <map>
#include <numeric>

#include "mizani/error.h"
#include "mizani/rating_report.h"

namespace mizani::rating {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string CountryName(const std::string& iso3) {
  const CountryInfo* info = FindCountry(iso3);
  return info != nullptr ? info->name : iso3;
}

std::string NowUtc() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M UTC", &utc);
  return text;
}

double NotchOrNaN(int notch) { return notch > 0 ? static_cast<double>(notch) : kNaN; }
std::string LabelOrEmpty(int notch) { return notch > 0 ? NotchLabel(notch) : std::string(); }

// Every notch's S&P-style label, for chart axes and legends.
std::map<double, std::string> NotchLabels() {
  std::map<double, std::string> labels;
  for (int notch = kMinNotch; notch <= kMaxNotch; ++notch) labels[notch] = NotchLabel(notch);
  return labels;
}

// A map of Africa alone, coloured by indicated notch, the legend in rating
// letters.
WorldMap AfricaMap(const std::string& title, const std::map<std::string, int>& notches) {
  WorldMap map;
  map.title = title;
  map.legend_label = "indicated rating";
  map.kind = ValueKind::kNumber;
  map.legend_labels = NotchLabels();
  for (const std::string& iso3 : KnownIso3()) {
    if (FindCountry(iso3)->africa) map.region.push_back(iso3);
  }
  for (const auto& [iso3, notch] : notches) map.values[iso3] = notch;
  return map;
}

void Say(const Progress& progress, const std::string& line) {
  if (progress) progress(line);
}

// The panel with the scorecard's codes kept beside the model's.
Panel LoadPanel(const RateConfig& config, const std::optional<Methodology>& methodology,
                const Progress& progress) {
  PanelOptions options = config.panel;
  if (methodology) {
    for (const ScorecardFactor& factor : methodology->factors) {
      for (const ScorecardIndicator& indicator : factor.indicators) {
        options.extra_codes.push_back(indicator.code);
      }
    }
    for (const Adjustment& adjustment : methodology->adjustments) {
      if (!adjustment.indicator.empty()) options.extra_codes.push_back(adjustment.indicator);
    }
  }
  Say(progress, fmt::format("reading {} and {}", options.ratings_path, options.weo_path));
  Panel panel = BuildPanel(options);
  Say(progress,
      fmt::format("panel: {} rated sovereign-years {}-{}, {} with every indicator",
                  panel.rows.size(), options.first_year, options.last_year, panel.CompleteCount()));
  return panel;
}

IndicatorLookup LookupFor(const Panel& panel, const std::string& iso3, int year) {
  return PanelLookup(panel, iso3, year);
}

bool HasAll(const Panel& panel, const Methodology& methodology, const std::string& iso3, int year,
            std::string* missing) {
  const auto first_missing = FirstMissingIndicator(methodology, LookupFor(panel, iso3, year));
  if (first_missing && missing != nullptr) *missing = *first_missing;
  return !first_missing;
}

struct Calibration {
  bool done = false;
  int64_t num_obs = 0;
  double rmse = 0.0;
};

// Loads the methodology and, when it asks for it, calibrates its weights to
// the agency's ratings on every sovereign-year the scorecard can score.
std::optional<Methodology> LoadScorecard(const RateConfig& config) {
  if (config.methodology_path.empty()) return std::nullopt;
  return LoadMethodology(config.methodology_path);
}

Calibration CalibrateIfAsked(const Panel& panel, Methodology* methodology,
                             const Progress& progress) {
  Calibration calibration;
  if (!methodology->calibrate_to) return calibration;
  const int agency = static_cast<int>(*methodology->calibrate_to);
  std::vector<std::vector<double>> factor_scores;
  std::vector<int> notches;
  for (const SovereignYear& row : panel.rows) {
    if (row.notch[agency] == 0 || !HasAll(panel, *methodology, row.iso3, row.year, nullptr)) {
      continue;
    }
    factor_scores.push_back(
        Score(*methodology, row.iso3, row.year, LookupFor(panel, row.iso3, row.year))
            .factor_scores);
    notches.push_back(row.notch[agency]);
  }
  calibration.rmse = CalibrateMethodology(methodology, factor_scores, notches);
  calibration.num_obs = static_cast<int64_t>(notches.size());
  calibration.done = true;
  Say(progress,
      fmt::format("scorecard calibrated to {} on {} sovereign-years: RMSE {:.2f} notches",
                  AgencyName(*methodology->calibrate_to), calibration.num_obs, calibration.rmse));
  return calibration;
}

std::vector<size_t> AllRows(const Panel& panel) {
  std::vector<size_t> ids(panel.rows.size());
  std::iota(ids.begin(), ids.end(), size_t{0});
  return ids;
}

const char* LinkName(Link link) { return link == Link::kProbit ? "probit" : "logit"; }

std::string ModelTitle(const RateConfig& config) {
  return fmt::format(
      "Ordered {}{}{}{} on {} ratings, {}-{}", LinkName(config.model.ordered.link),
      config.model.random_effects ? fmt::format(" with a random country effect ({}-point adaptive "
                                                "Gauss-Hermite)",
                                                config.model.quadrature_points)
                                  : std::string(),
      config.model.mundlak ? " with Mundlak country means" : "",
      config.model.previous_rating ? " and the previous rating" : "",
      AgencyName(config.model.agency), config.panel.first_year, config.panel.last_year);
}

ReportSection PanelSection(const RateConfig& config, const Panel& panel) {
  ReportSection section;
  section.heading = "Panel";
  AssumptionList list;
  list.title = "Data";
  list.items = {{"Ratings", config.panel.ratings_path},
                {"Indicators", config.panel.weo_path},
                {"Vintage", panel.vintage},
                {"Rating actions after", config.panel.snapshot_date + " are excluded"},
                {"Years", fmt::format("{}-{}, rating in force on 31 December",
                                      config.panel.first_year, config.panel.last_year)},
                {"Indicator lag", fmt::format("{} year(s)", config.panel.indicator_lag)},
                {"Rated sovereign-years", fmt::format("{}", panel.rows.size())},
                {"With every indicator", fmt::format("{}", panel.CompleteCount())},
                {"Missing-indicator policy",
                 "a sovereign-year with any indicator missing is left out of estimation and "
                 "counted below; nothing is imputed"}};
  for (size_t idx = 0; idx < panel.extra_files.size(); ++idx) {
    const ExtraIndicatorFile& file = panel.extra_files[idx];
    std::string codes;
    for (const auto& [code, file_idx] : panel.extra_code_file) {
      if (file_idx == idx) codes += (codes.empty() ? "" : ", ") + code;
    }
    list.items.emplace_back("Extra indicators",
                            fmt::format("{} ({}; source: {}; vintage: {})", file.path, codes,
                                        file.source, file.vintage));
  }
  section.blocks.emplace_back(list);
  ReportTable dropped;
  dropped.name = "dropped";
  dropped.caption = "Rating actions and sovereign-years left out, by reason";
  dropped.columns = {{"reason", ValueKind::kText}, {"count", ValueKind::kNumber, 0}};
  for (const DropCount& entry : panel.dropped) {
    dropped.rows.push_back({entry.reason, static_cast<double>(entry.count)});
  }
  section.blocks.emplace_back(dropped);
  return section;
}

ReportTable CoefficientTable(const RatingModel& model) {
  ReportTable table;
  table.name = "coefficients";
  table.caption = "Coefficients (latent index; higher is a better rating)";
  table.columns = {{"term", ValueKind::kText},
                   {"estimate", ValueKind::kNumber, 4},
                   {"se", ValueKind::kNumber, 4},
                   {"se_robust", ValueKind::kNumber, 4},
                   {"se_cluster", ValueKind::kNumber, 4},
                   {"z_cluster", ValueKind::kNumber, 2}};
  for (size_t term = 0; term < model.terms.size(); ++term) {
    const auto idx = static_cast<Eigen::Index>(term);
    const double cluster_se =
        model.fit.cov_cluster.size() > 0 ? std::sqrt(model.fit.cov_cluster(idx, idx)) : kNaN;
    table.rows.push_back(
        {model.terms[term], model.fit.beta[idx], std::sqrt(model.fit.cov_classical(idx, idx)),
         std::sqrt(model.fit.cov_robust(idx, idx)), cluster_se, model.fit.beta[idx] / cluster_se});
  }
  table.note =
      "se: inverse information; se_robust: sandwich (HC0); se_cluster: clustered by "
      "country with G/(G-1)(N-1)/(N-K).";
  return table;
}

ReportTable CutpointTable(const RatingModel& model) {
  ReportTable table;
  table.name = "cutpoints";
  table.caption = "Cut-points between adjacent notches";
  table.columns = {{"below", ValueKind::kText},
                   {"above", ValueKind::kText},
                   {"cutpoint", ValueKind::kNumber, 4},
                   {"se_cluster", ValueKind::kNumber, 4}};
  const int num_beta = static_cast<int>(model.fit.beta.size());
  Eigen::MatrixXd cov;
  if (model.fit.cov_cluster.size() > 0) {
    cov = CutpointCovariance(model.fit.theta, num_beta, model.fit.cov_cluster);
  }
  for (Eigen::Index cut = 0; cut < model.fit.cutpoints.size(); ++cut) {
    table.rows.push_back({NotchLabel(model.category_notch[cut]),
                          NotchLabel(model.category_notch[cut + 1]), model.fit.cutpoints[cut],
                          cov.size() > 0 ? std::sqrt(cov(cut, cut)) : kNaN});
  }
  return table;
}

RatingModel FitAll(const RateConfig& config, const Panel& panel, const CountryMeans& means,
                   const Progress& progress) {
  const std::vector<size_t> all = AllRows(panel);
  Say(progress, fmt::format("fitting {}", ModelTitle(config)));
  RatingModel model = FitRatingModel(panel, all, config.model, means);
  if (model.fit.termination != Termination::kConverged) {
    throw Error(ErrorCode::kNotConverged,
                fmt::format("{}: {}", ModelTitle(config), model.fit.message));
  }
  Say(progress, fmt::format("{} Newton iterations, log-likelihood {:.4f}", model.fit.iterations,
                            model.fit.log_likelihood));
  return model;
}

struct InSample {
  int64_t count = 0;
  int64_t exact = 0;
  int64_t within_one = 0;
};

InSample InSampleFit(const Panel& panel, const RatingModel& model, const CountryMeans& means) {
  InSample fit;
  const int agency = static_cast<int>(model.options.agency);
  for (size_t row_id = 0; row_id < panel.rows.size(); ++row_id) {
    const SovereignYear& row = panel.rows[row_id];
    if (panel.complete[row_id] == 0 || row.notch[agency] == 0 || !UsableRow(model.options, row)) {
      continue;
    }
    const int miss = std::abs(PredictRating(model, row, means).indicated_notch - row.notch[agency]);
    ++fit.count;
    fit.exact += miss == 0 ? 1 : 0;
    fit.within_one += miss <= 1 ? 1 : 0;
  }
  return fit;
}

double Percent(int64_t part, int64_t whole) {
  return whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : kNaN;
}

std::vector<std::string> ScoredCountries(const RateConfig& config, const Panel& panel) {
  if (!config.countries.empty()) return config.countries;
  std::vector<std::string> countries;
  for (const std::string& iso3 : KnownIso3()) {
    const CountryInfo* info = FindCountry(iso3);
    if (info->africa && panel.weo_countries.count(iso3) > 0) countries.push_back(iso3);
  }
  return countries;
}

ReportDocument NewDocument(const RateConfig& config, const std::string& what) {
  ReportDocument doc;
  doc.title = fmt::format("{}: {}", config.name, what);
  doc.subtitle = ModelTitle(config) + "; indicators: " + config.panel.vintage;
  doc.generated_at = NowUtc();
  return doc;
}

// "S&P" -> "sp": agency names as file stems.
std::string AgencyStem(Agency agency) {
  std::string stem;
  for (char character : AgencyName(agency)) {
    if (std::isalnum(static_cast<unsigned char>(character)) != 0) {
      stem.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(character))));
    }
  }
  return stem;
}

// Actual notch (rows) by predicted notch (columns), the notches seen only.
ReportTable ConfusionTable(const BackTestResult& result, const std::string& agency,
                           const std::string& stem) {
  ReportTable confusion;
  confusion.name = "confusion_" + stem;
  confusion.caption = fmt::format(
      "{}: actual notch (rows) by predicted notch (columns), out of "
      "sample; notches never seen are left out",
      agency);
  std::vector<int> seen;
  for (int notch = kMaxNotch; notch >= kMinNotch; --notch) {
    int64_t total = 0;
    for (int other = 0; other < kMaxNotch; ++other) {
      total += result.confusion[notch - 1][other] + result.confusion[other][notch - 1];
    }
    if (total > 0) seen.push_back(notch);
  }
  confusion.columns.push_back({"actual", ValueKind::kText});
  for (int notch : seen) confusion.columns.push_back({NotchLabel(notch), ValueKind::kNumber, 0});
  for (int actual : seen) {
    std::vector<ReportCell> row = {NotchLabel(actual)};
    for (int predicted : seen) {
      row.emplace_back(static_cast<double>(result.confusion[actual - 1][predicted - 1]));
    }
    confusion.rows.push_back(std::move(row));
  }
  return confusion;
}

ReportTable MostMissedTable(const BackTestResult& result, const std::string& agency,
                            const std::string& stem) {
  // Countries missed most: mean absolute error over their predictions.
  std::map<std::string, std::vector<int>> errors;
  for (const BackTestPrediction& prediction : result.predictions) {
    errors[prediction.iso3].push_back(prediction.predicted - prediction.actual);
  }
  struct Miss {
    std::string iso3;
    double mean_abs;
    double mean_signed;
    size_t count;
  };
  std::vector<Miss> misses;
  for (const auto& [iso3, list] : errors) {
    double abs_sum = 0.0;
    double sum = 0.0;
    for (int error : list) {
      abs_sum += std::abs(error);
      sum += error;
    }
    misses.push_back({iso3, abs_sum / list.size(), sum / list.size(), list.size()});
  }
  std::sort(misses.begin(), misses.end(), [](const Miss& left, const Miss& right) {
    return std::tie(right.mean_abs, left.iso3) < std::tie(left.mean_abs, right.iso3);
  });
  ReportTable missed;
  missed.name = "most_missed_" + stem;
  missed.caption = agency + ": the countries the model misses most, out of sample";
  missed.columns = {{"iso3", ValueKind::kText},
                    {"country", ValueKind::kText},
                    {"predictions", ValueKind::kNumber, 0},
                    {"mean_abs_error", ValueKind::kNumber, 2},
                    {"mean_model_minus_agency", ValueKind::kNumber, 2},
                    {"why", ValueKind::kText}};
  for (size_t idx = 0; idx < std::min<size_t>(15, misses.size()); ++idx) {
    const Miss& miss = misses[idx];
    const std::string why =
        miss.mean_signed > 0
            ? "model above the agency: risks outside the macro indicators (default history, "
              "politics, external liquidity, banking) weigh in the agency's rating"
            : "model below the agency: strengths outside the indicators (reserve currency, "
              "wealth funds, institutions, external support) or indicators distorted by size";
    missed.rows.push_back({miss.iso3, CountryName(miss.iso3), static_cast<double>(miss.count),
                           miss.mean_abs, miss.mean_signed, why});
  }
  return missed;
}

ReportTable PredictionsTable(const BackTestResult& result, const std::string& agency,
                             const std::string& stem) {
  ReportTable predictions;
  predictions.name = "predictions_" + stem;
  predictions.caption = agency + ": every out-of-sample prediction";
  predictions.columns = {{"iso3", ValueKind::kText},
                         {"year", ValueKind::kText},
                         {"actual", ValueKind::kText},
                         {"predicted", ValueKind::kText},
                         {"error_notches", ValueKind::kNumber, 0}};
  for (const BackTestPrediction& prediction : result.predictions) {
    predictions.rows.push_back({prediction.iso3, std::to_string(prediction.year),
                                NotchLabel(prediction.actual), NotchLabel(prediction.predicted),
                                static_cast<double>(prediction.predicted - prediction.actual)});
  }
  return predictions;
}

ReportTable BackTestSummaryTable() {
  ReportTable table;
  table.name = "backtest_summary";
  table.caption = "Exact and within-one-notch hit rates by agency and model";
  table.columns = {{"agency", ValueKind::kText},
                   {"model", ValueKind::kText},
                   {"windows", ValueKind::kNumber, 0},
                   {"windows_skipped", ValueKind::kNumber, 0},
                   {"predictions", ValueKind::kNumber, 0},
                   {"exact_pct", ValueKind::kPercent, 1},
                   {"within_one_pct", ValueKind::kPercent, 1},
                   {"in_sample_exact_pct", ValueKind::kPercent, 1},
                   {"in_sample_within_one_pct", ValueKind::kPercent, 1},
                   {"no_change_within_one_pct", ValueKind::kPercent, 1},
                   {"enough_data", ValueKind::kText}};
  return table;
}

// The in-sample hit rates of the model fitted on every row; zero counts
// when it does not converge or cannot be fitted.
InSample InSampleRates(const Panel& panel, const RatingModelOptions& model,
                       const CountryMeans& all_means) {
  InSample in_sample;
  try {
    const RatingModel fitted = FitRatingModel(panel, AllRows(panel), model, all_means);
    if (fitted.fit.termination == Termination::kConverged) {
      in_sample = InSampleFit(panel, fitted, all_means);
    }
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kBadModel) throw;
  }
  return in_sample;
}

// The back-tested models: the configured ordered model, the same with the
// previous rating, and the scorecard.
struct Variant {
  const char* name;
  const char* stem;
  bool previous_rating;
};
constexpr Variant kFundamentals{"fundamentals only", "", false};
constexpr Variant kDynamic{"with the previous rating", "_dynamic", true};
constexpr Variant kScorecardVariant{"scorecard (calibrated before T)", "_scorecard", false};

// The scorecard's in-sample hit rates: calibrated to the agency on every
// sovereign-year it can score, then scoring the same years. Zero counts when
// there are too few to calibrate.
InSample ScorecardInSample(const Panel& panel, const Methodology& methodology, Agency agency) {
  const int column = static_cast<int>(agency);
  Methodology calibrated = methodology;
  calibrated.calibrate_to = agency;
  InSample in_sample;
  try {
    (void)CalibrateIfAsked(panel, &calibrated, Progress());
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kBadModel) throw;
    return in_sample;
  }
  for (const SovereignYear& row : panel.rows) {
    if (row.notch[column] == 0 || !HasAll(panel, calibrated, row.iso3, row.year, nullptr)) {
      continue;
    }
    const int miss =
        std::abs(Score(calibrated, row.iso3, row.year, LookupFor(panel, row.iso3, row.year))
                     .foreign_currency_notch -
                 row.notch[column]);
    ++in_sample.count;
    in_sample.exact += miss == 0 ? 1 : 0;
    in_sample.within_one += miss <= 1 ? 1 : 0;
  }
  return in_sample;
}

// The scored year must have every indicator, and a previous rating when
// the model is dynamic.
void CheckScoredRow(const RateConfig& config, const Panel& panel, const RatingModel& model,
                    const SovereignYear& row) {
  const std::string& iso3 = config.country;
  for (size_t idx = 0; idx < row.x.size(); ++idx) {
    if (!std::isfinite(row.x[idx])) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{} {}: indicator {} is missing for the scored year in {}", iso3,
                              config.year, panel.indicators[idx].code, config.panel.weo_path));
    }
  }
  if (!UsableRow(model.options, row)) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{} {}: no {} rating at the end of {} for the dynamic model", iso3,
                            config.year, AgencyName(model.options.agency), config.year - 1));
  }
}

// Contributions to the latent index relative to the sample mean of each
// regressor: beta_k (x_k - mean x_k); they sum to the country's distance
// from the average sovereign.
void AddModelContributions(const RateConfig& config, const Panel& panel, const RatingModel& model,
                           const CountryMeans& means, const SovereignYear& row,
                           ReportSection& drivers) {
  const std::string& iso3 = config.country;
  const int agency = static_cast<int>(model.options.agency);
  Eigen::VectorXd mean = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(model.terms.size()));
  int64_t count = 0;
  for (size_t row_id = 0; row_id < panel.rows.size(); ++row_id) {
    if (panel.complete[row_id] == 0 || panel.rows[row_id].notch[agency] == 0 ||
        !UsableRow(model.options, panel.rows[row_id])) {
      continue;
    }
    mean += RegressorRow(model, panel.rows[row_id], means);
    ++count;
  }
  mean /= static_cast<double>(std::max<int64_t>(count, 1));
  const Eigen::VectorXd values = RegressorRow(model, row, means);
  ReportTable table;
  table.name = "model_contributions";
  table.caption =
      "Ordered model: contribution of each term to the latent index, relative to "
      "the average rated sovereign-year";
  table.columns = {{"term", ValueKind::kText},
                   {"value", ValueKind::kNumber, 3},
                   {"sample_mean", ValueKind::kNumber, 3},
                   {"coefficient", ValueKind::kNumber, 4},
                   {"contribution", ValueKind::kNumber, 3}};
  BarChart chart;
  chart.title = "Ordered model: contributions to the latent index";
  chart.axis_label = "latent index units";
  chart.kind = ValueKind::kNumber;
  ChartSeries series{iso3, {}, {}, {}};
  for (size_t term = 0; term < model.terms.size(); ++term) {
    const auto idx = static_cast<Eigen::Index>(term);
    const double contribution = model.fit.beta[idx] * (values[idx] - mean[idx]);
    table.rows.push_back(
        {model.terms[term], values[idx], mean[idx], model.fit.beta[idx], contribution});
    chart.categories.push_back(model.terms[term]);
    series.values.push_back(contribution);
  }
  chart.series = {series};
  drivers.blocks.emplace_back(chart);
  drivers.blocks.emplace_back(table);
}

// The scorecard's factor contributions and audit trail.
void AddScorecardDrivers(const RateConfig& config, const Panel& panel,
                         const Methodology& methodology, ReportSection& drivers,
                         std::string& summary) {
  const std::string& iso3 = config.country;
  std::string missing;
  if (!HasAll(panel, methodology, iso3, config.year, &missing)) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{} {}: indicator {} is missing for the scored year in {}", iso3,
                            config.year, missing, config.panel.weo_path));
  }
  const ScoreResult score =
      Score(methodology, iso3, config.year, LookupFor(panel, iso3, config.year));
  BarChart chart;
  chart.title = "Scorecard: each factor's contribution in notches";
  chart.axis_label = "notches";
  chart.kind = ValueKind::kNumber;
  ChartSeries series{iso3, {}, {}, {}};
  ReportTable table;
  table.name = "factor_contributions";
  table.caption = fmt::format(
      "Scorecard: factor scores and contributions (intercept {:.3f} "
      "notches; the sum is the unrounded notch {:.3f})",
      methodology.intercept, score.unrounded_notch);
  table.columns = {{"factor", ValueKind::kText},
                   {"score", ValueKind::kNumber, 2},
                   {"contribution_notches", ValueKind::kNumber, 3}};
  for (size_t idx = 0; idx < methodology.factors.size(); ++idx) {
    chart.categories.push_back(methodology.factors[idx].name);
    series.values.push_back(score.contribution[idx]);
    table.rows.push_back(
        {methodology.factors[idx].name, score.factor_scores[idx], score.contribution[idx]});
  }
  chart.series = {series};
  drivers.blocks.emplace_back(chart);
  drivers.blocks.emplace_back(table);
  ReportTable audit;
  audit.name = "audit";
  audit.caption = "Scorecard audit trail";
  audit.columns = {
      {"step", ValueKind::kText}, {"detail", ValueKind::kText}, {"value", ValueKind::kNumber, 3}};
  for (const AuditEntry& entry : score.audit)
    audit.rows.push_back({entry.step, entry.detail, entry.value});
  drivers.blocks.emplace_back(audit);
  summary += fmt::format("  scorecard: score {:.2f}, foreign currency {}, local currency {}\n",
                         score.score, NotchLabel(score.foreign_currency_notch),
                         NotchLabel(score.local_currency_notch));
}

ReportSection PathSection(const RateConfig& config, const Panel& panel, const RatingModel& model,
                          const CountryMeans& means,
                          const std::optional<Methodology>& methodology) {
  const std::string& iso3 = config.country;
  // Path over time.
  ReportSection path_section;
  path_section.heading = "Path over time";
  ReportTable path;
  path.name = "path";
  path.caption = "Indicated ratings against the agencies', year end (notches: 21 = AAA, 12 = BBB-)";
  path.columns = {{"year", ValueKind::kText},           {"ordered_model", ValueKind::kNumber, 0},
                  {"scorecard", ValueKind::kNumber, 0}, {"sp", ValueKind::kNumber, 0},
                  {"moodys", ValueKind::kNumber, 0},    {"fitch", ValueKind::kNumber, 0}};
  LineChart path_chart;
  path_chart.title = fmt::format("{}: indicated vs agencies' ratings, year end", CountryName(iso3));
  path_chart.x_label = "year";
  path_chart.y_label = "rating";
  path_chart.y_labels = NotchLabels();
  path_chart.series = {{"ordered model", {}, {}, {}, {}, {}},
                       {"scorecard", {}, {}, {}, {}, {}},
                       {"S&P", {}, {}, {}, {}, {}},
                       {"Moody's", {}, {}, {}, {}, {}},
                       {"Fitch", {}, {}, {}, {}, {}}};
  path_chart.note =
      "Notches, one step per notch (S&P labels; Moody's and Fitch on the same scale). "
      "A gap: no indicated rating (an indicator missing) or no rating from the agency.";
  for (int year = config.panel.first_year; year <= config.panel.last_year; ++year) {
    const SovereignYear year_row = panel.RowFor(iso3, year);
    const bool complete = UsableRow(model.options, year_row);
    const double ordered =
        complete ? static_cast<double>(PredictRating(model, year_row, means).indicated_notch)
                 : kNaN;
    double card = kNaN;
    if (methodology && HasAll(panel, *methodology, iso3, year, nullptr)) {
      card = Score(*methodology, iso3, year, LookupFor(panel, iso3, year)).foreign_currency_notch;
    }
    if (std::isnan(ordered) && std::isnan(card) && year_row.notch[0] == 0 &&
        year_row.notch[1] == 0) {
      continue;
    }
    path.rows.push_back({std::to_string(year), ordered, card, NotchOrNaN(year_row.notch[0]),
                         NotchOrNaN(year_row.notch[1]), NotchOrNaN(year_row.notch[2])});
    const double values[] = {ordered, card, NotchOrNaN(year_row.notch[0]),
                             NotchOrNaN(year_row.notch[1]), NotchOrNaN(year_row.notch[2])};
    for (size_t idx = 0; idx < path_chart.series.size(); ++idx) {
      path_chart.series[idx].x.push_back(year);
      path_chart.series[idx].y.push_back(values[idx]);
    }
  }
  path_section.blocks.emplace_back(path_chart);
  path_section.blocks.emplace_back(path);

  return path_section;
}

// The sovereign among its neighbours: the indicated ratings of every
// African sovereign that year, by the ordered model and the scorecard.
ReportSection AfricaSection(const RateConfig& config, const Panel& panel, const RatingModel& model,
                            const CountryMeans& means,
                            const std::optional<Methodology>& methodology) {
  std::map<std::string, int> model_notches;
  std::map<std::string, int> card_notches;
  for (const std::string& iso3 : KnownIso3()) {
    if (!FindCountry(iso3)->africa) continue;
    const SovereignYear row = panel.RowFor(iso3, config.year);
    if (UsableRow(model.options, row)) {
      model_notches[iso3] = PredictRating(model, row, means).indicated_notch;
    }
    if (methodology && HasAll(panel, *methodology, iso3, config.year, nullptr)) {
      card_notches[iso3] =
          Score(*methodology, iso3, config.year, LookupFor(panel, iso3, config.year))
              .foreign_currency_notch;
    }
  }
  ReportSection section;
  section.heading = fmt::format("Across Africa, {}", config.year);
  section.blocks.emplace_back(
      AfricaMap(fmt::format("Ordered model: indicated rating, {}", config.year), model_notches));
  if (methodology) {
    section.blocks.emplace_back(
        AfricaMap(fmt::format("Scorecard: indicated foreign-currency rating, {}", config.year),
                  card_notches));
  }
  return section;
}

// The sovereigns nearest on the latent index in the same year.
ReportSection PeersSection(const RateConfig& config, const Panel& panel, const RatingModel& model,
                           const CountryMeans& means, const RatingPrediction& prediction) {
  const std::string& iso3 = config.country;
  // Peers: the sovereigns nearest on the latent index in the same year.
  ReportSection peers_section;
  peers_section.heading = "Peers";
  {
    struct Peer {
      double distance;
      std::string iso3;
      double latent;
      int indicated;
      std::array<int, kNumAgencies> notch;
    };
    std::vector<Peer> peers;
    for (size_t row_id = 0; row_id < panel.rows.size(); ++row_id) {
      const SovereignYear& other = panel.rows[row_id];
      if (other.year != config.year || other.iso3 == iso3 || panel.complete[row_id] == 0 ||
          !UsableRow(model.options, other)) {
        continue;
      }
      const RatingPrediction other_prediction = PredictRating(model, other, means);
      peers.push_back({std::abs(other_prediction.latent - prediction.latent), other.iso3,
                       other_prediction.latent, other_prediction.indicated_notch, other.notch});
    }
    std::sort(peers.begin(), peers.end(), [](const Peer& left, const Peer& right) {
      return std::tie(left.distance, left.iso3) < std::tie(right.distance, right.iso3);
    });
    ReportTable table;
    table.name = "peers";
    table.caption =
        fmt::format("Sovereigns nearest to {} on the model's latent index, {} ({} = {:.3f})", iso3,
                    config.year, iso3, prediction.latent);
    table.columns = {{"iso3", ValueKind::kText},        {"country", ValueKind::kText},
                     {"latent", ValueKind::kNumber, 3}, {"indicated", ValueKind::kText},
                     {"sp", ValueKind::kText},          {"moodys", ValueKind::kText},
                     {"fitch", ValueKind::kText}};
    for (size_t idx = 0; idx < std::min<size_t>(static_cast<size_t>(config.peers), peers.size());
         ++idx) {
      const Peer& peer = peers[idx];
      table.rows.push_back({peer.iso3, CountryName(peer.iso3), peer.latent,
                            NotchLabel(peer.indicated), LabelOrEmpty(peer.notch[0]),
                            LabelOrEmpty(peer.notch[1]), LabelOrEmpty(peer.notch[2])});
    }
    peers_section.blocks.emplace_back(table);
  }

  return peers_section;
}

// Goal seeking, other things equal: what lifts the indicated rating a notch.
ReportSection GoalSection(const RateConfig& config, const Panel& panel, const RatingModel& model,
                          const CountryMeans& means, const SovereignYear& row,
                          const std::optional<Methodology>& methodology, std::string& summary) {
  const std::string& iso3 = config.country;
  // Goal seeking, other things equal.
  ReportSection goal_section;
  goal_section.heading = "What would lift the indicated rating by one notch";
  ReportTable goals;
  goals.name = "goal_seek";
  goals.caption =
      "Indicator value needed, other things equal (blank: not reachable within the "
      "range observed in the panel, or not in that model)";
  goals.columns = {
      {"indicator", ValueKind::kText},          {"current", ValueKind::kNumber, 3},
      {"ordered_model_from", ValueKind::kText}, {"ordered_model_needs", ValueKind::kNumber, 3},
      {"scorecard_from", ValueKind::kText},     {"scorecard_needs", ValueKind::kNumber, 3}};
  std::vector<std::string> codes = config.goal_seek;
  if (codes.empty()) {
    for (const IndicatorSpec& spec : panel.indicators) codes.push_back(spec.code);
  }
  for (const std::string& code : codes) {
    const auto current = panel.WeoValue(iso3, code, config.year - panel.indicator_lag);
    std::vector<ReportCell> cells = {
        code, current ? *current : kNaN, std::string(), kNaN, std::string(), kNaN};
    for (size_t idx = 0; idx < panel.indicators.size(); ++idx) {
      if (panel.indicators[idx].code != code) continue;
      // Search within the range the indicator takes among the rated
      // sovereign-years the model was fitted on.
      double lower = std::numeric_limits<double>::infinity();
      double upper = -lower;
      for (size_t row_id = 0; row_id < panel.rows.size(); ++row_id) {
        if (panel.complete[row_id] == 0) continue;
        const double value =
            InvertTransform(panel.indicators[idx].transform, panel.rows[row_id].x[idx]);
        lower = std::min(lower, value);
        upper = std::max(upper, value);
      }
      const GoalSeekResult goal = GoalSeekOrdered(model, panel, row, means, idx, lower, upper);
      cells[2] = fmt::format("{} -> {}", NotchLabel(goal.from_notch), NotchLabel(goal.to_notch));
      cells[3] = goal.required ? *goal.required : kNaN;
    }
    if (methodology) {
      bool in_scorecard = false;
      for (const ScorecardFactor& factor : methodology->factors) {
        for (const ScorecardIndicator& indicator : factor.indicators) {
          in_scorecard = in_scorecard || indicator.code == code;
        }
      }
      if (in_scorecard) {
        const ScorecardGoal goal = GoalSeekScorecard(*methodology, iso3, config.year,
                                                     LookupFor(panel, iso3, config.year), code);
        cells[4] = fmt::format("{} -> {}", NotchLabel(goal.from_notch), NotchLabel(goal.to_notch));
        cells[5] = goal.required ? *goal.required : kNaN;
      }
    }
    const double ordered_needs = std::get<double>(cells[3]);
    const double card_needs = std::get<double>(cells[5]);
    summary +=
        fmt::format("  {:<14} now {:>10.3f}; one notch up needs {} (model), {} (scorecard)\n", code,
                    current ? *current : kNaN,
                    std::isnan(ordered_needs) ? "-" : fmt::format("{:.3f}", ordered_needs),
                    std::isnan(card_needs) ? "-" : fmt::format("{:.3f}", card_needs));
    goals.rows.push_back(std::move(cells));
  }
  goal_section.blocks.emplace_back(goals);
  return goal_section;
}

}  // namespace

RateOutcome RunRateFit(const RateConfig& config, const Progress& progress) {
  std::optional<Methodology> methodology = LoadScorecard(config);
  const Panel panel = LoadPanel(config, methodology, progress);
  const CountryMeans means = ComputeCountryMeans(panel, AllRows(panel));
  const RatingModel model = FitAll(config, panel, means, progress);
  const InSample in_sample = InSampleFit(panel, model, means);
  RateOutcome outcome;
  outcome.document = NewDocument(config, "model fit");
  ReportDocument& doc = outcome.document;
  doc.sections.push_back(PanelSection(config, panel));
  ReportSection estimates;
  estimates.heading = "Estimates";
  AssumptionList facts;
  facts.items = {
      {"Observations", fmt::format("{}", model.num_obs)},
      {"Countries (clusters)", fmt::format("{}", model.fit.num_clusters)},
      {"Notches observed", fmt::format("{} ({} to {})", model.category_notch.size(),
                                       NotchLabel(model.category_notch.front()),
                                       NotchLabel(model.category_notch.back()))},
      {"Log-likelihood", fmt::format("{:.6f}", model.fit.log_likelihood)},
      {"Country effect",
       config.model.random_effects
           ? fmt::format("normal random intercept, s.d. {:.4f}; standard errors model-based "
                         "(the effect carries the clustering)",
                         model.sigma_u)
           : std::string("none (pooled); standard errors clustered by country")},
      {"Termination", model.fit.message},
      {"In-sample exact", fmt::format("{:.1f}%", Percent(in_sample.exact, in_sample.count))},
      {"In-sample within one notch",
       fmt::format("{:.1f}%", Percent(in_sample.within_one, in_sample.count))}};
  estimates.blocks.emplace_back(facts);
  estimates.blocks.emplace_back(CoefficientTable(model));
  estimates.blocks.emplace_back(CutpointTable(model));
  doc.sections.push_back(std::move(estimates));

  ReportSection latest;
  latest.heading = fmt::format("Indicated ratings, {}", config.panel.last_year);
  ReportTable table;
  table.name = "indicated";
  table.caption = "Most probable notch under the model beside the agencies' ratings";
  table.columns = {{"iso3", ValueKind::kText},
                   {"country", ValueKind::kText},
                   {"year", ValueKind::kText},
                   {"indicated", ValueKind::kText},
                   {"indicated_notch", ValueKind::kNumber, 0},
                   {"expected_notch", ValueKind::kNumber, 2},
                   {"sp", ValueKind::kText},
                   {"moodys", ValueKind::kText},
                   {"fitch", ValueKind::kText},
                   {"dbrs", ValueKind::kText}};
  for (size_t row_id = 0; row_id < panel.rows.size(); ++row_id) {
    const SovereignYear& row = panel.rows[row_id];
    if (row.year != config.panel.last_year || panel.complete[row_id] == 0 ||
        !UsableRow(model.options, row)) {
      continue;
    }
    const RatingPrediction prediction = PredictRating(model, row, means);
    table.rows.push_back(
        {row.iso3, CountryName(row.iso3), std::to_string(row.year),
         NotchLabel(prediction.indicated_notch), static_cast<double>(prediction.indicated_notch),
         prediction.expected_notch, LabelOrEmpty(row.notch[0]), LabelOrEmpty(row.notch[1]),
         LabelOrEmpty(row.notch[2]), LabelOrEmpty(row.notch[3])});
  }
  latest.blocks.emplace_back(table);
  doc.sections.push_back(std::move(latest));

  if (methodology) {
    Methodology calibrated = *methodology;
    const Calibration calibration = CalibrateIfAsked(panel, &calibrated, progress);
    ReportSection scorecard;
    scorecard.heading = "Scorecard weights";
    ReportTable weights;
    weights.name = "scorecard_weights";
    weights.caption =
        calibration.done
            ? fmt::format(
                  "Factor weights calibrated to {} by non-negative least "
                  "squares ({} sovereign-years, RMSE {:.2f} notches)",
                  AgencyName(*calibrated.calibrate_to), calibration.num_obs, calibration.rmse)
            : "Factor weights as set in the methodology";
    weights.columns = {{"factor", ValueKind::kText},
                       {"weight_in_file", ValueKind::kNumber, 4},
                       {"weight_used", ValueKind::kNumber, 4}};
    double file_total = 0.0;
    double used_total = 0.0;
    for (size_t idx = 0; idx < calibrated.factors.size(); ++idx) {
      file_total += methodology->factors[idx].weight;
      used_total += calibrated.factors[idx].weight;
    }
    for (size_t idx = 0; idx < calibrated.factors.size(); ++idx) {
      weights.rows.push_back({calibrated.factors[idx].name,
                              methodology->factors[idx].weight / file_total,
                              calibrated.factors[idx].weight / used_total});
    }
    weights.note = fmt::format("Indicated notch = {:.4f} + {:.5f} x score (0-100), rounded.",
                               calibrated.intercept, calibrated.slope);
    scorecard.blocks.emplace_back(weights);
    doc.sections.push_back(std::move(scorecard));
  }
  outcome.summary = fmt::format(
      "{}\n  {} sovereign-years, {} countries, log-likelihood {:.4f}\n"
      "  in-sample: exact {:.1f}%, within one notch {:.1f}%\n",
      ModelTitle(config), model.num_obs, model.fit.num_clusters, model.fit.log_likelihood,
      Percent(in_sample.exact, in_sample.count), Percent(in_sample.within_one, in_sample.count));
  if (config.model.random_effects) {
    outcome.summary += fmt::format("  country effect s.d. {:.4f} (latent units)\n", model.sigma_u);
  }
  for (size_t term = 0; term < model.terms.size(); ++term) {
    const auto idx = static_cast<Eigen::Index>(term);
    outcome.summary +=
        fmt::format("  {:<40} {:>10.4f}  ({} {:.4f})\n", model.terms[term], model.fit.beta[idx],
                    config.model.random_effects ? "se" : "clustered se",
                    std::sqrt(model.fit.cov_cluster(idx, idx)));
  }
  return outcome;
}

RateOutcome RunRateEvaluate(const RateConfig& config, const Progress& progress) {
  const std::optional<Methodology> methodology = LoadScorecard(config);
  const Panel panel = LoadPanel(config, methodology, progress);
  RateOutcome outcome;
  outcome.document = NewDocument(config, "out-of-sample back-test");
  ReportDocument& doc = outcome.document;
  doc.sections.push_back(PanelSection(config, panel));
  ReportSection summary_section;
  summary_section.heading = "Hit rates";
  summary_section.blocks.emplace_back(ReportParagraph{fmt::format(
      "For each year T from {} to {}, the model is fitted on the sovereign-years before T (country "
      "means over the years up to T, whose indicators are known when T is rated) and predicts "
      "the notch at the end of T. Fitch's Sovereign Rating Model puts about 77% of ratings within "
      "one notch in sample (Fitch, quoted in the issue); the in-sample rates of this model are "
      "shown beside the out-of-sample ones.{}",
      config.first_test_year, config.panel.last_year,
      methodology ? " The scorecard is back-tested the same way: its factor weights, intercept "
                    "and slope are calibrated to the agency on the years before T (its grids "
                    "are the methodology's), and it rates year T."
                  : "")});
  ReportTable table = BackTestSummaryTable();
  BarChart chart;
  chart.title = "Within one notch, out of sample";
  chart.axis_label = "% of sovereign-years";
  chart.kind = ValueKind::kPercent;
  ChartSeries series{"fundamentals only", {}, {}, {}};
  ChartSeries in_series{"with the previous rating", {}, {}, {}};
  ChartSeries card_series{"scorecard", {}, {}, {}};
  std::vector<const Variant*> variants = {&kFundamentals, &kDynamic};
  if (methodology) variants.push_back(&kScorecardVariant);
  std::vector<std::pair<Variant, BackTestResult>> results;
  const CountryMeans all_means = ComputeCountryMeans(panel, AllRows(panel));
  for (Agency agency : config.evaluate_agencies) {
    chart.categories.emplace_back(AgencyName(agency));
    for (const Variant* variant_ptr : variants) {
      const Variant& variant = *variant_ptr;
      BackTestOptions options;
      options.first_test_year = config.first_test_year;
      options.model = config.model;
      options.model.agency = agency;
      options.model.previous_rating = variant.previous_rating;
      options.progress = progress;
      Say(progress, fmt::format("{} back-test from {}, {}", AgencyName(agency),
                                config.first_test_year, variant.name));
      const bool card = &variant == &kScorecardVariant;
      BackTestResult result =
          card ? BackTestScorecard(panel, *methodology, options) : BackTest(panel, options);
      const InSample in_sample = card ? ScorecardInSample(panel, *methodology, agency)
                                      : InSampleRates(panel, options.model, all_means);
      const auto count = static_cast<int64_t>(result.predictions.size());
      const bool enough = count >= config.min_predictions;
      // Benchmark: last year's rating carried forward, on the same rows.
      int64_t with_previous = 0;
      int64_t unchanged_within_one = 0;
      for (const BackTestPrediction& prediction : result.predictions) {
        if (prediction.previous == 0) continue;
        ++with_previous;
        unchanged_within_one += std::abs(prediction.previous - prediction.actual) <= 1 ? 1 : 0;
      }
      table.rows.push_back(
          {std::string(AgencyName(agency)), std::string(variant.name),
           static_cast<double>(result.windows), static_cast<double>(result.failed_windows),
           static_cast<double>(count), Percent(result.exact, count),
           Percent(result.within_one, count), Percent(in_sample.exact, in_sample.count),
           Percent(in_sample.within_one, in_sample.count),
           Percent(unchanged_within_one, with_previous),
           enough ? "yes" : fmt::format("no (< {} predictions)", config.min_predictions)});
      (card ? card_series : (variant.previous_rating ? in_series : series))
          .values.push_back(Percent(result.within_one, count));
      outcome.summary += fmt::format(
          "  {:<8} {:<31} {:>5} predictions: exact {:5.1f}%, within one notch {:5.1f}% (in "
          "sample {:5.1f}%; rating unchanged: {:5.1f}%){}\n",
          AgencyName(agency), variant.name, count, Percent(result.exact, count),
          Percent(result.within_one, count), Percent(in_sample.within_one, in_sample.count),
          Percent(unchanged_within_one, with_previous), enough ? "" : "  [too few predictions]");
      results.emplace_back(variant, std::move(result));
    }
  }
  chart.series = {series, in_series};
  if (methodology) chart.series.push_back(card_series);
  summary_section.blocks.emplace_back(table);
  summary_section.blocks.emplace_back(chart);
  doc.sections.push_back(std::move(summary_section));

  for (const auto& [variant, result] : results) {
    if (result.predictions.empty()) continue;
    const std::string agency = fmt::format("{} ({})", AgencyName(result.agency), variant.name);
    const std::string stem = AgencyStem(result.agency) + variant.stem;
    ReportSection section;
    section.heading = agency + ": confusion matrix and misses";
    section.blocks.emplace_back(ConfusionTable(result, agency, stem));
    section.blocks.emplace_back(MostMissedTable(result, agency, stem));
    section.blocks.emplace_back(PredictionsTable(result, agency, stem));
    doc.sections.push_back(std::move(section));
  }
  outcome.summary = fmt::format("Out-of-sample back-test, {} ({}-{}):\n", ModelTitle(config),
                                config.first_test_year, config.panel.last_year) +
                    outcome.summary;
  return outcome;
}

RateOutcome RunRateScore(const RateConfig& config, const Progress& progress) {
  std::optional<Methodology> methodology = LoadScorecard(config);
  if (!methodology) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{}: `rate score` needs [scorecard] methodology", config.file));
  }
  const Panel panel = LoadPanel(config, methodology, progress);
  CalibrateIfAsked(panel, &*methodology, progress);
  const CountryMeans means = ComputeCountryMeans(panel, AllRows(panel));
  const RatingModel model = FitAll(config, panel, means, progress);
  const std::vector<std::string> countries = ScoredCountries(config, panel);
  const bool explicit_list = !config.countries.empty();
  RateOutcome outcome;
  outcome.document = NewDocument(config, fmt::format("scorecard, {}", config.year));
  ReportDocument& doc = outcome.document;
  ReportTable scores;
  scores.name = "scores";
  scores.caption = fmt::format("Scorecard ratings, {} (foreign and local currency)", config.year);
  scores.columns = {{"iso3", ValueKind::kText},
                    {"country", ValueKind::kText},
                    {"score", ValueKind::kNumber, 2},
                    {"model_notch", ValueKind::kNumber, 0},
                    {"adjustment", ValueKind::kNumber, 0},
                    {"foreign_currency", ValueKind::kText},
                    {"local_currency", ValueKind::kText},
                    {"fc_notch", ValueKind::kNumber, 0},
                    {"ordered_model", ValueKind::kText},
                    {"sp", ValueKind::kText},
                    {"moodys", ValueKind::kText},
                    {"fitch", ValueKind::kText}};
  ReportTable audit;
  audit.name = "audit";
  audit.caption = "Audit trail: every step from indicator to rating";
  audit.columns = {{"iso3", ValueKind::kText},
                   {"step", ValueKind::kText},
                   {"detail", ValueKind::kText},
                   {"value", ValueKind::kNumber, 3}};
  ReportTable not_scored;
  not_scored.name = "not_scored";
  not_scored.caption = "Sovereigns not scored";
  not_scored.columns = {
      {"iso3", ValueKind::kText}, {"country", ValueKind::kText}, {"reason", ValueKind::kText}};
  std::map<std::string, int> card_notches;
  std::map<std::string, int> model_notches;
  for (const std::string& iso3 : countries) {
    std::string missing;
    if (!HasAll(panel, *methodology, iso3, config.year, &missing)) {
      if (explicit_list) {
        throw Error(ErrorCode::kBadData,
                    fmt::format("{} {}: indicator {} is missing for the scored year in {}", iso3,
                                config.year, missing, config.panel.weo_path));
      }
      not_scored.rows.push_back(
          {iso3, CountryName(iso3), fmt::format("{} missing for {}", missing, config.year)});
      continue;
    }
    const ScoreResult result =
        Score(*methodology, iso3, config.year, LookupFor(panel, iso3, config.year));
    const SovereignYear row = panel.RowFor(iso3, config.year);
    std::string ordered;
    if (UsableRow(model.options, row)) {
      const RatingPrediction prediction = PredictRating(model, row, means);
      model_notches[iso3] = prediction.indicated_notch;
      ordered = NotchLabel(prediction.indicated_notch);
      // A country never rated in the fitting years has no estimated effect.
      if (model.options.random_effects && !prediction.effect_known) {
        ordered += " (never rated: country effect 0)";
      }
    }
    scores.rows.push_back(
        {iso3, CountryName(iso3), result.score, static_cast<double>(result.model_notch),
         static_cast<double>(result.adjustment), NotchLabel(result.foreign_currency_notch),
         NotchLabel(result.local_currency_notch),
         static_cast<double>(result.foreign_currency_notch), ordered, LabelOrEmpty(row.notch[0]),
         LabelOrEmpty(row.notch[1]), LabelOrEmpty(row.notch[2])});
    for (const AuditEntry& entry : result.audit) {
      audit.rows.push_back({iso3, entry.step, entry.detail, entry.value});
    }
    card_notches[iso3] = result.foreign_currency_notch;
    outcome.summary += fmt::format(
        "  {} {:<28} score {:6.2f}  FC {:<5} LC {:<5} (S&P {})\n", iso3, CountryName(iso3),
        result.score, NotchLabel(result.foreign_currency_notch),
        NotchLabel(result.local_currency_notch), row.notch[0] > 0 ? NotchLabel(row.notch[0]) : "-");
  }
  Say(progress, fmt::format("scored {} sovereigns; {} not scored", scores.rows.size(),
                            not_scored.rows.size()));
  ReportSection section;
  section.heading = "Indicated ratings";
  AssumptionList method;
  method.title = "Methodology";
  method.items = {
      {"File", methodology->file},
      {"Name", methodology->name},
      {"Score to notch",
       fmt::format("{:.4f} + {:.5f} x score, rounded", methodology->intercept, methodology->slope)},
      {"Adjustment cap", fmt::format("{} notches", methodology->max_total_adjustment)},
      {"Local-currency uplift",
       fmt::format("{} notch(es), none for {} sovereigns without their own currency",
                   methodology->local_currency_uplift, methodology->no_local_uplift.size())}};
  section.blocks.emplace_back(method);
  section.blocks.emplace_back(AfricaMap(
      fmt::format("Scorecard: indicated foreign-currency rating, {}", config.year), card_notches));
  section.blocks.emplace_back(
      AfricaMap(fmt::format("Ordered model: indicated rating, {}", config.year), model_notches));
  section.blocks.emplace_back(scores);
  if (!not_scored.rows.empty()) section.blocks.emplace_back(not_scored);
  doc.sections.push_back(std::move(section));
  ReportSection trail;
  trail.heading = "Audit trail";
  trail.blocks.emplace_back(audit);
  doc.sections.push_back(std::move(trail));
  outcome.summary =
      fmt::format("Scorecard {} ({}), {}:\n", methodology->name, methodology->file, config.year) +
      outcome.summary;
  return outcome;
}

RateOutcome RunRateExplain(const RateConfig& config, const Progress& progress) {
  std::optional<Methodology> methodology = LoadScorecard(config);
  const Panel panel = LoadPanel(config, methodology, progress);
  if (methodology) CalibrateIfAsked(panel, &*methodology, progress);
  const CountryMeans means = ComputeCountryMeans(panel, AllRows(panel));
  const RatingModel model = FitAll(config, panel, means, progress);
  const std::string& iso3 = config.country;
  const SovereignYear row = panel.RowFor(iso3, config.year);
  CheckScoredRow(config, panel, model, row);
  const RatingPrediction prediction = PredictRating(model, row, means);
  RateOutcome outcome;
  outcome.document =
      NewDocument(config, fmt::format("{} ({}), {}", CountryName(iso3), iso3, config.year));
  ReportDocument& doc = outcome.document;
  outcome.summary =
      fmt::format("{} {}: ordered model {} (expected notch {:.2f})", CountryName(iso3), config.year,
                  NotchLabel(prediction.indicated_notch), prediction.expected_notch);
  for (Agency agency : kAgencies) {
    const int notch = row.notch[static_cast<int>(agency)];
    if (notch > 0) outcome.summary += fmt::format(", {} {}", AgencyName(agency), NotchLabel(notch));
  }
  if (model.options.random_effects) {
    outcome.summary +=
        prediction.effect_known
            ? fmt::format(" (country effect {:+.3f} in the latent index, from its rated years)",
                          prediction.country_effect)
            : std::string(" (never rated in the fitting years: country effect 0)");
  }
  outcome.summary += "\n";

  ReportSection drivers;
  drivers.heading = "Drivers";
  AddModelContributions(config, panel, model, means, row, drivers);
  if (methodology) AddScorecardDrivers(config, panel, *methodology, drivers, outcome.summary);
  doc.sections.push_back(std::move(drivers));
  doc.sections.push_back(PathSection(config, panel, model, means, methodology));
  doc.sections.push_back(AfricaSection(config, panel, model, means, methodology));
  doc.sections.push_back(PeersSection(config, panel, model, means, prediction));
  doc.sections.push_back(
      GoalSection(config, panel, model, means, row, methodology, outcome.summary));
  return outcome;
}
}  // namespace mizani::rating

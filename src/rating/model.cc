// Ordered rating models on the panel: Mundlak terms, prediction, the rolling
// back-test and goal seeking (rating.h).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "mizani/error.h"
#include "mizani/rating.h"

namespace mizani::rating {

namespace {

int AgencyIndex(Agency agency) { return static_cast<int>(agency); }

std::string TermLabel(const IndicatorSpec& spec) {
  const std::string& label = spec.label.empty() ? spec.code : spec.label;
  switch (spec.transform) {
    case Transform::kLog:
      return "log " + label;
    case Transform::kLogOnePlusPercent:
      return "log(1+" + label + "/100)";
    case Transform::kLevel:
      break;
  }
  return label;
}

}  // namespace

const std::vector<double>* CountryMeans::Find(const std::string& code) const {
  const auto found = std::lower_bound(iso3.begin(), iso3.end(), code);
  if (found == iso3.end() || *found != code) return nullptr;
  return &mean[found - iso3.begin()];
}

CountryMeans ComputeCountryMeans(const Panel& panel, std::span<const size_t> row_ids) {
  std::map<std::string, std::pair<std::vector<double>, int>> sums;
  for (size_t row_id : row_ids) {
    if (panel.complete[row_id] == 0) continue;
    const SovereignYear& row = panel.rows[row_id];
    auto& [sum, count] = sums[row.iso3];
    if (sum.empty()) sum.assign(row.x.size(), 0.0);
    for (size_t idx = 0; idx < row.x.size(); ++idx) sum[idx] += row.x[idx];
    ++count;
  }
  CountryMeans means;
  for (auto& [code, entry] : sums) {
    for (double& value : entry.first) value /= entry.second;
    means.iso3.push_back(code);
    means.mean.push_back(std::move(entry.first));
  }
  return means;
}

bool UsableRow(const RatingModelOptions& options, const SovereignYear& row) {
  for (double value : row.x) {
    if (!std::isfinite(value)) return false;
  }
  return !options.previous_rating || row.previous_notch[AgencyIndex(options.agency)] > 0;
}

Eigen::VectorXd RegressorRow(const RatingModel& model, const SovereignYear& row,
                             const CountryMeans& means) {
  const auto num_indicators = static_cast<Eigen::Index>(row.x.size());
  Eigen::VectorXd values((model.options.mundlak ? 2 * num_indicators : num_indicators) +
                         (model.options.previous_rating ? 1 : 0));
  for (Eigen::Index idx = 0; idx < num_indicators; ++idx) values[idx] = row.x[idx];
  if (model.options.mundlak) {
    const std::vector<double>* mean = means.Find(row.iso3);
    for (Eigen::Index idx = 0; idx < num_indicators; ++idx) {
      // A country with no complete year among the means: its own value.
      values[num_indicators + idx] = mean != nullptr ? (*mean)[idx] : row.x[idx];
    }
  }
  if (model.options.previous_rating) {
    values[values.size() - 1] = row.previous_notch[AgencyIndex(model.options.agency)];
  }
  return values;
}

RatingModel FitRatingModel(const Panel& panel, std::span<const size_t> row_ids,
                           const RatingModelOptions& options, const CountryMeans& means) {
  RatingModel model;
  model.options = options;
  for (const IndicatorSpec& spec : panel.indicators) model.terms.push_back(TermLabel(spec));
  if (options.mundlak) {
    for (const IndicatorSpec& spec : panel.indicators) {
      model.terms.push_back("mean(" + TermLabel(spec) + ")");
    }
  }
  if (options.previous_rating) model.terms.emplace_back("previous year-end notch");
  const int agency = AgencyIndex(options.agency);
  std::vector<size_t> used;
  for (size_t row_id : row_ids) {
    const SovereignYear& row = panel.rows[row_id];
    if (panel.complete[row_id] != 0 && row.notch[agency] > 0 && UsableRow(options, row)) {
      used.push_back(row_id);
    }
  }
  std::vector<int> notches;
  notches.reserve(used.size());
  for (size_t row_id : used) notches.push_back(panel.rows[row_id].notch[agency]);
  std::sort(notches.begin(), notches.end());
  notches.erase(std::unique(notches.begin(), notches.end()), notches.end());
  if (notches.size() < 2) {
    throw Error(ErrorCode::kBadModel,
                fmt::format("{}: {} complete sovereign-years with {} distinct notches; an ordered "
                            "model needs at least two",
                            AgencyName(options.agency), used.size(), notches.size()));
  }
  model.category_notch = notches;
  std::vector<int> category_of(kMaxNotch + 1, -1);
  for (size_t idx = 0; idx < notches.size(); ++idx)
    category_of[notches[idx]] = static_cast<int>(idx);
  const auto num_terms = static_cast<Eigen::Index>(model.terms.size());
  Eigen::MatrixXd x(static_cast<Eigen::Index>(used.size()), num_terms);
  std::vector<int> y(used.size());
  std::vector<int> cluster(used.size());
  std::map<std::string, int> cluster_of;
  for (size_t obs = 0; obs < used.size(); ++obs) {
    const SovereignYear& row = panel.rows[used[obs]];
    x.row(static_cast<Eigen::Index>(obs)) = RegressorRow(model, row, means).transpose();
    y[obs] = category_of[row.notch[agency]];
    const auto inserted = cluster_of.emplace(row.iso3, static_cast<int>(cluster_of.size()));
    cluster[obs] = inserted.first->second;
  }
  model.num_obs = static_cast<int64_t>(used.size());
  if (!options.random_effects) {
    model.fit = FitOrdered(x, y, static_cast<int>(notches.size()), cluster, options.ordered);
    return model;
  }
  RandomEffectsOptions random_options;
  random_options.link = options.ordered.link;
  random_options.quadrature_points = options.quadrature_points;
  const RandomEffectsResult random =
      FitRandomEffects(x, y, static_cast<int>(notches.size()), cluster, random_options);
  OrderedResult& fit = model.fit;
  fit.termination = random.termination;
  fit.message = random.message;
  fit.iterations = random.iterations;
  fit.num_categories = static_cast<int>(notches.size());
  fit.num_clusters = random.num_clusters;
  fit.log_likelihood = random.log_likelihood;
  if (random.theta.size() == 0) return model;
  const auto num_fixed = random.theta.size() - 1;
  fit.theta = random.theta.head(num_fixed);
  fit.beta = random.beta;
  fit.cutpoints = random.cutpoints;
  if (random.cov.size() > 0) {
    // Model-based (the random effect accounts for the clustering).
    fit.cov_classical = random.cov.topLeftCorner(num_fixed, num_fixed);
    fit.cov_robust = fit.cov_classical;
    fit.cov_cluster = fit.cov_classical;
  }
  model.sigma_u = random.sigma;
  for (const auto& [code, id] : cluster_of) model.country_effect[code] = random.effect[id];
  return model;
}

double CountryEffect(const RatingModel& model, const std::string& iso3, bool* known) {
  const auto found = model.country_effect.find(iso3);
  if (known != nullptr) *known = found != model.country_effect.end();
  return found != model.country_effect.end() ? found->second : 0.0;
}

namespace {

// `iso3` selects the country effect of a random-effects model, which
// shifts the latent index (the cut-points move by minus the effect).
RatingPrediction PredictFromRegressors(const RatingModel& model, const Eigen::VectorXd& regressors,
                                       const std::string& iso3) {
  RatingPrediction prediction;
  prediction.country_effect = CountryEffect(model, iso3, &prediction.effect_known);
  prediction.latent = regressors.dot(model.fit.beta) + prediction.country_effect;
  const Eigen::VectorXd shifted_cuts = model.fit.cutpoints.array() - prediction.country_effect;
  const Eigen::MatrixXd probability = OrderedProbabilities(
      model.options.ordered.link, regressors.transpose(), model.fit.beta, shifted_cuts);
  Eigen::Index best = 0;
  if (model.options.indicate_mode) {
    probability.row(0).maxCoeff(&best);
  } else {
    // Cut-points bracket the latent index: cut_{j-1} < x'b <= cut_j.
    while (best < model.fit.cutpoints.size() && prediction.latent > model.fit.cutpoints[best]) {
      ++best;
    }
  }
  prediction.indicated_notch = model.category_notch[best];
  prediction.probability.resize(model.category_notch.size());
  for (size_t category = 0; category < model.category_notch.size(); ++category) {
    prediction.probability[category] = probability(0, static_cast<Eigen::Index>(category));
    prediction.expected_notch += prediction.probability[category] * model.category_notch[category];
  }
  return prediction;
}

}  // namespace

RatingPrediction PredictRating(const RatingModel& model, const SovereignYear& row,
                               const CountryMeans& means) {
  return PredictFromRegressors(model, RegressorRow(model, row, means), row.iso3);
}

double BackTestResult::ExactRate() const {
  return predictions.empty() ? 0.0 : static_cast<double>(exact) / predictions.size();
}
double BackTestResult::WithinOneRate() const {
  return predictions.empty() ? 0.0 : static_cast<double>(within_one) / predictions.size();
}

BackTestResult BackTest(const Panel& panel, const BackTestOptions& options) {
  BackTestResult result;
  result.agency = options.model.agency;
  result.confusion.assign(kMaxNotch, std::vector<int64_t>(kMaxNotch, 0));
  const int agency = AgencyIndex(options.model.agency);
  int last_year = 0;
  for (const SovereignYear& row : panel.rows) last_year = std::max(last_year, row.year);
  for (int test_year = options.first_test_year; test_year <= last_year; ++test_year) {
    // Fit on every year before the test year; country means use the years
    // up to the test year, whose indicators are known when it is rated.
    std::vector<size_t> train;
    std::vector<size_t> known;
    std::vector<size_t> test;
    for (size_t row_id = 0; row_id < panel.rows.size(); ++row_id) {
      const SovereignYear& row = panel.rows[row_id];
      if (row.year < test_year) train.push_back(row_id);
      if (row.year <= test_year) known.push_back(row_id);
      if (row.year == test_year && panel.complete[row_id] != 0 && row.notch[agency] > 0 &&
          UsableRow(options.model, row)) {
        test.push_back(row_id);
      }
    }
    if (test.empty()) continue;
    ++result.windows;
    const CountryMeans means = ComputeCountryMeans(panel, known);
    RatingModel model;
    try {
      model = FitRatingModel(panel, train, options.model, means);
    } catch (const Error& error) {
      if (error.code() != ErrorCode::kBadModel) throw;
      ++result.failed_windows;
      if (options.progress) {
        options.progress(fmt::format("{} back-test: no fit on years before {}: {}",
                                     AgencyName(options.model.agency), test_year, error.what()));
      }
      continue;
    }
    if (model.fit.termination != Termination::kConverged) {
      ++result.failed_windows;
      if (options.progress) {
        options.progress(fmt::format("{} back-test: fit before {} skipped: {}",
                                     AgencyName(options.model.agency), test_year,
                                     model.fit.message));
      }
      continue;
    }
    int64_t window_within = 0;
    for (size_t row_id : test) {
      const SovereignYear& row = panel.rows[row_id];
      const RatingPrediction prediction = PredictRating(model, row, means);
      BackTestPrediction entry{row.iso3, row.year, row.notch[agency], prediction.indicated_notch,
                               row.previous_notch[agency]};
      const int miss = std::abs(entry.actual - entry.predicted);
      if (miss == 0) ++result.exact;
      if (miss <= 1) {
        ++result.within_one;
        ++window_within;
      }
      ++result.confusion[entry.actual - 1][entry.predicted - 1];
      result.predictions.push_back(entry);
    }
    if (options.progress) {
      options.progress(fmt::format(
          "{} back-test: fit on {} sovereign-years before {}, {} of {} "
          "predictions within one notch",
          AgencyName(options.model.agency), model.num_obs, test_year, window_within, test.size()));
    }
  }
  return result;
}

GoalSeekResult GoalSeekOrdered(const RatingModel& model, const Panel& panel,
                               const SovereignYear& row, const CountryMeans& means,
                               size_t indicator_idx, double lower, double upper) {
  const IndicatorSpec& spec = panel.indicators.at(indicator_idx);
  GoalSeekResult result;
  result.code = spec.code;
  result.current = InvertTransform(spec.transform, row.x[indicator_idx]);
  result.from_notch = PredictRating(model, row, means).indicated_notch;
  result.to_notch = result.from_notch + 1;
  // A permanent change: with Mundlak terms the country mean moves with the
  // indicator (a one-year change would act through the within-country
  // coefficient alone, which mostly measures cyclical co-movement).
  const Eigen::VectorXd base = RegressorRow(model, row, means);
  const auto num_indicators = static_cast<Eigen::Index>(row.x.size());
  const auto idx = static_cast<Eigen::Index>(indicator_idx);
  auto reaches = [&](double value) {
    const double shift = ApplyTransform(spec.transform, value) - row.x[indicator_idx];
    if (!std::isfinite(shift)) return false;
    Eigen::VectorXd trial = base;
    trial[idx] += shift;
    if (model.options.mundlak) trial[num_indicators + idx] += shift;
    return PredictFromRegressors(model, trial, row.iso3).indicated_notch >= result.to_notch;
  };
  if (result.from_notch >= model.category_notch.back()) return result;
  // The latent index moves with the indicator in the direction of its total
  // coefficient; the most probable notch follows it.
  const double coefficient =
      model.fit.beta[idx] + (model.options.mundlak ? model.fit.beta[num_indicators + idx] : 0.0);
  if (coefficient == 0.0) return result;
  const double bound = coefficient > 0 ? upper : lower;
  if ((coefficient > 0 && bound <= result.current) ||
      (coefficient < 0 && bound >= result.current) || !reaches(bound)) {
    return result;
  }
  double near = result.current;
  double far = bound;
  for (int iteration = 0; iteration < 200 && std::abs(far - near) > 1e-10 * (1.0 + std::abs(far));
       ++iteration) {
    const double middle = 0.5 * (near + far);
    if (reaches(middle)) {
      far = middle;
    } else {
      near = middle;
    }
  }
  result.required = far;
  return result;
}

}  // namespace mizani::rating

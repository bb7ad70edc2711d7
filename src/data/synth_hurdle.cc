// The second data-generating process of docs/synth.md ("hurdle"): countries
// clustered on continents, exporter-year and importer-year effects that are
// the structural multilateral resistances of Anderson & van Wincoop (2003)
// solved from sizes and trade costs every year, a share of pairs that never
// trade, and zeros from a persistent probit hurdle. Positive flows are
// scaled by the inverse of both probabilities, so E[trade | covariates,
// effects] = mu still holds row by row and PPML stays consistent for the
// coefficients (Santos Silva & Tenreyro 2006), with or without pair effects.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "data/synth_internal.h"
#include "mizani/error.h"
#include "mizani/synth.h"

namespace mizani::synth {
namespace {

constexpr int kContinents = 6;
constexpr double kWorldSideKm = 10000.0;
constexpr double kContinentSpreadKm = 700.0;
// A country speaks its continent's language with this probability.
constexpr double kContinentLanguage = 0.7;
// Dispersion of country sizes (log scale): larger than the first process's
// effects, so a few large economies dominate and many are small.
constexpr double kSizeSd = 1.5;
// Correlation of a country's output and expenditure levels.
constexpr double kSizeCorrelation = 0.8;
// Growth trends vary twice as much as in the first process.
constexpr double kTrendSdFactor = 2.0;
// Pairs of small and distant countries never trade more often: the odds
// fall with the pair's mean log mu at this slope.
constexpr double kNeverSlope = 1.0;
constexpr double kMaxNeverProbability = 0.95;
// The hurdle: a persistent pair component (sd 1) and an AR(1) yearly
// component (rho 0.7, unit variance) on the probit scale, so zeros come in
// runs within pairs; a positive probability is floored (rows reweighted by
// at most 50).
constexpr double kHurdlePairSd = 1.0;
constexpr double kHurdleRho = 0.7;
constexpr double kMinPositiveProbability = 0.02;
// Sinkhorn balancing of the expected flows to the sizes.
constexpr double kBalanceTolerance = 1e-12;
constexpr int kMaxBalanceIterations = 5000;

double NormalCdf(double value) { return 0.5 * std::erfc(-value / std::numbers::sqrt2); }

double Logistic(double value) { return 1.0 / (1.0 + std::exp(-value)); }

// Scales phi (exporters x importers, row-major; zero where no flow exists)
// to row sums `output` and column sums `expenditure` (equal totals):
// mu_ij = phi_ij a_i b_j. Returns log a and log b, the exporter's and
// importer's structural terms log(Y_i / Pi_i) and log(E_j / P_j) up to a
// common constant. Matrix scaling (Sinkhorn 1967) converges for a matrix
// with positive entries off the diagonal.
void Balance(const std::vector<double>& phi, const std::vector<double>& output,
             const std::vector<double>& expenditure, std::vector<double>& log_a,
             std::vector<double>& log_b) {
  const size_t num_exporters = output.size();
  const size_t num_importers = expenditure.size();
  std::vector<double> a(num_exporters, 1.0);
  std::vector<double> b(num_importers, 1.0);
  std::vector<double> column_sum(num_importers);
  for (int iteration = 0; iteration < kMaxBalanceIterations; ++iteration) {
    for (size_t origin = 0; origin < num_exporters; ++origin) {
      double sum = 0;
      const double* phi_row = phi.data() + origin * num_importers;
      for (size_t destination = 0; destination < num_importers; ++destination) {
        sum += phi_row[destination] * b[destination];
      }
      a[origin] = output[origin] / sum;
    }
    std::fill(column_sum.begin(), column_sum.end(), 0.0);
    for (size_t origin = 0; origin < num_exporters; ++origin) {
      const double* phi_row = phi.data() + origin * num_importers;
      for (size_t destination = 0; destination < num_importers; ++destination) {
        column_sum[destination] += phi_row[destination] * a[origin];
      }
    }
    double worst = 0;
    for (size_t destination = 0; destination < num_importers; ++destination) {
      const double target = expenditure[destination];
      worst = std::max(worst, std::abs(column_sum[destination] * b[destination] - target) / target);
      b[destination] = target / column_sum[destination];
    }
    if (worst < kBalanceTolerance) break;
  }
  log_a.resize(num_exporters);
  log_b.resize(num_importers);
  for (size_t origin = 0; origin < num_exporters; ++origin) log_a[origin] = std::log(a[origin]);
  for (size_t destination = 0; destination < num_importers; ++destination) {
    log_b[destination] = std::log(b[destination]);
  }
}

// Balance has a solution only if no country sells more than the others
// buy, nor buys more than they sell: it trades with every other country
// but not with itself (no domestic cell in phi), and for two or more
// countries together the others are every country, so these singleton
// conditions are the whole of the (Hall-type) feasibility condition. In a
// small world with dispersed sizes one country can hold half of world
// output; the iterations then drift to infinity (and the panel to NaN).
// An error names the country and the year instead.
void RequireBalanceable(const std::vector<double>& output, const std::vector<double>& expenditure,
                        double total, int year) {
  const size_t both = std::min(output.size(), expenditure.size());
  for (size_t country = 0; country < both; ++country) {
    const double sells = output[country] / total;
    const double buys = expenditure[country] / total;
    // Both shares against what the others trade, with a margin: near the
    // boundary the iterations converge too slowly to be of use.
    if (sells + buys > 0.98) {
      throw Error(ErrorCode::kUsage,
                  fmt::format("synth: country {} has {:.0f}% of world output and {:.0f}% of "
                              "spending in {}: the other countries cannot absorb its exports "
                              "(no domestic trade in the structural system); draw more "
                              "countries, smaller size dispersion (sd_exporter, sd_importer) or "
                              "another seed",
                              country + 1, 100 * sells, 100 * buys, year));
    }
  }
}

// The countries on the map and the panel's rows (random draws: continent
// centres, positions and languages, then the agreements).
Panel DrawPanel(const SynthOptions& options, size_t countries, Random& random) {
  // Geography: six continent centres in the square, countries scattered
  // around them; a country mostly speaks its continent's language.
  std::vector<double> centre_x(kContinents);
  std::vector<double> centre_y(kContinents);
  for (int continent = 0; continent < kContinents; ++continent) {
    centre_x[continent] = kWorldSideKm * random.Uniform();
    centre_y[continent] = kWorldSideKm * random.Uniform();
  }
  std::vector<double> coord_x(countries);
  std::vector<double> coord_y(countries);
  std::vector<int> language(countries);
  for (size_t country = 0; country < countries; ++country) {
    const int continent = random.UniformInt(0, kContinents - 1);
    coord_x[country] = centre_x[continent] + kContinentSpreadKm * random.Normal();
    coord_y[country] = centre_y[continent] + kContinentSpreadKm * random.Normal();
    const bool own = random.Bernoulli(kContinentLanguage);
    const int other = random.UniformInt(0, kLanguages - 1);
    language[country] = own ? continent % kLanguages : other;
  }
  const Geography geography = BuildGeography(coord_x, coord_y, options, random);
  return BuildPanel(options, geography, language);
}

// Log output Y_it and log expenditure E_jt (country-major, years inner).
struct LogSizes {
  std::vector<double> output, expenditure;
};

LogSizes DrawSizes(const SynthOptions& options, size_t countries, size_t years, Random& random) {
  std::vector<double> log_output(countries * years);
  std::vector<double> log_expenditure(countries * years);
  const double mid_year = 0.5 * (static_cast<double>(years) - 1);
  const double trend_sd = kTrendSdFactor * options.sd_trend;
  for (size_t country = 0; country < countries; ++country) {
    const double z_output = random.Normal();
    const double z_expenditure =
        kSizeCorrelation * z_output +
        std::sqrt(1.0 - kSizeCorrelation * kSizeCorrelation) * random.Normal();
    const double output_trend = options.mean_trend + trend_sd * random.Normal();
    const double expenditure_trend = options.mean_trend + trend_sd * random.Normal();
    for (size_t year_idx = 0; year_idx < years; ++year_idx) {
      const double time = static_cast<double>(year_idx) - mid_year;
      log_output[country * years + year_idx] = options.constant + kSizeSd * z_output +
                                               output_trend * time +
                                               options.sd_year_shock * random.Normal();
      log_expenditure[country * years + year_idx] = options.constant + kSizeSd * z_expenditure +
                                                    expenditure_trend * time +
                                                    options.sd_year_shock * random.Normal();
    }
  }
  return {std::move(log_output), std::move(log_expenditure)};
}

// Expected flows log mu_ijt per row: pair effects drawn (mean one in levels),
// trade costs log phi_ijt = x'beta + pi_ij, then per year the structural
// terms: mu_ijt = phi_ijt a_it b_jt with sum_j mu_ijt = Y_it and
// sum_i mu_ijt = E_jt (expenditures rescaled to the world's output).
std::vector<double> StructuralLogMu(const SynthOptions& options, const Panel& panel,
                                    const LogSizes& sizes, Random& random) {
  const auto years = static_cast<size_t>(options.years);
  const auto num_exporters = static_cast<size_t>(options.exporters);
  const auto num_importers = static_cast<size_t>(options.importers);
  const size_t num_rows = panel.num_rows;
  const std::vector<double>& log_output = sizes.output;
  const std::vector<double>& log_expenditure = sizes.expenditure;
  const double pair_sd = options.sd_pair;
  std::vector<double> pair_effect(panel.num_pairs);
  for (double& effect : pair_effect) effect = -0.5 * pair_sd * pair_sd + pair_sd * random.Normal();

  std::vector<double> log_phi(num_rows);
  for (size_t row_idx = 0; row_idx < num_rows; ++row_idx) {
    const bool is_domestic = panel.exporter_of_row[row_idx] == panel.importer_of_row[row_idx];
    log_phi[row_idx] =
        options.beta_log_dist * panel.ln_dist[row_idx] +
        options.beta_contig * panel.contig[row_idx] + options.beta_lang * panel.lang[row_idx] +
        options.beta_rta * panel.rta[row_idx] + (is_domestic ? options.beta_domestic : 0.0) +
        pair_effect[static_cast<size_t>(panel.pair_id[row_idx]) - 1];
  }
  std::vector<double> log_mu(num_rows);
  {
    std::vector<double> phi(num_exporters * num_importers);
    std::vector<double> output(num_exporters);
    std::vector<double> expenditure(num_importers);
    std::vector<double> log_a;
    std::vector<double> log_b;
    for (size_t year_idx = 0; year_idx < years; ++year_idx) {
      std::fill(phi.begin(), phi.end(), 0.0);
      for (size_t row_idx = year_idx; row_idx < num_rows; row_idx += years) {
        const auto origin = static_cast<size_t>(panel.exporter_of_row[row_idx]);
        const auto destination = static_cast<size_t>(panel.importer_of_row[row_idx]);
        phi[origin * num_importers + destination] = std::exp(log_phi[row_idx]);
      }
      double total_output = 0;
      double total_expenditure = 0;
      for (size_t origin = 0; origin < num_exporters; ++origin) {
        output[origin] = std::exp(log_output[origin * years + year_idx]);
        total_output += output[origin];
      }
      for (size_t destination = 0; destination < num_importers; ++destination) {
        expenditure[destination] = std::exp(log_expenditure[destination * years + year_idx]);
        total_expenditure += expenditure[destination];
      }
      for (double& value : expenditure) value *= total_output / total_expenditure;
      RequireBalanceable(output, expenditure, total_output, options.first_year + year_idx);
      Balance(phi, output, expenditure, log_a, log_b);
      for (size_t row_idx = year_idx; row_idx < num_rows; row_idx += years) {
        log_mu[row_idx] = log_phi[row_idx] +
                          log_a[static_cast<size_t>(panel.exporter_of_row[row_idx])] +
                          log_b[static_cast<size_t>(panel.importer_of_row[row_idx])];
      }
    }
  }

  return log_mu;
}

// Which pairs never trade and the hurdle of the others, calibrated to the
// options' shares.
struct ZeroPlan {
  std::vector<uint8_t> international;  // per row
  std::vector<uint8_t> never;          // per pair
  std::vector<double> never_prob;      // per pair
  std::vector<double> index;           // per row: zero_slope * centred log mu + h
  double hurdle_intercept = 0;
};

// Zero probability 1 - max(floor, Phi(index - c)) rises with c.
double ZeroProbability(double intercept, double value) {
  return 1.0 - std::max(kMinPositiveProbability, NormalCdf(value - intercept));
}

ZeroPlan PlanZeros(const SynthOptions& options, const Panel& panel,
                   const std::vector<double>& log_mu, Random& random) {
  const auto years = static_cast<size_t>(options.years);
  const size_t num_rows = panel.num_rows;
  ZeroPlan plan;
  std::vector<uint8_t>& international = plan.international;
  international.resize(num_rows);
  // Centred log mu over the international rows; the pair's mean over years.
  double mean_log_mu = 0;
  size_t num_international = 0;
  for (size_t row_idx = 0; row_idx < num_rows; ++row_idx) {
    international[row_idx] = panel.exporter_of_row[row_idx] != panel.importer_of_row[row_idx];
    if (international[row_idx] == 0) continue;
    mean_log_mu += log_mu[row_idx];
    ++num_international;
  }
  mean_log_mu /= static_cast<double>(std::max<size_t>(num_international, 1));
  std::vector<double> pair_mean(panel.num_pairs, 0.0);
  std::vector<uint8_t> pair_international(panel.num_pairs, 0);
  for (size_t row_idx = 0; row_idx < num_rows; ++row_idx) {
    const auto pair_idx = static_cast<size_t>(panel.pair_id[row_idx]) - 1;
    pair_mean[pair_idx] += (log_mu[row_idx] - mean_log_mu) / static_cast<double>(years);
    pair_international[pair_idx] = international[row_idx];
  }
  const double international_share =
      static_cast<double>(num_international) / static_cast<double>(std::max<size_t>(num_rows, 1));
  const double international_pairs =
      static_cast<double>(std::count(pair_international.begin(), pair_international.end(), 1));

  // Pairs that never trade: logistic in the pair's mean log mu, calibrated
  // so their share of all rows is share_never.
  auto never_probability = [](double intercept, double centred_mean) {
    return std::min(kMaxNeverProbability, Logistic(intercept - kNeverSlope * centred_mean));
  };
  const double never_target =
      international_share > 0
          ? std::min(kMaxNeverProbability, options.share_never / international_share)
          : 0.0;
  const double never_intercept =
      options.share_never > 0 && international_pairs > 0
          ? CalibrateIntercept(pair_mean, pair_international, never_probability, never_target)
          : -INFINITY;

  // The hurdle: row r of a trading pair is positive with probability
  // p_r = max(0.02, Phi(zero_slope * centred log mu_r + h_ij - c)), h_ij ~
  // N(0, 1) per pair; c is calibrated (on the expected never-trading share)
  // so that all zeros together reach share_zeros.
  std::vector<double> hurdle_pair(panel.num_pairs);
  std::vector<uint8_t>& never = plan.never;
  never.assign(panel.num_pairs, 0);
  std::vector<double>& never_prob = plan.never_prob;
  never_prob.assign(panel.num_pairs, 0.0);
  for (size_t pair_idx = 0; pair_idx < panel.num_pairs; ++pair_idx) {
    // Both draws for every pair, so the stream does not depend on the shares.
    const double uniform = random.Uniform();
    hurdle_pair[pair_idx] = kHurdlePairSd * random.Normal();
    if (pair_international[pair_idx] == 0 || options.share_never <= 0) continue;
    never_prob[pair_idx] = never_probability(never_intercept, pair_mean[pair_idx]);
    never[pair_idx] = uniform < never_prob[pair_idx];
  }
  // The index zero_slope * centred log mu + h (small flows: low index, more
  // zeros), and each international row's weight in the expected zero share
  // of the trading rows, 1 - q_ij.
  std::vector<double>& index = plan.index;
  index.resize(num_rows);
  std::vector<double> trading_weight(num_rows);
  double expected_never_rows = 0;
  for (size_t row_idx = 0; row_idx < num_rows; ++row_idx) {
    const auto pair_idx = static_cast<size_t>(panel.pair_id[row_idx]) - 1;
    index[row_idx] = options.zero_slope * (log_mu[row_idx] - mean_log_mu) + hurdle_pair[pair_idx];
    trading_weight[row_idx] = international[row_idx] != 0 ? 1.0 - never_prob[pair_idx] : 0.0;
    expected_never_rows += never_prob[pair_idx];
  }
  const double hurdle_rows = static_cast<double>(num_international) - expected_never_rows;
  const double hurdle_target =
      hurdle_rows > 0
          ? std::clamp((options.share_zeros * static_cast<double>(num_rows) - expected_never_rows) /
                           hurdle_rows,
                       0.0, 1.0 - kMinPositiveProbability)
          : 0.0;
  plan.hurdle_intercept =
      hurdle_target > 0 && num_international > 0
          ? CalibrateIntercept(index, trading_weight, ZeroProbability, hurdle_target)
          : -INFINITY;

  return plan;
}

}  // namespace

Table SynthesizeHurdle(const SynthOptions& options) {
  const auto countries = static_cast<size_t>(std::max(options.exporters, options.importers));
  const auto years = static_cast<size_t>(options.years);
  Random random(options.seed);
  Panel panel = DrawPanel(options, countries, random);
  const size_t num_rows = panel.num_rows;
  const LogSizes sizes = DrawSizes(options, countries, years, random);
  const std::vector<double> log_mu = StructuralLogMu(options, panel, sizes, random);
  const ZeroPlan plan = PlanZeros(options, panel, log_mu, random);
  std::vector<double> trade(num_rows);
  std::vector<double> mu(options.include_mu ? num_rows : 0);
  const double shape = options.gamma_shape;
  const double innovation_sd = std::sqrt(1.0 - kHurdleRho * kHurdleRho);
  double yearly = 0;  // the AR(1) hurdle component of the current pair
  for (size_t row_idx = 0; row_idx < num_rows; ++row_idx) {
    const auto pair_idx = static_cast<size_t>(panel.pair_id[row_idx]) - 1;
    const double expected = std::exp(log_mu[row_idx]);
    if (options.include_mu) mu[row_idx] = expected;
    // Every row draws its hurdle shock and its gamma noise.
    const double shock = random.Normal();
    yearly = row_idx % years == 0 ? shock : kHurdleRho * yearly + innovation_sd * shock;
    const double noise = random.Gamma(shape) / shape;
    if (plan.international[row_idx] == 0) {
      trade[row_idx] = expected * noise;
      continue;
    }
    if (plan.never[pair_idx] != 0) {
      trade[row_idx] = 0;
      continue;
    }
    const double positive = 1.0 - ZeroProbability(plan.hurdle_intercept, plan.index[row_idx]);
    // P(Phi(yearly) < positive) = positive: a Gaussian copula keeps the
    // marginal probability exact while the AR(1) makes zeros persistent.
    const bool is_positive = NormalCdf(yearly) < positive;
    trade[row_idx] =
        is_positive ? expected / ((1.0 - plan.never_prob[pair_idx]) * positive) * noise : 0.0;
  }
  return AssembleTable(options, std::move(panel), std::move(trade), std::move(mu));
}

}  // namespace mizani::synth

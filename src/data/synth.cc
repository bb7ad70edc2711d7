// The data-generating process of docs/synth.md. All random numbers come from
// one std::mt19937_64 (whose output sequence the C++ standard fixes) through
// hand-written transforms, because std::normal_distribution and friends differ
// between standard libraries and the panels must be the same everywhere.
#include "mizani/synth.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <unordered_set>

#include "mizani/error.h"

namespace mizani {
namespace {

class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}

  // Uniform on the open interval (0, 1), so log() is always finite.
  double Uniform() {
    return (static_cast<double>(engine_() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
  }

  // Box-Muller; the second value of each pair is kept for the next call.
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double radius = std::sqrt(-2.0 * std::log(Uniform()));
    double angle = 2.0 * std::numbers::pi * Uniform();
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

  // Gamma(shape, scale 1) by Marsaglia and Tsang (2000); shapes below one use
  // Gamma(shape + 1) * U^(1/shape).
  double Gamma(double shape) {
    if (shape < 1.0) return Gamma(shape + 1.0) * std::pow(Uniform(), 1.0 / shape);
    double d = shape - 1.0 / 3.0;
    double c = 1.0 / std::sqrt(9.0 * d);
    while (true) {
      double x = Normal();
      double v = 1.0 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      double u = Uniform();
      if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
      if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
    }
  }

  bool Bernoulli(double probability) { return Uniform() < probability; }

  // Integer in [low, high].
  int UniformInt(int low, int high) {
    auto span = static_cast<uint64_t>(high - low) + 1;
    return low + static_cast<int>(engine_() % span);
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0;
  bool has_spare_ = false;
};

[[noreturn]] void BadOption(const std::string& message) {
  throw Error(ErrorCode::kUsage, "synth: " + message);
}

void Validate(const SynthOptions& options) {
  if (options.exporters < 1 || options.importers < 1) {
    BadOption("need at least one exporter and one importer");
  }
  if (options.years < 1) BadOption("need at least one year");
  if (!options.include_domestic && std::max(options.exporters, options.importers) < 2) {
    BadOption("need at least two countries when domestic flows are excluded");
  }
  if (!(options.share_zeros >= 0 && options.share_zeros <= 0.9)) {
    BadOption(fmt::format("share of zeros must be between 0 and 0.9, got {}", options.share_zeros));
  }
  if (!(options.gamma_shape > 0)) BadOption("gamma shape must be positive");
  if (!(options.zero_slope >= 0)) BadOption("zero slope must be non-negative");
  size_t num_countries = static_cast<size_t>(std::max(options.exporters, options.importers));
  if (!options.names.empty()) {
    if (options.names.size() < num_countries) {
      BadOption(fmt::format("{} country names given for {} countries", options.names.size(),
                            num_countries));
    }
    std::unordered_set<std::string> distinct(options.names.begin(),
                                             options.names.begin() + num_countries);
    if (distinct.size() != num_countries) BadOption("country names must be distinct");
  }
  // A non-finite coefficient or dispersion makes every flow NaN or inf (and
  // NaN once reached the zero calibration's binning as an index).
  const std::pair<const char*, double> parameters[] = {
      {"beta-dist", options.beta_log_dist},     {"beta-contig", options.beta_contig},
      {"beta-lang", options.beta_lang},         {"beta-rta", options.beta_rta},
      {"beta-domestic", options.beta_domestic}, {"constant", options.constant},
      {"sd-exporter", options.sd_exporter},     {"sd-importer", options.sd_importer},
      {"sd-trend", options.sd_trend},           {"mean-trend", options.mean_trend},
      {"sd-year-shock", options.sd_year_shock}, {"sd-pair", options.sd_pair}};
  for (const auto& [name, value] : parameters) {
    if (!std::isfinite(value))
      BadOption(fmt::format("{} must be a finite number, got {}", name, value));
  }
  double rows = static_cast<double>(options.exporters) * options.importers * options.years;
  if (rows > 2e9) BadOption("panel too large (more than 2 billion rows)");
}

// Largest |log mu| accepted: exp(460) is about 1e200, far above any trade
// value, and a Gamma draw scaled by 1 / (1 - p) stays finite.
constexpr double kMaxLogExpectedFlow = 460;

// Cap on the zero probability of one flow: the nonzero draw is scaled by
// 1 / (1 - p), and larger caps would make a few flows enormous.
constexpr double kMaxZeroProbability = 0.95;

double ZeroProbability(double intercept, double slope, double centred_log_mu) {
  double p = 1.0 / (1.0 + std::exp(-(intercept - slope * centred_log_mu)));
  return std::min(p, kMaxZeroProbability);
}

// Finds the logistic intercept that makes the mean zero probability over the
// international flows equal `target`. The flows are summarised by a histogram
// of log mu so the bisection costs nothing next to generating the panel.
double CalibrateZeroIntercept(const std::vector<double>& centred_log_mu,
                              const std::vector<uint8_t>& can_be_zero, double slope,
                              double target) {
  double low_value = std::numeric_limits<double>::infinity();
  double high_value = -low_value;
  for (size_t row_idx = 0; row_idx < centred_log_mu.size(); ++row_idx) {
    if (can_be_zero[row_idx] == 0) continue;
    low_value = std::min(low_value, centred_log_mu[row_idx]);
    high_value = std::max(high_value, centred_log_mu[row_idx]);
  }
  constexpr int kBins = 4096;
  std::vector<double> counts(kBins, 0.0);
  double width = std::max((high_value - low_value) / kBins, 1e-12);
  double total = 0;
  for (size_t row_idx = 0; row_idx < centred_log_mu.size(); ++row_idx) {
    if (can_be_zero[row_idx] == 0) continue;
    int bin = std::min(kBins - 1, static_cast<int>((centred_log_mu[row_idx] - low_value) / width));
    counts[static_cast<size_t>(bin)] += 1;
    total += 1;
  }
  auto mean_probability = [&](double intercept) {
    double sum = 0;
    for (int bin = 0; bin < kBins; ++bin) {
      if (counts[static_cast<size_t>(bin)] == 0) continue;
      double centre = low_value + (bin + 0.5) * width;
      sum += counts[static_cast<size_t>(bin)] * ZeroProbability(intercept, slope, centre);
    }
    return sum / total;
  };
  double low = -60;
  double high = 60;
  for (int iteration = 0; iteration < 100; ++iteration) {
    double middle = 0.5 * (low + high);
    if (mean_probability(middle) < target) {
      low = middle;
    } else {
      high = middle;
    }
  }
  return 0.5 * (low + high);
}

// Text column whose levels are in order of first appearance, from country
// indices per row.
Column CountryColumn(const std::string& name, const std::vector<int32_t>& country_of_row,
                     const std::vector<std::string>& country_names) {
  Column column;
  column.name = name;
  column.type = ColumnType::kString;
  column.codes.resize(country_of_row.size());
  std::vector<int32_t> code_of_country(country_names.size(), -1);
  for (size_t row_idx = 0; row_idx < country_of_row.size(); ++row_idx) {
    int32_t& code = code_of_country[static_cast<size_t>(country_of_row[row_idx])];
    if (code < 0) {
      code = static_cast<int32_t>(column.levels.size());
      column.levels.push_back(country_names[static_cast<size_t>(country_of_row[row_idx])]);
    }
    column.codes[row_idx] = code;
  }
  return column;
}

}  // namespace

Table Synthesize(const SynthOptions& options) {
  Validate(options);
  const int num_countries = std::max(options.exporters, options.importers);
  const int num_years = options.years;
  const auto countries = static_cast<size_t>(num_countries);
  Random random(options.seed);

  std::vector<std::string> names(countries);
  int digits = std::max(3, static_cast<int>(std::to_string(num_countries).size()));
  for (size_t country = 0; country < countries; ++country) {
    names[country] = options.names.empty() ? fmt::format("C{:0{}}", country + 1, digits)
                                           : options.names[country];
  }

  // Geography: countries at random points of a 10,000 km square.
  constexpr double kWorldSideKm = 10000.0;
  std::vector<double> coord_x(countries);
  std::vector<double> coord_y(countries);
  for (size_t country = 0; country < countries; ++country) {
    coord_x[country] = kWorldSideKm * random.Uniform();
    coord_y[country] = kWorldSideKm * random.Uniform();
  }
  std::vector<double> distance(countries * countries);
  for (size_t origin = 0; origin < countries; ++origin) {
    for (size_t destination = 0; destination < countries; ++destination) {
      double dx = coord_x[origin] - coord_x[destination];
      double dy = coord_y[origin] - coord_y[destination];
      // A floor keeps two near-coincident points from getting log(0).
      distance[origin * countries + destination] = std::max(std::sqrt(dx * dx + dy * dy), 50.0);
    }
  }
  // Contiguity: each country borders its nearest neighbours (symmetrised).
  // Internal distance: a quarter of the distance to the nearest neighbour.
  constexpr size_t kNeighbours = 3;
  std::vector<uint8_t> contiguous(countries * countries, 0);
  std::vector<double> internal_distance(countries, 10.0);
  std::vector<size_t> order(countries);
  for (size_t origin = 0; origin < countries; ++origin) {
    for (size_t country = 0; country < countries; ++country) order[country] = country;
    std::sort(order.begin(), order.end(), [&](size_t left, size_t right) {
      return distance[origin * countries + left] < distance[origin * countries + right];
    });
    size_t rank = 0;  // 0 for the nearest other country
    for (size_t neighbour : order) {
      if (neighbour == origin) continue;
      if (rank == 0) {
        internal_distance[origin] = std::max(0.25 * distance[origin * countries + neighbour], 10.0);
      }
      if (rank == kNeighbours) break;
      contiguous[origin * countries + neighbour] = 1;
      contiguous[neighbour * countries + origin] = 1;
      ++rank;
    }
  }
  // Languages: eight groups of random size.
  constexpr int kLanguages = 8;
  std::vector<int> language(countries);
  for (size_t country = 0; country < countries; ++country) {
    language[country] = random.UniformInt(0, kLanguages - 1);
  }
  // Agreements: an unordered pair signs with a probability that falls with
  // distance, in a year spread over the panel and a quarter-span before it.
  // The agreement then holds for good; rta switches from 0 to 1 within pair.
  constexpr int kNever = std::numeric_limits<int>::max();
  std::vector<int> rta_start(countries * countries, kNever);
  const int last_year = options.first_year + num_years - 1;
  for (size_t origin = 0; origin < countries; ++origin) {
    for (size_t destination = origin + 1; destination < countries; ++destination) {
      double km = distance[origin * countries + destination];
      bool signs = random.Bernoulli(0.05 + 0.45 * std::exp(-km / 2000.0));
      int start = random.UniformInt(options.first_year - num_years / 4, last_year);
      if (!signs) continue;
      rta_start[origin * countries + destination] = start;
      rta_start[destination * countries + origin] = start;
    }
  }

  // Exporter-year and importer-year effects: level + country trend + shock.
  // A country's exporter and importer levels are correlated (rho = 0.7), as
  // large economies both sell and buy much.
  const auto years = static_cast<size_t>(num_years);
  std::vector<double> exporter_effect(countries * years);
  std::vector<double> importer_effect(countries * years);
  const double mid_year = 0.5 * (num_years - 1);
  for (size_t country = 0; country < countries; ++country) {
    double z_exporter = random.Normal();
    double z_importer = 0.7 * z_exporter + std::sqrt(1.0 - 0.49) * random.Normal();
    double exporter_level = options.sd_exporter * z_exporter;
    double importer_level = options.sd_importer * z_importer;
    double exporter_trend = options.mean_trend + options.sd_trend * random.Normal();
    double importer_trend = options.mean_trend + options.sd_trend * random.Normal();
    for (size_t year_idx = 0; year_idx < years; ++year_idx) {
      double time = static_cast<double>(year_idx) - mid_year;
      exporter_effect[country * years + year_idx] =
          exporter_level + exporter_trend * time + options.sd_year_shock * random.Normal();
      importer_effect[country * years + year_idx] =
          importer_level + importer_trend * time + options.sd_year_shock * random.Normal();
    }
  }

  // Rows: pass 1 fills covariates and log mu.
  const auto num_exporters = static_cast<size_t>(options.exporters);
  const auto num_importers = static_cast<size_t>(options.importers);
  size_t num_pairs = 0;
  for (size_t origin = 0; origin < num_exporters; ++origin) {
    for (size_t destination = 0; destination < num_importers; ++destination) {
      num_pairs += origin != destination || options.include_domestic;
    }
  }
  const size_t num_rows = num_pairs * years;
  std::vector<int32_t> exporter_of_row(num_rows);
  std::vector<int32_t> importer_of_row(num_rows);
  std::vector<double> year(num_rows), trade(num_rows), dist(num_rows), ln_dist(num_rows);
  std::vector<double> contig(num_rows), lang(num_rows), rta(num_rows), pair_id(num_rows);
  std::vector<double> domestic(options.include_domestic ? num_rows : 0);
  std::vector<double> log_mu(num_rows);
  std::vector<uint8_t> can_be_zero(num_rows);
  const double pair_sd = options.sd_pair;
  size_t next_row = 0;
  size_t pair_number = 0;
  for (size_t origin = 0; origin < num_exporters; ++origin) {
    for (size_t destination = 0; destination < num_importers; ++destination) {
      bool is_domestic = origin == destination;
      if (is_domestic && !options.include_domestic) continue;
      ++pair_number;
      size_t pair = origin * countries + destination;
      double km = is_domestic ? internal_distance[origin] : distance[pair];
      double pair_contig = is_domestic ? 0.0 : contiguous[pair];
      double pair_lang = language[origin] == language[destination] ? 1.0 : 0.0;
      // Mean one in levels (E exp(N(-s^2/2, s^2)) = 1), so models without
      // pair effects stay correctly specified up to the constant.
      double pair_effect = -0.5 * pair_sd * pair_sd + pair_sd * random.Normal();
      double time_invariant = options.constant + options.beta_log_dist * std::log(km) +
                              options.beta_contig * pair_contig + options.beta_lang * pair_lang +
                              (is_domestic ? options.beta_domestic : 0.0) + pair_effect;
      for (size_t year_idx = 0; year_idx < years; ++year_idx, ++next_row) {
        const size_t row_idx = next_row;
        int calendar_year = options.first_year + static_cast<int>(year_idx);
        double in_rta = !is_domestic && calendar_year >= rta_start[pair] ? 1.0 : 0.0;
        exporter_of_row[row_idx] = static_cast<int32_t>(origin);
        importer_of_row[row_idx] = static_cast<int32_t>(destination);
        year[row_idx] = calendar_year;
        dist[row_idx] = km;
        ln_dist[row_idx] = std::log(km);
        contig[row_idx] = pair_contig;
        lang[row_idx] = pair_lang;
        rta[row_idx] = in_rta;
        pair_id[row_idx] = static_cast<double>(pair_number);
        if (options.include_domestic) domestic[row_idx] = is_domestic ? 1.0 : 0.0;
        log_mu[row_idx] = time_invariant + options.beta_rta * in_rta +
                          exporter_effect[origin * years + year_idx] +
                          importer_effect[destination * years + year_idx];
        can_be_zero[row_idx] = is_domestic ? 0 : 1;
      }
    }
  }

  // Pass 2: observed flows. With probability p the flow is zero, otherwise
  // mu / (1 - p) * G with G ~ Gamma(k, 1/k); so E[trade] = mu for every row,
  // whatever p is. p is logistic in log mu (small flows are zero more often),
  // with the intercept set so that the share of zeros hits the target.
  // Coefficients too large for the data (--beta-rta 1e300) overflow the
  // flows (a panel of inf would read back as text) and the centring below.
  for (size_t row_idx = 0; row_idx < num_rows; ++row_idx) {
    if (!(std::abs(log_mu[row_idx]) <= kMaxLogExpectedFlow)) {
      BadOption(
          fmt::format("the coefficients give an expected flow of exp({:g}) (row {}), "
                      "beyond exp({:g}): use smaller coefficients",
                      log_mu[row_idx], row_idx + 1, kMaxLogExpectedFlow));
    }
  }
  double mean_log_mu = 0;
  size_t international = 0;
  for (size_t row_idx = 0; row_idx < num_rows; ++row_idx) {
    if (can_be_zero[row_idx] == 0) continue;
    mean_log_mu += log_mu[row_idx];
    ++international;
  }
  mean_log_mu /= static_cast<double>(std::max<size_t>(international, 1));
  std::vector<double> centred(num_rows);
  for (size_t row_idx = 0; row_idx < num_rows; ++row_idx) {
    centred[row_idx] = log_mu[row_idx] - mean_log_mu;
  }
  double zero_target =
      international == 0
          ? 0.0
          : std::min(kMaxZeroProbability, options.share_zeros * static_cast<double>(num_rows) /
                                              static_cast<double>(international));
  double intercept =
      options.share_zeros > 0 && international > 0
          ? CalibrateZeroIntercept(centred, can_be_zero, options.zero_slope, zero_target)
          : 0.0;
  std::vector<double> mu(options.include_mu ? num_rows : 0);
  const double shape = options.gamma_shape;
  for (size_t row_idx = 0; row_idx < num_rows; ++row_idx) {
    double expected = std::exp(log_mu[row_idx]);
    if (options.include_mu) mu[row_idx] = expected;
    double p_zero = options.share_zeros > 0 && can_be_zero[row_idx] != 0
                        ? ZeroProbability(intercept, options.zero_slope, centred[row_idx])
                        : 0.0;
    // Both draws happen for every row so the stream does not depend on p.
    bool is_zero = random.Bernoulli(p_zero);
    double noise = random.Gamma(shape) / shape;
    trade[row_idx] = is_zero ? 0.0 : expected / (1.0 - p_zero) * noise;
  }

  Table table;
  table.source = fmt::format("synth(seed={})", options.seed);
  table.num_rows = num_rows;
  table.columns.push_back(CountryColumn("exporter", exporter_of_row, names));
  table.columns.push_back(CountryColumn("importer", importer_of_row, names));
  table.AddNumeric("year", std::move(year));
  table.AddNumeric("trade", std::move(trade));
  table.AddNumeric("dist", std::move(dist));
  table.AddNumeric("ln_dist", std::move(ln_dist));
  table.AddNumeric("contig", std::move(contig));
  table.AddNumeric("lang", std::move(lang));
  table.AddNumeric("rta", std::move(rta));
  table.AddNumeric("pair_id", std::move(pair_id));
  if (options.include_domestic) table.AddNumeric("domestic", std::move(domestic));
  if (options.include_mu) table.AddNumeric("mu", std::move(mu));
  return table;
}

Table SynthesizeSquareWorld(SynthOptions options) {
  int countries = std::max(options.exporters, options.importers);
  options.exporters = countries;
  options.importers = countries;
  options.include_domestic = true;
  return Synthesize(options);
}

}  // namespace mizani

// The data-generating processes of docs/synth.md: the first ("logistic")
// here, with the pieces both share; the second in synth_hurdle.cc.
#include "mizani/synth.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_set>

#include "data/synth_internal.h"
#include "mizani/error.h"

namespace mizani {
namespace {

using synth::Random;

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
  if (options.process == SynthProcess::kHurdle) {
    if (!(options.share_never >= 0 && options.share_never <= 0.8)) {
      BadOption(fmt::format("share of pairs that never trade must be between 0 and 0.8, got {}",
                            options.share_never));
    }
    if (!(options.share_zeros >= options.share_never)) {
      BadOption(fmt::format(
          "share of zeros ({}) must be at least the share of pairs that never trade ({})",
          options.share_zeros, options.share_never));
    }
  }
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

// The logistic intercept that makes the mean zero probability over the
// international flows equal `target`.
double CalibrateZeroIntercept(const std::vector<double>& centred_log_mu,
                              const std::vector<uint8_t>& can_be_zero, double slope,
                              double target) {
  return synth::CalibrateIntercept(
      centred_log_mu, can_be_zero,
      [slope](double intercept, double value) { return ZeroProbability(intercept, slope, value); },
      target);
}

}  // namespace

namespace synth {

std::vector<std::string> CountryNames(const SynthOptions& options) {
  const int num_countries = std::max(options.exporters, options.importers);
  const auto countries = static_cast<size_t>(num_countries);
  std::vector<std::string> names(countries);
  int digits = std::max(3, static_cast<int>(std::to_string(num_countries).size()));
  for (size_t country = 0; country < countries; ++country) {
    names[country] = options.names.empty() ? fmt::format("C{:0{}}", country + 1, digits)
                                           : options.names[country];
  }
  return names;
}

Geography BuildGeography(const std::vector<double>& coord_x, const std::vector<double>& coord_y,
                         const SynthOptions& options, Random& random) {
  const size_t countries = coord_x.size();
  const int num_years = options.years;
  Geography geography;
  std::vector<double>& distance = geography.distance;
  distance.resize(countries * countries);
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
  std::vector<uint8_t>& contiguous = geography.contiguous;
  contiguous.assign(countries * countries, 0);
  std::vector<double>& internal_distance = geography.internal_distance;
  internal_distance.assign(countries, 10.0);
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
  // Agreements: an unordered pair signs with a probability that falls with
  // distance, in a year spread over the panel and a quarter-span before it.
  // The agreement then holds for good; rta switches from 0 to 1 within pair.
  std::vector<int>& rta_start = geography.rta_start;
  rta_start.assign(countries * countries, kNeverSigned);
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

  return geography;
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

Panel BuildPanel(const SynthOptions& options, const Geography& geography,
                 const std::vector<int>& language) {
  const size_t countries = language.size();
  const auto years = static_cast<size_t>(options.years);
  const auto num_exporters = static_cast<size_t>(options.exporters);
  const auto num_importers = static_cast<size_t>(options.importers);
  Panel panel;
  for (size_t origin = 0; origin < num_exporters; ++origin) {
    for (size_t destination = 0; destination < num_importers; ++destination) {
      panel.num_pairs += origin != destination || options.include_domestic;
    }
  }
  const size_t num_rows = panel.num_pairs * years;
  panel.num_rows = num_rows;
  panel.exporter_of_row.resize(num_rows);
  panel.importer_of_row.resize(num_rows);
  for (auto* column : {&panel.year, &panel.dist, &panel.ln_dist, &panel.contig, &panel.lang,
                       &panel.rta, &panel.pair_id}) {
    column->resize(num_rows);
  }
  if (options.include_domestic) panel.domestic.resize(num_rows);
  size_t row_idx = 0;
  size_t pair_number = 0;
  for (size_t origin = 0; origin < num_exporters; ++origin) {
    for (size_t destination = 0; destination < num_importers; ++destination) {
      const bool is_domestic = origin == destination;
      if (is_domestic && !options.include_domestic) continue;
      ++pair_number;
      const size_t pair = origin * countries + destination;
      const double km =
          is_domestic ? geography.internal_distance[origin] : geography.distance[pair];
      const double pair_contig = is_domestic ? 0.0 : geography.contiguous[pair];
      const double pair_lang = language[origin] == language[destination] ? 1.0 : 0.0;
      for (size_t year_idx = 0; year_idx < years; ++year_idx, ++row_idx) {
        const int calendar_year = options.first_year + static_cast<int>(year_idx);
        panel.exporter_of_row[row_idx] = static_cast<int32_t>(origin);
        panel.importer_of_row[row_idx] = static_cast<int32_t>(destination);
        panel.year[row_idx] = calendar_year;
        panel.dist[row_idx] = km;
        panel.ln_dist[row_idx] = std::log(km);
        panel.contig[row_idx] = pair_contig;
        panel.lang[row_idx] = pair_lang;
        panel.rta[row_idx] = !is_domestic && calendar_year >= geography.rta_start[pair] ? 1.0 : 0.0;
        panel.pair_id[row_idx] = static_cast<double>(pair_number);
        if (options.include_domestic) panel.domestic[row_idx] = is_domestic ? 1.0 : 0.0;
      }
    }
  }
  return panel;
}

Table AssembleTable(const SynthOptions& options, Panel panel, std::vector<double> trade,
                    std::vector<double> mu) {
  const std::vector<std::string> names = CountryNames(options);
  Table table;
  table.source = fmt::format("synth(seed={})", options.seed);
  table.num_rows = panel.num_rows;
  table.columns.push_back(CountryColumn("exporter", panel.exporter_of_row, names));
  table.columns.push_back(CountryColumn("importer", panel.importer_of_row, names));
  table.AddNumeric("year", std::move(panel.year));
  table.AddNumeric("trade", std::move(trade));
  table.AddNumeric("dist", std::move(panel.dist));
  table.AddNumeric("ln_dist", std::move(panel.ln_dist));
  table.AddNumeric("contig", std::move(panel.contig));
  table.AddNumeric("lang", std::move(panel.lang));
  table.AddNumeric("rta", std::move(panel.rta));
  table.AddNumeric("pair_id", std::move(panel.pair_id));
  if (options.include_domestic) table.AddNumeric("domestic", std::move(panel.domestic));
  if (options.include_mu) table.AddNumeric("mu", std::move(mu));
  return table;
}

}  // namespace synth

Table Synthesize(const SynthOptions& options) {
  Validate(options);
  if (options.process == SynthProcess::kHurdle) return synth::SynthesizeHurdle(options);
  const int num_countries = std::max(options.exporters, options.importers);
  const int num_years = options.years;
  const auto countries = static_cast<size_t>(num_countries);
  Random random(options.seed);

  // Geography: countries at random points of a 10,000 km square.
  constexpr double kWorldSideKm = 10000.0;
  std::vector<double> coord_x(countries);
  std::vector<double> coord_y(countries);
  for (size_t country = 0; country < countries; ++country) {
    coord_x[country] = kWorldSideKm * random.Uniform();
    coord_y[country] = kWorldSideKm * random.Uniform();
  }
  // Languages: eight groups of random size.
  std::vector<int> language(countries);
  for (size_t country = 0; country < countries; ++country) {
    language[country] = random.UniformInt(0, synth::kLanguages - 1);
  }
  const synth::Geography geography = synth::BuildGeography(coord_x, coord_y, options, random);

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

  // Pair effects, one draw per directed pair in row order.
  synth::Panel panel_rows = synth::BuildPanel(options, geography, language);
  const double pair_sd = options.sd_pair;
  std::vector<double> pair_effect(panel_rows.num_pairs);
  for (double& effect : pair_effect) {
    // Mean one in levels (E exp(N(-s^2/2, s^2)) = 1), so models without
    // pair effects stay correctly specified up to the constant.
    effect = -0.5 * pair_sd * pair_sd + pair_sd * random.Normal();
  }
  // Pass 1: log mu.
  const size_t num_rows = panel_rows.num_rows;
  std::vector<double> log_mu(num_rows);
  std::vector<uint8_t> can_be_zero(num_rows);
  for (size_t row_idx = 0; row_idx < num_rows; ++row_idx) {
    const auto origin = static_cast<size_t>(panel_rows.exporter_of_row[row_idx]);
    const auto destination = static_cast<size_t>(panel_rows.importer_of_row[row_idx]);
    const bool is_domestic = origin == destination;
    const auto year_idx = static_cast<size_t>(panel_rows.year[row_idx] - options.first_year);
    const double time_invariant =
        options.constant + options.beta_log_dist * panel_rows.ln_dist[row_idx] +
        options.beta_contig * panel_rows.contig[row_idx] +
        options.beta_lang * panel_rows.lang[row_idx] + (is_domestic ? options.beta_domestic : 0.0) +
        pair_effect[static_cast<size_t>(panel_rows.pair_id[row_idx]) - 1];
    log_mu[row_idx] = time_invariant + options.beta_rta * panel_rows.rta[row_idx] +
                      exporter_effect[origin * years + year_idx] +
                      importer_effect[destination * years + year_idx];
    can_be_zero[row_idx] = is_domestic ? 0 : 1;
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
  std::vector<double> trade(num_rows);
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

  return synth::AssembleTable(options, std::move(panel_rows), std::move(trade), std::move(mu));
}

Table SynthesizeSquareWorld(SynthOptions options) {
  int countries = std::max(options.exporters, options.importers);
  options.exporters = countries;
  options.importers = countries;
  options.include_domestic = true;
  return Synthesize(options);
}

}  // namespace mizani

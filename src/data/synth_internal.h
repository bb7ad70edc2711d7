// Pieces shared by the data-generating processes of `mizani synth`
// (docs/synth.md): the random stream, the geography built from country
// positions, and the text columns of country names.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "mizani/synth.h"
#include "mizani/table.h"

namespace mizani::synth {

// All random numbers come from one std::mt19937_64 (whose output sequence
// the C++ standard fixes) through hand-written transforms, because
// std::normal_distribution and friends differ between standard libraries
// and the panels must be the same everywhere.
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

inline constexpr int kNeverSigned = INT32_MAX;
inline constexpr int kLanguages = 8;

// The intercept a in [-60, 60] at which the mean of probability(a, value)
// over the rows equals `target`; probability must rise with a.
// The rows are summarised by a 4096-bin histogram of their values, so the
// bisection costs nothing next to generating the panel.
// `weight` (0/1 mask or non-negative weights) weighs the rows in the mean.
template <typename Weight, typename Probability>
double CalibrateIntercept(const std::vector<double>& value_of_row,
                          const std::vector<Weight>& weight, Probability&& probability,
                          double target) {
  double low_value = INFINITY;
  double high_value = -INFINITY;
  for (size_t row_idx = 0; row_idx < value_of_row.size(); ++row_idx) {
    if (weight[row_idx] == 0) continue;
    low_value = std::min(low_value, value_of_row[row_idx]);
    high_value = std::max(high_value, value_of_row[row_idx]);
  }
  constexpr int kBins = 4096;
  std::vector<double> counts(kBins, 0.0);
  const double width = std::max((high_value - low_value) / kBins, 1e-12);
  double total = 0;
  for (size_t row_idx = 0; row_idx < value_of_row.size(); ++row_idx) {
    if (weight[row_idx] == 0) continue;
    const int bin =
        std::min(kBins - 1, static_cast<int>((value_of_row[row_idx] - low_value) / width));
    counts[static_cast<size_t>(bin)] += static_cast<double>(weight[row_idx]);
    total += static_cast<double>(weight[row_idx]);
  }
  auto mean_probability = [&](double intercept) {
    double sum = 0;
    for (int bin = 0; bin < kBins; ++bin) {
      if (counts[static_cast<size_t>(bin)] == 0) continue;
      const double centre = low_value + (bin + 0.5) * width;
      sum += counts[static_cast<size_t>(bin)] * probability(intercept, centre);
    }
    return sum / total;
  };
  double low = -60;
  double high = 60;
  for (int iteration = 0; iteration < 100; ++iteration) {
    const double middle = 0.5 * (low + high);
    if (mean_probability(middle) < target) {
      low = middle;
    } else {
      high = middle;
    }
  }
  return 0.5 * (low + high);
}

// Pair-level covariates of N countries, matrices row-major by (origin,
// destination).
struct Geography {
  std::vector<double> distance;           // km, floored at 50
  std::vector<uint8_t> contiguous;        // among the 3 nearest neighbours (symmetrised)
  std::vector<double> internal_distance;  // a quarter of the nearest neighbour's, >= 10 km
  std::vector<int> rta_start;             // first year in an agreement, kNeverSigned if none
};

// Distances and contiguity from the positions, then the agreements (random
// draws: one Bernoulli and one year per unordered pair, in a fixed order).
Geography BuildGeography(const std::vector<double>& coord_x, const std::vector<double>& coord_y,
                         const SynthOptions& options, Random& random);

// The rows of a panel (exporter, importer, year; exporters are the first
// options.exporters countries, importers the first options.importers) and
// their covariates, which involve no randomness.
struct Panel {
  size_t num_rows = 0;
  size_t num_pairs = 0;
  std::vector<int32_t> exporter_of_row, importer_of_row;
  std::vector<double> year, dist, ln_dist, contig, lang, rta, domestic;
  std::vector<double> pair_id;  // 1-based directed pair number
};
Panel BuildPanel(const SynthOptions& options, const Geography& geography,
                 const std::vector<int>& language);

// The `mizani synth` table: the panel's columns with `trade` (and `mu` when
// options.include_mu), in the documented order.
Table AssembleTable(const SynthOptions& options, Panel panel, std::vector<double> trade,
                    std::vector<double> mu);

// Text column whose levels are in order of first appearance, from country
// indices per row.
Column CountryColumn(const std::string& name, const std::vector<int32_t>& country_of_row,
                     const std::vector<std::string>& country_names);

// Country names: options.names or "C001", "C002", ...
std::vector<std::string> CountryNames(const SynthOptions& options);

// The second process of docs/synth.md ("hurdle"): structural multilateral
// resistances, pairs that never trade, zeros from a persistent hurdle.
Table SynthesizeHurdle(const SynthOptions& options);

}  // namespace mizani::synth

// Synthetic gravity panels with known true coefficients (`mizani synth`), for
// benchmarks, tests and demos. The data-generating process is documented in
// docs/synth.md; the key property is E[trade | covariates, effects] = mu
// exactly, so PPML is consistent for the coefficients below.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mizani/table.h"

namespace mizani {

// Which data-generating process (docs/synth.md). Both give
// E[trade | covariates, effects] = mu with the same true coefficients.
enum class SynthProcess {
  // Exporter-year and importer-year effects drawn directly; a flow is zero
  // with a logistic probability in log mu.
  kLogistic,
  // Countries on continents, structural multilateral resistances solved
  // from sizes and trade costs every year, a share of pairs that never
  // trade, and zeros from a persistent probit hurdle.
  kHurdle,
};

struct SynthOptions {
  SynthProcess process = SynthProcess::kLogistic;
  // Countries 0..max(exporters, importers)-1 form one set: exporters are the
  // first `exporters` of them and importers the first `importers`, so with
  // equal counts every country both exports and imports.
  int exporters = 250;
  int importers = 250;
  int years = 40;
  int first_year = 1980;
  // Target share of zero flows among all rows (domestic flows are never zero).
  double share_zeros = 0.35;
  // Adds exporter == importer rows (internal trade) and a `domestic` column.
  bool include_domestic = false;
  // Adds the true expected flow as column `mu` (tests, teaching).
  bool include_mu = false;
  uint64_t seed = 1;

  // True coefficients of log mu.
  double beta_log_dist = -0.8;
  double beta_contig = 0.5;
  double beta_lang = 0.3;
  double beta_rta = 0.25;
  double beta_domestic = 2.0;  // home bias, only with include_domestic
  double constant = 10.0;      // sets the scale of flows

  // Dispersion of the fixed effects (log scale).
  double sd_exporter = 1.0;    // exporter level
  double sd_importer = 1.0;    // importer level
  double sd_trend = 0.02;      // country growth rates around mean_trend
  double mean_trend = 0.03;    // average yearly growth of the effects
  double sd_year_shock = 0.1;  // country-year shocks
  double sd_pair = 0.5;        // pair effects (mean-one in levels)
  // Nonzero flows are mu / (1 - p) times a Gamma(shape, 1/shape) draw.
  double gamma_shape = 1.0;
  // How strongly zeros concentrate on small expected flows (0: equal odds).
  double zero_slope = 0.8;
  // kHurdle only: share of directed pairs that never trade (all their years
  // are zero; counted in share_zeros, which must be at least this large).
  double share_never = 0.15;

  // Country codes; default "C001", "C002", ... Must hold at least
  // max(exporters, importers) distinct names when given.
  std::vector<std::string> names;
};

// Columns: exporter, importer (text), year, trade, dist (km), ln_dist,
// contig, lang, rta (time-varying), pair_id (directed pair, 1-based), then
// `domestic` and `mu` when asked for. Rows ordered by exporter, importer,
// year. Deterministic for a given seed. Throws Error(kUsage) for invalid
// options.
Table Synthesize(const SynthOptions& options);

// A square world for general-equilibrium demos: every country exports and
// imports (importers = exporters) and internal flows are included.
Table SynthesizeSquareWorld(SynthOptions options);

}  // namespace mizani

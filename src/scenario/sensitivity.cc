// The sigma sensitivity of every scenario: the same shocks solved again at
// other elasticities of substitution. Results scale strongly with sigma
// (roughly with 1/theta for real GDP), so a report should never rest on one
// value (docs/scenarios.md, "Elasticity uncertainty").
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "mizani/error.h"
#include "scenario/internal.h"

namespace mizani {

std::vector<double> SigmaGrid(const Scenario& scenario) {
  const double sigma = scenario.model.theta + 1;
  std::vector<double> grid = scenario.uncertainty.sigma_values;
  if (grid.empty()) {
    // sigma +- 1 and +- 2, the spread of common estimates around a central
    // value (Head & Mayer 2014 report a median near 5 with a wide range).
    for (const double step : {-2.0, -1.0, 1.0, 2.0}) {
      if (sigma + step > 1) grid.push_back(sigma + step);
    }
  }
  grid.push_back(sigma);
  std::sort(grid.begin(), grid.end());
  grid.erase(std::unique(grid.begin(), grid.end(),
                         [](double a, double b) { return std::abs(a - b) < 1e-12; }),
             grid.end());
  return grid;
}

SigmaSensitivity ComputeSigmaSensitivity(const Scenario& scenario, const GeModel& model,
                                         const Eigen::MatrixXd& flows,
                                         const std::vector<std::string>& codes,
                                         const Eigen::MatrixXd& partial_effects) {
  SigmaSensitivity sensitivity;
  sensitivity.sigmas = SigmaGrid(scenario);
  const auto num_countries = static_cast<Eigen::Index>(codes.size());
  const auto num_sigmas = static_cast<Eigen::Index>(sensitivity.sigmas.size());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  sensitivity.real_gdp_change_pct = Eigen::MatrixXd::Constant(num_countries, num_sigmas, nan);
  sensitivity.welfare_change_pct = sensitivity.real_gdp_change_pct;
  sensitivity.exports_change_pct = sensitivity.real_gdp_change_pct;
  for (Eigen::Index sigma_idx = 0; sigma_idx < num_sigmas; ++sigma_idx) {
    const double sigma = sensitivity.sigmas[sigma_idx];
    try {
      const GeResult ge = ModelAtSigma(model, flows, codes, sigma)->Solve(partial_effects);
      if (!ge.converged()) {
        sensitivity.failures.push_back(fmt::format("sigma = {}: {}", sigma, ge.message));
        continue;
      }
      sensitivity.real_gdp_change_pct.col(sigma_idx) = ge.countries.real_gdp_change_pct;
      sensitivity.welfare_change_pct.col(sigma_idx) = ge.countries.welfare_change_pct;
      sensitivity.exports_change_pct.col(sigma_idx) = ge.countries.exports_change_pct;
    } catch (const Error& error) {
      sensitivity.failures.push_back(fmt::format("sigma = {}: {}", sigma, error.what()));
    }
  }
  return sensitivity;
}

double DrawSigma(const UncertaintySpec& spec, double sigma, std::mt19937_64& rng) {
  if (!spec.sigma_values.empty()) {
    std::uniform_int_distribution<size_t> pick(0, spec.sigma_values.size() - 1);
    return spec.sigma_values[pick(rng)];
  }
  if (spec.sigma_sd > 0) {
    std::normal_distribution<double> normal(sigma, spec.sigma_sd);
    for (int attempt = 0; attempt < 1000; ++attempt) {
      const double draw = normal(rng);
      if (draw > 1) return draw;
    }
  }
  return sigma;
}

}  // namespace mizani

// Baselines shared by the GE tests and benchmark: random but reproducible
// gravity-shaped flow matrices with domestic flows and trade imbalances.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace mizani::testing {

// X_ij = s_i s_j / d_ij with log-normal sizes s, random positions on a plane
// for distance d, a home bias on the diagonal and log-normal noise that makes
// trade unbalanced. Some small international flows are zero (`zero_share`).
// A small `home_bias` gives very open economies, where the plain fixed point
// contracts slowly.
inline Eigen::MatrixXd RandomFlows(int num_countries, unsigned seed, double zero_share = 0.05,
                                   double home_bias = 30.0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Eigen::VectorXd size(num_countries), pos_x(num_countries), pos_y(num_countries);
  for (int country_idx = 0; country_idx < num_countries; ++country_idx) {
    size(country_idx) = std::exp(1.5 * normal(rng));
    pos_x(country_idx) = uniform(rng);
    pos_y(country_idx) = uniform(rng);
  }
  Eigen::MatrixXd flows(num_countries, num_countries);
  for (int importer_idx = 0; importer_idx < num_countries; ++importer_idx) {
    for (int exporter_idx = 0; exporter_idx < num_countries; ++exporter_idx) {
      const double noise = std::exp(0.5 * normal(rng));
      if (exporter_idx == importer_idx) {
        flows(exporter_idx, importer_idx) =
            home_bias * size(exporter_idx) * size(importer_idx) * noise;
        continue;
      }
      const double distance = 0.05 + std::hypot(pos_x(exporter_idx) - pos_x(importer_idx),
                                                pos_y(exporter_idx) - pos_y(importer_idx));
      const bool zero = uniform(rng) < zero_share;
      flows(exporter_idx, importer_idx) =
          zero ? 0.0 : size(exporter_idx) * size(importer_idx) * noise / distance;
    }
  }
  return 1000.0 * flows;
}

inline std::vector<std::string> IndexCodes(int num_countries) {
  std::vector<std::string> codes;
  for (int country_idx = 0; country_idx < num_countries; ++country_idx) {
    // Appending, not "C" + std::to_string(...): GCC 12 at -O3 raises a false
    // -Wrestrict on the latter (GCC bug 105329).
    std::string code = "C";
    code += std::to_string(country_idx);
    codes.push_back(std::move(code));
  }
  return codes;
}

// The first `count` countries form an agreement (an easy group to name).
inline std::vector<int> FirstCountries(int count) {
  std::vector<int> members;
  for (int country_idx = 0; country_idx < count; ++country_idx) members.push_back(country_idx);
  return members;
}

}  // namespace mizani::testing

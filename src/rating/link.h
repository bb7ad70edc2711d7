// The link functions of the ordered models (ordered.cc, random_effects.cc):
// distribution function, survival function, density and its slope.
#pragma once

#include <cmath>
#include <limits>
#include <numbers>

#include "mizani/rating.h"

namespace mizani::rating::internal {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

// Density and its derivative at z; the distribution function and its
// complement (for accurate differences in the upper tail).
struct LinkValues {
  double cdf;
  double survival;
  double pdf;
  double pdf_slope;
};

inline LinkValues Evaluate(Link link, double z) {
  if (std::isinf(z)) {
    return z > 0 ? LinkValues{1.0, 0.0, 0.0, 0.0} : LinkValues{0.0, 1.0, 0.0, 0.0};
  }
  if (link == Link::kProbit) {
    const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
    return {0.5 * std::erfc(-z / std::numbers::sqrt2), 0.5 * std::erfc(z / std::numbers::sqrt2),
            pdf, -z * pdf};
  }
  // Logistic: F = 1 / (1 + e^-z), f = F (1 - F), f' = f (1 - 2F).
  const double cdf = z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
  const double survival = z >= 0 ? std::exp(-z) / (1.0 + std::exp(-z)) : 1.0 / (1.0 + std::exp(z));
  const double pdf = cdf * survival;
  return {cdf, survival, pdf, pdf * (survival - cdf)};
}

// Probability of the interval (lower, upper].
inline double IntervalProbability(const LinkValues& upper, const LinkValues& lower,
                                  double lower_z) {
  return lower_z > 0 ? lower.survival - upper.survival : upper.cdf - lower.cdf;
}

}  // namespace mizani::rating::internal

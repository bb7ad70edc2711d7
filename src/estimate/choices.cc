// The name tables of the estimation choices (include/mizani/estimate.h),
// shared by the CLI and the scenario parser.
#include <array>
#include <span>

#include "mizani/estimate.h"

namespace mizani {

std::span<const NamedChoice<Family>> FamilyNames() {
  static constexpr std::array<NamedChoice<Family>, 4> kNames = {{
      {"ppml", Family::kPoisson},
      {"poisson", Family::kPoisson},
      {"ols", Family::kGaussian},
      {"gaussian", Family::kGaussian},
  }};
  return kNames;
}

std::span<const NamedChoice<VcovType>> VcovNames() {
  static constexpr std::array<NamedChoice<VcovType>, 4> kNames = {{
      {"iid", VcovType::kIid},
      {"hetero", VcovType::kHetero},
      {"robust", VcovType::kHetero},
      {"cluster", VcovType::kCluster},
  }};
  return kNames;
}

std::span<const NamedChoice<SmallSample>> SmallSampleNames() {
  static constexpr std::array<NamedChoice<SmallSample>, 3> kNames = {{
      {"stata", SmallSample::kStata},
      {"fixest", SmallSample::kFixest},
      {"none", SmallSample::kNone},
  }};
  return kNames;
}

VcovType DefaultVcov(bool has_cluster) {
  return has_cluster ? VcovType::kCluster : VcovType::kHetero;
}

}  // namespace mizani

// The name tables of the estimation choices (include/mizani/estimate.h),
// shared by the CLI, the scenario parser and the Python binding. The
// families' names come from their registry (family.cc).
#include <array>
#include <span>

#include "mizani/estimate.h"

namespace mizani {

std::span<const NamedChoice<VcovType>> VcovNames() {
  // HC1 and CRV1: the names of fixest and pyfixest for the same estimators.
  static constexpr std::array<NamedChoice<VcovType>, 6> kNames = {{
      {"iid", VcovType::kIid},
      {"hetero", VcovType::kHetero},
      {"robust", VcovType::kHetero},
      {"cluster", VcovType::kCluster},
      {"HC1", VcovType::kHetero},
      {"CRV1", VcovType::kCluster},
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

// The registry of estimator families (family.h): one row each. Adding a
// family is its file (family_<name>.cc) and one row in kFamilies (with its
// enumerator in Family); its names reach the command line, the scenario
// parser and the Python binding through FamilyNames.
#include "estimate/family.h"

#include <array>
#include <span>
#include <string>
#include <vector>

#include "mizani/error.h"
#include "mizani/estimate.h"

namespace mizani {

namespace {

using FamilyInstance = const estimate::EstimatorFamily& (*)();
constexpr std::array<FamilyInstance, 2> kFamilies = {
    &estimate::PoissonFamily,
    &estimate::GaussianFamily,
};

}  // namespace

const estimate::EstimatorFamily& estimate::FamilyOf(Family family) {
  for (FamilyInstance instance : kFamilies) {
    if (instance().id() == family) return instance();
  }
  throw Error(ErrorCode::kInternal,
              "estimator family " + std::to_string(static_cast<int>(family)) + " not registered");
}

// Each family's output name first ("ppml"), then its GLM name ("poisson").
std::span<const NamedChoice<Family>> FamilyNames() {
  static const std::vector<NamedChoice<Family>> kNames = [] {
    std::vector<NamedChoice<Family>> names;
    for (FamilyInstance instance : kFamilies) {
      names.push_back({instance().key(), instance().id()});
      names.push_back({instance().glm_name(), instance().id()});
    }
    return names;
  }();
  return kNames;
}

const char* FamilyKey(Family family) { return estimate::FamilyOf(family).key(); }
const char* FamilyGlmName(Family family) { return estimate::FamilyOf(family).glm_name(); }
const char* FamilyLabel(Family family) { return estimate::FamilyOf(family).label(); }

}  // namespace mizani

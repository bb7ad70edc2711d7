// Pieces shared by the two GE solvers (hat algebra in ge.cc, GEPPML in
// geppml.cc): how expenditure follows output, country labels in messages,
// and the validation of the partial-effect matrix.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "mizani/ge.h"

namespace mizani::ge_internal {

// How counterfactual expenditure E' follows output.
enum class ExpenditureRule { kFixed, kAdditive, kMultiplicative, kBalanced };

// kFixed in conditional GE; otherwise the imbalance mode's rule.
ExpenditureRule ExpenditureRuleFor(const GeOptions& options);

// "country 3 (KEN)", or "country 3" when the codes are bare indices.
std::string CountryLabel(const std::vector<std::string>& codes, int country_idx);

// Throws Error(kBadScenario) unless B is num_countries square, positive and finite.
void ValidatePartialEffects(const Eigen::MatrixXd& partial_effects, int num_countries,
                            const std::vector<std::string>& codes);

}  // namespace mizani::ge_internal

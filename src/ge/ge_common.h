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

// Factory-gate price, real GDP and welfare changes from the solution's log
// prices x, the inward-resistance changes and the new expenditure. In
// conditional GE (Y, E fixed by assumption) real GDP and welfare are NaN.
// Under kMultiplicative, welfare takes E'/E = phi Y'/(phi Y) = w_hat, i.e.
// the new expenditure without the world adding-up factor kappa
// (`expenditure_scale`), so that welfare equals real GDP as E = phi Y
// implies and as Stata ge_gravity defines it (docs/ge-solver.md, section 3).
void FillRealOutcomes(bool full_endowment, const Eigen::VectorXd& log_price,
                      const Eigen::ArrayXd& inward_hat, const Eigen::VectorXd& new_expenditure,
                      const Eigen::VectorXd& expenditure, ExpenditureRule rule,
                      double expenditure_scale, GeCountryResults& countries);

// The intra-group trade share of every configured group, before and after.
std::vector<GeGroupResult> GroupResults(const GeOptions& options,
                                        const Eigen::MatrixXd& baseline_flows,
                                        const Eigen::MatrixXd& new_flows);

}  // namespace mizani::ge_internal

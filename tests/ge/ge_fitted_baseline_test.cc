// Closed-form checks of the fitted-baseline GE (include/mizani/ge_fitted.h):
// when the observed flows are exactly the model's fitted values, the book's
// procedure and exact hat algebra from observed flows (ge.h) solve the same
// problem, so they must agree.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ge_fixtures.h"
#include "mizani/error.h"
#include "mizani/ge.h"
#include "mizani/ge_fitted.h"

namespace mizani {
namespace {

// t_ij^(1-sigma) from positions on a plane plus a border term; X_ij =
// s_i s_j t_ij, symmetric, so trade is balanced (Y = E) and the flows are the
// model's own fitted values for these costs.
struct ModelWorld {
  FittedGeInputs inputs;
  Eigen::MatrixXd partial_effects;  // t_CFL / t_BLN
};

ModelWorld MakeWorld(int num_countries, unsigned seed, bool balanced) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Eigen::VectorXd size(num_countries), pos_x(num_countries), pos_y(num_countries);
  Eigen::VectorXd spending(num_countries);
  for (int country_idx = 0; country_idx < num_countries; ++country_idx) {
    size(country_idx) = std::exp(normal(rng));
    spending(country_idx) =
        balanced ? size(country_idx) : size(country_idx) * std::exp(0.3 * normal(rng));
    pos_x(country_idx) = uniform(rng);
    pos_y(country_idx) = uniform(rng);
  }
  ModelWorld world;
  FittedGeInputs& inputs = world.inputs;
  inputs.baseline_costs.resize(num_countries, num_countries);
  inputs.counterfactual_costs.resize(num_countries, num_countries);
  inputs.flows.resize(num_countries, num_countries);
  for (int exporter_idx = 0; exporter_idx < num_countries; ++exporter_idx) {
    for (int importer_idx = 0; importer_idx < num_countries; ++importer_idx) {
      const double distance = 0.1 + std::hypot(pos_x(exporter_idx) - pos_x(importer_idx),
                                               pos_y(exporter_idx) - pos_y(importer_idx));
      const bool international = exporter_idx != importer_idx;
      const double geography = std::pow(distance, -0.8);
      inputs.baseline_costs(exporter_idx, importer_idx) =
          geography * (international ? std::exp(-1.5) : 1.0);
      // The counterfactual halves the border for the first three countries.
      const bool liberalised = international && exporter_idx < 3 && importer_idx < 3;
      inputs.counterfactual_costs(exporter_idx, importer_idx) =
          geography * (international ? std::exp(liberalised ? -0.75 : -1.5) : 1.0);
      inputs.flows(exporter_idx, importer_idx) = 100.0 * size(exporter_idx) *
                                                 spending(importer_idx) *
                                                 inputs.baseline_costs(exporter_idx, importer_idx);
    }
  }
  inputs.codes = testing::IndexCodes(num_countries);
  inputs.reference_country = num_countries - 1;
  inputs.sigma = 5;
  world.partial_effects = inputs.counterfactual_costs.cwiseQuotient(inputs.baseline_costs);
  return world;
}

// Exact hat algebra (ge.h) from the world's observed flows, each country's
// price relative to the reference country's (as the book's chi_ref = 0):
// what both tests compare the fitted-baseline procedure with.
GeResult HatAlgebraOnModelFlows(const ModelWorld& world, GeMode mode) {
  GeOptions options;
  options.mode = mode;
  options.normalization = Normalization::kReferencePrice;
  options.reference_country = world.inputs.reference_country;
  options.tolerance = 1e-13;
  return SolveGe(world.inputs.flows, world.inputs.codes, world.inputs.sigma - 1,
                 world.partial_effects, options);
}

// Conditional GE needs no balance: X = s_i e_j t_ij is the model's fit.
TEST(GeFittedBaseline, ConditionalEqualsHatAlgebraOnModelFlows) {
  const ModelWorld world = MakeWorld(9, 7, /*balanced=*/false);
  const FittedGeResult fitted = SolveFittedGe(world.inputs);
  ASSERT_TRUE(fitted.converged()) << fitted.message;
  // The fitted baseline reproduces the flows.
  EXPECT_LE(((fitted.fitted_baseline - world.inputs.flows).cwiseAbs().array() /
             world.inputs.flows.array())
                .maxCoeff(),
            1e-11);

  const GeResult observed = HatAlgebraOnModelFlows(world, GeMode::kConditional);
  ASSERT_TRUE(observed.converged()) << observed.message;
  const FittedGeEffects effects = FittedGePercentChanges(
      fitted, world.inputs.sigma, FittedGeDirection::kCounterfactualVsBaseline);
  for (int country_idx = 0; country_idx < 9; ++country_idx) {
    EXPECT_NEAR(effects.exports_conditional(country_idx),
                observed.countries.exports_change_pct(country_idx), 1e-8);
    // Inward resistance: P_hat with the reference country's P fixed in both.
    EXPECT_NEAR(effects.imr_conditional(country_idx),
                100 * (observed.countries.inward_resistance_hat(country_idx) - 1), 1e-8);
  }
  // The partial effect is the baseline scaled by B with nothing else moving.
  const Eigen::MatrixXd direct = world.inputs.flows.cwiseProduct(world.partial_effects);
  EXPECT_NEAR(fitted.exports_partial(0), direct.row(0).sum() - direct(0, 0),
              1e-9 * fitted.exports_partial(0));
}

// Full endowment with balanced trade (E = phi Y is then E = Y): the exact
// solution from the fitted baseline, written in the book's definitions,
// equals hat algebra from the observed flows (reference-country
// normalisation, as the book's chi_ref = 0).
TEST(GeFittedBaseline, ExactFullEndowmentEqualsHatAlgebraOnModelFlows) {
  const ModelWorld world = MakeWorld(9, 11, /*balanced=*/true);
  FittedGeOptions fitted_options;
  fitted_options.stopping = FittedGeStopping::kConverged;
  fitted_options.converged_tolerance = 1e-12;
  const FittedGeResult fitted = SolveFittedGe(world.inputs, fitted_options);
  ASSERT_TRUE(fitted.converged()) << fitted.message;

  const GeResult observed = HatAlgebraOnModelFlows(world, GeMode::kFullEndowment);
  ASSERT_TRUE(observed.converged()) << observed.message;
  const FittedGeEffects effects = FittedGePercentChanges(
      fitted, world.inputs.sigma, FittedGeDirection::kCounterfactualVsBaseline);
  for (int country_idx = 0; country_idx < 9; ++country_idx) {
    EXPECT_NEAR(fitted.factory_gate_price_hat(country_idx),
                observed.countries.factory_gate_price_hat(country_idx), 1e-9);
    EXPECT_NEAR(effects.real_gdp(country_idx), observed.countries.real_gdp_change_pct(country_idx),
                1e-7);
    EXPECT_NEAR(effects.imr_full(country_idx),
                100 * (observed.countries.inward_resistance_hat(country_idx) - 1), 1e-7);
    // Nominal exports under the reference normalisation.
    EXPECT_NEAR(fitted.exports_full(country_idx) / fitted.exports_baseline(country_idx),
                observed.countries.exports_after(country_idx) /
                    observed.countries.exports_before(country_idx),
                1e-9);
  }
  // The book's loop stops by its rule after a few re-estimations, near but
  // not at the solution (its prices within a few 1e-3 here).
  const FittedGeResult book = SolveFittedGe(world.inputs);
  ASSERT_TRUE(book.converged());
  EXPECT_LE(book.iterations, 10);
  const double gap =
      (book.factory_gate_price_hat - fitted.factory_gate_price_hat).cwiseAbs().maxCoeff();
  EXPECT_GT(gap, 1e-9);
  EXPECT_LT(gap, 0.05);
}

TEST(GeFittedBaseline, BadInputThrows) {
  ModelWorld world = MakeWorld(4, 3, true);
  FittedGeInputs inputs = world.inputs;
  inputs.sigma = 1;
  EXPECT_THROW(SolveFittedGe(inputs), Error);
  inputs = world.inputs;
  inputs.counterfactual_costs(1, 2) = 0;
  EXPECT_THROW(SolveFittedGe(inputs), Error);
  inputs = world.inputs;
  inputs.reference_country = 4;
  EXPECT_THROW(SolveFittedGe(inputs), Error);
  inputs = world.inputs;
  inputs.flows(2, 2) = 0;
  EXPECT_THROW(SolveFittedGe(inputs), Error);
}

}  // namespace
}  // namespace mizani

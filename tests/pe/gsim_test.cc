// GSIM: closed forms for one market, market clearing for several, the
// reduction to SMART with infinite export supply, and bad input.
#include <gtest/gtest.h>

#include <cmath>

#include "mizani/error.h"
#include "mizani/pe.h"

namespace mizani::pe {
namespace {

TEST(Gsim, OneMarketOneExporterClosedForm) {
  // X0 p^eta = M0 (p tau)^eps  =>  p = tau^(eps / (eta - eps)).
  GsimProduct product;
  product.product = "060390";
  product.importers = {"JPN"};
  product.exporters = {"KEN"};
  product.trade = {100};
  product.tariff0 = {0.25};
  product.tariff1 = {0.0};
  product.import_demand = {-2.0};
  product.substitution = 1.5;
  product.export_supply = {3.0};
  const GsimResult r = SolveGsim(product);
  ASSERT_TRUE(r.converged()) << r.message;
  const double tau = 1.0 / 1.25;
  const double price = std::pow(tau, -2.0 / (3.0 + 2.0));
  EXPECT_NEAR(r.world_price[0], price, 1e-10);
  const double quantity = 100 * std::pow(price, 3.0);
  EXPECT_NEAR(r.trade1[0], price * quantity, 1e-8);
  EXPECT_NEAR(r.revenue0[0], 25, 1e-12);
  EXPECT_NEAR(r.revenue1[0], 0, 1e-12);
  // PS = int_1^p X0 q^eta dq; CS = -int_1^P E0 q^eps dq with E0 = 125 and
  // the domestic price index P = p tau.
  EXPECT_NEAR(r.producer_surplus[0], 100 * (std::pow(price, 4.0) - 1) / 4.0, 1e-8);
  const double index = price * tau;
  EXPECT_NEAR(r.consumer_surplus[0], -125 * (std::pow(index, -1.0) - 1) / -1.0, 1e-8);
  EXPECT_LT(r.max_residual, 1e-12);
}

GsimProduct TwoByThree() {
  GsimProduct product;
  product.product = "090240";
  product.importers = {"JPN", "EGY"};
  product.exporters = {"KEN", "LKA", "IND"};
  product.trade = {5, 40, 30, 200, 20, 10};
  product.tariff0 = {0.12, 0.12, 0.015, 0.05, 0.05, 0.05};
  product.tariff1 = {0.0, 0.12, 0.015, 0.05, 0.05, 0.05};
  product.import_demand = {-1.2, -0.8};
  product.substitution = 4.0;
  product.export_supply = {1.5, 5.0, kInfinity};
  return product;
}

TEST(Gsim, MarketsClearAtTheSolvedWorldPrices) {
  const GsimProduct product = TwoByThree();
  const GsimResult r = SolveGsim(product);
  ASSERT_TRUE(r.converged()) << r.message;
  EXPECT_EQ(r.world_price[2], 1.0);  // infinite supply: price fixed
  for (size_t exp = 0; exp < 3; ++exp) {
    double supply0 = 0;
    double demand = 0;
    for (size_t imp = 0; imp < 2; ++imp) {
      supply0 += product.trade[imp * 3 + exp];
      demand += r.trade1[imp * 3 + exp] / r.world_price[exp];  // quantity
    }
    if (std::isinf(product.export_supply[exp])) continue;
    const double supply = supply0 * std::pow(r.world_price[exp], product.export_supply[exp]);
    EXPECT_NEAR(demand, supply, 1e-9 * supply0);
  }
  // Kenya's preference raises its price and sales; its rivals' prices fall.
  EXPECT_GT(r.world_price[0], 1);
  EXPECT_LT(r.world_price[1], 1);
  EXPECT_GT(r.trade1[0], product.trade[0]);
  EXPECT_GT(r.producer_surplus[0], 0);
}

TEST(Gsim, ReducesToSmartForOneMarketWithInfiniteSupply) {
  // Exact CES with infinite supply; SMART is its first-order expansion.
  double previous_gap = 0;
  for (const double cut : {0.04, 0.02, 0.01}) {
    GsimProduct product;
    product.importers = {"JPN"};
    product.exporters = {"KEN", "LKA"};
    product.trade = {100, 300};
    product.tariff0 = {0.10, 0.10};
    product.tariff1 = {0.10 - cut, 0.10};
    product.import_demand = {-1.3};
    product.substitution = 2.5;
    product.export_supply = {kInfinity, kInfinity};
    const GsimResult g = SolveGsim(product);
    // Closed form of the CES demand at fixed world prices.
    const double theta_ken = 100 * 1.10 / (400 * 1.10);
    const double d_ken = (1.10 - cut) / 1.10;
    const double index = std::pow(theta_ken * std::pow(d_ken, -1.5) + (1 - theta_ken), 1 / -1.5);
    EXPECT_NEAR(g.trade1[0], 100 * std::pow(d_ken / index, -2.5) * std::pow(index, -1.3), 1e-9);
    EXPECT_NEAR(g.trade1[1], 300 * std::pow(1 / index, -2.5) * std::pow(index, -1.3), 1e-9);

    SmartLine line;
    line.import_demand = {-1.3, ElasticitySource::kUser, ""};
    line.substitution = {2.5, ElasticitySource::kUser, ""};
    line.export_supply = {kInfinity, ElasticitySource::kUser, ""};
    line.flows = {{"KEN", 100, 0.10, 0.10 - cut, 0, 0}, {"LKA", 300, 0.10, 0.10, 0, 0}};
    const SmartLineResult s = SimulateSmartLine(line);
    // The market totals agree to first order. Per partner they do not, by
    // definition: SMART books all creation on the partner whose tariff
    // moved (Laird and Yeats), GSIM spreads the composite's expansion over
    // every variety (docs/pe.md).
    const double gsim_change = g.trade1[0] + g.trade1[1] - 400;
    const double gap = std::abs(s.total - gsim_change) / std::abs(gsim_change);
    EXPECT_LT(gap, 0.1);
    if (previous_gap > 0) {
      EXPECT_NEAR(previous_gap / gap, 2.0, 0.2);  // the gap is O(dt)
    }
    previous_gap = gap;
  }
}

TEST(Gsim, BadInputIsAnError) {
  GsimProduct product = TwoByThree();
  product.import_demand[1] = 0.5;
  try {
    SolveGsim(product);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadScenario);
    EXPECT_NE(std::string(e.what()).find("EGY"), std::string::npos);
  }
  product = TwoByThree();
  product.trade.pop_back();
  EXPECT_THROW(SolveGsim(product), Error);
  product = TwoByThree();
  product.tariff1[0] = -0.1;
  try {
    SolveGsim(product);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadData);
  }
}

}  // namespace
}  // namespace mizani::pe

// GSIM: closed forms for one market, market clearing for several, the
// reduction to SMART with infinite export supply, and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <variant>
#include <vector>

#include "mizani/error.h"
#include "mizani/pe.h"
#include "mizani/pe_scenario.h"

namespace mizani::pe {
namespace {

// Japan imports 100 of a flower line from Kenya alone at 25%, cut to 0;
// import demand -2, substitution 1.5, export supply 3.
GsimProduct OneMarketOneExporter() {
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
  return product;
}

TEST(Gsim, OneMarketOneExporterClosedForm) {
  // X0 p^eta = M0 (p tau)^eps  =>  p = tau^(eps / (eta - eps)).
  const GsimProduct product = OneMarketOneExporter();
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

// ---------------------------------------------------------------------------
// GSIM's four-region example (United States, Japan, European Union, rest of
// world): one product, import demand -1.25, export supply 1.5 and
// substitution 5 everywhere, the trade matrix and tariff powers below, and a
// US-EU free trade agreement (both tariffs to zero). The world price changes
// published for it are US +7.92%, JP -3.16%, EU +4.80%, RW -1.84%, as
// transcribed with the data in a public R replication of GSIM's "4x4 model"
// (docs/pe.md, "GSIM's worked example, reproduced", gives its address); GSIM
// solves the model linearised in percent changes, mizani by default in
// levels, and with `solution = linearised` as GSIM does.

constexpr int kRegions = 4;
// Exports of the row region to the column region (US, JP, EU, RW), world prices.
constexpr double kFlows[kRegions][kRegions] = {
    {0, 50, 200, 300}, {500, 0, 150, 200}, {300, 100, 200, 200}, {50, 100, 110, 20}};
// Tariff powers 1 + t of the column importer on the row exporter.
constexpr double kPowers[kRegions][kRegions] = {{1.00, 1.21, 1.41, 1.22},
                                                {1.37, 1.00, 1.31, 1.23},
                                                {1.32, 1.36, 1.00, 1.18},
                                                {1.57, 1.41, 1.25, 1.15}};
constexpr double kPublished[kRegions] = {0.0792, -0.0316, 0.0480, -0.0184};
constexpr int kUs = 0;
constexpr int kEu = 2;
// Half a unit in the published fourth decimal.
constexpr double kRounding = 5e-5;

// The relative tariff change of the agreement, (1 + t1) / (1 + t0) - 1.
double AgreementShock(int exporter, int importer) {
  const bool us_eu = (exporter == kUs && importer == kEu) || (exporter == kEu && importer == kUs);
  return us_eu ? 1.0 / kPowers[exporter][importer] - 1 : 0.0;
}

// The example as mizani's GSIM input, with the agreement's tariff change
// scaled by `scale` (1: the agreement itself).
GsimProduct FourRegions(double scale) {
  GsimProduct product;
  product.product = "example";
  product.importers = {"USA", "JPN", "EU", "ROW"};
  product.exporters = product.importers;
  for (int importer = 0; importer < kRegions; ++importer) {
    for (int exporter = 0; exporter < kRegions; ++exporter) {
      const double power = kPowers[exporter][importer];
      product.trade.push_back(kFlows[exporter][importer]);
      product.tariff0.push_back(power - 1);
      product.tariff1.push_back(power * (1 + scale * AgreementShock(exporter, importer)) - 1);
    }
  }
  product.import_demand.assign(kRegions, -1.25);
  product.substitution = 5;
  product.export_supply.assign(kRegions, 1.5);
  return product;
}

GsimOptions Linearised() {
  GsimOptions options;
  options.solution = GsimSolution::kLinearised;
  return options;
}

TEST(Gsim, FrancoisHallLinearisedExampleAsPublished) {
  const GsimResult r = SolveGsim(FourRegions(1.0), Linearised());
  ASSERT_TRUE(r.converged()) << r.message;
  EXPECT_EQ(r.solution, GsimSolution::kLinearised);
  EXPECT_LT(r.max_residual, 1e-14);
  for (int region = 0; region < kRegions; ++region) {
    EXPECT_NEAR(r.world_price[region] - 1, kPublished[region], kRounding) << region;
  }
  // Welfare by region, GSIM's formulas: a peer run (numpy, written from the R
  // replication's formulas for dCS, dPS and dRev, with its own solve of the
  // percent-change system) gave these; the replication prints no figures.
  const double cs[kRegions] = {110.5951967383, -8.8760517506, 68.5588536738, -32.8589422627};
  const double ps[kRegions] = {46.1359655488, -26.2403747313, 39.8246782420, -5.0731996165};
  const double revenue[kRegions] = {-138.5172424286, 0.6219206032, -93.8391858901, -2.8699143730};
  for (int region = 0; region < kRegions; ++region) {
    EXPECT_NEAR(r.consumer_surplus[region], cs[region], 1e-8) << region;
    EXPECT_NEAR(r.producer_surplus[region], ps[region], 1e-8) << region;
    EXPECT_NEAR(r.revenue1[region] - r.revenue0[region], revenue[region], 1e-8) << region;
  }
  // US imports from the EU after the agreement (the peer's M1).
  EXPECT_NEAR(r.trade1[kUs * kRegions + kEu], 518.2237664223, 1e-8);
}

#ifdef MIZANI_SOURCE_DIR
TEST(Gsim, TheExampleScenarioPrintsThePublishedFigures) {
  // examples/gsim_us_eu.toml: the same data through the scenario path (the
  // input table, [[change]] by importer and partner, [gsim] solution).
  const PeScenario scenario =
      LoadPeScenario(std::string(MIZANI_SOURCE_DIR) + "/examples/gsim_us_eu.toml", "");
  EXPECT_EQ(scenario.gsim.solution, GsimSolution::kLinearised);
  const PeRun run = RunPeScenario(scenario);
  ASSERT_EQ(run.gsim.size(), 1u);
  const GsimProductRun& product_run = run.gsim.front();
  ASSERT_TRUE(product_run.result.converged()) << product_run.result.message;
  EXPECT_EQ(product_run.result.solution, GsimSolution::kLinearised);
  // Exporters in code order: EUN, JPN, ROW, USA.
  const std::vector<std::string> order = {"EUN", "JPN", "ROW", "USA"};
  const int region_of[kRegions] = {kEu, 1, 3, kUs};
  ASSERT_EQ(product_run.product.exporters, order);
  for (int exp = 0; exp < kRegions; ++exp) {
    EXPECT_NEAR(product_run.result.world_price[exp] - 1, kPublished[region_of[exp]], kRounding)
        << order[exp];
  }
  // The report's solver table says which solution was used.
  const ReportDocument doc = BuildPeReport(scenario, run);
  bool named = false;
  for (const ReportSection& section : doc.sections) {
    for (const ReportBlock& block : section.blocks) {
      const auto* table = std::get_if<ReportTable>(&block);
      if (table == nullptr || table->name != "gsim_solver") continue;
      ASSERT_EQ(table->columns[1].name, "solution");
      named = std::get<std::string>(table->rows.front()[1]) == "linearised";
    }
  }
  EXPECT_TRUE(named);
}
#endif

TEST(Gsim, MizaniReproducesThePublishedExampleToFirstOrder) {
  // The levels solve's first-order response is the linearised one, so the
  // two solutions of mizani agree at the origin. Richardson's difference
  // 2 f(h/2) - f(h) of f(h) = (p(h) - 1) / h, the agreement scaled by h = 1%,
  // removes the second-order term (its remainder is below 1e-6 here).
  auto slope = [](double h) {
    const GsimResult r = SolveGsim(FourRegions(h));
    EXPECT_TRUE(r.converged()) << r.message;
    EXPECT_EQ(r.solution, GsimSolution::kLevels);
    std::vector<double> out;
    for (const double price : r.world_price) out.push_back((price - 1) / h);
    return out;
  };
  const std::vector<double> coarse = slope(0.01);
  const std::vector<double> fine = slope(0.005);
  const GsimResult linear = SolveGsim(FourRegions(1.0), Linearised());
  for (int r = 0; r < kRegions; ++r) {
    const double derivative = 2 * fine[r] - coarse[r];
    EXPECT_NEAR(derivative, kPublished[r], kRounding + 1e-6) << r;
    EXPECT_NEAR(derivative, linear.world_price[r] - 1, 1e-6) << r;
  }
}

TEST(Gsim, LinearisedPricesAreLinearInTheShock) {
  // The percent-change system is linear in dT: a tenth of the agreement moves
  // every world price by a tenth as much.
  const GsimResult full = SolveGsim(FourRegions(1.0), Linearised());
  const GsimResult tenth = SolveGsim(FourRegions(0.1), Linearised());
  for (int r = 0; r < kRegions; ++r) {
    EXPECT_NEAR(tenth.world_price[r] - 1, 0.1 * (full.world_price[r] - 1), 1e-14) << r;
  }
}

TEST(Gsim, TheFullAgreementInLevelsDiffersFromTheLinearisedFigures) {
  // The agreement itself cuts the US-EU tariffs by 24 to 29% with
  // substitution 5: the levels solution is far from the linear one (US +12.6%
  // against +7.92%). The figures below are an independent solve of the same
  // levels equations (SciPy's fsolve on market clearing in log prices,
  // residuals below 1e-15). docs/pe.md explains the gap.
  const GsimResult r = SolveGsim(FourRegions(1.0));
  ASSERT_TRUE(r.converged()) << r.message;
  const double peer[kRegions] = {0.12645993, -0.03229041, 0.07932931, -0.01732640};
  for (int region = 0; region < kRegions; ++region) {
    EXPECT_NEAR(r.world_price[region] - 1, peer[region], 1e-8) << region;
  }
  EXPECT_GT(r.world_price[kUs] - 1, kPublished[kUs] + 0.04);
  EXPECT_LT(r.max_residual, 1e-12);
}

// ---------------------------------------------------------------------------
// The linearised solution on closed forms.

TEST(Gsim, LinearisedOneMarketOneExporterClosedForm) {
  // m = eps (dT + x) and m = eta x  =>  x = eps dT / (eta - eps), the
  // first-order term of the levels closed form p = tau^(eps / (eta - eps)).
  // 25% -> 0, eps = -2, eta = 3: dT = -0.2, x = 0.08 exactly.
  const GsimProduct product = OneMarketOneExporter();
  const GsimResult r = SolveGsim(product, Linearised());
  ASSERT_TRUE(r.converged()) << r.message;
  const double x = 0.08;
  EXPECT_NEAR(r.world_price[0], 1 + x, 1e-14);
  // Quantity +24% (= eta x), valued at the new world price; revenue at 0%.
  EXPECT_NEAR(r.trade1[0], 100 * 1.24 * 1.08, 1e-10);
  EXPECT_NEAR(r.revenue1[0] - r.revenue0[0], -25, 1e-12);
  // PS = X0 x (1 + eta x / 2); the domestic price falls by
  // dP = 1.08 * 0.8 - 1 = -0.136, CS = 0.5 E0 dP^2 sign(dP) eps - E0 dP, E0 = 125.
  EXPECT_NEAR(r.producer_surplus[0], 100 * x * (1 + 1.5 * x), 1e-10);
  const double dp = 1.08 * 0.8 - 1;
  EXPECT_NEAR(r.price_index[0], 1 + dp, 1e-14);
  EXPECT_NEAR(r.consumer_surplus[0], 0.5 * 125 * dp * dp * -1 * -2.0 - 125 * dp, 1e-10);
}

TEST(Gsim, LinearisedOneMarketInfiniteSupplyIsSmartCreation) {
  // One market, every supplier infinitely elastic, an MFN cut (the same dT
  // for all): world prices stay at 1, nothing is diverted, and every
  // supplier's imports change by SMART's creation M eps dT.
  GsimProduct product;
  product.product = "090240";
  product.importers = {"JPN"};
  product.exporters = {"KEN", "LKA", "CHN"};
  product.trade = {100, 300, 50};
  product.tariff0 = {0.2, 0.2, 0.2};
  product.tariff1 = {0.1, 0.1, 0.1};
  product.import_demand = {-1.5};
  product.substitution = 4;
  product.export_supply.assign(3, kInfinity);
  const GsimResult r = SolveGsim(product, Linearised());
  ASSERT_TRUE(r.converged()) << r.message;
  const double shock = 1.1 / 1.2 - 1;
  SmartLine line;
  line.market = "JPN";
  line.product = "090240";
  line.import_demand = {-1.5, ElasticitySource::kUser, ""};
  line.substitution = {4, ElasticitySource::kUser, ""};
  line.export_supply = {kInfinity, ElasticitySource::kUser, ""};
  for (size_t exp = 0; exp < 3; ++exp) {
    line.flows.push_back({product.exporters[exp], product.trade[exp], 0.2, 0.1, 0, 0});
  }
  const SmartLineResult smart = SimulateSmartLine(line);
  for (size_t exp = 0; exp < 3; ++exp) {
    EXPECT_EQ(r.world_price[exp], 1.0);
    EXPECT_NEAR(r.trade1[exp] - product.trade[exp], product.trade[exp] * -1.5 * shock, 1e-10);
    EXPECT_NEAR(r.trade1[exp] - product.trade[exp], smart.flows[exp].creation, 1e-10);
    EXPECT_NEAR(smart.flows[exp].diversion, 0, 1e-12);
    EXPECT_EQ(r.producer_surplus[exp], 0.0);
  }
}

TEST(Gsim, LinearisedZeroShockChangesNothing) {
  const GsimResult r = SolveGsim(FourRegions(0.0), Linearised());
  ASSERT_TRUE(r.converged()) << r.message;
  const GsimProduct product = FourRegions(0.0);
  for (int region = 0; region < kRegions; ++region) {
    EXPECT_EQ(r.world_price[region], 1.0);
    EXPECT_EQ(r.consumer_surplus[region], 0.0);
    EXPECT_EQ(r.producer_surplus[region], 0.0);
    EXPECT_NEAR(r.revenue1[region], r.revenue0[region], 1e-12);
  }
  for (size_t pair = 0; pair < product.trade.size(); ++pair) {
    EXPECT_NEAR(r.trade1[pair], product.trade[pair], 1e-12) << pair;
  }
}

TEST(Gsim, LinearisedBadInputIsAnError) {
  // The same checks as the levels solve: a wrong-signed elasticity is exit 6.
  GsimProduct product = FourRegions(1.0);
  product.import_demand[1] = 0.5;
  try {
    SolveGsim(product, Linearised());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadScenario);
  }
}

}  // namespace
}  // namespace mizani::pe

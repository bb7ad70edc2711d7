// SMART identities and closed forms: creation (Jammes and Olarreaga 2005),
// zero-sum diversion capped by existing trade, the price effect vanishing
// with infinite export supply, revenue and welfare recomputed by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "mizani/error.h"
#include "mizani/pe.h"

namespace mizani::pe {
namespace {

SmartLine OneLine(double import_demand, double substitution, double export_supply) {
  SmartLine line;
  line.market = "JPN";
  line.product = "090240";
  line.import_demand = {import_demand, ElasticitySource::kUser, "test"};
  line.substitution = {substitution, ElasticitySource::kUser, "test"};
  line.export_supply = {export_supply, ElasticitySource::kUser, "test"};
  return line;
}

TEST(Smart, CreationRevenueWelfareOnePartnerByHand) {
  SmartLine line = OneLine(-1.5, 1.5, kInfinity);
  line.flows.push_back({"KEN", 100, 0.20, 0.10, 0, 0});
  const SmartLineResult r = SimulateSmartLine(line);
  // Creation: eps * M * dt / (1 + t0) = -1.5 * 100 * (-0.1 / 1.2) = 12.5.
  EXPECT_NEAR(r.creation, 12.5, 1e-12);
  EXPECT_NEAR(r.diversion, 0, 1e-12);
  EXPECT_EQ(r.price_effect, 0);
  EXPECT_NEAR(r.total, 12.5, 1e-12);
  EXPECT_NEAR(r.revenue0, 20, 1e-12);
  EXPECT_NEAR(r.revenue1, 0.10 * 112.5, 1e-12);
  // Net welfare of a small-country tariff cut: the Harberger triangle
  // (t0 - t1) dM / 2 plus the duty on the new imports t1 dM.
  EXPECT_NEAR(r.welfare, 0.5 * 0.1 * 12.5 + 0.1 * 12.5, 1e-12);
  EXPECT_NEAR(r.consumer_surplus, 0.1 * (100 + 112.5) / 2, 1e-12);
}

TEST(Smart, FiniteSupplyCreationAndPriceEffectClosedForm) {
  SmartLine line = OneLine(-1.5, 1.5, 2.0);
  line.flows.push_back({"KEN", 100, 0.20, 0.10, 0, 0});
  const SmartLineResult r = SimulateSmartLine(line);
  // J&O (2005): creation = eps_m M dt / ((1 + t0)(1 - eps_m / eps_x)).
  const double creation = -1.5 * 100 * (-0.1 / 1.2) / (1 + 1.5 / 2.0);
  EXPECT_NEAR(r.creation, creation, 1e-12);
  // World price on the supply curve X = X0 p^2.
  const double price = std::sqrt((100 + creation) / 100);
  EXPECT_NEAR(r.flows[0].world_price_change, price - 1, 1e-12);
  EXPECT_NEAR(r.price_effect, (price - 1) * (100 + creation), 1e-12);
  EXPECT_NEAR(r.total, r.creation + r.diversion + r.price_effect, 1e-12);
}

TEST(Smart, InfiniteSupplyGivesNoPriceEffectAndWitsDefaultAlmostNone) {
  SmartLine line = OneLine(-1.2, 1.5, kInfinity);
  line.flows.push_back({"KEN", 50, 0.12, 0.0, 0, 0});
  line.flows.push_back({"LKA", 400, 0.12, 0.12, 0, 0});
  line.flows.push_back({"IND", 300, 0.12, 0.015, 0, 0});
  const SmartLineResult infinite = SimulateSmartLine(line);
  EXPECT_EQ(infinite.price_effect, 0);
  for (const SmartFlowResult& flow : infinite.flows) EXPECT_EQ(flow.world_price_change, 0);
  line.export_supply.value = kWitsExportSupplyElasticity;
  const SmartLineResult wits = SimulateSmartLine(line);
  EXPECT_GT(std::abs(wits.price_effect), 0);
  // eps_x = 99 scales creation by 1 / (1 + 1.2 / 99).
  EXPECT_NEAR(wits.creation, infinite.creation / (1 + 1.2 / 99), 1e-9);
}

TEST(Smart, DiversionSumsToZeroAndNeverExceedsExistingTrade) {
  std::mt19937 rng(15);
  std::uniform_real_distribution<double> trade(0, 1000);
  std::uniform_real_distribution<double> rate(0, 0.5);
  for (const double sigma : {0.5, 1.5, 5.0, 50.0}) {
    for (int rep = 0; rep < 50; ++rep) {
      SmartLine line = OneLine(-1.0, sigma, kInfinity);
      for (int partner = 0; partner < 12; ++partner) {
        const double t0 = rate(rng);
        // Partners 0-2 get preferences, the others keep their rate.
        const char name[3] = {'P', static_cast<char>('A' + partner), '\0'};
        line.flows.push_back({name, trade(rng), t0, partner < 3 ? 0.0 : t0, 0, 0});
      }
      const SmartLineResult r = SimulateSmartLine(line);
      double sum = 0;
      for (const SmartFlowResult& flow : r.flows) {
        sum += flow.diversion;
        EXPECT_GE(flow.diversion, -flow.trade0 - 1e-9);
        EXPECT_GE(flow.trade1, -1e-9);
      }
      EXPECT_NEAR(sum, 0, 1e-9 * r.trade0);
    }
  }
}

TEST(Smart, DiversionFirstOrderIsJammesOlarreagaLinearFormula) {
  // Preferred partner c: TD_c ~ sigma * M_c * M_rest / M * (-dt/(1+t0)).
  double previous_gap = 0;
  for (const double cut : {0.02, 0.01, 0.005}) {
    SmartLine line = OneLine(-1.0, 3.0, kInfinity);
    line.flows.push_back({"KEN", 100, 0.10, 0.10 - cut, 0, 0});
    line.flows.push_back({"LKA", 300, 0.10, 0.10, 0, 0});
    const SmartLineResult r = SimulateSmartLine(line);
    const double linear = 3.0 * 100 * 300 / 400 * (cut / 1.10);
    const double gap = std::abs(r.flows[0].diversion - linear) / linear;
    EXPECT_LT(gap, 0.05);
    if (previous_gap > 0) {
      EXPECT_NEAR(previous_gap / gap, 2.0, 0.1);  // O(dt) error
    }
    previous_gap = gap;
  }
}

TEST(Smart, MfnChangeDivertsNothing) {
  SmartLine line = OneLine(-0.8, 4.0, kInfinity);
  line.flows.push_back({"KEN", 10, 0.05, 0.0, 0, 0});
  line.flows.push_back({"CHN", 90, 0.05, 0.0, 0, 0});
  const SmartLineResult r = SimulateSmartLine(line);
  for (const SmartFlowResult& flow : r.flows) EXPECT_NEAR(flow.diversion, 0, 1e-12);
  EXPECT_NEAR(r.creation, -0.8 * 100 * (1 / 1.05 - 1), 1e-12);
}

TEST(Smart, NtbEquivalentMovesTradeButEarnsNoRevenue) {
  SmartLine line = OneLine(-1.0, 1.5, kInfinity);
  line.flows.push_back({"KEN", 100, 0.0, 0.0, 0.25, 0.0});
  const SmartLineResult r = SimulateSmartLine(line);
  EXPECT_NEAR(r.creation, -1.0 * 100 * (1 / 1.25 - 1), 1e-12);
  EXPECT_EQ(r.revenue0, 0);
  EXPECT_EQ(r.revenue1, 0);
  EXPECT_NEAR(r.welfare, 0.25 * (100 + 100 + r.creation) / 2, 1e-12);
}

TEST(Smart, SensitivityRangeScalesWithTheElasticities) {
  SmartLine line = OneLine(-1.5, 1.5, kInfinity);
  line.flows.push_back({"KEN", 100, 0.20, 0.10, 0, 0});
  const SmartResult r = RunSmart(std::span<const SmartLine>(&line, 1), {0.5, 2.0});
  ASSERT_EQ(r.lines.size(), 1u);
  // One partner: total = creation, linear in eps_m.
  EXPECT_NEAR(r.lines[0].total_low, 0.5 * 12.5, 1e-12);
  EXPECT_NEAR(r.lines[0].total_high, 2.0 * 12.5, 1e-12);
}

TEST(Smart, ExporterViewAttributesDiversionToLosers) {
  SmartLine line = OneLine(-1.0, 2.0, kInfinity);
  line.flows.push_back({"KEN", 10, 0.2, 0.0, 0, 0});
  line.flows.push_back({"LKA", 60, 0.2, 0.2, 0, 0});
  line.flows.push_back({"IND", 30, 0.2, 0.2, 0, 0});
  const SmartResult r = RunSmart(std::span<const SmartLine>(&line, 1));
  const std::vector<PartnerSummary> partners = SummarizeByPartner(r);
  ASSERT_EQ(partners.size(), 3u);
  EXPECT_EQ(partners[0].partner, "KEN");
  double from = 0;
  for (const auto& [loser, value] : partners[0].diversion_from) from += value;
  EXPECT_NEAR(from, partners[0].diversion, 1e-12);
  // LKA and IND face the same price change: they lose in proportion 60:30.
  EXPECT_NEAR(partners[0].diversion_from.at("LKA"), 2 * partners[0].diversion_from.at("IND"),
              1e-12);
}

TEST(Smart, WrongSignsAndNegativeValuesAreErrors) {
  SmartLine line = OneLine(1.5, 1.5, kInfinity);
  line.flows.push_back({"KEN", 100, 0.2, 0.1, 0, 0});
  try {
    SimulateSmartLine(line);
    FAIL() << "positive import demand elasticity accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadScenario);
    EXPECT_NE(std::string(e.what()).find("wrong sign"), std::string::npos);
  }
  line = OneLine(-1.5, -1.0, kInfinity);
  line.flows.push_back({"KEN", 100, 0.2, 0.1, 0, 0});
  EXPECT_THROW(SimulateSmartLine(line), Error);
  line = OneLine(-1.5, 1.5, kInfinity);
  line.flows.push_back({"KEN", -1, 0.2, 0.1, 0, 0});
  try {
    SimulateSmartLine(line);
    FAIL() << "negative trade accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadData);
    EXPECT_NE(std::string(e.what()).find("partner KEN"), std::string::npos);
  }
  line.flows[0] = {"KEN", 1, -0.2, 0.1, 0, 0};
  EXPECT_THROW(SimulateSmartLine(line), Error);
}

TEST(Smart, ZeroBaselineIsFlaggedAndGetsNothing) {
  SmartLine line = OneLine(-1.5, 1.5, kInfinity);
  line.flows.push_back({"KEN", 0, 0.2, 0.0, 0.3, 0.0});
  line.flows.push_back({"MEX", 100, 0.0, 0.0, 0, 0});
  const SmartLineResult r = SimulateSmartLine(line);
  EXPECT_TRUE(r.flows[0].zero_baseline);
  EXPECT_EQ(r.flows[0].total, 0);
  EXPECT_EQ(r.flows[1].total, 0);
}

}  // namespace
}  // namespace mizani::pe

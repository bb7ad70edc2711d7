// Checks of a `mizani demo` run against model identities and hand-computed
// partial effects, shared by the synthetic (unit) and real-data tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "mizani/ge.h"
#include "mizani/scenario.h"
#include "ticad9/demo.h"

namespace mizani::testing {

inline int CodeIndex(const ScenarioOutcome& outcome, const std::string& code) {
  const auto found = std::find(outcome.codes.begin(), outcome.codes.end(), code);
  EXPECT_NE(found, outcome.codes.end()) << code;
  return static_cast<int>(found - outcome.codes.begin());
}

inline const DemoScenario& Item(const DemoRun& run, const std::string& key) {
  for (const DemoScenario& item : run.scenarios) {
    if (item.key == key) return item;
  }
  ADD_FAILURE() << "no scenario " << key;
  return run.scenarios.front();
}

// Identities every full-endowment solution with multiplicative imbalances
// satisfies, recomputed from the returned flows.
inline void ExpectIdentities(const ScenarioOutcome& outcome, const std::string& label) {
  SCOPED_TRACE(label);
  const GeResult& ge = outcome.ge;
  const GeCountryResults& countries = ge.countries;
  const double theta = outcome.theta;
  ASSERT_TRUE(ge.converged()) << ge.message;
  const int num_countries = static_cast<int>(outcome.codes.size());
  for (int country_idx = 0; country_idx < num_countries; ++country_idx) {
    // Market clearing: sales add up to output; purchases to expenditure.
    EXPECT_NEAR(ge.new_flows.row(country_idx).sum() / countries.output_after(country_idx), 1, 1e-8);
    EXPECT_NEAR(ge.new_flows.col(country_idx).sum() / countries.expenditure_after(country_idx), 1,
                1e-8);
    // Budget with multiplicative imbalances: E'_j = kappa (E_j / Y_j) Y'_j.
    const double phi =
        countries.expenditure_before(country_idx) / countries.output_before(country_idx);
    EXPECT_NEAR(countries.expenditure_after(country_idx) /
                    (ge.expenditure_scale * phi * countries.output_after(country_idx)),
                1, 1e-8);
    // Welfare = E_hat / P_hat with E = phi Y held, i.e. E_hat = w_hat: equal
    // to real GDP = w_hat / P_hat, as in Stata ge_gravity (kappa, the world
    // adding-up factor, is not a change in a country's spending rule).
    const double welfare_hat = 1 + countries.welfare_change_pct(country_idx) / 100;
    const double real_gdp_hat = 1 + countries.real_gdp_change_pct(country_idx) / 100;
    EXPECT_NEAR(welfare_hat / real_gdp_hat, 1.0, 1e-12);
    // ACR (Arkolakis, Costinot & Rodriguez-Clare 2012): with domestic trade
    // costs unchanged, real GDP hat = (own-trade share hat)^(-1/theta).
    const double own_share_hat =
        (ge.new_flows(country_idx, country_idx) / countries.expenditure_after(country_idx)) /
        (ge.baseline_flows(country_idx, country_idx) / countries.expenditure_before(country_idx));
    EXPECT_NEAR(real_gdp_hat, std::pow(own_share_hat, -1 / theta), 1e-7)
        << outcome.codes[country_idx];
  }
  // Group shares recomputed by hand from the new flows.
  for (const GeGroupResult& group : ge.groups) {
    double intra = 0, total = 0;
    for (int exporter_idx = 0; exporter_idx < num_countries; ++exporter_idx) {
      for (int importer_idx = 0; importer_idx < num_countries; ++importer_idx) {
        if (exporter_idx == importer_idx) continue;
        const bool from = std::count(group.members.begin(), group.members.end(), exporter_idx) > 0;
        const bool to = std::count(group.members.begin(), group.members.end(), importer_idx) > 0;
        const double flow = ge.new_flows(exporter_idx, importer_idx);
        if (from) total += flow;  // a member's export
        if (to) total += flow;    // a member's import
        if (from && to) intra += 2 * flow;
      }
    }
    EXPECT_NEAR(group.intra_share_after, intra / total, 1e-12) << group.name;
  }
}

// Partial effects by hand, and the relations between the runs.
inline void ExpectDemoChecks(const DemoRun& run) {
  ASSERT_EQ(run.scenarios.size(), 4u);
  for (const DemoScenario& item : run.scenarios) {
    ExpectIdentities(item.outcome, item.key);
    for (const DemoVariant& variant : item.variants) {
      ExpectIdentities(variant.outcome, item.key + " " + variant.label);
    }
  }
  // A: b = -theta ln((1 + t')/(1 + t)) for the tariff (2.47% -> 0) plus the
  // NTB (10% -> 0) on KEN->JPN only.
  const DemoScenario& a = Item(run, "A");
  const double theta = a.outcome.theta;
  EXPECT_DOUBLE_EQ(theta, 6);
  const int ken = CodeIndex(a.outcome, "KEN"), jpn = CodeIndex(a.outcome, "JPN");
  const double b_a = -theta * std::log(1 / 1.0247) - theta * std::log(1 / 1.10);
  EXPECT_NEAR(b_a, 0.7183, 5e-5);
  EXPECT_NEAR(a.outcome.partial_effects(ken, jpn), std::exp(b_a), 1e-12);
  EXPECT_EQ((a.outcome.partial_effects.array() != 1.0).count(), 1);
  ASSERT_EQ(a.variants.size(), 2u);
  EXPECT_NEAR(a.variants[0].outcome.partial_effects(ken, jpn),
              std::exp(-theta * std::log(1 / 1.0247) - theta * std::log(1 / 1.05)), 1e-12);
  // More NTB removed, more exports: low < central < high.
  EXPECT_LT(a.variants[0].outcome.ge.flow_change_pct(ken, jpn),
            a.outcome.ge.flow_change_pct(ken, jpn));
  EXPECT_LT(a.outcome.ge.flow_change_pct(ken, jpn),
            a.variants[1].outcome.ge.flow_change_pct(ken, jpn));
  EXPECT_GT(a.outcome.ge.countries.real_gdp_change_pct(ken), 0);

  // B: exp(RTA) on members' pairs without an agreement in force, 1 elsewhere.
  const DemoScenario& b = Item(run, "B");
  const double rta = b.outcome.coefficients.at("RTA");
  const auto& in_force = b.outcome.partial_effects;
  int shocked = 0;
  for (Eigen::Index exporter_idx = 0; exporter_idx < in_force.rows(); ++exporter_idx) {
    for (Eigen::Index importer_idx = 0; importer_idx < in_force.cols(); ++importer_idx) {
      const double value = in_force(exporter_idx, importer_idx);
      if (value != 1.0) {
        EXPECT_NEAR(value, std::exp(rta), 1e-12);
        ++shocked;
      }
    }
  }
  EXPECT_GT(shocked, 0);
  EXPECT_LE(shocked, 132);
  const GeGroupResult& afr = b.outcome.ge.groups.front();
  EXPECT_EQ(afr.name, "AFR");
  EXPECT_GT(afr.intra_share_after, afr.intra_share_before);
  const UncertaintyResult& u = b.outcome.uncertainty;
  EXPECT_EQ(u.replications, 50);
  EXPECT_GE(u.succeeded, 45);
  EXPECT_LT(u.groups.lower(0), u.groups.upper(0));

  // C: re-solving at the size found gives the 50% share.
  const DemoScenario& c = Item(run, "C");
  ASSERT_TRUE(c.outcome.goal.has_value());
  EXPECT_TRUE(c.outcome.goal->reached);
  EXPECT_NEAR(c.outcome.ge.groups.front().intra_share_after, 0.5, 1e-6);
  const Eigen::MatrixXd effects =
      BuildPartialEffects(c.scenario, c.outcome.codes, {}, ShockOverride{0, c.outcome.goal->value});
  GeOptions options;
  options.imbalance = ImbalanceMode::kMultiplicative;
  options.groups["AFR"] = c.outcome.ge.groups.front().members;
  const GeResult resolved =
      SolveGe(c.outcome.ge.baseline_flows, c.outcome.codes, theta, effects, options);
  EXPECT_NEAR(resolved.groups.front().intra_share_after, 0.5, 1e-6);
  EXPECT_NEAR(effects(CodeIndex(c.outcome, "KEN"), CodeIndex(c.outcome, "TZA")),
              std::pow(1 + c.outcome.goal->value / 100, -theta), 1e-12);

  // D: every pair with Kenya on either side, tau x 0.95: B = 0.95^-theta.
  const DemoScenario& d = Item(run, "D");
  const int ken_d = CodeIndex(d.outcome, "KEN");
  for (Eigen::Index partner = 0; partner < d.outcome.partial_effects.rows(); ++partner) {
    if (partner == ken_d) continue;
    EXPECT_NEAR(d.outcome.partial_effects(ken_d, partner), std::pow(0.95, -theta), 1e-12);
    EXPECT_NEAR(d.outcome.partial_effects(partner, ken_d), std::pow(0.95, -theta), 1e-12);
  }
  EXPECT_EQ((d.outcome.partial_effects.array() != 1.0).count(),
            2 * (d.outcome.partial_effects.rows() - 1));
  EXPECT_LT(d.variants[0].outcome.ge.countries.real_gdp_change_pct(ken_d),
            d.outcome.ge.countries.real_gdp_change_pct(ken_d));
  EXPECT_LT(d.outcome.ge.countries.real_gdp_change_pct(ken_d),
            d.variants[1].outcome.ge.countries.real_gdp_change_pct(ken_d));
}

}  // namespace mizani::testing

// The Advanced Guide's chapter-2 applications computed as the book does
// (include/mizani/ge_fitted.h): a fitted baseline from estimated trade costs,
// constrained PPML, Germany as reference, the do-files' full-endowment loop.
//  * NAFTA (application 2): every cell of Table 4 (pp. 116-117), transcribed
//    in tests/data/agtpa_table4.csv, at the printed two decimals.
//  * Trade without borders (application 1): the statements and figures of
//    pp. 103-110.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "agtpa_official.h"
#include "mizani/formula.h"
#include "mizani/ge_fitted.h"
#include "mizani/read.h"
#include "test_support.h"

namespace mizani {
namespace {

struct Table4Row {
  std::string country;
  std::vector<double> cells;  // the printed columns (1)-(7)
};

using test_data::OfficialResults;
using test_data::ReadCsvRows;

std::vector<Table4Row> ReadTable4() {
  std::vector<Table4Row> rows;
  for (const std::vector<std::string>& fields : ReadCsvRows("agtpa_table4.csv")) {
    Table4Row& row = rows.emplace_back();
    row.country = fields.at(0);
    for (size_t col_idx = 1; col_idx < fields.size(); ++col_idx) {
      row.cells.push_back(std::stod(fields[col_idx]));
    }
  }
  return rows;
}

// The value as printed with two decimals ("-0.00" printed as "0.00").
std::string Printed(double value) {
  std::string text = fmt::format("{:.2f}", value);
  return text == "-0.00" ? "0.00" : text;
}

struct Nafta {
  PanelCosts costs;
  FittedGeInputs inputs;
};

// The NAFTA application's panel (Chapter2Application2.dta): the columns the
// cost regressions read.
Table ReadNaftaPanel(const std::string& path) {
  ReadOptions read;
  read.columns = {"exporter", "importer", "year", "trade", "DIST", "CNTG", "LANG", "CLNY", "RTA"};
  return ReadTable(path, read);
}

// The book's panel years with 1994 as the baseline, converged tightly on one
// thread so that results are reproducible to the last digits.
PanelCostOptions NaftaPanelOptions() {
  PanelCostOptions options;
  options.years = {1986, 1990, 1994, 1998, 2002, 2006};
  options.baseline_year = 1994;
  options.estimate.tolerance = 1e-12;
  options.estimate.fe_tolerance = 1e-13;
  options.estimate.threads = 1;
  return options;
}

Nafta NaftaInputs(const std::string& path) {
  const Table table = ReadNaftaPanel(path);
  Nafta nafta;
  nafta.costs = EstimatePanelTradeCosts(table, NaftaPanelOptions());
  const std::vector<std::string>& codes = nafta.costs.codes;
  // Step II (p. 114): RTA switched off among CAN, MEX and USA.
  std::vector<Eigen::MatrixXd> no_nafta = nafta.costs.policy_values;
  const std::vector<std::string> members = {"CAN", "MEX", "USA"};
  for (const std::string& exporter : members) {
    for (const std::string& importer : members) {
      const auto exporter_idx = std::find(codes.begin(), codes.end(), exporter) - codes.begin();
      const auto importer_idx = std::find(codes.begin(), codes.end(), importer) - codes.begin();
      if (exporter_idx != importer_idx) no_nafta[0](exporter_idx, importer_idx) = 0;
    }
  }
  nafta.inputs.flows = nafta.costs.flows;
  nafta.inputs.baseline_costs = PanelTradeCosts(nafta.costs, nafta.costs.policy_values);
  nafta.inputs.counterfactual_costs = PanelTradeCosts(nafta.costs, no_nafta);
  nafta.inputs.codes = codes;
  nafta.inputs.reference_country = nafta.costs.reference_country;
  nafta.inputs.sigma = 7;
  return nafta;
}

TEST(GeFittedBaseline, NaftaTable4) {
  MIZANI_REQUIRE_SHARED(path, "agtpa_yotov2016/dta/Chapter2/Chapter2Application2.dta");
  const Nafta nafta = NaftaInputs(path);
  // Stage 1 (eq. 2-55, p. 112): 0.557 (0.0506), 28,482 observations.
  EXPECT_EQ(nafta.costs.panel.num_obs, 28482);
  EXPECT_EQ(Printed(nafta.costs.policy_coef(0)), "0.56");
  EXPECT_NEAR(nafta.costs.policy_coef(0), 0.557, 5e-4);
  EXPECT_EQ(nafta.costs.filled.count(), 14);

  const FittedGeResult result = SolveFittedGe(nafta.inputs);
  ASSERT_TRUE(result.converged()) << result.message;
  const FittedGeEffects effects =
      FittedGePercentChanges(result, 7, FittedGeDirection::kBaselineVsCounterfactual);
  const std::vector<Table4Row> table4 = ReadTable4();
  ASSERT_EQ(table4.size(), 69u);
  // One printed cell is a misprint: USA's partial effect is 18.83, not 18.33.
  // The same formula gives CAN 55.05 and MEX 56.65 exactly, and the book's
  // text (p. 115) says the partial effects range "from 19 to 57 percent":
  // 18.83 rounds to 19, 18.33 would not.
  const std::map<std::pair<std::string, size_t>, std::string> errata = {{{"USA", 0}, "18.83"}};
  int matched = 0;
  int cells = 0;
  for (const Table4Row& row : table4) {
    const auto country_idx =
        std::find(result.codes.begin(), result.codes.end(), row.country) - result.codes.begin();
    ASSERT_LT(country_idx, 69) << row.country;
    const std::vector<double> ours = {
        effects.exports_partial(country_idx), effects.exports_conditional(country_idx),
        effects.exports_full(country_idx),    effects.factory_gate_price(country_idx),
        effects.imr_full(country_idx),        effects.real_gdp(country_idx),
        effects.omr_full(country_idx)};
    for (size_t col_idx = 0; col_idx < 7; ++col_idx) {
      ++cells;
      const bool same = Printed(ours[col_idx]) == Printed(row.cells[col_idx]);
      matched += same;
      const auto erratum = errata.find({row.country, col_idx});
      const std::string expected =
          erratum != errata.end() ? erratum->second : Printed(row.cells[col_idx]);
      EXPECT_EQ(Printed(ours[col_idx]), expected)
          << row.country << " column (" << col_idx + 1 << "): ours "
          << fmt::format("{:.5f}", ours[col_idx]) << ", Table 4 " << Printed(row.cells[col_idx]);
    }
  }
  EXPECT_EQ(matched, 482);

  // The exact full-endowment equilibrium from the same fitted baseline: the
  // book's loop stops after 3 re-estimations, close enough for two decimals in
  // most cells but not all.
  FittedGeOptions exact_options;
  exact_options.stopping = FittedGeStopping::kConverged;
  const FittedGeResult exact = SolveFittedGe(nafta.inputs, exact_options);
  ASSERT_TRUE(exact.converged()) << exact.message;
  const FittedGeEffects exact_effects =
      FittedGePercentChanges(exact, 7, FittedGeDirection::kBaselineVsCounterfactual);
  int exact_matched = 0;
  for (const Table4Row& row : table4) {
    const auto country_idx =
        std::find(exact.codes.begin(), exact.codes.end(), row.country) - exact.codes.begin();
    const std::vector<double> full = {
        exact_effects.exports_full(country_idx), exact_effects.factory_gate_price(country_idx),
        exact_effects.imr_full(country_idx), exact_effects.real_gdp(country_idx),
        exact_effects.omr_full(country_idx)};
    for (size_t col_idx = 0; col_idx < full.size(); ++col_idx) {
      exact_matched += Printed(full[col_idx]) == Printed(row.cells[col_idx + 2]);
    }
  }
  const auto member = [&](const char* code) {
    return std::find(exact.codes.begin(), exact.codes.end(), code) - exact.codes.begin();
  };
  std::cout << fmt::format(
      "Table 4 full-endowment columns: {} of 345 cells match the exact equilibrium "
      "(real GDP CAN {:.2f} MEX {:.2f} USA {:.2f}; price CAN {:.2f})\n",
      exact_matched, exact_effects.real_gdp(member("CAN")), exact_effects.real_gdp(member("MEX")),
      exact_effects.real_gdp(member("USA")), exact_effects.factory_gate_price(member("CAN")));
  EXPECT_GT(exact_matched, 150);
  EXPECT_LT(exact_matched, 345);
  std::cout << fmt::format(
      "Table 4: {} of {} printed cells match at two decimals ({} "
      "re-estimations; RTA {:.6f})\n",
      matched, cells, result.iterations, nafta.costs.policy_coef(0));
}

}  // namespace
}  // namespace mizani

namespace mizani {
namespace {

// Application 1 (pp. 103-110): eq. 2-51 on the 2006 cross-section, then all
// international borders removed (INTL = 0), geography kept.
struct Borders {
  EstimateResult fit;
  FittedGeInputs inputs;
  Eigen::VectorXd log_output;
};

Borders BorderInputs(const std::string& path) {
  const Table table = ReadTable(path);
  EstimateOptions options;
  options.tolerance = 1e-12;
  options.fe_tolerance = 1e-13;
  options.threads = 1;
  // The do-file's ppml has no cluster option: robust standard errors.
  options.vcov.type = VcovType::kHetero;
  Borders borders;
  borders.fit = Estimate(
      table, ParseFormula("trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer"), {}, options);
  const Column& exporter_col = table.Get("exporter");
  const Column& importer_col = table.Get("importer");
  std::vector<std::string> codes = exporter_col.levels;
  std::sort(codes.begin(), codes.end());  // "ZZZ" (Germany) last
  const auto num_countries = static_cast<Eigen::Index>(codes.size());
  std::map<std::string, Eigen::Index> index;
  for (Eigen::Index country_idx = 0; country_idx < num_countries; ++country_idx) {
    index[codes[country_idx]] = country_idx;
  }
  const std::span<const double> trade = RequireNumeric(table, "trade");
  const std::span<const double> log_distance = RequireNumeric(table, "ln_DIST");
  const std::span<const double> contiguity = RequireNumeric(table, "CNTG");
  const std::span<const double> border = RequireNumeric(table, "INTL_BRDR");
  const double b_distance = borders.fit.coef(0);
  const double b_contiguity = borders.fit.coef(1);
  const double b_border = borders.fit.coef(2);
  borders.inputs.flows.resize(num_countries, num_countries);
  borders.inputs.baseline_costs.resize(num_countries, num_countries);
  borders.inputs.counterfactual_costs.resize(num_countries, num_countries);
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    const Eigen::Index exporter_idx = index.at(exporter_col.CellText(row_idx));
    const Eigen::Index importer_idx = index.at(importer_col.CellText(row_idx));
    const double geography =
        b_distance * log_distance[row_idx] + b_contiguity * contiguity[row_idx];
    borders.inputs.flows(exporter_idx, importer_idx) = trade[row_idx];
    borders.inputs.baseline_costs(exporter_idx, importer_idx) =
        std::exp(geography + b_border * border[row_idx]);
    borders.inputs.counterfactual_costs(exporter_idx, importer_idx) = std::exp(geography);
  }
  borders.inputs.codes = codes;
  borders.inputs.reference_country = static_cast<int>(num_countries - 1);
  borders.inputs.sigma = 7;
  borders.log_output = borders.inputs.flows.rowwise().sum().array().log();
  return borders;
}

double Correlation(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  const Eigen::ArrayXd da = a.array() - a.mean();
  const Eigen::ArrayXd db = b.array() - b.mean();
  return (da * db).sum() / std::sqrt(da.square().sum() * db.square().sum());
}

// Our effects in the official file's column order.
std::vector<double> OfficialColumns(const FittedGeEffects& effects, Eigen::Index country_idx) {
  return {effects.exports_conditional(country_idx),
          effects.exports_full(country_idx),
          effects.factory_gate_price(country_idx),
          effects.imr_conditional(country_idx),
          effects.imr_full(country_idx),
          effects.omr_conditional(country_idx),
          effects.omr_full(country_idx),
          effects.real_gdp(country_idx)};
}

// Largest |ours - official| over every country and column, in percentage
// points; the do-files' "ZZZ" is reported as DEU.
double WorstGapToOfficial(const FittedGeResult& result, const FittedGeEffects& effects,
                          const std::string& application) {
  const auto official = OfficialResults(application);
  EXPECT_EQ(official.size(), 69u);
  double worst = 0;
  for (Eigen::Index country_idx = 0; country_idx < 69; ++country_idx) {
    const std::string code = result.codes[country_idx] == "ZZZ" ? "DEU" : result.codes[country_idx];
    const auto found = official.find(code);
    if (found == official.end()) {
      ADD_FAILURE() << code << " missing from the official results";
      continue;
    }
    const std::vector<double> ours = OfficialColumns(effects, country_idx);
    EXPECT_EQ(found->second.size(), ours.size());
    for (size_t col_idx = 0; col_idx < ours.size() && col_idx < found->second.size(); ++col_idx) {
      worst = std::max(worst, std::abs(ours[col_idx] - found->second[col_idx]));
    }
  }
  return worst;
}

TEST(GeFittedBaseline, NaftaOfficialResults) {
  MIZANI_REQUIRE_SHARED(path, "agtpa_yotov2016/dta/Chapter2/Chapter2Application2.dta");
  const Nafta nafta = NaftaInputs(path);
  const FittedGeResult result = SolveFittedGe(nafta.inputs);
  ASSERT_TRUE(result.converged()) << result.message;
  // The official log stops after iteration 3 (sd 0.000977, max 0.0001341).
  EXPECT_EQ(result.iterations, 3);
  EXPECT_NEAR(result.price_change_sd, 0.000977, 5e-7);
  EXPECT_NEAR(result.price_change_max, 0.0001341, 5e-8);
  const FittedGeEffects effects =
      FittedGePercentChanges(result, 7, FittedGeDirection::kBaselineVsCounterfactual);
  const double worst = WorstGapToOfficial(result, effects, "nafta");
  std::cout << fmt::format("NAFTA: largest gap to the official Stata results {:.3g} points\n",
                           worst);
  EXPECT_LT(worst, 1e-4);
}

TEST(GeFittedBaseline, TradeWithoutBorders) {
  MIZANI_REQUIRE_SHARED(path, "agtpa_yotov2016/dta/Chapter2/1_TradeWithoutBorder.dta");
  const Borders borders = BorderInputs(path);
  ASSERT_TRUE(borders.fit.converged());
  // Eq. 2-52 (p. 104): -0.791 (0.050), 0.674 (0.107), -2.474 (0.119).
  const Eigen::VectorXd se = borders.fit.StdErrors();
  const std::vector<std::string> coefficients = {"-0.791", "0.674", "-2.474"};
  const std::vector<std::string> errors = {"0.050", "0.107", "0.119"};
  for (int term_idx = 0; term_idx < 3; ++term_idx) {
    EXPECT_EQ(fmt::format("{:.3f}", borders.fit.coef(term_idx)), coefficients[term_idx]);
    EXPECT_EQ(fmt::format("{:.3f}", se(term_idx)), errors[term_idx]);
  }
  // "international borders decrease trade by an average of 91.6 percent" (p. 104).
  EXPECT_EQ(fmt::format("{:.1f}", 100 * (1 - std::exp(borders.fit.coef(2)))), "91.6");

  const FittedGeResult result = SolveFittedGe(borders.inputs);
  ASSERT_TRUE(result.converged()) << result.message;
  // The official log stops after iteration 5 (sd 0.0044307, max 0.0032467).
  EXPECT_EQ(result.iterations, 5);
  EXPECT_NEAR(result.price_change_sd, 0.0044307, 5e-7);
  EXPECT_NEAR(result.price_change_max, 0.0032467, 5e-7);
  const FittedGeEffects effects =
      FittedGePercentChanges(result, 7, FittedGeDirection::kCounterfactualVsBaseline);
  const double worst = WorstGapToOfficial(result, effects, "borders");
  std::cout << fmt::format(
      "Borders: {} re-estimations; largest gap to the official Stata "
      "results {:.3g} points\n",
      result.iterations, worst);
  EXPECT_LT(worst, 1e-4);

  // p. 109: full-endowment export effects exceed the conditional ones by
  // "between 41 and 91 percentage points". We find 41.68 to 82.45 (HKG), as
  // the official Stata output does: the printed upper bound is not what the
  // do-file produces.
  const Eigen::VectorXd extra = effects.exports_full - effects.exports_conditional;
  EXPECT_EQ(fmt::format("{:.0f}", std::floor(extra.minCoeff())), "41");
  EXPECT_NEAR(extra.maxCoeff(), 82.448, 1e-3);
  // p. 109: export gains rise with country size; real GDP gains fall with it
  // ("less developed and smaller economies would benefit significantly more").
  EXPECT_GT(Correlation(effects.exports_full, borders.log_output), 0.2);
  EXPECT_LT(Correlation(effects.real_gdp, borders.log_output), -0.7);
  // Figure 7 (p. 110): real GDP changes between about 0 and 80 percent;
  // Figure 6: export changes from 0 to about 400 percent except HKG.
  EXPECT_GT(effects.real_gdp.minCoeff(), 0);
  EXPECT_LT(effects.real_gdp.maxCoeff(), 80);
  // p. 110: producers gain more than consumers: the factory-gate price rise
  // relative to Germany exceeds the fall of the inward resistance on average.
  EXPECT_GT(effects.factory_gate_price.mean(), -effects.imr_full.mean());
  // Germany is the reference: its inward resistance does not move.
  EXPECT_NEAR(effects.imr_full(68), 0, 1e-9);
}

}  // namespace
}  // namespace mizani

namespace mizani {
namespace {

// Frequency weights (a pair bootstrap's draw counts): PPML is invariant to
// scaling every weight, so weights of 2 give the unweighted estimates; a pair
// given weight 0 loses its pair effect and is predicted by stage 2.
TEST(GeFittedBaseline, PanelCostWeights) {
  MIZANI_REQUIRE_SHARED(path, "agtpa_yotov2016/dta/Chapter2/Chapter2Application2.dta");
  const Table table = ReadNaftaPanel(path);
  PanelCostOptions options = NaftaPanelOptions();
  const PanelCosts plain = EstimatePanelTradeCosts(table, options);
  options.weights.assign(table.num_rows, 2.0);
  const PanelCosts doubled = EstimatePanelTradeCosts(table, options);
  EXPECT_NEAR(doubled.policy_coef(0), plain.policy_coef(0), 1e-9);
  // In levels: pairs that barely trade (costs near 1e-8) have flat
  // likelihoods, so their effects converge only to a few digits in logs; the
  // costs themselves agree to 1e-7 of the largest (1, domestic).
  const double gap = (doubled.pair_costs - plain.pair_costs).cwiseAbs().maxCoeff();
  std::cout << fmt::format("weights 2: largest pair-cost gap {:.3g} (largest cost {:.3g})\n", gap,
                           plain.pair_costs.maxCoeff());
  EXPECT_LE(gap, 1e-7 * plain.pair_costs.maxCoeff());
  // CAN-MEX left out (both directions, every year).
  const Column& exporter = table.Get("exporter");
  const Column& importer = table.Get("importer");
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    const std::string from = exporter.CellText(row_idx), to = importer.CellText(row_idx);
    if ((from == "CAN" && to == "MEX") || (from == "MEX" && to == "CAN")) {
      options.weights[row_idx] = 0;
    }
  }
  const PanelCosts dropped = EstimatePanelTradeCosts(table, options);
  const auto index = [&](const char* code) {
    return std::find(dropped.codes.begin(), dropped.codes.end(), code) - dropped.codes.begin();
  };
  EXPECT_EQ(dropped.filled.count(), plain.filled.count() + 2);
  EXPECT_TRUE(dropped.filled(index("CAN"), index("MEX")));
  EXPECT_TRUE(dropped.filled(index("MEX"), index("CAN")));
  EXPECT_FALSE(plain.filled(index("CAN"), index("MEX")));
  // The baseline-year flows are all kept.
  EXPECT_EQ(dropped.flows(index("CAN"), index("MEX")), plain.flows(index("CAN"), index("MEX")));
}

}  // namespace
}  // namespace mizani

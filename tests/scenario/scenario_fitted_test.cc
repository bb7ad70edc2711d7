// baseline = "fitted" through a scenario, without the shared data: when the
// observed flows are exactly the gravity model's fitted values, the Advanced
// Guide's fitted baseline equals the observed one, so the fitted route
// (costs from the [estimation] fit, constrained PPML, reference country)
// and exact hat algebra from the observed flows must give the same
// counterfactual (docs/ge-solver.md section 7). Also: the sigma table's row
// at the scenario's own sigma is the main result, and goal seeking on a
// fitted baseline reaches its target.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "mizani/scenario.h"
#include "test_support.h"

namespace mizani {
namespace {

namespace fs = std::filesystem;

// Seven countries on a plane; X_ij = s_i s_j exp(-0.8 ln d_ij - 1.5 border_ij)
// with symmetric distances, so trade is balanced (Y = E) and the flows are
// the model's own fitted values.
void WriteModelWorld(const std::string& path) {
  constexpr int kCountries = 7;
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> size(kCountries), pos_x(kCountries), pos_y(kCountries);
  for (int country_idx = 0; country_idx < kCountries; ++country_idx) {
    size[country_idx] = std::exp(2 * uniform(rng));
    pos_x[country_idx] = uniform(rng);
    pos_y[country_idx] = uniform(rng);
  }
  std::ofstream out(path);
  out << "exporter,importer,trade,ldist,border\n";
  for (int exporter_idx = 0; exporter_idx < kCountries; ++exporter_idx) {
    for (int importer_idx = 0; importer_idx < kCountries; ++importer_idx) {
      const double log_distance =
          std::log(0.05 + std::hypot(pos_x[exporter_idx] - pos_x[importer_idx],
                                     pos_y[exporter_idx] - pos_y[importer_idx]));
      const int border = exporter_idx == importer_idx ? 0 : 1;
      const double flow = 1000 * size[exporter_idx] * size[importer_idx] *
                          std::exp(-0.8 * log_distance - 1.5 * border);
      out << fmt::format("C{:02d},C{:02d},{:.17g},{:.17g},{}\n", exporter_idx, importer_idx, flow,
                         log_distance, border);
    }
  }
}

class ScenarioFittedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::mizani::testing::MakeTempDir("scenario-fitted");
    WriteModelWorld((fs::path(dir_) / "world.csv").string());
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  // The border halved among C00, C01 and C02; `model` holds the [model] keys.
  ScenarioOutcome Run(const std::string& model, const std::string& extra = "") const {
    const std::string text = fmt::format(
        "name = \"w\"\n[data]\npath = \"world.csv\"\n"
        "[estimation]\nformula = \"trade ~ ldist + border | exporter + importer\"\n"
        "tolerance = 1e-13\n"
        "[model]\nsigma = 5\nreference = \"C06\"\ntolerance = 1e-13\n{}\n"
        "[[shocks]]\nname = \"half-border\"\nkind = \"regressor\"\nterm = \"border\"\nto = 0.5\n"
        "members = [\"C00\", \"C01\", \"C02\"]\n{}",
        model, extra);
    RunOptions options;
    options.quiet = true;
    options.threads = 1;
    return RunScenario(ParseScenario(text, "w.toml", dir_), options);
  }
  std::string dir_;
};

// Every country's `field` agrees between the two runs to `tolerance`.
void ExpectSame(const ScenarioOutcome& fitted, const ScenarioOutcome& observed,
                Eigen::VectorXd GeCountryResults::*field, double tolerance) {
  ASSERT_EQ(fitted.codes, observed.codes);
  const Eigen::VectorXd& ours = fitted.ge.countries.*field;
  const Eigen::VectorXd& theirs = observed.ge.countries.*field;
  for (Eigen::Index country_idx = 0; country_idx < ours.size(); ++country_idx) {
    EXPECT_NEAR(ours(country_idx), theirs(country_idx), tolerance) << fitted.codes[country_idx];
  }
}

TEST_F(ScenarioFittedTest, ConditionalFittedEqualsObservedOnModelFlows) {
  const ScenarioOutcome fitted =
      Run("mode = \"conditional\"\nbaseline = \"fitted\"\nfitted_costs = \"estimation\"");
  const ScenarioOutcome observed = Run("mode = \"conditional\"\nnormalisation = \"reference\"");
  EXPECT_NEAR(fitted.coefficients.at("border"), -1.5, 1e-8);
  ExpectSame(fitted, observed, &GeCountryResults::exports_change_pct, 1e-7);
  ExpectSame(fitted, observed, &GeCountryResults::inward_resistance_hat, 1e-9);
}

TEST_F(ScenarioFittedTest, ExactFullEndowmentEqualsObservedOnBalancedModelFlows) {
  const ScenarioOutcome fitted =
      Run("baseline = \"fitted\"\nfitted_costs = \"estimation\"\nfitted_loop = \"exact\"\n"
          "imbalances = \"multiplicative\"");
  const ScenarioOutcome observed =
      Run("normalisation = \"reference\"\nimbalances = \"multiplicative\"");
  ExpectSame(fitted, observed, &GeCountryResults::real_gdp_change_pct, 1e-6);
  ExpectSame(fitted, observed, &GeCountryResults::factory_gate_price_hat, 1e-8);
  // The sigma table's column at sigma = 5 is the main result itself.
  const SigmaSensitivity& table = fitted.sensitivity;
  const auto own = std::find(table.sigmas.begin(), table.sigmas.end(), 5.0) - table.sigmas.begin();
  ASSERT_LT(own, static_cast<Eigen::Index>(table.sigmas.size()));
  for (Eigen::Index country_idx = 0; country_idx < 7; ++country_idx) {
    EXPECT_EQ(table.real_gdp_change_pct(country_idx, own),
              fitted.ge.countries.real_gdp_change_pct(country_idx));
  }
}

// A selected pair without a value of the term keeps its trade costs (b = 1),
// and the run says how many pairs did.
TEST_F(ScenarioFittedTest, RegressorShockNamesPairsWithoutAValue) {
  const std::string path = (fs::path(dir_) / "world.csv").string();
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  const size_t row = text.find("\nC00,C01,");
  ASSERT_NE(row, std::string::npos);
  const size_t end = text.find('\n', row + 1);
  text.erase(end - 1, 1);  // the border cell (1) of C00 -> C01, left empty
  std::ofstream(path) << text;
  const ScenarioOutcome outcome = Run("normalisation = \"reference\"");
  EXPECT_EQ(outcome.partial_effects(0, 1), 1.0);
  EXPECT_NEAR(outcome.partial_effects(1, 0),
              std::exp(outcome.coefficients.at("border") * (0.5 - 1)), 1e-15);
  const auto note = std::find_if(outcome.notes.begin(), outcome.notes.end(), [](const auto& line) {
    return line.find("shock 'half-border': 1 of the selected pairs have no value of border") !=
           std::string::npos;
  });
  EXPECT_NE(note, outcome.notes.end());
}

TEST_F(ScenarioFittedTest, GoalSeekingOnAFittedBaselineReachesItsTarget) {
  const std::string model =
      "baseline = \"fitted\"\nfitted_costs = \"estimation\"\nfitted_loop = \"exact\"";
  const double target = Run(model).ge.countries.real_gdp_change_pct(1);
  const ScenarioOutcome sought =
      Run(model, fmt::format("[goal]\noutcome = \"real_gdp_change_pct\"\ncountry = \"C01\"\n"
                             "target = {:.17g}\nshock = \"half-border\"\ntolerance = 1e-10\n",
                             target));
  ASSERT_TRUE(sought.goal.has_value());
  EXPECT_TRUE(sought.goal->reached);
  EXPECT_NEAR(sought.goal->value, 0.5, 1e-6);
  EXPECT_NEAR(sought.ge.countries.real_gdp_change_pct(1), target, 1e-10);
}

}  // namespace
}  // namespace mizani

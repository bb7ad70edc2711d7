// Scenario outputs name the estimation formula (results.json "formula" and
// the report's coefficient line), and the [model] keys of the fitted
// baseline parse or fail with the key named.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "mizani/error.h"
#include "mizani/read.h"
#include "mizani/scenario.h"
#include "mizani/scenario_output.h"
#include "mizani/synth.h"
#include "test_support.h"

namespace mizani {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ScenarioFormulaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::mizani::testing::MakeTempDir("scenario-formula");
    SynthOptions options;
    options.exporters = options.importers = 8;
    options.years = 3;
    options.first_year = 2000;
    options.seed = 5;
    options.beta_rta = 0.4;
    for (int country_idx = 0; country_idx < 8; ++country_idx) {
      options.names.push_back(fmt::format("C{}", static_cast<char>('A' + country_idx)));
    }
    WriteCsv(SynthesizeSquareWorld(options), (fs::path(dir_) / "world.csv").string());
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::string dir_;
};

constexpr const char* kScenario = R"(
[data]
path = "world.csv"
baseline_year = 2002
[estimation]
formula = "trade ~ rta | exporter^year + importer^year + pair_id"
[model]
sigma = 5
[[shocks]]
kind = "agreement"
members = ["CA", "CB", "CC"]
coefficient = "estimated"
term = "rta"
)";

TEST_F(ScenarioFormulaTest, OutputsNameTheFormula) {
  const Scenario scenario = ParseScenario(kScenario, "formula.toml", dir_);
  RunOptions options;
  options.quiet = true;
  const ScenarioOutcome outcome = RunScenario(scenario, options);
  ASSERT_TRUE(outcome.estimation.has_value());
  const std::string formula = "trade ~ rta | exporter^year + importer^year + pair_id";
  EXPECT_EQ(outcome.estimation->formula, formula);
  const fs::path folder = fs::path(dir_) / "out";
  WriteScenarioOutputs(outcome, folder.string());
  const std::string json = Slurp(folder / "results.json");
  EXPECT_NE(json.find("\"formula\": \"" + formula + "\""), std::string::npos);
  const std::string report = Slurp(folder / "report" / "report.md");
  // Markdown escapes ~, | and _ in the formula.
  EXPECT_NE(report.find("; trade \\~ rta \\| exporter^year"), std::string::npos) << report;
  EXPECT_EQ(report.find("; , "), std::string::npos);
}

TEST_F(ScenarioFormulaTest, FittedBaselineKeys) {
  std::string text = kScenario;
  text.replace(text.find("sigma = 5"), 9,
               "sigma = 5\nbaseline = \"fitted\"\nfitted_loop = \"exact\"\n"
               "fitted_gravity = [\"log(dist)\", \"contig\", \"lang\"]");
  const Scenario scenario = ParseScenario(text, "fitted.toml", dir_);
  EXPECT_EQ(scenario.model.baseline, BaselineKind::kFitted);
  EXPECT_FALSE(scenario.model.fitted_book_loop);
  EXPECT_EQ(scenario.model.fitted_gravity.size(), 3u);

  std::string bad = kScenario;
  bad.replace(bad.find("sigma = 5"), 9, "sigma = 5\nbaseline = \"estimated\"");
  try {
    ParseScenario(bad, "bad.toml", dir_);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
    EXPECT_NE(std::string(error.what()).find("model.baseline"), std::string::npos) << error.what();
  }
}

// The fitted route on a synthetic panel: it runs end to end, keeps the
// reference country's inward resistance fixed, and its trade effects have
// the direction of the shock.
TEST_F(ScenarioFormulaTest, FittedBaselineRuns) {
  std::string text = kScenario;
  text.replace(text.find("sigma = 5"), 9,
               "sigma = 5\nbaseline = \"fitted\"\nreference = \"CH\"\n"
               "fitted_gravity = [\"log(dist)\", \"contig\", \"lang\"]");
  const Scenario scenario = ParseScenario(text, "fitted.toml", dir_);
  RunOptions options;
  options.quiet = true;
  const ScenarioOutcome outcome = RunScenario(scenario, options);
  ASSERT_TRUE(outcome.ge.converged()) << outcome.ge.message;
  const auto index = [&](const char* code) {
    return std::find(outcome.codes.begin(), outcome.codes.end(), code) - outcome.codes.begin();
  };
  EXPECT_NEAR(outcome.ge.countries.inward_resistance_hat(index("CH")), 1.0, 1e-12);
  // The agreement moves members' exports and real GDP in the direction of
  // the cost regression's coefficient (poorly identified on this small panel).
  const double rta = outcome.coefficients.at("rta");
  EXPECT_EQ(outcome.ge.countries.exports_change_pct(index("CA")) > 0, rta > 0);
  EXPECT_EQ(outcome.ge.countries.real_gdp_change_pct(index("CA")) > 0, rta > 0);
  EXPECT_FALSE(outcome.notes.empty());
}

}  // namespace
}  // namespace mizani

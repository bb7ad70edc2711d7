// Elasticity uncertainty in scenarios: the sigma sensitivity table every
// scenario gets, and sigma drawn with the coefficients in [uncertainty].
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
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

class ScenarioSigmaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::mizani::testing::MakeTempDir("scenario-sigma");
    SynthOptions options;
    options.exporters = options.importers = 10;
    options.years = 3;
    options.first_year = 2000;
    options.seed = 9;
    options.beta_rta = 0.5;
    for (int country_idx = 0; country_idx < 10; ++country_idx) {
      options.names.push_back(fmt::format("C{}", static_cast<char>('A' + country_idx)));
    }
    WriteCsv(SynthesizeSquareWorld(options), (fs::path(dir_) / "world.csv").string());
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  ScenarioOutcome Run(const std::string& text) const {
    RunOptions options;
    options.quiet = true;
    options.threads = 1;
    return RunScenario(ParseScenario(text, "sigma.toml", dir_), options);
  }
  std::string dir_;
};

constexpr const char* kFixedShock = R"(
[data]
path = "world.csv"
baseline_year = 2002
[model]
sigma = 5
[[shocks]]
kind = "agreement"
members = ["CA", "CB", "CC"]
coefficient = 0.5
)";

// Every scenario gets the table; its column at the scenario's sigma is the
// main result, and the members' real-GDP gains fall as sigma rises (the
// gains from a given cut in trade costs scale like 1/theta; Arkolakis,
// Costinot & Rodriguez-Clare 2012).
TEST_F(ScenarioSigmaTest, SensitivityTableForEveryScenario) {
  const ScenarioOutcome outcome = Run(kFixedShock);
  const SigmaSensitivity& sensitivity = outcome.sensitivity;
  ASSERT_EQ(sensitivity.sigmas, (std::vector<double>{3, 4, 5, 6, 7}));
  EXPECT_TRUE(sensitivity.failures.empty());
  for (size_t country_idx = 0; country_idx < outcome.codes.size(); ++country_idx) {
    const auto row_idx = static_cast<Eigen::Index>(country_idx);
    EXPECT_NEAR(sensitivity.real_gdp_change_pct(row_idx, 2),
                outcome.ge.countries.real_gdp_change_pct(row_idx), 1e-12);
    EXPECT_NEAR(sensitivity.exports_change_pct(row_idx, 2),
                outcome.ge.countries.exports_change_pct(row_idx), 1e-12);
  }
  for (Eigen::Index member_idx = 0; member_idx < 3; ++member_idx) {
    for (Eigen::Index sigma_idx = 1; sigma_idx < 5; ++sigma_idx) {
      EXPECT_LT(sensitivity.real_gdp_change_pct(member_idx, sigma_idx),
                sensitivity.real_gdp_change_pct(member_idx, sigma_idx - 1));
    }
  }
  const fs::path folder = fs::path(dir_) / "out";
  WriteScenarioOutputs(outcome, folder.string());
  std::ifstream csv(folder / "sensitivity.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_NE(header.find("real_gdp_change_pct_sigma_3"), std::string::npos) << header;
  EXPECT_NE(header.find("exports_change_pct_sigma_7"), std::string::npos) << header;
}

TEST_F(ScenarioSigmaTest, SigmaListSetsTheGridAndIsDrawn) {
  std::string text = kFixedShock;
  text.replace(text.find("coefficient = 0.5"), 17, "coefficient = \"estimated\"\nterm = \"rta\"");
  text.replace(text.find("[model]"), 7,
               "[estimation]\nformula = \"trade ~ rta | exporter^year + importer^year + "
               "pair_id\"\n[model]");
  text += "[uncertainty]\nmethod = \"parametric\"\nreplications = 40\nsigma = [4, 8]\n";
  const ScenarioOutcome outcome = Run(text);
  EXPECT_EQ(outcome.sensitivity.sigmas, (std::vector<double>{4, 5, 8}));
  const UncertaintyResult& uncertainty = outcome.uncertainty;
  ASSERT_EQ(uncertainty.sigma_draws.size(), 40);
  std::set<double> seen;
  for (const double sigma : uncertainty.sigma_draws) {
    if (std::isfinite(sigma)) seen.insert(sigma);
  }
  EXPECT_EQ(seen, (std::set<double>{4, 8}));

  // Drawing sigma widens the real-GDP intervals of the members.
  std::string fixed_sigma = text;
  fixed_sigma.replace(fixed_sigma.find("sigma = [4, 8]"), 14, "");
  const ScenarioOutcome without = Run(fixed_sigma);
  EXPECT_EQ(without.uncertainty.sigma_draws.size(), 0);
  const auto width = [](const ScenarioOutcome& run, Eigen::Index country_idx) {
    for (const IntervalSet& set : run.uncertainty.countries) {
      if (set.name == "real_gdp_change_pct") {
        return set.upper(country_idx) - set.lower(country_idx);
      }
    }
    return std::nan("");
  };
  EXPECT_GT(width(outcome, 0), width(without, 0));
}

TEST_F(ScenarioSigmaTest, BadSigmaKeysNameTheKey) {
  for (const std::string& bad :
       {std::string("sigma = [4, 0.5]"), std::string("sigma = []"), std::string("sigma_sd = -1"),
        std::string("sigma = [4]\nsigma_sd = 1")}) {
    std::string text = kFixedShock;
    text.replace(text.find("[model]"), 7,
                 "[estimation]\nformula = \"trade ~ rta | exporter^year + importer^year + "
                 "pair_id\"\n[model]");
    text += "[uncertainty]\nreplications = 4\n" + bad + "\n";
    try {
      ParseScenario(text, "bad.toml", dir_);
      ADD_FAILURE() << "expected an error for " << bad;
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
      EXPECT_NE(std::string(error.what()).find("uncertainty.sigma"), std::string::npos)
          << error.what();
    }
  }
}

}  // namespace
}  // namespace mizani

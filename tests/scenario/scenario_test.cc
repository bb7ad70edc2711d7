// Scenario files: parsing, every validation error, and the partial-effect
// matrix B of each shock kind against hand computation.
#include "mizani/scenario.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "mizani/error.h"
#include "mizani/scenario_output.h"
#include "test_support.h"

namespace mizani {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kCodes = {"JPN", "KEN", "TZA", "USA"};

// A 4-country world in two years. Flows are arbitrary positive numbers with
// large domestic flows; 2005 lacks KEN's domestic flow.
std::string WriteWorld(const std::string& dir) {
  const fs::path path = fs::path(dir) / "world.csv";
  std::ofstream out(path);
  out << "exporter,importer,year,trade,rta\n";
  for (int year : {2005, 2006}) {
    for (size_t exporter_idx = 0; exporter_idx < kCodes.size(); ++exporter_idx) {
      for (size_t importer_idx = 0; importer_idx < kCodes.size(); ++importer_idx) {
        if (year == 2005 && exporter_idx == 1 && importer_idx == 1) continue;
        const double flow = exporter_idx == importer_idx
                                ? 1000.0 * (exporter_idx + 1)
                                : 10.0 + 3.0 * exporter_idx + 7.0 * importer_idx;
        out << kCodes[exporter_idx] << "," << kCodes[importer_idx] << "," << year << "," << flow
            << ",0\n";
      }
    }
  }
  return path.string();
}

// The data/model header every test scenario starts with.
std::string Header(int year = 2006, const std::string& extra_model = "") {
  return fmt::format(
      "name = \"t\"\n"
      "[data]\n"
      "path = \"world.csv\"\n"
      "baseline_year = {}\n"
      "[model]\n"
      "sigma = 5\n"
      "{}\n",
      year, extra_model);
}

class ScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::mizani::testing::MakeTempDir("scenario-test");
    WriteWorld(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  Scenario Parse(const std::string& text) const { return ParseScenario(text, "test.toml", dir_); }
  // Parses and runs; returns the error, or fails the test when none.
  Error ExpectError(const std::string& text) const {
    try {
      const Scenario scenario = Parse(text);
      RunOptions options;
      options.quiet = true;
      RunScenario(scenario, options);
    } catch (const Error& error) {
      return error;
    }
    ADD_FAILURE() << "no error for:\n" << text;
    return Error(ErrorCode::kOk, "");
  }
  std::string dir_;
};

const char* kKenJpnTariff =
    "[[shocks]]\n"
    "kind = \"tariff\"\n"
    "exporters = \"KEN\"\n"
    "importers = \"JPN\"\n"
    "from_pct = 17\n"
    "to_pct = 0\n";

TEST_F(ScenarioTest, ParsesAMinimalScenario) {
  const Scenario scenario = Parse(Header() + "[groups]\nEAC = [\"KEN\", \"TZA\"]\n" +
                                  kKenJpnTariff + "[output]\nfocus = \"KEN->JPN\"\n");
  EXPECT_DOUBLE_EQ(scenario.model.theta, 4.0);
  EXPECT_EQ(scenario.data.path, (fs::path(dir_) / "world.csv").string());
  EXPECT_EQ(*scenario.data.baseline_year, 2006);
  ASSERT_EQ(scenario.shocks.size(), 1u);
  EXPECT_EQ(scenario.shocks[0].kind(), ShockKind::kTariff);
  EXPECT_EQ(scenario.shocks[0].name, "shocks[0]");
  EXPECT_EQ(scenario.output.focus_exporter, "KEN");
  EXPECT_EQ(scenario.output.focus_importer, "JPN");
  EXPECT_EQ(scenario.groups.at("EAC").entries.size(), 2u);
  EXPECT_EQ(scenario.uncertainty.method, UncertaintyMethod::kNone);
}

TEST_F(ScenarioTest, ExpandsMizaniDataFromTheOverride) {
  ScenarioOverrides overrides;
  overrides.data_dir = dir_;
  std::string text = Header() + kKenJpnTariff;
  text.replace(text.find("world.csv"), 9, "${MIZANI_DATA}/world.csv");
  const Scenario scenario = ParseScenario(text, "x.toml", "/nonexistent", overrides);
  EXPECT_EQ(scenario.data.path, dir_ + "/world.csv");
}

TEST_F(ScenarioTest, RejectsInvalidToml) {
  const Error error = ExpectError(Header() + "[[shocks]\n");
  EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
  EXPECT_NE(std::string(error.what()).find("test.toml:8:10: invalid TOML"), std::string::npos)
      << error.what();
}

TEST_F(ScenarioTest, RejectsUnknownKeysWithTheirLine) {
  const Error error = ExpectError(Header(2006, "sigam = 3") + kKenJpnTariff);
  EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
  EXPECT_NE(std::string(error.what()).find("test.toml:7:1 (model.sigam): unknown key 'sigam'"),
            std::string::npos)
      << error.what();
}

TEST_F(ScenarioTest, RejectsSigmaNotAboveOne) {
  std::string text = Header() + kKenJpnTariff;
  text.replace(text.find("sigma = 5"), 9, "sigma = 1");
  const Error error = ExpectError(text);
  EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
  EXPECT_NE(std::string(error.what()).find("test.toml:6:9 (model.sigma): sigma = 1 but"),
            std::string::npos)
      << error.what();
}

TEST_F(ScenarioTest, MissingDataFileIsUnreadable) {
  std::string text = Header() + kKenJpnTariff;
  text.replace(text.find("world.csv"), 9, "nowhere.csv");
  const Error error = ExpectError(text);
  EXPECT_EQ(error.code(), ErrorCode::kFileUnreadable);
  EXPECT_NE(std::string(error.what()).find("data.path"), std::string::npos) << error.what();
}

TEST_F(ScenarioTest, RejectsUnknownGroup) {
  const Error error = ExpectError(Header() +
                                  "[[shocks]]\nkind = \"agreement\"\nmembers = \"eac\"\n"
                                  "coefficient = 0.5\n");
  EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
  EXPECT_NE(std::string(error.what()).find("shocks[0].members): 'eac' is neither a group"),
            std::string::npos)
      << error.what();
}

TEST_F(ScenarioTest, RejectsUnknownCountry) {
  const Error error = ExpectError(Header() + "[groups]\nEAC = [\"KEN\", \"UGA\"]\n" +
                                  "[[shocks]]\nkind = \"agreement\"\nmembers = \"EAC\"\n"
                                  "coefficient = 0.5\n");
  EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
  EXPECT_NE(std::string(error.what()).find("(groups.EAC): unknown country or group 'UGA'"),
            std::string::npos)
      << error.what();
}

TEST_F(ScenarioTest, RejectsUnknownColumn) {
  std::string text = Header() + kKenJpnTariff;
  text.replace(text.find("baseline_year"), 0, "trade = \"flows\"\n");
  const Error error = ExpectError(text);
  EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
  EXPECT_NE(std::string(error.what()).find("(data.trade): column 'flows' is not in"),
            std::string::npos)
      << error.what();
}

TEST_F(ScenarioTest, RejectsMissingDomesticFlow) {
  const Error error = ExpectError(Header(2005) + kKenJpnTariff);
  EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
  EXPECT_NE(std::string(error.what()).find("domestic flow KEN->KEN is missing"), std::string::npos)
      << error.what();
}

TEST_F(ScenarioTest, RejectsYearWithoutRows) {
  const Error error = ExpectError(Header(1999) + kKenJpnTariff);
  EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
  EXPECT_NE(std::string(error.what()).find("no rows for baseline year 1999"), std::string::npos)
      << error.what();
}

TEST_F(ScenarioTest, RejectsNonSquareMatrix) {
  std::ofstream(fs::path(dir_) / "world.csv", std::ios::app) << "UGA,KEN,2006,5,0\n";
  const Error error = ExpectError(Header() + kKenJpnTariff);
  EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
  EXPECT_NE(
      std::string(error.what()).find("not square: 'UGA' is an exporter but never an importer"),
      std::string::npos)
      << error.what();
}

TEST_F(ScenarioTest, RejectsContradictoryTariffs) {
  const Error error = ExpectError(Header() + kKenJpnTariff +
                                  "[[shocks]]\nkind = \"tariff\"\nexporters = [\"KEN\", \"TZA\"]\n"
                                  "importers = \"JPN\"\nfrom_pct = 17\nto_pct = 5\n");
  EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
  EXPECT_NE(std::string(error.what())
                .find("test.toml:14:1 (shocks[1]): contradicts test.toml:8:1 (shocks[0]) on"),
            std::string::npos)
      << error.what();
  EXPECT_NE(std::string(error.what()).find("KEN->JPN"), std::string::npos);
}

TEST_F(ScenarioTest, RejectsUncertaintyWithoutEstimation) {
  const Error error = ExpectError(Header() + kKenJpnTariff + "[uncertainty]\nreplications = 10\n");
  EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
  EXPECT_NE(std::string(error.what()).find("needs an [estimation]"), std::string::npos)
      << error.what();
}

TEST_F(ScenarioTest, RejectsUnknownEstimatedTerm) {
  const Error error =
      ExpectError(Header() + "[estimation]\nformula = \"trade ~ rta | exporter + importer\"\n" +
                  "[[shocks]]\nkind = \"agreement\"\nmembers = [\"KEN\", \"TZA\"]\n"
                  "coefficient = \"estimated\"\nterm = \"RTA\"\n");
  EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
  EXPECT_NE(std::string(error.what()).find("term 'RTA' is not a regressor"), std::string::npos)
      << error.what();
}

TEST_F(ScenarioTest, RejectsShocksWithoutPairSelection) {
  const Error error =
      ExpectError(Header() + "[[shocks]]\nkind = \"trade_cost\"\nchange_pct = -5\n");
  EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
  EXPECT_NE(std::string(error.what()).find("no pairs selected"), std::string::npos) << error.what();
}

// Before: an integer beyond int was narrowed without a word (2^32 + 2006
// became baseline year 2006); every integer key is now checked against its range.
TEST_F(ScenarioTest, RejectsAnIntegerOutsideItsRange) {
  std::string text = Header() + kKenJpnTariff;
  text.replace(text.find("baseline_year = 2006"), 20, "baseline_year = 4294969302");
  const Error error = ExpectError(text);
  EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
  EXPECT_NE(std::string(error.what())
                .find("(data.baseline_year): must be between 1 and 9999, got "
                      "4294969302"),
            std::string::npos)
      << error.what();
}

TEST_F(ScenarioTest, RejectsRegressorShockWithoutTerm) {
  const Error error = ExpectError(Header() + "[[shocks]]\nkind = \"regressor\"\nmembers = \"*\"\n");
  EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
  EXPECT_NE(std::string(error.what()).find("needs term = "), std::string::npos) << error.what();
}

TEST_F(ScenarioTest, RejectsRegressorShockOnATermOutsideTheFormula) {
  const Error error =
      ExpectError(Header() + "[estimation]\nformula = \"trade ~ rta | exporter + importer\"\n" +
                  "[[shocks]]\nkind = \"regressor\"\nmembers = \"*\"\nterm = \"border\"\n");
  EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
  EXPECT_NE(std::string(error.what()).find("border"), std::string::npos) << error.what();
}

TEST_F(ScenarioTest, RejectsFittedCostsFromEstimationWithoutEstimation) {
  const Error error = ExpectError(
      Header(2006, "baseline = \"fitted\"\nfitted_costs = \"estimation\"") + kKenJpnTariff);
  EXPECT_EQ(error.code(), ErrorCode::kBadScenario);
  EXPECT_NE(std::string(error.what()).find("model.fitted_costs"), std::string::npos)
      << error.what();
}

TEST_F(ScenarioTest, FittedCostsDefaultToThePanelWithABaselineYear) {
  EXPECT_EQ(Parse(Header(2006, "baseline = \"fitted\"") + kKenJpnTariff).model.fitted_costs,
            FittedCosts::kPanel);
  const std::string cross =
      "name = \"t\"\n[data]\npath = \"world.csv\"\n[model]\nsigma = 5\nbaseline = "
      "\"fitted\"\n";
  EXPECT_EQ(Parse(cross + kKenJpnTariff).model.fitted_costs, FittedCosts::kEstimation);
}

// ---- B for each shock kind ------------------------------------------------

class PartialEffectsTest : public ScenarioTest {
 protected:
  Eigen::MatrixXd Build(const std::string& shocks,
                        const std::map<std::string, double>& coefficients = {}) const {
    const Scenario scenario = Parse(
        Header() + "[groups]\nEAC = [\"KEN\", \"TZA\"]\nRICH = [\"JPN\", \"USA\"]\n" + shocks);
    return BuildPartialEffects(scenario, kCodes, coefficients);
  }
  static int Index(const std::string& code) {
    return static_cast<int>(std::find(kCodes.begin(), kCodes.end(), code) - kCodes.begin());
  }
  // Every entry of B equals `expected` except those listed.
  static void ExpectOnly(const Eigen::MatrixXd& effects,
                         const std::map<std::pair<std::string, std::string>, double>& changed) {
    for (const auto& exporter : kCodes) {
      for (const auto& importer : kCodes) {
        const auto found = changed.find({exporter, importer});
        const double expected = found == changed.end() ? 1.0 : found->second;
        EXPECT_NEAR(effects(Index(exporter), Index(importer)), expected, 1e-14)
            << exporter << "->" << importer;
      }
    }
  }
};

TEST_F(PartialEffectsTest, AgreementWithinAGroup) {
  const auto effects =
      Build("[[shocks]]\nkind = \"agreement\"\nmembers = \"EAC\"\ncoefficient = 0.5\n");
  ExpectOnly(effects, {{{"KEN", "TZA"}, std::exp(0.5)}, {{"TZA", "KEN"}, std::exp(0.5)}});
}

TEST_F(PartialEffectsTest, EstimatedAgreementRemovedBetweenGroups) {
  const auto effects = Build(
      "[estimation]\nformula = \"trade ~ rta | exporter + importer\"\n"
      "[[shocks]]\nkind = \"agreement\"\nbetween = [\"EAC\", \"RICH\"]\n"
      "coefficient = \"estimated\"\nterm = \"rta\"\nremove = true\n",
      {{"rta", 0.3}});
  const double factor = std::exp(-0.3);
  ExpectOnly(effects, {{{"KEN", "JPN"}, factor},
                       {{"KEN", "USA"}, factor},
                       {{"TZA", "JPN"}, factor},
                       {{"TZA", "USA"}, factor},
                       {{"JPN", "KEN"}, factor},
                       {{"USA", "KEN"}, factor},
                       {{"JPN", "TZA"}, factor},
                       {{"USA", "TZA"}, factor}});
}

TEST_F(PartialEffectsTest, TariffIsDirected) {
  const auto effects = Build(kKenJpnTariff);
  // theta = 4: b = -4 ln(1.00 / 1.17), B = 1.17^4.
  ExpectOnly(effects, {{{"KEN", "JPN"}, std::pow(1.17, 4)}});
}

TEST_F(PartialEffectsTest, TariffAndNtbCombineMultiplicatively) {
  const auto effects = Build(std::string(kKenJpnTariff) +
                             "[[shocks]]\nkind = \"ntb\"\nexporters = \"EAC\"\n"
                             "importers = \"JPN\"\nfrom_pct = 10\nto_pct = 4\n");
  const double ntb = std::pow(1.10 / 1.04, 4);
  ExpectOnly(effects, {{{"KEN", "JPN"}, std::pow(1.17, 4) * ntb}, {{"TZA", "JPN"}, ntb}});
}

TEST_F(PartialEffectsTest, IdenticalTariffStatementsCountOnce) {
  const auto effects = Build(std::string(kKenJpnTariff) + kKenJpnTariff);
  ExpectOnly(effects, {{{"KEN", "JPN"}, std::pow(1.17, 4)}});
}

TEST_F(PartialEffectsTest, TradeCostBySide) {
  const double cut = std::pow(0.9, -4);  // tau falls 10%: B = 0.9^-theta
  ExpectOnly(Build("[[shocks]]\nkind = \"trade_cost\"\ncountry = \"KEN\"\nside = \"exports\"\n"
                   "change_pct = -10\n"),
             {{{"KEN", "JPN"}, cut}, {{"KEN", "TZA"}, cut}, {{"KEN", "USA"}, cut}});
  ExpectOnly(Build("[[shocks]]\nkind = \"trade_cost\"\ncountry = \"KEN\"\nside = \"imports\"\n"
                   "change_pct = -10\n"),
             {{{"JPN", "KEN"}, cut}, {{"TZA", "KEN"}, cut}, {{"USA", "KEN"}, cut}});
  // Both sides: each pair touching KEN once.
  ExpectOnly(Build("[[shocks]]\nkind = \"trade_cost\"\ncountry = \"KEN\"\nchange_pct = -10\n"),
             {{{"KEN", "JPN"}, cut},
              {{"KEN", "TZA"}, cut},
              {{"KEN", "USA"}, cut},
              {{"JPN", "KEN"}, cut},
              {{"TZA", "KEN"}, cut},
              {{"USA", "KEN"}, cut}});
}

TEST_F(PartialEffectsTest, TradeCostChangesCompose) {
  const auto effects = Build(
      "[[shocks]]\nkind = \"trade_cost\"\nmembers = \"EAC\"\nchange_pct = -10\n"
      "[[shocks]]\nkind = \"trade_cost\"\nexporters = \"KEN\"\nimporters = \"TZA\"\n"
      "change_pct = 5\n");
  ExpectOnly(effects,
             {{{"KEN", "TZA"}, std::pow(0.9 * 1.05, -4)}, {{"TZA", "KEN"}, std::pow(0.9, -4)}});
}

TEST_F(PartialEffectsTest, GoalOverrideReplacesTheSize) {
  const Scenario scenario =
      Parse(Header() +
            "[groups]\nEAC = [\"KEN\", \"TZA\"]\n"
            "[[shocks]]\nname = \"cut\"\nkind = \"trade_cost\"\nmembers = \"EAC\"\n"
            "change_pct = -10\n");
  const auto effects = BuildPartialEffects(scenario, kCodes, {}, {0, -20.0});
  EXPECT_NEAR(effects(Index("KEN"), Index("TZA")), std::pow(0.8, -4), 1e-14);
}

// ---- A whole run on the small world ----------------------------------------

TEST_F(ScenarioTest, RunsAndWritesAllOutputsAtomically) {
  Scenario scenario = Parse(Header() + "[groups]\nEAC = [\"KEN\", \"TZA\"]\n" + kKenJpnTariff +
                            "[output]\nfocus = \"KEN->JPN\"\n");
  RunOptions options;
  options.quiet = true;
  const ScenarioOutcome outcome = RunScenario(scenario, options);
  ASSERT_TRUE(outcome.ge.converged());
  // KEN's exports to JPN rise; the partial effect 1.17^4 - 1 bounds the GE change.
  const double change = outcome.ge.flow_change_pct(1, 0);
  EXPECT_GT(change, 0);
  EXPECT_LT(change, 100 * (std::pow(1.17, 4) - 1));
  const std::string folder = (fs::path(dir_) / "out").string();
  WriteScenarioOutputs(outcome, folder);
  for (const char* file : {"countries.csv", "pairs.csv", "groups.csv", "focus.csv", "results.json",
                           "report/report.md"}) {
    EXPECT_TRUE(fs::exists(fs::path(folder) / file)) << file;
  }
  // Writing again replaces the earlier result; no temporary folder is left.
  WriteScenarioOutputs(outcome, folder);
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 2);  // world.csv and out
  // A folder holding something else is not replaced.
  const std::string other = (fs::path(dir_) / "other").string();
  fs::create_directories(other);
  std::ofstream(fs::path(other) / "keep.txt") << "x";
  try {
    WriteScenarioOutputs(outcome, other);
    ADD_FAILURE() << "replaced a foreign folder";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kOutputFailed);
  }
  EXPECT_TRUE(fs::exists(fs::path(other) / "keep.txt"));
}

// The report of any scenario opens with a title from its description (not
// its id) and a summary: one headline sentence and one chart.
TEST_F(ScenarioTest, ReportTitleFromDescriptionAndAdviserSummary) {
  const std::string described =
      "description = \"Japan drops its 17% tariff on Kenya; a 4-country "
      "test world\"\n" +
      Header();
  Scenario scenario = Parse(described + "[groups]\nEAC = [\"KEN\", \"TZA\"]\n" + kKenJpnTariff +
                            "[output]\nfocus = \"KEN->JPN\"\n");
  RunOptions options;
  options.quiet = true;
  const ScenarioOutcome outcome = RunScenario(scenario, options);
  const ReportDocument doc = BuildScenarioReport(outcome);
  EXPECT_EQ(doc.title, "Japan drops its 17% tariff on Kenya");
  EXPECT_EQ(doc.subtitle,
            "Japan drops its 17% tariff on Kenya; a 4-country test world (scenario t)");
  ASSERT_FALSE(doc.sections.empty());
  const ReportSection& summary = doc.sections.front();
  EXPECT_EQ(summary.heading, kScenarioSummaryHeading);
  ASSERT_EQ(summary.blocks.size(), 2U);
  const std::string headline = std::get<ReportParagraph>(summary.blocks[0]).text;
  // The focus pair's change (KEN row 1 -> JPN column 0) and the country whose
  // real GDP moves most, found here by a plain search.
  EXPECT_NE(headline.find(fmt::format(
                "Exports from KEN to JPN change by {}",
                FormatShown(outcome.ge.flow_change_pct(1, 0), ValueKind::kPercent, 2, true))),
            std::string::npos)
      << headline;
  Eigen::Index top = 0;
  outcome.ge.countries.real_gdp_change_pct.cwiseAbs().maxCoeff(&top);
  EXPECT_NE(headline.find("Real GDP changes most in " + kCodes[static_cast<size_t>(top)]),
            std::string::npos)
      << headline;
  const auto* shares = std::get_if<GroupedBarChart>(&summary.blocks[1]);
  ASSERT_NE(shares, nullptr);
  EXPECT_EQ(shares->categories, std::vector<std::string>{"EAC"});
  EXPECT_DOUBLE_EQ(shares->values[1][0], 100 * outcome.ge.groups[0].intra_share_after);

  // Without a description the id is the title.
  const ScenarioOutcome plain = RunScenario(Parse(Header() + kKenJpnTariff), options);
  EXPECT_EQ(BuildScenarioReport(plain).title, "t");
}

}  // namespace
}  // namespace mizani

namespace mizani {
namespace {

// kind = "regressor": b_ij = beta (to - x_ij) with the pair's own baseline
// value, so pairs with x = 1 move by exp(-beta), pairs with x = 0 not at all
// and a pair with x = 2 by exp(-2 beta); pairs without a value keep B = 1.
TEST(RegressorShock, PartialEffectIsTheTermChangedPerPair) {
  const std::vector<std::string> codes = {"AAA", "BBB", "CCC"};
  Scenario scenario;
  scenario.model.theta = 4;
  Shock shock;
  shock.name = "no-border";
  shock.pairs.members.entries = {"*"};
  RegressorShock regressor;
  regressor.term = "border";
  regressor.to = 0;
  regressor.baseline_values = {{{"AAA", "BBB"}, 1},
                               {{"BBB", "AAA"}, 1},
                               {{"AAA", "CCC"}, 0},
                               {{"CCC", "AAA"}, 2},
                               {{"BBB", "CCC"}, 1}};
  shock.spec = regressor;
  scenario.shocks.push_back(shock);
  const double beta = -2.474;
  const Eigen::MatrixXd effects = BuildPartialEffects(scenario, codes, {{"border", beta}});
  EXPECT_DOUBLE_EQ(effects(0, 1), std::exp(-beta));
  EXPECT_DOUBLE_EQ(effects(1, 0), std::exp(-beta));
  EXPECT_DOUBLE_EQ(effects(0, 2), 1.0);
  EXPECT_DOUBLE_EQ(effects(2, 0), std::exp(-2 * beta));
  EXPECT_DOUBLE_EQ(effects(1, 2), std::exp(-beta));
  EXPECT_DOUBLE_EQ(effects(2, 1), 1.0);  // no value: unchanged
  for (int country_idx = 0; country_idx < 3; ++country_idx) {
    EXPECT_DOUBLE_EQ(effects(country_idx, country_idx), 1.0);
  }
  // Goal seeking's size replaces `to`: half the border kept.
  const Eigen::MatrixXd half = BuildPartialEffects(scenario, codes, {{"border", beta}}, {0, 0.5});
  EXPECT_DOUBLE_EQ(half(0, 1), std::exp(beta * (0.5 - 1)));
  // A second shock setting another term on the same pairs does not conflict;
  // one setting the same term to another value does.
  Shock other = shock;
  other.name = "other";
  std::get<RegressorShock>(other.spec).term = "rta";
  scenario.shocks.push_back(other);
  EXPECT_NO_THROW(BuildPartialEffects(scenario, codes, {{"border", beta}, {"rta", 0.5}}));
  std::get<RegressorShock>(scenario.shocks[1].spec).term = "border";
  std::get<RegressorShock>(scenario.shocks[1].spec).to = 1;
  EXPECT_THROW(BuildPartialEffects(scenario, codes, {{"border", beta}}), Error);
}

}  // namespace
}  // namespace mizani

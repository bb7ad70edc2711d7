// Data tests for the PE engine on ../shared/data (skipped when absent):
// elasticity tables against the values quoted in trade_elasticities/SOURCE.md,
// the example scenario end to end, and the potential-trade PPML against
// statsmodels run independently on the same comparables.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "mizani/pe.h"
#include "mizani/pe_scenario.h"
#include "mizani/read.h"
#include "pe/inputs.h"

namespace mizani::pe {
namespace {

namespace fs = std::filesystem;

std::string SharedData() {
  const char* env = std::getenv("MIZANI_SHARED_DATA");
  return env != nullptr ? std::string(env) : std::string(MIZANI_SHARED_DATA_DIR);
}

#define REQUIRE_SHARED(path)                                                    \
  if (!fs::exists(SharedData() + "/" + (path))) {                               \
    GTEST_SKIP() << "shared data not found: " << SharedData() << "/" << (path); \
  }

TEST(PeData, ElasticityTablesMatchSourceNotes) {
  REQUIRE_SHARED("trade_elasticities/broda_weinstein_sigma_hs0_3digit.csv");
  ElasticityTables tables;
  tables.LoadBrodaWeinstein(SharedData() +
                            "/trade_elasticities/broda_weinstein_sigma_hs0_3digit.csv");
  tables.LoadProtee(SharedData() + "/trade_elasticities/cepii_protee_0_1_hs6.csv");
  Elasticity e;
  // SOURCE.md: JPN 060 = 1.424, 080 = 1.707, 090 = 2.024; USA 060 = 5.790.
  ASSERT_TRUE(tables.BrodaWeinstein("JPN", "060390", &e));
  EXPECT_NEAR(e.value, 1.424, 5e-4);
  ASSERT_TRUE(tables.BrodaWeinstein("JPN", "080440", &e));
  EXPECT_NEAR(e.value, 1.707, 5e-4);
  ASSERT_TRUE(tables.BrodaWeinstein("JPN", "090240", &e));
  EXPECT_NEAR(e.value, 2.024, 5e-4);
  EXPECT_EQ(e.source, ElasticitySource::kBrodaWeinstein);
  ASSERT_TRUE(tables.BrodaWeinstein("USA", "060311", &e));
  EXPECT_NEAR(e.value, 5.790, 5e-4);
  EXPECT_FALSE(tables.BrodaWeinstein("KEN", "090240", &e));  // Kenya is not among the 73
  // SOURCE.md: 090240 -5.410, 080440 -8.859, 060311 -1.368.
  ASSERT_TRUE(tables.Protee("090240", &e));
  EXPECT_NEAR(e.value, 5.410, 5e-4);
  ASSERT_TRUE(tables.Protee("080440", &e));
  EXPECT_NEAR(e.value, 8.859, 5e-4);
  ASSERT_TRUE(tables.Protee("060311", &e));
  EXPECT_NEAR(e.value, 1.368, 5e-4);
  EXPECT_FALSE(tables.Protee("010110", &e));  // empty in ProTEE
}

TEST(PeData, EachLineUsesTheFirstAvailableElasticityAndSaysWhich) {
  REQUIRE_SHARED("trade_elasticities/broda_weinstein_sigma_hs0_3digit.csv");
  const fs::path dir =
      fs::temp_directory_path() / ("mizani_pe_elasticity_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    // Japan has a Broda-Weinstein sigma for HS3 090; Kenya (as importer) has
    // none, so its tea line falls back to ProTEE; 080262 (HS2012) is not in
    // ProTEE (HS2007), so Kenya's macadamia line falls back to WITS's 1.5.
    std::ofstream table(dir / "lines.csv");
    table << "reporter,partner,product,trade_value,tariff\n"
             "JPN,KEN,090240,100,10\nJPN,LKA,090240,300,10\n"
             "KEN,UGA,090240,50,25\nKEN,TZA,090240,50,25\n"
             "KEN,UGA,080262,5,25\n";
    std::ofstream toml(dir / "s.toml");
    toml << "[inputs]\ntable = \"lines.csv\"\n"
            "[elasticities]\nimport_demand = -1.2\n"
            "substitution = [\"broda_weinstein\", \"protee\", \"wits\"]\n"
            "broda_weinstein = "
            "\"shared:trade_elasticities/broda_weinstein_sigma_hs0_3digit.csv\"\n"
            "protee = \"shared:trade_elasticities/cepii_protee_0_1_hs6.csv\"\n"
            "[[change]]\npartners = [\"KEN\", \"UGA\"]\ntariff = 0\n";
  }
  const PeScenario scenario = LoadPeScenario((dir / "s.toml").string(), SharedData());
  const PeRun run = RunPeScenario(scenario);
  fs::remove_all(dir);
  ASSERT_EQ(run.smart.lines.size(), 3u);
  std::map<std::string, Elasticity> used;
  for (const SmartLineResult& line : run.smart.lines) {
    used[line.market + line.product] = line.substitution;
    EXPECT_EQ(line.export_supply.value, kWitsExportSupplyElasticity);
    EXPECT_EQ(line.export_supply.source, ElasticitySource::kWitsDefault);
  }
  EXPECT_EQ(used["JPN090240"].source, ElasticitySource::kBrodaWeinstein);
  EXPECT_NEAR(used["JPN090240"].value, 2.024, 5e-4);  // SOURCE.md
  EXPECT_EQ(used["KEN090240"].source, ElasticitySource::kProtee);
  EXPECT_NEAR(used["KEN090240"].value, 5.410, 5e-4);  // SOURCE.md
  EXPECT_EQ(used["KEN080262"].source, ElasticitySource::kWitsDefault);
  EXPECT_EQ(used["KEN080262"].value, kWitsSubstitutionElasticity);
}

TEST(PeData, ExampleScenarioRunsAndStatesCellsToFill) {
  REQUIRE_SHARED("baci_hs17_2020_zaf_partial_sample/ExampleTradeData_BACI_HS17_2020.csv.gz");
  const PeScenario scenario = LoadPeScenario(
      std::string(MIZANI_SOURCE_DIR) + "/examples/kenya_japan_products.toml", SharedData());
  const PeRun run = RunPeScenario(scenario);
  EXPECT_FALSE(run.to_fill.empty());
  bool avocado_reported = false;
  for (const LineStatus& line : run.lines) {
    if (line.product == "080440") avocado_reported = true;
  }
  EXPECT_TRUE(avocado_reported);
  ASSERT_TRUE(run.potential.has_value());
  EXPECT_TRUE(run.potential->converged);
  EXPECT_GT(run.potential->predicted, 0);
}

TEST(PeData, PotentialTradeMatchesStatsmodels) {
  REQUIRE_SHARED("baci_hs17_2020_zaf_partial_sample/ExampleTradeData_BACI_HS17_2020.csv.gz");
  REQUIRE_SHARED("cepii_geodist/dist_cepii.csv.gz");
  if (!fs::exists(MIZANI_PYTHON)) GTEST_SKIP() << "no " << MIZANI_PYTHON;
  MarketAccessSpec spec;
  spec.product = "080440";
  spec.target = "JPN";
  spec.exporter = "ZAF";
  spec.baci =
      SharedData() + "/baci_hs17_2020_zaf_partial_sample/ExampleTradeData_BACI_HS17_2020.csv.gz";
  spec.country_codes =
      SharedData() + "/baci_hs17_2020_zaf_partial_sample/baci_country_codes_V202201.csv";
  spec.distances = SharedData() + "/cepii_geodist/dist_cepii.csv.gz";
  std::map<std::string, double> target;
  const Table comparables = BuildComparables(spec, &target);
  const PotentialTradeEstimate est =
      EstimatePotentialTrade(comparables, "trade", {"ln_dist", "ln_total"}, target);
  ASSERT_TRUE(est.converged);
  const fs::path dir = fs::temp_directory_path() / ("mizani_pe_ppml_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  WriteCsv(comparables, (dir / "comparables.csv").string());
  const std::string script = (dir / "fit.py").string();
  {
    std::ofstream out(script);
    out << "import sys, math, pandas as pd, statsmodels.api as sm\n"
           "d = pd.read_csv(sys.argv[1])\n"
           "X = sm.add_constant(d[['ln_dist', 'ln_total']])\n"
           "r = sm.GLM(d['trade'], X, family=sm.families.Poisson()).fit(tol=1e-12)\n"
           "p = r.params\n"
           "print(p['const'], p['ln_dist'], p['ln_total'],\n"
           "      math.exp(p['const'] + p['ln_dist'] * float(sys.argv[2]) + p['ln_total'] * "
           "float(sys.argv[3])))\n";
  }
  const std::string command =
      std::string(MIZANI_PYTHON) + " " + script + " " + (dir / "comparables.csv").string() + " " +
      std::to_string(target.at("ln_dist")) + " " + std::to_string(target.at("ln_total")) + " > " +
      (dir / "out.txt").string();
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream in(dir / "out.txt");
  double b0 = 0, b_dist = 0, b_total = 0, predicted = 0;
  in >> b0 >> b_dist >> b_total >> predicted;
  fs::remove_all(dir);
  ASSERT_EQ(est.coef_names.size(), 3u);
  EXPECT_NEAR(est.coefficients[0], b0, 1e-5 * (1 + std::abs(b0)));
  EXPECT_NEAR(est.coefficients[1], b_dist, 1e-5 * (1 + std::abs(b_dist)));
  EXPECT_NEAR(est.coefficients[2], b_total, 1e-5 * (1 + std::abs(b_total)));
  // std::to_string prints 6 decimals of the target's regressors.
  EXPECT_NEAR(est.predicted, predicted, 1e-4 * predicted);
}

}  // namespace
}  // namespace mizani::pe

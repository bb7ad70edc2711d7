// The wider-world construction on a three-country world small enough to
// check by hand, and its errors on bad input (file, row and column named).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "mizani/error.h"
#include "mizani/world.h"
#include "test_support.h"

namespace mizani {
namespace {

namespace fs = std::filesystem;

class WorldInput : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("mizani-world"); }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (fs::path(dir_) / name).string();
    std::ofstream(path) << text;
    return path;
  }

  world::BuildOptions Options(const std::string& flows_text) {
    world::BuildOptions options;
    options.flows_path = Write("flows.csv", flows_text);
    options.geography_path = Write("geo.csv",
                                   "iso3,continent\n"
                                   "AAA,Africa\nBBB,Africa\nBBB,Africa\nCCC,Asia\n");
    return options;
  }

  // Expects `build` to throw an Error with `code` whose message holds `part`.
  static void ExpectError(const world::BuildOptions& options, ErrorCode code,
                          const std::string& part) {
    try {
      world::BuildWorldBaseline(options);
      ADD_FAILURE() << "no error; expected one containing: " << part;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), code) << e.what();
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  }

  std::string dir_;
};

// GDP 100, 50, 200; AAA exports 30 (BBB 10, CCC 20), BBB 60 > 0.9 x GDP, CCC 5.
const char* const kThree =
    "iso_o,iso_d,flow,gdp_o,rta\n"
    "AAA,BBB,10,100,1\n"
    "AAA,CCC,20,100,0\n"
    "BBB,AAA,40,50,1\n"
    "BBB,CCC,20,50,0\n"
    "CCC,AAA,5,200,0\n";

TEST_F(WorldInput, DomesticSalesAreGdpLessExportsAboveTheFloor) {
  const world::WorldBaseline world = world::BuildWorldBaseline(Options(kThree));
  ASSERT_EQ(world.size(), 3);
  // AAA: 100 - 30; BBB: 50 - 60 < 5 so the floor 0.1 x 50; CCC: 200 - 5.
  EXPECT_DOUBLE_EQ(world.flows[0], 70);
  EXPECT_DOUBLE_EQ(world.flows[4], 5);
  EXPECT_DOUBLE_EQ(world.flows[8], 195);
  EXPECT_FALSE(world.accounts[0].floored);
  EXPECT_TRUE(world.accounts[1].floored);
  // CCC->BBB has no row: a zero flow, counted as absent.
  EXPECT_EQ(world.absent_pairs, 1);
  EXPECT_DOUBLE_EQ(world.flows[2 * 3 + 1], 0);
  EXPECT_DOUBLE_EQ(world.agreement[0 * 3 + 1], 1);
  EXPECT_DOUBLE_EQ(world.accounts[0].imports, 45);
  // Group {AAA, BBB}: intra 10 + 40 of exports 30 + 60; of trade 2 x 50 / (90 + 55).
  EXPECT_DOUBLE_EQ(world::IntraGroupExportShare(world), 50.0 / 90.0);
  EXPECT_DOUBLE_EQ(world::IntraGroupTradeShare(world), 100.0 / 145.0);
  const Table pairs = world::PairTable(world);
  EXPECT_EQ(pairs.num_rows, 9U);
}

TEST_F(WorldInput, GdpShareMethodIsTheRatio) {
  world::BuildOptions options = Options(kThree);
  options.method = world::DomesticMethod::kGdpShare;
  options.domestic_share = 0.5;
  const world::WorldBaseline world = world::BuildWorldBaseline(options);
  EXPECT_DOUBLE_EQ(world.flows[0], 50);
  EXPECT_DOUBLE_EQ(world.flows[4], 25);
  EXPECT_DOUBLE_EQ(world.flows[8], 100);
}

TEST_F(WorldInput, BadInputNamesFileRowAndColumn) {
  ExpectError(Options("iso_o,iso_d,flow,gdp_o,rta\nAAA,BBB,-1,100,0\nBBB,AAA,1,50,0\n"),
              ErrorCode::kBadData, "row 1, column 'flow'");
  ExpectError(Options("iso_o,iso_d,flow,gdp_o,rta\nAAA,BBB,1,100,0\nAAA,BBB,2,100,0\n"
                      "BBB,AAA,1,50,0\n"),
              ErrorCode::kBadData, "row 2, column 'iso_d': the pair AAA->BBB appears twice");
  ExpectError(Options("iso_o,iso_d,flow,gdp_o,rta\nAAA,AAA,1,100,0\n"), ErrorCode::kBadData,
              "a domestic pair (AAA->AAA)");
  ExpectError(Options("iso_o,iso_d,flow,gdp_o,rta\nAAA,BBB,1,100,0\nBBB,AAA,1,60,0\n"
                      "AAA,CCC,1,90,0\nCCC,AAA,1,9,0\n"),
              ErrorCode::kBadData, "row 3, column 'gdp_o': GDP of AAA is 90");
  ExpectError(Options("iso_o,iso_d,flow,gdp_o,rta\nAAA,BBB,1,100,0\n"), ErrorCode::kBadData,
              "BBB imports but never exports");
  ExpectError(Options("iso_o,iso_d,flow,gdp_o,rta\nAAA,BBB,,100,0\nBBB,AAA,1,50,0\n"),
              ErrorCode::kBadData, "row 1, column 'flow'");
  world::BuildOptions options = Options(kThree);
  options.domestic_share = 0;
  ExpectError(options, ErrorCode::kBadScenario, "out of range");
  options = Options(kThree);
  options.flows_path = (fs::path(dir_) / "absent.csv").string();
  ExpectError(options, ErrorCode::kFileUnreadable, "absent.csv");
  options = Options(kThree);
  options.distances_path =
      Write("dist.csv",
            "iso_o,iso_d,distw,dist,contig,comlang_off,colony,smctry\nAAA,BBB,10,10,0,0,0,0\n");
  ExpectError(options, ErrorCode::kBadData, "no row for the pair AAA->AAA");
}

// A ring of kMaxCountries + 1 exporters (a 30 KB file) would need nine arrays
// of (N + 1)^2 cells: refused before any is made.
TEST_F(WorldInput, TooManyCountriesAreRefusedBeforeTheArraysAreMade) {
  const auto ring = [](size_t count) {
    std::string text = "iso_o,iso_d,flow,gdp_o,rta\n";
    for (size_t idx = 0; idx < count; ++idx) {
      text += fmt::format("C{},C{},1,100,0\n", idx, (idx + 1) % count);
    }
    return text;
  };
  world::BuildOptions options;
  options.flows_path = Write("ring.csv", ring(world::kMaxCountries + 1));
  ExpectError(options, ErrorCode::kBadData, "2001 countries export");
  // A small ring is a baseline (absent pairs are zero flows).
  options.flows_path = Write("ring.csv", ring(5));
  EXPECT_EQ(world::BuildWorldBaseline(options).absent_pairs, 5 * 5 - 5 - 5);
}

}  // namespace
}  // namespace mizani

// The gegravity (USITC, P. Herman) example on its 30-country 2006 sample: a
// Canada-Japan preferential trade agreement. The coefficient 0.4711383 and
// sigma = 5 are those of the gegravity documentation's example (a PPML
// estimate with exporter and importer fixed effects); gegravity simulates
// from its fitted baseline, we from the observed flows, so only signs and
// magnitudes are compared with its published output (CAN foreign exports
// +1.57%, imports +1.50%).
//
// The CSV is parsed here by a small local reader (the data layer lives on
// another branch); it has 900 rows and no quoting.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "mizani/ge.h"
#include "test_support.h"

namespace mizani {
namespace {

constexpr char kSample[] = "gegravity_sample_2006/sample_data_set.csv";
constexpr double kPtaCoefficient = 0.4711383;
constexpr double kTheta = 4.0;  // sigma = 5

struct Sample {
  std::vector<std::string> codes;
  Eigen::MatrixXd flows;
  Eigen::MatrixXd pta;
};

std::vector<std::string> SplitComma(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  std::string field;
  while (std::getline(stream, field, ',')) fields.push_back(field);
  return fields;
}

Sample ReadSample(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = SplitComma(line);
  auto column = [&](const std::string& name) {
    const auto found = std::find(header.begin(), header.end(), name);
    EXPECT_NE(found, header.end()) << "column " << name << " missing in " << path;
    return static_cast<size_t>(found - header.begin());
  };
  const size_t exporter_col = column("exporter");
  const size_t importer_col = column("importer");
  const size_t trade_col = column("trade");
  const size_t pta_col = column("pta");
  std::vector<std::vector<std::string>> rows;
  std::map<std::string, int> index;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    rows.push_back(SplitComma(line));
    index[rows.back().at(exporter_col)] = 0;
  }
  Sample sample;
  for (auto& [code, country_idx] : index) {
    country_idx = static_cast<int>(sample.codes.size());
    sample.codes.push_back(code);
  }
  const int num_countries = static_cast<int>(sample.codes.size());
  sample.flows = Eigen::MatrixXd::Constant(num_countries, num_countries, -1);
  sample.pta = Eigen::MatrixXd::Zero(num_countries, num_countries);
  for (const std::vector<std::string>& row : rows) {
    const int exporter_idx = index.at(row.at(exporter_col));
    const int importer_idx = index.at(row.at(importer_col));
    sample.flows(exporter_idx, importer_idx) = std::stod(row.at(trade_col));
    sample.pta(exporter_idx, importer_idx) = std::stod(row.at(pta_col));
  }
  return sample;
}

int IndexOf(const Sample& sample, const std::string& code) {
  return static_cast<int>(std::find(sample.codes.begin(), sample.codes.end(), code) -
                          sample.codes.begin());
}

TEST(GeGegravitySample, CanadaJapanAgreement) {
  MIZANI_REQUIRE_SHARED(path, kSample);
  const Sample sample = ReadSample(path);
  ASSERT_EQ(sample.codes.size(), 30u);
  ASSERT_GE(sample.flows.minCoeff(), 0.0) << "the sample is not a complete 30 x 30 square";
  const int canada = IndexOf(sample, "CAN");
  const int japan = IndexOf(sample, "JPN");
  ASSERT_LT(canada, 30);
  ASSERT_LT(japan, 30);
  ASSERT_EQ(sample.pta(canada, japan), 0.0);
  ASSERT_EQ(sample.pta(japan, canada), 0.0);

  const Eigen::MatrixXd effects = AgreementPartialEffects(30, {canada, japan}, kPtaCoefficient);
  GeOptions options;
  options.groups["CAN-JPN"] = {canada, japan};
  const GeResult result = SolveGe(sample.flows, sample.codes, kTheta, effects, options);
  ASSERT_TRUE(result.converged()) << result.message;
  EXPECT_LE(result.market_clearing_residual, 1e-10);
  EXPECT_LE(result.budget_residual, 1e-10);
  EXPECT_LT(result.iterations, 60);

  // Bilateral flows between the partners rise by about the partial effect
  // (+60.2%); the GE effect can exceed it as Canada's factory-gate price falls.
  for (auto [from, to] : {std::pair{canada, japan}, std::pair{japan, canada}}) {
    EXPECT_GT(result.flow_change_pct(from, to), 40.0);
    EXPECT_LT(result.flow_change_pct(from, to), 70.0);
  }
  // Trade diversion. In Canada's market third countries lose share and sell
  // less in value. Japan's own producers bear the diversion in its market:
  // Japan's factory-gate price rises relative to the world, so its domestic
  // share falls (welfare rises, as ACR requires) while third countries' shares
  // there rise slightly (+0.2% to +0.5% in value).
  const Eigen::VectorXd& expenditure_before = result.countries.expenditure_before;
  const Eigen::VectorXd& expenditure_after = result.countries.expenditure_after;
  auto share_before = [&](int from, int to) {
    return sample.flows(from, to) / expenditure_before(to);
  };
  auto share_after = [&](int from, int to) {
    return result.new_flows(from, to) / expenditure_after(to);
  };
  for (int exporter_idx = 0; exporter_idx < 30; ++exporter_idx) {
    if (exporter_idx == canada || exporter_idx == japan) continue;
    EXPECT_LT(result.flow_change_pct(exporter_idx, canada), 0) << sample.codes[exporter_idx];
    EXPECT_LT(share_after(exporter_idx, canada), share_before(exporter_idx, canada))
        << sample.codes[exporter_idx];
    EXPECT_LT(result.flow_change_pct(exporter_idx, japan), 1.0) << sample.codes[exporter_idx];
  }
  EXPECT_LT(share_after(japan, japan), share_before(japan, japan));
  EXPECT_LT(share_after(canada, canada), share_before(canada, canada));
  // Canada's foreign trade grows by about 1-2% (gegravity: +1.57% / +1.50%),
  // its domestic sales fall (gegravity: -1.94%); both partners gain.
  const GeCountryResults& countries = result.countries;
  EXPECT_GT(countries.exports_change_pct(canada), 0.5);
  EXPECT_LT(countries.exports_change_pct(canada), 4.0);
  EXPECT_GT(countries.imports_change_pct(canada), 0.5);
  EXPECT_LT(countries.imports_change_pct(canada), 4.0);
  EXPECT_LT(result.flow_change_pct(canada, canada), 0);
  EXPECT_GT(countries.welfare_change_pct(canada), 0);
  EXPECT_GT(countries.welfare_change_pct(japan), 0);
  ASSERT_EQ(result.groups.size(), 1u);
  EXPECT_GT(result.groups[0].intra_share_after, result.groups[0].intra_share_before);

  std::printf(
      "CAN-JPN PTA (b = %.7f, sigma = 5): %d iterations, market clearing %.2e; CAN exports "
      "%+.3f%% imports %+.3f%% welfare %+.4f%%; JPN exports %+.3f%% welfare %+.4f%%; "
      "CAN->JPN %+.2f%%, JPN->CAN %+.2f%%\n",
      kPtaCoefficient, result.iterations, result.market_clearing_residual,
      countries.exports_change_pct(canada), countries.imports_change_pct(canada),
      countries.welfare_change_pct(canada), countries.exports_change_pct(japan),
      countries.welfare_change_pct(japan), result.flow_change_pct(canada, japan),
      result.flow_change_pct(japan, canada));

  // The same scenario in conditional GE and with the reference-importer
  // normalisation of the gegravity example (DEU): flows clear as well.
  options.normalization = Normalization::kReferencePrice;
  options.reference_country = IndexOf(sample, "DEU");
  const GeResult by_germany = SolveGe(sample.flows, sample.codes, kTheta, effects, options);
  ASSERT_TRUE(by_germany.converged()) << by_germany.message;
  EXPECT_NEAR(by_germany.countries.inward_resistance_hat(options.reference_country), 1.0, 1e-13);
  EXPECT_LT((by_germany.countries.welfare_change_pct - countries.welfare_change_pct)
                .cwiseAbs()
                .maxCoeff(),
            1e-7);
  options.mode = GeMode::kConditional;
  const GeResult conditional = SolveGe(sample.flows, sample.codes, kTheta, effects, options);
  ASSERT_TRUE(conditional.converged()) << conditional.message;
  EXPECT_LE(conditional.market_clearing_residual, 1e-10);
  EXPECT_GT(conditional.flow_change_pct(canada, japan), result.flow_change_pct(canada, japan) - 5);
}

}  // namespace
}  // namespace mizani

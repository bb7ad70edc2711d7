// EstimateResult through bytes and back (estimate/result_wire.h): what
// `--by` under MPI sends between ranks must arrive bit for bit.
#include "estimate/result_wire.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include "mizani/error.h"

namespace mizani::estimate {
namespace {

bool SameBits(double a, double b) {
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

TEST(ResultWireTest, RoundTripKeepsEveryField) {
  EstimateResult result;
  result.termination = Termination::kConverged;
  result.message = "converged: relative deviance change 1e-9 < 1e-8";
  result.family = Family::kGaussian;
  result.formula = "trade ~ rta | exporter";
  result.coef_names = {"rta", "ln_dist"};
  result.coef = Eigen::Vector2d(0.1 + 0.2, -std::numeric_limits<double>::denorm_min());
  result.vcov.resize(2, 2);
  result.vcov << 1.0 / 3, 2e-300, 2e-300, std::nan("");
  result.collinear = {"sep"};
  result.vcov_description = "clustered by pair_id (12 clusters)";
  result.num_clusters = {12, 7};
  result.num_obs = 1234567890123;
  result.rows_read = 42;
  result.dropped = {{DropReason::kSeparated, 6}, {DropReason::kSingleton, 1}};
  result.iterations = 9;
  result.fe_iterations = 77;
  result.deviance = 515909.2384;
  result.null_deviance = 734155.4836;
  result.pseudo_r2 = 0.25;
  result.deviance_r2 = 1.0 / 7;
  result.log_likelihood = -1e6;
  result.rss = 3.5;
  result.fe_dof = 31;
  result.seconds_irls = 0.125;
  result.fixed_effects = {{"exporter", {"A", "B", ""}, {0.5, -0.25, 1e-17}}};
  result.fe_normalisation = "first level of dimensions 2+ at zero";

  std::string bytes;
  WriteResult(result, bytes);
  WriteInt(-5, bytes);  // something after it: the reader stops at its end
  std::string_view in = bytes;
  const EstimateResult back = ReadResult(in);
  EXPECT_EQ(ReadInt(in), -5);
  EXPECT_TRUE(in.empty());

  EXPECT_EQ(back.termination, result.termination);
  EXPECT_EQ(back.message, result.message);
  EXPECT_EQ(back.family, result.family);
  EXPECT_EQ(back.formula, result.formula);
  EXPECT_EQ(back.coef_names, result.coef_names);
  ASSERT_EQ(back.coef.size(), 2);
  for (int idx = 0; idx < 2; ++idx) EXPECT_TRUE(SameBits(back.coef[idx], result.coef[idx]));
  ASSERT_EQ(back.vcov.rows(), 2);
  ASSERT_EQ(back.vcov.cols(), 2);
  for (int idx = 0; idx < 4; ++idx)
    EXPECT_TRUE(SameBits(back.vcov.data()[idx], result.vcov.data()[idx]));
  EXPECT_EQ(back.collinear, result.collinear);
  EXPECT_EQ(back.vcov_description, result.vcov_description);
  EXPECT_EQ(back.num_clusters, result.num_clusters);
  EXPECT_EQ(back.num_obs, result.num_obs);
  EXPECT_EQ(back.rows_read, result.rows_read);
  EXPECT_EQ(back.dropped, result.dropped);
  EXPECT_EQ(back.iterations, result.iterations);
  EXPECT_EQ(back.fe_iterations, result.fe_iterations);
  EXPECT_TRUE(SameBits(back.deviance, result.deviance));
  EXPECT_TRUE(SameBits(back.deviance_r2, result.deviance_r2));
  EXPECT_TRUE(SameBits(back.log_likelihood, result.log_likelihood));
  EXPECT_TRUE(SameBits(back.rss, result.rss));
  EXPECT_TRUE(SameBits(back.seconds_irls, result.seconds_irls));
  EXPECT_EQ(back.fe_dof, result.fe_dof);
  ASSERT_EQ(back.fixed_effects.size(), 1U);
  EXPECT_EQ(back.fixed_effects[0].name, "exporter");
  EXPECT_EQ(back.fixed_effects[0].labels, result.fixed_effects[0].labels);
  EXPECT_EQ(back.fixed_effects[0].values, result.fixed_effects[0].values);
  EXPECT_EQ(back.fe_normalisation, result.fe_normalisation);
}

// The bytes of a one-coefficient result.
std::string SmallResultBytes() {
  EstimateResult result;
  result.coef_names = {"rta"};
  result.coef = Eigen::VectorXd::Constant(1, 0.5);
  std::string bytes;
  WriteResult(result, bytes);
  return bytes;
}

TEST(ResultWireTest, TruncatedBytesAreAnError) {
  const std::string bytes = SmallResultBytes();
  for (size_t cut : {size_t{0}, size_t{5}, bytes.size() / 2, bytes.size() - 1}) {
    std::string_view in(bytes.data(), cut);
    EXPECT_THROW(ReadResult(in), Error) << "cut at " << cut;
  }
}

TEST(ResultWireTest, CorruptCountsAreAnErrorNotAnAllocation) {
  const std::string bytes = SmallResultBytes();
  // The coefficient-name count follows termination, message, family and
  // formula; overwrite it with a count no buffer of this size can hold.
  std::string_view probe(bytes);
  ReadInt(probe);
  ReadString(probe);
  ReadInt(probe);
  ReadString(probe);
  const size_t count_at = bytes.size() - probe.size();
  for (const int64_t corrupt : {int64_t{-1}, int64_t{1} << 40, INT64_MAX}) {
    std::string broken = bytes;
    std::memcpy(broken.data() + count_at, &corrupt, sizeof(corrupt));
    std::string_view in(broken);
    EXPECT_THROW(ReadResult(in), Error) << "count " << corrupt;
  }
}

}  // namespace
}  // namespace mizani::estimate

// PPML without fixed effects (an explicit intercept): the projection is the
// identity on every row. On an exact exponential mean the fit recovers the
// coefficients (a closed form: the score is zero at the true values).
#include <gtest/gtest.h>

#include <cmath>

#include "mizani/estimate.h"
#include "mizani/formula.h"
#include "mizani/table.h"

namespace mizani {
namespace {

TEST(PpmlNoFixedEffects, RecoversAnExactExponentialMean) {
  std::vector<double> x;
  std::vector<double> z;
  std::vector<double> y;
  for (int row_idx = 0; row_idx < 40; ++row_idx) {
    const double xv = 0.1 * row_idx;
    const double zv = std::sin(row_idx);
    x.push_back(xv);
    z.push_back(zv);
    y.push_back(std::exp(1.0 + 0.5 * xv - 0.8 * zv));
  }
  Table table;
  table.AddNumeric("y", y);
  table.AddNumeric("x", x);
  table.AddNumeric("z", z);
  EstimateOptions options;
  options.vcov.type = VcovType::kHetero;
  options.threads = 1;
  const EstimateResult fit = Estimate(table, ParseFormula("y ~ x + z"), {}, options);
  ASSERT_TRUE(fit.converged()) << fit.message;
  ASSERT_EQ(fit.coef_names.size(), 3u);
  EXPECT_EQ(fit.coef_names[0], "(Intercept)");
  EXPECT_NEAR(fit.coef(0), 1.0, 1e-7);
  EXPECT_NEAR(fit.coef(1), 0.5, 1e-7);
  EXPECT_NEAR(fit.coef(2), -0.8, 1e-7);
}

}  // namespace
}  // namespace mizani

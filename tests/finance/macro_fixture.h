// A macro framework for the finance unit tests: nominal GDP from 1,000 KES bn
// growing by `nominal_factor` a year from 2025, constant real growth, and
// revenue and primary balance as constant shares of GDP.
#pragma once

#include "mizani/finance.h"

namespace mizani::finance::testing {

inline MacroPath SteadyMacro(int years, double nominal_factor, double real_growth,
                             double revenue_share, double balance_share) {
  MacroPath macro;
  macro.base_gdp = 1000;
  double gdp = 1000;
  for (int year_idx = 0; year_idx < years; ++year_idx) {
    gdp *= nominal_factor;
    macro.years.push_back(2025 + year_idx);
    macro.gdp.push_back(gdp);
    macro.real_growth.push_back(real_growth);
    macro.revenue.push_back(revenue_share * gdp);
    macro.primary_balance.push_back(balance_share * gdp);
  }
  return macro;
}

}  // namespace mizani::finance::testing

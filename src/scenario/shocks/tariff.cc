// kind = "tariff": an ad-valorem tariff before and after; all but its
// description is the shared RateChange (rate.cc).
#include "scenario/shocks/support.h"

namespace mizani {

std::string TariffShock::Describe(const std::string& pairs, double theta,
                                  const std::map<std::string, double>& /*coefficients*/,
                                  std::optional<double> /*sought*/) const {
  return scenario_shocks::DescribeRates(*this, "Tariff", pairs, theta);
}

}  // namespace mizani

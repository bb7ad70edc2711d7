// kind = "ntb": the ad-valorem equivalent of a non-tariff barrier before and
// after; all but its description is the shared RateChange (rate.cc).
#include "scenario/shocks/support.h"

namespace mizani {

std::string NtbShock::Describe(const std::string& pairs, double theta,
                               const std::map<std::string, double>& /*coefficients*/,
                               std::optional<double> /*sought*/) const {
  return scenario_shocks::DescribeRates(*this, "NTB ad-valorem equivalent", pairs, theta);
}

}  // namespace mizani

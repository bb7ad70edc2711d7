// The Advanced Guide's chapter-2 NAFTA application as a scenario (Yotov,
// Piermartini, Monteiro & Larch 2016, section 2.C): three-way PPML of trade on
// RTA with exporter-year, importer-year and symmetric pair effects on
// 1986-2006 every four years, errors clustered by pair, then the GE of
// removing NAFTA with sigma = 7. Shared by the data test that checks it
// against the book and by the bootstrap benchmark.
#pragma once

#include <fmt/format.h>

#include <string>

namespace mizani::test_data {

// `data`: the Chapter2Application2 CSV; `year`: the GE baseline; `mode`:
// "full" or "conditional"; `extra_toml`: tables appended (output,
// uncertainty).
inline std::string NaftaScenarioToml(const std::string& data, int year, const std::string& mode,
                                     const std::string& extra_toml) {
  return fmt::format(R"(
name = "nafta"
[data]
path = "{}"
baseline_year = {}
[estimation]
formula = "trade ~ RTA | exporter^year + importer^year + pair_id"
filters = ["year in 1986:2006:4"]
cluster = "pair_id"
separation_check = false
[model]
sigma = 7
mode = "{}"
imbalances = "multiplicative"
[groups]
NAFTA = ["CAN", "MEX", "USA"]
[[shocks]]
kind = "agreement"
members = "NAFTA"
coefficient = "estimated"
term = "RTA"
remove = true
{}
)",
                     data, year, mode, extra_toml);
}

}  // namespace mizani::test_data

// The official Stata results of the Advanced Guide's chapter-2 applications
// (tests/data/agtpa_ch2_official.csv, see tests/data/SOURCE.md), shared by the
// data tests that check the C++ API and the scenario route against them.
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace mizani::test_data {

// The fields of every data row of a vendored CSV in tests/data ('#'
// comment lines and the header skipped).
inline std::vector<std::vector<std::string>> ReadCsvRows(const std::string& name) {
  std::ifstream in(testing::TestDataPath(name));
  std::vector<std::vector<std::string>> rows;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::stringstream fields(line);
    std::vector<std::string>& row = rows.emplace_back();
    std::string cell;
    while (std::getline(fields, cell, ',')) row.push_back(cell);
  }
  return rows;
}

// One application's results ("nafta" or "borders") by country code (the
// do-files' "ZZZ" is DEU), in the file's column order: exports conditional
// and full, factory-gate price, IMR conditional and full, OMR conditional
// and full, real GDP (percent changes).
inline std::map<std::string, std::vector<double>> OfficialResults(const std::string& application) {
  std::map<std::string, std::vector<double>> rows;
  for (const std::vector<std::string>& fields : ReadCsvRows("agtpa_ch2_official.csv")) {
    if (fields.at(0) != application) continue;
    std::vector<double>& values = rows[fields.at(1)];
    for (size_t col_idx = 2; col_idx < fields.size(); ++col_idx) {
      values.push_back(std::stod(fields[col_idx]));
    }
  }
  return rows;
}

}  // namespace mizani::test_data

#include "mizani/error.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <utility>
#include <vector>

TEST(Where, NamesFileRowAndColumn) {
  EXPECT_EQ(mizani::Where("a.csv", 12, "trade"), "a.csv: row 12, column 'trade'");
  EXPECT_EQ(mizani::Where("a.csv", -1, "trade"), "a.csv: column 'trade'");
  EXPECT_EQ(mizani::Where("a.csv", 3, ""), "a.csv: row 3");
}

// The exit-code table in error.h and the one in docs/cli.md are the same
// table: same codes, same names, same order.
TEST(ExitCodes, DocsTableAgreesWithHeader) {
  std::ifstream docs(std::string(MIZANI_SOURCE_DIR) + "/docs/cli.md");
  ASSERT_TRUE(docs) << "docs/cli.md not found";
  std::string line;
  bool in_section = false;
  std::vector<std::pair<int, std::string>> documented;
  const std::regex row(R"(^\| (\d+) \| ([a-z ]+) \|)");
  while (std::getline(docs, line)) {
    if (line.rfind("## ", 0) == 0) in_section = line == "## Exit codes";
    std::smatch match;
    if (in_section && std::regex_search(line, match, row)) {
      documented.emplace_back(std::stoi(match[1]), match[2]);
    }
  }
  ASSERT_EQ(documented.size(), std::size(mizani::kExitCodes));
  for (size_t code_idx = 0; code_idx < documented.size(); ++code_idx) {
    const auto& entry = mizani::kExitCodes[code_idx];
    EXPECT_EQ(static_cast<int>(entry.code), static_cast<int>(code_idx)) << entry.name;
    EXPECT_EQ(documented[code_idx].first, static_cast<int>(entry.code)) << entry.name;
    EXPECT_EQ(documented[code_idx].second, entry.name);
  }
}

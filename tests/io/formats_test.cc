// The dispatch table of ReadTable (src/io/formats.cc).
#include "io/formats.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace mizani {
namespace {

TEST(TableFormats, EveryExtensionDispatchesToItsReaderInAnyCase) {
  std::set<std::string> seen;
  for (const io::TableFormat& format : io::TableFormats()) {
    ASSERT_FALSE(format.extensions.empty()) << format.name;
    ASSERT_NE(format.read, nullptr) << format.name;
    for (std::string_view extension : format.extensions) {
      EXPECT_TRUE(seen.insert(std::string(extension)).second) << "listed twice: " << extension;
      const std::string path = "folder.v2/data" + std::string(extension);
      const io::TableFormat* found = io::FindTableFormat(path);
      ASSERT_NE(found, nullptr) << path;
      EXPECT_EQ(found->read, format.read) << path;
      std::string upper = path;
      for (char& symbol : upper) symbol = static_cast<char>(std::toupper(symbol));
      EXPECT_EQ(io::FindTableFormat(upper), found) << upper;
      EXPECT_EQ(io::FindTableFormat(path + ".gz"), format.gzip ? found : nullptr) << path;
    }
  }
  EXPECT_EQ(io::FindTableFormat("trade.csv.gz")->read, &ReadCsv);
  EXPECT_EQ(io::FindTableFormat("trade.DTA")->read, &ReadDta);
}

TEST(TableFormats, OtherNamesMatchNoFormat) {
  for (const char* path : {"data.xlsx", "data.csv.bak", "data", "csv", "data.dta.gz", "data.gz"}) {
    EXPECT_EQ(io::FindTableFormat(path), nullptr) << path;
  }
}

}  // namespace
}  // namespace mizani

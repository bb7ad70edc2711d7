#include "mizani/error.h"

#include <gtest/gtest.h>

TEST(Where, NamesFileRowAndColumn) {
  EXPECT_EQ(mizani::Where("a.csv", 12, "trade"), "a.csv: row 12, column 'trade'");
  EXPECT_EQ(mizani::Where("a.csv", -1, "trade"), "a.csv: column 'trade'");
  EXPECT_EQ(mizani::Where("a.csv", 3, ""), "a.csv: row 3");
}

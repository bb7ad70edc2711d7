// The error boundary (mizani/status.h): each kind of exception to its code.
#include "mizani/status.h"

#include <gtest/gtest.h>

#include <new>
#include <stdexcept>

namespace mizani {
namespace {

TEST(Status, NothingThrownIsOk) {
  int calls = 0;
  const Status status = Guard([&] { ++calls; });
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.code, ErrorCode::kOk);
  EXPECT_EQ(status.ToString(), "ok");
  EXPECT_TRUE(StatusOf(nullptr).ok());
}

TEST(Status, ErrorKeepsItsCodeAndMessage) {
  const Status status =
      Guard([] { throw Error(ErrorCode::kBadData, "trade.csv: row 3, column 'trade': negative"); });
  EXPECT_EQ(status.code, ErrorCode::kBadData);
  EXPECT_EQ(status.message, "trade.csv: row 3, column 'trade': negative");
  EXPECT_FALSE(status.bug);
  EXPECT_EQ(status.ToString(), "error: trade.csv: row 3, column 'trade': negative");
}

TEST(Status, OutOfMemoryIsInternalButNotABug) {
  const Status status = Guard([] { throw std::bad_alloc(); });
  EXPECT_EQ(status.code, ErrorCode::kInternal);
  EXPECT_FALSE(status.bug);
  EXPECT_EQ(status.ToString(), "error: out of memory");
}

TEST(Status, OtherExceptionsAreBugsToReport) {
  const Status status = Guard([] { throw std::out_of_range("vector::at"); });
  EXPECT_EQ(status.code, ErrorCode::kInternal);
  EXPECT_TRUE(status.bug);
  EXPECT_EQ(status.ToString(), "internal error: vector::at (please report)");
  const Status unknown = Guard([] { throw 42; });
  EXPECT_EQ(unknown.code, ErrorCode::kInternal);
  EXPECT_TRUE(unknown.bug);
}

}  // namespace
}  // namespace mizani

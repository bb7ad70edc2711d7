// Adaptive precision (src/report/format.*): closed cases worked by hand. The
// rule: a non-zero value never reads as zero, in tables, sentences and charts.
#include "report/format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "mizani/report.h"

namespace {

using mizani::FormatShown;
using mizani::ValueKind;
using mizani::report_internal::AdaptiveDecimals;
using mizani::report_internal::ChooseChartFormat;
using mizani::report_internal::FormatValue;

TEST(AdaptivePrecision, KeepsTheColumnDecimalsWhenTheyShowTheValue) {
  EXPECT_EQ(AdaptiveDecimals(1.19, 2), 2);
  EXPECT_EQ(AdaptiveDecimals(0.25, 1), 1);  // "0.2" (half to even) is not zero
  EXPECT_EQ(AdaptiveDecimals(104.9, 0), 0);
  EXPECT_EQ(AdaptiveDecimals(0.0, 2), 2);
  EXPECT_EQ(AdaptiveDecimals(NAN, 3), 3);
}

TEST(AdaptivePrecision, AddsDecimalsUntilTwoSignificantDigitsShow) {
  // 0.0042: the first significant digit is the 3rd decimal; two digits: 4.
  EXPECT_EQ(AdaptiveDecimals(0.0042, 2), 4);
  EXPECT_EQ(AdaptiveDecimals(-0.0042, 2), 4);
  EXPECT_EQ(AdaptiveDecimals(0.3, 0), 2);     // "0.30"
  EXPECT_EQ(AdaptiveDecimals(0.3, 0, 1), 1);  // one significant digit: "0.3"
  EXPECT_EQ(AdaptiveDecimals(0.04, 1), 3);    // 0.040
  EXPECT_EQ(AdaptiveDecimals(1e-20, 2), mizani::report_internal::kMaxDecimals);
}

TEST(AdaptivePrecision, NumbersNeverReadAsZero) {
  EXPECT_EQ(FormatValue(0.0042, ValueKind::kNumber, 2), "0.0042");
  EXPECT_EQ(FormatValue(-0.0042, ValueKind::kNumber, 2), "-0.0042");
  EXPECT_EQ(FormatValue(0.3, ValueKind::kNumber, 0), "0.30");
  EXPECT_EQ(FormatValue(1234.5, ValueKind::kNumber, 0), "1,234");  // half to even
  EXPECT_EQ(FormatValue(0.0, ValueKind::kNumber, 2), "0.00");      // a true zero stays zero
  EXPECT_EQ(FormatValue(2e-15, ValueKind::kNumber, 2), "2.0e-15");
}

TEST(AdaptivePrecision, PercentagesAtOrAboveOneBasisPoint) {
  EXPECT_EQ(FormatValue(1.191, ValueKind::kPercent, 2), "1.19%");
  EXPECT_EQ(FormatValue(20.562, ValueKind::kPercent, 1), "20.6%");
  EXPECT_EQ(FormatValue(0.04, ValueKind::kPercent, 1), "0.040%");
  EXPECT_EQ(FormatValue(0.01, ValueKind::kPercent, 2), "0.01%");  // exactly 1 bp
  EXPECT_EQ(FormatValue(0.0, ValueKind::kPercent, 2), "0.00%");
}

TEST(AdaptivePrecision, TinyPercentagesInBasisPoints) {
  // 1 bp = 0.01%: 0.003% is 0.3 bp; 0.0058543% is 0.58543 bp -> "0.59".
  EXPECT_EQ(FormatValue(0.003, ValueKind::kPercent, 2), "0.30 bp");
  EXPECT_EQ(FormatValue(0.0058543, ValueKind::kPercent, 2), "0.59 bp");
  EXPECT_EQ(FormatValue(-0.00031, ValueKind::kPercent, 2), "-0.031 bp");
  // Japan's real GDP in scenario A is of order 1e-6 %: 1e-4 bp.
  EXPECT_EQ(FormatValue(1.0753e-6, ValueKind::kPercent, 2), "0.00011 bp");
}

TEST(AdaptivePrecision, SignedText) {
  EXPECT_EQ(FormatShown(0.003, ValueKind::kPercent, 2, true), "+0.30 bp");
  EXPECT_EQ(FormatShown(1.191, ValueKind::kPercent, 2, true), "+1.19%");
  EXPECT_EQ(FormatShown(-1.191, ValueKind::kPercent, 2, true), "-1.19%");
  EXPECT_EQ(FormatShown(0.0, ValueKind::kPercent, 2, true), "0.00%");  // no "+0.00%"
  EXPECT_EQ(FormatShown(NAN, ValueKind::kPercent, 2, true), "\u2013");
}

TEST(AdaptivePrecision, ChartAxesTakeTheDecimalsOfTheirTickStep) {
  // Largest bar 20.56%: ticks at least 1 apart, whole percents.
  auto wide = ChooseChartFormat(20.56, ValueKind::kPercent);
  EXPECT_FALSE(wide.basis_points);
  EXPECT_DOUBLE_EQ(wide.factor, 0.01);
  EXPECT_EQ(wide.d3_axis, ",.0~%");
  // Largest 0.21%: steps down to 0.01, two decimals.
  auto narrow = ChooseChartFormat(0.21, ValueKind::kPercent);
  EXPECT_EQ(narrow.d3_axis, ",.2~%");
  // Scenario A: Kenya's real GDP at most 0.0137%, i.e. 1.37 bp: ticks in bp.
  auto tiny = ChooseChartFormat(0.0137 / 2, ValueKind::kPercent);
  EXPECT_TRUE(tiny.basis_points);
  EXPECT_DOUBLE_EQ(tiny.factor, 100.0);
  EXPECT_EQ(tiny.d3_axis, ",.2~f");  // 0.685 bp / 20 = 0.034: two decimals
  EXPECT_EQ(tiny.unit_title, " (basis points; 1 bp = 0.01%)");
  // Plain numbers: 3,000 with steps of 150 or more: no decimals.
  EXPECT_EQ(ChooseChartFormat(3000, ValueKind::kNumber).d3_axis, ",.0~f");
  EXPECT_EQ(ChooseChartFormat(0.002, ValueKind::kNumber).d3_axis, ",.4~f");
  // The demo's scenario B chart: largest 5.45%, ticks every 0.5% need one
  // decimal, or "1%, 1%, 2%, 2%" would repeat.
  EXPECT_EQ(ChooseChartFormat(5.45, ValueKind::kPercent).d3_axis, ",.1~%");
  // No data: a harmless default.
  EXPECT_FALSE(ChooseChartFormat(0, ValueKind::kPercent).basis_points);
}

TEST(ParagraphText, CodeSpansAreMarkedUpNotPrinted) {
  using mizani::report_internal::ParagraphHtml;
  using mizani::report_internal::ParagraphMarkdown;
  EXPECT_EQ(ParagraphHtml("Run `mizani demo -o <out>` & read"),
            "Run <code>mizani demo -o &lt;out&gt;</code> &amp; read");
  // In Markdown the span stays a span (nothing escaped inside); outside, the
  // usual escapes.
  EXPECT_EQ(ParagraphMarkdown("Run `a_b <c>` then *d*"), "Run `a_b <c>` then \\*d\\*");
  // An unpaired backtick is text.
  EXPECT_EQ(ParagraphHtml("5` of arc"), "5` of arc");
  EXPECT_EQ(ParagraphMarkdown("5` of arc"), "5\\` of arc");
}

}  // namespace

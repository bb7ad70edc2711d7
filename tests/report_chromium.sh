#!/usr/bin/env bash
# Browser test of the HTML report: writes the sample report (every chart
# kind) with report_render_fixture, opens it in headless Debian Chromium, and
# checks that every chart drew an <svg> or <canvas>, that the page counted all
# charts as drawn, and that it recorded no JavaScript error or warning; at
# 1280 and 800 px, that nothing overflows its container, no non-zero value
# shows as zero and no axis repeats a label. Keeps the screenshots as test
# artefacts (build/test-artefacts/report*.png).
# Usage: report_chromium.sh FIXTURE_BINARY ARTEFACT_DIR   (exit 77: skipped)
set -euo pipefail
fixture="$1"
artefacts="$2"
source "$(dirname "$0")/chromium_lib.sh"
find_chromium
make_work mizani-report-test

"$fixture" "$work/report" >/dev/null
html="$work/report/report.html"
for expected in report.html report.md report.json welfare.csv; do
  [ -f "$work/report/$expected" ] || { echo "FAIL: fixture did not write $expected"; exit 1; }
done
charts="$(grep -o 'data-spec-id="chart-spec-[0-9]*"' "$html" | wc -l)"
echo "report has $charts charts"
[ "$charts" -ge 4 ] || { echo "FAIL: expected at least 4 charts in the sample report"; exit 1; }

# Layout at a desktop and a narrow window (screenshots report-1280.png, report-800.png).
check_layout report 10000 1280
check_layout report 10000 800

# The layout check must be able to fail: a copy of the page with a table cell
# showing "0.00%" for 0.003 and a word too long for the page must fail it.
good_html="$html"
html="$work/broken.html"
node -e '
  const fs = require("fs");
  const [source, out] = process.argv.slice(1);
  const text = fs.readFileSync(source, "utf8");
  const bad = "<table><tr><td class=\"num\" data-value=\"0.003\">0.00%</td>" +
    "<td style=\"white-space:nowrap\">" + "x".repeat(400) + "</td></tr></table>";
  fs.writeFileSync(out, text.replace("<div class=\"page\">", "<div class=\"page\">" + bad));
  ' "$good_html" "$html"
saved_status="$layout_status"
layout_status=0
check_layout report-broken 10000 800 >"$work/broken.log" || true
if [ "$layout_status" = 0 ] || ! grep -q "non-zero value shown as zero" "$work/broken.log" ||
  ! grep -q "overflow at 800 px" "$work/broken.log"; then
  echo "FAIL: the layout check passed a page made to fail it"; cat "$work/broken.log"; exit 1
fi
echo "the layout check fails a page made to fail it, as it should"
layout_status="$saved_status"
html="$good_html"
check_and_shoot report 10000 "--window-size=1280,2400" "--window-size=1280,2400"

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
check_and_shoot report 10000 "--window-size=1280,2400" "--window-size=1280,2400"

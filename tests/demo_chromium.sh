#!/usr/bin/env bash
# Browser test of the `mizani demo` report: opens report.html in headless
# Debian Chromium, fails on any recorded JavaScript error or warning, on any
# chart that did not draw and, at 1280 and 800 px, on any element that
# overflows its container, any non-zero value shown as zero and any axis that
# repeats a label, and when its summary prints on more than two A4 pages.
# Runs the embedded synthetic world, and the real data too
# when SHARED_DATA_DIR holds agtpa_yotov2016 (the whole agenda: trade,
# financing, ratings, product lines). Keeps screenshots and the HTML as test
# artefacts (build/test-artefacts/demo*.png, demo*.html, demo*.pdf).
# Usage: demo_chromium.sh MIZANI_BINARY ARTEFACT_DIR [SHARED_DATA_DIR]   (exit 77: skipped)
set -euo pipefail
mizani="$1"
artefacts="$2"
shared="${3:-}"
source "$(dirname "$0")/chromium_lib.sh"
find_chromium
make_work mizani-demo-test

count_charts() { grep -o 'data-spec-id="chart-spec-[0-9]*"' "$html" | wc -l; }

if [ -n "$shared" ] && [ -d "$shared/agtpa_yotov2016" ]; then
  "$mizani" -q demo --data-dir "$shared/agtpa_yotov2016" -o "$work/real" >/dev/null
  html="$work/real/report.html"
  charts="$(count_charts)"
  echo "demo report on the real data has $charts charts"
  # One chart per question in the summary (7), then the trade sections' maps
  # and bar charts.
  [ "$charts" -ge 15 ] || { echo "FAIL: expected at least 15 charts in the real demo report"; exit 1; }
  for text in "Summary for the adviser" "E. Yen or dollars" "F. Kenya" "G. Kenyan product lines" \
    "What this does not model" "95% interval" "policy range"; do
    grep -q "$text" "$html" || { echo "FAIL: real demo report lacks \"$text\""; exit 1; }
  done
  check_layout demo-real 20000 1280
  check_layout demo-real 20000 800
  # "A summary of one or two pages": printed to A4 in the browser.
  check_print_pages demo-real 20000 2
  cp "$html" "$artefacts/demo-real.html"
else
  echo "note: no agtpa_yotov2016 under '${shared}': the real-data demo is not checked"
fi

"$mizani" -q demo -o "$work/demo" >/dev/null
html="$work/demo/report.html"
charts="$(count_charts)"
echo "demo report has $charts charts"
# The four trade questions' summary charts, then per question a map and a
# bar chart, plus the group shares of B, C and D.
[ "$charts" -ge 9 ] || { echo "FAIL: expected at least 9 charts in the demo report"; exit 1; }
check_layout demo 15000 1280
check_layout demo 15000 800
check_print_pages demo 15000 2

# The top of the report (what an adviser sees first) for the screenshot.
check_and_shoot demo 15000 "--window-size=1280,2400 --hide-scrollbars" \
  "--window-size=1280,2000 --hide-scrollbars" "SYNTHETIC DATA" "Summary for the adviser"

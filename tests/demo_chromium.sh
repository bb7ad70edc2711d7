#!/usr/bin/env bash
# Browser test of the `mizani demo` report (embedded synthetic world): opens
# report.html in headless Debian Chromium, fails on any recorded JavaScript
# error or warning and on any chart that did not draw, and keeps a
# screenshot and the HTML as test artefacts (demo.png, demo.html).
# Usage: demo_chromium.sh MIZANI_BINARY ARTEFACT_DIR   (exit 77: skipped)
set -euo pipefail
mizani="$1"
artefacts="$2"
source "$(dirname "$0")/chromium_lib.sh"
find_chromium
make_work mizani-demo-test

"$mizani" -q demo -o "$work/demo" >/dev/null
html="$work/demo/report.html"
charts="$(grep -o 'data-spec-id="chart-spec-[0-9]*"' "$html" | wc -l)"
echo "demo report has $charts charts"
# Headline chart, then per scenario a map and a bar chart, plus the group
# shares of B, C and D.
[ "$charts" -ge 9 ] || { echo "FAIL: expected at least 9 charts in the demo report"; exit 1; }

# The top of the report (what an adviser sees first) for the screenshot.
check_and_shoot demo 15000 "--window-size=1280,2400 --hide-scrollbars" \
  "--window-size=1280,2000 --hide-scrollbars" "SYNTHETIC DATA" "Summary for the adviser"

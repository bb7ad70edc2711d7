#!/usr/bin/env bash
# Browser test of the `mizani pe` report: a SMART run on a small table with a
# preference for Kenya, opened in headless Debian Chromium; fails on any
# JavaScript error or warning and on a chart that did not draw, and keeps a
# screenshot and the HTML as test artefacts (pe.png, pe.html).
# Usage: pe_chromium.sh MIZANI_BINARY ARTEFACT_DIR   (exit 77: skipped)
set -euo pipefail
mizani="$1"
artefacts="$2"
source "$(dirname "$0")/../chromium_lib.sh"
find_chromium
make_work mizani-pe-test

cat >"$work/lines.csv" <<'CSV'
reporter,partner,product,trade_value,tariff
JPN,KEN,090240,100,12
JPN,LKA,090240,400,12
JPN,IND,090240,300,1.5
JPN,KEN,060311,900,0
JPN,COL,060311,2000,0
CSV
cat >"$work/s.toml" <<'TOML'
title = "Browser test: tea and roses into Japan"
focus = "KEN"
[inputs]
table = "lines.csv"
[elasticities]
import_demand = -1.2
[[change]]
partners = ["KEN"]
tariff = 0
ntb_ave = 0
TOML
"$mizani" -q pe "$work/s.toml" -o "$work/pe" >/dev/null
html="$work/pe/report.html"
charts="$(grep -o 'data-spec-id="chart-spec-[0-9]*"' "$html" | wc -l)"
echo "pe report has $charts charts"
[ "$charts" -ge 1 ] || { echo "FAIL: expected the exporters' bar chart"; exit 1; }
check_and_shoot pe 15000 "--window-size=1280,2400 --hide-scrollbars" \
  "--window-size=1280,2000 --hide-scrollbars" "SMART results by line" "Total trade effect by exporter"

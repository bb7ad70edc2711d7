#!/usr/bin/env bash
# Browser test of the `mizani rate` reports on the shared data: the score
# report's two maps of Africa (scorecard and ordered model, legends in
# rating letters) and the explain report's path over time (a line chart on
# the notch scale) and maps of Africa open in headless Debian Chromium with every chart drawn,
# no JavaScript error or warning, and nothing overflowing at 1280 and 800 px;
# each map holds the shapes of Africa's sovereigns and no others (45 to 200
# paths).
# Keeps screenshots and the HTML as test artefacts (rate-*.png, rate-*.html).
# Usage: rate_chromium.sh MIZANI_BINARY ARTEFACT_DIR SHARED_DATA_DIR   (exit 77: skipped)
set -euo pipefail
mizani="$1"
artefacts="$2"
shared="${3:-}"
source "$(dirname "$0")/../chromium_lib.sh"
if [ ! -f "$shared/imf_weo_2025apr/countriesratings.csv" ]; then
  echo "SKIP: shared data not found under '$shared' (imf_weo_2025apr)"
  exit 77
fi
find_chromium
make_work mizani-rate-test
example="$(cd "$(dirname "$0")/../.." && pwd)/examples/africa_ratings.toml"
count_charts() { grep -o 'data-spec-id="chart-spec-[0-9]*"' "$html" | wc -l; }

# map_paths DOM CHART: the <path> elements drawn in chart CHART.
map_paths() {
  node -e '
    const dom = require("fs").readFileSync(process.argv[1], "utf8");
    const chart = Number(process.argv[2]);
    const start = dom.indexOf(`id="chart-${chart}"`);
    const next = dom.indexOf(`id="chart-${chart + 1}"`, start);
    const body = dom.slice(start, next < 0 ? dom.length : next);
    console.log((body.match(/<path/g) || []).length);' "$1" "$2"
}

"$mizani" -q rate score "$example" --data-dir "$shared" -o "$work/score" >/dev/null
html="$work/score/report.html"
charts="$(count_charts)"
echo "rate score report has $charts charts"
[ "$charts" -eq 2 ] || { echo "FAIL: expected the two maps of Africa"; exit 1; }
for text in "Scorecard: indicated foreign-currency rating" "Ordered model: indicated rating"; do
  grep -q "$text" "$html" || { echo "FAIL: score report lacks \"$text\""; exit 1; }
done
check_layout rate-score 15000 1280
check_layout rate-score 15000 800
for chart in 1 2; do
  paths="$(map_paths "$work/layout-1280.dom" "$chart")"
  echo "map $chart: $paths paths"
  # Africa's ~50 shapes twice (grey base, coloured) and the legend; the
  # world atlas's 177 shapes, drawn twice, would exceed 200.
  [ "$paths" -ge 45 ] && [ "$paths" -le 200 ] ||
    { echo "FAIL: map $chart drew $paths shapes (expected Africa's alone)"; exit 1; }
done
# The legend names ratings, not numbers.
grep -q '"label": "BB-"' "$work/score/report.json" ||
  { echo "FAIL: the maps carry no rating labels"; exit 1; }
cp "$html" "$artefacts/rate-score.html"

"$mizani" -q rate explain "$example" --data-dir "$shared" -o "$work/explain" >/dev/null
html="$work/explain/report.html"
charts="$(count_charts)"
echo "rate explain report has $charts charts"
# Two bar charts of contributions, the path over time, two maps of Africa.
[ "$charts" -eq 5 ] || { echo "FAIL: expected contributions, the path and two maps"; exit 1; }
check_layout rate-explain 15000 1280
check_layout rate-explain 15000 800
for chart in 4 5; do
  paths="$(map_paths "$work/layout-800.dom" "$chart")"
  echo "explain map $chart: $paths paths"
  # Africa's ~50 shapes twice (grey base, coloured) and the legend; the
  # world atlas's 177 shapes, drawn twice, would exceed 200.
  [ "$paths" -ge 45 ] && [ "$paths" -le 200 ] ||
    { echo "FAIL: map $chart drew $paths shapes (expected Africa's alone)"; exit 1; }
done
check_and_shoot rate-explain 15000 "--window-size=1280,2400 --hide-scrollbars" \
  "--window-size=1280,2000 --hide-scrollbars" "Path over time" "Across Africa"

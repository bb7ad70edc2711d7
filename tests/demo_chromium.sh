#!/usr/bin/env bash
# Browser test of the `mizani demo` report (embedded synthetic world): opens
# report.html in headless Debian Chromium, fails on any recorded JavaScript
# error or warning and on any chart that did not draw, and keeps a
# screenshot and the HTML as test artefacts (demo.png, demo.html).
# Usage: demo_chromium.sh MIZANI_BINARY ARTEFACT_DIR   (exit 77: skipped)
set -euo pipefail
mizani="$1"
artefacts="$2"

chromium_bin="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$chromium_bin" ]; then
  echo "SKIP: chromium not installed (scripts/setup.sh installs the Debian package)"
  exit 77
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/mizani-demo-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$artefacts"

"$mizani" -q demo -o "$work/demo" >/dev/null
html="$work/demo/report.html"
charts="$(grep -o 'data-spec-id="chart-spec-[0-9]*"' "$html" | wc -l)"
echo "demo report has $charts charts"
# Headline chart, then per scenario a map and a bar chart, plus the group
# shares of B, C and D.
[ "$charts" -ge 9 ] || { echo "FAIL: expected at least 9 charts in the demo report"; exit 1; }

run_chromium() {
  timeout 120 "$chromium_bin" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile-$1" --enable-logging=stderr --v=0 \
    --virtual-time-budget=15000 --hide-scrollbars "${@:2}" "file://$html"
}

run_chromium dom --window-size=1280,2400 --dump-dom >"$work/dom.html" 2>"$work/dom.log" || {
  echo "FAIL: chromium --dump-dom failed"; tail -20 "$work/dom.log"; exit 1; }

status=0
node "$(dirname "$0")/check_report_dom.js" "$work/dom.html" "$charts" "SYNTHETIC DATA" "Summary for the adviser" || status=1

# The top of the report (what an adviser sees first) and the full page.
run_chromium shot --window-size=1280,2000 --screenshot="$work/demo.png" >"$work/shot.log" 2>&1 || {
  echo "FAIL: chromium --screenshot failed"; tail -20 "$work/shot.log"; exit 1; }
cp "$work/demo.png" "$artefacts/demo.png"
cp "$html" "$artefacts/demo.html"
echo "screenshot: $artefacts/demo.png"
echo "report: $artefacts/demo.html"
exit "$status"

#!/usr/bin/env bash
# Browser test of the HTML report: writes the sample report (every chart
# kind) with report_render_fixture, opens it in headless Debian Chromium, and
# checks that every chart drew an <svg> or <canvas>, that the page counted all
# charts as drawn, and that it recorded no JavaScript error or warning. Keeps a
# screenshot as a test artefact.
# Usage: report_chromium.sh FIXTURE_BINARY ARTEFACT_DIR   (exit 77: skipped)
set -euo pipefail
fixture="$1"
artefacts="$2"

chromium_bin="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$chromium_bin" ]; then
  echo "SKIP: chromium not installed (scripts/setup.sh installs the Debian package)"
  exit 77
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/mizani-report-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$artefacts"

"$fixture" "$work/report" >/dev/null
html="$work/report/report.html"
for expected in report.html report.md report.json welfare.csv; do
  [ -f "$work/report/$expected" ] || { echo "FAIL: fixture did not write $expected"; exit 1; }
done
charts="$(grep -o 'data-spec-id="chart-spec-[0-9]*"' "$html" | wc -l)"
echo "report has $charts charts"
[ "$charts" -ge 4 ] || { echo "FAIL: expected at least 4 charts in the sample report"; exit 1; }

# Nothing may reach the network: the page must work from the file alone.
run_chromium() {
  timeout 120 "$chromium_bin" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile-$1" --enable-logging=stderr --v=0 \
    --virtual-time-budget=10000 --window-size=1280,2400 "${@:2}" "file://$html"
}

run_chromium dom --dump-dom >"$work/dom.html" 2>"$work/dom.log" || {
  echo "FAIL: chromium --dump-dom failed"; tail -20 "$work/dom.log"; exit 1; }

status=0
node "$(dirname "$0")/check_report_dom.js" "$work/dom.html" "$charts" || status=1

run_chromium shot --screenshot="$work/report.png" >"$work/shot.log" 2>&1 || {
  echo "FAIL: chromium --screenshot failed"; tail -20 "$work/shot.log"; exit 1; }
cp "$work/report.png" "$artefacts/report.png"
cp "$html" "$artefacts/report.html"
echo "screenshot: $artefacts/report.png"
echo "report: $artefacts/report.html"
exit "$status"

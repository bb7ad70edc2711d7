# Shared steps of the browser tests (sourced by demo_chromium.sh and
# report_chromium.sh): find headless Chromium (exit 77, skipped, without
# it), a scratch directory, one Chromium run that may not reach the network,
# and the DOM check plus screenshot that both tests end with.

# Sets chromium_bin, or skips the test.
find_chromium() {
  chromium_bin="$(command -v chromium || command -v chromium-browser || true)"
  if [ -z "$chromium_bin" ]; then
    echo "SKIP: chromium not installed (scripts/setup.sh installs the Debian package)"
    exit 77
  fi
}

# Sets work to a fresh directory removed on exit; creates the artefact dir.
make_work() {
  work="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$artefacts"
}

# run_chromium PROFILE BUDGET_MS [chromium flags...]: opens $html headless.
# Nothing may reach the network: the page must work from the file alone.
run_chromium() {
  timeout 120 "$chromium_bin" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile-$1" --enable-logging=stderr --v=0 \
    --virtual-time-budget="$2" "${@:3}" "file://$html"
}

# check_layout NAME BUDGET_MS WIDTH: a copy of $html carrying
# report_layout_probe.js, drawn in a WIDTH px window: no element overflows its
# container, no non-zero value shows as zero, no axis repeats a label
# (check_report_dom.js --layout). Keeps NAME-WIDTH.png as an artefact; a
# failure sets layout_status=1 (check_and_shoot exits with it).
layout_status=0
check_layout() {
  local name="$1" budget="$2" width="$3" page="$html"
  local probed="$work/$name-$width.html" here
  here="$(dirname "${BASH_SOURCE[0]}")"
  node -e '
    const fs = require("fs");
    const [source, probe, out] = process.argv.slice(1);
    const text = fs.readFileSync(source, "utf8");
    const at = text.lastIndexOf("</body>");
    fs.writeFileSync(out, text.slice(0, at) + "<script>" + fs.readFileSync(probe, "utf8") +
      "</script>\n" + text.slice(at));' "$page" "$here/report_layout_probe.js" "$probed"
  html="$probed"
  run_chromium "layout-$width" "$budget" --window-size="$width,2400" --dump-dom \
    >"$work/layout-$width.dom" 2>"$work/layout-$width.log" || {
    echo "FAIL: chromium --dump-dom at $width px failed"; tail -20 "$work/layout-$width.log"
    exit 1; }
  node "$here/check_report_dom.js" --layout "$work/layout-$width.dom" "$charts" || layout_status=1
  run_chromium "layout-shot-$width" "$budget" --window-size="$width,4000" --hide-scrollbars \
    --screenshot="$work/$name-$width.png" >"$work/layout-shot-$width.log" 2>&1 || {
    echo "FAIL: chromium --screenshot at $width px failed"; exit 1; }
  cp "$work/$name-$width.png" "$artefacts/$name-$width.png"
  echo "screenshot: $artefacts/$name-$width.png"
  html="$page"
}

# check_and_shoot NAME BUDGET_MS DOM_FLAGS SHOT_FLAGS [expected texts...]:
# the DOM check (every chart drawn, no JavaScript error or warning, the
# texts present), then a screenshot; keeps NAME.png and NAME.html as
# artefacts. Exits with the test's status.
check_and_shoot() {
  local name="$1" budget="$2" dom_flags="$3" shot_flags="$4"
  shift 4
  # shellcheck disable=SC2086
  run_chromium dom "$budget" $dom_flags --dump-dom >"$work/dom.html" 2>"$work/dom.log" || {
    echo "FAIL: chromium --dump-dom failed"; tail -20 "$work/dom.log"; exit 1; }
  local status=0
  node "$(dirname "${BASH_SOURCE[0]}")/check_report_dom.js" "$work/dom.html" "$charts" "$@" ||
    status=1
  # shellcheck disable=SC2086
  run_chromium shot "$budget" $shot_flags --screenshot="$work/$name.png" >"$work/shot.log" 2>&1 || {
    echo "FAIL: chromium --screenshot failed"; tail -20 "$work/shot.log"; exit 1; }
  cp "$work/$name.png" "$artefacts/$name.png"
  cp "$html" "$artefacts/$name.html"
  echo "screenshot: $artefacts/$name.png"
  echo "report: $artefacts/$name.html"
  [ "$layout_status" = 0 ] || status=1
  exit "$status"
}

# check_print_pages NAME BUDGET_MS MAX_PAGES: prints $html to PDF (A4, the
# page's own @page rule) twice, whole and with everything after the summary
# (the section marked ends-page) hidden; counts the pages of each
# (pdf_pages.js) and fails when the summary needs more than MAX_PAGES. Keeps
# NAME.pdf and NAME-summary.pdf as artefacts.
check_print_pages() {
  local name="$1" budget="$2" max_pages="$3" page="$html" here full summary
  here="$(dirname "${BASH_SOURCE[0]}")"
  run_chromium "print-$name" "$budget" --no-pdf-header-footer \
    --print-to-pdf="$work/$name.pdf" >"$work/print-$name.log" 2>&1 || {
    echo "FAIL: chromium --print-to-pdf failed"; tail -20 "$work/print-$name.log"; exit 1; }
  node -e '
    const fs = require("fs");
    const [source, out] = process.argv.slice(1);
    const text = fs.readFileSync(source, "utf8");
    const at = text.lastIndexOf("</body>");
    fs.writeFileSync(out, text.slice(0, at) +
      "<style>section.ends-page ~ *, footer { display: none !important; }</style>\n" +
      text.slice(at));' "$page" "$work/$name-summary.html"
  html="$work/$name-summary.html"
  run_chromium "print-$name-summary" "$budget" --no-pdf-header-footer \
    --print-to-pdf="$work/$name-summary.pdf" >"$work/print-$name-summary.log" 2>&1 || {
    echo "FAIL: chromium --print-to-pdf of the summary failed"; exit 1; }
  html="$page"
  full="$(node "$here/pdf_pages.js" "$work/$name.pdf")"
  summary="$(node "$here/pdf_pages.js" "$work/$name-summary.pdf")"
  cp "$work/$name.pdf" "$work/$name-summary.pdf" "$artefacts/"
  echo "$name: the summary prints on $summary A4 page(s), the whole report on $full"
  [ "$summary" -ge 1 ] && [ "$summary" -le "$max_pages" ] || {
    echo "FAIL: the summary of $name prints on $summary pages (at most $max_pages)"; exit 1; }
  [ "$full" -gt "$summary" ] || { echo "FAIL: $name: the whole report is not longer"; exit 1; }
}

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
  exit "$status"
}

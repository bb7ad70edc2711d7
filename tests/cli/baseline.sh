#!/usr/bin/env bash
# `mizani baseline build`: the HMR world end to end (square, 166 countries,
# the printed intra-African share) and bad input, each with its documented
# exit code (docs/cli.md); an existing file is never replaced unasked.
# $1 = mizani binary, $2 = shared data folder.
set -u
MIZANI="$1"
DATA="$2"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
failures=0

expect() {  # expect CODE DESCRIPTION -- COMMAND...
  local code="$1" what="$2"
  shift 3
  "$@" >"$WORK/out" 2>"$WORK/err"
  local rc=$?
  if [ "$rc" != "$code" ]; then
    echo "FAIL: $what: exit $rc, expected $code"; cat "$WORK/err"; failures=$((failures + 1))
  fi
}

printf 'iso_o,iso_d,flow,gdp_o,rta\nAAA,BBB,-1,100,0\nBBB,AAA,1,50,0\n' > "$WORK/negative.csv"
expect 4 "negative flow" -- "$MIZANI" baseline build -q -o "$WORK/x.csv" --flows "$WORK/negative.csv" \
  --distances "" --geography ""
grep -q "negative.csv: row 1, column 'flow'" "$WORK/err" || { echo "FAIL: no row/column"; failures=$((failures + 1)); }
expect 3 "missing file" -- "$MIZANI" baseline build -q -o "$WORK/x.csv" --flows "$WORK/absent.csv"
expect 2 "unknown method" -- "$MIZANI" baseline build -q -o "$WORK/x.csv" --method guess
[ -e "$WORK/x.csv" ] && { echo "FAIL: output left after an error"; failures=$((failures + 1)); }

if [ ! -f "$DATA/hmr2010_gravity_R_pkg/gravity_zeros.csv.gz" ] || [ ! -f "$DATA/cepii_geodist/dist_cepii.csv.gz" ]; then
  echo "SKIP: shared data not found in $DATA (hmr2010_gravity_R_pkg, cepii_geodist)"
  [ "$failures" = 0 ] && exit 77 || exit 1
fi
expect 0 "HMR build" -- "$MIZANI" baseline build -q -o "$WORK/world.csv" --countries "$WORK/c.csv" --data-dir "$DATA"
grep -q "Africa: 52 countries; intra-group share 8.71% of their exports" "$WORK/out" \
  || { echo "FAIL: share line"; cat "$WORK/out"; failures=$((failures + 1)); }
rows=$(($(wc -l < "$WORK/world.csv") - 1))
[ "$rows" = $((166 * 166)) ] || { echo "FAIL: $rows pair rows, expected 27556"; failures=$((failures + 1)); }
echo keep > "$WORK/mine.csv"
expect 9 "existing file" -- "$MIZANI" baseline build -q -o "$WORK/mine.csv" --data-dir "$DATA"
[ "$(cat "$WORK/mine.csv")" = keep ] || { echo "FAIL: user file replaced"; failures=$((failures + 1)); }

[ "$failures" = 0 ] && echo "baseline: all checks passed"
[ "$failures" = 0 ]

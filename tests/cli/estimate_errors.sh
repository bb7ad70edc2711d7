#!/usr/bin/env bash
# Bad input to `mizani estimate`: each case must fail with its documented
# exit code and a message naming the file, and the row and column where
# there is one (docs/cli.md). Usage: estimate_errors.sh MIZANI SHARED_DATA
set -u
MIZANI="$1"
SHARED="${2:-}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0
passes=0

# expect NAME EXPECTED_CODE PATTERN -- command args...
expect() {
  local name="$1" code="$2" pattern="$3"
  shift 4
  "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  if [ "$rc" != "$code" ]; then
    echo "FAIL $name: exit $rc, expected $code"; sed 's/^/  stderr: /' "$TMP/err" | head -5
    failures=$((failures + 1)); return
  fi
  if ! grep -Eq -- "$pattern" "$TMP/err" "$TMP/out"; then
    echo "FAIL $name: message does not match /$pattern/"; sed 's/^/  stderr: /' "$TMP/err" | head -5
    failures=$((failures + 1)); return
  fi
  echo "ok   $name (exit $rc)"
  passes=$((passes + 1))
}

good="$TMP/good.csv"
cat >"$good" <<CSV
exporter,importer,year,trade,dist
A,B,2000,10,100
A,C,2000,0,200
B,A,2000,12,100
B,C,2000,3,150
C,A,2000,1,200
C,B,2000,4,150
A,B,2001,11,100
A,C,2001,1,200
B,A,2001,13,100
B,C,2001,2,150
C,A,2001,2,200
C,B,2001,5,150
CSV

F='trade ~ log(dist) | exporter + importer'
expect "well-formed file runs" 0 "log\(dist\)" -- "$MIZANI" -q estimate -d "$good" -f "$F" --vcov iid

printf 'exporter,importer,year,trade,dist\nA,B,2000,10,100\nA,C,2000,5\n' >"$TMP/short.csv"
expect "malformed line (too few fields)" 4 "short.csv.*row 2" -- "$MIZANI" -q estimate -d "$TMP/short.csv" -f "$F"

sed 's/^B,C,2000,3,150$/B,C,2000,abc,150/' "$good" >"$TMP/text.csv"
expect "non-numeric value in a numeric column" 4 "text.csv.*row 4.*column 'trade'.*abc" -- \
  "$MIZANI" -q estimate -d "$TMP/text.csv" -f "$F"

sed 's/^B,C,2000,3,150$/B,C,2000,-3,150/' "$good" >"$TMP/negative.csv"
expect "negative outcome" 4 "negative.csv.*row 4.*column 'trade'.*negative" -- \
  "$MIZANI" -q estimate -d "$TMP/negative.csv" -f "$F"

sed 's/^B,C,2000,3,150$/B,C,2000,,150/' "$good" >"$TMP/missing.csv"
expect "missing outcome is dropped and counted" 0 "dropped +1 +missing value" -- \
  "$MIZANI" -q estimate -d "$TMP/missing.csv" -f "$F" --vcov iid

expect "unknown column in the formula" 5 "unknown column\(s\) 'distance'.*the file has: " -- \
  "$MIZANI" -q estimate -d "$good" -f 'trade ~ log(distance) | exporter'

expect "fixed effect with one level" 5 "fixed effect 'year' has a single level" -- \
  "$MIZANI" -q estimate -d "$good" -f 'trade ~ log(dist) | exporter + year' --filter 'year == 2000'

sed -E 's/^([A-C],[A-C],[0-9]+),[0-9]+,/\1,0,/' "$good" >"$TMP/zeros.csv"
expect "all-zero outcome" 5 "zero in every observation" -- "$MIZANI" -q estimate -d "$TMP/zeros.csv" -f "$F"

expect "model that does not converge in the iteration limit" 7 "did not converge" -- \
  "$MIZANI" -q estimate -d "$good" -f "$F" --max-iter 1 --vcov iid

expect "separation limit below one" 2 "separation-max-iter: must be a whole number >= 1" -- \
  "$MIZANI" -q estimate -d "$good" -f "$F" --separation-max-iter 0

expect "file that does not exist" 3 "nope.csv" -- "$MIZANI" -q estimate -d "$TMP/nope.csv" -f "$F"

printf 'not a stata file at all' >"$TMP/fake.dta"
expect "file that is not a .dta" 3 "fake.dta" -- "$MIZANI" -q estimate -d "$TMP/fake.dta" -f "$F"

expect "formula without ~" 5 "missing '~'" -- "$MIZANI" -q estimate -d "$good" -f 'trade log(dist)'

expect "unknown option" 2 "" -- "$MIZANI" -q estimate -d "$good" -f "$F" --frobnicate

dta="$SHARED/agtpa_yotov2016/dta/Chapter1/Chapter1Application1.dta"
if [ -f "$dta" ]; then
  head -c 100000 "$dta" >"$TMP/truncated.dta"
  expect "truncated .dta" 3 "truncated.dta" -- "$MIZANI" -q estimate -d "$TMP/truncated.dta" \
    -f 'trade ~ log(DIST) | exporter^year + importer^year'
else
  echo "skip truncated .dta: shared data not found at $SHARED (set it to ../shared/data)"
fi

echo "$passes passed, $failures failed"
[ "$failures" = 0 ]

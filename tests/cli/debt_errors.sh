#!/usr/bin/env bash
# `mizani debt`: a small run of examples/kenya_financing.toml writes every
# output with progress on stderr; bad inputs fail with their documented exit
# code (docs/cli.md), a message naming the problem, and no output folder.
# $1 = mizani binary, $2 = shared data folder (skips, exit 77, when absent).
set -u
MIZANI="$1"
DATA="$2"
HERE="$(cd "$(dirname "$0")" && pwd)"
EXAMPLE="$HERE/../../examples/kenya_financing.toml"
if [ ! -f "$DATA/kenya_debt/kenya_external_debt_register_2023-06-30.csv" ]; then
  echo "SKIP: shared data not found in $DATA"
  exit 77
fi
DATA="$(cd "$DATA" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
cd "$WORK"

# A good run, small: exit 0, every output, progress lines on stderr.
"$MIZANI" debt "$EXAMPLE" --data-dir "$DATA" --paths 200 -o good > stdout.txt 2> stderr.txt
rc=$?
[ "$rc" = 0 ] || { fail "example exited $rc"; cat stderr.txt; }
for file in results.json report.html report.md report.json instruments.csv cash_flows.csv \
  projections.csv frontier.csv stress_tests.csv debt_dynamics.csv goals.csv; do
  [ -s "good/$file" ] || fail "good/$file missing or empty"
done
grep -q "^mizani: simulating 200 exchange-rate paths" stderr.txt || fail "no progress on stderr"
grep -q "break-even yen appreciation" stdout.txt || fail "summary missing on stdout"

# expect NAME CODE WORDS: the variant NAME.toml fails with CODE and WORDS.
expect() {
  local name="$1" code="$2" words="$3"
  "$MIZANI" -q debt "$name.toml" --data-dir "$DATA" --paths 50 -o "out-$name" > /dev/null \
    2> "$name.err"
  local rc=$?
  [ "$rc" = "$code" ] || fail "$name: exit $rc, expected $code ($(cat "$name.err"))"
  grep -q -- "$words" "$name.err" || fail "$name: message lacks '$words': $(cat "$name.err")"
  [ -e "out-$name" ] && fail "$name: output folder written despite the error"
  ls -a | grep -q '\.tmp-' && fail "$name: temporary folder left behind"
}
variant() {  # variant NAME SED-EXPRESSION
  sed "$2" "$EXAMPLE" > "$1.toml"
}

variant unknown_currency '0,/^currency = "USD"/s//currency = "XYZ"/'
expect unknown_currency 6 "unknown currency 'XYZ'"
variant no_history '0,/^currency = "USD"/s//currency = "GBP"/'
expect no_history 6 "no exchange-rate history for currency 'GBP'"
variant negative_amount 's/^face = 170 .*/face = -170/'
expect negative_amount 6 "amount must be positive"
variant maturity_before_issue 's/^maturity = "2036-09-01"/maturity = "2024-09-01"/'
expect maturity_before_issue 6 "maturity 2024-09-01 is before"
variant shares 's/^shares = { eurobond = 0.25, samurai = 0.0,/shares = { eurobond = 0.35, samurai = 0.0,/'
expect shares 6 "shares sum to 1.1"
variant unknown_key 's/^block_months = 12/block_month = 12/'
expect unknown_key 6 "unknown key 'block_month'"
expect no_such_scenario 3 "scenario file not found"
# [exports]: a negative value, a projection year missing (exit 6, file and key).
appended() {  # appended NAME TEXT: the example with TEXT added at its end
  { cat "$EXAMPLE"; printf '%s\n' "$2"; } > "$1.toml"
}
appended exports_negative $'[exports]\nvalues = { 2025 = -3 }'
expect exports_negative 6 "(exports.values): exports of 2025 must be a positive finite number"
appended exports_missing_year $'[exports]\nvalues = { 2025 = 20, 2026 = 21 }'
expect exports_missing_year 6 "(exports.values): no exports for 2027"
# The data folder without the register: exit 3, naming the file.
mkdir -p empty/fx_history
cp "$DATA"/fx_history/*.csv* empty/fx_history/
"$MIZANI" -q debt "$EXAMPLE" --data-dir empty --paths 50 -o out-empty > /dev/null 2> empty.err
rc=$?
[ "$rc" = 3 ] || fail "missing register: exit $rc, expected 3"
grep -q "debt register not found" empty.err || fail "missing register: $(cat empty.err)"
[ -e out-empty ] && fail "output written without the register"

# A register maturity that is not a day of the calendar: exit 4, naming the
# file, row and column (src/data/civil_date.h; sscanf("%d") took it, and a
# sign or a wrapped year with it).
mkdir baddate
for entry in "$DATA"/*; do ln -s "$entry" baddate/; done
rm baddate/kenya_debt && mkdir baddate/kenya_debt && cp "$DATA"/kenya_debt/* baddate/kenya_debt/
REGISTER=baddate/kenya_debt/kenya_external_debt_register_2023-06-30.csv
for bad in 31/02/2033 +1/01/2033 01/01/4294969329; do
  sed "2s#,01/01/2033,#,$bad,#" "$DATA/kenya_debt/kenya_external_debt_register_2023-06-30.csv" \
    > "$REGISTER"
  "$MIZANI" -q debt "$EXAMPLE" --data-dir baddate --paths 50 -o out-baddate > /dev/null \
    2> baddate.err
  rc=$?
  [ "$rc" = 4 ] || fail "register date $bad: exit $rc, expected 4 ($(cat baddate.err))"
  grep -qF "row 1, column 'maturity_date': '$bad' is not a DD/MM/YYYY date" baddate.err ||
    fail "register date $bad: $(cat baddate.err)"
  [ -e out-baddate ] && fail "register date $bad: output written"
done

# An existing folder of other files is never replaced.
mkdir precious && echo keep > precious/notes.txt
"$MIZANI" -q debt "$EXAMPLE" --data-dir "$DATA" --paths 50 -o precious > /dev/null 2> precious.err
rc=$?
[ "$rc" = 9 ] || fail "folder of other files: exit $rc, expected 9"
[ -f precious/notes.txt ] || fail "user file deleted"

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "debt: all checks passed"

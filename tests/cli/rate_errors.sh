#!/usr/bin/env bash
# `mizani rate`: the example runs end to end (every subcommand writes its
# report all-or-nothing), and bad input gives a clear message and its
# documented exit code: unknown country or agency (6), a grade or numeric
# notch outside the scale (4, naming file, row and column), an indicator
# missing for the scored year (4), a broken methodology (6), a bad
# [model] effects or quadrature_points (6).
# $1 = mizani binary, $2 = shared data folder.
set -u
MIZANI="$1"
DATA="$2"
SOURCE="$(cd "$(dirname "$0")/../.." && pwd)"
EXAMPLE="$SOURCE/examples/africa_ratings.toml"
RATINGS="$DATA/imf_weo_2025apr/countriesratings.csv"
if [ ! -f "$RATINGS" ]; then
  echo "SKIP: shared data not found: $RATINGS"
  exit 77
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect CODE PATTERN -- command...: exit code and a message on stderr.
expect() {
  local code="$1" pattern="$2"
  shift 3
  "$@" > "$WORK/out.txt" 2> "$WORK/err.txt"
  local rc=$?
  [ "$rc" = "$code" ] || fail "expected exit $code, got $rc: $* ($(head -2 "$WORK/err.txt"))"
  grep -q -- "$pattern" "$WORK/err.txt" || fail "no '$pattern' on stderr: $(head -2 "$WORK/err.txt")"
}

# The example end to end. The back-test rolls over the example's last five
# years for two agencies (its full run, 2010-2024 for four agencies with the
# random effect, takes minutes; docs/rating.md quotes it).
mkdir -p "$WORK/short"
cp "$SOURCE/examples/africa_scorecard.toml" "$WORK/short/"
sed -e 's/^first_test_year = .*/first_test_year = 2020/' \
  -e 's/^agencies = .*/agencies = ["S\&P", "Moody'"'"'s"]/' "$EXAMPLE" > "$WORK/short/africa_ratings.toml"
grep -q '^first_test_year = 2020' "$WORK/short/africa_ratings.toml" || fail "could not shorten the back-test"
for sub in fit evaluate score explain; do
  config="$EXAMPLE"
  [ "$sub" = evaluate ] && config="$WORK/short/africa_ratings.toml"
  "$MIZANI" rate "$sub" "$config" --data-dir "$DATA" -o "$WORK/$sub" > "$WORK/$sub.txt" 2> "$WORK/$sub.err" ||
    fail "rate $sub exited $?: $(tail -2 "$WORK/$sub.err")"
  for file in report.html report.md report.json; do
    [ -s "$WORK/$sub/$file" ] || fail "rate $sub: $file missing"
  done
  grep -q "^mizani: " "$WORK/$sub.err" || fail "rate $sub: no progress on stderr"
done
[ -s "$WORK/fit/coefficients.csv" ] || fail "fit: coefficients.csv missing"
[ -s "$WORK/evaluate/backtest_summary.csv" ] || fail "evaluate: backtest_summary.csv missing"
grep -q '^KEN,' "$WORK/score/scores.csv" || fail "score: Kenya missing from scores.csv"
grep -q '^KEN,' "$WORK/score/audit.csv" || fail "score: Kenya missing from the audit trail"
grep -q '"GGXWDG_NGDP"\|^GGXWDG_NGDP' "$WORK/explain/goal_seek.csv" || fail "explain: no goal seek for debt"
grep -q "Kenya 2024" "$WORK/explain.txt" || fail "explain: summary missing"
# -q: nothing on stderr.
"$MIZANI" rate fit "$EXAMPLE" --data-dir "$DATA" -q -o "$WORK/quiet" > /dev/null 2> "$WORK/quiet.err" ||
  fail "rate fit -q failed"
[ -s "$WORK/quiet.err" ] && fail "rate fit -q wrote to stderr"

# Unknown country (command line and file), unknown agency, bad link.
expect 6 "unknown country 'Atlantis'" -- "$MIZANI" rate explain "$EXAMPLE" --data-dir "$DATA" --country Atlantis -o "$WORK/x1"
expect 6 "unknown agency 'Scope'" -- "$MIZANI" rate fit "$EXAMPLE" --data-dir "$DATA" --agency Scope -o "$WORK/x2"
expect 6 "unknown link" -- "$MIZANI" rate fit "$EXAMPLE" --data-dir "$DATA" --link tobit -o "$WORK/x3"
sed 's/country = "KEN"/country = "XYZ"/' "$EXAMPLE" > "$WORK/bad_country.toml"
cp "$SOURCE/examples/africa_scorecard.toml" "$WORK/"
expect 6 "bad_country.toml:.*explain.country.*unknown country 'XYZ'" -- "$MIZANI" rate explain "$WORK/bad_country.toml" --data-dir "$DATA"
[ -e "$WORK/africa_ratings_out" ] && fail "an output folder was written after an error"
# The random-effects keys of [model].
sed 's/^effects = .*/effects = "fixed"/' "$EXAMPLE" > "$WORK/bad_effects.toml"
expect 6 "bad_effects.toml:.*model.effects.*unknown effects 'fixed' (pooled or random)" -- "$MIZANI" rate fit "$WORK/bad_effects.toml" --data-dir "$DATA" -o "$WORK/x21"
sed 's/^quadrature_points = .*/quadrature_points = 0/' "$EXAMPLE" > "$WORK/bad_points.toml"
expect 6 "bad_points.toml:.*model.quadrature_points.*between 1 and 50" -- "$MIZANI" rate fit "$WORK/bad_points.toml" --data-dir "$DATA" -o "$WORK/x22"
sed 's/^quadrature_points = .*/quadrature_points = "many"/' "$EXAMPLE" > "$WORK/bad_points_type.toml"
expect 6 "bad_points_type.toml:.*model.quadrature_points.*expected an integer" -- "$MIZANI" rate fit "$WORK/bad_points_type.toml" --data-dir "$DATA" -o "$WORK/x23"
# Year outside the panel.
expect 6 "year 2031 lies outside" -- "$MIZANI" rate explain "$EXAMPLE" --data-dir "$DATA" --year 2031 -o "$WORK/x4"

# A rating file with a grade off the scale, and one with a numeric notch off
# the file's scale: exit 4 naming file, row and column.
mkdir -p "$WORK/data/imf_weo_2025apr"
cp "$DATA/imf_weo_2025apr/weo_2025apr_long.csv.gz" "$WORK/data/imf_weo_2025apr/"
{ head -1 "$RATINGS"; echo 'S&P,AAA+,29,Stable,6/6/2021,2021,Australia'; tail -n +2 "$RATINGS"; } \
  > "$WORK/data/imf_weo_2025apr/countriesratings.csv"
expect 4 "countriesratings.csv: row 1, column 'Rating': 'AAA+' is not on the S&P scale" -- \
  "$MIZANI" rate fit "$EXAMPLE" --data-dir "$WORK/data" -o "$WORK/x5"
{ head -1 "$RATINGS"; echo 'S&P,BB+,17,Stable,6/6/2021,2021,Australia'; tail -n +2 "$RATINGS"; } \
  > "$WORK/data/imf_weo_2025apr/countriesratings.csv"
expect 4 "row 1, column 'RatingN': 17 does not match grade 'BB+'" -- \
  "$MIZANI" rate fit "$EXAMPLE" --data-dir "$WORK/data" -o "$WORK/x6"
# A date that is not a day of the calendar, or not M/D/YYYY (a sign, a
# blank inside): src/data/civil_date.h; sscanf("%d") took the last two.
for bad in 2/30/2021 +6/6/2021 '6/ 6/2021'; do
  { head -1 "$RATINGS"; echo "S&P,AA,27,Stable,$bad,2021,Australia"; tail -n +2 "$RATINGS"; } \
    > "$WORK/data/imf_weo_2025apr/countriesratings.csv"
  expect 4 "row 1, column 'Date': '$bad' is not a date M/D/YYYY" -- \
    "$MIZANI" rate fit "$EXAMPLE" --data-dir "$WORK/data" -o "$WORK/x6d"
done
{ head -1 "$RATINGS"; echo 'Scope,AA,27,Stable,6/6/2021,2021,Australia'; tail -n +2 "$RATINGS"; } \
  > "$WORK/data/imf_weo_2025apr/countriesratings.csv"
expect 4 "row 1, column 'Agency': unknown agency 'Scope'" -- \
  "$MIZANI" rate fit "$EXAMPLE" --data-dir "$WORK/data" -o "$WORK/x7"
{ head -1 "$RATINGS"; echo 'S&P,AA,27,Stable,6/6/2021,2021,Atlantis'; tail -n +2 "$RATINGS"; } \
  > "$WORK/data/imf_weo_2025apr/countriesratings.csv"
expect 4 "row 1, column 'Country': unknown country name 'Atlantis'" -- \
  "$MIZANI" rate fit "$EXAMPLE" --data-dir "$WORK/data" -o "$WORK/x8"

# An indicator missing for the scored year: Somalia has no WEO debt series.
expect 4 "SOM 2024: indicator .* is missing for the scored year" -- \
  "$MIZANI" rate score "$EXAMPLE" --data-dir "$DATA" --country SOM -o "$WORK/x9"
[ -e "$WORK/x9" ] && fail "rate score wrote output after an error"

# A broken methodology names its file, line and key.
sed 's/grid = \[\[-15, 0\], \[-8, 30\], \[-4, 55\], \[0, 80\], \[5, 100\]\]/grid = [[-15, 0], [-8, 30], [-4, 10]]/' \
  "$SOURCE/examples/africa_scorecard.toml" > "$WORK/africa_scorecard.toml"
sed 's/country = "KEN"/country = "KEN"/' "$EXAMPLE" > "$WORK/good.toml"
expect 6 "africa_scorecard.toml:[0-9]*: key 'factor\[4\].indicator\[1\].grid': grid scores must be monotone" -- \
  "$MIZANI" rate score "$WORK/good.toml" --data-dir "$DATA" -o "$WORK/x10"

# Extra indicators ([[data.extra]]): no sourced reserves data ship, so the
# test generates a stand-in series from GDP per capita (test values, not
# data) and goal-seeks on it in the ordered model and the scorecard.
mkdir -p "$WORK/res"
/usr/bin/python3 - "$DATA/imf_weo_2025apr/weo_2025apr_long.csv.gz" "$WORK/res/reserves_test.csv" <<'PY'
import csv, gzip, math, sys
with gzip.open(sys.argv[1], "rt", newline="") as source, open(sys.argv[2], "w", newline="") as out:
    writer = csv.writer(out)
    writer.writerow(["country", "year", "indicator", "value"])
    for row in csv.DictReader(source):
        if row["weo_subject_code"] != "NGDPDPC" or not row["value"]:
            continue
        year, value = int(float(row["year"])), float(row["value"])
        if 2000 <= year <= 2024 and value > 0:
            months = 0.8 * math.log(value) - 3 + math.sin(year)
            writer.writerow([row["country"], year, "RES_MONTHS_TEST", f"{months:.4f}"])
PY
sed 's/goal_seek = \[/goal_seek = ["RES_MONTHS_TEST", /' "$EXAMPLE" > "$WORK/res/reserves.toml"
cat >> "$WORK/res/reserves.toml" <<'TOML'

[[data.extra]]
path = "reserves_test.csv"
source = "test-generated from GDP per capita (not data)"
vintage = "none"

[[indicator]]
code = "RES_MONTHS_TEST"
label = "reserves, months of imports (test values)"
TOML
# The scorecard with fixed weights (no calibration), so that re-scoring one
# changed value moves nothing else, and a reserves factor.
grep -v '^calibrate_to' "$SOURCE/examples/africa_scorecard.toml" > "$WORK/res/africa_scorecard.toml"
cat >> "$WORK/res/africa_scorecard.toml" <<'TOML'

[[factor]]
name = "External liquidity (test)"
weight = 0.2
  [[factor.indicator]]
  code = "RES_MONTHS_TEST"
  grid = [[0, 0], [3, 40], [6, 75], [12, 100]]
TOML
"$MIZANI" -q rate explain "$WORK/res/reserves.toml" --data-dir "$DATA" -o "$WORK/res/explain" \
  > "$WORK/res/explain.txt" 2> "$WORK/res/explain.err" || fail "rate explain with reserves: $(tail -2 "$WORK/res/explain.err")"
"$MIZANI" -q rate fit "$WORK/res/reserves.toml" --data-dir "$DATA" -o "$WORK/res/fit" \
  > "$WORK/res/fit.txt" 2>&1 || fail "rate fit with reserves: $(tail -2 "$WORK/res/fit.txt")"
grep -q "Extra indicators.*TEST; source: test-generated from GDP per capita (not data); vintage: none" \
  "$WORK/res/fit/report.md" || fail "fit: the extra file and its source are not in the report"
grep -q '^"reserves, months of imports (test values)",' "$WORK/res/fit/coefficients.csv" ||
  fail "fit: no coefficient for the extra indicator"
# goal_seek.csv: indicator,current,ordered_model_from,ordered_model_needs,scorecard_from,scorecard_needs
goal="$(/usr/bin/python3 -c '
import csv, sys
for row in csv.DictReader(open(sys.argv[1])):
    if row["indicator"] == "RES_MONTHS_TEST":
        print(row["current"], row["ordered_model_needs"] or "-", row["scorecard_from"].replace(" ", ""),
              row["scorecard_needs"] or "-")' "$WORK/res/explain/goal_seek.csv")"
echo "reserves goal seek (current, ordered model needs, scorecard from->to, scorecard needs): $goal"
read -r current model_needs card_step card_needs <<< "$goal"
[ "$model_needs" != "-" ] || fail "the ordered model found no reserves value for one notch up"
[ "$card_needs" != "-" ] || fail "the scorecard found no reserves value for one notch up"
# Re-score: Kenya's 2024 reserves set to the scorecard's answer give the next
# notch; a little less keeps the current one.
rescore() {
  /usr/bin/python3 - "$WORK/res/reserves_test.csv" "$1" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
for row in rows[1:]:
    if row[0] == "Kenya" and row[1] == "2024":
        row[3] = sys.argv[2]
csv.writer(open(sys.argv[1], "w", newline="")).writerows(rows)
PY
  rm -rf "$WORK/res/score"
  "$MIZANI" -q rate score "$WORK/res/reserves.toml" --data-dir "$DATA" --country KEN \
    -o "$WORK/res/score" > /dev/null 2>&1 || fail "rate score with reserves $1 failed"
  /usr/bin/python3 -c '
import csv, sys
print(next(csv.DictReader(open(sys.argv[1])))["foreign_currency"])' "$WORK/res/score/scores.csv"
}
if [ "$card_needs" != "-" ]; then
  above="$(rescore "$(/usr/bin/python3 -c "print(repr($card_needs + 1e-7))")")"
  below="$(rescore "$(/usr/bin/python3 -c "print(repr($card_needs - 1e-4))")")"
  echo "re-scored: $below just below, $above at the value found (goal $card_step)"
  [ "$below->$above" = "$card_step" ] || fail "re-scoring gives $below->$above, goal seeking said $card_step"
fi
# A bad row in an extra file: exit 4 naming file, row and column.
echo 'Atlantis,2024,RES_MONTHS_TEST,3' >> "$WORK/res/reserves_test.csv"
rows="$(($(wc -l < "$WORK/res/reserves_test.csv") - 1))"
expect 4 "reserves_test.csv: row $rows, column 'country': unknown country 'Atlantis'" -- \
  "$MIZANI" rate fit "$WORK/res/reserves.toml" --data-dir "$DATA" -o "$WORK/x11"
# An extra file without its source: exit 6 naming the key.
sed '/^source = "test-generated/d' "$WORK/res/reserves.toml" > "$WORK/res/no_source.toml"
expect 6 "no_source.toml:[0-9]*: key 'data.extra\[1\]': missing key 'source'" -- \
  "$MIZANI" rate fit "$WORK/res/no_source.toml" --data-dir "$DATA" -o "$WORK/x12"

echo "rate: $failures failure(s)"
[ "$failures" = 0 ]

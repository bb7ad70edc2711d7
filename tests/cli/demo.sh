#!/usr/bin/env bash
# `mizani demo` on the embedded synthetic world: the output folder holds the
# report in every form, every output carries the synthetic-data label, and a
# bad --data-dir is exit code 3 with nothing written.
# $1 = mizani binary, $2 = shared data folder (not needed: the data are embedded).
set -u
MIZANI="$1"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Run from an unrelated folder: the scenarios must be embedded in the binary.
cd "$WORK"
start=$(date +%s.%N)
"$MIZANI" demo -o out > stdout.txt 2> stderr.txt
rc=$?
end=$(date +%s.%N)
echo "demo: exit $rc in $(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}') s"
[ "$rc" = 0 ] || { fail "demo exited $rc"; cat stderr.txt; }
for file in report.html report.md report.json headline.csv kenya_japan.csv a_focus.csv \
  b_coefficients.csv b_groups.csv c_goal.csv d_country_summary.csv; do
  [ -s "out/$file" ] || fail "out/$file missing or empty"
done
label="SYNTHETIC DATA — illustrative only"
grep -q "$label" out/report.html || fail "label missing in report.html"
grep -q "$label" out/report.md || fail "label missing in report.md"
grep -q "$label" out/report.json || fail "label missing in report.json"
grep -q "$label" stdout.txt || fail "label missing on stdout"
for csv in out/*.csv; do
  head -1 "$csv" | grep -q "^# $label" || fail "label missing at the top of $csv"
done
grep -q "^A  Japan removes" stdout.txt || fail "summary missing on stdout"
grep -q "report: .*out/report.html" stdout.txt || fail "report path not printed"
grep -q "bootstrap" stderr.txt || fail "no progress on stderr"

# -q: nothing on stderr.
"$MIZANI" demo -q -o quiet > /dev/null 2> quiet.txt || fail "demo -q failed"
[ -s quiet.txt ] && fail "demo -q wrote to stderr: $(head -3 quiet.txt)"

# A folder that does not exist: exit 3, a message naming it, nothing written.
"$MIZANI" demo --data-dir "$WORK/no-such-folder" -o bad > /dev/null 2> bad.txt
rc=$?
[ "$rc" = 3 ] || fail "nonexistent --data-dir: exit $rc, expected 3"
grep -q "no-such-folder" bad.txt || fail "message does not name the folder: $(cat bad.txt)"
grep -q "Chapter2Application2" bad.txt || fail "message does not say what was expected"
[ -e bad ] && fail "output folder written despite the error"
ls -a | grep -q '\.tmp-' && fail "temporary folder left behind"

# A folder without the file: exit 3 too.
mkdir empty-data
"$MIZANI" -q demo --data-dir empty-data -o bad2 > /dev/null 2>&1
rc=$?
[ "$rc" = 3 ] || fail "--data-dir without the data: exit $rc, expected 3"
[ -e bad2 ] && fail "output folder written for a data folder without data"

# Data without the needed columns: exit 6, nothing written.
mkdir -p wrong/csv
printf 'exporter,importer,year,value\nKEN,KEN,2006,1\n' | gzip > wrong/csv/Chapter2Application2.csv.gz
"$MIZANI" -q demo --data-dir wrong -o bad3 > /dev/null 2> wrong.txt
rc=$?
[ "$rc" = 6 ] || { fail "data without a trade column: exit $rc, expected 6"; cat wrong.txt; }
[ -e bad3 ] && fail "output folder written for bad data"

# An existing folder of other files is never replaced (exit 9).
mkdir precious && echo keep > precious/notes.txt
"$MIZANI" -q demo -o precious > /dev/null 2>&1
rc=$?
[ "$rc" = 9 ] || fail "folder of other files: exit $rc, expected 9"
[ -f precious/notes.txt ] || fail "a folder of other files was touched"

if [ "$failures" -gt 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "all demo CLI checks passed"

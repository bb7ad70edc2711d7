#!/usr/bin/env bash
# `mizani pe`: SMART and GSIM end to end on a one-line table whose results
# have closed forms (docs/pe.md), and bad input: each case must fail with its
# documented exit code (docs/cli.md) and leave no output folder behind.
# $1 = mizani binary, $2 = shared data folder (unused: the data are made here).
set -u
MIZANI="$1"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
failures=0

# One line, one supplier: Japan imports 100 of bulk tea from Kenya at 20%.
cat > "$WORK/table.csv" <<'CSV'
reporter,partner,product,trade_value,tariff
JPN,KEN,090240,100,20
JPN,LKA,090240,300,20
CSV

write() {  # write NAME "elasticity lines" "change lines" [table file]
  cat > "$WORK/$1.toml" <<TOML
title = "test $1"
model = "${MODEL:-smart}"
focus = "KEN"
[inputs]
table = "${4:-table.csv}"
[elasticities]
$2
[[change]]
$3
TOML
}

expect() {  # expect NAME CODE
  local name="$1" code="$2" rc
  "$MIZANI" -q pe "$WORK/$name.toml" -o "$WORK/out-$name" > "$WORK/$name.stdout" 2> "$WORK/$name.stderr"
  rc=$?
  if [ "$rc" != "$code" ]; then
    echo "FAIL $name: exit $rc, expected $code"; cat "$WORK/$name.stderr"; failures=$((failures + 1))
  else
    echo "ok   $name (exit $rc): $(head -c 200 "$WORK/$name.stderr")"
  fi
  if [ "$code" != 0 ] && [ -e "$WORK/out-$name" ]; then
    echo "FAIL $name: output folder left behind"; failures=$((failures + 1))
  fi
}

# Column of a named field in a CSV row matching a key (first column).
field() {  # field FILE KEY COLUMN
  awk -F, -v key="$2" -v col="$3" 'NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
    $1 == key || $2 == key { print $idx[col]; exit }' "$1"
}

close() {  # close NAME VALUE EXPECTED TOL
  awk -v v="$2" -v e="$3" -v t="$4" 'BEGIN { d = v - e; if (d < 0) d = -d; exit !(v != "" && d <= t) }' \
    && echo "ok   $1 = $2" || { echo "FAIL $1 = $2, expected $3"; failures=$((failures + 1)); }
}

# MFN cut 20% -> 10% for both: no diversion; creation = -1.5 * 400 * (1.1/1.2 - 1) = 50.
write mfn 'import_demand = -1.5
export_supply = "inf"' 'partners = "all"
tariff = 10'
expect mfn 0
close "SMART MFN total" "$(field "$WORK/out-mfn/smart_lines.csv" JPN total)" 50 1e-9
close "SMART MFN revenue1" "$(field "$WORK/out-mfn/smart_lines.csv" JPN revenue1)" 45 1e-9
for f in report.html report.md report.json smart_flows.csv smart_partners.csv lines_status.csv; do
  [ -s "$WORK/out-mfn/$f" ] || { echo "FAIL mfn: $f missing"; failures=$((failures + 1)); }
done

# GSIM, one market, Kenya alone with supply elasticity 3, demand -2, 25% -> 0:
# world price p = 0.8^(-2/5) (docs/pe.md), so +9.3265%.
cat > "$WORK/one.csv" <<'CSV'
reporter,partner,product,trade_value,tariff
JPN,KEN,060311,100,25
CSV
MODEL=gsim write gsim 'import_demand = -2
export_supply = 3' 'partners = ["KEN"]
tariff = 0' one.csv
expect gsim 0
close "GSIM world price change (%)" "$(field "$WORK/out-gsim/gsim_exporters.csv" 060311 world_price_change)" \
  "$(awk 'BEGIN { printf "%.12f", (0.8 ^ -0.4 - 1) * 100 }')" 1e-6

# Sensitivity (x0.5, x1.5 on eps_m): p = 0.8^(eps/(3 - eps)), trade change
# 100 (p^4 - 1): 25 at eps = -1, 56.25 at eps = -3.
close "GSIM change low" "$(field "$WORK/out-gsim/gsim_products.csv" 060311 trade_change_low)" 25 1e-6
close "GSIM change high" "$(field "$WORK/out-gsim/gsim_products.csv" 060311 trade_change_high)" 56.25 1e-6

# The same market linearised (GSIM as published): x = eps dT / (eta - eps)
# = -2 (-0.2) / 5, +8% exactly, and the solver table says which solution.
{ cat "$WORK/gsim.toml"; printf '[gsim]\nsolution = "linearised"\n'; } > "$WORK/gsim_linear.toml"
expect gsim_linear 0
close "GSIM linearised world price change (%)" \
  "$(field "$WORK/out-gsim_linear/gsim_exporters.csv" 060311 world_price_change)" 8 1e-9
grep -q '^060311,linearised,' "$WORK/out-gsim_linear/gsim_solver.csv" \
  || { echo "FAIL gsim_linear: gsim_solver.csv does not name the solution"; failures=$((failures + 1)); }
# A solution GSIM does not have, and a change for an importer not in the tables: exit 6.
{ cat "$WORK/gsim.toml"; printf '[gsim]\nsolution = "quadratic"\n'; } > "$WORK/bad_solution.toml"
expect bad_solution 6
write unknown_reporter 'import_demand = -1.5' 'reporters = ["KOR"]
tariff = 0'
expect unknown_reporter 6

write unknown_partner 'import_demand = -1.5' 'partners = ["UGA"]
tariff = 0'
expect unknown_partner 6
write unknown_product 'import_demand = -1.5' 'products = ["080440"]
tariff = 0'
expect unknown_product 6
write wrong_sign 'import_demand = 1.5' 'tariff = 0'
expect wrong_sign 6
write wrong_sign_sub 'import_demand = -1.5
substitution = -2' 'tariff = 0'
expect wrong_sign_sub 6
write no_file 'import_demand = -1.5' 'tariff = 0' missing.csv
expect no_file 3
# A trade file of one row with a bad value: the run stops with exit code 4.
bad_row() {  # name, the data row
  printf 'reporter,partner,product,trade_value,tariff\n%s\n' "$2" > "$WORK/$1.csv"
  write "$1" 'import_demand = -1.5' 'tariff = 0' "$1.csv"
  expect "$1" 4
}
bad_row neg_tariff 'JPN,KEN,090240,100,-5'
bad_row neg_trade 'JPN,KEN,090240,-100,5'
bad_row bad_code 'JPN,KEX,090240,100,5'
grep -q "row 1, column 'partner'" "$WORK/bad_code.stderr" \
  || { echo "FAIL bad_code: message does not name row and column"; failures=$((failures + 1)); }
bad_row bad_hs 'JPN,KEN,90240,100,5'

# A cell to fill: the row is left out, listed, and the line is partial.
printf 'reporter,partner,product,trade_value,trade_status,tariff\nJPN,KEN,090240,100,sourced,20\nJPN,LKA,090240,,to-fill,20\n' > "$WORK/fill.csv"
write fill 'import_demand = -1.5' 'partners = ["KEN"]
tariff = 0' fill.csv
expect fill 0
grep -q 'LKA' "$WORK/out-fill/cells_to_fill.csv" \
  || { echo "FAIL fill: LKA not listed in cells_to_fill.csv"; failures=$((failures + 1)); }
grep -q 'partial' "$WORK/out-fill/lines_status.csv" \
  || { echo "FAIL fill: line not marked partial"; failures=$((failures + 1)); }
printf 'reporter,partner,product,trade_value,trade_status,tariff\nJPN,KEN,090240,100,to-fill,20\n' > "$WORK/fillvalue.csv"
write fill_with_value 'import_demand = -1.5' 'tariff = 0' fillvalue.csv
expect fill_with_value 4

# Kenya sells nothing yet: SMART cannot create its trade, and says so.
printf 'reporter,partner,product,trade_value,tariff\nJPN,KEN,080440,0,6\nJPN,MEX,080440,300,0\n' > "$WORK/zero.csv"
write zero 'import_demand = -1.5' 'partners = ["KEN"]
tariff = 0' zero.csv
expect zero 0
grep -q 'KEN has no baseline trade' "$WORK/out-zero/lines_status.csv" \
  || { echo "FAIL zero: no zero-baseline statement"; failures=$((failures + 1)); }
close "zero-baseline total" "$(field "$WORK/out-zero/smart_lines.csv" JPN total)" 0 0

# Tariffs at another level: Japan's national lines under 090230 (HS2017
# table) averaged by trade, 0902 at HS4 for bulk tea, and an HS2012 schedule
# code through a concordance. (12 x 40 + 3 x 10) / 50 = 10.2% for 090230.
printf 'reporter,partner,product,trade_value,tariff_status,tariff\nJPN,KEN,090230,100,to-fill,\nJPN,KEN,090240,50,to-fill,\nJPN,KEN,080262,10,to-fill,\n' > "$WORK/levels.csv"
printf 'reporter,partner,product,tariff,trade_value,source\nJPN,*,0902.30.010,12,40,WTO\nJPN,*,0902.30.090,3,10,WTO\nJPN,*,0902,8,,HS4 schedule\nJPN,*,080260,5,,MFN HS2012\n' > "$WORK/levels_tariffs.csv"
printf 'from,to\n090230,090230\n090240,090240\n080260,080261\n080260,080262\n' > "$WORK/hs12_17.csv"
levels() {  # levels NAME CONCORDANCE_FILE
  cat > "$WORK/$1.toml" <<TOML
title = "test $1"
[inputs]
table = "levels.csv"
tariffs = "levels_tariffs.csv"
national_lines = "trade_weighted"
[inputs.tariff_concordance]
path = "$2"
from = "HS2012"
to = "HS2017"
[elasticities]
import_demand = -1.5
[[change]]
tariff = 0
TOML
}
levels levels hs12_17.csv
expect levels 0
rates="$WORK/out-levels/tariff_sources.csv"
close "trade-weighted national lines 090230 (%)" "$(awk -F, '$3 == "090230" { print $4 }' "$rates")" 10.2 1e-9
close "HS4 rate for 090240 (%)" "$(awk -F, '$3 == "090240" { print $4 }' "$rates")" 8 1e-9
close "HS2012 080260 for HS2017 080262 (%)" "$(awk -F, '$3 == "080262" { print $4 }' "$rates")" 5 1e-9
grep -q 'HS2012 -> HS2017' "$rates" \
  || { echo "FAIL levels: concordance step not recorded"; failures=$((failures + 1)); }
# A schedule code the concordance does not map: exit 4, naming file and row.
printf 'from,to\n090230,090230\n090240,090240\n080261,080261\n080261,080262\n' > "$WORK/hs_partial.csv"
levels unmapped hs_partial.csv
expect unmapped 4
grep -q "levels_tariffs.csv:row 4: HS2012 code 080260 is not in the concordance" "$WORK/unmapped.stderr" \
  || { echo "FAIL unmapped: message does not name the code and row"; failures=$((failures + 1)); }
# Scenario keys of the tariff levels: a wrong averaging method, or a
# concordance without a schedule, exit 6.
sed 's/national_lines = "trade_weighted"/national_lines = "median"/' "$WORK/levels.toml" > "$WORK/bad_lines.toml"
expect bad_lines 6
grep -v '^tariffs = ' "$WORK/levels.toml" > "$WORK/no_schedule.toml"
expect no_schedule 6
[ "$failures" = 0 ] && echo "all pe CLI checks passed" || exit 1

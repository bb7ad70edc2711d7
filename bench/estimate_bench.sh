#!/usr/bin/env bash
# Estimation benchmark of issues 2 and 12: PPML on `mizani synth` panels of
# 250 exporters x 250 importers x 40 years (2.49M rows, ~35% zeros) from
# either data-generating process (docs/synth.md), or larger ones.
#   model 3way: trade ~ rta | exporter^year + importer^year + exporter^importer
#   model 3way-nosep: the same with --no-separation-check
#   model 2way: trade ~ log(dist) + contig + lang + rta | exporter^year + importer^year
# Prints, per model, the median wall time, CPU time and peak memory of the
# whole `mizani estimate` process over RUNS runs (reading the CSV included).
# When R with fixest is installed (R_LIBS may point at it), the same models
# are also fitted with fixest::fepois in one R process per run, timing only
# the fepois call (data read by data.table::fread beforehand), for a ratio
# measured on the same machine in the same session.
#
# Usage: bench/estimate_bench.sh [BUILD_DIR=build] [RUNS=5] [WORK_DIR=/tmp/mizani-bench]
#          [DGP=logistic|hurdle] [COUNTRIES=250] [YEARS=40]
# (COUNTRIES=700 YEARS=40 gives 19.6M rows.)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
RUNS="${2:-5}"
WORK="${3:-/tmp/mizani-bench}"
DGP="${4:-logistic}"
COUNTRIES="${5:-250}"
YEARS="${6:-40}"
MIZANI="$BUILD/mizani"
mkdir -p "$WORK"
SUFFIX=""
[ "$DGP" = logistic ] || SUFFIX="_$DGP"
DATA="$WORK/synth_${COUNTRIES}x${COUNTRIES}x${YEARS}${SUFFIX}.csv"
if [ ! -f "$DATA" ]; then
  "$MIZANI" synth --dgp "$DGP" --exporters "$COUNTRIES" --importers "$COUNTRIES" \
    --years "$YEARS" --seed 1 -o "$DATA"
fi

declare -A FORMULA=(
  [3way]='trade ~ rta | exporter^year + importer^year + exporter^importer'
  [3way-nosep]='trade ~ rta | exporter^year + importer^year + exporter^importer'
  [2way]='trade ~ log(dist) + contig + lang + rta | exporter^year + importer^year'
)
declare -A EXTRA=([3way]='' [3way-nosep]='--no-separation-check' [2way]='')

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1e6}' /proc/meminfo); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "data: $DATA ($(wc -l <"$DATA") lines)"
for model in 3way 3way-nosep 2way; do
  walls=(); cpus=(); rss=()
  for run in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" \
      "$MIZANI" -q estimate --data "$DATA" -f "${FORMULA[$model]}" ${EXTRA[$model]} --vcov iid --format json \
      -o "$WORK/mizani_$model.json"
    read -r wall user sys kb <"$WORK/time.txt"
    walls+=("$wall"); cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')"); rss+=("$kb")
  done
  printf 'mizani %-10s  wall %6.2f s  cpu %6.2f s  peak %5.0f MB   (median of %d)\n' "$model" \
    "$(printf '%s\n' "${walls[@]}" | median)" "$(printf '%s\n' "${cpus[@]}" | median)" \
    "$(printf '%s\n' "${rss[@]}" | median | awk '{print $1 / 1024}')" "$RUNS"
  grep -o '"name": "[^"]*"\|"estimate": [-0-9.e]*' "$WORK/mizani_$model.json" | paste - - | sed 's/^/    /'
done

if command -v Rscript >/dev/null && Rscript -e 'library(fixest)' >/dev/null 2>&1; then
  cat >"$WORK/fixest_bench.R" <<'REOF'
suppressMessages({library(data.table); library(fixest)})
a <- commandArgs(TRUE); d <- fread(a[1], nThread = 2); model <- a[2]; threads <- as.integer(a[3])
f <- if (model == "3way") trade ~ rta | exporter^year + importer^year + exporter^importer else
  trade ~ log(dist) + contig + lang + rta | exporter^year + importer^year
t <- system.time(est <- fepois(f, data = d, nthreads = threads, vcov = "iid"))
cat(sprintf("%.3f %s\n", t[["elapsed"]], paste(formatC(coef(est), digits = 10, format = "g"), collapse = " ")))
REOF
  for model in 3way 2way; do
    for threads in 2 1; do
      walls=(); rss=()
      for run in $(seq "$RUNS"); do
        /usr/bin/time -f "%M" -o "$WORK/time.txt" Rscript "$WORK/fixest_bench.R" "$DATA" "$model" "$threads" >"$WORK/fixest.txt"
        read -r wall coefs <"$WORK/fixest.txt"
        walls+=("$wall"); rss+=("$(cat "$WORK/time.txt")")
      done
      printf 'fixest %-4s nthreads=%d  fepois call %6.2f s  process peak %5.0f MB   coef %s\n' "$model" "$threads" \
        "$(printf '%s\n' "${walls[@]}" | median)" "$(printf '%s\n' "${rss[@]}" | median | awk '{print $1 / 1024}')" "$coefs"
    done
  done
else
  echo "fixest not installed: skipping the peer (install R and fixest to compare on this machine)"
fi

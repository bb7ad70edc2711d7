#!/usr/bin/env bash
# Runs each libFuzzer target (tests/fuzz/) for SECONDS seconds (default 60), or
# for RUNS executions with --runs RUNS, on a copy of its seed corpus, two
# targets at a time (one per core). The targets come from the same clang
# build as scripts/sanitize.sh (the `asan` preset, build-asan/: AddressSanitizer
# and UndefinedBehaviorSanitizer on the whole library); this script builds
# whatever is missing. A crash, a leak, a sanitizer report or an allocation
# over 2 GB leaves its input in build-asan/fuzz/findings/<target>/: add it to
# tests/fuzz/corpus/<target>/ with the fix, as a regression input.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#   scripts/fuzz.sh --runs RUNS [TARGET...]
# Prints, per target, the executions done and the peak memory.
# Needs the Debian packages clang and libfuzzer-14-dev (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
limit="-max_total_time=60"
if [ "${1:-}" = "--runs" ]; then
  limit="-runs=${2:?--runs needs a number}"
  shift 2
elif [ $# -gt 0 ]; then
  limit="-max_total_time=$1"
  shift
fi
targets=("$@")
if [ "${#targets[@]}" = 0 ]; then
  targets=(csv_fuzzer dta_fuzzer formula_fuzzer filter_fuzzer scenario_fuzzer pe_fuzzer
    debt_fuzzer rating_fuzzer world_fuzzer)
fi
build=build-asan
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake --preset asan >&2
fi
cmake --build "$build" --target "${targets[@]}" -j2 >&2

# One target: its own corpus copy, findings folder and log; exit status 0
# when libFuzzer found nothing.
run_target() {
  local target=$1 corpus="$build/fuzz/corpus/$1" findings="$build/fuzz/findings/$1"
  mkdir -p "$corpus" "$findings"
  cp -n tests/fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
  # -rss_limit_mb/-malloc_limit_mb: a reader must not allocate from an
  # untrusted size field. One OpenMP thread: the engines' parallel loops would
  # only add scheduling noise to one input at a time. No fill of new heap
  # blocks and a 32 MB quarantine (ASan's defaults: 4 KB filled, 256 MB):
  # about 20% more executions a second on the bundle targets (debt_fuzzer,
  # 1,500 runs: 3.57 s CPU against 4.41 s), at the cost of use-after-free
  # reports on blocks freed more than 32 MB of frees earlier.
  OMP_NUM_THREADS=1 \
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:max_malloc_fill_size=0:quarantine_size_mb=32 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/tests/fuzz/$target" "$limit" -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" \
    2>"$build/fuzz/$target.log"
}

mkdir -p "$build/fuzz"
status=0
declare -A running=()  # pid -> target
report() {
  local target=$1 code=$2
  if [ "$code" != 0 ]; then
    echo "fuzz: $target found a problem (log: $build/fuzz/$target.log, input in $build/fuzz/findings/$target)" >&2
    tail -40 "$build/fuzz/$target.log" >&2
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/fuzz/$target.log" |
    sed "s/^/fuzz: $target /" >&2 || true
}
# Waits for whichever running target ends first and reports it.
reap_one() {
  local pid code=0
  wait -n -p pid || code=$?
  report "${running[$pid]}" "$code"
  unset "running[$pid]"
}
for target in "${targets[@]}"; do
  if [ "${#running[@]}" -ge 2 ]; then reap_one; fi
  echo "== fuzz $target ($limit)" >&2
  run_target "$target" &
  running[$!]=$target
done
while [ "${#running[@]}" -gt 0 ]; do reap_one; done
exit $status

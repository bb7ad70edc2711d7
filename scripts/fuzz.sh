#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer in their own build folder, and runs each for
# SECONDS seconds (default 60) on a copy of its seed corpus. A crash leaves
# its input in build-fuzz/findings/<target>/; add it to
# tests/fuzz/corpus/<target>/ with the fix, as a regression input.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# Needs the Debian packages clang and libfuzzer-14-dev (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ "${#targets[@]}" = 0 ]; then
  targets=(csv_fuzzer dta_fuzzer formula_fuzzer filter_fuzzer scenario_fuzzer pe_fuzzer
    debt_fuzzer rating_fuzzer world_fuzzer)
fi
build=build-fuzz
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -g -O1"
flags+=" -Wno-unknown-warning-option"  # the project also passes GCC-only warning flags
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMIZANI_FUZZ=ON -DMIZANI_BUILD_TESTS=OFF -DMIZANI_BUILD_BENCH=OFF \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" >&2
fi
cmake --build "$build" --target "${targets[@]}" >&2
status=0
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  findings="$build/findings/$target"
  mkdir -p "$corpus" "$findings"
  cp -n tests/fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
  echo "== fuzz $target for ${seconds}s" >&2
  # -rss_limit_mb: a reader must not allocate from an untrusted size field.
  if ! ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/tests/fuzz/$target" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -malloc_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$findings/" "$corpus" 2>"$build/$target.log"; then
    echo "fuzz: $target found a problem (log: $build/$target.log, input in $findings)" >&2
    tail -40 "$build/$target.log" >&2
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/$target.log" |
    sed "s/^/fuzz: $target /" >&2
done
exit $status

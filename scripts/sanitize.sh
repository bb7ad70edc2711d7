#!/usr/bin/env bash
# The unit tests and the bad-input suite (tests/cli/bad_input.sh) under
# AddressSanitizer and UndefinedBehaviorSanitizer. One clang build (the `asan`
# preset: build-asan/, -O1, line tables, -fsanitize=address,undefined plus
# libFuzzer's coverage instrumentation) serves this script and
# scripts/fuzz.sh; this script builds the CLI, the unit-test programs and the
# fuzz targets, so that fuzz.sh finds them built. Any sanitizer report fails
# it (halt_on_error; leaks are reported at exit).
#   scripts/sanitize.sh [GTEST_FILTER]
# Needs the Debian packages clang and libfuzzer-14-dev (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
filter="${1:-*}"
unit_tests=(mizani_unit_tests mizani_pe_tests mizani_rating_unit_tests mizani_world_unit_tests
  mizani_finance_unit_tests)
fuzz_targets=(csv_fuzzer dta_fuzzer formula_fuzzer filter_fuzzer scenario_fuzzer pe_fuzzer
  debt_fuzzer rating_fuzzer world_fuzzer)
if [ ! -f build-asan/CMakeCache.txt ]; then
  cmake --preset asan >&2
fi
start=$(date +%s)
cmake --build build-asan --target mizani "${unit_tests[@]}" "${fuzz_targets[@]}" -j2 >&2
echo "sanitize: built in $(($(date +%s) - start)) s" >&2
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for program in "${unit_tests[@]}"; do
  binary=$(find build-asan/tests -name "$program" -type f -perm -u+x | head -1)
  echo "== asan: $program" >&2
  if [ -z "$binary" ]; then
    echo "sanitize: $program was not built" >&2
    status=1
    continue
  fi
  # From its own folder, as ctest runs it.
  if ! (cd "$(dirname "$binary")" && "./$program" --gtest_filter="$filter" --gtest_brief=1 >&2); then
    echo "sanitize: $program failed" >&2
    status=1
  fi
done
echo "== asan: tests/cli/bad_input.sh" >&2
if ! bash tests/cli/bad_input.sh build-asan/mizani ../shared/data >&2; then
  echo "sanitize: the bad-input suite failed" >&2
  status=1
fi
echo "sanitize: done in $(($(date +%s) - start)) s" >&2
exit $status

#!/usr/bin/env bash
# Static checks: clang-format (the files must be formatted) and clang-tidy
# (.clang-tidy; every finding is an error) on the project's sources, in
# batches of files that share one compile command, two batches at a time
# (scripts/tidy_units.py says why and how; on 2 cores 9 min against 27 one
# file at a time). Needs a configured build (compile_commands.json):
#   scripts/tidy.sh [BUILD_DIR=build]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
mapfile -t sources < <(git ls-files 'src/*.cc' 'apps/*.cc' 'src/*.h' 'include/*.h' 'apps/*.h' 'tests/*.cc' 'bench/*.cc' 'bindings/*.cc')
echo "clang-format: ${#sources[@]} files"
clang-format --dry-run --Werror "${sources[@]}"
mapfile -t units < <(printf '%s\n' "${sources[@]}" | grep -E '^(src|apps|bindings)/.*\.cc$')
python3 scripts/tidy_units.py "$BUILD" "${units[@]}"

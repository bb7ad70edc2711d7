#!/usr/bin/env bash
# Sets everything up, builds, and runs every test (unit, real-data, CLI, report).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
ctest --preset release -j2 "$@"

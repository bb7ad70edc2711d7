#!/usr/bin/env bash
# Sets everything up and runs the main job: the TICAD 9 scenario set.
# With ../shared/data present (or MIZANI_DATA set) it uses the real Advanced
# Guide data; otherwise an embedded synthetic world. Extra arguments go to
# `mizani demo` (see `build/mizani demo --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec ./build/mizani demo "$@"

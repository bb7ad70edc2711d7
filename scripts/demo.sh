#!/usr/bin/env bash
# Sets everything up and runs the main job: the TICAD 9 scenario set.
# With ../shared/data/agtpa_yotov2016 beside the project root (or MIZANI_DATA
# set to a folder holding agtpa_yotov2016) it uses the real Advanced Guide
# data; otherwise the embedded synthetic world (labelled as such). Extra
# arguments go to `mizani demo` (see `build/mizani demo --help`); an explicit
# --data-dir wins.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

args=()
explicit=0
for arg in "$@"; do
  case "$arg" in --data-dir | --data-dir=*) explicit=1 ;; esac
done
if [ "$explicit" = 0 ]; then
  if [ -n "${MIZANI_DATA:-}" ]; then
    args+=(--data-dir "$MIZANI_DATA")
  elif [ -d ../shared/data/agtpa_yotov2016 ]; then
    args+=(--data-dir ../shared/data/agtpa_yotov2016)
  else
    echo "demo.sh: no Advanced Guide data found (../shared/data/agtpa_yotov2016 or MIZANI_DATA);" \
      "using the embedded SYNTHETIC world" >&2
  fi
fi
# `mizani demo` prints the report's path as its last line ("report: ...").
./build/mizani demo "${args[@]}" "$@"

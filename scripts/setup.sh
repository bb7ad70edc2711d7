#!/usr/bin/env bash
# Installs everything mizani needs on a fresh Debian 12 machine (Debian
# packages, and npm packages for the HTML report), then configures and
# builds the release tree. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

PACKAGES=(build-essential cmake ninja-build pkg-config
  libeigen3-dev libcli11-dev libfmt-dev libreadstat-dev zlib1g-dev
  libtomlplusplus-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang-tidy clang libfuzzer-14-dev
  nodejs npm chromium)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# node/npm may come from elsewhere than Debian on some images: accept them on PATH.
if command -v node >/dev/null && command -v npm >/dev/null; then
  tmp=(); for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || tmp+=("$p"); done
  missing=("${tmp[@]}")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi

# Charting library for the HTML report, inlined into each report file.
if [ -f web/package.json ] && [ ! -f web/node_modules/vega-lite/build/vega-lite.min.js ]; then
  echo "setup: installing web assets with npm" >&2
  (cd web && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

preset="${MIZANI_PRESET:-release}"
cmake --preset "$preset" >&2
cmake --build --preset "$preset" >&2

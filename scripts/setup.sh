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
  libopenmpi-dev openmpi-bin
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang-tidy clang libfuzzer-14-dev
  nodejs npm chromium
  python3-dev python3-pybind11 pybind11-dev python3-numpy python3-pandas python3-pytest
  python3-distributed
  libquantlib0-dev quantlib-python
  python3-statsmodels python3-scipy
  r-base-core r-cran-ordinal
  libxlsxwriter-dev python3-openpyxl)

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

# `import mizani` for Debian's /usr/bin/python3 (docs/python.md): a .pth file
# in its site-packages naming the built package folder. Set MIZANI_PYTHON_SITE
# to put it elsewhere; the pyenv or venv python3 of a developer machine is not
# touched (use PYTHONPATH=build/bindings/python there).
build_dir="build"; [ "$preset" = release ] || build_dir="build-$preset"
if [ -d "$build_dir/bindings/python/mizani" ]; then
  site="${MIZANI_PYTHON_SITE:-$(/usr/bin/python3 -c 'import site; print(site.getsitepackages()[0])')}"
  echo "setup: import mizani -> $PWD/$build_dir/bindings/python (via $site/mizani.pth)" >&2
  $SUDO mkdir -p "$site"
  echo "$PWD/$build_dir/bindings/python" | $SUDO tee "$site/mizani.pth" >/dev/null
fi

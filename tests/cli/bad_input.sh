#!/usr/bin/env bash
# The bad-input suite (tests/cli/bad_input.py): every case asserts the exit
# code and the key words of the message. Runs under Debian's python3.
# Usage: bad_input.sh MIZANI [SHARED_DATA]
set -u
PYTHON=/usr/bin/python3
if [ ! -x "$PYTHON" ]; then
  echo "skip: $PYTHON not found (the suite needs Debian's python3)"
  exit 77
fi
exec "$PYTHON" "$(dirname "$0")/bad_input.py" "$@"

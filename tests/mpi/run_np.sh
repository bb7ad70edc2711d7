#!/usr/bin/env bash
# Runs PROGRAM under `mpirun -np 1`, 2 and 4 (oversubscribed on a small
# machine); fails when any run fails. Exit 77 (skipped) without mpirun.
# Usage: run_np.sh PROGRAM [ARGS...]
set -u
if ! command -v mpirun >/dev/null; then
  echo "skipped: mpirun not found (Debian: openmpi-bin)"
  exit 77
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
status=0
for ranks in 1 2 4; do
  if ! mpirun --oversubscribe -np "$ranks" "$@"; then
    echo "FAIL: -np $ranks"
    status=1
  fi
done
exit $status

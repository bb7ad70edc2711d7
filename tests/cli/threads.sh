#!/usr/bin/env bash
# Threads and the CPUs a process may use (common/cpu_features.cc,
# apps/cli/environment.cc): by default one thread per CPU of the process's
# affinity (taskset here; mpirun's binding in a launch), and a warning when
# --threads asks for more than that. Usage: threads.sh MIZANI
set -u
MIZANI="$1"
if ! command -v taskset >/dev/null || ! taskset -c 0 true 2>/dev/null; then
  echo "SKIP: taskset cannot narrow this process's CPUs here"; exit 77
fi
. "$(dirname "$0")/lib/six_flows.sh"
run() {  # CPUS [ESTIMATE ARGS...] : stderr of one estimate run on CPUS (all: every CPU)
  local cpus="$1"
  shift
  local prefix=()
  [ "$cpus" = all ] || prefix=(taskset -c "$cpus")
  MIZANI_TRACE=1 "${prefix[@]}" "$MIZANI" -q estimate --data "$data" \
    -f 'trade ~ log(dist) | exporter + importer' -o "$TMP/out.csv" "$@" 2>&1 >/dev/null
}
expect() {  # NAME PATTERN TEXT: TEXT must match the extended regex PATTERN
  if grep -Eq "$2" <<<"$3"; then
    echo "ok   $1"; passes=$((passes + 1))
  else
    echo "FAIL $1: no '$2' in:"; echo "$3"; failures=$((failures + 1))
  fi
}
refuse() {  # NAME PATTERN TEXT: TEXT must not match
  if grep -Eq "$2" <<<"$3"; then
    echo "FAIL $1: '$2' in:"; echo "$3"; failures=$((failures + 1))
  else
    echo "ok   $1"; passes=$((passes + 1))
  fi
}

one_cpu="$(run 0)"
expect "one thread by default on one CPU" 'threads 1 \(1 CPU\(s\) available' "$one_cpu"
refuse "no warning by default" 'warning: --threads' "$one_cpu"
asked="$(run 0 --threads 2)"
expect "two threads when asked" 'threads 2 \(1 CPU\(s\) available' "$asked"
expect "a warning that they share one CPU" \
  'warning: --threads 2, but this process may run on 1 CPU.*--bind-to none' "$asked"
refuse "no warning for --threads 1" 'warning: --threads' "$(run 0 --threads 1)"
cpus=$(nproc)
expect "all the process's CPUs without taskset" "threads $cpus \\($cpus CPU" "$(run all)"
echo "$passes passed, $failures failed"
[ "$failures" = 0 ]

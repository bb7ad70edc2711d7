#!/usr/bin/env bash
# Huge pages for the command's process (apps/cli/heap_pages.cc): off by
# default (the process asks the kernel for none); with
# MIZANI_HEAP_HUGE_PAGES=1 `estimate` restarts itself with
# glibc.malloc.hugetlb=1 added to GLIBC_TUNABLES, keeps a tunable the user
# set and leaves the user's own hugetlb choice alone. The process reports
# how it gets its pages in its first trace line (MIZANI_TRACE=1). Usage:
# heap_pages.sh MIZANI
set -u
MIZANI="$1"
if grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null ||
   [ ! -r /sys/kernel/mm/transparent_hugepage/enabled ]; then
  echo "SKIP: the kernel offers no transparent huge pages here (no restart to test)"; exit 77
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0
passes=0
data="$TMP/p.csv"
cat >"$data" <<CSV
exporter,importer,trade,dist
A,B,10,100
A,C,3,200
B,A,12,100
B,C,3,150
C,A,1,200
C,B,4,150
CSV

# first_trace ENV... : the first trace line of one estimate run.
first_trace() {
  env "$@" MIZANI_TRACE=1 "$MIZANI" -q estimate --data "$data" \
    -f 'trade ~ log(dist) | exporter + importer' -o "$TMP/out.csv" 2>&1 >/dev/null |
    grep -m1 'trace.*start'
}
check() {  # NAME EXPECTED_SUFFIX LINE
  local expected="start$2"
  case "$3" in
    *"$expected") echo "ok   $1"; passes=$((passes + 1)) ;;
    *) echo "FAIL $1: expected a line ending in '$expected', got '$3'"; failures=$((failures + 1)) ;;
  esac
}

check "off by default" " (huge pages off)" "$(first_trace -u GLIBC_TUNABLES -u MIZANI_HEAP_HUGE_PAGES)"
check "off by default, the user's tunables shown" \
  " (huge pages off) (GLIBC_TUNABLES=glibc.malloc.arena_max=2)" \
  "$(first_trace -u MIZANI_HEAP_HUGE_PAGES GLIBC_TUNABLES=glibc.malloc.arena_max=2)"
check "MIZANI_HEAP_HUGE_PAGES=1 restarts with the tunable" \
  " (GLIBC_TUNABLES=glibc.malloc.hugetlb=1)" \
  "$(first_trace -u GLIBC_TUNABLES MIZANI_HEAP_HUGE_PAGES=1)"
check "keeps the user's tunables" \
  " (GLIBC_TUNABLES=glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1)" \
  "$(first_trace MIZANI_HEAP_HUGE_PAGES=1 GLIBC_TUNABLES=glibc.malloc.arena_max=2)"
check "leaves the user's own hugetlb choice" " (GLIBC_TUNABLES=glibc.malloc.hugetlb=0)" \
  "$(first_trace MIZANI_HEAP_HUGE_PAGES=1 GLIBC_TUNABLES=glibc.malloc.hugetlb=0)"
echo "$passes passed, $failures failed"
[ "$failures" = 0 ]

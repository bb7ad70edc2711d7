# Sourced by the command-line tests that run `estimate` on a tiny panel:
# makes a temporary folder (removed on exit) holding six flows among three
# countries, $TMP/p.csv in $data, and zeroes the pass and failure counts.
# (In lib/, so that the glob of tests/CMakeLists.txt does not take it for
# a test.)
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

#!/bin/sh
# kubesim trace stats: the table and JSON, gzip, stdin, directories of parts, several files,
# bad rows (reported once with file:line, counted) and --strict (exit 2), the reference machine,
# usage errors; the real Google parts' counts when the shared traces are there.
. "$TOP_SRCDIR/tests/lib.sh"

FIX="$TOP_SRCDIR/tests/traces"
# A member of the stats JSON (json-glib writes "key" : value).
jget () {
  sed -n "s/^ *\"$2\" *: *\([^,]*\),*$/\1/p" "$1" | head -n 1
}
P0="$FIX/google-2011/task_events/part-00000-of-00500.csv.gz"
P1="$FIX/google-2011/task_events/part-00001-of-00500.csv.gz"

# The table: every line a person needs.
kubesim trace stats --format google-2011 "$P1" >"$TMP/table" 2>"$TMP/err"
expect_eq "stats exits 0" $? 0
expect_grep "table: rows" "^rows  *300$" "$TMP/table"
expect_grep "table: bad rows" "^bad rows  *0$" "$TMP/table"
expect_grep "table: events by name" "^  EVICT  *105$" "$TMP/table"
expect_grep "table: arrival rate" "^arrivals per hour  *[0-9]" "$TMP/table"
expect_eq "nothing on stderr" "$(cat "$TMP/err")" ""

# JSON; the values checked against the rows themselves (awk over the gunzipped slice).
kubesim trace stats -f google-2011 -o json "$P1" >"$TMP/p1.json"
expect_eq "-o json exits 0" $? 0
pods=$(zcat "$P1" | awk -F, '{ p[$3 "-" $4] = 1 } END { print length(p) }')
jobs=$(zcat "$P1" | awk -F, '{ j[$3] = 1 } END { print length(j) }')
submits=$(zcat "$P1" | awk -F, '$6 == 0' | wc -l)
expect_eq "json rows" "$(jget "$TMP/p1.json" rows)" 300
expect_eq "json pods = distinct job-index pairs" "$(jget "$TMP/p1.json" pods)" "$pods"
expect_eq "json jobs" "$(jget "$TMP/p1.json" jobs)" "$jobs"
expect_eq "json SUBMIT events" "$(jget "$TMP/p1.json" SUBMIT)" "$submits"
expect_eq "json submissions" "$(jget "$TMP/p1.json" submissions)" "$submits"
# cpu: the SUBMIT rows' column 10 × 32 cores, each rounded to a millicore.
cpu=$(zcat "$P1" | awk -F, '$6 == 0 && $10 != "" { s += int($10 * 32000 + 0.5) } END { printf "%.3f", s / 1000 }')
got=$(jget "$TMP/p1.json" cpu_cores)
expect_eq "json cpu cores" "$(printf '%.3f' "$got")" "$cpu"

# --machine-cpu and --machine-memory scale the normalized requests.
kubesim trace stats -f google-2011 -o json --machine-cpu 64 --machine-memory 1Gi "$P1" >"$TMP/m.json"
got=$(jget "$TMP/m.json" cpu_cores)
cpu64=$(zcat "$P1" | awk -F, '$6 == 0 && $10 != "" { s += int($10 * 64000 + 0.5) } END { printf "%.3f", s / 1000 }')
expect_eq "--machine-cpu 64" "$(printf '%.3f' "$got")" "$cpu64"
mem=$(zcat "$P1" | awk -F, '$6 == 0 && $11 != "" { s += int($11 * 1073741824 + 0.5) } END { printf "%.0f", s }')
expect_eq "--machine-memory 1Gi" "$(jget "$TMP/m.json" memory_bytes)" "$mem"

# Standard input (gzip recognized by its bytes there too), a plain file, a directory, two files.
zcat "$P1" | kubesim trace stats -f google-2011 -o json - >"$TMP/plain.json"
expect_eq "stdin exits 0" $? 0
kubesim trace stats -f google-2011 -o json - <"$P1" >"$TMP/gz-stdin.json"
expect_eq "gzip on stdin exits 0" $? 0
cmp -s "$TMP/p1.json" "$TMP/plain.json" && ok "stdin gives the same stats" || fail "stdin differs"
cmp -s "$TMP/p1.json" "$TMP/gz-stdin.json" && ok "gzip on stdin gives the same stats" \
  || fail "gzip on stdin differs"
kubesim trace stats -f google-2011 -o json "$FIX/google-2011/task_events" >"$TMP/dir.json"
expect_eq "directory exits 0" $? 0
kubesim trace stats -f google-2011 -o json "$P0" "$P1" >"$TMP/two.json"
cmp -s "$TMP/dir.json" "$TMP/two.json" && ok "a directory = its parts in name order" \
  || fail "directory differs from its parts"
expect_eq "directory rows" "$(jget "$TMP/dir.json" rows)" 600
expect_eq "directory late rows" "$(jget "$TMP/dir.json" late_rows)" 0

# google-2019: the hand-made fixtures (tests/traces/SOURCES.md).
kubesim trace stats -f google-2019 -o json "$FIX/google-2019" >"$TMP/2019.json"
expect_eq "google-2019 exits 0" $? 0
expect_eq "google-2019 rows" "$(jget "$TMP/2019.json" rows)" 23
expect_eq "google-2019 pods" "$(jget "$TMP/2019.json" pods)" 4
expect_eq "google-2019 nodes" "$(jget "$TMP/2019.json" nodes)" 2
expect_eq "google-2019 QUEUE" "$(jget "$TMP/2019.json" QUEUE)" 1

# Bad rows: each reported once with file:line and the reason, counted, skipped.
zcat "$P1" | head -n 5 >"$TMP/bad.csv"
echo "5612608293,,6249834537,544,7777379,12,u,0,0,0.05627,0.0202,7.725e-05,0" >>"$TMP/bad.csv"
echo "5612608293,,6249834537,545,7777379" >>"$TMP/bad.csv"
zcat "$P1" | sed -n 6,10p >>"$TMP/bad.csv"
kubesim trace stats -f google-2011 -o json "$TMP/bad.csv" >"$TMP/bad.json" 2>"$TMP/bad.err"
expect_eq "bad rows: exit 0" $? 0
expect_eq "bad rows counted" "$(jget "$TMP/bad.json" bad_rows)" 2
expect_eq "all rows counted" "$(jget "$TMP/bad.json" rows)" 12
expect_eq "bad rows reported once each" "$(wc -l <"$TMP/bad.err")" 2
expect_grep "bad row 6 named" "^$TMP/bad.csv:6: event type \"12\" is not one of 0 SUBMIT" "$TMP/bad.err"
expect_grep "bad row 7 named" "^$TMP/bad.csv:7: expected 13 columns (task_events), found 5$" "$TMP/bad.err"
kubesim trace stats -f google-2011 --strict "$TMP/bad.csv" >"$TMP/strict.out" 2>"$TMP/strict.err"
expect_eq "--strict exits 2 at a bad row" $? 2
expect_grep "--strict names the row" "^kubesim trace stats: $TMP/bad.csv:6: event type" "$TMP/strict.err"
expect_eq "--strict prints no stats" "$(cat "$TMP/strict.out")" ""

# Usage errors exit 2 with a message.
kubesim trace stats "$P1" >"$TMP/e" 2>&1; expect_eq "no --format exits 2" $? 2
expect_grep "no --format lists the formats" "--format is required (one of google-2011, google-2019" "$TMP/e"
kubesim trace stats -f nope "$P1" >"$TMP/e" 2>&1; expect_eq "unknown format exits 2" $? 2
expect_grep "unknown format named" 'unknown trace format "nope" (valid formats: google-2011, google-2019' "$TMP/e"
kubesim trace stats -f google-2011 >"$TMP/e" 2>&1; expect_eq "no trace exits 2" $? 2
kubesim trace stats -f google-2011 -o yaml "$P1" >"$TMP/e" 2>&1; expect_eq "-o yaml exits 2" $? 2
expect_grep "-o named" '"yaml" is not table or json' "$TMP/e"
kubesim trace stats -f google-2011 --machine-cpu lots "$P1" >"$TMP/e" 2>&1
expect_eq "bad --machine-cpu exits 2" $? 2
kubesim trace stats -f google-2011 --machine-memory 0 "$P1" >"$TMP/e" 2>&1
expect_eq "zero --machine-memory exits 2" $? 2
kubesim trace stats -f google-2011 "$TMP/missing.csv" >"$TMP/e" 2>&1
expect_eq "missing file exits 2" $? 2
expect_grep "missing file named" "$TMP/missing.csv: no such file or directory" "$TMP/e"
printf '\037\213\010\000garbage' >"$TMP/corrupt.gz"
kubesim trace stats -f google-2011 "$TMP/corrupt.gz" >"$TMP/e" 2>&1
expect_eq "corrupt gzip exits 2" $? 2
expect_grep "corrupt gzip named" "$TMP/corrupt.gz: " "$TMP/e"
kubesim trace frobnicate >"$TMP/e" 2>&1; expect_eq "unknown subcommand exits 2" $? 2
expect_grep "unknown subcommand named" 'unknown subcommand "frobnicate"' "$TMP/e"
kubesim trace >"$TMP/e" 2>&1; expect_eq "no subcommand exits 2" $? 2
kubesim --help >"$TMP/e" 2>&1; expect_grep "kubesim --help lists trace" "^  trace " "$TMP/e"
kubesim trace --help >"$TMP/e" 2>&1; expect_eq "trace --help exits 0" $? 0
expect_grep "trace --help lists stats" "^  stats " "$TMP/e"
kubesim trace stats --help >"$TMP/e" 2>&1; expect_eq "trace stats --help exits 0" $? 0
expect_grep "stats --help lists --strict" "--strict" "$TMP/e"

# The real parts (skipped without the shared traces).
if dir=$(find_trace google-2011/task_events); then
  kubesim trace stats -f google-2011 -o json "$dir" >"$TMP/real.json"
  expect_eq "real parts: exit 0" $? 0
  expect_eq "real parts: rows" "$(jget "$TMP/real.json" rows)" 527922
  expect_eq "real parts: bad rows" "$(jget "$TMP/real.json" bad_rows)" 0
  expect_eq "real parts: late rows" "$(jget "$TMP/real.json" late_rows)" 0
else
  echo "note: shared traces not found; the full-size part of this test was skipped"
fi

finish

#!/bin/sh
# Same scenario, seed and binary: byte-identical outputs (but wall_time_s).  Another seed:
# other pod names.
. "$TOP_SRCDIR/tests/lib.sh"

q="$TOP_SRCDIR/examples/quickstart.yaml"
kubesim run -q --out "$TMP/a" "$q" || fail "first run"
kubesim run -q --out "$TMP/b" "$q" || fail "second run"
kubesim run -q --seed 2 --out "$TMP/c" "$q" || fail "run with seed 2"
for f in events.jsonl metrics.csv; do
  cmp -s "$TMP/a/$f" "$TMP/b/$f" && ok "$f identical" || fail "$f differs between runs"
done
grep -v wall_time_s "$TMP/a/summary.json" >"$TMP/sa"
grep -v wall_time_s "$TMP/b/summary.json" >"$TMP/sb"
cmp -s "$TMP/sa" "$TMP/sb" && ok "summary.json identical but wall time" || fail "summary.json differs"
names () { grep -o '"Created pod: [a-z0-9-]*"' "$1/events.jsonl" | sort; }
if [ "$(names "$TMP/a")" = "$(names "$TMP/c")" ]; then
  fail "seed 2 gave the same pod names"
else
  ok "seed 2 gives other pod names"
fi
grep -q '"seed": 2' "$TMP/c/summary.json" && ok "the seed is in the summary" || fail "seed missing"
finish

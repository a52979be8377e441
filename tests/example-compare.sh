#!/bin/sh
# examples/compare/openb.sh on its fallback input (examples/compare/synthetic-gpu: the openb
# trace may be absent, and a run on it takes a minute): 5 policies x 5 seeds replayed, runs.csv,
# comparison.csv and the report written; every run on a GPU cluster (gpu_allocated measured).
. "$TOP_SRCDIR/tests/lib.sh"

cd "$TMP" || exit 1
KUBESIM="$KUBESIM" KS_EXAMPLE_SYNTHETIC=1 "$TOP_SRCDIR/examples/compare/openb.sh" "$TMP/out" -q \
  --jobs 2 >"$TMP/table" 2>"$TMP/err" || { fail "openb.sh"; cat "$TMP/err" >&2; }
expect_grep "the fallback is said" "no openb trace" "$TMP/err"
expect_eq "runs.csv: 25 runs, all ok" "$(tail -n +2 "$TMP/out/runs.csv" | cut -d, -f3 | sort | uniq -c | tr -s ' ')" " 25 ok"
expect_eq "the policies" "$(tail -n +2 "$TMP/out/runs.csv" | cut -d, -f1 | uniq | tr '\n' ' ')" \
  "LeastAllocated MostAllocated BestFit DotProduct GPUPacking "
expect_eq "gpu_allocated in every run" \
  "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "gpu_allocated") c = i; next } $c == "" { n++ } END { print n + 0 }' "$TMP/out/runs.csv")" 0
expect_eq "comparison.csv: 5 policies x 18 metrics" "$(($(wc -l <"$TMP/out/comparison.csv") - 1))" 90
expect_grep "the table: GPUPacking against LeastAllocated" "^ *GPUPacking  *5 " "$TMP/table"
[ -s "$TMP/out/report.html" ] && ok "report.html" || fail "no report.html"
[ -s "$TMP/out/runs/GPUPacking/seed-5/pods.csv" ] && ok "each run's pods.csv" || fail "no pods.csv"
finish

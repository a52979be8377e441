#!/bin/sh
# kubesim compare (docs/experiments.md) on examples/compare/packing.yaml: 8 nodes of 4 cpu, 12 pods
# of 1 cpu at 0 s, 8 pods of 2.5 cpu at 60 s; an expectation wants 6 of the big ones Ready.
#
# - summary.json's totals against values worked out by hand for the default profile;
# - a 2 policies x 3 seeds comparison: runs.csv against each run's summary.json, comparison.csv
#   against statistics recomputed from runs.csv (awk), the same files with --jobs 1;
# - shards merged equal the unsharded comparison; merges that cannot work;
# - resuming: a partial run directory, a run made from other inputs, a comparison killed while
#   it runs;
# - bad input: exit 2, a message, nothing written.
. "$TOP_SRCDIR/tests/lib.sh"

command -v jq >/dev/null 2>&1 || skip "jq is not installed (scripts/deps installs it)"
S="$TOP_SRCDIR/examples/compare/packing.yaml"
cd "$TMP" || exit 1

# ---- totals by hand ------------------------------------------------------------------------
# Default profile: PodTopologySpread spreads the 12 small pods 2,2,2,2,1,1,1,1; a big pod (2.5
# cpu) fits only beside one small pod: 4 bound at 60 s, 4 wait until the end (600 s).
#   pending_pod_seconds = 4 x 540 = 2160
#   cpu:    12/32 for 60 s, 22/32 for 540 s: (60 x 0.375 + 540 x 0.6875)/600 = 0.65625
#   memory: 12/128 Gi for 60 s, 16/128 for 540 s: (5.625 + 67.5)/600 = 0.121875
#   node_hours = 8 x 600 s = 1.333333333 h
#   fragmentation: the median waiting request (2.5 cpu) fits no node: 1 at every sample
#   used ratios: no pod has a usage annotation: 0 (GPU: none in the cluster, null)
kubesim run -q --out "$TMP/hand" "$S" >/dev/null 2>&1
expect_eq "totals" "$(jq -c .totals "$TMP/hand/summary.json")" \
  '{"pending_pod_seconds":2160,"pods_never_scheduled":4,"makespan_s":null,"evictions":0,"node_hours":1.333333333,"mean_cpu_allocated_ratio":0.65625,"mean_memory_allocated_ratio":0.121875,"mean_gpu_allocated_ratio":null,"mean_cpu_used_ratio":0,"mean_memory_used_ratio":0,"mean_gpu_used_ratio":null,"fragmentation":1}'

# tests/compare/totals.yaml: a-0 (4 cpu) holds a 3-cpu pod from 0 s; c-0 (1 cpu) a Job's 1-cpu
# pod, started at 1 s (the modelled start-up) and Succeeded 60 s later; from 120 s to the end
# (300 s) a 2-cpu pod no node may take waits.
#   pending_pod_seconds = 300 - 120 = 180; pods_never_scheduled = 1 (the others had nodeName)
#   makespan = 61 - 0 (the first pod's creation to the Job pod's end)
#   node_hours = 3 x 300 s; cpu = (3 x 300 + 1 x 61)/(9 x 300) = 961/2700
#   memory = (1 x 300 + 1 x 61)/(24 x 300) = 361/7200 (Gi)
#   fragmentation: the waiting 2 cpu fit b-0 (4 free) only: (1 + 1)/(1 + 4 + 1) = 1/3
#   used ratios: no usage annotations: 0
kubesim run -q --out "$TMP/totals" "$TOP_SRCDIR/tests/compare/totals.yaml" >/dev/null 2>&1
expect_eq "totals: a pending pod, a Job, nodeName pods" "$(jq -c .totals "$TMP/totals/summary.json")" \
  '{"pending_pod_seconds":180,"pods_never_scheduled":1,"makespan_s":61,"evictions":0,"node_hours":0.25,"mean_cpu_allocated_ratio":0.3559259259,"mean_memory_allocated_ratio":0.05013888889,"mean_gpu_allocated_ratio":null,"mean_cpu_used_ratio":0,"mean_memory_used_ratio":0,"mean_gpu_used_ratio":null,"fragmentation":0.3333333333}'
# Evictions against the events: taint evictions, and the kubelet's node-pressure evictions (not
# its admission rejections, which evict nothing that ran).
kubesim run -q --out "$TMP/nf" "$TOP_SRCDIR/examples/node-failure.yaml" >/dev/null 2>&1
expect_eq "totals: taint evictions" "$(jq .totals.evictions "$TMP/nf/summary.json")" \
  "$(grep -c '"TaintManagerEviction".*Marking for deletion' "$TMP/nf/events.jsonl")"
kubesim run -q --out "$TMP/mp" "$TOP_SRCDIR/tests/golden/memory-pressure.yaml" >/dev/null 2>&1
expect_eq "totals: node-pressure evictions" "$(jq .totals.evictions "$TMP/mp/summary.json")" \
  "$(grep '"event":"Evicted"' "$TMP/mp/events.jsonl" | grep -vc 'The node had condition')"

# ---- a comparison --------------------------------------------------------------------------
kubesim compare "$S" --policy default --policy rnd=Random --seeds 3 --jobs 2 --out "$TMP/c" \
  >"$TMP/c.out" 2>"$TMP/c.err" || { fail "compare"; cat "$TMP/c.err" >&2; }
expect_grep "progress" "^kubesim compare: 6 runs to do (2 at once), 0 already done" "$TMP/c.err"
expect_eq "runs.csv: one row per run, in matrix order" \
  "$(cut -d, -f1-3 "$TMP/c/runs.csv" | tr '\n' ' ')" \
  "policy,seed,status default,1,ok default,2,ok default,3,ok rnd,1,ok rnd,2,ok rnd,3,ok "
expect_eq "runs.csv: the columns" "$(head -n 1 "$TMP/c/runs.csv")" \
  "policy,seed,status,sched_latency_p50,sched_latency_p95,sched_latency_p99,pending_pod_seconds,pods_never_scheduled,makespan,cpu_allocated,memory_allocated,gpu_allocated,cpu_used,memory_used,gpu_used,fragmentation,evictions,preemptions,node_hours,service_latency_p95,slo_violations"
expect_grep "the Random policy's configuration" "enabled: \[{name: Random}\]" "$TMP/c/policies/rnd.yaml"
[ ! -e "$TMP/c/policies/default.yaml" ] || expect_grep "default: no plugins changed" \
  "schedulerName: default-scheduler" "$TMP/c/policies/default.yaml"

# Each row against its run's summary.json (the summary's member per column; null: empty).
row='[.scheduling_latency_s.p50, .scheduling_latency_s.p95, .scheduling_latency_s.p99,
  .totals.pending_pod_seconds, .totals.pods_never_scheduled, .totals.makespan_s,
  .totals.mean_cpu_allocated_ratio, .totals.mean_memory_allocated_ratio,
  .totals.mean_gpu_allocated_ratio, .totals.mean_cpu_used_ratio, .totals.mean_memory_used_ratio,
  .totals.mean_gpu_used_ratio, .totals.fragmentation, .totals.evictions, .preemption.victims,
  .totals.node_hours, null, ([.expectations[] | select(.status == "failed")] | length)]
  | map(if . == null then "" else tostring end) | join(",")'
tail -n +2 "$TMP/c/runs.csv" | while IFS=, read -r policy seed status rest; do
  expected=$(jq -r "$row" "$TMP/c/runs/$policy/seed-$seed/summary.json")
  awk -v a="$rest" -v b="$expected" -v what="$policy seed $seed" 'BEGIN {
    n = split(a, x, ","); m = split(b, y, ",");
    if (n != m) { print "FAIL: " what ": " n " fields, summary " m; exit 1 }
    for (i = 1; i <= n; i++) {
      if (x[i] == "" || y[i] == "") { if (x[i] != y[i]) { print "FAIL: " what " field " i ": " x[i] " vs " y[i]; exit 1 } continue }
      d = x[i] - y[i]; if (d < 0) d = -d; s = y[i] < 0 ? -y[i] : y[i]; if (s < 1) s = 1
      if (d > 1e-9 * s) { print "FAIL: " what " field " i ": " x[i] " vs " y[i]; exit 1 }
    }
    print "ok: runs.csv " what " = its summary.json" }' || echo "FAIL" >"$TMP/row-failed"
done
[ ! -e "$TMP/row-failed" ] || fail "runs.csv rows"

# comparison.csv: every row recomputed from runs.csv (n, mean, sample sd, median; the paired
# mean difference to the baseline; significant as the p columns say).
expect_eq "comparison.csv: the columns" "$(head -n 1 "$TMP/c/comparison.csv")" \
  "policy,metric,n,mean,sd,ci95_low,ci95_high,median,baseline,pairs,diff,t_p,wilcoxon_p,wilcoxon_method,significant"
expect_eq "comparison.csv: 2 rows per metric" "$(tail -n +2 "$TMP/c/comparison.csv" | wc -l)" 36
for metric in pending_pod_seconds pods_never_scheduled cpu_allocated slo_violations; do
  col=$(head -n 1 "$TMP/c/runs.csv" | tr ',' '\n' | grep -n "^$metric\$" | cut -d: -f1)
  for policy in default rnd; do
    awk -F, -v col="$col" -v p="$policy" -v m="$metric" '
      FNR == 1 { file++ } file == 1 && FNR > 1 && $1 == p { v[++n] = $col; v0[n] = $col; s += $col }
      file == 1 && FNR > 1 && $1 == "default" { b[++nb] = $col; sb += $col }
      file == 2 && $1 == p && $2 == m { row = $0 }
      END {
        split(row, c, ","); mean = s / n; for (i = 1; i <= n; i++) ss += (v[i] - mean) ^ 2
        sd = sqrt(ss / (n - 1))
        # median of 3
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
        med = v[2]; diff = mean - sb / nb
        bad = c[3] != n || (c[4] - mean) ^ 2 > 1e-18 * (1 + mean ^ 2) || (c[5] - sd) ^ 2 > 1e-16 * (1 + sd ^ 2) \
          || c[8] != med || c[9] != "default" || (c[4] - c[6]) * (c[7] - c[4]) < 0
        if (p == "default") bad = bad || c[10] != "" || c[11] != "" || c[15] != ""
        else {
          sig = (c[12] < 0.05 && c[12] != "") ? ((c[13] < 0.05 && c[13] != "") ? "both" : "t") : ((c[13] < 0.05 && c[13] != "") ? "wilcoxon" : "no")
          bad = bad || c[10] != 3 || (c[11] - diff) ^ 2 > 1e-16 * (1 + diff ^ 2) || c[15] != sig
          # Paired t with 3 pairs: df = 2, whose two-sided p is 1 - |t|/sqrt(t^2 + 2).
          for (i = 1; i <= n; i++) { d[i] = v0[i] - b[i]; md += d[i] / n }
          for (i = 1; i <= n; i++) sd2 += (d[i] - md) ^ 2 / (n - 1)
          if (sd2 > 0) {
            tt = md / sqrt(sd2 / n); if (tt < 0) tt = -tt
            bad = bad || (c[12] - (1 - tt / sqrt(tt ^ 2 + 2))) ^ 2 > 1e-10
          }
          if (c[11] == 0 && sd == 0) bad = bad || c[12] != 1 || c[13] != 1 || c[14] != "all-zero"
        }
        print (bad ? "FAIL: " : "ok: ") "comparison.csv " p " " m ": " row
        exit bad }' "$TMP/c/runs.csv" "$TMP/c/comparison.csv" || fail "comparison.csv $policy $metric"
  done
done
expect_grep "the table: header" "^METRIC  *POLICY  *N  *MEAN  *95% CI  *MEDIAN  *DIFF  *P(T)  *P(W)  *SIGNIFICANT" "$TMP/c.out"
expect_grep "the table: the baseline" "^pending_pod_seconds  *default  *3  *2160  *\[2160, 2160\]  *2160  *(baseline)" "$TMP/c.out"

# The same comparison, one run at a time and its metrics in another order: the same runs.csv;
# comparison.csv holds the chosen metrics in the chosen order.
kubesim compare "$S" -q -p default -p rnd=Random --seed-list 1,2,3 -j 1 -o "$TMP/c1" \
  -m slo_violations,pods_never_scheduled --metric cpu_allocated >/dev/null 2>&1 || fail "compare -j 1"
cmp -s "$TMP/c/runs.csv" "$TMP/c1/runs.csv" && ok "runs.csv with --jobs 1" || fail "runs.csv differs with --jobs 1"
expect_eq "--metric: the metrics compared, in order" \
  "$(tail -n +2 "$TMP/c1/comparison.csv" | cut -d, -f1,2 | tr '\n' ' ')" \
  "default,slo_violations rnd,slo_violations default,pods_never_scheduled rnd,pods_never_scheduled default,cpu_allocated rnd,cpu_allocated "
grep -v '^default,\(pending_pod_seconds\|sched\|makespan\|memory\|gpu\|frag\|evic\|preem\|node\|service\)' "$TMP/c/comparison.csv" \
  | grep -E '^(default|rnd),(slo_violations|pods_never_scheduled|cpu_allocated),' >"$TMP/subset"
grep -E '^(default|rnd),' "$TMP/c1/comparison.csv" | sort >"$TMP/c1-rows"
sort "$TMP/subset" | cmp -s - "$TMP/c1-rows" && ok "--metric: the same rows" || fail "--metric rows differ"

# ---- shards --------------------------------------------------------------------------------
kubesim compare "$S" -q -p default -p rnd=Random --seeds 3 --shard 1/2 -o "$TMP/s1" >/dev/null 2>&1 || fail "shard 1/2"
kubesim compare "$S" -q -p default -p rnd=Random --seeds 3 --shard 2/2 -o "$TMP/s2" >/dev/null 2>&1 || fail "shard 2/2"
expect_eq "shard 1/2 runs every other run" "$(tail -n +2 "$TMP/s1/runs.csv" | cut -d, -f1,2 | tr '\n' ' ')" \
  "default,1 default,3 rnd,2 "
expect_eq "shard 2/2 the others" "$(tail -n +2 "$TMP/s2/runs.csv" | cut -d, -f1,2 | tr '\n' ' ')" \
  "default,2 rnd,1 rnd,3 "
[ ! -e "$TMP/s1/runs/default/seed-2" ] && ok "shard 1/2 did not run default seed 2" || fail "shard 1/2 ran another shard's run"
kubesim compare --merge "$TMP/s2" "$TMP/s1" --out "$TMP/m" >"$TMP/m.out" 2>&1 || { fail "merge"; cat "$TMP/m.out" >&2; }
cmp -s "$TMP/c/runs.csv" "$TMP/m/runs.csv" && ok "merged runs.csv = unsharded" || fail "merged runs.csv differs"
cmp -s "$TMP/c/comparison.csv" "$TMP/m/comparison.csv" && ok "merged comparison.csv = unsharded" \
  || { fail "merged comparison.csv differs"; diff "$TMP/c/comparison.csv" "$TMP/m/comparison.csv" >&2; }
cmp -s "$TMP/s2/runs/rnd/seed-1/summary.json" "$TMP/m/runs/rnd/seed-1/summary.json" && ok "merge copies the summaries" \
  || fail "merge: no summary copied"
jq -e '.shard == null' "$TMP/m/compare.json" >/dev/null && ok "merged compare.json has no shard" || fail "merged compare.json"
kubesim compare --merge "$TMP/m" --out "$TMP/m2" >/dev/null 2>&1 && cmp -s "$TMP/m/comparison.csv" "$TMP/m2/comparison.csv" \
  && ok "a merged directory merges again" || fail "merge of a merge"

# A shard run elsewhere, its scenario at another path (the same file): merged all the same.
mkdir -p "$TMP/elsewhere"
cp "$S" "$TMP/elsewhere/packing.yaml"
kubesim compare "$TMP/elsewhere/packing.yaml" -q -p default -p rnd=Random --seeds 3 --shard 2/2 \
  -o "$TMP/s2b" >/dev/null 2>&1 || fail "shard 2/2 elsewhere"
kubesim compare --merge "$TMP/s1" "$TMP/s2b" --out "$TMP/mb" >/dev/null 2>&1 \
  && cmp -s "$TMP/c/comparison.csv" "$TMP/mb/comparison.csv" \
  && ok "merge: the scenario's path may differ, not its contents" || fail "merge of shards from two paths"

# A shard missing: exit 1, nothing written.
kubesim compare --merge "$TMP/s1" --out "$TMP/m3" >"$TMP/m3.out" 2>&1
expect_eq "merge without a shard: exit 1" "$?" 1
expect_grep "merge without a shard: the first run missing" "no shard holds a complete run of default seed 2" "$TMP/m3.out"
expect_grep "merge without a shard: how many" "3 of 6 runs are in none of the directories" "$TMP/m3.out"
[ ! -e "$TMP/m3/runs.csv" ] && ok "merge without a shard writes nothing" || fail "merge without a shard wrote runs.csv"
# A summary.json its shard's runs.csv does not call ok (left from other inputs) is not taken.
cp -r "$TMP/s1" "$TMP/s1x"
sed -i 's/^default,1,ok,/default,1,failed,/' "$TMP/s1x/runs.csv"
kubesim compare --merge "$TMP/s1x" "$TMP/s2" --out "$TMP/m6" >"$TMP/m6.out" 2>&1
expect_eq "merge: a run not ok in runs.csv is not taken" "$?" 1
expect_grep "merge: which" "no shard holds a complete run of default seed 1" "$TMP/m6.out"
# Shards of different comparisons: exit 2.
kubesim compare "$S" -q -p default -p rnd=Random --seeds 4 --shard 2/2 -o "$TMP/other" >/dev/null 2>&1
kubesim compare --merge "$TMP/s1" "$TMP/other" --out "$TMP/m4" >"$TMP/m4.out" 2>&1
expect_eq "merge of different comparisons: exit 2" "$?" 2
expect_grep "merge of different comparisons: why" "hold different comparisons" "$TMP/m4.out"
kubesim compare --merge "$TMP/nothing" --out "$TMP/m5" >"$TMP/m5.out" 2>&1
expect_eq "merge of a directory without compare.json: exit 2" "$?" 2
expect_grep "merge of a directory without compare.json: why" "not a kubesim compare directory" "$TMP/m5.out"

# ---- resuming ------------------------------------------------------------------------------
# A copy of the comparison with one run cut short (the recorder's temporary files, no summary)
# and one made from other inputs: those two are run again, the other four kept.
cp -r "$TMP/c" "$TMP/r"
rm "$TMP/r/runs/rnd/seed-2/summary.json"
mv "$TMP/r/runs/rnd/seed-2/events.jsonl" "$TMP/r/runs/rnd/seed-2/events.jsonl.tmp"
echo 0000 >"$TMP/r/runs/default/seed-3/inputs.sha256"
touch -d 2001-01-01 "$TMP/r/runs/default/seed-1/summary.json"
kubesim compare "$S" -p default -p rnd=Random --seeds 3 -o "$TMP/r" >"$TMP/r.out" 2>"$TMP/r.err" || fail "resume"
expect_grep "resume: 2 to do, 4 kept" "^kubesim compare: 2 runs to do (.* at once), 4 already done" "$TMP/r.err"
expect_grep "resume: the partial run again" "rnd seed 2: done" "$TMP/r.err"
expect_grep "resume: the run from other inputs again" "default seed 3: done" "$TMP/r.err"
expect_eq "resume: a complete run kept" "$(date -r "$TMP/r/runs/default/seed-1/summary.json" +%Y)" 2001
cmp -s "$TMP/c/runs.csv" "$TMP/r/runs.csv" && cmp -s "$TMP/c/comparison.csv" "$TMP/r/comparison.csv" \
  && ok "resume: the same results" || fail "resume: results differ"
# A changed scenario changes every run's inputs.
sed 's/count: 8/count: 9/' "$S" >"$TMP/small9.yaml"
cp -r "$TMP/c" "$TMP/r9"
kubesim compare "$TMP/small9.yaml" -p default -p rnd=Random --seeds 3 -o "$TMP/r9" >/dev/null 2>"$TMP/r9.err"
expect_grep "a changed scenario: every run again" "^kubesim compare: 6 runs to do" "$TMP/r9.err"

# Killed while it runs (SIGTERM; 12 simulated hours make a run take a while): exit 1 with how
# to resume, the run under way stopped; the same command finishes the rest, keeping what was
# done.
# (Not through the kubesim function: $! must be compare's own process.)
"$KUBESIM" compare "$S" -p default -p rnd=Random --seeds 3 -j 1 --duration 12h -o "$TMP/k" \
  >"$TMP/k.out" 2>"$TMP/k.err" &
pid=$!
i=0
while [ ! -e "$TMP/k/runs/default/seed-1/summary.json" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
kill -TERM "$pid"
wait "$pid"
status=$?
if grep -q "6 of 6\|\[6/6\]" "$TMP/k.err" && [ "$status" = 0 ]; then
  ok "killed: every run had finished before the signal (a fast machine); nothing to resume"
else
  expect_eq "killed: exit 1" "$status" 1
  expect_grep "killed: how to resume" "interrupted: .* runs not done; the same command resumes" "$TMP/k.err"
  done_before=$(grep -c ": done" "$TMP/k.err")
  kubesim compare "$S" -p default -p rnd=Random --seeds 3 -j 2 --duration 12h -o "$TMP/k" \
    >/dev/null 2>"$TMP/k2.err" || fail "resume after kill"
  expect_grep "killed: resumed, keeping the finished runs" "already done" "$TMP/k2.err"
  expect_eq "killed: runs kept" "$(sed -n 's/.*, \([0-9]*\) already done/\1/p' "$TMP/k2.err")" "$done_before"
  expect_eq "killed: all 6 runs ok at the end" "$(grep -c ',ok,' "$TMP/k/runs.csv")" 6
fi

# A run that fails (its recorder cannot write events.jsonl.tmp, a directory here): exit 1, the
# run "failed" in runs.csv with empty metrics and left out of the statistics, the others kept.
cp -r "$TMP/c" "$TMP/f"
rm "$TMP/f/runs/rnd/seed-3/summary.json"
mkdir "$TMP/f/runs/rnd/seed-3/events.jsonl.tmp"
kubesim compare "$S" -p default -p rnd=Random --seeds 3 -o "$TMP/f" >"$TMP/f.out" 2>"$TMP/f.err"
expect_eq "a failed run: exit 1" "$?" 1
expect_grep "a failed run: where to look" "rnd seed 3: FAILED (.*): see .*/runs/rnd/seed-3/run.log" "$TMP/f.err"
expect_grep "a failed run: the count" "1 of 6 runs failed" "$TMP/f.err"
expect_grep "a failed run: its log" "cannot write in" "$TMP/f/runs/rnd/seed-3/run.log"
expect_eq "a failed run: its row" "$(grep '^rnd,3,' "$TMP/f/runs.csv")" "rnd,3,failed,,,,,,,,,,,,,,,,,,"
expect_eq "a failed run: n and pairs" "$(grep '^rnd,pods_never_scheduled,' "$TMP/f/comparison.csv" | cut -d, -f3,10)" "2,2"

# ---- the HPA's policy ----------------------------------------------------------------------
kubesim compare "$TOP_SRCDIR/examples/hpa-web.yaml" -q -p k8s=hpa=kubernetes -p hpa=predictive \
  --seeds 1 --duration 10m --metric node_hours -o "$TMP/h" >/dev/null 2>&1 || fail "hpa policies"
expect_eq "hpa=NAME: named hpa-NAME" "$(tail -n +2 "$TMP/h/runs.csv" | cut -d, -f1-3 | tr '\n' ' ')" \
  "k8s,1,ok hpa-predictive,1,ok "
cmp -s "$TMP/h/runs/k8s/seed-1/events.jsonl" "$TMP/h/runs/hpa-predictive/seed-1/events.jsonl" \
  && fail "hpa=predictive changed nothing" || ok "hpa=predictive scales otherwise"

# ---- bad input -----------------------------------------------------------------------------
bad () { # bad WHAT EXPECTED-MESSAGE ARGS...
  what=$1 message=$2
  shift 2
  kubesim compare "$@" >"$TMP/bad.out" 2>&1
  status=$?
  if [ "$status" = 2 ] && grep -qF -- "$message" "$TMP/bad.out" && [ ! -e "$TMP/bad" ]; then
    ok "bad input: $what"
  else
    fail "bad input: $what: exit $status, expected 2 and \"$message\""
    cat "$TMP/bad.out" >&2
  fi
}
bad "unknown policy" 'unknown policy "Fastest" (valid: a KubeSchedulerConfiguration file' \
  "$S" -p default -p Fastest -o "$TMP/bad"
bad "missing configuration file" "no-such.yaml" "$S" -p x=no-such.yaml -o "$TMP/bad"
bad "a plugin without score or queueSort" "plugin NodePorts has neither a score nor a queueSort" \
  "$S" -p NodePorts -o "$TMP/bad"
bad "two scorings" '"MostAllocated" conflicts with an earlier item' \
  "$S" -p x=Random,MostAllocated -o "$TMP/bad"
bad "unknown autoscaler policy" 'unknown autoscaler policy "fast" (valid: kubernetes, predictive, step)' \
  "$S" -p hpa=fast -o "$TMP/bad"
bad "two policies with one name" 'two policies are named "default"' "$S" -p default -p default -o "$TMP/bad"
bad "bad policy name" 'bad policy name "a b"' "$S" -p "a b=default" -o "$TMP/bad"
bad "no policy" "no --policy" "$S" -o "$TMP/bad"
bad "bad seed" '--seed-list: "x": seeds are whole numbers' "$S" -p default --seed-list 1,x -o "$TMP/bad"
bad "seed twice" "seed 2 is there twice" "$S" -p default --seed-list 1,2,2 -o "$TMP/bad"
bad "negative seeds" "--seeds: must be from 1 to 100000, got -3" "$S" -p default --seeds -3 -o "$TMP/bad"
bad "no seeds" "--seeds: must be from 1 to 100000, got 0" "$S" -p default --seeds 0 -o "$TMP/bad"
bad "no jobs" "--jobs: must be from 1 to 4096, got 0" "$S" -p default --jobs 0 -o "$TMP/bad"
bad "seeds and a seed list" "give one of them" "$S" -p default --seeds 2 --seed-list 1 -o "$TMP/bad"
bad "unknown metric" 'unknown metric "latency"; valid metrics: sched_latency_p50,' \
  "$S" -p default -m latency -o "$TMP/bad"
bad "unknown baseline" "--baseline best: no such policy (the policies: default, Random)" \
  "$S" -p default -p Random --baseline best -o "$TMP/bad"
bad "shard 0" '--shard: "0/2": expected I/N with 1 <= I <= N' "$S" -p default --shard 0/2 -o "$TMP/bad"
bad "shard past N" '--shard: "3/2"' "$S" -p default --shard 3/2 -o "$TMP/bad"
bad "bad scenario" "nothing was run" "$TOP_SRCDIR/tests/bad/many-problems.yaml" -p default -o "$TMP/bad"
bad "merge without --out" "missing --out DIR" --merge "$TMP/c"
bad "merge with matrix options" "--merge takes only --out" --merge "$TMP/c" --seeds 3 --out "$TMP/bad"
kubesim run --hpa-policy fast "$S" >"$TMP/bad.out" 2>&1
expect_eq "run --hpa-policy fast: exit 2" "$?" 2
expect_grep "run --hpa-policy fast: the valid ones" 'unknown autoscaler policy "fast"; valid policies: kubernetes, predictive, step' "$TMP/bad.out"

finish

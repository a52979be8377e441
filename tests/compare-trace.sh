#!/bin/sh
# kubesim compare on a trace (docs/experiments.md "Comparing on a trace"): the Google 2011
# fixture (tests/traces/google-2011, 419 tasks) replayed on 4 nodes of 32 cores with half of its
# jobs sampled, LeastAllocated vs MostAllocated x 3 seeds.
#
# - every run is a `kubesim replay` (its summary has the replay member, pods.csv is there);
# - runs.csv rows equal each run's summary.json; the seeds sample different jobs;
# - resuming keeps the runs, other replay options redo them; shards merged equal the whole;
# - bad input: exit 2, a message, nothing run.
. "$TOP_SRCDIR/tests/lib.sh"

command -v jq >/dev/null 2>&1 || skip "jq is not installed (scripts/deps installs it)"
cd "$TMP" || exit 1
google="$TOP_SRCDIR/tests/traces/google-2011/task_events"
cat >"$TMP/nodes.yaml" <<'YAML'
apiVersion: v1
kind: Node
metadata: {name: m-0}
status: {capacity: {cpu: "32", memory: 128Gi, pods: "250"}}
---
apiVersion: v1
kind: Node
metadata: {name: m-1}
status: {capacity: {cpu: "32", memory: 128Gi, pods: "250"}}
---
apiVersion: v1
kind: Node
metadata: {name: m-2}
status: {capacity: {cpu: "32", memory: 128Gi, pods: "250"}}
---
apiVersion: v1
kind: Node
metadata: {name: m-3}
status: {capacity: {cpu: "32", memory: 128Gi, pods: "250"}}
YAML
set -- --format google-2011 --nodes "$TMP/nodes.yaml" --sample 0.5 \
  --policy LeastAllocated --policy MostAllocated --seeds 3

kubesim compare "$google" "$@" --jobs 2 --out "$TMP/c" >"$TMP/c.out" 2>"$TMP/c.err" \
  || { fail "compare on a trace"; cat "$TMP/c.err" >&2; }
expect_grep "progress" "^kubesim compare: 6 runs to do (2 at once), 0 already done" "$TMP/c.err"
expect_eq "runs.csv: one row per run, all ok" "$(cut -d, -f1-3 "$TMP/c/runs.csv" | tr '\n' ' ')" \
  "policy,seed,status LeastAllocated,1,ok LeastAllocated,2,ok LeastAllocated,3,ok MostAllocated,1,ok MostAllocated,2,ok MostAllocated,3,ok "
expect_eq "compare.json: the replay options" "$(jq -c .matrix.replay "$TMP/c/compare.json")" \
  "[\"--format=google-2011\",\"--nodes=$TMP/nodes.yaml\",\"--sample=0.5\"]"
for p in LeastAllocated MostAllocated; do
  for s in 1 2 3; do
    d="$TMP/c/runs/$p/seed-$s"
    expect_eq "$p seed $s: a replay (its summary's replay member)" \
      "$(jq '.replay.pods_created + .replay.sampled_out > 0' "$d/summary.json")" true
    [ -s "$d/pods.csv" ] && ok "$p seed $s: pods.csv" || fail "$p seed $s: no pods.csv"
    expect_eq "$p seed $s: on the --nodes file's 4 nodes" \
      "$(tail -n +2 "$d/pods.csv" | cut -d, -f6 | grep -v '^$' | sort -u | tr '\n' ' ')" "m-0 m-1 m-2 m-3 "
  done
done
# The seeds sample different jobs; a seed samples the same ones under both policies.
created() { jq .replay.pods_created "$TMP/c/runs/$1/seed-$2/summary.json"; }
[ "$(created LeastAllocated 1)" != "$(created LeastAllocated 2)" ] \
  || [ "$(created LeastAllocated 1)" != "$(created LeastAllocated 3)" ] \
  && ok "the seeds sample different jobs" || fail "three seeds, the same pods created"
for s in 1 2 3; do
  expect_eq "seed $s: the same sample under both policies" "$(created LeastAllocated $s)" \
    "$(created MostAllocated $s)"
done
# The policies place the pods differently (LeastAllocated spreads, MostAllocated packs).
expect_grep "MostAllocated's configuration" "type: MostAllocated" "$TMP/c/policies/MostAllocated.yaml"

row='[.scheduling_latency_s.p50, .scheduling_latency_s.p95, .scheduling_latency_s.p99,
  .totals.pending_pod_seconds, .totals.pods_never_scheduled, .totals.makespan_s,
  .totals.mean_cpu_allocated_ratio, .totals.mean_memory_allocated_ratio,
  .totals.mean_gpu_allocated_ratio, .totals.mean_cpu_used_ratio, .totals.mean_memory_used_ratio,
  .totals.mean_gpu_used_ratio, .totals.fragmentation, .totals.evictions, .preemption.victims,
  .totals.node_hours, null, null]
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
[ ! -e "$TMP/row-failed" ] || fail "runs.csv rows against the summaries"
expect_eq "comparison.csv: 2 policies x 18 metrics" "$(($(wc -l <"$TMP/c/comparison.csv") - 1))" 36

# ---- resuming, other options, shards ----------------------------------------------------------
kubesim compare "$google" "$@" --jobs 2 --out "$TMP/c" >"$TMP/c2.out" 2>"$TMP/c2.err" \
  || fail "compare resumed"
expect_grep "resumed: nothing to do" "^kubesim compare: 0 runs to do (0 at once), 6 already done" "$TMP/c2.err"
cmp -s "$TMP/c.out" "$TMP/c2.out" && ok "resumed: the same table" || fail "resumed: another table"
kubesim compare "$google" --format google-2011 --nodes "$TMP/nodes.yaml" --sample 0.6 \
  --policy LeastAllocated --policy MostAllocated --seeds 3 --jobs 2 --shard 1/3 --out "$TMP/c" \
  >/dev/null 2>"$TMP/c3.err" || fail "compare with another --sample"
expect_grep "another --sample: the runs are redone" "^kubesim compare: 2 runs to do (2 at once), 0 already done" "$TMP/c3.err"
# The trace's contents count, not its path: a copy elsewhere is the same input.
cp -r "$google" "$TMP/copy"
for i in 1 2; do
  kubesim compare "$TMP/copy" "$@" --jobs 2 --shard $i/2 --out "$TMP/shard$i" >/dev/null 2>&1 \
    || fail "shard $i/2"
done
kubesim compare --merge "$TMP/shard1" "$TMP/shard2" --out "$TMP/merged" >/dev/null 2>&1 || fail "merge"
# c's runs.csv was rewritten by the --sample 0.6 shard: compare against a fresh unsharded copy.
kubesim compare "$google" "$@" --jobs 2 --out "$TMP/whole" >/dev/null 2>&1 || fail "whole"
for f in runs.csv comparison.csv; do
  cmp -s "$TMP/whole/$f" "$TMP/merged/$f" && ok "merged shards: $f as unsharded" \
    || { fail "merged shards: $f differs"; diff "$TMP/whole/$f" "$TMP/merged/$f" | head; }
done
printf '\n' >>"$TMP/nodes.yaml"
kubesim compare "$google" "$@" --jobs 2 --shard 1/6 --out "$TMP/whole" >/dev/null 2>"$TMP/c4.err" \
  || fail "compare after --nodes changed"
expect_grep "the --nodes file's contents count" "^kubesim compare: 1 run to do" "$TMP/c4.err"

# ---- bad input --------------------------------------------------------------------------------
bad() {
  what=$1 pattern=$2
  shift 2
  kubesim compare "$@" --out "$TMP/bad" >"$TMP/bad.out" 2>&1
  expect_eq "$what: exit 2" "$?" 2
  expect_grep "$what: the message" "$pattern" "$TMP/bad.out"
  [ ! -e "$TMP/bad" ] && ok "$what: nothing written" || { fail "$what: $TMP/bad written"; rm -rf "$TMP/bad"; }
}
bad "--duration on a trace" "kubesim compare: --duration: a trace's replay" \
  "$google" --format google-2011 --policy default --duration 1h
bad "hpa= on a trace" "hpa= needs a scenario" "$google" --format google-2011 --policy hpa=kubernetes
bad "--sample 2" "kubesim compare: --sample \"2\": expected a fraction" \
  "$google" --format google-2011 --policy default --sample 2
bad "a trace option without --format" "kubesim compare: --format is required" \
  "$google" --nodes "$TMP/nodes.yaml" --policy default
bad "two inputs without --format" "too many arguments (a trace's files need --format)" \
  "$google" "$google" --policy default
bad "an unknown format" "nosuch" "$google" --format nosuch --policy default
bad "a missing trace" "no-such-trace" "$TMP/no-such-trace" --format google-2011 --policy default
bad "stdin" "from stdin" - --format kubesim --policy default
finish

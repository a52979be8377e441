#!/bin/sh
# kubesim replay and kubesim trace convert (docs/user-guide.md "Replaying a trace"): pods.csv rows
# checked by hand on a small native trace (a pod that waits for capacity keeps its run time),
# --window, --speed, --max-pods, --sample (seeded, whole jobs), --config and --policy-path as in
# run, bad input (file:line, exit 2, no outputs), and convert → replay giving the same summary.
. "$TOP_SRCDIR/tests/lib.sh"

traces="$TOP_SRCDIR/tests/traces/kubesim"
small="$traces/small.jsonl"

pods_csv () { # WHAT OUT_DIR, expected rows on stdin
  cat >"$TMP/expected.csv"
  if cmp -s "$TMP/expected.csv" "$2/pods.csv"; then
    ok "$1: pods.csv"
  else
    fail "$1: pods.csv differs"
    diff "$TMP/expected.csv" "$2/pods.csv" >&2
  fi
}

# ---- the small trace: n1 has 2 cpu ----
# a (2 cpu) runs 1-11; b (2 cpu, submitted at 2, recorded run time 5) waits for a and runs 11-16,
# later than its recorded end (7) but for its recorded 5 s; c fails (exit 1) after 2 s, d is
# killed (deleted) 3 s after its start, c is resubmitted (attempt 2) and succeeds; e (4 cpu) never
# fits and is still pending at the end, 5 minutes (a scheduler retry interval) after the last
# record.
kubesim replay -q --format kubesim "$small" -o "$TMP/small" || fail "replay small"
pods_csv "small" "$TMP/small" <<'EOF'
name,created,scheduled,started,finished,node,attempts,preemptions,evictions,outcome
a,1,1,1,11,n1,1,0,0,Succeeded
b,2,11,11,16,n1,1,0,0,Succeeded
c,12,16,16,18,n1,1,0,0,Failed
d,20,20,20,23,n1,1,0,0,Killed
c,30,30,30,34,n1,2,0,0,Succeeded
e,40,,,,,1,0,0,Pending
EOF
expect_eq "small: simulated until 5 minutes after the last record" \
  "$(json_get "$TMP/small/summary.json" '"sim_time_s"')" 340
expect_eq "small: resubmissions" "$(json_get "$TMP/small/summary.json" '"resubmissions"')" 1
expect_eq "small: ends" "$(json_get "$TMP/small/summary.json" '"ends"')" 5
for f in events.jsonl metrics.csv summary.json pods.csv; do
  [ -s "$TMP/small/$f" ] && ok "small: $f written" || fail "small: no $f"
done
expect_grep "small: events of the pods" '"event":"Scheduled"' "$TMP/small/events.jsonl"
# Cluster rows only by default; --node-metrics adds each node's.
if grep -q ',n1,' "$TMP/small/metrics.csv"; then fail "node rows without --node-metrics"; else ok "no node rows by default"; fi
kubesim replay -q --format kubesim "$small" --node-metrics -o "$TMP/nodes" || fail "--node-metrics"
expect_grep "--node-metrics: the node's rows" 'pods,n1,' "$TMP/nodes/metrics.csv"

# ---- --nodes FILE: the cluster is one node of 4 cpu, the trace's n1 is ignored: b no longer
# waits and ends at its recorded end (7), e fits and runs on ----
cat >"$TMP/nodes.yaml" <<'EOF'
apiVersion: v1
kind: Node
metadata: {name: big}
status:
  capacity: {cpu: "4", memory: 16Gi}
EOF
kubesim replay -q --format kubesim "$small" --nodes "$TMP/nodes.yaml" -o "$TMP/nodes-file" \
  || fail "--nodes"
pods_csv "--nodes" "$TMP/nodes-file" <<'EOF'
name,created,scheduled,started,finished,node,attempts,preemptions,evictions,outcome
b,2,2,2,7,big,1,0,0,Succeeded
a,1,1,1,11,big,1,0,0,Succeeded
c,12,12,12,14,big,1,0,0,Failed
d,20,20,20,23,big,1,0,0,Killed
c,30,30,30,34,big,2,0,0,Succeeded
e,40,40,40,,big,1,0,0,Running
EOF
expect_eq "--nodes: the trace's machines ignored" \
  "$(json_get "$TMP/nodes-file/summary.json" '"nodes_added"')" 0
echo '{apiVersion: v1, kind: Namespace, metadata: {name: x}}' >"$TMP/not-nodes.yaml"
kubesim replay -q --format kubesim "$small" --nodes "$TMP/not-nodes.yaml" -o "$TMP/x" >"$TMP/out" 2>&1
expect_eq "--nodes with a Namespace: exit 2" "$?" 2
expect_grep "--nodes with a Namespace: what is valid" 'it may hold only Nodes' "$TMP/out"

# ---- --window START:END (trace seconds): pods submitted in [10, 35), times from 10 ----
kubesim replay -q --format kubesim "$small" --window 10:35 -o "$TMP/window" || fail "--window"
pods_csv "--window" "$TMP/window" <<'EOF'
name,created,scheduled,started,finished,node,attempts,preemptions,evictions,outcome
c,2,2,2,4,n1,1,0,0,Failed
d,10,10,10,13,n1,1,0,0,Killed
c,20,20,20,24,n1,2,0,0,Succeeded
EOF
expect_eq "--window: outside" "$(json_get "$TMP/window/summary.json" '"outside_window"')" 2

# ---- --speed 2: every time and run time halved ----
kubesim replay -q --format kubesim "$small" --speed 2 -o "$TMP/speed" || fail "--speed"
pods_csv "--speed" "$TMP/speed" <<'EOF'
name,created,scheduled,started,finished,node,attempts,preemptions,evictions,outcome
a,0.5,0.5,0.5,5.5,n1,1,0,0,Succeeded
b,1,5.5,5.5,8,n1,1,0,0,Succeeded
c,6,8,8,9,n1,1,0,0,Failed
d,10,10,10,11.5,n1,1,0,0,Killed
c,15,15,15,17,n1,2,0,0,Succeeded
e,20,,,,,1,0,0,Pending
EOF

# ---- --max-pods 2: the first two pods only ----
kubesim replay -q --format kubesim "$small" --max-pods 2 -o "$TMP/max" || fail "--max-pods"
pods_csv "--max-pods" "$TMP/max" <<'EOF'
name,created,scheduled,started,finished,node,attempts,preemptions,evictions,outcome
a,1,1,1,11,n1,1,0,0,Succeeded
b,2,11,11,16,n1,1,0,0,Succeeded
EOF
expect_eq "--max-pods: over" "$(json_get "$TMP/max/summary.json" '"over_max_pods"')" 2

# ---- --sample: 60 jobs of 1-4 tasks on 8 nodes ----
awk 'BEGIN {
  for (n = 0; n < 8; n++)
    printf "{\"t\":0.0,\"op\":\"node-add\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"m%d\"},\"status\":{\"capacity\":{\"cpu\":\"4\",\"memory\":\"16Gi\"}}}}\n", n
  for (j = 0; j < 60; j++)
    for (k = 0; k <= j % 4; k++)
      printf "{\"t\":%d.0,\"op\":\"create\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"j%d-%d\",\"labels\":{\"kubesim.io/job\":\"job-%d\"},\"annotations\":{\"kubesim.io/duration\":\"%ds\"}},\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"task\",\"image\":\"x\",\"resources\":{\"requests\":{\"cpu\":\"500m\"}}}]}}}\n", j, j, k, j, 5 + j % 7
}' >"$TMP/jobs.jsonl"
kubesim replay -q --format kubesim "$TMP/jobs.jsonl" --sample 0.5 --seed 7 -o "$TMP/s1" || fail "--sample"
kubesim replay -q --format kubesim "$TMP/jobs.jsonl" --sample 0.5 --seed 7 -o "$TMP/s2" || fail "--sample again"
kubesim replay -q --format kubesim "$TMP/jobs.jsonl" --sample 0.5 --seed 8 -o "$TMP/s3" || fail "--sample seed 8"
cmp -s "$TMP/s1/pods.csv" "$TMP/s2/pods.csv" && ok "--sample: same seed, same pods.csv" \
  || fail "--sample: same seed gave different pods.csv"
cmp -s "$TMP/s1/events.jsonl" "$TMP/s2/events.jsonl" && ok "--sample: same seed, same events" \
  || fail "--sample: same seed gave different events"
cmp -s "$TMP/s1/pods.csv" "$TMP/s3/pods.csv" && fail "--sample: seeds 7 and 8 kept the same pods" \
  || ok "--sample: another seed, another sample"
# Whole jobs: a job's tasks are all there or none is (job j has j % 4 + 1 tasks).
bad_jobs=$(tail -n +2 "$TMP/s1/pods.csv" | cut -d, -f1 | sed 's/-[0-9]*$//' | sort | uniq -c \
  | awk '{ j = substr($2, 2); if ($1 != j % 4 + 1) print $2 }')
expect_eq "--sample: whole jobs" "$bad_jobs" ""
kept=$(tail -n +2 "$TMP/s1/pods.csv" | cut -d, -f1 | sed 's/-[0-9]*$//' | sort -u | wc -l)
if [ "$kept" -ge 15 ] && [ "$kept" -le 45 ]; then ok "--sample 0.5: $kept of 60 jobs"; else fail "--sample 0.5 kept $kept of 60 jobs"; fi
sampled=$(json_get "$TMP/s1/summary.json" '"sampled_out"')
created=$(json_get "$TMP/s1/summary.json" '"pods_created"')
expect_eq "--sample: every submission created or sampled out" "$((sampled + created))" 150

# ---- --config and --policy-path, as in run ----
cat >"$TMP/two.jsonl" <<'EOF'
{"t":0.0,"op":"node-add","object":{"apiVersion":"v1","kind":"Node","metadata":{"name":"plain"},"status":{"capacity":{"cpu":"8","memory":"32Gi"}}}}
{"t":0.0,"op":"node-add","object":{"apiVersion":"v1","kind":"Node","metadata":{"name":"gold","labels":{"tier":"gold"}},"status":{"capacity":{"cpu":"4","memory":"16Gi"}}}}
{"t":1.0,"op":"create","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p1"},"spec":{"restartPolicy":"Never","containers":[{"name":"task","image":"x","resources":{"requests":{"cpu":"1"}}}]}}}
{"t":2.0,"op":"create","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p2"},"spec":{"restartPolicy":"Never","containers":[{"name":"task","image":"x","resources":{"requests":{"cpu":"1"}}}]}}}
EOF
cat >"$TMP/gold.yaml" <<'EOF'
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - plugins:
      multiPoint:
        enabled: [{name: PreferNodeLabel, weight: 50}]
    pluginConfig:
      - name: PreferNodeLabel
        args: {label: tier, value: gold}
EOF
kubesim replay -q --format kubesim "$TMP/two.jsonl" -o "$TMP/plain" || fail "replay two nodes"
expect_eq "default scheduler: one pod on each node" \
  "$(cut -d, -f6 "$TMP/plain/pods.csv" | tail -n +2 | sort -u | tr '\n' ' ')" "gold plain "
kubesim replay -q --format kubesim "$TMP/two.jsonl" --config "$TMP/gold.yaml" -o "$TMP/nomod" >"$TMP/out" 2>&1
expect_eq "--config without the module: exit 2" "$?" 2
expect_grep "--config: the unknown plugin named" 'unknown plugin "PreferNodeLabel"' "$TMP/out"
[ -e "$TMP/nomod" ] && fail "--config error left $TMP/nomod" || ok "--config error: no outputs"
if [ -n "${KS_EXAMPLE_MODULE:-}" ] && [ -f "$KS_EXAMPLE_MODULE" ]; then
  mods=$(dirname "$KS_EXAMPLE_MODULE")
  kubesim replay -q --format kubesim "$TMP/two.jsonl" --config "$TMP/gold.yaml" \
    --policy-path "$mods" -o "$TMP/gold" || fail "replay with --config and --policy-path"
  expect_eq "--config + --policy-path: the gold node" "$(cut -d, -f6 "$TMP/gold/pods.csv" | tail -n +2 | sort -u)" gold
else
  echo "# the example policy module is not built: --policy-path not checked"
fi

# ---- bad input ----
bad="$traces/bad-row.jsonl"
kubesim replay -q --format kubesim "$bad" -o "$TMP/bad" >"$TMP/out" 2>&1
expect_eq "bad rows: skipped, exit 0" "$?" 0
cat >"$TMP/expected" <<EOF
$bad:3: unknown op "launch" (valid: create, delete, node-add, node-remove)
$bad:4: "t" must not be negative
$bad:5: not JSON: <data>:1:3: Parse error: unexpected identifier \`not', expected value
$bad:6: delete: unknown outcome "vanished" (valid: succeeded, failed, killed, evicted, lost)
EOF
cmp -s "$TMP/expected" "$TMP/out" && ok "bad rows: each reported once with file:line" \
  || { fail "bad rows: messages differ"; diff "$TMP/expected" "$TMP/out" >&2; }
pods_csv "bad rows" "$TMP/bad" <<'EOF'
name,created,scheduled,started,finished,node,attempts,preemptions,evictions,outcome
a,1,1,1,5,n1,1,0,0,Succeeded
EOF
kubesim replay -q --strict --format kubesim "$bad" -o "$TMP/strict" >"$TMP/out" 2>&1
expect_eq "--strict: exit 2" "$?" 2
expect_grep "--strict: the first bad row" "bad-row.jsonl:3: unknown op \"launch\"" "$TMP/out"
[ -e "$TMP/strict" ] && fail "--strict left $TMP/strict" || ok "--strict: no outputs"
mkdir "$TMP/kept"
kubesim replay -q --strict --format kubesim "$bad" -o "$TMP/kept" >/dev/null 2>&1
expect_eq "--strict into an existing directory: nothing in it" "$(ls "$TMP/kept")" ""
kubesim replay -q --format kubesim "$traces/bad-object.jsonl" -o "$TMP/obj" >"$TMP/out" 2>&1
expect_eq "bad manifest: exit 2" "$?" 2
expect_grep "bad manifest: file:line and field" \
  'bad-object.jsonl:2: spec.containers\[0\].resources.requests.cpu: invalid quantity "lots"' "$TMP/out"
[ -e "$TMP/obj" ] && fail "bad manifest left $TMP/obj" || ok "bad manifest: no outputs"
tail -n +2 "$small" >"$TMP/nonodes.jsonl"
kubesim replay -q --format kubesim "$TMP/nonodes.jsonl" -o "$TMP/nonodes" >"$TMP/out" 2>&1
expect_eq "no machines: exit 2" "$?" 2
expect_grep "no machines: what to give" 'no machines yet: give the trace.s machine table' "$TMP/out"
kubesim replay -q --format nosuch "$small" -o "$TMP/x" >"$TMP/out" 2>&1
expect_eq "unknown format: exit 2" "$?" 2
expect_grep "unknown format: the valid ones" 'valid formats: .*kubesim' "$TMP/out"
for args in "--sample 0" "--sample 1.5" "--window 5:1" "--window x" "--speed 0" "--max-pods 0" \
  "--machine-cpu -1"; do
  # shellcheck disable=SC2086
  kubesim replay -q --format kubesim "$small" $args -o "$TMP/x" >"$TMP/out" 2>&1
  expect_eq "$args: exit 2" "$?" 2
  expect_grep "$args: says what is expected" 'expected' "$TMP/out"
done
kubesim replay -q --format kubesim "$TMP/nosuch.jsonl" -o "$TMP/x" >"$TMP/out" 2>&1
expect_eq "missing trace file: exit 2" "$?" 2

# ---- convert → replay gives the same summary (minus the wall time) and pods ----
same_replay () { # WHAT DIR_A DIR_B
  grep -v '"wall_time_s"' "$2/summary.json" >"$TMP/a.json"
  grep -v '"wall_time_s"' "$3/summary.json" >"$TMP/b.json"
  cmp -s "$TMP/a.json" "$TMP/b.json" && ok "$1: same summary.json" \
    || { fail "$1: summary.json differs"; diff "$TMP/a.json" "$TMP/b.json" >&2; }
  cmp -s "$2/pods.csv" "$3/pods.csv" && ok "$1: same pods.csv" || fail "$1: pods.csv differs"
}
kubesim trace convert --format kubesim --to kubesim "$small" -o "$TMP/small-conv.jsonl" \
  || fail "convert kubesim"
kubesim replay -q --format kubesim "$TMP/small-conv.jsonl" -o "$TMP/small-conv" || fail "replay converted"
same_replay "kubesim round trip" "$TMP/small" "$TMP/small-conv"
kubesim trace convert --format kubesim --to kubesim "$small" >"$TMP/stdout.jsonl" || fail "convert to stdout"
cmp -s "$TMP/stdout.jsonl" "$TMP/small-conv.jsonl" && ok "convert: -o and stdout agree" || fail "convert: -o and stdout differ"
kubesim trace convert --format kubesim --to kubesim "$TMP/small-conv.jsonl" -o "$TMP/twice.jsonl"
cmp -s "$TMP/twice.jsonl" "$TMP/small-conv.jsonl" && ok "convert: a fixed point" || fail "convert twice differs"
kubesim trace convert --format kubesim --to yaml "$small" -o "$TMP/y" >"$TMP/out" 2>&1
expect_eq "convert --to yaml: exit 2" "$?" 2
kubesim trace convert --strict --format kubesim --to kubesim "$bad" -o "$TMP/bad-conv.jsonl" >"$TMP/out" 2>&1
expect_eq "convert --strict bad row: exit 2" "$?" 2
[ -e "$TMP/bad-conv.jsonl" ] || [ -e "$TMP/bad-conv.jsonl.tmp" ] && fail "convert --strict left a file" \
  || ok "convert --strict: nothing written"

# Google 2011: the fixture's 600 rows on 20 nodes of 32 cores (the trace has no machine table
# here; the slices end before any of their tasks does).
cat >"$TMP/google-cluster.yaml" <<'EOF'
kind: Scenario
name: google
cluster:
  nodes:
    - {name: m, count: 20, capacity: {cpu: "32", memory: 128Gi, pods: "250"}}
EOF
google="$TOP_SRCDIR/tests/traces/google-2011/task_events"
kubesim replay -q --format google-2011 "$google" --cluster "$TMP/google-cluster.yaml" -o "$TMP/google" \
  || fail "replay google-2011"
kubesim trace convert --format google-2011 --to kubesim "$google" -o "$TMP/google.jsonl" \
  || fail "convert google-2011"
kubesim replay -q --format kubesim "$TMP/google.jsonl" --cluster "$TMP/google-cluster.yaml" \
  -o "$TMP/google-conv" || fail "replay converted google-2011"
same_replay "google-2011 round trip" "$TMP/google" "$TMP/google-conv"
expect_eq "google-2011: every submitted task is a pod" \
  "$(json_get "$TMP/google/summary.json" '"pods_created"')" 419

openb_nodes=$(find_trace alibaba-gpu-v2023/openb_node_list_gpu_node.csv) || openb_nodes=
openb_pods=$(find_trace alibaba-gpu-v2023/openb_pod_list_default.csv) || openb_pods=
if [ -n "$openb_nodes" ] && [ -n "$openb_pods" ]; then
  kubesim replay -q --format alibaba-gpu-2023 "$openb_nodes" "$openb_pods" -o "$TMP/openb" \
    || fail "replay openb"
  kubesim trace convert --format alibaba-gpu-2023 --to kubesim "$openb_nodes" "$openb_pods" \
    -o "$TMP/openb.jsonl" || fail "convert openb"
  kubesim replay -q --format kubesim "$TMP/openb.jsonl" -o "$TMP/openb-conv" || fail "replay converted openb"
  same_replay "openb round trip" "$TMP/openb" "$TMP/openb-conv"
  expect_eq "openb: 8152 pods" "$(($(wc -l <"$TMP/openb/pods.csv") - 1))" 8152
else
  echo "# the openb trace is not in the shared traces folder: its round trip is not checked"
fi
finish

#!/bin/sh
# The bundled quickstart runs, writes its three outputs, and does what its comments say.
. "$TOP_SRCDIR/tests/lib.sh"

out="$TMP/out"
kubesim run --quiet --out "$out" "$TOP_SRCDIR/examples/quickstart.yaml" >"$TMP/stdout" 2>"$TMP/stderr"
expect_eq "quickstart exits 0" $? 0
expect_eq "--quiet prints nothing" "$(cat "$TMP/stdout" "$TMP/stderr")" ""
for f in events.jsonl metrics.csv summary.json; do
  [ -s "$out/$f" ] && ok "$f written" || fail "$f missing or empty"
done
ls "$out" | grep -q '\.tmp$' && fail "temporary files left in $out" || ok "no temporary files left"

s="$out/summary.json"
expect_eq "scenario name" "$(json_get "$s" '"scenario"')" '"quickstart"'
expect_eq "seed" "$(json_get "$s" '"seed"')" 1
expect_eq "simulated time" "$(json_get "$s" '"sim_time_s"')" 1800
expect_eq "nodes" "$(json_get "$s" '"nodes"')" 5
# web 3 + 3 after the scale, worker 4; the failed node's web pod is replaced: 11 pods.
# (PodTopologySpread's default constraints spread the web pods: pool-a-1 holds one of them.)
expect_eq "pods created" "$(json_get "$s" '"created"')" 11
expect_eq "pods scheduled" "$(json_get "$s" '"scheduled"')" 11
expect_eq "pods running at the end" "$(json_get "$s" '"running"')" 10
expect_eq "pods pending at the end" "$(json_get "$s" '"pending"')" 0

e="$out/events.jsonl"
expect_eq "pods the ReplicaSets made" "$(grep -c '"event":"SuccessfulCreate"' "$e")" 11
expect_eq "scheduled events" "$(grep -c '"event":"Scheduled"' "$e")" 11
expect_eq "started events" "$(grep -c '"event":"Started"' "$e")" 11
expect_grep "the scale event ran at 5m" '^{"t":300,"event":"Scale"' "$e"
expect_grep "the deployment scaled its ReplicaSet" '"message":"Scaled up replica set web-[a-z0-9]* from 3 to 6"' "$e"
expect_grep "the node failed at 10m" '^{"t":600,"event":"FailNode".*"node pool-a-1 failed"' "$e"
# Its last Lease renewal was at 590 s: Unknown at the first monitor pass after 590 + 50 s.
expect_grep "the node lifecycle controller noticed" '^{"t":645,"event":"NodeNotReady".*"Node pool-a-1 status is now: NodeNotReady"' "$e"
expect_grep "the node recovered at 20m" '^{"t":1200,"event":"NodeReady"' "$e"
# Nothing is scheduled onto the failed node once the control plane knows (645 s) until it is back.
awk -F'"t":' '{ split($2, a, ","); t = a[1] + 0 } t >= 645 && t < 1200 && /"event":"Scheduled"/ && /pool-a-1/ { bad = 1 } END { exit bad }' "$e" \
  && ok "no pod scheduled to pool-a-1 while it was down" || fail "a pod went to the failed node"
# Events are in time order.
sed 's/^{"t":\([0-9.]*\),.*/\1/' "$e" | sort -n -c && ok "events in time order" || fail "events out of order"

m="$out/metrics.csv"
expect_eq "metrics header" "$(head -n 1 "$m")" "t,metric,object,value"
expect_grep "sampled at 10s" "^10,pods_running,cluster," "$m"
expect_grep "last sample at the end" "^1800,nodes,cluster,5" "$m"
expect_grep "node ratios" "^0,cpu_requested_ratio,pool-a-0," "$m"
expect_grep "deployment replicas after the scale" "^310,deployment_replicas,default/web,6" "$m"
expect_grep "a node ready until the grace period has passed" "^640,nodes_ready,cluster,5" "$m"
expect_grep "a node not ready while failed" "^650,nodes_ready,cluster,4" "$m"
# Re-applying a Node's manifest sets its labels and taints, but what the node agent and the node
# lifecycle controller own stays: capacity, the kubelet's labels, a failed node's taints.
mkdir -p "$TMP/re"
cp -R "$TOP_SRCDIR/examples/manifests" "$TMP/re/"
cp "$TOP_SRCDIR/examples/quickstart.yaml" "$TMP/re/reapply.yaml"
node='{apiVersion: v1, kind: Node, metadata: {name: pool-a-1, labels: {topology.kubernetes.io/zone: zone-a}}}'
cat >>"$TMP/re/reapply.yaml" <<EOF
  - {at: 11m, apply: $node}
  - {at: 11m10s, scale: {kind: Deployment, name: web, replicas: 16}}
  - {at: 21m, apply: $node}
  - {at: 21m, scale: {kind: Deployment, name: web, replicas: 30}}
EOF
kubesim run --quiet --out "$TMP/re/out" "$TMP/re/reapply.yaml" >"$TMP/stdout" 2>"$TMP/stderr"
expect_eq "re-apply of a node exits 0" $? 0
e="$TMP/re/out/events.jsonl"
awk -F'"t":' '{ split($2, a, ","); t = a[1] + 0 } t >= 645 && t < 1200 && /"event":"Scheduled"/ && /pool-a-1/ { bad = 1 } END { exit bad }' "$e" \
  && ok "a re-applied failed node keeps its taints" || fail "a pod went to the failed node after the re-apply"
expect_grep "re-applying the same labels changes nothing" '^{"t":660,"event":"Apply".*"message":"node/pool-a-1 unchanged"' "$e"
expect_grep "the re-applied node keeps its capacity" '^1800,cpu_requested_ratio,pool-a-1,0\.[1-9]' "$TMP/re/out/metrics.csv"
# The last sample is taken after everything that happened at the last instant: cut at the scale
# (5m), it agrees with the summary.
kubesim run --quiet --duration 5m --out "$TMP/cut" "$TOP_SRCDIR/examples/quickstart.yaml" >"$TMP/stdout" 2>&1
expect_eq "run cut at 5m exits 0" $? 0
expect_eq "pending at the end" "$(json_get "$TMP/cut/summary.json" '"pending"')" 3
expect_grep "last sample: the scale's pending pods" "^300,pods_pending,cluster,3$" "$TMP/cut/metrics.csv"
expect_grep "last sample: the scaled deployment" "^300,deployment_replicas,default/web,6$" "$TMP/cut/metrics.csv"
expect_eq "one sample at 300" "$(grep -c '^300,nodes,cluster,' "$TMP/cut/metrics.csv")" 1
finish

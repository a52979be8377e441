#!/bin/sh
# The cluster autoscaler in whole runs (docs/formats.md "Node groups and the cluster
# autoscaler"): scale-up timing and messages, group limits and NotTriggerScaleUp, the expanders,
# scale-down after the unneeded time and the delay after a scale-up, one drain at a time, what
# blocks a removal (PodDisruptionBudget, safe-to-evict, the group's min), node-hours and cost.
# Expected values follow from the scenarios' comments (scan every 10 s).
. "$TOP_SRCDIR/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip "jq is not installed (scripts/deps installs it)"
D="$TOP_SRCDIR/tests/autoscaler"

# events OUT FILTER: the run's events.jsonl rows selected by a jq filter, compact, one a line.
events () {
  jq -c "select($2)" "$1/events.jsonl"
}
# ca OUT: "t reason name message" of the autoscaler's and node controller's node events.
ca () {
  jq -r 'select(.source == "cluster-autoscaler" or .event == "RegisteredNode" or .event == "RemovingNode") | "\(.t) \(.event) \(.kind) \(.message)"' \
    "$1/events.jsonl" | sed 's/ default\/[a-z0-9-]*//'
}

# examples/cluster-autoscaler.yaml: 4 pods unschedulable at 1m, the run at 70 s scales workers
# 0->2 (two 2-CPU nodes for four 1-CPU pods), the nodes register 60 s later, the pods run.  After
# the scale-down to 1 at 5m the nodes are unneeded from the run at 310 s, tainted 10 minutes later
# (the delay after the scale-up ended at 670 s) and deleted 5 s after that
# (nodeDeleteDelayAfterTaint).
kubesim run -q --out "$TMP/ex" "$TOP_SRCDIR/examples/cluster-autoscaler.yaml" || fail "run example"
expect_eq "example: scale-up" "$(events "$TMP/ex" '.event == "TriggeredScaleUp"' | jq -r '"\(.t) \(.message)"' | sort | uniq -c | sed 's/^ *//')" \
  "4 70 pod triggered scale-up: [{workers 0->2 (max: 4)}]"
expect_eq "example: registered" "$(events "$TMP/ex" '.event == "RegisteredNode" and .t > 0' | jq -r '"\(.t) \(.name)"')" \
  "130 workers-0
130 workers-1"
expect_eq "example: pods wait until the nodes come" \
  "$(grep -E '^(120|140),pods_unscheduled,' "$TMP/ex/metrics.csv")" \
  "120,pods_unscheduled,cluster,4
140,pods_unscheduled,cluster,0"
expect_eq "example: scale-down" "$(events "$TMP/ex" '.source == "cluster-autoscaler" and .event == "ScaleDown"' | jq -r '"\(.t) \(.name) \(.message)"')" \
  "910 workers-0 marked the node as toBeDeleted/unschedulable
910 workers-1 marked the node as toBeDeleted/unschedulable
915 workers-0 nodes removed by cluster autoscaler
915 workers-1 nodes removed by cluster autoscaler"
expect_eq "example: node pools" "$(jq -c '.node_pools' "$TMP/ex/summary.json")" \
  '{"base":{"node_group":false,"nodes":1,"node_hours":0.333333,"price_per_hour":0.2,"cost":0.0666667},"workers":{"node_group":true,"nodes":0,"min":0,"max":4,"target_size":0,"scale_ups":1,"nodes_added":2,"nodes_removed":2,"failed_removals":0,"node_hours":0.436111,"price_per_hour":0.1,"cost":0.0436111}}'
expect_eq "example: cost" "$(jq -c '.cost' "$TMP/ex/summary.json")" 0.110278
expect_eq "example: metrics" "$(grep -E '^(130|910|920),pool_.*,workers,' "$TMP/ex/metrics.csv")" \
  "130,pool_nodes,workers,2
130,pool_target_size,workers,2
130,pool_node_hours,workers,0
130,pool_cost,workers,0
910,pool_nodes,workers,2
910,pool_target_size,workers,0
910,pool_node_hours,workers,0.433333
910,pool_cost,workers,0.0433333
920,pool_nodes,workers,0
920,pool_target_size,workers,0
920,pool_node_hours,workers,0.436111
920,pool_cost,workers,0.0436111"

# The same with a 1-minute unneeded time: unneeded from 310 s, but no scale-down before
# 70 s + scaleDownDelayAfterAdd (10m) = 670 s; deleted at 675 s.
sed 's/^kubelet:/autoscaler: {scaleDownUnneededTime: 1m}\nkubelet:/' "$TOP_SRCDIR/examples/cluster-autoscaler.yaml" >"$TMP/delay.yaml"
kubesim run -q --out "$TMP/delay" "$TMP/delay.yaml" || fail "run delay"
expect_eq "delay after add" "$(events "$TMP/delay" '.message == "nodes removed by cluster autoscaler"' | jq -r .t | uniq)" 675

# maxEmptyBulkDelete 1: one empty node per run (910 s, then 920 s); scaleDownEnabled false: none.
sed 's/^kubelet:/autoscaler: {maxEmptyBulkDelete: 1}\nkubelet:/' "$TOP_SRCDIR/examples/cluster-autoscaler.yaml" >"$TMP/bulk.yaml"
kubesim run -q --out "$TMP/bulk" "$TMP/bulk.yaml" || fail "run bulk"
expect_eq "max empty bulk delete" "$(events "$TMP/bulk" '.event == "ScaleDown"' | jq -r '"\(.t) \(.name)"')" \
  "910 workers-0
915 workers-0
920 workers-1
925 workers-1"
sed 's/^kubelet:/autoscaler: {scaleDownEnabled: false}\nkubelet:/' "$TOP_SRCDIR/examples/cluster-autoscaler.yaml" >"$TMP/nosd.yaml"
kubesim run -q --out "$TMP/nosd" "$TMP/nosd.yaml" || fail "run nosd"
expect_eq "scale-down disabled" "$(events "$TMP/nosd" '.event == "ScaleDown"')" ""
expect_eq "scale-down disabled: nodes kept" "$(jq -c '.node_pools.workers.nodes' "$TMP/nosd/summary.json")" 2

# Limits: see tests/autoscaler/limits.yaml.
kubesim run -q --out "$TMP/lim" "$D/limits.yaml" || fail "run limits"
expect_eq "limits" "$(ca "$TMP/lim")" \
  "10 TriggeredScaleUp Pod pod triggered scale-up: [{small 0->1 (max: 1)}]
20 NotTriggerScaleUp Pod pod didn't trigger scale-up (it wouldn't fit if a new node is added): 1 Insufficient cpu, 1 max node group size reached"
expect_eq "limits: the pod that waits" "$(events "$TMP/lim" '.event == "NotTriggerScaleUp"' | jq -r .name)" default/huge

# Expanders: see tests/autoscaler/expanders.yaml (no provisioning delay: the nodes register at
# once).
for e in least-waste most-pods random; do
  sed "s/EXPANDER/$e/" "$D/expanders.yaml" >"$TMP/$e.yaml"
done
kubesim run -q --out "$TMP/lw" "$TMP/least-waste.yaml" || fail "run least-waste"
expect_eq "least-waste" "$(ca "$TMP/lw" | sort | uniq -c | sed 's/^ *//')" \
  "1 10 RegisteredNode Node Node tiny-0 event: Registered Node tiny-0 in Controller
1 10 RegisteredNode Node Node tiny-1 event: Registered Node tiny-1 in Controller
2 10 TriggeredScaleUp Pod pod triggered scale-up: [{tiny 0->2 (max: 5)}]"
kubesim run -q --out "$TMP/mp" "$TMP/most-pods.yaml" || fail "run most-pods"
expect_eq "most-pods" "$(ca "$TMP/mp" | sort | uniq -c | sed 's/^ *//')" \
  "1 10 RegisteredNode Node Node big-0 event: Registered Node big-0 in Controller
3 10 TriggeredScaleUp Pod pod triggered scale-up: [{big 0->1 (max: 5)}]"
# maxNodesTotal 2 (base-0 and one more): least-waste's tiny gets one node, for one pod.
sed "s/EXPANDER/least-waste, maxNodesTotal: 2/" "$D/expanders.yaml" >"$TMP/total.yaml"
kubesim run -q --out "$TMP/total" "$TMP/total.yaml" || fail "run total"
expect_eq "max nodes total" "$(events "$TMP/total" '.event == "TriggeredScaleUp"' | jq -r .message)" \
  "pod triggered scale-up: [{tiny 0->1 (max: 5)}]"
# random: the choice follows the seed (the stream cluster-autoscaler): the same seed, the same
# run; over seeds 1 to 8 both groups are picked.
picked=""
for seed in 1 2 3 4 5 6 7 8; do
  kubesim run -q --seed $seed --out "$TMP/r$seed" "$TMP/random.yaml" || fail "run random $seed"
  picked="$picked $(events "$TMP/r$seed" '.event == "TriggeredScaleUp"' | jq -r '.message' | sed -n 's/.*\[{\([a-z]*\) .*/\1/p' | sort -u)"
done
kubesim run -q --seed 3 --out "$TMP/r3b" "$TMP/random.yaml" || fail "run random again"
cmp -s "$TMP/r3/events.jsonl" "$TMP/r3b/events.jsonl" && ok "random: same seed, same events" || fail "random: same seed, different events"
case "$picked" in *tiny*) ok "random picks tiny" ;; *) fail "random never picks tiny:$picked" ;; esac
case "$picked" in *big*) ok "random picks big" ;; *) fail "random never picks big:$picked" ;; esac

# Scale-down: see tests/autoscaler/scale-down.yaml.  sd NAME MIN ANNOTATION PDB_MIN [SED-EXPR]
sd () {
  sed -e "s/MIN,/$2,/" -e "s|{ANNOTATION}|{$3}|" -e "s/PDB_MIN/$4/" -e "${5:-s/^//}" \
    "$D/scale-down.yaml" >"$TMP/sd-$1.yaml"
  kubesim run -q --out "$TMP/sd-$1" "$TMP/sd-$1.yaml" || fail "run scale-down $1"
}
# Each removal: taint and event at the run, the pod evicted 5 s later (nodeDeleteDelayAfterTaint;
# its replacement goes to base-0), the node deleted once the pod is gone (1 s grace period; the
# autoscaler looks every second, and sees it gone at the second look).
sd plain 0 "" 0
expect_eq "scale-down" "$(ca "$TMP/sd-plain")" \
  "70 ScaleDown Node marked the node as toBeDeleted/unschedulable
75 ScaleDown Pod deleting pod for node scale down
77 ScaleDown Node nodes removed by cluster autoscaler
77 RemovingNode Node Node workers-0 event: Removing Node workers-0 from Controller
80 ScaleDown Node marked the node as toBeDeleted/unschedulable
85 ScaleDown Pod deleting pod for node scale down
87 ScaleDown Node nodes removed by cluster autoscaler
87 RemovingNode Node Node workers-1 event: Removing Node workers-1 from Controller"
expect_eq "scale-down: replacements on base-0" \
  "$(events "$TMP/sd-plain" '.event == "Scheduled" and .t > 0' | jq -r '"\(.t) \(.node)"')" \
  "75 base-0
85 base-0"
# nodeDeleteDelayAfterTaint 0s: the evictions come with the taint.
sd nodelay 0 "" 0 's/^autoscaler: {scaleDownUnneededTime: 1m}/autoscaler: {scaleDownUnneededTime: 1m, nodeDeleteDelayAfterTaint: 0s}/'
expect_eq "scale-down without the delay after taint" "$(ca "$TMP/sd-nodelay" | grep ScaleDown | cut -d' ' -f1-3)" \
  "70 ScaleDown Node
70 ScaleDown Pod
72 ScaleDown Node
80 ScaleDown Node
80 ScaleDown Pod
82 ScaleDown Node"
expect_eq "scale-down: summary" "$(jq -c '.node_pools.workers | [.nodes, .target_size, .nodes_removed]' "$TMP/sd-plain/summary.json")" "[0,0,2]"
# The two pods evicted (the Eviction API marks them DisruptionTarget) count as evictions.
expect_eq "scale-down: evictions in the summary" "$(jq .totals.evictions "$TMP/sd-plain/summary.json")" 2
expect_eq "scale-down: evictions in pods.csv, the pods of the ScaleDown events" \
  "$(tail -n +2 "$TMP/sd-plain/pods.csv" | awk -F, '$9 == 1 { print $1 }' | sort | tr '\n' ' ')" \
  "$(events "$TMP/sd-plain" '.event == "ScaleDown" and .kind == "Pod"' | jq -r .name | sed 's|^default/||' | sort | tr '\n' ' ')"
# What blocks a removal: a budget that allows no disruption (minAvailable 2 of 2), safe-to-evict
# "false", a kube-system pod without a budget, local storage, a group at its min.
sd pdb 0 "" 2
expect_eq "scale-down: PDB" "$(ca "$TMP/sd-pdb")" ""
sd unsafe 0 'cluster-autoscaler.kubernetes.io/safe-to-evict: "false"' 0
expect_eq "scale-down: safe-to-evict false" "$(ca "$TMP/sd-unsafe")" ""
# web in kube-system, without a budget there; a pod with an emptyDir on the node's disk.
sd system 0 "" 0 '0,/metadata: {name: web}$/s//metadata: {name: web, namespace: kube-system}/'
expect_eq "scale-down: kube-system pod without a budget" "$(ca "$TMP/sd-system")" ""
sd local 0 "" 0 's/terminationGracePeriodSeconds: 1/&\n          volumes: [{name: scratch, emptyDir: {}}]/'
expect_eq "scale-down: local storage" "$(ca "$TMP/sd-local")" ""
# An emptyDir in memory does not hold the node: removed as without it.
sd memory 0 "" 0 's/terminationGracePeriodSeconds: 1/&\n          volumes: [{name: scratch, emptyDir: {medium: Memory}}]/'
expect_eq "scale-down: emptyDir in memory" "$(ca "$TMP/sd-memory" | grep -c 'nodes removed')" 2
sd min 2 "" 0
expect_eq "scale-down: min size" "$(ca "$TMP/sd-min")" ""
expect_eq "scale-down: min size summary" "$(jq -c '.node_pools.workers | [.nodes, .node_hours]' "$TMP/sd-min/summary.json")" "[2,0.1]"
# A removal given up: see tests/autoscaler/eviction-failure.yaml.
kubesim run -q --out "$TMP/fail" "$D/eviction-failure.yaml" || fail "run eviction-failure"
expect_eq "eviction failure" "$(ca "$TMP/fail")" \
  "70 ScaleDown Node marked the node as toBeDeleted/unschedulable
75 ScaleDown Pod deleting pod for node scale down
195 ScaleDownFailed Node failed to drain the node, aborting ScaleDown"
expect_eq "eviction failure: summary" \
  "$(jq -c '.node_pools.workers | [.nodes, .target_size, .nodes_removed, .failed_removals]' "$TMP/fail/summary.json")" \
  "[2,2,0,1]"
expect_eq "eviction failure: nothing evicted" "$(jq .totals.evictions "$TMP/fail/summary.json")" 0
finish

#!/bin/sh
# Real mode: the cluster autoscaler starts and stops node agents on this machine, in private
# network and mount namespaces.  `cluster up --autoscaler examples/real/node-groups.yaml`: one
# node group "small" (min 1, max 2, 1 cpu and 1Gi per node; scanned every second, nodes unneeded
# for 5 s removed) starts its one node.  A Deployment of 3 pods of 600m cpu fits one pod per
# node: a second agent starts, and its node runs the second pod; the third stays Pending (max
# node group size reached) and no third agent ever starts.  The control plane, killed and
# started again, adopts both nodes (and gives up a removal it had begun).  Scaled down to 1 pod, the node left empty is drained, its
# agent stopped, its cgroups removed and its Node deleted: the group is back at min.  After
# `cluster down` no container, cgroup, network namespace, veth, bridge or agent process is left.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/real-lib.sh"
real_enter autoscaler

cp "$TOP_SRCDIR/examples/real/node-groups.yaml" "$TMP/groups.yaml"

cat >"$TMP/web.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: c
          image: busybox
          command: [sleep, "3600"]
          resources: {requests: {cpu: 600m, memory: 32Mi}}
YAML

# A bad file is refused before anything starts, with its place.
printf 'nodeGroups:\n  - name: small\n    min: 3\n    max: 2\n    capacity: {cpu: "1"}\n' \
  >"$TMP/bad.yaml"
kubesim cluster up --nodes 0 --port "$port" --cgroup-parent "$CG" --autoscaler "$TMP/bad.yaml" \
  >"$TMP/bad.out" 2>&1
expect_eq "cluster up with a bad autoscaler file exits 2" $? 2
expect_grep "the error names file, line, column and field" \
  "bad.yaml:4:[0-9]*: nodeGroups\[0\].max: max (2) must not be less than min (3)" "$TMP/bad.out"
expect_eq "nothing was started" "$(ls "$D/run" 2>/dev/null | wc -l)" 0

# agent_pids: the node agent processes of this cluster, sorted.  A process whose parent is an
# agent is the agent's fork between fork and exec (spawning runc or ip): not an agent of its own.
agent_pids () {
  all=" $(pgrep -f -- "node --server .* --data-dir $D" | tr '\n' ' ') "
  for p in $all; do
    pp=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null) || continue
    [ -n "$pp" ] || continue
    case $all in *" $pp "*) ;; *) echo "$p" ;; esac
  done | sort -n | tr '\n' ' '
}
# agents: how many there are.
agents () {
  set -- $(agent_pids)
  echo $#
}
group_nodes () {
  kubesim get nodes -l kubesim.io/node-group=small -o json | jq '.items | length'
}
group_nodes_are () {
  [ "$(group_nodes)" -eq "$1" ]
}
max_agents=0
# note_agents: remember the most agents seen at once.
note_agents () {
  n=$(agents)
  [ "$n" -gt "$max_agents" ] && max_agents=$n
  return 0
}
ready_and_note () {
  note_agents
  ready_is web "$1"
}
group_back_to () {
  note_agents
  group_nodes_are "$1" && [ "$(agents)" -eq "$1" ]
}

real_up 0 --autoscaler "$TMP/groups.yaml"
expect_grep "cluster up waits for the group's min nodes" "Cluster up: 1 node Ready" "$TMP/up"
kubesim cluster status >"$TMP/status" 2>&1
expect_eq "cluster status exits 0" $? 0
expect_grep "status shows the group, its size and limits" \
  "^node group small: 1 node, 1 Ready (min 1, max 2)" "$TMP/status"
expect_grep "status shows the group's agent" "^node-agent-small-0: process" "$TMP/status"
expect_eq "the node has the group's label and its own" \
  "$(jget node small-0 '.metadata.labels["kubesim.io/node-group"] + "," + .metadata.labels.tier')" \
  "small,small"
expect_eq "the node has the group's capacity" \
  "$(jget node small-0 '.status.capacity.cpu + "," + .status.capacity.memory')" "1,1Gi"
expect_eq "one agent runs" "$(agents)" 1

kubesim apply -f "$TMP/web.yaml" >"$TMP/apply" 2>&1
expect_eq "apply exits 0" $? 0
wait_for "a second agent starts and two pods run" 90 ready_and_note 2
expect_eq "the group has 2 nodes" "$(group_nodes)" 2
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
  note_agents
  sleep 0.2
done
expect_eq "the third pod stays Pending" \
  "$(pods_json | jq '[.items[] | select(.metadata.labels.app == "web") | select(.status.phase == "Pending")] | length')" 1
kubesim get events >"$TMP/events" 2>&1
expect_grep "TriggeredScaleUp names the group" \
  "TriggeredScaleUp.*pod triggered scale-up: \[{small 1->2 (max: 2)}\]" "$TMP/events"
expect_grep "NotTriggerScaleUp at the max" \
  "NotTriggerScaleUp.*max node group size reached" "$TMP/events"
expect_eq "never more agents than the group's max" "$max_agents" 2
expect_eq "each node has its cgroup" \
  "$(ls -d /sys/fs/cgroup/"$CG"/small-[01] /sys/fs/cgroup/*/"$CG"/small-[01] 2>/dev/null | wc -l)" \
  "$(ls -d /sys/fs/cgroup/"$CG" /sys/fs/cgroup/*/"$CG" 2>/dev/null | wc -l | awk '{print $1 * 2}')"

# The control plane killed and started again (`cluster up` starts what is missing): it adopts the
# group's two nodes, whose agents keep running, and scales down from there.
before=$(agent_pids)
# As if it had died while removing small-1: the node carries the autoscaler's taint.
curl -s -f -X PATCH -H 'Content-Type: application/merge-patch+json' \
  -d '{"spec":{"taints":[{"key":"ToBeDeletedByClusterAutoscaler","value":"1","effect":"NoSchedule"}]}}' \
  "http://127.0.0.1:$port/api/v1/nodes/small-1" >/dev/null
expect_eq "the taint is set" "$(jget node small-1 '.spec.taints[0].key')" ToBeDeletedByClusterAutoscaler
cp_pid=$(cat "$D/run/control-plane.pid")
kill -9 "$cp_pid"
cp_gone () {
  [ ! -d "/proc/$cp_pid" ] || grep -q '^State:.*Z' "/proc/$cp_pid/status"
}
wait_for "the control plane is gone" 10 cp_gone
kubesim cluster up >"$TMP/up2" 2>&1
status=$?
expect_eq "cluster up after the control plane was killed exits 0" "$status" 0
[ "$status" -eq 0 ] || cat "$TMP/up2" >&2
expect_grep "it starts only what is missing" "is running: starting what is missing" "$TMP/up2"
expect_eq "the group's agents kept running" "$(agent_pids)" "$before"
expect_eq "the group still has 2 nodes" "$(group_nodes)" 2
expect_eq "the unfinished removal is given up: no taint" "$(jget node small-1 '.spec.taints // [] | length')" 0

kubesim scale deployment web --replicas 1 >/dev/null 2>&1
expect_eq "scale exits 0" $? 0
wait_for "the empty node is removed: the group back at min, one agent" 90 group_back_to 1
expect_eq "never more agents than the group's max" "$max_agents" 2
wait_for "the remaining pod runs" 30 ready_is web 1
left=$(kubesim get nodes -o json | jq -r '.items[0].metadata.name')
case $left in small-0 | small-1) removed=small-$((1 - ${left#small-})) ;; *) removed=none ;; esac
expect_eq "the Node of the removed node is deleted" \
  "$(kubesim get node "$removed" >/dev/null 2>&1; echo $?)" 1
expect_eq "the removed node's agent is not running" \
  "$(pgrep -f -- "--name $removed .*--data-dir $D" | wc -l)" 0
expect_eq "the removed node's cgroups are gone" \
  "$(ls -d /sys/fs/cgroup/"$CG/$removed" /sys/fs/cgroup/*/"$CG/$removed" 2>/dev/null | wc -l)" 0
kubesim get events >"$TMP/events" 2>&1
expect_grep "ScaleDown events" "ScaleDown.*nodes removed by cluster autoscaler" "$TMP/events"
expect_eq "two agents were started in all" \
  "$(grep -c 'started the node agent of' "$D/log/control-plane.log")" 2
expect_eq "the removal went without warnings" \
  "$(grep -c 'warning: cluster autoscaler' "$D/log/control-plane.log")" 0
kubesim cluster status >"$TMP/status" 2>&1
expect_grep "status shows the group back at its min" \
  "^node group small: 1 node, 1 Ready (min 1, max 2)" "$TMP/status"

kubesim cluster down >"$TMP/down" 2>&1
expect_eq "cluster down exits 0" $? 0
expect_eq "no agent process is left" "$(agents)" 0
finish

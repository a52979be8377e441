#!/bin/sh
# Real mode: a killed node agent is a failed node, and a restarted one recovers it, on a 2-node
# cluster in private network and mount namespaces, with short periods (heartbeats every second
# through `cluster up --node-arg`, a 4 s grace period, tolerationSeconds 2).  The agent of the
# node running a StatefulSet's pod is killed: its node goes Unknown (NodeStatusUnknown) after the
# grace period and gets the unreachable taints; after tolerationSeconds its pods are evicted; the
# Deployment's pod is replaced on the other node, the StatefulSet's is not (it stays terminating
# while its node cannot confirm, as in Kubernetes, until `delete --force` frees it and it is
# made again on the other node), and the containers keep running.  `cluster up` starts the agent
# again with the same options: the node is Ready, its taints go, the evicted pods' containers are
# stopped and their pods removed.  Then the other node's agent is stopped (SIGSTOP, a partition):
# its pods are evicted and made again elsewhere while its containers run on, and when it continues
# it stops the evicted pods' containers.  Nothing is left afterwards.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/real-lib.sh"
real_enter node-failure

cat >"$TMP/apps.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: heal}
spec:
  replicas: 2
  selector: {matchLabels: {app: heal}}
  template:
    metadata: {labels: {app: heal}}
    spec:
      terminationGracePeriodSeconds: 1
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: heal}}}
      tolerations:
        - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
        - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      containers:
        - {name: c, image: busybox, command: [sleep, "3600"], resources: {requests: {cpu: 100m}}}
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      terminationGracePeriodSeconds: 1
      tolerations:
        - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
        - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      containers:
        - {name: c, image: busybox, command: [sleep, "3600"], resources: {requests: {cpu: 100m}}}
YAML

api=http://127.0.0.1:$port
node_ready () {
  jget node "$1" '.status.conditions[] | select(.type == "Ready") | .status + " " + .reason'
}
node_ready_is () {
  [ "$(node_ready "$1")" = "$2" ]
}
# pods_on NODE LABEL: the pods of app LABEL bound to NODE, "name uid deleting|live" lines.
pods_on () {
  curl -s "$api/api/v1/namespaces/default/pods?labelSelector=app%3D$2&fieldSelector=spec.nodeName%3D$1" \
    | jq -r '.items[] | .metadata.name + " " + .metadata.uid + " "
      + (if .metadata.deletionTimestamp then "deleting" else "live" end)'
}

real_up 2 --node-arg=--node-status-update-frequency=1s \
  --control-plane-arg=--node-monitor-grace-period=4s
kubesim apply -f "$TMP/apps.yaml" >/dev/null 2>&1
expect_eq "apply exits 0" $? 0
wait_for "heal's 2 pods Ready" 30 ready_is heal 2
wait_for "db-0 Ready" 30 ready_is db 1
victim=$(jget pod db-0 .spec.nodeName)
other=node-0
[ "$victim" = node-0 ] && other=node-1
expect_eq "heal has a pod on each node (preferred anti-affinity)" \
  "$(pods_on "$victim" heal | wc -l) $(pods_on "$other" heal | wc -l)" "1 1"
db_uid=$(jget pod db-0 .metadata.uid)
heal_victim=$(pods_on "$victim" heal | cut -d' ' -f1)
victim_containers=$(for p in db-0 "$heal_victim"; do jget pod "$p" '.status.containerStatuses[0].containerID'; done \
  | sed 's|^runc://||')

# ---- the agent killed ----
kill -9 "$(cat "$D/run/node-agent-$victim.pid")"
t_kill=$(date +%s)
wait_for "$victim goes Unknown: NodeStatusUnknown" 15 node_ready_is "$victim" "Unknown NodeStatusUnknown"
t_unknown=$(date +%s)
[ $((t_unknown - t_kill)) -ge 3 ] && [ $((t_unknown - t_kill)) -le 7 ] \
  && ok "after the grace period (4 s after the last heartbeat): $((t_unknown - t_kill))s" \
  || fail "$victim went Unknown $((t_unknown - t_kill))s after the kill, expected about 4"
has_taints () {
  [ "$(jget node "$victim" '[.spec.taints[]? | select(.key == "node.kubernetes.io/unreachable") | .effect] | sort | join(",")')" = "NoExecute,NoSchedule" ]
}
wait_for "$victim has the unreachable NoSchedule and NoExecute taints" 5 has_taints
evicted () {
  [ "$(pods_on "$victim" heal | grep -c ' deleting$')" -eq 1 ] && [ "$(pods_on "$victim" db | grep -c ' deleting$')" -eq 1 ]
}
wait_for "its pods are evicted after tolerationSeconds" 10 evicted
# The pod is deleted (its deletionTimestamp: the deletion's time + its grace period, 1 s) when its
# tolerationSeconds (2 s) have passed since the NoExecute taint was added.
tainted=$(date -d "$(jget node "$victim" '.spec.taints[] | select(.effect == "NoExecute") | .timeAdded')" +%s)
deleted=$(date -d "$(jget pod db-0 .metadata.deletionTimestamp)" +%s)
[ $((deleted - tainted)) -ge 3 ] && [ $((deleted - tainted)) -le 5 ] \
  && ok "db-0 deleted 2 s after the NoExecute taint (+1 s grace: $((deleted - tainted))s)" \
  || fail "db-0's deletionTimestamp is $((deleted - tainted))s after the taint, expected 3 (2 + grace 1)"
replaced () {
  [ "$(pods_on "$other" heal | grep -c ' live$')" -eq 2 ] && ready_is heal 2
}
wait_for "heal's pod is replaced on $other and Ready" 20 replaced
kubesim get events >"$TMP/events" 2>&1
expect_grep "the eviction is an event" "TaintManagerEviction" "$TMP/events"
sleep 2
expect_eq "db-0 is not created again while its node cannot confirm the old one is gone" \
  "$(jget pod db-0 '.metadata.uid + " " + (.metadata.deletionTimestamp != null | tostring)')" "$db_uid true"
# As in Kubernetes, an operator frees it with a forced deletion: the StatefulSet makes it again
# on the node that works.
kubesim delete pod db-0 --force >"$TMP/force" 2>&1
expect_eq "delete --force of db-0 exits 0" $? 0
db_elsewhere () {
  u=$(jget pod db-0 .metadata.uid) && [ -n "$u" ] && [ "$u" != "$db_uid" ] && ready_is db 1 &&
    [ "$(jget pod db-0 .spec.nodeName)" = "$other" ]
}
wait_for "db-0 is created again on $other and Ready" 20 db_elsewhere
db_uid2=$(jget pod db-0 .metadata.uid)
running=0
for c in $victim_containers; do
  [ "$(runc --root "$D/runc" state "$c" 2>/dev/null | jq -r .status)" = running ] && running=$((running + 1))
done
expect_eq "the killed agent's containers still run" "$running" 2

# ---- the agent started again ----
kubesim cluster up >"$TMP/up2" 2>&1
expect_eq "cluster up starts the missing agent" $? 0
expect_grep "it says so" "starting what is missing" "$TMP/up2"
pid=$(cat "$D/run/node-agent-$victim.pid")
tr '\0' ' ' <"/proc/$pid/cmdline" >"$TMP/cmdline"
expect_grep "the new agent has the first up's --node-arg" "--node-status-update-frequency=1s" "$TMP/cmdline"
wait_for "$victim is Ready again" 15 node_ready_is "$victim" "True KubeletReady"
no_taints () {
  [ "$(jget node "$victim" '[.spec.taints[]?] | length')" -eq 0 ]
}
wait_for "its taints are removed" 10 no_taints
expect_eq "db-0 stays on $other, the same pod" "$(jget pod db-0 '.metadata.uid + " " + .spec.nodeName')" \
  "$db_uid2 $other"
old_gone () {
  [ -z "$(pods_on "$victim" heal | grep ' deleting$')" ]
}
wait_for "the evicted heal pod is gone" 15 old_gone
left=0
for c in $victim_containers; do
  runc --root "$D/runc" state "$c" >/dev/null 2>&1 && left=$((left + 1))
done
expect_eq "the evicted pods' containers are gone" "$left" 0

# ---- a partition: the other agent stopped (SIGSTOP), then continued ----
# Its containers run on, unseen; once it answers again it finds its pods evicted meanwhile and
# stops them.
apid=$(cat "$D/run/node-agent-$other.pid")
part_containers=$(for p in $(pods_on "$other" heal | cut -d' ' -f1) db-0; do
  jget pod "$p" '.status.containerStatuses[0].containerID'
done | sed 's|^runc://||')
kill -STOP "$apid"
wait_for "$other, its agent stopped, goes Unknown" 15 node_ready_is "$other" "Unknown NodeStatusUnknown"
heal_on_victim () {
  [ "$(pods_on "$victim" heal | grep -c ' live$')" -eq 2 ] && ready_is heal 2
}
wait_for "heal's pods are evicted from $other and made again on $victim" 30 heal_on_victim
running=0
for c in $part_containers; do
  [ "$(runc --root "$D/runc" state "$c" 2>/dev/null | jq -r .status)" = running ] && running=$((running + 1))
done
expect_eq "the partitioned node's containers run on" "$running" 3
kill -CONT "$apid"
wait_for "$other is Ready again once its agent continues" 15 node_ready_is "$other" "True KubeletReady"
db_back () {
  u=$(jget pod db-0 .metadata.uid) && [ -n "$u" ] && [ "$u" != "$db_uid2" ] && ready_is db 1
}
wait_for "the evicted db-0 is confirmed gone and made again" 30 db_back
part_gone () {
  for c in $part_containers; do
    runc --root "$D/runc" state "$c" >/dev/null 2>&1 && return 1
  done
  [ -z "$(pods_on "$other" heal | grep ' deleting$')" ]
}
wait_for "the evicted pods' containers are stopped and their pods gone" 20 part_gone
finish

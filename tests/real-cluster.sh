#!/bin/sh
# Real mode end to end, as a user drives it, in private network and mount namespaces with a data
# directory and cgroup parent of the test's own and the API on a free port of 127.0.0.1:
#   cluster up (2 nodes, metrics scraped every 2 s) → apply examples/real/web.yaml → pods Running
#   with IPs → the NodePort answers, from both pods → logs → top pods and top nodes show the
#   memory pods use → a killed container is restarted and counted → a node agent
#   killed: its node goes NotReady and its pods are evicted and replaced on the other node →
#   the control plane killed and started again: objects and running containers are kept →
#   cluster down: no container, cgroup, network namespace, veth or bridge left.
. "$TOP_SRCDIR/tests/lib.sh"

if [ -z "${KS_REAL_CLUSTER_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || skip "needs root (runc containers, cgroups, pod network)"
  command -v runc >/dev/null 2>&1 || skip "runc is not installed (scripts/deps installs it)"
  command -v ip >/dev/null 2>&1 || skip "ip is not installed (iproute2; scripts/deps installs it)"
  [ -x /bin/busybox ] || skip "/bin/busybox is missing (Debian package busybox-static)"
  command -v curl >/dev/null 2>&1 || skip "curl is not installed (scripts/deps installs it)"
  command -v jq >/dev/null 2>&1 || skip "jq is not installed (scripts/deps installs it)"
  command -v unshare >/dev/null 2>&1 || skip "unshare is missing (util-linux)"
  unshare --net --mount true 2>/dev/null || skip "cannot make network and mount namespaces here"

  KS_TEST_DATA="$TMP/data"
  KS_TEST_CGROUP="kubesim-cluster-test-$$"
  export KS_TEST_DATA KS_TEST_CGROUP
  KS_REAL_CLUSTER_INNER=1 unshare --net --mount sh "$0"
  status=$?
  expect_eq "the test in private namespaces exits 0" "$status" 0
  # What the namespaces cannot hide: runc's state is in the data directory, cgroups are global.
  if [ -d "$KS_TEST_DATA/runc" ]; then
    for id in $(runc --root "$KS_TEST_DATA/runc" list -q); do
      fail "runc container $id is left"
      runc --root "$KS_TEST_DATA/runc" delete --force "$id"
    done
  fi
  for d in /sys/fs/cgroup/"$KS_TEST_CGROUP" /sys/fs/cgroup/*/"$KS_TEST_CGROUP"; do
    if [ -e "$d" ]; then
      fail "cgroup $d is left"
      find "$d" -depth -type d -exec rmdir {} \;
    fi
  done
  finish
fi

# ---- inside the private namespaces -----------------------------------------------------------

mount --make-rprivate / || exit 1
mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns || exit 1
ip link set lo up
D=$KS_TEST_DATA
port=$((20000 + $$ % 20000))
KUBESIM_DATA_DIR=$D
export KUBESIM_DATA_DIR
trap 'kubesim cluster down >/dev/null 2>&1; rm -rf "$TMP"' EXIT

# wait_for WHAT SECONDS COMMAND...: until COMMAND succeeds.
wait_for () {
  what=$1 seconds=$2
  shift 2
  i=0
  while ! "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -gt $((seconds * 5)) ]; then
      fail "$what (waited ${seconds}s)"
      return 1
    fi
    sleep 0.2
  done
  ok "$what"
}

pods_json () {
  kubesim get pods -o json
}

# n_running LABEL: pods with that app label Running and Ready, not being deleted.
n_running () {
  pods_json | jq "[.items[] | select(.metadata.labels.app == \"$1\") | select(.metadata.deletionTimestamp == null)
    | select(.status.phase == \"Running\") | select(any(.status.conditions[]?; .type == \"Ready\" and .status == \"True\"))] | length"
}

running_is () {
  [ "$(n_running "$1")" -eq "$2" ]
}

# A grace period above two heartbeats (agents post every 10 s), as Kubernetes' 50 s is, but short.
kubesim cluster up --nodes 2 --node-cpu 1 --node-memory 1Gi --port "$port" \
  --cgroup-parent "$KS_TEST_CGROUP" \
  --control-plane-arg=--node-monitor-period=1s \
  --control-plane-arg=--node-monitor-grace-period=25s \
  --control-plane-arg=--metric-resolution=2s >"$TMP/up" 2>&1
expect_eq "cluster up exits 0" $? 0
expect_grep "cluster up says the nodes are Ready" "Cluster up: 2 nodes Ready" "$TMP/up"
kubesim cluster status >"$TMP/status" 2>&1
expect_eq "cluster status exits 0" $? 0
kubesim get nodes >"$TMP/nodes"
expect_grep "node-0 is Ready" "^node-0 *Ready" "$TMP/nodes"
expect_grep "node-1 is Ready" "^node-1 *Ready" "$TMP/nodes"

# ---- apply, Running, the NodePort, logs ----
kubesim apply -f "$TOP_SRCDIR/examples/real/web.yaml" >"$TMP/apply" 2>&1
expect_eq "apply exits 0" $? 0
expect_grep "the deployment is created" "^deployment.apps/web created" "$TMP/apply"
expect_grep "the service is created" "^service/web created" "$TMP/apply"
wait_for "both web pods Running and Ready" 30 running_is web 2
kubesim get pods -o wide >"$TMP/wide"
expect_grep "get -o wide shows pod IPs from the nodes' ranges" "Running .* 10\.244\.[12]\.[0-9]* *node-[01]" "$TMP/wide"
: >"$TMP/answers"
for i in 1 2 3 4 5 6 7 8 9 10; do
  curl -s -m 3 http://127.0.0.1:30080/ >>"$TMP/answers"
done
expect_eq "the NodePort answers every request" "$(grep -c '^hello from web-' "$TMP/answers")" 10
expect_eq "both pods serve it" "$(sort -u "$TMP/answers" | wc -l)" 2
pod=$(pods_json | jq -r '[.items[] | select(.metadata.labels.app == "web")][0].metadata.name')
kubesim logs "$pod" >"$TMP/logs" 2>&1
expect_eq "logs exits 0" $? 0
expect_grep "logs show the requests the pod served (httpd -v)" ": response:200$" "$TMP/logs"

# ---- resource metrics: top pods and top nodes ----
# A pod on each node holding a 16 MB string, so that each node's memory shows in whole MiB (the
# loop keeps the shell: ash would exec a last command in its place).
for n in 0 1; do
  cat <<EOF
apiVersion: v1
kind: Pod
metadata: {name: mem-$n, labels: {app: mem}}
spec:
  nodeName: node-$n
  terminationGracePeriodSeconds: 1
  containers:
    - name: c
      image: busybox
      command: [sh, -c, 'x=\$(head -c 16000000 /dev/zero | tr "\\\\0" a); while :; do sleep 3600; done']
---
EOF
done >"$TMP/mem.yaml"
kubesim apply -f "$TMP/mem.yaml" >/dev/null
wait_for "the mem pods Running" 30 running_is mem 2
# Every pod listed with its usage (web's httpd may use less than 1Mi), mem's at least 10Mi.
top_pods_ok () {
  kubesim top pods >"$TMP/top-pods" 2>&1 &&
    [ "$(grep -c '^web-[a-z0-9-]*  *[0-9][0-9]*m  *[0-9][0-9]*Mi  *$' "$TMP/top-pods")" -eq 2 ] &&
    [ "$(grep -c '^mem-[01]  *[0-9][0-9]*m  *[1-9][0-9][0-9]*Mi  *$' "$TMP/top-pods")" -eq 2 ]
}
wait_for "top pods shows the pods' usage, mem's in tens of MiB" 30 top_pods_ok
cat "$TMP/top-pods" >&2
curl -s "http://127.0.0.1:$port/apis/metrics.k8s.io/v1beta1/namespaces/default/pods" >"$TMP/pm.json"
expect_eq "the metrics API gives every container of the 4 pods a memory above 0" \
  "$(jq '[.items[].containers[] | select(.usage.memory != "0")] | length' "$TMP/pm.json")" 4
kubesim top pods --containers >"$TMP/top-containers" 2>&1
expect_grep "top pods --containers names the container" "^mem-0  *c  *[0-9]*m  *[1-9][0-9]*Mi" \
  "$TMP/top-containers"
kubesim top nodes >"$TMP/top-nodes" 2>&1
expect_eq "top nodes exits 0" $? 0
cat "$TMP/top-nodes" >&2
expect_eq "top nodes shows both nodes' memory (MiB and % of 1Gi)" \
  "$(grep -c '^node-[01]  *[0-9][0-9]*m  *[0-9][0-9]*%  *[1-9][0-9]*Mi  *[0-9][0-9]*%  *$' "$TMP/top-nodes")" 2
kubesim delete pod -l app=mem >/dev/null 2>&1
expect_eq "the mem pods are deleted" $? 0

# ---- a killed container is restarted and counted ----
# The container's runc id is in its status, runc://<id>: that of the container's first instance.
cid=$(kubesim get pod "$pod" -o json | jq -r '.status.containerStatuses[0].containerID')
case $cid in
  runc://*-httpd-0) ok "the containerID names runc's container ($cid)" ;;
  *) fail "the containerID is \"$cid\", not runc://<uid>-httpd-0" ;;
esac
runc --root "$D/runc" kill "${cid#runc://}" KILL
restarts_are () {
  [ "$(kubesim get pod "$pod" -o json | jq '.status.containerStatuses[0].restartCount')" = "$1" ]
}
wait_for "the killed container is restarted (restartCount 1)" 30 restarts_are 1
wait_for "and Ready again" 30 running_is web 2
kubesim get pod "$pod" >"$TMP/pod"
expect_grep "get shows the restart" " 1 ([0-9]*s ago)" "$TMP/pod"
kubesim logs "$pod" --previous >"$TMP/prev" 2>&1
expect_eq "logs --previous of the killed instance exits 0" $? 0
# (The readiness probe may have made more requests before the kill.)
expect_eq "--previous shows the killed instance's log" \
  "$(head -n "$(wc -l <"$TMP/logs")" "$TMP/prev")" "$(cat "$TMP/logs")"

# ---- a node agent killed: NotReady, eviction after tolerationSeconds, replacement ----
cat >"$TMP/heal.yaml" <<'EOF'
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
      tolerations:
        - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
        - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      containers:
        - name: c
          image: busybox
          command: [sleep, "3600"]
          resources: {requests: {cpu: 300m, memory: 32Mi}}
EOF
kubesim apply -f "$TMP/heal.yaml" >/dev/null
wait_for "both heal pods Running" 30 running_is heal 2
victim=$(pods_json | jq -r '[.items[] | select(.metadata.labels.app == "heal")][0].spec.nodeName')
other=node-0
[ "$victim" = node-0 ] && other=node-1
kill -9 "$(cat "$D/run/node-agent-$victim.pid")"
node_not_ready () {
  kubesim get nodes | grep -q "^$victim *NotReady"
}
wait_for "the killed agent's node $victim goes NotReady" 30 node_not_ready
heal_on_other () {
  [ "$(pods_json | jq "[.items[] | select(.metadata.labels.app == \"heal\") | select(.metadata.deletionTimestamp == null)
    | select(.spec.nodeName == \"$other\") | select(.status.phase == \"Running\")] | length")" -eq 2 ]
}
wait_for "its heal pod is evicted and replaced on $other" 60 heal_on_other
kubesim get events >"$TMP/events" 2>&1
expect_grep "the eviction is an event" "TaintManagerEviction" "$TMP/events"
expect_grep "the node's state is an event" "NodeNotReady" "$TMP/events"

# ---- the control plane killed and started again keeps objects and containers ----
pods_json | jq -r '.items[] | select(.spec.nodeName == "'"$other"'") | select(.metadata.deletionTimestamp == null)
  | .metadata.uid + " " + (.status.containerStatuses[0].restartCount | tostring)' | sort >"$TMP/before"
containers_before=$(runc --root "$D/runc" list -q | sort)
pids_before=$(for c in $containers_before; do runc --root "$D/runc" state "$c" | jq -r .pid; done)
kill -9 "$(cat "$D/run/control-plane.pid")"
sleep 1
kubesim cluster up >"$TMP/up2" 2>&1
expect_eq "cluster up after the crashes exits 0" $? 0
expect_grep "it starts only what is missing" "starting what is missing" "$TMP/up2"
wait_for "the web pods are Running and Ready again" 60 running_is web 2
pods_json | jq -r '.items[] | select(.spec.nodeName == "'"$other"'") | select(.metadata.deletionTimestamp == null)
  | .metadata.uid + " " + (.status.containerStatuses[0].restartCount | tostring)' | sort >"$TMP/after"
expect_eq "the surviving node's pods are the same objects, not restarted" \
  "$(cat "$TMP/after")" "$(cat "$TMP/before")"
still=0
for c in $(runc --root "$D/runc" list -q); do
  pid=$(runc --root "$D/runc" state "$c" | jq -r .pid)
  echo "$pids_before" | grep -qx "$pid" && still=$((still + 1))
done
[ "$still" -ge 2 ] && ok "containers on $other kept running through the restart ($still)" \
  || fail "containers were restarted by the control plane's restart"
: >"$TMP/answers"
for i in 1 2 3 4; do curl -s -m 3 http://127.0.0.1:30080/ >>"$TMP/answers"; done
expect_eq "the NodePort answers after the restart" "$(grep -c '^hello from web-' "$TMP/answers")" 4

# ---- down leaves nothing ----
kubesim cluster down >"$TMP/down" 2>&1
expect_eq "cluster down exits 0" $? 0
expect_eq "no runc container left" "$(runc --root "$D/runc" list -q | wc -l)" 0
expect_eq "no pod network namespace left" "$(ip netns list | grep -c '^ks-')" 0
ip link show kubesim0 >/dev/null 2>&1 && fail "the bridge kubesim0 is left" || ok "no bridge left"
expect_eq "no veth left" "$(ip -o link show | grep -c ' ksv')" 0
finish

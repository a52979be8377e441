#!/bin/sh
# Real mode's node agents against the control plane, with runc containers, in private network and
# mount namespaces (nothing they make is visible outside), a data directory and a cgroup parent
# of the test's own, and the API on a free port of 127.0.0.1.  Checks: the Node registers (Ready
# False until it has a podCIDR, then Ready), pods run with IPs from it, their logs come back
# through the API (tailLines, follow, previous after a restart), a crashing container restarts,
# a readiness probe passes, a NodePort and a ClusterIP Service answer from the host, a pod on a
# second node reaches a pod and a Service of the first, an agent stopped with SIGTERM leaves its
# containers running and a new agent of the node replaces them without duplicates, and after
# `kubesim node --cleanup` nothing is left: no runc container, cgroup, network namespace, veth
# or bridge.
. "$TOP_SRCDIR/tests/lib.sh"

if [ -z "${KS_REAL_NODE_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || skip "needs root (runc containers, cgroups, pod network)"
  command -v runc >/dev/null 2>&1 || skip "runc is not installed (scripts/deps installs it)"
  command -v ip >/dev/null 2>&1 || skip "ip is not installed (iproute2; scripts/deps installs it)"
  [ -x /bin/busybox ] || skip "/bin/busybox is missing (Debian package busybox-static)"
  command -v curl >/dev/null 2>&1 || skip "curl is not installed (scripts/deps installs it)"
  command -v jq >/dev/null 2>&1 || skip "jq is not installed (scripts/deps installs it)"
  command -v unshare >/dev/null 2>&1 || skip "unshare is missing (util-linux)"
  unshare --net --mount true 2>/dev/null || skip "cannot make network and mount namespaces here"

  KS_NODE_TEST_DATA="$TMP/data"
  KS_NODE_TEST_CGROUP="kubesim-node-test-$$"
  export KS_NODE_TEST_DATA KS_NODE_TEST_CGROUP
  KS_REAL_NODE_INNER=1 unshare --net --mount sh "$0"
  status=$?
  expect_eq "the test in private namespaces exits 0" "$status" 0
  # What the namespaces cannot hide: runc's state is in the data directory, cgroups are global.
  if [ -d "$KS_NODE_TEST_DATA/runc" ]; then
    for id in $(runc --root "$KS_NODE_TEST_DATA/runc" list -q); do
      fail "runc container $id is left"
      runc --root "$KS_NODE_TEST_DATA/runc" delete --force "$id"
    done
  fi
  for d in /sys/fs/cgroup/"$KS_NODE_TEST_CGROUP" /sys/fs/cgroup/*/"$KS_NODE_TEST_CGROUP"; do
    if [ -e "$d" ]; then
      fail "cgroup $d is left"
      find "$d" -depth -type d -exec rmdir {} \;
    fi
  done
  finish
fi

# ---- inside the private namespaces ----------------------------------------------------------
D=$KS_NODE_TEST_DATA
CG=$KS_NODE_TEST_CGROUP
mount --make-rprivate / || exit 1
mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns || exit 1
ip link set lo up || exit 1
CP_PID=""
N1_PID=""
N2_PID=""

stop () {
  [ -n "$1" ] || return 0
  kill -TERM "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}

# stop_ok PID WHAT LOG: SIGTERM, and the process must exit 0 (under valgrind: with no error).
stop_ok () {
  kill -TERM "$1"
  wait "$1"
  st=$?
  expect_eq "$2 exits 0 on SIGTERM" "$st" 0
  [ "$st" -eq 0 ] || cat "$3" >&2
}

cleanup () {
  stop "$N1_PID"
  stop "$N2_PID"
  stop "$CP_PID"
  "$KUBESIM" node --cleanup --data-dir "$D" --cgroup-parent "$CG" >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT

# start_bg LOG ARGS...: kubesim ARGS in the background (its own process: $! is kubesim).
start_bg () {
  log=$1
  shift
  # shellcheck disable=SC2086
  ${KS_VALGRIND:-} "$KUBESIM" "$@" >"$log" 2>&1 &
  LAST_PID=$!
}

# poll SECONDS COMMAND...: run COMMAND every 0.2 s until it succeeds (status 0) or time is up (1).
poll () {
  end=$(($(date +%s) + $1))
  shift
  while ! "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$end" ] || return 1
    sleep 0.2
  done
}

# wait_until SECONDS WHAT COMMAND...: poll, and say how it went.
wait_until () {
  limit=$1
  what=$2
  shift 2
  if poll "$limit" "$@"; then ok "$what"; else
    fail "$what (not within ${limit}s)"
    return 1
  fi
}

die () {
  fail "$*"
  for f in "$TMP"/*.log; do
    echo "== $f" >&2
    tail -n 30 "$f" >&2
  done
  exit 1
}

get () { curl -sS --max-time 10 "$URL$1"; }
post () { curl -sS --max-time 10 -X POST -H 'Content-Type: application/json' -d "$2" "$URL$1"; }
patch () {
  curl -sS --max-time 10 -X PATCH -H 'Content-Type: application/merge-patch+json' -d "$2" "$URL$1"
}
pod () { get "/api/v1/namespaces/default/pods/$1" | jq -r "$2"; }
node_ready () {
  [ "$(get "/api/v1/nodes/$1" | jq -r '.status.conditions[]|select(.type=="Ready").status')" = "$2" ]
}
pod_running () { [ "$(pod "$1" .status.phase)" = Running ]; }
pod_ready () {
  [ "$(pod "$1" '.status.conditions[]|select(.type=="Ready").status')" = True ]
}
restarted () { [ "$(pod "$1" '.status.containerStatuses[0].restartCount')" -ge "$2" ]; }
log_has () { get "/api/v1/namespaces/default/pods/$1/log$2" | grep -q -- "$3"; }
answers () { curl -sS --max-time 3 "$1" | grep -q "$2"; }
# Process $1 runs (a zombie does not: containers an agent left are reparented to init, which
# reaps them when it gets to it).
alive () { [ -e "/proc/$1" ] && ! grep -q '^[0-9]* (.*) Z ' "/proc/$1/stat" 2>/dev/null; }
# runc's containers of node $1: "id pid status" lines, sorted.
containers_of () {
  runc --root "$D/runc" list --format json |
    jq -r --arg b "$D/nodes/$1/" '.[]? | select(.bundle | startswith($b)) | "\(.id) \(.pid) \(.status)"' |
    sort
}

# ---- the control plane and node n1 ----------------------------------------------------------
start_bg "$TMP/cp.log" control-plane --data-dir "$D" --port 0
CP_PID=$LAST_PID
wait_until 30 "the control plane serves" grep -q "serving http" "$TMP/cp.log" ||
  die "no control plane"
URL=$(sed -n 's/.*serving \(http:[^ ]*\).*/\1/p' "$TMP/cp.log")

# The Node as registered, seen through a watch: the control plane's node IPAM controller gives it
# a podCIDR at once, and the agent may post Ready before a poll would see it not ready.
curl -sSN --max-time 60 "$URL/api/v1/nodes?watch=true" >"$TMP/nodes.watch" 2>/dev/null &
WATCH_PID=$!
start_bg "$TMP/n1.log" node --server "$URL" --name n1 --cpu 2 --memory 2Gi --pods 20 \
  --data-dir "$D" --cgroup-parent "$CG" --node-status-update-frequency 1s
N1_PID=$LAST_PID
registered () {
  jq -c -R 'fromjson? | select(.object.metadata.name == "n1") | .object' "$TMP/nodes.watch" |
    head -n 1 >"$TMP/n1-registered.json"
  [ -s "$TMP/n1-registered.json" ]
}
wait_until 30 "node n1 registers" registered || die "n1 did not register"
kill "$WATCH_PID" 2>/dev/null
wait "$WATCH_PID" 2>/dev/null
expect_eq "n1 registers not ready" \
  "$(jq -r '.status.conditions[]|select(.type=="Ready").status' "$TMP/n1-registered.json")" False
expect_eq "n1 not ready: the kubelet's reason" \
  "$(jq -r '.status.conditions[]|select(.type=="Ready").reason' "$TMP/n1-registered.json")" \
  KubeletNotReady
expect_eq "n1 not ready: the kubelet's message" \
  "$(jq -r '.status.conditions[]|select(.type=="Ready").message' "$TMP/n1-registered.json")" \
  "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized"
get /api/v1/nodes/n1 >"$TMP/n1-node.json"
expect_eq "n1 capacity" "$(jq -c '.status.capacity' "$TMP/n1-node.json")" \
  '{"cpu":"2","memory":"2Gi","pods":"20"}'
expect_eq "n1 InternalIP is the bridge's" \
  "$(jq -r '.status.addresses[]|select(.type=="InternalIP").address' "$TMP/n1-node.json")" \
  10.244.0.1
expect_eq "n1 labels" \
  "$(jq -r '.metadata.labels["kubernetes.io/hostname"]+" "+.metadata.labels["kubernetes.io/os"]' "$TMP/n1-node.json")" \
  "n1 linux"
N1_PORT=$(jq -r '.status.daemonEndpoints.kubeletEndpoint.Port' "$TMP/n1-node.json")
expect_grep "the agent prints its log port" "127.0.0.1:$N1_PORT" "$TMP/n1.log"

# The node IPAM controller gives the podCIDR; without it (an older control plane) set it here.
has_cidr () { [ "$(get "/api/v1/nodes/$1" | jq -r '.spec.podCIDR // ""')" != "" ]; }
give_cidr () {
  if poll 3 has_cidr "$1"; then ok "$1 gets a podCIDR from the control plane"; else
    echo "(no node IPAM controller: setting $1's podCIDR here)"
    patch "/api/v1/nodes/$1" "{\"spec\":{\"podCIDR\":\"$2\"}}" >/dev/null
  fi
}
give_cidr n1 10.244.1.0/24
N1_CIDR=$(get /api/v1/nodes/n1 | jq -r .spec.podCIDR)
wait_until 15 "n1 becomes Ready once it has a podCIDR" node_ready n1 True || die "n1 not ready"
expect_eq "Ready's reason" \
  "$(get /api/v1/nodes/n1 | jq -r '.status.conditions[]|select(.type=="Ready").reason')" \
  KubeletReady
net_prefix=${N1_CIDR%.0/24}
"$KUBESIM" node --server "$URL" --name n1 --cpu 2 --memory 2Gi --data-dir "$D" \
  --cgroup-parent "$CG" >"$TMP/n1-twice.out" 2>&1
expect_eq "a second agent of n1 exits 1" "$?" 1
expect_grep "... saying why" "node n1 already has an agent running" "$TMP/n1-twice.out"

# ---- pods, logs, restarts ----------------------------------------------------------------------
post /api/v1/namespaces/default/pods '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"logger"},
  "spec":{"containers":[{"name":"main","image":"busybox","command":["sh","-c",
  "echo start; i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done"]}]}}' >/dev/null
wait_until 30 "a busybox pod runs" pod_running logger || die "logger does not run"
expect_eq "scheduled on n1" "$(pod logger .spec.nodeName)" n1
LOGGER_IP=$(pod logger .status.podIP)
case $LOGGER_IP in
  "$net_prefix".*) ok "its podIP $LOGGER_IP is in n1's podCIDR $N1_CIDR" ;;
  *) fail "podIP '$LOGGER_IP' is not in $N1_CIDR" ;;
esac
expect_eq "hostIP is the node's" "$(pod logger .status.hostIP)" 10.244.0.1
wait_until 10 "its log comes back through the API" log_has logger "" "^start$"
expect_eq "tailLines=1 is one line" \
  "$(get '/api/v1/namespaces/default/pods/logger/log?tailLines=1' | wc -l)" 1
expect_eq "limitBytes=5" "$(get '/api/v1/namespaces/default/pods/logger/log?limitBytes=5')" start
curl -sS -N --max-time 2 "$URL/api/v1/namespaces/default/pods/logger/log?follow=true&tailLines=0" \
  >"$TMP/follow.out" 2>/dev/null
n=$(grep -c '^line [0-9]*$' "$TMP/follow.out")
if [ "$n" -ge 3 ]; then ok "follow streams new lines ($n in 2 s)"; else
  fail "follow gave $n lines in 2 s"
fi
get '/api/v1/namespaces/default/pods/logger/log?previous=true' >"$TMP/prev.json"
expect_eq "previous of a container that never restarted" "$(jq -r .message "$TMP/prev.json")" \
  'previous terminated container "main" in pod "logger" not found'
expect_eq "its code" "$(jq -r .code "$TMP/prev.json")" 400

post /api/v1/namespaces/default/pods '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"crasher"},
  "spec":{"containers":[{"name":"c","image":"busybox","command":["sh","-c",
  "echo run at $(cat /proc/uptime); exit 3"]}]}}' >/dev/null
wait_until 30 "a container that exits 3 is restarted" restarted crasher 1
expect_eq "its last state" \
  "$(pod crasher '.status.containerStatuses[0].lastState.terminated|"\(.exitCode) \(.reason)"')" \
  "3 Error"
wait_until 10 "the previous instance's log" log_has crasher "?previous=true" "^run at "
wait_until 30 "restartCount grows" restarted crasher 2

# ---- a web server, its probe, a NodePort Service -----------------------------------------------
post /api/v1/namespaces/default/pods '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web",
  "labels":{"app":"web"}},"spec":{"containers":[{"name":"httpd","image":"busybox","command":["sh","-c",
  "mkdir -p /tmp/www && echo hello-from-web >/tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www"],
  "ports":[{"containerPort":8080,"name":"http"}],
  "readinessProbe":{"httpGet":{"path":"/","port":"http"},"periodSeconds":1}}]}}' >/dev/null
wait_until 30 "the web pod passes its httpGet readiness probe" pod_ready web || die "web not ready"
WEB_IP=$(pod web .status.podIP)
wait_until 5 "the host reaches the pod" answers "http://$WEB_IP:8080/" hello-from-web
# No selector: its Endpoints are written here (with or without an endpoints controller).
post /api/v1/namespaces/default/services '{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},
  "spec":{"type":"NodePort","ports":[{"name":"http","port":80,"targetPort":8080}]}}' >"$TMP/svc.json"
post /api/v1/namespaces/default/endpoints "{\"apiVersion\":\"v1\",\"kind\":\"Endpoints\",
  \"metadata\":{\"name\":\"web\"},\"subsets\":[{\"addresses\":[{\"ip\":\"$WEB_IP\"}],
  \"ports\":[{\"name\":\"http\",\"port\":8080}]}]}" >/dev/null
NODE_PORT=$(jq -r '.spec.ports[0].nodePort' "$TMP/svc.json")
CLUSTER_IP=$(jq -r '.spec.clusterIP' "$TMP/svc.json")
wait_until 10 "the NodePort answers on 127.0.0.1:$NODE_PORT" \
  answers "http://127.0.0.1:$NODE_PORT/" hello-from-web
wait_until 10 "the ClusterIP answers on $CLUSTER_IP:80" \
  answers "http://$CLUSTER_IP:80/" hello-from-web

# ---- a second node ----------------------------------------------------------------------------
start_bg "$TMP/n2.log" node --server "$URL" --name n2 --cpu 1 --memory 1Gi \
  --data-dir "$D" --cgroup-parent "$CG" --node-status-update-frequency 1s
N2_PID=$LAST_PID
node_exists () { get "/api/v1/nodes/$1" | jq -e .status.daemonEndpoints.kubeletEndpoint.Port; }
wait_until 30 "node n2 registers" node_exists n2 || die "n2 did not register"
give_cidr n2 10.244.2.0/24
wait_until 15 "n2 becomes Ready" node_ready n2 True || die "n2 not ready"
post /api/v1/namespaces/default/pods "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"client\"},
  \"spec\":{\"nodeName\":\"n2\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\",\"command\":[\"sh\",\"-c\",
  \"until wget -qO- http://$WEB_IP:8080/; do sleep 0.5; done; wget -qO- http://$CLUSTER_IP/ | sed s/^/svc:/; sleep 3600\"]}]}}" \
  >/dev/null
wait_until 30 "a pod on n2 runs" pod_running client
case $(pod client .status.podIP) in
  "$(get /api/v1/nodes/n2 | jq -r .spec.podCIDR | sed 's/\.0\/24$//')".*) ok "its IP is n2's" ;;
  *) fail "client's IP $(pod client .status.podIP) is not in n2's podCIDR" ;;
esac
wait_until 20 "a pod on n2 reaches the pod on n1 (log served by n2's agent)" \
  log_has client "" "^hello-from-web$"
wait_until 20 "... and the Service's ClusterIP" log_has client "" "^svc:hello-from-web$"

# ---- SIGTERM to n1's agent, and a new one --------------------------------------------------
# The crashing pod goes first, so that n1 runs a steady set of containers.
curl -sS --max-time 10 -X DELETE "$URL/api/v1/namespaces/default/pods/crasher" >/dev/null
gone () { [ "$(get "/api/v1/namespaces/default/pods/$1" | jq -r .code)" = 404 ]; }
wait_until 30 "a deleted pod goes" gone crasher
containers_of n1 >"$TMP/before"
expect_eq "n1 runs 2 containers" "$(wc -l <"$TMP/before")" 2
stop_ok "$N1_PID" "n1's agent" "$TMP/n1.log"
N1_PID=""
expect_grep "it says it stops" "stopping (containers keep running)" "$TMP/n1.log"
containers_of n1 >"$TMP/after-stop"
expect_eq "its containers keep running" "$(cat "$TMP/after-stop")" "$(cat "$TMP/before")"
answers "http://127.0.0.1:$NODE_PORT/" hello-from-web &&
  ok "n2's proxy still serves the NodePort"
old_pids=$(awk '{print $2}' "$TMP/before")

start_bg "$TMP/n1b.log" node --server "$URL" --name n1 --cpu 2 --memory 2Gi --pods 20 \
  --data-dir "$D" --cgroup-parent "$CG" --node-status-update-frequency 1s
N1_PID=$LAST_PID
replaced () {
  containers_of n1 >"$TMP/after"
  [ "$(wc -l <"$TMP/after")" -eq 2 ] && [ "$(grep -c ' running$' "$TMP/after")" -eq 2 ] &&
    for p in $old_pids; do ! grep -q " $p running" "$TMP/after" || return 1; done
}
wait_until 30 "a new agent replaces n1's containers (2, running, new processes)" replaced
expect_eq "the same container ids" "$(awk '{print $1}' "$TMP/after")" \
  "$(awk '{print $1}' "$TMP/before")"
for p in $old_pids; do
  if alive "$p"; then fail "old container process $p still runs"; fi
done
expect_eq "the pod keeps its IP" "$(pod web .status.podIP)" "$WEB_IP"
wait_until 20 "the web pod is ready again" pod_ready web
wait_until 10 "logs through the new agent" log_has logger "?tailLines=1" "^line "
wait_until 10 "the NodePort still answers" answers "http://127.0.0.1:$NODE_PORT/" hello-from-web
expect_eq "one network namespace per pod" "$(ip netns list | grep -c '^ks-')" 3

# ---- teardown -------------------------------------------------------------------------------
stop_ok "$N1_PID" "n1's second agent" "$TMP/n1b.log"
N1_PID=""
stop_ok "$N2_PID" "n2's agent" "$TMP/n2.log"
N2_PID=""
stop_ok "$CP_PID" "the control plane" "$TMP/cp.log"
CP_PID=""
"$KUBESIM" node --cleanup --data-dir "$D" --cgroup-parent "$CG" >"$TMP/cleanup.out" 2>&1
expect_eq "kubesim node --cleanup exits 0" "$?" 0
expect_eq "no runc container is left" "$(runc --root "$D/runc" list -q)" ""
left=""
for d in /sys/fs/cgroup/"$CG" /sys/fs/cgroup/*/"$CG"; do [ -e "$d" ] && left="$left $d"; done
expect_eq "no cgroup is left" "$left" ""
expect_eq "no network namespace is left" "$(ip netns list)" ""
expect_eq "no veth or bridge is left" "$(ip -o link show | grep -c -e ksv -e kubesim0)" 0
for p in $(awk '{print $2}' "$TMP/after"); do
  if alive "$p"; then fail "container process $p still runs"; fi
done
finish

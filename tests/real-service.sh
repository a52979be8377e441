#!/bin/sh
# Real mode: Services through the node agents' proxy, on a 2-node cluster in private network and
# mount namespaces.  A 2-replica Deployment whose readiness is an exec probe (a file in the
# container) behind a NodePort Service with a named targetPort: the ClusterIP answers from the
# host and from a pod, spread over both pods, and so does the NodePort; a pod whose probe starts
# failing moves to the Endpoints' notReadyAddresses and gets no more connections, and comes back
# when it passes again; with no endpoint a connection is refused at once (not left to time out);
# a deleted Service's ClusterIP is gone from the bridge.  Nothing is left afterwards.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/real-lib.sh"
real_enter service

cat >"$TMP/echo.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: echo}
spec:
  replicas: 2
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: httpd
          image: busybox
          command: [sh, -c, 'touch /tmp/ready; mkdir -p /tmp/www && hostname >/tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www']
          ports: [{name: http, containerPort: 8080}]
          readinessProbe: {exec: {command: [test, -f, /tmp/ready]}, periodSeconds: 1, failureThreshold: 1}
          resources: {requests: {cpu: 100m, memory: 16Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  type: NodePort
  selector: {app: echo}
  ports: [{name: web, port: 80, targetPort: http, nodePort: 30090}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, labels: {app: client}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - {name: c, image: busybox, command: [sleep, "3600"]}
YAML

# in_pod POD COMMAND...: COMMAND in the pod's (first) container, through runc.
in_pod () {
  cid=$(jget pod "$1" '.status.containerStatuses[0].containerID')
  shift
  runc --root "$D/runc" exec "${cid#runc://}" "$@"
}
# from_host URL N: N requests, the pods that answered, sorted, unique, on one line.
from_host () {
  for _ in $(seq "$2"); do curl -s -m 3 "$1"; echo; done | grep . | sort | uniq -c \
    | awk '{print $2}' | tr '\n' ' '
}

real_up 2
kubesim apply -f "$TMP/echo.yaml" >/dev/null 2>&1
expect_eq "apply exits 0" $? 0
wait_for "both echo pods Ready" 30 ready_is echo 2
wait_for "the client pod Ready" 30 ready_is client 1
a=$(pods_json | jq -r '[.items[] | select(.metadata.labels.app == "echo") | .metadata.name] | sort | .[0]')
b=$(pods_json | jq -r '[.items[] | select(.metadata.labels.app == "echo") | .metadata.name] | sort | .[1]')
ip=$(jget service echo .spec.clusterIP)
case $ip in 10.96.*) ok "the Service has a ClusterIP ($ip)" ;; *) fail "ClusterIP \"$ip\"" ;; esac
two_addresses () {
  [ "$(jget endpoints echo '[.subsets[]?.addresses[]?] | length')" -eq 2 ]
}
wait_for "the Endpoints list both pods" 10 two_addresses
expect_eq "the Endpoints' port is the named targetPort's number" \
  "$(jget endpoints echo '.subsets[0].ports[0].name + ":" + (.subsets[0].ports[0].port | tostring)')" "web:8080"
expect_eq "the ClusterIP answers from the host, from both pods" "$(from_host "http://$ip/" 20)" "$a $b "
expect_eq "the NodePort answers, from both pods" "$(from_host http://127.0.0.1:30090/ 20)" "$a $b "
in_pod client wget -qO- "http://$ip/" >"$TMP/in-pod" 2>&1
expect_eq "the ClusterIP answers inside a pod" "$(grep -c -x -e "$a" -e "$b" "$TMP/in-pod")" 1

# ---- readiness gates the endpoints ----
in_pod "$a" rm /tmp/ready
a_not_ready () {
  [ "$(jget endpoints echo '[.subsets[]?.notReadyAddresses[]?.targetRef.name] | join(" ")')" = "$a" ] &&
    [ "$(jget endpoints echo '[.subsets[]?.addresses[]?.targetRef.name] | join(" ")')" = "$b" ]
}
wait_for "$a, its probe failing, is in notReadyAddresses and $b alone in addresses" 10 a_not_ready
slice_conditions () {
  curl -s "http://127.0.0.1:$port/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Decho" \
    | jq -r '[.items[].endpoints[] | .targetRef.name + ":" + (.conditions.ready | tostring)] | sort | join(" ")'
}
slice_says () {
  [ "$(slice_conditions)" = "$1" ]
}
wait_for "the EndpointSlice has $a not ready and $b ready" 10 slice_says "$a:false $b:true"
expect_eq "$a is not Ready" \
  "$(jget pod "$a" '.status.conditions[] | select(.type == "Ready") | .status')" False
expect_eq "the ClusterIP answers from $b only" "$(from_host "http://$ip/" 12)" "$b "
expect_eq "the NodePort too" "$(from_host http://127.0.0.1:30090/ 12)" "$b "
in_pod "$a" touch /tmp/ready
wait_for "$a is back in addresses" 10 two_addresses
wait_for "and ready in the EndpointSlice" 10 slice_says "$a:true $b:true"
expect_eq "the ClusterIP answers from both again" "$(from_host "http://$ip/" 20)" "$a $b "

# ---- no endpoint: refused at once ----
kubesim scale deployment echo --replicas 0 >/dev/null 2>&1
no_addresses () {
  [ "$(jget endpoints echo '[.subsets[]?.addresses[]?, .subsets[]?.notReadyAddresses[]?] | length')" -eq 0 ] &&
    [ "$(n_ready echo)" -eq 0 ] && [ "$(pods_json | jq '[.items[] | select(.metadata.labels.app == "echo")] | length')" -eq 0 ]
}
wait_for "scaled to 0: no pod and no endpoint left" 20 no_addresses
t0=$(date +%s%N)
curl -s -m 5 "http://$ip/" >/dev/null 2>&1
st=$?
t1=$(date +%s%N)
[ "$st" -ne 0 ] && [ "$st" -ne 28 ] && ok "a connection to the Service with no endpoint fails (curl $st)" \
  || fail "a connection to the Service with no endpoint: curl exit $st (28 is a timeout)"
[ $(((t1 - t0) / 1000000)) -lt 2000 ] && ok "at once ($(((t1 - t0) / 1000000)) ms)" \
  || fail "it took $(((t1 - t0) / 1000000)) ms"

# ---- the Service deleted: its address goes ----
ip addr show dev kubesim0 | grep -q " $ip/32" && ok "the ClusterIP is on kubesim0" \
  || fail "the ClusterIP $ip is not on kubesim0"
kubesim delete service echo >/dev/null 2>&1
expect_eq "delete service exits 0" $? 0
ip_gone () {
  ! ip addr show dev kubesim0 | grep -q " $ip/32"
}
wait_for "the ClusterIP is removed from kubesim0" 10 ip_gone
curl -s -m 2 http://127.0.0.1:30090/ >/dev/null 2>&1
[ $? -eq 7 ] && ok "the NodePort no longer listens" || fail "the NodePort still answers or hangs"
finish

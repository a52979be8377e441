#!/bin/sh
# StatefulSets through the real-mode API (no root needed): `kubesim control-plane` without nodes,
# so pods stay Pending.  apply serves the kind at /apis/apps/v1/namespaces/default/statefulsets
# (listed in discovery), the controller creates web-0 only (OrderedReady waits for it to be
# Ready), `kubesim get statefulsets` prints kubectl's columns, and deleting the set removes its
# pod through the garbage collector.
. "$TOP_SRCDIR/tests/lib.sh"

D="$TMP/data"
mkdir -p "$D"
"$KUBESIM" control-plane --port 0 --data-dir "$D" >"$TMP/cp.log" 2>&1 &
CP_PID=$!
trap 'kill "$CP_PID" 2>/dev/null; wait "$CP_PID" 2>/dev/null; rm -rf "$TMP"' EXIT
i=0
while ! grep -q "serving http" "$TMP/cp.log"; do
  i=$((i + 1))
  if [ "$i" -gt 100 ] || ! kill -0 "$CP_PID" 2>/dev/null; then
    cat "$TMP/cp.log" >&2
    fail "the control plane did not start"
    finish
  fi
  sleep 0.1
done
URL=$(sed -n 's/.*serving \(http:[^ ]*\).*/\1/p' "$TMP/cp.log")

cat >"$TMP/sts.yaml" <<'Y'
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  replicas: 3
  serviceName: nginx
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "nginx:1.27"}]
Y
kubesim apply --server "$URL" -f "$TMP/sts.yaml" >"$TMP/out" 2>&1
expect_eq "apply" "$(cat "$TMP/out")" "statefulset.apps/web created"

curl -s "$URL/apis/apps/v1" >"$TMP/disc"
expect_grep "discovery lists statefulsets" '"name":"statefulsets"' "$TMP/disc"
curl -s "$URL/apis/apps/v1/namespaces/default/statefulsets/web" >"$TMP/obj"
expect_grep "GET the StatefulSet" '"kind":"StatefulSet"' "$TMP/obj"

# The controller runs in the control plane: web-0 appears, and only it.
i=0
while ! kubesim get pods --server "$URL" 2>/dev/null | grep -q '^web-0 '; do
  i=$((i + 1))
  [ "$i" -gt 50 ] && break
  sleep 0.1
done
sleep 0.5
kubesim get pods --server "$URL" -o name >"$TMP/out" 2>&1
expect_eq "OrderedReady: only web-0 while it is not Ready" "$(cat "$TMP/out")" "pod/web-0"
kubesim get pod web-0 --server "$URL" -o json >"$TMP/pod" 2>&1
expect_grep "hostname is the pod name" '"hostname": *"web-0"' "$TMP/pod"
expect_grep "subdomain is serviceName" '"subdomain": *"nginx"' "$TMP/pod"
expect_grep "pod-name label" '"statefulset.kubernetes.io/pod-name": *"web-0"' "$TMP/pod"

kubesim get statefulsets --server "$URL" >"$TMP/out" 2>&1
expect_eq "get statefulsets: header" "$(head -n 1 "$TMP/out")" "NAME   READY   AGE"
expect_grep "get statefulsets: row" '^web    0/3     [0-9]*s$' "$TMP/out"
kubesim get sts web --server "$URL" -o wide >"$TMP/out" 2>&1
expect_grep "get sts -o wide" '^web    0/3     [0-9]*s    nginx        nginx:1.27$' "$TMP/out"

kubesim delete statefulset web --server "$URL" >"$TMP/out" 2>&1
expect_eq "delete" "$(cat "$TMP/out")" 'statefulset.apps "web" deleted'
i=0
while kubesim get pods --server "$URL" -o name 2>/dev/null | grep -q web-0; do
  i=$((i + 1))
  [ "$i" -gt 50 ] && break
  sleep 0.1
done
kubesim get pods --server "$URL" >"$TMP/out" 2>&1
expect_eq "garbage collection removed web-0" "$(cat "$TMP/out")" \
  "No resources found in default namespace."
finish

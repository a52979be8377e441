#!/bin/sh
# The kubectl-like commands on a real cluster: the session of docs/real-mode.md ("The
# kubectl-like commands"), run as documented.  `kubesim cluster up` (2 nodes) in private network
# and mount namespaces, with a data directory and a cgroup parent of the test's own and the CLI
# finding the cluster through <data-dir>/kubeconfig; apply examples/real/web.yaml, wait for its
# rollout, see the pods Running with their nodes and IPs, read a pod's log (busybox httpd logs
# the readiness probes) and a deployment's, scale to 4, reach the NodePort, describe a pod (with
# its events), delete the manifest's objects and wait for the pods to go; `cluster down` leaves
# nothing behind.
. "$TOP_SRCDIR/tests/lib.sh"

if [ -z "${KS_KUBECTL_REAL_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || skip "needs root (a real cluster: runc containers, cgroups, pod network)"
  command -v runc >/dev/null 2>&1 || skip "runc is not installed (scripts/deps installs it)"
  command -v ip >/dev/null 2>&1 || skip "ip is not installed (iproute2; scripts/deps installs it)"
  [ -x /bin/busybox ] || skip "/bin/busybox is missing (Debian package busybox-static)"
  command -v curl >/dev/null 2>&1 || skip "curl is not installed (scripts/deps installs it)"
  command -v unshare >/dev/null 2>&1 || skip "unshare is missing (util-linux)"
  unshare --net --mount true 2>/dev/null || skip "cannot make network and mount namespaces here"

  KS_KUBECTL_TEST_DATA="$TMP/data"
  KS_KUBECTL_TEST_CGROUP="kubesim-kubectl-test-$$"
  export KS_KUBECTL_TEST_DATA KS_KUBECTL_TEST_CGROUP
  KS_KUBECTL_REAL_INNER=1 unshare --net --mount sh "$0"
  status=$?
  expect_eq "the test in private namespaces exits 0" "$status" 0
  if [ -d "$KS_KUBECTL_TEST_DATA/runc" ]; then
    for id in $(runc --root "$KS_KUBECTL_TEST_DATA/runc" list -q); do
      fail "runc container $id is left"
      runc --root "$KS_KUBECTL_TEST_DATA/runc" delete --force "$id"
    done
  fi
  for d in /sys/fs/cgroup/"$KS_KUBECTL_TEST_CGROUP" /sys/fs/cgroup/*/"$KS_KUBECTL_TEST_CGROUP"; do
    if [ -e "$d" ]; then
      fail "cgroup $d is left"
      find "$d" -depth -type d -exec rmdir {} \;
    fi
  done
  finish
fi

# ---- inside the private namespaces ----------------------------------------------------------
D=$KS_KUBECTL_TEST_DATA
CG=$KS_KUBECTL_TEST_CGROUP
KUBESIM_DATA_DIR=$D
export KUBESIM_DATA_DIR
mount --make-rprivate / || exit 1
mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns || exit 1
ip link set lo up || exit 1
cleanup () {
  "$KUBESIM" cluster down --data-dir "$D" >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT

# poll SECONDS COMMAND...: run COMMAND every 0.2 s until it succeeds or time is up (1).
poll () {
  end=$(($(date +%s) + $1))
  shift
  while ! "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$end" ] || return 1
    sleep 0.2
  done
}

die () {
  fail "$*"
  for f in "$D"/log/*.log; do
    echo "== $f" >&2
    tail -n 30 "$f" >&2
  done
  exit 1
}

W="$TOP_SRCDIR/examples/real/web.yaml"

"$KUBESIM" cluster up --nodes 2 --node-cpu 1 --node-memory 1Gi --cgroup-parent "$CG" \
  >"$TMP/up" 2>&1 || { cat "$TMP/up" >&2; die "cluster up failed"; }
ok "cluster up"

kubesim apply -f "$W" >"$TMP/out" 2>&1
expect_eq "apply exits 0" $? 0
expect_eq "apply creates the Deployment and the Service" "$(cat "$TMP/out")" \
  "$(printf 'deployment.apps/web created\nservice/web created')"
kubesim apply -f "$W" >"$TMP/out" 2>&1
expect_eq "apply again: unchanged" "$(cat "$TMP/out")" \
  "$(printf 'deployment.apps/web unchanged\nservice/web unchanged')"

kubesim rollout status deployment/web --timeout 60s >"$TMP/out" 2>&1
expect_eq "rollout status exits 0" $? 0
expect_eq "rollout status ends when it is done" "$(tail -n 1 "$TMP/out")" \
  'deployment "web" successfully rolled out'

kubesim get pods -o wide >"$TMP/out" 2>&1
expect_eq "get pods -o wide exits 0" $? 0
expect_eq "get pods -o wide: kubectl's columns" "$(head -n 1 "$TMP/out")" \
  "NAME                   READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED NODE   READINESS GATES"
n=$(grep -cE '^web-[a-z0-9]+-[a-z0-9]{5} +1/1 +Running +0 +[0-9]+s +10\.244\.[12]\.[0-9]+ +node-[01] +<none> +<none>$' "$TMP/out")
expect_eq "2 pods Running and ready, with their IP and node" "$n" 2
[ "$(awk 'NR > 1 { print $7 }' "$TMP/out" | sort -u | wc -l)" -eq 2 ] && ok "the pods are on both nodes" ||
  fail "the pods are not spread over both nodes: $(cat "$TMP/out")"

POD=$(kubesim get pods -o name | head -n 1 | cut -d/ -f2)
# busybox httpd -v logs each request: the readiness probe's, every 2 s.
poll 20 sh -c "\"\$KUBESIM\" logs $POD | grep -q 'response:200'" && ok "logs POD: the container's log" ||
  fail "logs $POD has no request: $(kubesim logs "$POD" 2>&1)"
kubesim logs deploy/web >"$TMP/out" 2>"$TMP/err"
expect_eq "logs deploy/web exits 0" $? 0
expect_grep "logs deploy/web says which pod" "^Found 2 pods, using pod/web-" "$TMP/err"
expect_grep "logs deploy/web prints that pod's log" "response:200" "$TMP/out"

kubesim scale deployment web --replicas 4 >"$TMP/out" 2>&1
expect_eq "scale prints what kubectl prints" "$(cat "$TMP/out")" "deployment.apps/web scaled"
kubesim rollout status deployment web --timeout 60s >/dev/null 2>&1
expect_eq "the scaled rollout completes" $? 0
n=$(kubesim get pods --no-headers | grep -c ' 1/1 *Running ')
expect_eq "4 pods Running" "$n" 4

poll 20 sh -c "curl -sS --max-time 3 http://127.0.0.1:30080/ | grep -q 'hello from web-'" &&
  ok "the NodePort answers" || fail "the NodePort does not answer"

kubesim describe pod "$POD" >"$TMP/out" 2>&1
expect_eq "describe pod exits 0" $? 0
expect_grep "describe pod: its status" "^Status:       Running$" "$TMP/out"
expect_grep "describe pod: its node" "^Node:         node-[01]/10.244.0.1$" "$TMP/out"
expect_grep "describe pod: the events the kubelet recorded" "Started container httpd" "$TMP/out"

kubesim delete -f "$W" >"$TMP/out" 2>&1
expect_eq "delete -f exits 0" $? 0
expect_eq "delete -f names what it deleted" "$(cat "$TMP/out")" \
  "$(printf 'deployment.apps "web" deleted\nservice "web" deleted')"
poll 60 sh -c "\"\$KUBESIM\" get pods 2>&1 | grep -q 'No resources found in default namespace.'" &&
  ok "the pods are gone" || fail "pods are left: $(kubesim get pods 2>&1)"

"$KUBESIM" cluster down >"$TMP/down" 2>&1
expect_eq "cluster down exits 0" $? 0
finish

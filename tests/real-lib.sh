# tests/real-lib.sh: what the real-mode workload tests share (sourced after tests/lib.sh).
#
# A test calls real_enter NAME first.  Outside, it checks that the machine can run real mode
# (skipping with the reason otherwise), runs the test script again in private network and mount
# namespaces with a data directory and a cgroup parent of its own, then checks what those
# namespaces cannot hide (runc's containers, cgroups) is gone, and exits.  Inside, it returns with
# /run/netns on a private tmpfs, loopback up, $D the data directory (also KUBESIM_DATA_DIR), $CG
# the cgroup parent and $port a port for the API; at exit the cluster goes down and the test
# fails if any container, pod network namespace, veth or the bridge is left.  Everything the tests
# connect to is on loopback or kubesim's bridge inside those namespaces.

real_enter () {
  if [ -z "${KS_REAL_INNER:-}" ]; then
    [ "$(id -u)" -eq 0 ] || skip "needs root (runc containers, cgroups, pod network)"
    command -v runc >/dev/null 2>&1 || skip "runc is not installed (scripts/deps installs it)"
    command -v ip >/dev/null 2>&1 || skip "ip is not installed (iproute2; scripts/deps installs it)"
    [ -x /bin/busybox ] || skip "/bin/busybox is missing (Debian package busybox-static)"
    command -v curl >/dev/null 2>&1 || skip "curl is not installed (scripts/deps installs it)"
    command -v jq >/dev/null 2>&1 || skip "jq is not installed (scripts/deps installs it)"
    command -v unshare >/dev/null 2>&1 || skip "unshare is missing (util-linux)"
    unshare --net --mount true 2>/dev/null || skip "cannot make network and mount namespaces here"

    KS_TEST_DATA="$TMP/data"
    KS_TEST_CGROUP="kubesim-$1-test-$$"
    export KS_TEST_DATA KS_TEST_CGROUP
    KS_REAL_INNER=1 unshare --net --mount sh "$0"
    status=$?
    expect_eq "the test in private namespaces exits 0" "$status" 0
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

  mount --make-rprivate / || exit 1
  mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns || exit 1
  ip link set lo up || exit 1
  D=$KS_TEST_DATA
  CG=$KS_TEST_CGROUP
  # Below the NodePort range (30000-32767), which the tests' Services use.
  port=$((20000 + $$ % 9000))
  KUBESIM_DATA_DIR=$D
  export KUBESIM_DATA_DIR
  trap 'real_exit' EXIT
}

# At exit inside the namespaces: on a failure, the cluster's logs; then cluster down, and nothing
# may be left.
real_exit () {
  st=$?
  # A test that ends without finish still fails with its checks.
  [ "$FAILURES" -gt 0 ] && st=1
  if [ "$FAILURES" -gt 0 ] && [ -d "$D/log" ]; then
    for f in "$D"/log/*; do
      echo "---- $f (last lines)" >&2
      tail -n 30 "$f" >&2
    done
  fi
  kubesim cluster down >"$TMP/down" 2>&1 || { echo "FAIL: cluster down" >&2; cat "$TMP/down" >&2; st=1; }
  if [ "$(runc --root "$D/runc" list -q 2>/dev/null | wc -l)" -ne 0 ]; then
    echo "FAIL: runc containers are left" >&2
    st=1
  fi
  if [ "$(ip netns list | grep -c '^ks-')" -ne 0 ]; then
    echo "FAIL: pod network namespaces are left" >&2
    st=1
  fi
  if ip link show kubesim0 >/dev/null 2>&1 || ip -o link show | grep -q ' ksv'; then
    echo "FAIL: the bridge or a veth is left" >&2
    st=1
  fi
  rm -rf "$TMP"
  exit "$st"
}

# real_up NODES [ARG...]: kubesim cluster up with NODES nodes of 1 cpu and 1Gi on $port and $CG,
# the node monitor every second, and ARGs; fails the test (and exits) when it does not come up.
real_up () {
  n=$1
  shift
  if ! kubesim cluster up --nodes "$n" --node-cpu 1 --node-memory 1Gi --port "$port" \
    --cgroup-parent "$CG" --control-plane-arg=--node-monitor-period=1s "$@" >"$TMP/up" 2>&1; then
    fail "cluster up"
    cat "$TMP/up" >&2
    exit 1
  fi
  ok "cluster up: $n nodes"
}

# wait_for WHAT SECONDS COMMAND...: until COMMAND succeeds (polled every 0.2 s); ok or fail.
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

# n_ready LABEL: pods with that app label Running and Ready, not being deleted.
n_ready () {
  pods_json | jq "[.items[] | select(.metadata.labels.app == \"$1\") | select(.metadata.deletionTimestamp == null)
    | select(.status.phase == \"Running\") | select(any(.status.conditions[]?; .type == \"Ready\" and .status == \"True\"))] | length"
}

ready_is () {
  [ "$(n_ready "$1")" -eq "$2" ]
}

# jget KIND NAME FILTER: a jq FILTER over `kubesim get KIND NAME -o json` (raw output).
jget () {
  kubesim get "$1" "$2" -o json | jq -r "$3"
}

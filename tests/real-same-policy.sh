#!/bin/sh
# Same policies, both worlds: the pods of examples/real/placement-pods.yaml, scheduled with the
# same KubeSchedulerConfiguration and seed, land on the same nodes in a simulation
# (examples/real/placement.yaml) and on a real 2-node cluster — with LeastAllocated spreading and
# with MostAllocated packing.  The real cluster runs in private network and mount namespaces.
. "$TOP_SRCDIR/tests/lib.sh"

if [ -z "${KS_SAME_POLICY_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || skip "needs root (runc containers, cgroups, pod network)"
  command -v runc >/dev/null 2>&1 || skip "runc is not installed (scripts/deps installs it)"
  command -v ip >/dev/null 2>&1 || skip "ip is not installed (iproute2; scripts/deps installs it)"
  [ -x /bin/busybox ] || skip "/bin/busybox is missing (Debian package busybox-static)"
  command -v jq >/dev/null 2>&1 || skip "jq is not installed (scripts/deps installs it)"
  command -v unshare >/dev/null 2>&1 || skip "unshare is missing (util-linux)"
  unshare --net --mount true 2>/dev/null || skip "cannot make network and mount namespaces here"
  KS_TEST_CGROUP="kubesim-policy-test-$$"
  export KS_TEST_CGROUP
  KS_SAME_POLICY_INNER=1 unshare --net --mount sh "$0"
  expect_eq "the test in private namespaces exits 0" $? 0
  for d in /sys/fs/cgroup/"$KS_TEST_CGROUP" /sys/fs/cgroup/*/"$KS_TEST_CGROUP"; do
    [ -e "$d" ] && fail "cgroup $d is left" && find "$d" -depth -type d -exec rmdir {} \;
  done
  finish
fi

mount --make-rprivate / || exit 1
mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns || exit 1
ip link set lo up
port=$((20000 + $$ % 20000))
trap 'KUBESIM_DATA_DIR="$TMP/data" kubesim cluster down >/dev/null 2>&1; rm -rf "$TMP"' EXIT
examples="$TOP_SRCDIR/examples"
seed=7

for policy in least-allocated most-allocated; do
  config="$examples/policies/$policy.yaml"
  # Sim: the scenario with this policy.
  mkdir -p "$TMP/$policy"
  cp "$examples/real/placement-pods.yaml" "$TMP/$policy/"
  sed "s|^objects:|scheduler: {file: $config}\nobjects:|" "$examples/real/placement.yaml" \
    >"$TMP/$policy/placement.yaml"
  kubesim run -q --seed "$seed" --out "$TMP/$policy/out" "$TMP/$policy/placement.yaml"
  expect_eq "$policy: the simulation runs" $? 0
  sed -n 's/.*"event":"Scheduled".*"name":"default\/\([^"]*\)","node":"\([^"]*\)".*/\1 \2/p' \
    "$TMP/$policy/out/events.jsonl" | sort >"$TMP/$policy/sim"
  expect_eq "$policy: sim places the six pods" "$(wc -l <"$TMP/$policy/sim")" 6

  # Real: a cluster with the nodes the scenario describes, the same policy and seed.
  KUBESIM_DATA_DIR="$TMP/data"
  export KUBESIM_DATA_DIR
  kubesim cluster up --nodes 2 --node-cpu 2 --node-memory 2Gi --port "$port" \
    --cgroup-parent "$KS_TEST_CGROUP" --config "$config" \
    --control-plane-arg=--seed="$seed" >"$TMP/$policy/up" 2>&1
  expect_eq "$policy: cluster up exits 0" $? 0
  kubesim apply -f "$examples/real/placement-pods.yaml" >/dev/null
  expect_eq "$policy: apply exits 0" $? 0
  bound () {
    [ "$(kubesim get pods -o json | jq '[.items[] | select(.spec.nodeName != null)] | length')" -eq 6 ]
  }
  i=0
  while ! bound && [ "$i" -lt 150 ]; do sleep 0.2; i=$((i + 1)); done
  kubesim get pods -o json | jq -r '.items[] | .metadata.name + " " + (.spec.nodeName // "-")' \
    | sort >"$TMP/$policy/real"
  if cmp -s "$TMP/$policy/sim" "$TMP/$policy/real"; then
    ok "$policy: every pod is on the same node in sim and on the real cluster"
  else
    fail "$policy: placements differ (sim, then real):"
    paste "$TMP/$policy/sim" "$TMP/$policy/real" >&2
  fi
  kubesim cluster down --purge >"$TMP/$policy/down" 2>&1
  status=$?
  expect_eq "$policy: cluster down exits 0" $status 0
  [ "$status" -eq 0 ] || cat "$TMP/$policy/down" >&2
done
# The two policies place differently (else the comparison would show little).
cmp -s "$TMP/least-allocated/sim" "$TMP/most-allocated/sim" \
  && fail "spreading and packing gave the same placement" \
  || ok "spreading and packing place the pods differently"
finish

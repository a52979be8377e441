#!/bin/sh
# A KubeSchedulerConfiguration everywhere kubesim takes one: a scenario's `scheduler:`,
# `kubesim run --config` (which replaces it), and real mode's `kubesim control-plane --config`
# (unprivileged: a control plane on a free port, Nodes created through the API, no node agents).
# The configuration is examples/policies/profiles.yaml: the default profile and "bin-packer"
# (RequestedToCapacityRatio).  The pods exercise profiles by schedulerName, ImageLocality,
# NodePorts and bin-packing.
. "$TOP_SRCDIR/tests/lib.sh"

profiles="$TOP_SRCDIR/examples/policies/profiles.yaml"
cd "$TMP" || exit 1

cat >nodes.yaml <<'EOF'
apiVersion: v1
kind: Node
metadata: {name: node-0}
status: {capacity: {cpu: "4", memory: 8Gi}}
---
apiVersion: v1
kind: Node
metadata: {name: node-1}
status: {capacity: {cpu: "4", memory: 8Gi}}
---
apiVersion: v1
kind: Node
metadata: {name: node-2}
status:
  capacity: {cpu: "4", memory: 8Gi}
  images: [{names: ["registry.example/app:1"], sizeBytes: 838860800}]
EOF
{
  printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: app}\n'
  printf 'spec: {containers: [{name: c, image: "registry.example/app:1"}]}\n'
  for i in 0 1 2; do
    printf -- '---\napiVersion: v1\nkind: Pod\nmetadata: {name: pack-%s}\n' "$i"
    printf 'spec: {schedulerName: bin-packer, containers: [{name: c, image: busybox, '
    printf 'resources: {requests: {cpu: "1", memory: 1Gi}}}]}\n'
  done
  for i in 0 1 2 3; do
    printf -- '---\napiVersion: v1\nkind: Pod\nmetadata: {name: port-%s}\n' "$i"
    printf 'spec: {containers: [{name: c, image: busybox, ports: [{containerPort: 80, '
    printf 'hostPort: 8080}]}]}\n'
  done
} >pods.yaml
cat >scenario.yaml <<EOF
kind: Scenario
duration: 1m
cluster: {nodeFiles: [nodes.yaml]}
scheduler: {file: $profiles}
objects: [{file: pods.yaml}]
EOF

# "pod node source" for each Scheduled event of events.jsonl $1
placements () {
  sed -n 's/.*"event":"Scheduled".*"name":"default\/\([^"]*\)","node":"\([^"]*\)".*"source":"\([^"]*\)".*/\1 \2 \3/p' "$1"
}

# The scenario's own configuration.
kubesim run -q --out out scenario.yaml >run.log 2>&1
expect_eq "the scenario runs" $? 0
placements out/events.jsonl >placed
# ImageLocality: the nodes are alike but node-2 holds the app's image (800Mi on 1 of 3 nodes).
expect_grep "app goes to the node holding its image" "^app node-2 default-scheduler$" placed
expect_eq "bin-packer schedules its three pods" "$(grep -c ' bin-packer$' placed)" 3
expect_eq "bin-packer puts them on one node" \
  "$(grep ' bin-packer$' placed | cut -d' ' -f2 | sort -u | wc -l)" 1
# NodePorts: three nodes, one hostPort 8080 each.
expect_eq "three pods with hostPort 8080 fit" "$(grep -c '^port-' placed)" 3
expect_eq "on three different nodes" "$(grep '^port-' placed | cut -d' ' -f2 | sort -u | wc -l)" 3
expect_grep "the fourth does not, and the message says why" \
  '"name":"default/port-3","message":"0/3 nodes are available: 3 node(s) didn.t have free ports for the requested pod ports\.' \
  out/events.jsonl

# --config replaces the scenario's configuration: without a bin-packer profile nobody schedules
# the bin-packer pods (kube-scheduler leaves pods of unknown schedulers alone).
kubesim run -q --config "$TOP_SRCDIR/examples/policies/most-allocated.yaml" --out out2 \
  scenario.yaml >run2.log 2>&1
expect_eq "run --config runs" $? 0
placements out2/events.jsonl >placed2
expect_eq "no bin-packer pod is scheduled" "$(grep -c '^pack-' placed2)" 0
expect_grep "the default profile still schedules" "^app node-2 default-scheduler$" placed2

# A bad --config: every problem with its place, exit 2, nothing run.
cat >bad.yaml <<'EOF'
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - pluginConfig:
      - name: NodeResourcesFit
        args: {scoringStrategy: {type: RequestedToCapacityRatio}}
EOF
kubesim run --config bad.yaml --out out3 scenario.yaml >bad.log 2>&1
expect_eq "a bad --config exits 2" $? 2
expect_grep "its problem is named with file, line and field" \
  "^bad.yaml:6:33: profiles\[0\].pluginConfig\[0\].args.scoringStrategy.requestedToCapacityRatio: required with type RequestedToCapacityRatio" \
  bad.log
expect_grep "and nothing was run" "kubesim run: --config: bad.yaml: nothing was run" bad.log
[ -e out3 ] && fail "a bad --config wrote outputs" || ok "a bad --config writes nothing"
kubesim control-plane --port 0 --data-dir "$TMP/bad-data" --config bad.yaml >cpbad.log 2>&1
expect_eq "control-plane with a bad --config exits 2" $? 2
expect_grep "control-plane names the problem" \
  "^kubesim control-plane: bad.yaml:6:33: profiles\[0\].pluginConfig\[0\].args" cpbad.log

# Real mode: the control plane with the same configuration.  Its pods stay Pending (no node
# agents), but they are bound.  Not under valgrind (the control plane is not under test here).
"$KUBESIM" control-plane --port 0 --data-dir "$TMP/data" --config "$profiles" >cp.log 2>&1 &
CP_PID=$!
trap 'kill "$CP_PID" 2>/dev/null; wait "$CP_PID" 2>/dev/null; rm -rf "$TMP"' EXIT
i=0
while ! grep -q "serving http" cp.log; do
  i=$((i + 1))
  if [ "$i" -gt 100 ] || ! kill -0 "$CP_PID" 2>/dev/null; then
    cat cp.log >&2
    fail "the control plane did not start"
    finish
  fi
  sleep 0.1
done
URL=$(sed -n 's/.*serving \(http:[^ ]*\).*/\1/p' cp.log)
kubesim apply --server "$URL" -f nodes.yaml >/dev/null
expect_eq "real: the nodes are created" $? 0
kubesim apply --server "$URL" -f pods.yaml >/dev/null
expect_eq "real: the pods are created" $? 0
bound () {
  kubesim get pods --server "$URL" -o wide >wide 2>&1
  [ "$(awk 'NR > 1 && $7 ~ /^node-/' wide | wc -l)" -eq 7 ]
}
i=0
while ! bound && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
awk 'NR > 1 { print $1, $7 }' wide >real
expect_grep "real: app goes to the node holding its image" "^app node-2$" real
expect_eq "real: bin-packer puts its pods on one node" \
  "$(grep '^pack-' real | cut -d' ' -f2 | sort -u | wc -l)" 1
expect_eq "real: three hostPort pods are bound" "$(grep -c '^port-[0-9] node-' real)" 3
expect_eq "real: the fourth is not" "$(grep -c '^port-[0-9] <none>' real)" 1
finish

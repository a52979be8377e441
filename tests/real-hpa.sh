#!/bin/sh
# Real mode: the HPA controller on cgroup-measured usage, on a 1-node cluster in private network
# and mount namespaces (metrics scraped every 2 s, HPAs synced every 3 s).  A Deployment whose
# busybox containers spin for their first 20 s (then sleep) is autoscaled on cpu (50 % of a 100m
# request): it scales up to its max of 3 while they spin, then back down to 1 once they all
# sleep (behavior: no scale-down window).  kubesim get hpa shows the measured utilization.  Then
# the same Deployment under the example module's target-tracking policy (the control plane's
# --policy-path): it goes to its max at once, with the policy's reason.  Nothing is left
# afterwards.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/real-lib.sh"
: "${KS_EXAMPLE_AUTOSCALER_MODULE:?run through make check}"
real_enter hpa
mods="$TMP/modules"
mkdir -p "$mods"
ln -s "$KS_EXAMPLE_AUTOSCALER_MODULE" "$mods/target-tracking.so"

cat >"$TMP/busy.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: busy}
spec:
  replicas: 1
  selector: {matchLabels: {app: busy}}
  template:
    metadata: {labels: {app: busy}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: c
          image: busybox
          command: [sh, -c, 'timeout 20 sh -c "while :; do :; done"; exec sleep 3600']
          resources: {requests: {cpu: 100m, memory: 32Mi}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: busy}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: busy}
  minReplicas: 1
  maxReplicas: 3
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
  behavior:
    scaleDown: {stabilizationWindowSeconds: 0}
YAML

real_up 1 --control-plane-arg=--metric-resolution=2s \
  --control-plane-arg=--horizontal-pod-autoscaler-sync-period=3s \
  "--control-plane-arg=--policy-path=$mods"
kubesim apply -f "$TMP/busy.yaml" >"$TMP/apply" 2>&1
expect_eq "apply exits 0" $? 0

replicas_are () {
  [ "$(jget deployment busy '.spec.replicas')" = "$1" ]
}
utilization_above () {
  u=$(jget hpa busy '.status.currentMetrics[0].resource.current.averageUtilization // 0')
  [ "$u" -gt "$1" ]
}
wait_for "the spinning pod's utilization is measured (above 100 %)" 60 utilization_above 100
kubesim get hpa >"$TMP/get"
expect_grep "get hpa shows the measured utilization" '^busy  *Deployment/busy  *cpu: [0-9][0-9]*%/50%  *1  *3 ' "$TMP/get"
wait_for "scaled up to the max, 3" 60 replicas_are 3
expect_eq "ScalingLimited: the max binds" \
  "$(jget hpa busy '.status.conditions[] | select(.type == "ScalingLimited") | .reason')" \
  "TooManyReplicas"
wait_for "scaled back down to 1 once the pods sleep" 90 replicas_are 1
kubesim get events >"$TMP/events" 2>&1
expect_grep "a SuccessfulRescale up" 'SuccessfulRescale.*New size: [23]; reason: cpu resource utilization (percentage of request) above target' "$TMP/events"
expect_grep "a SuccessfulRescale down" 'SuccessfulRescale.*New size: 1; reason: All metrics below target' "$TMP/events"
kubesim delete -f "$TMP/busy.yaml" >/dev/null 2>&1
expect_eq "delete exits 0" $? 0

# The module's policy on the real cluster: the spinning pod is many times the 50 % target, so
# ceil(1 × ratio) is above the max at the first reading: 1 → 3 in one step.
sed -e 's/name: busy/name: tt/g' -e 's/app: busy/app: tt/g' "$TMP/busy.yaml" | awk '
  /^kind: HorizontalPodAutoscaler$/ { hpa = 1 }
  hpa && /^metadata: {name: tt}$/ { print "metadata: {name: tt, annotations: {kubesim.io/autoscaler-policy: target-tracking}}"; next }
  { print }' >"$TMP/tt.yaml"
kubesim apply -f "$TMP/tt.yaml" >"$TMP/apply" 2>&1
expect_eq "apply the target-tracking HPA" $? 0
tt_replicas_are () { [ "$(jget deployment tt '.spec.replicas')" = "$1" ]; }
wait_for "target tracking scales to the max, 3" 60 tt_replicas_are 3
kubesim get events >"$TMP/events" 2>&1
expect_grep "its SuccessfulRescale has the policy's reason" \
  'SuccessfulRescale.*New size: 3; reason: target tracking: cpu resource utilization (percentage of request) at [0-9]*% of target' "$TMP/events"
expect_eq "one step: 1 → 3" "$(grep -c 'SuccessfulRescale  *horizontalpodautoscaler/tt ' "$TMP/events")" 1
kubesim delete -f "$TMP/tt.yaml" >/dev/null 2>&1
expect_eq "delete exits 0" $? 0
finish

#!/bin/sh
# The HPA through the real-mode API (no root needed): `kubesim control-plane` without nodes (pods
# stay Pending, so no metrics), HPAs synced every second, the example autoscaler module on
# --policy-path.  `kubesim autoscale` posts autoscaling/v1 as kubectl v1.32 does and the server
# stores v2; curl reads both versions.  An annotation naming no policy makes ScalingActive False
# (InvalidAutoscalerPolicy) with a Warning event; the module's policy is known; two HPAs on one
# Deployment are AmbiguousSelector with Kubernetes' message; status.observedGeneration follows
# metadata.generation.
. "$TOP_SRCDIR/tests/lib.sh"

: "${KS_EXAMPLE_AUTOSCALER_MODULE:?run through make check}"
command -v curl >/dev/null 2>&1 || { echo "SKIP: curl is not installed (scripts/deps)"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq is not installed (scripts/deps)"; exit 77; }
mods="$TMP/modules"
mkdir -p "$mods"
ln -s "$KS_EXAMPLE_AUTOSCALER_MODULE" "$mods/target-tracking.so"

D="$TMP/data"
mkdir -p "$D"
"$KUBESIM" control-plane --port 0 --data-dir "$D" --policy-path "$mods" \
  --horizontal-pod-autoscaler-sync-period=1s >"$TMP/cp.log" 2>&1 &
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
HPAS="$URL/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers"

# until SECONDS COMMAND...: run COMMAND every 0.1 s until it succeeds; FALSE after SECONDS.
until_ok () {
  n=$(($1 * 10))
  shift
  while ! "$@" >/dev/null 2>&1; do
    n=$((n - 1))
    [ "$n" -le 0 ] && return 1
    sleep 0.1
  done
}
hpa_json () { kubesim get hpa "$1" --server "$URL" -o json; }
# The reason of an HPA's ScalingActive condition.
active_reason () { hpa_json "$1" | jq -r '.status.conditions[]? | select(.type == "ScalingActive") | .reason'; }
active_is () { [ "$(active_reason "$1")" = "$2" ]; }

for d in web api tt; do
  cat <<Y
apiVersion: apps/v1
kind: Deployment
metadata: {name: $d}
spec:
  replicas: 1
  selector: {matchLabels: {app: $d}}
  template:
    metadata: {labels: {app: $d}}
    spec:
      containers: [{name: c, image: busybox, resources: {requests: {cpu: 100m}}}]
---
Y
done >"$TMP/deps.yaml"
kubesim apply --server "$URL" -f "$TMP/deps.yaml" >"$TMP/out" 2>&1
expect_eq "apply the Deployments" $? 0

# ---- autoscaling/v1: kubectl autoscale's object, stored as v2 ----
curl -s "$URL/apis/autoscaling" >"$TMP/group"
expect_eq "discovery: v2 preferred" "$(jq -r .preferredVersion.groupVersion "$TMP/group")" autoscaling/v2
expect_eq "discovery: v1 served too" "$(jq -r '.versions[1].groupVersion' "$TMP/group")" autoscaling/v1
kubesim autoscale deployment web --max 4 --cpu-percent 50 --server "$URL" >"$TMP/out" 2>&1
expect_eq "autoscale" "$(cat "$TMP/out")" "horizontalpodautoscaler.autoscaling/web autoscaled"
curl -s "$HPAS/web" >"$TMP/v1"
expect_eq "GET v1: apiVersion" "$(jq -r .apiVersion "$TMP/v1")" autoscaling/v1
expect_eq "GET v1: targetCPUUtilizationPercentage" "$(jq -r .spec.targetCPUUtilizationPercentage "$TMP/v1")" 50
hpa_json web >"$TMP/v2"
expect_eq "stored as v2" "$(jq -r .apiVersion "$TMP/v2")" autoscaling/v2
expect_eq "one cpu Utilization metric at 50 %" \
  "$(jq -r '.spec.metrics | map("\(.type)/\(.resource.name)/\(.resource.target.type)/\(.resource.target.averageUtilization)") | join(",")' "$TMP/v2")" \
  Resource/cpu/Utilization/50
curl -s -X POST -H 'Content-Type: application/json' "$HPAS" -d \
  '{"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"tt","annotations":{"kubesim.io/autoscaler-policy":"target-tracking"}},"spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"tt"},"maxReplicas":3}}' \
  >"$TMP/post"
expect_eq "POST v1: default cpu target" "$(jq -r .spec.targetCPUUtilizationPercentage "$TMP/post")" 80

# ---- policies in real mode ----
cat >"$TMP/bogus.yaml" <<'Y'
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api
  annotations: {kubesim.io/autoscaler-policy: bogus}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  maxReplicas: 3
Y
kubesim apply --server "$URL" -f "$TMP/bogus.yaml" >"$TMP/out" 2>&1
expect_eq "an unknown policy name is accepted by the API (annotations are free-form)" $? 0
until_ok 20 active_is api InvalidAutoscalerPolicy || fail "ScalingActive of api: $(active_reason api)"
expect_eq "ScalingActive False" \
  "$(hpa_json api | jq -r '.status.conditions[] | select(.type == "ScalingActive") | .status')" False
expect_eq "its message lists the valid names (the module's too)" \
  "$(hpa_json api | jq -r '.status.conditions[] | select(.type == "ScalingActive") | .message')" \
  'unknown autoscaler policy "bogus" in annotation kubesim.io/autoscaler-policy (valid: kubernetes, predictive, step, target-tracking)'
kubesim get events --server "$URL" >"$TMP/events" 2>&1
expect_grep "a Warning event says why" 'Warning  *InvalidAutoscalerPolicy  *horizontalpodautoscaler/api  *unknown autoscaler policy "bogus"' "$TMP/events"
# The module's policy is known: tt fails only for want of metrics (no nodes, no pods running).
until_ok 20 active_is tt FailedGetResourceMetric || fail "ScalingActive of tt: $(active_reason tt)"

# ---- AmbiguousSelector and observedGeneration ----
until_ok 20 active_is web FailedGetResourceMetric || fail "ScalingActive of web: $(active_reason web)"
expect_eq "observedGeneration 1" "$(hpa_json web | jq -r .status.observedGeneration)" 1
kubesim autoscale deployment web --max 5 --name web2 --server "$URL" >"$TMP/out" 2>&1
expect_eq "a second HPA on web" "$(cat "$TMP/out")" "horizontalpodautoscaler.autoscaling/web2 autoscaled"
until_ok 20 active_is web AmbiguousSelector || fail "ScalingActive of web: $(active_reason web)"
until_ok 20 active_is web2 AmbiguousSelector || fail "ScalingActive of web2: $(active_reason web2)"
expect_eq "Kubernetes' message" \
  "$(hpa_json web | jq -r '.status.conditions[] | select(.type == "ScalingActive") | .message')" \
  'pods by selector app=web are controlled by multiple HPAs: [default/web default/web2]'
curl -s -X PATCH -H 'Content-Type: application/merge-patch+json' "$HPAS/web" -d '{"spec":{"maxReplicas":6}}' >"$TMP/patched"
expect_eq "PATCH through v1" "$(jq -r .spec.maxReplicas "$TMP/patched")" 6
expect_eq "generation 2" "$(hpa_json web | jq -r .metadata.generation)" 2
gen_observed () { [ "$(hpa_json web | jq -r .status.observedGeneration)" = 2 ]; }
until_ok 20 gen_observed || fail "observedGeneration stays $(hpa_json web | jq -r .status.observedGeneration)"
kubesim delete hpa web2 --server "$URL" >/dev/null 2>&1
until_ok 20 active_is web FailedGetResourceMetric || fail "web after web2 is gone: $(active_reason web)"
ok "web is no longer ambiguous once web2 is deleted"
finish

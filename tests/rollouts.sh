#!/bin/sh
# summary.json's deployments section in whole runs: rollout start and end, the surge and
# unavailability observed, revisions, rollouts superseded by a newer revision, Deployments never
# updated.  The expected values are computed by hand from reference §3.4 (see
# tests/test-deployment.c, test_rolling_steps, for the 10-replica steps).
. "$TOP_SRCDIR/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip "jq is not installed (scripts/deps installs it)"

# dep SUMMARY FILTER: a jq filter over the deployment default/web, compact.
dep () {
  jq -c ".deployments[\"default/web\"] | $2" "$1"
}

# examples/rolling-update.yaml: 10 replicas, maxSurge 3, maxUnavailable 2, pods Ready 2 s after
# they start.  Rollout to revision 2 at 30 s: (3,10) (3,8) (5,8) at 30 s, (5,3) (10,3) at 32 s,
# (10,0) at 34 s, complete.  The rollback at 90 s (revision 3) takes the same steps.  At most
# 13 pods (surge 3) and at least 8 available (unavailable 2).
kubesim run -q --out "$TMP/a" "$TOP_SRCDIR/examples/rolling-update.yaml" || fail "run rolling-update"
s="$TMP/a/summary.json"
expect_eq "rolling-update: revision" "$(dep "$s" .revision)" 3
expect_eq "rolling-update: rollouts" "$(dep "$s" .rollouts)" 2
expect_eq "rolling-update: history" "$(dep "$s" .rollout_history)" \
  '[{"revision":2,"start_s":30,"end_s":34},{"revision":3,"start_s":90,"end_s":94}]'
expect_eq "rolling-update: max surge" "$(dep "$s" .max_surge)" 3
expect_eq "rolling-update: max unavailable" "$(dep "$s" .max_unavailable)" 2

# tests/golden/rollout.yaml: 3 replicas, maxSurge 1, maxUnavailable 0 (the 25% defaults), Ready
# 3 s after the start, v2 at 30 s: new pods at 30, 33 and 36 s, each Ready 3 s later, the last
# old pod scaled away at 39 s.  Old pods terminating (10 s grace) do not count, as in
# status.replicas.  Then the Deployment is deleted: it stays in the summary.
kubesim run -q --out "$TMP/b" "$TOP_SRCDIR/tests/golden/rollout.yaml" || fail "run rollout"
s="$TMP/b/summary.json"
expect_eq "rollout: history" "$(dep "$s" .rollout_history)" '[{"revision":2,"start_s":30,"end_s":39}]'
expect_eq "rollout: max surge" "$(dep "$s" .max_surge)" 1
expect_eq "rollout: max unavailable" "$(dep "$s" .max_unavailable)" 0

# A rollout superseded before it completes has no end; a Deployment never updated has no
# rollout.  v1 (3 replicas, Ready after 10 s), v2 at 30 s (one new pod, not yet Ready), v3 at
# 35 s: the unready v2 pod is scaled away first, and v3 goes one pod at a time, each Ready 10 s
# later: old v1 pods go at 45, 55 and 65 s.
web () {
  printf '{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {replicas: 3, selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {terminationGracePeriodSeconds: 0, containers: [{name: web, image: "app:%s"}]}}}}' "$1"
}
cat >"$TMP/s.yaml" <<EOS
kind: Scenario
duration: 2m
kubelet: {startup: 10s}
cluster:
  nodes:
    - {name: node, count: 2, capacity: {cpu: "8", memory: 16Gi}}
objects:
  - $(web 1)
  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: other}, spec: {replicas: 2, selector: {matchLabels: {app: other}}, template: {metadata: {labels: {app: other}}, spec: {containers: [{name: c, image: busybox}]}}}}
events:
  - {at: 30s, apply: $(web 2)}
  - {at: 35s, apply: $(web 3)}
EOS
kubesim run -q --out "$TMP/c" "$TMP/s.yaml" || fail "run superseded"
s="$TMP/c/summary.json"
expect_eq "superseded: history" "$(dep "$s" .rollout_history)" \
  '[{"revision":2,"start_s":30,"end_s":null},{"revision":3,"start_s":35,"end_s":65}]'
expect_eq "superseded: revision" "$(dep "$s" .revision)" 3
expect_eq "superseded: max surge" "$(dep "$s" .max_surge)" 1
expect_eq "superseded: max unavailable" "$(dep "$s" .max_unavailable)" 0
expect_eq "never updated" "$(jq -c '.deployments["default/other"]' "$s")" \
  '{"revision":1,"rollouts":0,"rollout_history":[],"max_surge":0,"max_unavailable":0}'
finish

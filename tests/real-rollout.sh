#!/bin/sh
# Real mode: a Deployment's rolling update and `kubesim rollout undo`, through the same
# controllers as sim, on a 2-node cluster in private network and mount namespaces.  A 3-replica
# Deployment (maxSurge 1, maxUnavailable 0) behind a ClusterIP Service changes its template: while
# it rolls out the ReplicaSets never ask for more than 4 pods and at least 3 are Ready throughout;
# `rollout status` ends with success; the Service answers from the new pods only; the old
# ReplicaSet is scaled to 0.  `rollout undo` then brings back the first template as revision 3
# (the old ReplicaSet, reused) and the Service answers from it again.  A template whose image is
# missing, with progressDeadlineSeconds 3, makes `rollout status` fail with the deadline while the
# old pods keep serving, and `rollout undo` ends it.  A Recreate Deployment removes every old pod
# before it makes a new one.  Nothing is left afterwards.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/real-lib.sh"
real_enter rollout

# web.yaml VERSION: the Deployment and its Service; the page says the version and the pod.
web_yaml () {
  cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: httpd
          image: busybox
          env: [{name: VERSION, value: "$1"}]
          command: [sh, -c, 'mkdir -p /tmp/www && echo "\$VERSION \$(hostname)" >/tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www']
          readinessProbe: {httpGet: {path: /, port: 8080}, initialDelaySeconds: 1, periodSeconds: 1}
          resources: {requests: {cpu: 100m, memory: 16Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
YAML
}

# answers N: N requests to the Service's ClusterIP, the versions that answered, sorted, unique.
answers () {
  ip=$(jget service web .spec.clusterIP)
  for _ in $(seq "$1"); do curl -s -m 3 "http://$ip/" | cut -d' ' -f1; done | sort -u | tr '\n' ' '
}

# watch_rollout: samples, until $TMP/stop exists, the sum of the ReplicaSets' spec.replicas and
# the Ready pods not being deleted, one "sum ready" line each (straight from the API: quicker).
watch_rollout () {
  api=http://127.0.0.1:$port
  while [ ! -e "$TMP/stop" ]; do
    sum=$(curl -s "$api/apis/apps/v1/namespaces/default/replicasets" | jq '[.items[].spec.replicas] | add')
    ready=$(curl -s "$api/api/v1/namespaces/default/pods" | jq '[.items[] | select(.metadata.deletionTimestamp == null)
      | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))] | length')
    echo "$sum $ready"
    sleep 0.1
  done >"$TMP/samples"
}

real_up 2
web_yaml v1 >"$TMP/v1.yaml"
web_yaml v2 >"$TMP/v2.yaml"
kubesim apply -f "$TMP/v1.yaml" >/dev/null
expect_eq "apply v1 exits 0" $? 0
wait_for "3 pods Ready" 30 ready_is web 3
kubesim rollout status deployment/web --timeout 30s >"$TMP/status1" 2>&1
expect_eq "rollout status of v1 exits 0" $? 0
expect_eq "the Service answers v1" "$(answers 6)" "v1 "

# ---- the rolling update ----
watch_rollout &
watcher=$!
kubesim apply -f "$TMP/v2.yaml" >"$TMP/apply2" 2>&1
expect_grep "apply v2 configures the deployment" "^deployment.apps/web configured" "$TMP/apply2"
kubesim rollout status deployment/web --timeout 60s >"$TMP/status2" 2>&1
expect_eq "rollout status of v2 exits 0" $? 0
touch "$TMP/stop"
wait "$watcher"
echo "samples (ReplicaSets' sum, Ready pods): $(tr "\n" , <"$TMP/samples")"
if [ -n "${KS_VALGRIND:-}" ]; then
  # Under valgrind the command itself can take longer to start than the rollout takes.
  echo "skip: whether rollout status saw the rollout under way (it may start after the end under valgrind)"
else
  expect_grep "rollout status waits for the new pods" "^Waiting for deployment \"web\" rollout to finish" \
    "$TMP/status2"
fi
expect_grep "and ends with success" "^deployment \"web\" successfully rolled out$" "$TMP/status2"
max_sum=$(cut -d' ' -f1 "$TMP/samples" | sort -n | tail -n 1)
min_ready=$(cut -d' ' -f2 "$TMP/samples" | sort -n | head -n 1)
[ "$max_sum" -eq 4 ] && ok "the ReplicaSets asked for 4 pods at most (maxSurge 1), and did surge" \
  || fail "the ReplicaSets asked for $max_sum pods at most, expected 4 (samples in $TMP/samples)"
[ "$min_ready" -ge 3 ] && ok "at least 3 pods were Ready throughout (maxUnavailable 0)" \
  || { fail "only $min_ready pods were Ready at times"; cat "$TMP/samples" >&2; }
[ "$(wc -l <"$TMP/samples")" -ge 10 ] && ok "the rollout was sampled $(wc -l <"$TMP/samples") times" \
  || fail "the rollout was sampled only $(wc -l <"$TMP/samples") times"
expect_eq "the deployment is at revision 2" \
  "$(jget deployment web '.metadata.annotations["deployment.kubernetes.io/revision"]')" 2
kubesim get replicasets -o json | jq -r '.items[] | (.spec.template.spec.containers[0].env[0].value)
  + " " + .metadata.annotations["deployment.kubernetes.io/revision"] + " " + (.spec.replicas | tostring)' \
  | sort >"$TMP/rs2"
expect_eq "v1's ReplicaSet (revision 1) is at 0, v2's (revision 2) at 3" "$(cat "$TMP/rs2")" "v1 1 0
v2 2 3"
wait_for "3 pods Ready, none being deleted" 20 ready_is web 3
expect_eq "the Service answers v2 only" "$(answers 8)" "v2 "

# ---- rollout undo ----
kubesim rollout undo deployment/web >"$TMP/undo" 2>&1
expect_eq "rollout undo exits 0" $? 0
expect_grep "rollout undo says so" "^deployment.apps/web rolled back$" "$TMP/undo"
kubesim rollout status deployment/web --timeout 60s >"$TMP/status3" 2>&1
expect_eq "rollout status after the undo exits 0" $? 0
expect_eq "the deployment is at revision 3" \
  "$(jget deployment web '.metadata.annotations["deployment.kubernetes.io/revision"]')" 3
expect_eq "with v1's template" "$(jget deployment web '.spec.template.spec.containers[0].env[0].value')" v1
kubesim get replicasets -o json | jq -r '.items[] | (.spec.template.spec.containers[0].env[0].value)
  + " " + .metadata.annotations["deployment.kubernetes.io/revision"] + " " + (.spec.replicas | tostring)' \
  | sort >"$TMP/rs3"
expect_eq "v1's ReplicaSet is reused as revision 3 with 3 pods, v2's is at 0" "$(cat "$TMP/rs3")" "v1 3 3
v2 2 0"
wait_for "3 pods Ready, none being deleted" 20 ready_is web 3
expect_eq "the Service answers v1 only" "$(answers 8)" "v1 "

# ---- a rollout that cannot progress: the deadline, the old pods keep serving, undo ----
sed -e 's/image: busybox/image: example.com\/missing:1/' -e 's/^  replicas: 3/  replicas: 3\n  progressDeadlineSeconds: 3/' \
  "$TMP/v1.yaml" >"$TMP/broken.yaml"
kubesim apply -f "$TMP/broken.yaml" >/dev/null 2>&1
expect_eq "apply of an image that is not there exits 0" $? 0
t0=$(date +%s)
kubesim rollout status deployment/web --timeout 30s >"$TMP/status4" 2>&1
expect_eq "rollout status exits 1" $? 1
t1=$(date +%s)
expect_grep "when the deployment exceeds its progress deadline" \
  "^error: deployment \"web\" exceeded its progress deadline$" "$TMP/status4"
[ $((t1 - t0)) -ge 2 ] && [ $((t1 - t0)) -le 6 ] && ok "after about 3 s ($((t1 - t0))s)" \
  || fail "rollout status ended $((t1 - t0))s after the apply, expected about 3"
expect_eq "Progressing is False: ProgressDeadlineExceeded" \
  "$(jget deployment web '.status.conditions[] | select(.type == "Progressing") | .status + " " + .reason')" \
  "False ProgressDeadlineExceeded"
waiting=$(pods_json | jq -r '[.items[] | select(.metadata.labels.app == "web")
  | .status.containerStatuses[0].state.waiting.reason // empty] | unique | join(" ")')
case $waiting in
  *ErrImagePull* | *ImagePullBackOff*) ok "the new pod cannot pull its image ($waiting)" ;;
  *) fail "the new pod waits with \"$waiting\", not ErrImagePull or ImagePullBackOff" ;;
esac
expect_eq "the 3 old pods stay Ready (maxUnavailable 0)" "$(n_ready web)" 3
expect_eq "and the Service answers v1 only" "$(answers 8)" "v1 "
kubesim rollout undo deployment/web >"$TMP/undo2" 2>&1
expect_eq "rollout undo of the broken rollout exits 0" $? 0
kubesim rollout status deployment/web --timeout 30s >"$TMP/status5" 2>&1
expect_eq "and the deployment rolls out" $? 0
expect_eq "at revision 5, with v1's template" \
  "$(jget deployment web '.metadata.annotations["deployment.kubernetes.io/revision"] + " " + .spec.template.spec.containers[0].image')" \
  "5 busybox"
no_broken_pod () {
  [ "$(pods_json | jq '[.items[] | select(.metadata.labels.app == "web") | select(.spec.containers[0].image != "busybox")] | length')" -eq 0 ]
}
wait_for "the broken pod is gone" 15 no_broken_pod

# ---- Recreate: every old pod gone before a new one is made ----
cat >"$TMP/recreate.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: batch}
spec:
  replicas: 2
  strategy: {type: Recreate}
  selector: {matchLabels: {app: batch}}
  template:
    metadata: {labels: {app: batch}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - {name: c, image: busybox, command: [sleep, "3600"], env: [{name: VERSION, value: "1"}]}
YAML
kubesim apply -f "$TMP/recreate.yaml" >/dev/null 2>&1
wait_for "batch: 2 pods Ready" 30 ready_is batch 2
rm -f "$TMP/stop"
# Each sample: the VERSION of every batch pod that exists (terminating ones included), sorted.
batch_versions () {
  curl -s "http://127.0.0.1:$port/api/v1/namespaces/default/pods?labelSelector=app%3Dbatch" \
    | jq -r '[.items[].spec.containers[0].env[0].value] | sort | join(" ")'
}
while [ ! -e "$TMP/stop" ]; do
  batch_versions
  sleep 0.1
done >"$TMP/recreate" &
watcher=$!
sed 's/value: "1"/value: "2"/' "$TMP/recreate.yaml" | kubesim apply -f - >/dev/null 2>&1
kubesim rollout status deployment/batch --timeout 30s >/dev/null 2>&1
expect_eq "batch: the Recreate rollout finishes" $? 0
touch "$TMP/stop"
wait "$watcher"
echo "batch samples: $(uniq "$TMP/recreate" | tr '\n' ,)"
expect_eq "batch: old and new pods never existed together" "$(grep -c '1.*2' "$TMP/recreate")" 0
# The watcher's last sample may predate the end of the rollout (a sample in flight when it ended,
# on a loaded machine): the end state is read once more after the rollout.
expect_eq "batch: 2 new pods at the end" "$(batch_versions)" "2 2"

kubesim rollout undo deployment/web --to-revision 7 >"$TMP/undo7" 2>&1
expect_eq "rollout undo to a revision that does not exist exits 1" $? 1
expect_grep "and says so" "unable to find specified revision 7 in history" "$TMP/undo7"
finish

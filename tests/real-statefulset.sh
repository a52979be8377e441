#!/bin/sh
# Real mode: a StatefulSet through the same controller as sim, on a 2-node cluster in private
# network and mount namespaces.  3 replicas, OrderedReady, governed by a headless Service: pods
# web-0, web-1, web-2 start one at a time (sampled: the pods that exist are always web-0..k with
# all but the last Ready), each container's hostname is its pod's name and its /etc/hosts names it
# web-i.web.default.svc.cluster.local, as the kubelet writes it; the headless Service has no
# ClusterIP and its Endpoints carry the hostnames; a deleted pod comes back with the same name and
# hostname; a new template rolls out from web-2 down to web-0, one pod at a time, followed by
# `rollout status statefulset/web`; with partition 2 only web-2 is updated; scaling to 1 removes
# web-2 before web-1; a Parallel set makes its pods at once.  Nothing is left afterwards.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/real-lib.sh"
real_enter statefulset

cp "$TOP_SRCDIR/examples/real/statefulset.yaml" "$TMP/sts.yaml"

api=http://127.0.0.1:$port
# sample: one line, the set's pods that exist (not being deleted) in name order, each with R when
# Ready: "web-0R web-1".
sample () {
  curl -s "$api/api/v1/namespaces/default/pods?labelSelector=app%3Dweb" | jq -r '[.items[]
    | select(.metadata.deletionTimestamp == null) | .metadata.name
      + (if any(.status.conditions[]?; .type == "Ready" and .status == "True") then "R" else "" end)]
    | join(" ")'
}
watch_pods () {
  while [ ! -e "$TMP/stop" ]; do
    sample
    sleep 0.1
  done >"$TMP/$1"
}

real_up 2
watch_pods start &
watcher=$!
kubesim apply -f "$TMP/sts.yaml" >"$TMP/apply" 2>&1
expect_eq "apply exits 0" $? 0
expect_grep "the statefulset is created" "^statefulset.apps/web created" "$TMP/apply"
wait_for "3 pods Ready" 40 ready_is web 3
touch "$TMP/stop"
wait "$watcher"
rm "$TMP/stop"
echo "samples: $(uniq "$TMP/start" | tr '\n' ,)"
# Every sample: web-0..web-k, each but the last Ready.
bad=$(grep -v -x -E '(web-0R)?|web-0R? *|web-0R web-1R?|web-0R web-1R web-2R?' "$TMP/start")
expect_eq "pods started one at a time, in order, each after the one before was Ready" "$bad" ""
for stage in 'web-0' 'web-0R web-1' 'web-0R web-1R web-2'; do
  grep -q -x "$stage" "$TMP/start" && ok "seen starting: $stage" || fail "never seen: $stage"
done

for i in 0 1 2; do
  kubesim logs "web-$i" >"$TMP/log-$i" 2>&1
  expect_eq "web-$i's hostname is its name" "$(head -n 1 "$TMP/log-$i")" "web-$i"
  ip=$(jget pod "web-$i" .status.podIP)
  expect_grep "web-$i's /etc/hosts names it web-$i.web.default.svc.cluster.local" \
    "^$ip	web-$i\.web\.default\.svc\.cluster\.local	web-$i$" "$TMP/log-$i"
  node=$(jget pod "web-$i" .spec.nodeName)
  expect_grep "web-$i's downward API env: its name, IP and node" "^pod web-$i at $ip on $node$" "$TMP/log-$i"
  expect_eq "web-$i's spec has hostname and subdomain" \
    "$(jget pod "web-$i" '.spec.hostname + " " + .spec.subdomain')" "web-$i web"
  expect_eq "its page, at its IP, says its hostname" "$(curl -s -m 3 "http://$ip:8080/")" "web-$i"
done
expect_eq "the headless Service has no ClusterIP" "$(jget service web .spec.clusterIP)" None
expect_eq "its Endpoints name the pods' hostnames" \
  "$(jget endpoints web '[.subsets[].addresses[].hostname] | sort | join(" ")')" "web-0 web-1 web-2"
expect_eq "so does its EndpointSlice, every endpoint ready" \
  "$(curl -s "$api/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb" \
    | jq -r '[.items[].endpoints[] | .hostname + ":" + (.conditions.ready | tostring)] | sort | join(" ")')" \
  "web-0:true web-1:true web-2:true"

# ---- a deleted pod comes back with its name and hostname ----
uid=$(jget pod web-1 .metadata.uid)
kubesim delete pod web-1 >/dev/null 2>&1
expect_eq "delete web-1 exits 0" $? 0
new_web1 () {
  u=$(jget pod web-1 .metadata.uid) && [ -n "$u" ] && [ "$u" != "$uid" ] && ready_is web 3
}
wait_for "web-1 is created again (a new UID) and Ready" 30 new_web1
kubesim logs web-1 >"$TMP/log-1b" 2>&1
expect_eq "the new web-1's hostname is web-1" "$(head -n 1 "$TMP/log-1b")" web-1

# ---- a rolling update: the highest ordinal first, one at a time ----
old_rev=$(jget statefulset web .status.currentRevision)
sed 's/value: "1"/value: "2"/' "$TMP/sts.yaml" >"$TMP/sts2.yaml"
# update_sample: each pod that exists, R when Ready, then :o at the old revision, :n otherwise.
update_sample () {
  curl -s "$api/api/v1/namespaces/default/pods?labelSelector=app%3Dweb" | jq -r --arg old "$old_rev" '[.items[]
    | select(.metadata.deletionTimestamp == null) | .metadata.name
      + (if any(.status.conditions[]?; .type == "Ready" and .status == "True") then "R" else "" end)
      + (if .metadata.labels["controller-revision-hash"] == $old then ":o" else ":n" end)]
    | join(" ")'
}
while [ ! -e "$TMP/stop" ]; do update_sample; sleep 0.1; done >"$TMP/update" &
watcher=$!
kubesim apply -f "$TMP/sts2.yaml" >/dev/null 2>&1
expect_eq "apply of the new template exits 0" $? 0
kubesim rollout status statefulset/web --timeout 60s >"$TMP/rollout" 2>&1
expect_eq "rollout status statefulset exits 0" $? 0
touch "$TMP/stop"
wait "$watcher"
rm "$TMP/stop"
echo "samples: $(uniq "$TMP/update" | tr '\n' ,)"
expect_eq "rollout status ends as kubectl's" "$(tail -n 1 "$TMP/rollout")" \
  "partitioned roll out complete: 3 new pods have been updated..."
if [ -n "${KS_VALGRIND:-}" ]; then
  # Under valgrind the command itself can take longer to start than the update takes.
  echo "skip: whether rollout status saw the update under way (it may start after the end under valgrind)"
else
  expect_grep "and waited for the update" "^Waiting for partitioned roll out to finish: [0-2] out of 3 new pods" \
    "$TMP/rollout"
fi
new_rev=$(jget statefulset web .status.updateRevision)
[ "$new_rev" != "$old_rev" ] && ok "a new revision ($old_rev -> $new_rev)" || fail "the revision did not change"
expect_eq "current and update revisions agree, 3 updated" \
  "$(jget statefulset web '.status.currentRevision + " " + (.status.updatedReplicas | tostring)')" "$new_rev 3"
# The first sample where each pod is at the new revision: web-2, then web-1, then web-0.
first_new () {
  grep -n "$1R\{0,1\}:n" "$TMP/update" | head -n 1 | cut -d: -f1
}
n2=$(first_new web-2) n1=$(first_new web-1) n0=$(first_new web-0)
[ -n "$n2" ] && [ -n "$n1" ] && [ -n "$n0" ] && [ "$n2" -lt "$n1" ] && [ "$n1" -lt "$n0" ] \
  && ok "pods updated from the highest ordinal down (samples $n2, $n1, $n0)" \
  || fail "pods updated in another order (first new: web-2 $n2, web-1 $n1, web-0 $n0)"
expect_eq "at most one pod missing or not Ready at any time" \
  "$(awk '{ r = gsub(/R:/, ""); if (r < 2) print }' "$TMP/update" | head -n 1)" ""
for i in 0 1 2; do
  expect_eq "web-$i runs the new template" \
    "$(jget pod "web-$i" '.spec.containers[0].env[0].value')" 2
done

# ---- a partition: only the ordinals at or above it are updated ----
sed -e 's/value: "1"/value: "3"/' -e 's/^  replicas: 3/  replicas: 3\n  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}/' \
  "$TMP/sts.yaml" >"$TMP/sts3.yaml"
kubesim apply -f "$TMP/sts3.yaml" >/dev/null 2>&1
expect_eq "apply with partition 2 exits 0" $? 0
kubesim rollout status statefulset/web --timeout 60s >"$TMP/rollout3" 2>&1
expect_eq "rollout status with a partition exits 0" $? 0
expect_eq "it says the partitioned roll out is complete" "$(tail -n 1 "$TMP/rollout3")" \
  "partitioned roll out complete: 1 new pods have been updated..."
expect_eq "web-2 is updated, web-0 and web-1 are not" \
  "$(for i in 0 1 2; do jget pod "web-$i" '.spec.containers[0].env[0].value'; done | tr '\n' ' ')" "2 2 3 "

# ---- scaling down removes the highest ordinal first ----
watch_pods down &
watcher=$!
kubesim scale statefulset web --replicas 1 >"$TMP/scale" 2>&1
expect_eq "scale statefulset exits 0" $? 0
expect_grep "scale says so" "^statefulset.apps/web scaled$" "$TMP/scale"
only_web0 () {
  [ "$(sample)" = "web-0R" ] && [ "$(jget statefulset web .status.replicas)" = 1 ]
}
wait_for "only web-0 is left" 30 only_web0
touch "$TMP/stop"
wait "$watcher"
echo "samples: $(uniq "$TMP/down" | tr '\n' ,)"
expect_eq "web-2 went before web-1" "$(grep -c -x 'web-0R web-2R' "$TMP/down")" 0
grep -q -x 'web-0R web-1R' "$TMP/down" && ok "web-1 was seen alone with web-0 (one at a time)" \
  || fail "web-1 was never seen left after web-2"

# ---- Parallel: every pod made at once ----
sed -e 's/name: web}/name: par}/' -e 's/app: web/app: par/g' -e 's/serviceName: web/serviceName: par/' \
  -e 's/^  replicas: 3/  replicas: 3\n  podManagementPolicy: Parallel/' "$TMP/sts.yaml" >"$TMP/par.yaml"
par_sample () {
  curl -s "$api/api/v1/namespaces/default/pods?labelSelector=app%3Dpar" | jq -r '[.items[]
    | .metadata.name + (if any(.status.conditions[]?; .type == "Ready" and .status == "True") then "R" else "" end)]
    | join(" ")'
}
rm -f "$TMP/stop"
while [ ! -e "$TMP/stop" ]; do par_sample; sleep 0.1; done >"$TMP/par" &
watcher=$!
kubesim apply -f "$TMP/par.yaml" >/dev/null 2>&1
expect_eq "apply of a Parallel set exits 0" $? 0
wait_for "par's 3 pods Ready" 30 ready_is par 3
touch "$TMP/stop"
wait "$watcher"
echo "samples: $(uniq "$TMP/par" | tr '\n' ,)"
grep -q -x 'par-0 par-1 par-2' "$TMP/par" && ok "par: all 3 pods existed before any was Ready" \
  || fail "par: never seen with its 3 pods none Ready"
finish

#!/bin/sh
# Real mode: Jobs through the same controller as sim, on a 2-node cluster in private network and
# mount namespaces.  A Job of 3 completions, 2 at a time, completes with no more than 2 pods
# running at once (sampled) and its pods' logs; a Job whose pods exit 3 (backoffLimit 1) makes a
# second pod no earlier than the pod failure backoff (10 s) after the first failed, then fails
# with BackoffLimitExceeded; with restartPolicy OnFailure the container's restarts count instead;
# an Indexed Job's pods see their index (JOB_COMPLETION_INDEX, hostname <job>-<index>); a Job past its activeDeadlineSeconds fails with DeadlineExceeded and
# its running pod is stopped; a finished Job with ttlSecondsAfterFinished is deleted with its
# pods.  Nothing is left afterwards.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/real-lib.sh"
real_enter job

cat >"$TMP/jobs.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: work}
spec:
  completions: 3
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
        - {name: c, image: busybox, command: [sh, -c, 'sleep 1; echo "done on $(hostname)"']}
---
apiVersion: batch/v1
kind: Job
metadata: {name: indexed}
spec:
  completionMode: Indexed
  completions: 3
  parallelism: 3
  template:
    spec:
      restartPolicy: Never
      containers:
        - {name: c, image: busybox, command: [sh, -c, 'echo "$JOB_COMPLETION_INDEX $(hostname)"']}
---
apiVersion: batch/v1
kind: Job
metadata: {name: crash}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
        - {name: c, image: busybox, command: [sh, -c, 'exit 3']}
---
apiVersion: batch/v1
kind: Job
metadata: {name: retry}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: OnFailure
      terminationGracePeriodSeconds: 1
      containers:
        - {name: c, image: busybox, command: [sh, -c, 'exit 4']}
---
apiVersion: batch/v1
kind: Job
metadata: {name: slow}
spec:
  activeDeadlineSeconds: 2
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
        - {name: c, image: busybox, command: [sleep, "600"]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: brief}
spec:
  ttlSecondsAfterFinished: 1
  template:
    spec:
      restartPolicy: Never
      containers:
        - {name: c, image: busybox, command: ["true"]}
YAML

api=http://127.0.0.1:$port
# job_pods JOB: the Job's pods (its job-name label), as JSON items.
job_pods () {
  curl -s "$api/api/v1/namespaces/default/pods?labelSelector=job-name%3D$1" | jq -c '.items'
}
# condition JOB TYPE: the status of the Job's condition TYPE, reason after a space.
condition () {
  curl -s "$api/apis/batch/v1/namespaces/default/jobs/$1" \
    | jq -r ".status.conditions[]? | select(.type == \"$2\") | .status + \" \" + .reason"
}
condition_is () {
  [ "$(condition "$1" "$2")" = "$3" ]
}
watch_work () {
  while [ ! -e "$TMP/stop" ]; do
    job_pods work | jq '[.[] | select(.status.phase == "Running" or .status.phase == "Pending")] | length'
    sleep 0.1
  done >"$TMP/samples"
}

real_up 2
watch_work &
watcher=$!
kubesim apply -f "$TMP/jobs.yaml" >"$TMP/apply" 2>&1
expect_eq "apply exits 0" $? 0
expect_eq "six jobs created" "$(grep -c '^job.batch/[a-z]* created$' "$TMP/apply")" 6

# ---- completions and parallelism ----
wait_for "work completes" 40 condition_is work Complete "True CompletionsReached"
touch "$TMP/stop"
wait "$watcher"
echo "active work pods sampled: $(uniq "$TMP/samples" | tr '\n' ,)"
expect_eq "work: at most 2 pods active at once" "$(sort -n "$TMP/samples" | tail -n 1)" 2
expect_eq "work: succeeded 3, no failure" "$(jget job work '(.status.succeeded | tostring) + " " + (.status.failed // 0 | tostring)')" "3 0"
expect_eq "work: 3 pods Succeeded" "$(job_pods work | jq '[.[] | select(.status.phase == "Succeeded")] | length')" 3
expect_eq "work: SuccessCriteriaMet too" "$(condition work SuccessCriteriaMet)" "True CompletionsReached"
kubesim get jobs >"$TMP/get"
expect_grep "get jobs shows work Complete 3/3" "^work  *Complete  *3/3 " "$TMP/get"
pod=$(job_pods work | jq -r '.[0].metadata.name')
kubesim logs "$pod" >"$TMP/log" 2>&1
expect_eq "a work pod's log" "$(cat "$TMP/log")" "done on $pod"

# ---- Indexed: each pod knows its index, as JOB_COMPLETION_INDEX and in its hostname ----
wait_for "indexed completes" 30 condition_is indexed Complete "True CompletionsReached"
: >"$TMP/indexed"
for p in $(job_pods indexed | jq -r '.[].metadata.name'); do
  i=$(jget pod "$p" '.metadata.annotations["batch.kubernetes.io/job-completion-index"]')
  echo "$i: $(kubesim logs "$p" 2>&1)" >>"$TMP/indexed"
done
expect_eq "indexed: each pod printed its index and hostname <job>-<index>" "$(sort "$TMP/indexed" | tr '\n' ,)" \
  "0: 0 indexed-0,1: 1 indexed-1,2: 2 indexed-2,"
expect_eq "indexed: the Job's completed indexes" "$(jget job indexed .status.completedIndexes)" "0-2"

# ---- backoff and backoffLimit ----
wait_for "crash fails: BackoffLimitExceeded" 40 condition_is crash Failed "True BackoffLimitExceeded"
job_pods crash | jq -r 'sort_by(.metadata.creationTimestamp) | .[] | .status.phase + " "
  + (.status.containerStatuses[0].state.terminated.exitCode | tostring) + " "
  + .metadata.creationTimestamp + " " + .status.containerStatuses[0].state.terminated.finishedAt' \
  >"$TMP/crash"
cat "$TMP/crash"
expect_eq "crash: two pods, both Failed with exit code 3" "$(cut -d' ' -f1,2 "$TMP/crash" | tr '\n' ,)" \
  "Failed 3,Failed 3,"
first_failed=$(date -d "$(sed -n 1p "$TMP/crash" | cut -d' ' -f4)" +%s)
second_created=$(date -d "$(sed -n 2p "$TMP/crash" | cut -d' ' -f3)" +%s)
gap=$((second_created - first_failed))
[ "$gap" -ge 10 ] && [ "$gap" -le 13 ] \
  && ok "crash: the second pod came the pod failure backoff after the first failed (${gap}s)" \
  || fail "crash: the second pod came ${gap}s after the first failed, expected 10 s (+ up to 3)"
expect_eq "crash: failed 2" "$(jget job crash .status.failed)" 2

# ---- OnFailure: the kubelet restarts the container, and the restarts count ----
wait_for "retry (OnFailure) fails: BackoffLimitExceeded" 30 condition_is retry Failed "True BackoffLimitExceeded"
retry_pod_gone () {
  [ "$(job_pods retry | jq length)" -eq 0 ]
}
wait_for "retry's pod, still active when the Job failed, is deleted" 15 retry_pod_gone

# ---- activeDeadlineSeconds ----
wait_for "slow fails: DeadlineExceeded" 30 condition_is slow Failed "True DeadlineExceeded"
slow_gone () {
  [ "$(job_pods slow | jq '[.[] | select(.status.phase == "Running")] | length')" -eq 0 ]
}
wait_for "slow's pod no longer runs" 20 slow_gone
start=$(date -d "$(jget job slow .status.startTime)" +%s)
failed=$(date -d "$(curl -s "$api/apis/batch/v1/namespaces/default/jobs/slow" \
  | jq -r '.status.conditions[] | select(.type == "Failed") | .lastTransitionTime')" +%s)
[ $((failed - start)) -ge 2 ] && [ $((failed - start)) -le 5 ] \
  && ok "slow failed at its deadline ($((failed - start))s after it started)" \
  || fail "slow failed $((failed - start))s after it started, expected 2"

# ---- ttlSecondsAfterFinished ----
brief_gone () {
  ! kubesim get job brief >/dev/null 2>&1 && [ "$(job_pods brief | jq length)" -eq 0 ]
}
wait_for "brief, finished, is deleted with its pod after its TTL" 30 brief_gone
finish

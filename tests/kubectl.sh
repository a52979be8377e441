#!/bin/sh
# The kubectl-like commands as a user runs them (no root needed): against `kubesim control-plane`
# on a free port with a data directory of the test's own, without nodes (pods stay Pending).
# Checks how the CLI finds the cluster (--server, --kubeconfig, $KUBECONFIG, --data-dir,
# $KUBESIM_DATA_DIR), the commands of the documented session (apply, get, logs, scale, describe,
# rollout status, delete), standard input for -f, and the exit statuses: 2 for bad usage or a bad
# manifest, 1 when the server refuses or a wait fails.  tests/test-kubectl checks the outputs in
# detail; tests/kubectl-real.sh runs the session on a real cluster.
. "$TOP_SRCDIR/tests/lib.sh"

D="$TMP/data"
mkdir -p "$D"
W="$TOP_SRCDIR/examples/real/web.yaml"

# The control plane on a free port (it prints its URL); not under valgrind (it is not under test).
"$KUBESIM" control-plane --port 0 --data-dir "$D" >"$TMP/cp.log" 2>&1 &
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

# No cluster anywhere: say how to get one.
KUBESIM_DATA_DIR="$TMP/nothing" kubesim get pods >"$TMP/out" 2>&1
expect_eq "no kubeconfig: exit 1" $? 1
expect_grep "no kubeconfig: the message names the file and cluster up" \
  "kubesim get: no cluster: $TMP/nothing/kubeconfig does not exist (start one with .kubesim cluster up." \
  "$TMP/out"

# The kubeconfig cluster up would write.
cat >"$D/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
  - name: kubesim
    cluster: {server: "$URL"}
contexts:
  - name: kubesim
    context: {cluster: kubesim, user: kubesim}
current-context: kubesim
users:
  - name: kubesim
    user: {}
KC
for how in "--server $URL" "--kubeconfig $D/kubeconfig" "--data-dir $D"; do
  # shellcheck disable=SC2086
  kubesim get pods $how >"$TMP/out" 2>&1
  expect_eq "get finds the cluster with $how" "$(cat "$TMP/out")" \
    "No resources found in default namespace."
done
KUBECONFIG="$D/kubeconfig" kubesim get pods >"$TMP/out" 2>&1
expect_eq "get finds the cluster with \$KUBECONFIG" "$(cat "$TMP/out")" \
  "No resources found in default namespace."
KUBESIM_DATA_DIR=$D
export KUBESIM_DATA_DIR
kubesim get pods >"$TMP/out" 2>&1
expect_eq "get finds the cluster with \$KUBESIM_DATA_DIR" "$(cat "$TMP/out")" \
  "No resources found in default namespace."

# The documented session (the control plane has no nodes: the pods stay Pending).
kubesim apply -f "$W" >"$TMP/out" 2>&1
expect_eq "apply exits 0" $? 0
expect_eq "apply: created" "$(cat "$TMP/out")" \
  "$(printf 'deployment.apps/web created\nservice/web created')"
kubesim apply -f - <"$W" >"$TMP/out" 2>&1
expect_eq "apply -f - (standard input): unchanged" "$(cat "$TMP/out")" \
  "$(printf 'deployment.apps/web unchanged\nservice/web unchanged')"
i=0
while [ "$(kubesim get pods -o name 2>/dev/null | wc -l)" -lt 2 ] && [ "$i" -lt 100 ]; do
  i=$((i + 1))
  sleep 0.1
done
kubesim get pods -o wide >"$TMP/out" 2>&1
expect_eq "get pods -o wide exits 0" $? 0
n=$(grep -cE '^web-[a-z0-9]+-[a-z0-9]{5} +0/1 +Pending +0 +[0-9]+s +<none> +<none> +<none> +<none>$' "$TMP/out")
expect_eq "get pods -o wide: the Deployment's 2 pods, Pending" "$n" 2
POD=$(kubesim get pods -o name | head -n 1 | cut -d/ -f2)
kubesim logs "$POD" >"$TMP/out" 2>&1
expect_eq "logs of a pod not scheduled yet: empty, exit 0" "$? $(cat "$TMP/out")" "0 "
kubesim scale deployment web --replicas 4 >"$TMP/out" 2>&1
expect_eq "scale deployment web --replicas 4" "$(cat "$TMP/out")" "deployment.apps/web scaled"
kubesim scale deployment/web --replicas=3 >"$TMP/out" 2>&1
expect_eq "scale deployment/web --replicas=3" "$(cat "$TMP/out")" "deployment.apps/web scaled"
kubesim autoscale deployment web --min 2 --max 6 --cpu-percent 50 >"$TMP/out" 2>&1
expect_eq "autoscale deployment web" "$(cat "$TMP/out")" "horizontalpodautoscaler.autoscaling/web autoscaled"
kubesim get hpa >"$TMP/out" 2>&1
expect_grep "get hpa: kubectl's columns" '^NAME  *REFERENCE  *TARGETS  *MINPODS  *MAXPODS  *REPLICAS  *AGE$' "$TMP/out"
expect_grep "get hpa: the HPA, no metrics yet" '^web  *Deployment/web  *cpu: <unknown>/50%  *2  *6  *0  *[0-9][0-9]*s$' "$TMP/out"
kubesim autoscale deployment web --max 6 >"$TMP/out" 2>&1
expect_eq "autoscale twice: exit 1" $? 1
expect_grep "autoscale twice: AlreadyExists" 'already exists' "$TMP/out"
expect_usage "autoscale without --max" autoscale deployment web
kubesim delete hpa web >/dev/null 2>&1
expect_eq "delete hpa web" $? 0
kubesim get deployment web -o json >"$TMP/out" 2>&1
expect_grep "the deployment has 3 replicas" '^        "replicas": 3,$' "$TMP/out"
kubesim describe deploy web >"$TMP/out" 2>&1
expect_eq "describe exits 0" $? 0
expect_grep "describe: the replicas" "^Replicas:               3 desired | " "$TMP/out"
kubesim rollout status deploy/web --timeout 1s >"$TMP/out" 2>"$TMP/err"
expect_eq "rollout status without nodes times out: exit 1" $? 1
expect_eq "rollout status says so" "$(cat "$TMP/err")" "error: timed out waiting for the condition"
expect_grep "rollout status said what it waited for" \
  '^Waiting for deployment "web" rollout to finish: 0 of 3 updated replicas are available...$' \
  "$TMP/out"
kubesim get deploy nope >"$TMP/out" 2>&1
expect_eq "get of a missing object: exit 1" $? 1
expect_eq "get of a missing object: kubectl's message" "$(cat "$TMP/out")" \
  'Error from server (NotFound): deployments.apps "nope" not found'
kubesim delete -f "$W" >"$TMP/out" 2>&1
expect_eq "delete -f exits 0" $? 0
expect_eq "delete -f: what was deleted" "$(cat "$TMP/out")" \
  "$(printf 'deployment.apps "web" deleted\nservice "web" deleted')"
kubesim get deploy,svc >"$TMP/out" 2>&1
expect_eq "they are gone" "$(cat "$TMP/out")" "No resources found in default namespace."

# A Job (batch/v1): created through the API, its pod made by the Job controller, kubectl's columns.
printf 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: pi}\nspec:\n  completions: 2\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: pi, image: busybox}]\n' >"$TMP/job.yaml"
kubesim apply -f "$TMP/job.yaml" >"$TMP/out" 2>&1
expect_eq "apply of a Job" "$(cat "$TMP/out")" "job.batch/pi created"
kubesim get jobs >"$TMP/out" 2>&1
expect_grep "get jobs: kubectl's columns" '^NAME   STATUS    COMPLETIONS   DURATION   AGE$' "$TMP/out"
expect_grep "get jobs: running, 0 of 2" '^pi     Running   0/2           [0-9]*s  *[0-9]*s$' "$TMP/out"
kubesim get pods -l batch.kubernetes.io/job-name=pi >"$TMP/out" 2>&1
expect_grep "the Job controller made a pod" '^pi-[a-z0-9]\{5\}  *0/1  *Pending' "$TMP/out"
kubesim describe job pi >"$TMP/out" 2>&1
expect_grep "describe job: the selector" '^Selector:  *batch.kubernetes.io/controller-uid=[0-9a-f-]*$' "$TMP/out"
expect_grep "describe job: completions" '^Completions:  *2$' "$TMP/out"
expect_grep "describe job: backoff limit" '^Backoff Limit:  *6$' "$TMP/out"
expect_grep "describe job: pods" '^Pods Statuses:  *1 Active (0 Ready) / 0 Succeeded / 0 Failed$' "$TMP/out"
expect_grep "describe job: the creation event" 'Normal  *SuccessfulCreate  *.*job-controller  *Created pod: pi-' "$TMP/out"
kubesim delete job pi >"$TMP/out" 2>&1
expect_eq "delete job" "$(cat "$TMP/out")" 'job.batch "pi" deleted'

# Bad usage and bad input: exit 2, before any request.
expect_usage () {
  what=$1
  shift
  kubesim "$@" >"$TMP/out" 2>&1
  st=$?
  if [ "$st" -eq 2 ]; then ok "$what: exit 2"; else fail "$what: exit $st, not 2"; cat "$TMP/out" >&2; fi
}
expect_usage "get without a type" get
expect_usage "get of an unknown type" get frobs
expect_usage "get -o with an unknown format" get pods -o table
expect_usage "get with an unknown option" get pods --frob
expect_usage "apply without -f" apply
expect_usage "apply of a file that does not exist" apply -f "$TMP/missing.yaml"
expect_usage "scale without --replicas" scale deployment web
expect_usage "delete without arguments" delete
expect_usage "delete --wait maybe" delete pods x --wait maybe
expect_usage "delete --timeout with a bad duration" delete pods x --timeout soon
expect_grep "a bad duration is explained once" '^kubesim delete: --timeout: invalid duration "soon": expected a number followed by a unit (ns, us, ms, s, m or h), e.g. "30s", "1.5h" or "1h30m"$' "$TMP/out"
expect_usage "logs without a pod" logs
expect_usage "rollout without a command" rollout
expect_usage "rollout with an unknown command" rollout frob deploy/web
expect_usage "a server URL that is not http" get pods --server https://127.0.0.1:6443
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: busybox, resources: {limits: {memory: lots}}}]\n' >"$TMP/bad.yaml"
expect_usage "apply of a bad manifest" apply -f "$TMP/bad.yaml"
expect_grep "a bad manifest's problem has its position" "^$TMP/bad.yaml:5:71: spec.containers\[0\].resources.limits.memory: invalid quantity \"lots\"" "$TMP/out"

for c in apply get describe delete scale autoscale logs; do
  kubesim "$c" --help >"$TMP/h" 2>&1
  expect_eq "$c --help exits 0" $? 0
  expect_grep "$c --help lists --server" "--server" "$TMP/h"
done
kubesim rollout --help >"$TMP/h" 2>&1
expect_eq "rollout --help exits 0" $? 0
expect_grep "rollout --help lists undo" "^  undo " "$TMP/h"
finish

#!/bin/sh
# Real mode: probes and restart back-off through the same kubelet code as sim, on a 1-node
# cluster in private network and mount namespaces.  A failing exec liveness probe restarts its
# container (exit 137, counted); a failing httpGet liveness probe too; a startup probe holds the
# liveness and readiness probes and the container's started and ready until it passes; a tcpSocket
# readiness probe makes a pod Ready once its port opens; a container that exits at once is
# restarted at once, then after 10 s (CrashLoopBackOff "back-off 10s"), then waits 20 s
# ("back-off 20s"), as the kubelet's back-off; restartPolicy OnFailure does not restart a container
# that exits 0 and Never not one that fails.  Nothing is left afterwards.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/real-lib.sh"
# Probe periods of 1 s and back-off delays of 10 s cannot be kept by a node agent under valgrind.
[ -z "${KS_VALGRIND:-}" ] || skip "probe and back-off timings of a few seconds cannot be kept under valgrind (make check runs this test)"
real_enter probes

cat >"$TMP/pods.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: live, labels: {app: live}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: c
      image: busybox
      command: [sh, -c, 'touch /tmp/alive; exec sleep 3600']
      livenessProbe: {exec: {command: [test, -f, /tmp/alive]}, periodSeconds: 1, failureThreshold: 2}
---
apiVersion: v1
kind: Pod
metadata: {name: http-live, labels: {app: http-live}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: c
      image: busybox
      # Serves for 2 s after each start, then stops serving (the process stays).
      command: [sh, -c, 'mkdir -p /tmp/www && echo ok >/tmp/www/index.html && httpd -p 8080 -h /tmp/www; sleep 2; killall httpd; exec sleep 3600']
      livenessProbe: {httpGet: {path: /, port: 8080}, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 1}
---
apiVersion: v1
kind: Pod
metadata: {name: startup, labels: {app: startup}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: c
      image: busybox
      command: [sh, -c, 'sleep 3; touch /tmp/started; exec sleep 3600']
      startupProbe: {exec: {command: [test, -f, /tmp/started]}, periodSeconds: 1, failureThreshold: 30}
      # Would fail (and restart the container) if it ran before /tmp/started exists.
      livenessProbe: {exec: {command: [test, -f, /tmp/started]}, periodSeconds: 1, failureThreshold: 1}
      readinessProbe: {exec: {command: ["true"]}, periodSeconds: 1}
---
apiVersion: v1
kind: Pod
metadata: {name: tcp, labels: {app: tcp}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: c
      image: busybox
      command: [sh, -c, 'sleep 3; exec httpd -f -p 9000']
      readinessProbe: {tcpSocket: {port: 9000}, periodSeconds: 1}
---
apiVersion: v1
kind: Pod
metadata: {name: crash, labels: {app: crash}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - {name: c, image: busybox, command: [sh, -c, 'date +%s; exit 1']}
---
apiVersion: v1
kind: Pod
metadata: {name: once, labels: {app: once}}
spec:
  restartPolicy: OnFailure
  containers:
    - {name: c, image: busybox, command: ["true"]}
---
apiVersion: v1
kind: Pod
metadata: {name: never, labels: {app: never}}
spec:
  restartPolicy: Never
  containers:
    - {name: c, image: busybox, command: [sh, -c, 'exit 2']}
YAML

# in_pod POD COMMAND...: COMMAND in the pod's container, through runc.
in_pod () {
  cid=$(jget pod "$1" '.status.containerStatuses[0].containerID')
  shift
  runc --root "$D/runc" exec "${cid#runc://}" "$@"
}
# cs POD FILTER: FILTER over the pod's first container status.
cs () {
  jget pod "$1" ".status.containerStatuses[0] | $2"
}
restarts_are () {
  [ "$(cs "$1" .restartCount)" = "$2" ]
}
restarts_at_least () {
  [ "$(cs "$1" .restartCount)" -ge "$2" ]
}
phase_is () {
  [ "$(jget pod "$1" .status.phase)" = "$2" ]
}

# crash_sample: crash's restart count and waiting reason and message.
crash_sample () {
  cs crash '(.restartCount | tostring) + " " + .state.waiting.reason + ": " + .state.waiting.message'
}
# waiting_says N TEXT: crash restarted N times and waits in CrashLoopBackOff with a message that
# starts with TEXT (the pod's reference, name_namespace(uid), follows).
waiting_says () {
  case $(crash_sample) in
    "$1 CrashLoopBackOff: $2"*) return 0 ;;
  esac
  return 1
}
watch_crash () {
  while [ ! -e "$TMP/stop" ]; do
    crash_sample 2>/dev/null
    sleep 0.2
  done >"$TMP/crash"
}

real_up 1
watch_crash &
watcher=$!
kubesim apply -f "$TMP/pods.yaml" >/dev/null 2>&1
expect_eq "apply exits 0" $? 0
t_apply=$(date +%s)

# ---- startup probe (watched from the start) ----
wait_for "startup's container runs" 20 phase_is startup Running
expect_eq "startup: not started and not ready while its startup probe fails" \
  "$(cs startup '(.started | tostring) + " " + (.ready | tostring)')" "false false"
wait_for "startup: started and Ready once the probe passes" 20 ready_is startup 1
expect_eq "startup: started" "$(cs startup .started)" true
[ $(($(date +%s) - t_apply)) -ge 3 ] && ok "startup was not Ready before its file existed" \
  || fail "startup was Ready $(($(date +%s) - t_apply))s after apply, before its probe could pass"
expect_eq "startup: never restarted (liveness waited for the startup probe)" "$(cs startup .restartCount)" 0

# ---- tcpSocket readiness ----
wait_for "tcp: Ready once its port is open" 20 ready_is tcp 1
started=$(date -d "$(cs tcp .state.running.startedAt)" +%s)
ready=$(date -d "$(jget pod tcp '.status.conditions[] | select(.type == "Ready") | .lastTransitionTime')" +%s)
# (The port opens 3 s after the start: at least 2 s between the two truncated times.)
[ $((ready - started)) -ge 2 ] && ok "tcp: not Ready before the port opened ($((ready - started))s)" \
  || fail "tcp: Ready $((ready - started))s after it started, before its port opened (3 s)"

# ---- exec liveness ----
wait_for "live runs" 20 ready_is live 1
in_pod live rm /tmp/alive
wait_for "live: its failing liveness probe restarts the container" 15 restarts_are live 1
expect_eq "live: the killed instance exited 137" "$(cs live .lastState.terminated.exitCode)" 137
wait_for "live: Running and Ready again (its new instance made the file)" 15 ready_is live 1

# ---- httpGet liveness ----
# (It fails again after each restart: it is restarted again, with the back-off.)
wait_for "http-live: restarted by its httpGet liveness probe" 20 restarts_at_least http-live 1
expect_eq "http-live: the killed instance exited 137" "$(cs http-live .lastState.terminated.exitCode)" 137

# ---- restartPolicy OnFailure and Never ----
wait_for "once (OnFailure, exit 0) Succeeded" 20 phase_is once Succeeded
expect_eq "once: not restarted" "$(cs once .restartCount)" 0
wait_for "never (Never, exit 2) Failed" 20 phase_is never Failed
expect_eq "never: not restarted, exit code 2" "$(cs never '(.restartCount | tostring) + " " + (.state.terminated.exitCode | tostring)')" "0 2"

# ---- restart back-off ----
wait_for "crash: restarted twice, waiting in CrashLoopBackOff again" 30 waiting_says 2 \
  "back-off 20s restarting failed container=c pod=crash_default("
touch "$TMP/stop"
wait "$watcher"
echo "crash sampled: $(uniq "$TMP/crash" | tr '\n' ,)"
grep -q -x '1 CrashLoopBackOff: back-off 10s restarting failed container=c pod=crash_default(.*)' "$TMP/crash" \
  && ok "crash: after the first restart it waited with back-off 10s" \
  || fail "crash: never seen waiting with back-off 10s after the first restart"
expect_eq "crash: no back-off before the first restart" "$(grep -c '^0 CrashLoopBackOff' "$TMP/crash")" 0
kubesim get pod crash >"$TMP/get-crash"
expect_grep "get shows CrashLoopBackOff" "^crash  *0/1  *CrashLoopBackOff  *2 " "$TMP/get-crash"
# Each instance printed when it started: the first restart at once, the second 10 s after.
logs=$(ls -d "$D"/nodes/node-0/logs/default_crash_*/c)
s0=$(cat "$logs/0.log") s1=$(cat "$logs/1.log") s2=$(cat "$logs/2.log")
echo "crash's instances started at $s0 $s1 $s2"
[ $((s1 - s0)) -le 2 ] && ok "crash: the first restart came at once ($((s1 - s0))s)" \
  || fail "crash: the first restart came $((s1 - s0))s after the start"
[ $((s2 - s1)) -ge 10 ] && [ $((s2 - s1)) -le 12 ] \
  && ok "crash: the second came 10 s later ($((s2 - s1))s)" \
  || fail "crash: the second came $((s2 - s1))s after the first, expected 10"
finish

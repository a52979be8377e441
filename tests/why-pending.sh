#!/bin/sh
# Why pods wait (tests/scenarios/why-pending.yaml): FailedScheduling lines carry the nodes per
# reason, which make up their message; summary.json's unschedulable counts the pods still
# waiting by the reasons of their last attempt (not a pod deleted while waiting, nor one bound
# after failing) and every failed attempt by reason; kubesim run prints the waiting pods.
. "$TOP_SRCDIR/tests/lib.sh"

command -v jq >/dev/null 2>&1 || skip "jq is not installed (scripts/deps installs it)"
kubesim run --out "$TMP/out" "$TOP_SRCDIR/tests/scenarios/why-pending.yaml" >"$TMP/stdout" || fail "run"
ev="$TMP/out/events.jsonl"

# Every FitError's message is made of its reasons: "0/N nodes are available: <sorted "count
# reason" list>.", then preemption's part (" preemption: ...", not counted).
n=$(jq -r 'select(.event == "FailedScheduling") | .reasons // empty
  | "0/3 nodes are available: " + ([to_entries[] | "\(.value) \(.key)"] | sort | join(", ")) + "."' "$ev" | tee "$TMP/rebuilt" | wc -l)
jq -r 'select(.event == "FailedScheduling") | .message | sub(" preemption: .*"; "")' "$ev" >"$TMP/messages"
expect_eq "every FailedScheduling has reasons" "$n" "$(wc -l <"$TMP/messages")"
expect_eq "3 pods at 0s and 1 at 20s failed" "$n" 4
cmp -s "$TMP/rebuilt" "$TMP/messages" && ok "messages are made of the reasons" \
  || { fail "messages and reasons disagree"; diff "$TMP/messages" "$TMP/rebuilt" >&2; }
expect_eq "the reasons of an attempt" \
  "$(jq -c 'select(.name == "default/big" and .event == "FailedScheduling") | .reasons' "$ev" | head -n 1)" \
  '{"Insufficient cpu":2,"node(s) had untolerated taint {dedicated: gpu}":1}'
expect_eq "no reasons on other events" "$(jq -c 'select(.event != "FailedScheduling") | .reasons // empty' "$ev")" ""

# big still waits; gone was deleted while waiting; waits was bound after failing.
expect_eq "summary: unschedulable" "$(jq -c .unschedulable "$TMP/out/summary.json")" \
  '{"pending_pods":1,"pending_by_reason":{"Insufficient cpu":1,"node(s) had untolerated taint {dedicated: gpu}":1},"failed_attempts":4,"attempts_by_reason":{"Insufficient cpu":4,"node(s) had untolerated taint {dedicated: gpu}":4}}'
expect_eq "summary: failed attempts = FailedScheduling events" \
  "$(jq .unschedulable.failed_attempts "$TMP/out/summary.json")" "$(grep -c '"FailedScheduling"' "$ev")"
expect_grep "run prints the waiting pods" \
  "^  unschedulable: 1 pod waiting for a node, by last reason: Insufficient cpu (1), node(s) had untolerated taint {dedicated: gpu} (1)$" "$TMP/stdout"

# A run where nothing waits prints no such line.
kubesim run --out "$TMP/quick" "$TOP_SRCDIR/examples/quickstart.yaml" >"$TMP/stdout" || fail "quickstart"
grep -q unschedulable "$TMP/stdout" && fail "quickstart printed an unschedulable line" || ok "nothing waits: no line"
finish

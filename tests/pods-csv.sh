#!/bin/sh
# pods.csv from kubesim run (docs/formats.md "pods.csv"): one row per pod the run created, and its
# preemptions and evictions columns against the events and summary.json:
# - examples/preemption.yaml: the scheduler's victims (summary.json preemption.victims), each
#   with a "Preempted" event;
# - tests/golden/memory-pressure.yaml: the kubelet's node-pressure evictions (totals.evictions,
#   "Evicted" events but the admission rejections);
# - examples/node-failure.yaml: the taint manager's evictions;
# - examples/drain.yaml: evictions through the Eviction API (kubectl drain), one per "Evicted"
#   event; tests/scenarios/drain-finished.yaml: a pod that had finished before its eviction is
#   not counted.
. "$TOP_SRCDIR/tests/lib.sh"

command -v jq >/dev/null 2>&1 || skip "jq is not installed (scripts/deps installs it)"
col() { tail -n +2 "$1" | awk -F, -v c="$2" '{ s += $c } END { print s + 0 }'; }

kubesim run -q --out "$TMP/p" "$TOP_SRCDIR/examples/preemption.yaml" >/dev/null 2>&1 || fail "run preemption"
expect_eq "pods.csv: the header" "$(head -n 1 "$TMP/p/pods.csv")" \
  "name,created,scheduled,started,finished,node,attempts,preemptions,evictions,outcome"
victims=$(jq .preemption.victims "$TMP/p/summary.json")
[ "$victims" -gt 0 ] && ok "preemption.yaml preempts ($victims)" || fail "preemption.yaml preempts none"
expect_eq "preemptions: the summary's victims" "$(col "$TMP/p/pods.csv" 8)" "$victims"
expect_eq "preemptions: the pods named in Preempted events" \
  "$(tail -n +2 "$TMP/p/pods.csv" | awk -F, '$8 == 1 { print $1 }' | sort | tr '\n' ' ')" \
  "$(grep '"event":"Preempted"' "$TMP/p/events.jsonl" | jq -r .name | sed 's|^default/||' | sort -u | tr '\n' ' ')"
expect_eq "preemption.yaml: no evictions" "$(col "$TMP/p/pods.csv" 9)" 0
# The ReplicaSets' pods (SuccessfulCreate) and the scenario's own (Apply of a Pod), once each.
expect_eq "one row per pod created" "$(($(wc -l <"$TMP/p/pods.csv") - 1))" \
  "$(($(grep -c '"event":"SuccessfulCreate"' "$TMP/p/events.jsonl") + $(grep '"event":"Apply"' "$TMP/p/events.jsonl" | grep -c '"kind":"Pod"')))"
expect_eq "pods.csv: no name twice" "$(tail -n +2 "$TMP/p/pods.csv" | cut -d, -f1 | sort | uniq -d)" ""

kubesim run -q --out "$TMP/mp" "$TOP_SRCDIR/tests/golden/memory-pressure.yaml" >/dev/null 2>&1
expect_eq "node-pressure evictions: the summary's" "$(col "$TMP/mp/pods.csv" 9)" \
  "$(jq .totals.evictions "$TMP/mp/summary.json")"
expect_eq "node-pressure evictions: the pods of the Evicted events" \
  "$(tail -n +2 "$TMP/mp/pods.csv" | awk -F, '$9 == 1 { print $1 }' | sort | tr '\n' ' ')" \
  "$(grep '"event":"Evicted"' "$TMP/mp/events.jsonl" | grep -v 'The node had condition' | jq -r .name | sed 's|^default/||' | sort -u | tr '\n' ' ')"
kubesim run -q --out "$TMP/nf" "$TOP_SRCDIR/examples/node-failure.yaml" >/dev/null 2>&1
n=$(col "$TMP/nf/pods.csv" 9)
[ "$n" -gt 0 ] && ok "node-failure: $n taint evictions" || fail "node-failure: no evictions in pods.csv"
expect_eq "taint evictions: the summary's" "$n" "$(jq .totals.evictions "$TMP/nf/summary.json")"
kubesim run -q --out "$TMP/dr" "$TOP_SRCDIR/examples/drain.yaml" >/dev/null 2>&1 || fail "run drain"
expect_eq "drain: 3 evictions in pods.csv" "$(col "$TMP/dr/pods.csv" 9)" 3
expect_eq "drain: the summary's" "$(jq .totals.evictions "$TMP/dr/summary.json")" 3
expect_eq "drain: the pods of the Evicted events" \
  "$(tail -n +2 "$TMP/dr/pods.csv" | awk -F, '$9 == 1 { print $1 }' | sort | tr '\n' ' ')" \
  "$(grep '"event":"Evicted"' "$TMP/dr/events.jsonl" | jq -r .name | sed 's|^default/||' | sort -u | tr '\n' ' ')"
expect_eq "drain: no preemptions" "$(col "$TMP/dr/pods.csv" 8)" 0
kubesim run -q --out "$TMP/df" "$TOP_SRCDIR/tests/scenarios/drain-finished.yaml" >/dev/null 2>&1 || fail "run drain-finished"
expect_eq "drain-finished: the finished pod was evicted too" \
  "$(grep '"event":"Evicted"' "$TMP/df/events.jsonl" | jq -r .name | grep -c batch)" 1
expect_eq "drain-finished: but not counted" "$(grep '^batch,' "$TMP/df/pods.csv" | cut -d, -f9,10)" "0,Succeeded"
expect_eq "drain-finished: web's 2 in pods.csv" "$(col "$TMP/df/pods.csv" 9)" 2
expect_eq "drain-finished: and the summary's" "$(jq .totals.evictions "$TMP/df/summary.json")" 2
finish

#!/bin/sh
# A 3-node / 10-pod scenario: every pod is Scheduled to the node Kubernetes' scores pick, and
# Running.
. "$TOP_SRCDIR/tests/lib.sh"

kubesim run -q --out "$TMP/out" "$TOP_SRCDIR/tests/scenarios/three-nodes.yaml" || fail "run"
e="$TMP/out/events.jsonl"
i=0
for node in node-c node-b node-c node-c node-c node-a node-b node-c node-b node-c; do
  expect_grep "p$i on $node-0" "\"event\":\"Scheduled\",\"type\":\"Normal\",\"kind\":\"Pod\",\"name\":\"default/p$i\",\"node\":\"$node-0\"" "$e"
  expect_grep "p$i started" "\"event\":\"Started\",.*\"name\":\"default/p$i\"" "$e"
  i=$((i + 1))
done
s="$TMP/out/summary.json"
expect_eq "all ten scheduled" "$(json_get "$s" '"scheduled"')" 10
expect_eq "all ten running" "$(json_get "$s" '"running"')" 10
expect_eq "none pending" "$(json_get "$s" '"pending"')" 0
finish

#!/bin/sh
# Preemption in whole runs (examples/preemption.yaml, examples/preemption-pdb.yaml): victims
# preempted with the Preempted event and graceful termination, the preemptor bound to the same
# node once they are gone, preemptionPolicy Never, a PodDisruptionBudget steering the choice of
# node, and the counts in summary.json.
. "$TOP_SRCDIR/tests/lib.sh"

# count PATTERN FILE: matching lines
count () {
  grep -c -- "$1" "$2" || true
}

kubesim run -q --out "$TMP/a" "$TOP_SRCDIR/examples/preemption.yaml" || fail "run preemption"
e="$TMP/a/events.jsonl"
uid=$(sed -n 's/.*"Preempted by pod \([0-9a-f-]*\) on node .*/\1/p' "$e" | head -n 1)
node=$(sed -n 's/.*"event":"Preempted",.*"node":"\([^"]*\)".*/\1/p' "$e" | head -n 1)
expect_eq "two victims" "$(count '"event":"Preempted"' "$e")" 2
expect_eq "both on one node" "$(grep '"event":"Preempted"' "$e" | grep -c "\"node\":\"$node\"")" 2
expect_grep "Preempted message" \
  "\"t\":60,\"event\":\"Preempted\",\"type\":\"Normal\",\"kind\":\"Pod\",\"name\":\"default/batch-[a-z0-9-]*\",\"node\":\"$node\",\"message\":\"Preempted by pod $uid on node $node\",\"source\":\"default-scheduler\"" "$e"
expect_grep "victims stop gracefully" "\"t\":60,\"event\":\"Killing\",.*\"node\":\"$node\"" "$e"
# A successful preemption leaves the FitError without a preemption part.
expect_grep "urgent waits" \
  '"t":60,"event":"FailedScheduling","type":"Warning","kind":"Pod","name":"default/urgent","message":"0/2 nodes are available: 2 Insufficient cpu.","source"' "$e"
# The victims' 30 s grace period: bound to its nominated node at 90 s.
expect_grep "urgent bound after the victims" \
  "\"t\":90,\"event\":\"Scheduled\",\"type\":\"Normal\",\"kind\":\"Pod\",\"name\":\"default/urgent\",\"node\":\"$node\"" "$e"
expect_eq "urgent scheduled once" "$(count '"Scheduled".*"default/urgent"' "$e")" 1
# The replacements (priority 100, like the pods left) have nothing to preempt.
expect_grep "replacements find no victims" \
  '"message":"0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."' "$e"
expect_grep "preemptionPolicy Never" \
  '"t":120,"event":"FailedScheduling","type":"Warning","kind":"Pod","name":"default/polite","message":"0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."' "$e"
expect_eq "no more victims" "$(count '"event":"Preempted"' "$e")" 2
s="$TMP/a/summary.json"
expect_eq "summary: preemptions" "$(json_get "$s" '"preemptions"')" 1
expect_eq "summary: victims" "$(json_get "$s" '"victims"')" 2
# attempts: urgent once, the two replacements at 60 s and at 90 s, polite once
expect_eq "summary: attempts" "$(json_get "$s" '"attempts"')" 6

# The budget: db (priority 100) on a-0 may not be disrupted, web (200) on b-0 has no budget.
kubesim run -q --out "$TMP/b" "$TOP_SRCDIR/examples/preemption-pdb.yaml" || fail "run preemption-pdb"
e="$TMP/b/events.jsonl"
expect_eq "web pods preempted" "$(grep '"event":"Preempted"' "$e" | grep -c '"name":"default/web-.*"node":"b-0"')" 2
expect_eq "no db pod preempted" "$(grep '"event":"Preempted"' "$e" | grep -c 'default/db-')" 0
expect_grep "urgent on b-0" '"t":90,"event":"Scheduled",.*"name":"default/urgent","node":"b-0"' "$e"

# Without the budget (deleted at 30 s) the cheaper db pods go: a-0.
sed 's/^events:$/events:\n  - {at: 30s, delete: {kind: PodDisruptionBudget, name: db}}/' \
  "$TOP_SRCDIR/examples/preemption-pdb.yaml" > "$TMP/no-pdb.yaml"
kubesim run -q --out "$TMP/c" "$TMP/no-pdb.yaml" || fail "run without the budget"
e="$TMP/c/events.jsonl"
expect_eq "db pods preempted" "$(grep '"event":"Preempted"' "$e" | grep -c '"name":"default/db-.*"node":"a-0"')" 2
expect_grep "urgent on a-0" '"t":90,"event":"Scheduled",.*"name":"default/urgent","node":"a-0"' "$e"
finish

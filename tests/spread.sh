#!/bin/sh
# tests/golden/spread.yaml as a user reads it: what the spread constraints and the pod
# (anti-)affinity terms promise holds, whatever the scores decide among the nodes they allow.
. "$TOP_SRCDIR/tests/lib.sh"

kubesim run -q --out "$TMP/out" "$TOP_SRCDIR/tests/golden/spread.yaml" || fail "run"
e="$TMP/out/events.jsonl"
# node of each Scheduled pod: "pod node"
sed -n 's/.*"event":"Scheduled".*"name":"default\/\([^"]*\)","node":"\([^"]*\)".*/\1 \2/p' "$e" >"$TMP/placed"

# Six web replicas, two per zone (maxSkew 1 over three zones).
for z in a b c; do
  expect_eq "two web pods in zone $z" "$(grep -c "^web-.* zone-$z-" "$TMP/placed")" 2
done
# Three cache replicas on three different nodes (required anti-affinity on the hostname).
expect_eq "three cache pods" "$(grep -c '^cache-' "$TMP/placed")" 3
expect_eq "on three nodes" "$(grep '^cache-' "$TMP/placed" | cut -d' ' -f2 | sort -u | wc -l)" 3
# db runs in a zone that has a cache pod (required affinity on the zone).
db_zone=$(sed -n 's/^db zone-\(.\)-.*/\1/p' "$TMP/placed")
[ -n "$db_zone" ] && ok "db scheduled" || fail "db not scheduled"
grep -q "^cache-.* zone-$db_zone-" "$TMP/placed" && ok "db next to a cache" || fail "db in zone $db_zone without a cache"
# loner keeps away from every zone with a web pod: none is left.
expect_grep "loner has no node" '"name":"default/loner","message":"0/6 nodes are available: 6 node(s) didn.t match pod anti-affinity rules\. preemption: 0/6 nodes are available: 6 No preemption victims found for incoming pod\."' "$e"
grep -q '"name":"default/loner","node"' "$e" && fail "loner was scheduled" || ok "loner pending"
expect_eq "one pod pending" "$(json_get "$TMP/out/summary.json" '"pending"')" 1
finish

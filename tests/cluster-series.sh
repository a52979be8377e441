#!/bin/sh
# metrics.csv's cluster series from the totals (docs/formats.md "metrics.csv"): fragmentation,
# node_hours and gpu_requested_ratio against values worked out by hand and against summary.json.
. "$TOP_SRCDIR/tests/lib.sh"

command -v jq >/dev/null 2>&1 || skip "jq is not installed (scripts/deps installs it)"
series() { awk -F, -v m="$2" '$2 == m && $3 == "cluster" { printf "%s=%s ", $1, $4 }' "$1"; }

# examples/compare/packing.yaml (tests/compare.sh works it out): 8 nodes of 4 cpu for 600 s,
# sampled every 60 s; no pod waits until the big pods come at 60 s (the sample at 60 s is taken
# before they are created), then the median waiting request (2.5 cpu) fits no node: fragmentation
# 1 from 120 s on, no row before.  (The scenario's expectation fails: exit 1.)
kubesim run -q --sample-every 60s --out "$TMP/p" "$TOP_SRCDIR/examples/compare/packing.yaml" >/dev/null 2>&1
[ -s "$TMP/p/summary.json" ] || fail "run packing"
expect_eq "fragmentation: 1 while the big pods wait" "$(series "$TMP/p/metrics.csv" fragmentation)" \
  "120=1 180=1 240=1 300=1 360=1 420=1 480=1 540=1 600=1 "
# 8 nodes x t: 8 x 60 s = 0.133333 h per minute.
expect_eq "node_hours: 8 nodes so far" "$(series "$TMP/p/metrics.csv" node_hours)" \
  "0=0 60=0.133333 120=0.266667 180=0.4 240=0.533333 300=0.666667 360=0.8 420=0.933333 480=1.06667 540=1.2 600=1.33333 "
expect_eq "node_hours at the end: the summary's" \
  "$(awk -F, '$2 == "node_hours" { v = $4 } END { print v }' "$TMP/p/metrics.csv")" \
  "$(jq '.totals.node_hours * 1e5 | round / 1e5' "$TMP/p/summary.json")"
expect_eq "no GPU: no gpu_requested_ratio rows" "$(series "$TMP/p/metrics.csv" gpu_requested_ratio)" ""

# tests/golden/taints.yaml: one node with 2 GPUs, one trainer pod asking for 1 from the start.
kubesim run -q --out "$TMP/t" "$TOP_SRCDIR/tests/golden/taints.yaml" >/dev/null 2>&1 || fail "run taints"
expect_eq "gpu_requested_ratio: the summary's mean at every sample but 0" \
  "$(awk -F, '$2 == "gpu_requested_ratio" && $1 > 0 { print $4 }' "$TMP/t/metrics.csv" | sort -u)" \
  "$(jq .totals.mean_gpu_allocated_ratio "$TMP/t/summary.json")"
finish

#!/bin/sh
# The Alibaba and openb readers through kubesim replay: each pod's outcome in pods.csv follows
# the trace (openb phases counted with awk from the fixture; the 2018 fixture's by hand).
. "$TOP_SRCDIR/tests/lib.sh"

FIX="$TOP_SRCDIR/tests/traces"

# openb: Failed pods fail, Pending ones (never scheduled) are withdrawn (Killed), Running and
# Succeeded ones succeed; every pod on one of the node list's nodes.
PODS="$FIX/alibaba-gpu-2023/openb_pod_list_gpuspec33.csv"
NODES="$FIX/alibaba-gpu-2023/openb_node_list_all_node.csv"
kubesim replay --format alibaba-gpu-2023 "$NODES" "$PODS" --out "$TMP/openb" -q
expect_eq "openb replay exits 0" $? 0
outcome () { tail -n +2 "$1" | awk -F, -v o="$2" '$NF == o' | wc -l; }
phase () { awk -F, -v p="$1" 'NR > 1 && $8 == p' "$PODS" | wc -l; }
expect_eq "openb: a row per pod" "$(tail -n +2 "$TMP/openb/pods.csv" | wc -l)" "$(tail -n +2 "$PODS" | wc -l)"
expect_eq "openb: Failed" "$(outcome "$TMP/openb/pods.csv" Failed)" "$(phase Failed)"
expect_eq "openb: Pending → Killed" "$(outcome "$TMP/openb/pods.csv" Killed)" "$(phase Pending)"
expect_eq "openb: Running and Succeeded → Succeeded" "$(outcome "$TMP/openb/pods.csv" Succeeded)" \
  "$(($(phase Running) + $(phase Succeeded)))"
# A pod of gpu_spec V100M16|V100M32 lands on a node of one of those models.
node=$(awk -F, '$1 == "openb-pod-0009" { print $6 }' "$TMP/openb/pods.csv")
model=$(awk -F, -v n="$node" '$1 == n { print $5 }' "$NODES")
case "$model" in
  V100M16 | V100M32) ok "openb-pod-0009 on $node ($model)" ;;
  *) fail "openb-pod-0009 on $node, model '$model', not V100M16 or V100M32" ;;
esac
# A failed pod ends at its recorded deletion (it started when created, as in the trace).
expect_eq "openb-pod-0033 ends failed at its deletion" \
  "$(awk -F, '$1 == "openb-pod-0033" { print $5 "," $NF }' "$TMP/openb/pods.csv")" "9965645,Failed"

# A directory of one node list and one pod list reads as the two files; the fixture directory,
# with two pod lists (alternative workloads upstream), is refused naming both.
mkdir "$TMP/openb-dir"
cp "$NODES" "$PODS" "$TMP/openb-dir/"
kubesim trace stats -f alibaba-gpu-2023 -o json "$TMP/openb-dir" >"$TMP/dir.json"
expect_eq "openb: a directory of one list of each kind exits 0" $? 0
kubesim trace stats -f alibaba-gpu-2023 -o json "$NODES" "$PODS" >"$TMP/files.json"
expect_eq "openb: the directory's stats are the files'" "$(cmp "$TMP/dir.json" "$TMP/files.json" && echo same)" same
kubesim trace stats -f alibaba-gpu-2023 "$FIX/alibaba-gpu-2023" >"$TMP/out" 2>"$TMP/err"
expect_eq "openb: a directory of two pod lists exits 2" $? 2
expect_eq "openb: the error names both pod lists" \
  "$(grep -c 'holds 2 openb pod lists.*gpuspec33.csv.*multigpu50.csv' "$TMP/err")" 1
expect_eq "openb: nothing on stdout" "$(wc -c <"$TMP/out")" 0

# Alibaba 2018 fixture (tests/traces/alibaba-2018): 3 + 4 instances and c_1 succeed, R2_1 and
# c_3 fail, the Running and Waiting tasks' instances and c_2 are still running.
A18="$FIX/alibaba-2018"
kubesim replay --format alibaba-2018 "$A18/machine_meta.csv" "$A18/container_meta.csv" \
  "$A18/batch_task.csv" --out "$TMP/a18" -q
expect_eq "alibaba-2018 replay exits 0" $? 0
expect_eq "alibaba-2018: Succeeded" "$(outcome "$TMP/a18/pods.csv" Succeeded)" 8
expect_eq "alibaba-2018: Failed" "$(outcome "$TMP/a18/pods.csv" Failed)" 2
expect_eq "alibaba-2018: Running" "$(outcome "$TMP/a18/pods.csv" Running)" 4
expect_eq "alibaba-2018: j-1-m1-0 runs 100 → 160" \
  "$(awk -F, '$1 == "j-1-m1-0" { print $4 "," $5 }' "$TMP/a18/pods.csv")" "100,160"
# kubesim bench --trace: the reader alone reads the rows and gives the records trace stats counts
# (a row with a bad field among them: counted, not printed); without paths it is a usage error.
mkdir "$TMP/bad"
{ cat "$A18/batch_task.csv"; printf 'M1,3,j_9,1,Terminated,x,160,50.0,0.39\n'; } >"$TMP/bad/batch_task.csv"
kubesim bench --trace alibaba-2018 "$TMP/bad/batch_task.csv" >"$TMP/bench" 2>"$TMP/bench.err"
expect_eq "bench --trace exits 0" $? 0
kubesim trace stats -f alibaba-2018 -o json "$TMP/bad/batch_task.csv" >"$TMP/stats.json" 2>/dev/null
field () { sed -n "s/^  \"$1\" : \([0-9]*\),\$/\1/p" "$TMP/stats.json"; }
expect_eq "bench --trace: rows, bad rows and records as trace stats" \
  "$(head -1 "$TMP/bench" | sed 's/ in .*//')" \
  "alibaba-2018: $(field rows) rows ($(field bad_rows) bad), $(field records) records"
expect_eq "bench --trace: the bad row is not printed" "$(wc -c <"$TMP/bench.err")" 0
expect_eq "bench --trace: a rate per row and per record" "$(grep -c '^  \(rows\|records\)/s: *[0-9]' "$TMP/bench")" 2
kubesim bench --trace alibaba-2018 >/dev/null 2>"$TMP/bench.err"
expect_eq "bench --trace without paths exits 2" $? 2
kubesim bench --trace nope "$A18/batch_task.csv" >/dev/null 2>"$TMP/bench.err"
expect_eq "bench --trace of an unknown format exits 2" $? 2
finish

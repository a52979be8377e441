#!/bin/sh
# scripts/trace-bench-inputs.sh TRACES OUT: write the inputs of docs/benchmarks.md "Trace parsing"
# (about a million rows per table, made by repeating real rows or the repository's fixtures under
# new names) into the directory OUT.  TRACES is the shared traces' directory.
set -eu
TRACES=$1
OUT=$2
SRC=$(cd "$(dirname "$0")/.." && pwd)
FIX=$SRC/tests/traces
mkdir -p "$OUT"
cd "$OUT"

# Google 2011: machine_events (time, machine, event 0/1/2, platform, cpus, memory) and job_events
# (time, missing, job, event, user, class, name, logical name), a row every 10 ms.
awk 'BEGIN { OFS = ","; for (i = 0; i < 1000000; i++)
  print 600000000 + i * 10000, i % 12500, (i < 12500 ? 0 : 2), "p", 0.5, 0.4995 }' \
  >google_machine_events1m.csv
awk 'BEGIN { OFS = ","; for (i = 0; i < 1000000; i++)
  printf "%d,,%d,%d,u,2,n,l\n", 600000000 + i * 10000, 600000 + int(i / 2), i % 2 }' \
  >google_job_events1m.csv
# Alibaba 2018: machine_meta, the whole sample 57 times (machines renamed per copy, each copy
# grouped by machine as upstream); container_meta and batch_instance from the fixtures.
awk -F, 'BEGIN { OFS = "," } { r[NR] = $0 } END { for (i = 0; i < 57; i++) for (k = 1; k <= NR; k++) {
  split(r[k], f, ","); print "m_" i "x" substr(f[1], 3), f[2], f[3], f[4], f[5], f[6], f[7] } }' \
  "$TRACES/alibaba-v2018/machine_meta.csv" >machine_meta1m.csv
awk -F, 'BEGIN { OFS = "," } { r[NR] = $0 } END { for (i = 0; i < 333334; i++) for (k = 1; k <= 3; k++) {
  split(r[k], f, ","); f[3] = "j_" i; f[6] += i; if (f[7] > 0) f[7] += i;
  print f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9] } }' "$FIX/alibaba-2018/batch_task.csv" \
  >batch_task1m.csv
awk -F, 'BEGIN { OFS = "," } { r[NR] = $0 } END { for (i = 0; i < 333334; i++) for (k = 1; k <= 3; k++) {
  split(r[k], f, ","); f[1] = f[1] "x" i; f[3] = "j_" i; f[6] += i; f[7] += i;
  print f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13], f[14] } }' \
  "$FIX/alibaba-2018/batch_instance.csv" >batch_instance1m.csv
awk -F, 'BEGIN { OFS = "," } { r[NR] = $0 } END { for (i = 0; i < 142858; i++) for (k = 1; k <= NR; k++) {
  split(r[k], f, ","); print f[1] "x" i, f[2], f[3], f[4], f[5], f[6], f[7], f[8] } }' \
  "$FIX/alibaba-2018/container_meta.csv" >container_meta1m.csv
# Alibaba 2017: server_event 740 times, machines renumbered per copy.
awk -F, 'BEGIN { OFS = "," } { r[NR] = $0 } END { for (i = 0; i < 740; i++) for (k = 1; k <= NR; k++) {
  split(r[k], f, ","); print f[1], f[2] + 100000 * i, f[3], f[4], f[5], f[6], f[7] } }' \
  "$TRACES/alibaba-v2017/server_event.csv" >server_event1m.csv
# openb: the default pod list 125 times, the node list 657 times (renamed per copy).
awk -F, 'NR == 1 { print; next } { for (i = 0; i < 125; i++) { $1 = "p" i "-" NR; print } }' OFS=, \
  "$TRACES/alibaba-gpu-v2023/openb_pod_list_default.csv" >openb1m.csv
awk -F, 'NR == 1 { print; next } { n = $1; for (i = 0; i < 657; i++) { $1 = n "-" i; print } }' OFS=, \
  "$TRACES/alibaba-gpu-v2023/openb_node_list_all_node.csv" >openb_nodes1m.csv
# Azure: the V1 sample 100,000 times, sorted by creation; V2 the same with bucketed sizes.
zcat "$TRACES/azure-vm-v1/vmtable/vmtable.csv.gz" | tr -d '\r' |
  awk -F, 'BEGIN { OFS = "," } { for (i = 0; i < 100000; i++) { $1 = "vm" i "x" NR; $4 = i * 25; $5 = i * 25 + 3600; print } }' |
  sort -t, -k4,4n >vm1m.csv
awk -F, 'BEGIN { OFS = "," } { $10 = ($10 > 4 ? ">24" : "4"); $11 = ($11 > 8 ? ">64" : "8"); print }' \
  vm1m.csv >vm2_1m.csv

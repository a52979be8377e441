#!/bin/sh
# metrics.csv's used ratios (cpu_used_ratio, memory_used_ratio, gpu_used_ratio) and summary.json's
# mean used ratios (docs/formats.md) against values worked out by hand, the requests served
# counted in the used cpu, and the fragmentation of a node short of memory.
. "$TOP_SRCDIR/tests/lib.sh"

command -v jq >/dev/null 2>&1 || skip "jq is not installed (scripts/deps installs it)"
at() { awk -F, -v t="$2" -v m="$3" '$1 == t && $2 == m && $3 == "cluster" { print $4 }' "$1"; }

# tests/compare/used.yaml: 2 nodes of 2 cpu, 4 GiB, 2 GPUs (4 cpu, 8 GiB, 4 GPUs in all).
#   t = 50 s: the two busy pods run: cpu 2 x 500m / 4 = 0.25, memory 2 x 1 / 8 Gi = 0.25,
#     GPUs used 2/4 = 0.5 while the slow pod, bound but starting, holds a third: requested 0.75
#   t = 110 s: slow runs too (from 100 s): cpu (1 + 1)/4 = 0.5, memory (2 + 2)/8 = 0.5, GPU 3/4
#   means over 120 s: cpu (1 x 119 + 1 x 20)/(4 x 120) = 139/480, memory the same,
#     GPU (2 x 119 + 1 x 20)/(4 x 120) = 258/480 = 0.5375
kubesim run -q --out "$TMP/u" "$TOP_SRCDIR/tests/compare/used.yaml" >/dev/null 2>&1 || fail "run used"
M="$TMP/u/metrics.csv"
expect_eq "t = 50 s: cpu, memory, GPU used; GPU requested" \
  "$(at "$M" 50 cpu_used_ratio) $(at "$M" 50 memory_used_ratio) $(at "$M" 50 gpu_used_ratio) $(at "$M" 50 gpu_requested_ratio)" \
  "0.25 0.25 0.5 0.75"
expect_eq "t = 110 s: the slow pod runs" \
  "$(at "$M" 110 cpu_used_ratio) $(at "$M" 110 memory_used_ratio) $(at "$M" 110 gpu_used_ratio)" \
  "0.5 0.5 0.75"
expect_eq "the used rows beside the requested ones" \
  "$(awk -F, '$1 == 50 && $3 == "cluster" && $2 ~ /_ratio$/ { printf "%s ", $2 }' "$M")" \
  "cpu_requested_ratio cpu_used_ratio memory_requested_ratio memory_used_ratio gpu_requested_ratio gpu_used_ratio "
expect_eq "summary: the mean used ratios" \
  "$(jq -c '.totals | [.mean_cpu_used_ratio, .mean_memory_used_ratio, .mean_gpu_used_ratio] | map(. * 1e9 | round)' "$TMP/u/summary.json")" \
  "$(awk 'BEGIN { printf "[%d,%d,%d]\n", 139 / 480 * 1e9 + 0.5, 139 / 480 * 1e9 + 0.5, 258 / 480 * 1e9 + 0.5 }')"

# tests/compare/growth.yaml: 100 MiB growing by 1 MiB/s from 1 s on a node of 1 GiB.
#   t = 60 s: (100 + 59)/1024; t = 120 s: (100 + 119)/1024
#   mean: (100 x 119 + 119^2/2)/(1024 x 120) (0 during the first second)
kubesim run -q --out "$TMP/g" "$TOP_SRCDIR/tests/compare/growth.yaml" >/dev/null 2>&1 || fail "run growth"
expect_eq "memory growth at 60 s and 120 s" \
  "$(at "$TMP/g/metrics.csv" 60 memory_used_ratio) $(at "$TMP/g/metrics.csv" 120 memory_used_ratio)" \
  "$(awk 'BEGIN { printf "%.6g %.6g\n", 159 / 1024, 219 / 1024 }')"
expect_eq "memory growth: the mean" \
  "$(jq '.totals.mean_memory_used_ratio * 1e9 | round' "$TMP/g/summary.json")" \
  "$(awk 'BEGIN { printf "%d\n", (100 * 119 + 119 * 119 / 2) / (1024 * 120) * 1e9 + 0.5 }')"
expect_eq "no usage annotation: no cpu used; no GPU: no GPU rows" \
  "$(at "$TMP/g/metrics.csv" 60 cpu_used_ratio) $(grep -c gpu_used_ratio "$TMP/g/metrics.csv")" "0 0"

# examples/traffic.yaml (2 nodes of 4 cpu): the used cpu over a sample's interval is the web pods'
# 50m baseline plus the cpu their requests took (service_cpu_cores), at every sample whose
# interval the same pods ran through.
kubesim run -q --out "$TMP/t" "$TOP_SRCDIR/examples/traffic.yaml" >/dev/null 2>&1 || fail "run traffic"
awk -F, '$3 == "cluster" && $2 == "cpu_used_ratio" { used[$1] = $4 }
  $3 == "cluster" && $2 == "pods_running" { running[$1] = $4 }
  $2 == "service_cpu_cores" { served[$1] += $4 }
  END {
    for (t in used) {
      p = t - 10
      if (t == 0 || !(p in running) || running[t] != running[p]) continue
      want = served[t] * 1000 + 50 * running[t]; got = used[t] * 8000
      d = got - want; if (d < 0) d = -d
      n++; if (d > 0.5) { bad++; print "t=" t ": " got " millicores, expected " want }
    }
    print n + 0, bad + 0 }' "$TMP/t/metrics.csv" >"$TMP/traffic.txt"
expect_eq "traffic: used cpu = baseline + requests served (samples checked, wrong)" \
  "$(tail -n 1 "$TMP/traffic.txt" | awk '{ print ($1 >= 20), $2 }')" "1 0"

# tests/compare/fragmentation-memory.yaml: a-0 has 3 cpu free but 1 GiB, b-0 1 cpu and 7 GiB,
# c-0 4 cpu and 8 GiB; the waiting pod (2 cpu, 2 GiB) fits c-0 only: a-0's free cpu is unusable
# for want of memory: (3 + 1)/(3 + 1 + 4) = 0.5 (cpu alone would say 1/8).
kubesim run -q --out "$TMP/f" "$TOP_SRCDIR/tests/compare/fragmentation-memory.yaml" >/dev/null 2>&1 \
  || fail "run fragmentation-memory"
expect_eq "fragmentation: a node short of memory" \
  "$(awk -F, '$2 == "fragmentation" { print $4 }' "$TMP/f/metrics.csv" | sort -u) $(jq .totals.fragmentation "$TMP/f/summary.json")" \
  "0.5 0.5"
finish

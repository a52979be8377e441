#!/bin/sh
# kubesim trace generate from the command line: the same seed gives the same bytes (to a file and
# to standard output), another seed others; --pods and --nodes counts read back by trace stats;
# --fit on the openb fixture; every usage error exits 2 with the option's name.
. "$TOP_SRCDIR/tests/lib.sh"

FIX="$TOP_SRCDIR/tests/traces"

kubesim trace generate --seed 5 --pods 300 --nodes 3 --arrivals bursty -o "$TMP/a.jsonl"
expect_eq "generate exits 0" $? 0
kubesim trace generate --seed 5 --pods 300 --nodes 3 --arrivals bursty >"$TMP/b.jsonl"
if cmp -s "$TMP/a.jsonl" "$TMP/b.jsonl"; then ok "same seed, same bytes"; else fail "same seed gave different output"; fi
kubesim trace generate --seed 6 --pods 300 --nodes 3 --arrivals bursty >"$TMP/c.jsonl"
if cmp -s "$TMP/a.jsonl" "$TMP/c.jsonl"; then fail "another seed gave the same output"; else ok "another seed, other bytes"; fi
expect_eq "one line per node and pod" "$(wc -l <"$TMP/a.jsonl")" 303

kubesim trace stats --format kubesim "$TMP/a.jsonl" >"$TMP/stats" 2>"$TMP/err"
expect_grep "reads back: pods" "^pods  *300$" "$TMP/stats"
expect_grep "reads back: nodes" "^nodes  *3$" "$TMP/stats"
expect_grep "reads back: no bad row" "^bad rows  *0$" "$TMP/stats"

# A generated trace replays: every pod runs on the generated nodes and succeeds.
kubesim trace generate --seed 2 --pods 50 --nodes 2 --rate 3600 --median 30 -o "$TMP/r.jsonl"
kubesim replay --format kubesim "$TMP/r.jsonl" --out "$TMP/replay" -q
expect_eq "replay exits 0" $? 0
expect_eq "replay: a row per pod" "$(tail -n +2 "$TMP/replay/pods.csv" | wc -l)" 50
expect_eq "replay: all succeeded" "$(grep -c ',Succeeded$' "$TMP/replay/pods.csv")" 50
expect_eq "replay: on the generated nodes" \
  "$(tail -n +2 "$TMP/replay/pods.csv" | cut -d, -f6 | sort -u | tr '\n' ' ')" "node-0 node-1 "

# --duration stops arrivals: every pod's time below it.
kubesim trace generate --duration 3600 --rate 600 >"$TMP/d.jsonl"
last=$(tail -n 1 "$TMP/d.jsonl" | sed 's/^{"t":\([0-9.]*\),.*/\1/')
if awk -v t="$last" 'BEGIN { exit !(t < 3600) }'; then ok "--duration: last arrival $last < 3600"; else fail "--duration: last arrival $last"; fi

# Fitted to the openb fixture: its 400 machines.
kubesim trace generate --fit "$FIX/alibaba-gpu-2023/openb_node_list_all_node.csv" \
  --fit "$FIX/alibaba-gpu-2023/openb_pod_list_gpuspec33.csv" --format alibaba-gpu-2023 \
  --pods 50 >"$TMP/fit.jsonl"
expect_eq "--fit exits 0" $? 0
expect_eq "--fit: the trace's machines" "$(grep -c '"op":"node-add"' "$TMP/fit.jsonl")" 400

# Usage errors: exit 2 and the option named.
usage_error () {
  what=$1
  pattern=$2
  shift 2
  kubesim trace generate "$@" >"$TMP/out" 2>"$TMP/err"
  status=$?
  expect_eq "$what: exit 2" "$status" 2
  expect_grep "$what: message" "$pattern" "$TMP/err"
  expect_eq "$what: nothing written" "$(cat "$TMP/out")" ""
}
usage_error "no end" "give --pods N or --duration" --nodes 1
usage_error "bad shape" "^kubesim trace generate: --shape: \"2:lots,1Gi\" is not WEIGHT:CPU,MEMORY" --pods 1 --shape 2:lots,1Gi
usage_error "bad arrivals" "--arrivals: \"steady\" is not poisson or bursty" --pods 1 --arrivals steady
usage_error "bad durations" "--durations: \"normal\" is not lognormal or pareto" --pods 1 --durations normal
usage_error "zero rate" "--rate must be a number of arrivals per hour above 0" --pods 1 --rate 0
usage_error "bad number" "--median: \"long\" is not a number" --pods 1 --median long
usage_error "fit without format" "--fit needs --format" --pods 1 --fit "$TMP/a.jsonl"
usage_error "format without fit" "--format is the format of a --fit trace" --pods 1 --format azure-vm
usage_error "fit and shape" "--shape and --durations cannot be given with it" --pods 1 --fit "$TMP/a.jsonl" --format kubesim --shape 1:1,1Gi
usage_error "unfittable trace" "--fit: .*no such file\|--fit: .*No such file" --pods 1 --fit "$TMP/missing.csv" --format azure-vm
usage_error "stray argument" "unexpected argument" --pods 1 extra
finish

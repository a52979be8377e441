#!/bin/sh
# Same scenario, seed and binary: byte-identical outputs (but wall_time_s), whatever the locale;
# valid UTF-8 JSON whatever the scenario's file name.  Another seed: other pod names, other crash
# times (kubesim.io/crash-rate), other random node failures.
. "$TOP_SRCDIR/tests/lib.sh"

q="$TOP_SRCDIR/examples/quickstart.yaml"
kubesim run -q --out "$TMP/a" "$q" || fail "first run"
kubesim run -q --out "$TMP/b" "$q" || fail "second run"
kubesim run -q --seed 2 --out "$TMP/c" "$q" || fail "run with seed 2"
for f in events.jsonl metrics.csv; do
  cmp -s "$TMP/a/$f" "$TMP/b/$f" && ok "$f identical" || fail "$f differs between runs"
done
grep -v wall_time_s "$TMP/a/summary.json" >"$TMP/sa"
grep -v wall_time_s "$TMP/b/summary.json" >"$TMP/sb"
cmp -s "$TMP/sa" "$TMP/sb" && ok "summary.json identical but wall time" || fail "summary.json differs"
names () { grep -o '"Created pod: [a-z0-9-]*"' "$1/events.jsonl" | sort; }
if [ "$(names "$TMP/a")" = "$(names "$TMP/c")" ]; then
  fail "seed 2 gave the same pod names"
else
  ok "seed 2 gives other pod names"
fi
grep -q '"seed": 2' "$TMP/c/summary.json" && ok "the seed is in the summary" || fail "seed missing"

# Crashes from kubesim.io/crash-rate: the same times with the same seed, other times with another.
x="$TOP_SRCDIR/examples/crashes.yaml"
kubesim run -q --out "$TMP/x1" "$x" || fail "crashes: first run"
kubesim run -q --out "$TMP/x2" "$x" || fail "crashes: second run"
kubesim run -q --seed 2 --out "$TMP/x3" "$x" || fail "crashes: run with seed 2"
crashes () { grep '"name":"default/flaky' "$1/events.jsonl" | grep '"event":"BackOff"' | cut -d, -f1; }
[ -n "$(crashes "$TMP/x1")" ] || fail "crashes: no crash in 10 minutes at 30/h"
[ "$(crashes "$TMP/x1")" = "$(crashes "$TMP/x2")" ] && ok "crashes: same seed, same times" \
  || fail "crashes: same seed, other times"
[ "$(crashes "$TMP/x1")" != "$(crashes "$TMP/x3")" ] && ok "crashes: seed 2, other times" \
  || fail "crashes: seed 2 gave the same times"
# Traffic (load: with Poisson noise): the same outputs with the same seed, other draws with another.
t="$TOP_SRCDIR/examples/traffic.yaml"
kubesim run -q --out "$TMP/t1" "$t" || fail "traffic: first run"
kubesim run -q --out "$TMP/t2" "$t" || fail "traffic: second run"
kubesim run -q --seed 2 --out "$TMP/t3" "$t" || fail "traffic: run with seed 2"
cmp -s "$TMP/t1/metrics.csv" "$TMP/t2/metrics.csv" && ok "traffic: metrics.csv identical" \
  || fail "traffic: metrics.csv differs between runs"
grep -v wall_time_s "$TMP/t1/summary.json" >"$TMP/ta"
grep -v wall_time_s "$TMP/t2/summary.json" >"$TMP/tb"
cmp -s "$TMP/ta" "$TMP/tb" && ok "traffic: summary.json identical" || fail "traffic: summary differs"
requests () { grep '"requests"' "$1/summary.json"; }
[ -n "$(requests "$TMP/t1")" ] || fail "traffic: no services section"
[ "$(requests "$TMP/t1")" != "$(requests "$TMP/t3")" ] && ok "traffic: seed 2, other requests" \
  || fail "traffic: seed 2 gave the same requests"
# Random node failures (the failures model): the same outputs with the same seed, other failure
# times with another.
n="$TOP_SRCDIR/examples/node-failure.yaml"
kubesim run -q --out "$TMP/n1" "$n" || fail "node-failure: first run"
kubesim run -q --out "$TMP/n2" "$n" || fail "node-failure: second run"
kubesim run -q --seed 2 --out "$TMP/n3" "$n" || fail "node-failure: run with seed 2"
cmp -s "$TMP/n1/events.jsonl" "$TMP/n2/events.jsonl" && ok "node-failure: events identical" \
  || fail "node-failure: events differ between runs"
failed () { grep '"event":"FailNode"' "$1/events.jsonl" | cut -d, -f1,4; }
[ "$(failed "$TMP/n1")" != "$(failed "$TMP/n3")" ] && ok "node-failure: seed 2, other failures" \
  || fail "node-failure: seed 2 gave the same failures"
# The locale does not change the outputs: numbers keep their "." under a decimal-comma locale.
wall='^  "wall_time_s": [0-9][0-9]*\.[0-9][0-9][0-9],$'
loc=""
for l in de_DE.UTF-8 de_DE.utf8 fr_FR.UTF-8 fr_FR.utf8; do
  locale -a 2>/dev/null | grep -qx "$l" && { loc=$l; break; }
done
if [ -z "$loc" ] && mkdir -p "$TMP/locale" && localedef -i de_DE -f UTF-8 "$TMP/locale/de_DE.UTF-8" >/dev/null 2>&1; then
  loc=de_DE.UTF-8
  LOCPATH="$TMP/locale"
  export LOCPATH
fi
if [ -n "$loc" ]; then
  # (A subshell: a shell that does not know the locale warns on stderr when LC_ALL is set.)
  (LC_ALL=$loc && export LC_ALL && kubesim run -q --out "$TMP/d" "$q") 2>/dev/null \
    || fail "run under $loc"
  grep -q "$wall" "$TMP/d/summary.json" && ok "wall_time_s under $loc" \
    || fail "wall_time_s under $loc: $(grep wall_time_s "$TMP/d/summary.json")"
  grep -v wall_time_s "$TMP/d/summary.json" >"$TMP/sd"
  cmp -s "$TMP/sa" "$TMP/sd" && cmp -s "$TMP/a/metrics.csv" "$TMP/d/metrics.csv" \
    && ok "outputs identical under $loc" || fail "outputs differ under $loc"
  unset LOCPATH
else
  ok "no decimal-comma locale here: locale check not run"
fi

# Outputs are UTF-8 whatever the bytes of the scenario's file name (it names the scenario and
# appears in messages).
latin1=$(printf 'caf\351')
mkdir -p "$TMP/l1"
cp -R "$TOP_SRCDIR/examples/manifests" "$TMP/l1/"
# No "name:": the file name names the scenario.  The second failNode fails (ActionFailed).
sed '/^name: /d' "$q" >"$TMP/l1/$latin1.yaml"
printf '  - {at: 1m, failNode: {name: pool-b-1}}\n  - {at: 2m, failNode: {name: pool-b-1}}\n' \
  >>"$TMP/l1/$latin1.yaml"
kubesim run -q --out "$TMP/e" "$TMP/l1/$latin1.yaml" 2>/dev/null || fail "run of $TMP/l1/$latin1.yaml"
for f in events.jsonl summary.json; do
  iconv -f UTF-8 -t UTF-8 "$TMP/e/$f" >/dev/null 2>&1 && ok "$f is UTF-8" || fail "$f is not UTF-8"
done
expect_grep "the scenario is named with U+FFFD" '"scenario": "caf\\ufffd"' "$TMP/e/summary.json"
expect_grep "the message names the file" 'failNode at .*caf\\ufffd\.yaml:' "$TMP/e/events.jsonl"
# Volumes: provisioned volumes are named after their claims' UIDs, drawn from the seed.
v="$TOP_SRCDIR/examples/volumes.yaml"
kubesim run -q --out "$TMP/v1" "$v" || fail "volumes: first run"
kubesim run -q --out "$TMP/v2" "$v" || fail "volumes: second run"
kubesim run -q --seed 2 --out "$TMP/v3" "$v" || fail "volumes: run with seed 2"
cmp -s "$TMP/v1/events.jsonl" "$TMP/v2/events.jsonl" && ok "volumes: events identical" \
  || fail "volumes: events differ between runs"
volume () { grep -o 'provisioned volume pvc-[0-9a-f-]*' "$1/events.jsonl"; }
[ -n "$(volume "$TMP/v1")" ] || fail "volumes: nothing provisioned"
[ "$(volume "$TMP/v1")" != "$(volume "$TMP/v3")" ] && ok "volumes: seed 2, other volume names" \
  || fail "volumes: seed 2 gave the same volume name"
# The cluster autoscaler: identical runs (events, metrics, summary but its wall time).
a="$TOP_SRCDIR/examples/cluster-autoscaler.yaml"
kubesim run -q --out "$TMP/a1" "$a" || fail "autoscaler: first run"
kubesim run -q --out "$TMP/a2" "$a" || fail "autoscaler: second run"
for f in events.jsonl metrics.csv; do
  cmp -s "$TMP/a1/$f" "$TMP/a2/$f" && ok "autoscaler: $f identical" || fail "autoscaler: $f differs"
done
expect_eq "autoscaler: summary identical" "$(grep -v wall_time "$TMP/a1/summary.json")" \
  "$(grep -v wall_time "$TMP/a2/summary.json")"
finish

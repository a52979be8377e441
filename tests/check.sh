#!/bin/sh
# kubesim check (docs/ci.md): TAP for examples/regression (one scenario known to fail), exit
# codes 0/1/2, the same report with --jobs, JUnit XML valid against tests/junit.xsd, golden
# metrics.csv files and their first divergence, and kubesim run's exit status and summary.json
# expectations.
. "$TOP_SRCDIR/tests/lib.sh"

reg="$TOP_SRCDIR/examples/regression"

kubesim check --out "$TMP/o1" --junit "$TMP/junit.xml" "$reg" >"$TMP/tap1" 2>"$TMP/err1"
expect_eq "a failing expectation: exit 1" $? 1
expect_eq "TAP version first" "$(head -n 1 "$TMP/tap1")" "TAP version 13"
expect_eq "the plan last" "$(tail -n 1 "$TMP/tap1")" "1..13"
expect_eq "12 assertions pass" "$(grep -c '^ok ' "$TMP/tap1")" 12
expect_eq "one fails" "$(grep -c '^not ok ' "$TMP/tap1")" 1
expect_grep "the failing one" "^not ok 7 - overload: at 8m: service/web.latency_p95 < 0.2$" "$TMP/tap1"
expect_grep "its observed value" "^  observed: 1\.66641$" "$TMP/tap1"
expect_grep "its time" "^  t: 8m$" "$TMP/tap1"
expect_grep "its place" "^  where: \".*examples/regression/overload.yaml:44:5\"$" "$TMP/tap1"
expect_grep "a named expectation" "^ok 5 - node-failure: web is whole again after the evictions$" "$TMP/tap1"
expect_grep "a window" "^ok 10 - scale-up: within \[2m, 3m\]: deployment/web.status.readyReplicas == 6$" "$TMP/tap1"
[ -s "$TMP/err1" ] && fail "check wrote to stderr: $(cat "$TMP/err1")" || ok "nothing on stderr"

kubesim check --jobs 3 --out "$TMP/o3" "$reg" >"$TMP/tap3" 2>&1
expect_eq "--jobs 3: exit 1" $? 1
cmp -s "$TMP/tap1" "$TMP/tap3" && ok "--jobs 3 reports the same, in the same order" \
  || { fail "--jobs 3 reports differently"; diff "$TMP/tap1" "$TMP/tap3" >&2; }
cmp -s "$TMP/o1/scale-up/metrics.csv" "$TMP/o3/scale-up/metrics.csv" \
  && ok "--jobs 3: identical metrics" || fail "--jobs 3: metrics differ"

if command -v xmllint >/dev/null 2>&1; then
  xmllint --noout --schema "$TOP_SRCDIR/tests/junit.xsd" "$TMP/junit.xml" 2>"$TMP/xmllint"
  expect_eq "JUnit XML is valid against tests/junit.xsd" $? 0
  cat "$TMP/xmllint" >&2
  expect_eq "JUnit: counts" "$(grep -c '<testsuites name="kubesim check" tests="13" failures="1" errors="0"' "$TMP/junit.xml")" 1
  expect_grep "JUnit: the failure" '<failure message="observed 1.66641 at 8m" type="expectation">' "$TMP/junit.xml"
else
  fail "xmllint is missing (scripts/deps installs libxml2-utils)"
fi

kubesim check --out "$TMP/o" "$reg/scale-up.yaml" "$reg/latency.yaml" >"$TMP/tap" 2>&1
expect_eq "passing scenarios: exit 0" $? 0
expect_eq "their plan" "$(tail -n 1 "$TMP/tap")" "1..8"

kubesim check --out "$TMP/o" --junit "$TMP/bad.xml" "$TOP_SRCDIR/tests/bad/bad-expect.yaml" "$reg/scale-up.yaml" >"$TMP/tap" 2>&1
expect_eq "bad input: exit 2" $? 2
expect_grep "bad input: not ok" "^not ok 1 - bad-expect: bad input: nothing was run$" "$TMP/tap"
expect_grep "bad input: the problems" "expect\[0\].that: at character 37" "$TMP/tap"
expect_grep "bad input: the others still run" "^ok 6 - scale-up" "$TMP/tap"
if command -v xmllint >/dev/null 2>&1; then
  xmllint --noout --schema "$TOP_SRCDIR/tests/junit.xsd" "$TMP/bad.xml" 2>/dev/null
  expect_eq "JUnit XML with an error is valid" $? 0
  expect_grep "JUnit: the error" '<error message="the scenario could not be run" type="error">' "$TMP/bad.xml"
fi

kubesim check --out "$TMP/o" "$TMP/nowhere" >"$TMP/e" 2>&1
expect_eq "a missing path: exit 2" $? 2
expect_grep "a missing path: named" "nowhere: no such file or folder" "$TMP/e"
mkdir -p "$TMP/empty"
kubesim check --out "$TMP/o" "$TMP/empty" >"$TMP/e" 2>&1
expect_eq "no scenarios: exit 2" $? 2
kubesim check --jobs 0 "$reg" >"$TMP/e" 2>&1
expect_eq "--jobs 0: exit 2" $? 2
kubesim check --tolerance x "$reg" >"$TMP/e" 2>&1
expect_eq "--tolerance x: exit 2" $? 2
kubesim check --update-golden "$reg" >"$TMP/e" 2>&1
expect_eq "--update-golden without --golden: exit 2" $? 2
mkdir -p "$TMP/dup"
cp "$reg/latency.yaml" "$TMP/dup/a.yaml"
cp "$reg/latency.yaml" "$TMP/dup/b.yaml"
kubesim check --out "$TMP/o" "$TMP/dup" >"$TMP/e" 2>&1
expect_eq "two scenarios of one name: exit 2" $? 2

# The default folder: .kubesim/ when there is no tests/regression.  Manifests beside scenarios
# are not scenarios.
mkdir -p "$TMP/proj/.kubesim"
cp "$reg/latency.yaml" "$TMP/proj/.kubesim/"
cp "$TOP_SRCDIR/examples/manifests/web.yaml" "$TMP/proj/.kubesim/"
(cd "$TMP/proj" && kubesim check) >"$TMP/tap" 2>&1
expect_eq "default .kubesim/: exit 0" $? 0
expect_eq "default .kubesim/: its plan" "$(tail -n 1 "$TMP/tap")" "1..3"
(cd "$TMP/empty" && kubesim check) >"$TMP/e" 2>&1
expect_eq "no default folder: exit 2" $? 2

# Golden metrics.csv files: written, matched, a divergence found and reported first in time.
g="$TMP/golden"
kubesim check --out "$TMP/o" --golden "$g" --update-golden "$reg/scale-up.yaml" >"$TMP/tap" 2>&1
expect_eq "--update-golden: exit 0" $? 0
cmp -s "$g/scale-up/metrics.csv" "$TMP/o/scale-up/metrics.csv" && ok "golden file written" \
  || fail "golden file not written"
kubesim check --out "$TMP/o" --golden "$g" "$reg/scale-up.yaml" >"$TMP/tap" 2>&1
expect_eq "golden: matches, exit 0" $? 0
expect_grep "golden: a TAP line" "^ok 6 - scale-up: metrics.csv matches " "$TMP/tap"
# Change two rows: cluster pods_running at 130 s and 200 s; the first is reported.
awk -F, 'BEGIN { OFS = "," }
  ($1 == 130 || $1 == 200) && $2 == "pods_running" && $3 == "cluster" { $4 = $4 + 1 } { print }' \
  "$g/scale-up/metrics.csv" >"$TMP/m" && mv "$TMP/m" "$g/scale-up/metrics.csv"
kubesim check --out "$TMP/o" --golden "$g" "$reg/scale-up.yaml" >"$TMP/tap" 2>&1
expect_eq "golden: a divergence, exit 1" $? 1
expect_grep "golden: the first divergence" \
  '^  message: "at t=2m10s: pods_running,cluster is [0-9]*, the golden file has [0-9]* (line [0-9]*; tolerance 0.01)"$' "$TMP/tap"
kubesim check --out "$TMP/o" --golden "$g" --tolerance 0.5 "$reg/scale-up.yaml" >"$TMP/tap" 2>&1
expect_eq "golden: within --tolerance 0.5, exit 0" $? 0
kubesim check --out "$TMP/o" --golden "$TMP/nogolden" "$reg/scale-up.yaml" >"$TMP/tap" 2>&1
expect_eq "golden: no golden file, exit 1" $? 1
expect_grep "golden: no golden file, said" "no golden file .*--update-golden" "$TMP/tap"

# kubesim run itself: exit 1 with the outputs written, failures on stderr.
kubesim run -q --out "$TMP/run" "$reg/overload.yaml" >"$TMP/out" 2>"$TMP/err"
expect_eq "run: a failed expectation, exit 1" $? 1
expect_grep "run: the failure on stderr" \
  "overload.yaml:44:5: expectation failed: service/web.latency_p95 < 0.2 (observed 1.66641 at 480s)" "$TMP/err"
[ -e "$TMP/run/summary.json" ] && ok "run: summary.json written" || fail "run: no summary.json"
expect_grep "run: summary.json expectations" '"status": "failed", "observed": 1.666' "$TMP/run/summary.json"
kubesim run -q --out "$TMP/run2" "$reg/scale-up.yaml" >"$TMP/out" 2>&1
expect_eq "run: expectations hold, exit 0" $? 0

# Evaluating expectations does not change the run: the same events and metrics without them.
mkdir -p "$TMP/noexp"
sed '/^expect:/,$d' "$reg/node-failure.yaml" >"$TMP/noexp/node-failure.yaml"
cp -r "$TOP_SRCDIR/examples/manifests" "$TMP/manifests"
kubesim run -q --out "$TMP/run3" "$TMP/noexp/node-failure.yaml" >/dev/null 2>&1
kubesim run -q --out "$TMP/run4" "$reg/node-failure.yaml" >/dev/null 2>&1
cmp -s "$TMP/run3/events.jsonl" "$TMP/run4/events.jsonl" && cmp -s "$TMP/run3/metrics.csv" "$TMP/run4/metrics.csv" \
  && ok "expectations leave events.jsonl and metrics.csv alone" \
  || fail "expectations changed the run's events or metrics"
finish

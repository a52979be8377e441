#!/bin/sh
# kubesim report (docs/experiments.md "The report") on small comparisons:
# - packing.yaml, 2 policies x 3 seeds (compare writes report.html): one <svg> per figure that
#   has data (counted from runs.csv and the runs' files), a sentence for each omitted one; the
#   table's cells equal comparison.csv's; the figures' data against values recomputed from the
#   runs (latency counts and maxima from summary.json, means and t intervals from metrics.csv,
#   medians from comparison.csv); the kept .gp re-renders the same SVG, and a restyled one
#   changes it; the same inputs give the same page; nothing in the page points outside it;
# - without gnuplot on PATH: the tables, the scripts and data, and a note for each figure;
# - an HPA comparison (replicas vs load), a merged comparison (summaries only), pods.csv;
# - bad input: exit 2 and a message.
. "$TOP_SRCDIR/tests/lib.sh"

command -v jq >/dev/null 2>&1 || skip "jq is not installed (scripts/deps installs it)"
command -v gnuplot >/dev/null 2>&1 || skip "gnuplot is not installed (scripts/deps installs gnuplot-nox)"
S="$TOP_SRCDIR/examples/compare/packing.yaml"
cd "$TMP" || exit 1

# expected_figures DIR: figures with data: latency CDF (a pod scheduled by the scheduler), the 6
# time figures (a run with metrics.csv: allocated cpu and memory, used vs allocated cpu and
# memory, pending, nodes) and used vs allocated GPUs (a run with gpu_used_ratio rows), one per
# HPA, one boxplot per compared metric with a value in runs.csv.
expected_figures () {
  n=0
  scheduled=$(cat "$1"/runs/*/seed-*/summary.json | jq -s 'map(.pods.scheduled) | add')
  if ls "$1"/runs/*/seed-*/events.jsonl >/dev/null 2>&1 && [ "$scheduled" -gt 0 ]; then n=$((n + 1)); fi
  if ls "$1"/runs/*/seed-*/metrics.csv >/dev/null 2>&1; then
    n=$((n + 6 + $(cat "$1"/runs/*/seed-*/metrics.csv | awk -F, '$2 == "hpa_current_replicas" { print $3 }' | sort -u | wc -l)))
    if cat "$1"/runs/*/seed-*/metrics.csv | grep -q '^[0-9.]*,gpu_used_ratio,cluster,'; then n=$((n + 1)); fi
  fi
  for m in $(jq -r '.matrix.metrics[]' "$1/compare.json"); do
    awk -F, -v m="$m" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == m) c = i; next }
      $c != "" { found = 1 } END { exit !found }' "$1/runs.csv" && n=$((n + 1))
  done
  echo "$n"
}

kubesim compare "$S" -q --policy default --policy rnd=Random --seeds 3 --jobs 2 --out "$TMP/c" \
  >/dev/null 2>"$TMP/c.err" || { fail "compare"; cat "$TMP/c.err" >&2; }
H="$TMP/c/report.html"
F="$TMP/c/report-files"
[ -s "$H" ] && ok "compare wrote report.html" || fail "no $H"
want=$(expected_figures "$TMP/c")
expect_eq "packing: figures with data (4 boxplots have none)" "$want" 21
expect_eq "one <svg> per figure" "$(grep -o '<svg' "$H" | wc -l)" "$want"
expect_eq "one <figure> per figure" "$(grep -o '<figure ' "$H" | wc -l)" "$want"
expect_eq "omitted figures say why" "$(grep -c '<p class="note omitted">' "$H")" 5
expect_grep "no HPA: the sentence" "No replicas-versus-load figure: the runs have no HorizontalPodAutoscaler" "$H"
expect_grep "an empty metric: the sentence" "No boxplot of makespan: no run has a value" "$H"
expect_grep "metadata: the policies" "<td>default = default; rnd = Random</td>" "$H"
expect_grep "metadata: the seeds" "<td>1, 2, 3</td>" "$H"
expect_grep "metadata: the version" "<td>$(jq -r .kubesim_version "$TMP/c/runs/rnd/seed-1/summary.json")</td>" "$H"
expect_grep "metadata: the scenario's SHA-256" "$(jq -r .matrix.scenario_sha256 "$TMP/c/compare.json")" "$H"

# The table: each body row's cells, joined by commas, = comparison.csv without its baseline
# column (in the metadata); the significance mark " *" dropped.
sed -n '/<table class="comparison">/,/<\/table>/p' "$H" | grep '^<tr' \
  | sed 's#</td><td[^>]*>#,#g; s#<[^>]*>##g; s# \*$##' >"$TMP/table.csv"
tail -n +2 "$TMP/c/comparison.csv" | cut -d, -f1-8,10- >"$TMP/comparison-rows.csv"
cmp -s "$TMP/table.csv" "$TMP/comparison-rows.csv" && ok "table = comparison.csv" \
  || { fail "table differs from comparison.csv"; diff "$TMP/table.csv" "$TMP/comparison-rows.csv" >&2; }
expect_eq "significant rows marked" "$(grep -c '<tr class="sig">' "$H")" \
  "$(awk -F, 'NR > 1 && $15 != "" && $15 != "no"' "$TMP/c/comparison.csv" | wc -l)"

# Latency CDF: per policy as many points as the scheduler bound pods, the last at the maximum.
for p in default rnd; do
  n=$(cat "$TMP"/c/runs/$p/seed-*/summary.json | jq -s 'map(.pods.scheduled) | add')
  max=$(cat "$TMP"/c/runs/$p/seed-*/summary.json | jq -s 'map(.scheduling_latency_s.max) | max')
  got=$(awk -v p="$p" '/^# / { on = ($2 == p ":") ; next } on && NF == 2 { n++; last = $1; f = $2 }
    END { print n, last + 0, f }' "$F/fig-latency-cdf.dat")
  expect_eq "latency CDF of $p: pods, maximum, last fraction" "$got" "$n $max 1"
done

# cpu allocated at 70 s: the mean of the 3 seeds' samples and mean ± t(0.975, 2) sd / sqrt(3).
for p in default rnd; do
  exp=$(cat "$TMP"/c/runs/$p/seed-*/metrics.csv | awk -F, '$1 == 70 && $2 == "cpu_requested_ratio" && $3 == "cluster" {
      v[++n] = $4; s += $4 } END { m = s / n; for (i = 1; i <= n; i++) q += (v[i] - m) ^ 2
      h = 4.302652730 * sqrt(q / (n - 1)) / sqrt(n); printf "%.6f %.6f %.6f %d\n", m, m - h, m + h, n }')
  got=$(awk -v p="$p" '/^# / { on = ($4 == p ","); next } on && $1 == 70 { printf "%.6f %.6f %.6f %d\n", $2, $3, $4, $5 }' "$F/fig-cpu-allocated.dat")
  expect_eq "allocated cpu of $p at 70 s: mean and 95% CI across seeds" "$got" "$exp"
done

# Used vs allocated cpu: per policy the used block is the mean of the runs' cpu_used_ratio, the
# dashed block the allocated figure's line.
block () { # FILE POLICY METRIC: the block's rows
  awk -v p="$2," -v m="$3" '/^# block/ { on = ($4 == p && $5 == m); next } /^#/ { on = 0 } on && NF' "$1"; }
for p in default rnd; do
  exp=$(cat "$TMP"/c/runs/$p/seed-*/metrics.csv | awk -F, '$1 == 70 && $2 == "cpu_used_ratio" && $3 == "cluster" { s += $4; n++ } END { printf "%.6f %d\n", s / n, n }')
  got=$(block "$F/fig-cpu-used.dat" $p cpu_used_ratio | awk '$1 == 70 { printf "%.6f %d\n", $2, $5 }')
  expect_eq "used cpu of $p at 70 s: the mean across seeds" "$got" "$exp"
  expect_eq "used vs allocated cpu of $p: the dashed line is the allocated figure's" \
    "$(block "$F/fig-cpu-used.dat" $p cpu_requested_ratio)" "$(block "$F/fig-cpu-allocated.dat" $p cpu_requested_ratio)"
done

# Boxplots: the median of each policy = comparison.csv's median.
for m in pending_pod_seconds cpu_allocated; do
  for p in default rnd; do
    med=$(awk -F, -v p="$p" -v m="$m" '$1 == p && $2 == m { print $8 + 0 }' "$TMP/c/comparison.csv")
    got=$(awk -v p="$p" 'BEGIN { b = 0 } /^$/ { next } /^# block [1-9]/ { b = 1 } !b && $0 !~ /^#/ && $NF == p { print $6 + 0 }' "$F/fig-box-$m.dat")
    expect_eq "boxplot of $m: median of $p = comparison.csv" "$got" "$med"
  done
done

# The kept script redraws the same SVG; a restyled one draws the change.
cp "$F/fig-nodes.svg" "$TMP/nodes-first.svg"
rm "$F/fig-nodes.svg"
(cd "$F" && gnuplot fig-nodes.gp) && cmp -s "$F/fig-nodes.svg" "$TMP/nodes-first.svg" \
  && ok "fig-nodes.gp redraws fig-nodes.svg" || fail "fig-nodes.gp does not redraw the same SVG"
sed -i 's/^set title .*/set title "Restyled nodes"/' "$F/fig-nodes.gp"
(cd "$F" && gnuplot fig-nodes.gp) && grep -q "Restyled nodes" "$F/fig-nodes.svg" \
  && ok "a restyled script redraws" || fail "restyled fig-nodes.gp"
# The page holds the SVG gnuplot drew (its ids prefixed with the figure's name).
sed -n '/<svg/,$p' "$F/fig-cpu-allocated.svg" | sed "s/id='/id='fig-cpu-allocated-/g; s/id=\"/id=\"fig-cpu-allocated-/g; s/href='#/href='#fig-cpu-allocated-/g" >"$TMP/cpu.svg"
sed -n '/<figure id="fig-cpu-allocated">/,/<figcaption>/p' "$H" | sed '1d;$d' >"$TMP/cpu-inline.svg"
cmp -s "$TMP/cpu.svg" "$TMP/cpu-inline.svg" && ok "the page's SVG is gnuplot's" \
  || { fail "inline SVG differs from fig-cpu-allocated.svg"; diff "$TMP/cpu.svg" "$TMP/cpu-inline.svg" | head >&2; }

# Self-contained: no reference outside the page (SVG namespaces are names, not fetched).
if grep -Eo '(src|href)=["'"'"'][^#"'"'"']|url\([^#]|@import|<script|<link' "$H" >"$TMP/refs"; then
  fail "the page refers outside itself: $(head -n 3 "$TMP/refs")"
else ok "no external reference, no script"; fi

# The same inputs give the same page; kubesim report writes what compare wrote.
kubesim report -q "$TMP/c" --out "$TMP/again/report.html" && cmp -s "$H" "$TMP/again/report.html" \
  && ok "kubesim report = compare's report" || fail "report differs between runs"
cmp -s "$F/fig-box-cpu_allocated.dat" "$TMP/again/report-files/fig-box-cpu_allocated.dat" \
  && ok "same data files" || fail "data files differ"
out=$(kubesim report "$TMP/c" --out "$TMP/named/out.html")
expect_eq "prints where it went" "$out" "$TMP/named/out.html (figures' scripts and data in $TMP/named/out-files)"
[ -f "$TMP/named/out-files/fig-latency-cdf.gp" ] && ok "files beside the page: NAME-files" || fail "no out-files/"

# ---- without gnuplot ------------------------------------------------------------------------
mkdir -p "$TMP/nogp"
if [ -z "${KS_VALGRIND:-}" ]; then
  PATH="$TMP/nogp" "$KUBESIM" report -q "$TMP/c" --out "$TMP/ng/report.html" 2>"$TMP/ng.err"
  expect_eq "no gnuplot: exit 0" "$?" 0
  expect_grep "no gnuplot: says so" "gnuplot is not on PATH" "$TMP/ng.err"
  expect_eq "no gnuplot: no <svg>" "$(grep -c '<svg' "$TMP/ng/report.html")" 0
  expect_eq "no gnuplot: a note in place of each figure" \
    "$(grep -c 'was not drawn: gnuplot was not found on PATH' "$TMP/ng/report.html")" "$want"
  sed -n '/<table class="comparison">/,/<\/table>/p' "$TMP/ng/report.html" | grep '^<tr' \
    | sed 's#</td><td[^>]*>#,#g; s#<[^>]*>##g; s# \*$##' | cmp -s - "$TMP/comparison-rows.csv" \
    && ok "no gnuplot: the table" || fail "no gnuplot: table differs"
  expect_eq "no gnuplot: scripts and data kept" "$(ls "$TMP"/ng/report-files/*.gp | wc -l) $(ls "$TMP"/ng/report-files/*.dat | wc -l)" "$want $want"
  (cd "$TMP/ng/report-files" && gnuplot fig-pending.gp) && [ -s "$TMP/ng/report-files/fig-pending.svg" ] \
    && ok "no gnuplot: the kept script draws later" || fail "no gnuplot: fig-pending.gp"
fi

# ---- an HPA comparison ------------------------------------------------------------------------
kubesim compare "$TOP_SRCDIR/examples/hpa.yaml" -q -p k8s=hpa=kubernetes -p step=hpa=step --seeds 3 \
  --out "$TMP/h" >/dev/null 2>"$TMP/h.err" || { fail "hpa compare"; cat "$TMP/h.err" >&2; }
want_h=$(expected_figures "$TMP/h")
expect_eq "hpa: one <svg> per figure" "$(grep -o '<svg' "$TMP/h/report.html" | wc -l)" "$want_h"
expect_grep "hpa: the replicas-vs-load figure" '<figure id="fig-hpa-1">' "$TMP/h/report.html"
expect_grep "hpa: the load is the Service's request rate" "# block 1: k8s, service_request_rate of default/web, 3 runs" "$TMP/h/report-files/fig-hpa-1.dat"
exp=$(cat "$TMP"/h/runs/step/seed-*/metrics.csv | awk -F, '$1 == 300 && $2 == "hpa_current_replicas" { s += $4; n++ } END { printf "%.6f\n", s / n }')
got=$(awk '/^# block 2:/ { on = 1; next } /^# / { on = 0 } on && $1 == 300 { printf "%.6f\n", $2 }' "$TMP/h/report-files/fig-hpa-1.dat")
expect_eq "hpa: step's mean replicas at 300 s" "$got" "$exp"

# ---- a merged comparison: summaries only ---------------------------------------------------
for i in 1 2; do
  kubesim compare "$S" -q -p default -p rnd=Random --seeds 3 -j 2 --shard $i/2 --out "$TMP/s$i" >/dev/null 2>&1
done
kubesim compare --merge "$TMP/s1" "$TMP/s2" --out "$TMP/m" >/dev/null 2>&1 || fail "merge"
expect_eq "merged: boxplots only" "$(grep -o '<svg' "$TMP/m/report.html" | wc -l)" "$(expected_figures "$TMP/m")"
expect_eq "merged: 14 boxplots" "$(expected_figures "$TMP/m")" 14
expect_grep "merged: why no time figure" "No figure of Nodes: no run has a metrics.csv (a merged comparison keeps only the runs' summary.json)." "$TMP/m/report.html"
expect_grep "merged: why no latency figure" "No scheduling latency figure: no run has an events.jsonl or pods.csv" "$TMP/m/report.html"
sed -n '/<table class="comparison">/,/<\/table>/p' "$TMP/m/report.html" | grep '^<tr' \
  | sed 's#</td><td[^>]*>#,#g; s#<[^>]*>##g; s# \*$##' | cmp -s - "$TMP/comparison-rows.csv" \
  && ok "merged: the same table" || fail "merged: table differs"

# ---- two directories in one page, pods.csv -------------------------------------------------
cp -r "$TMP/c" "$TMP/p"
printf 'name,created,scheduled,started,finished,node,attempts,outcome\na,0,2.5,3,,n,1,Running\nb,1,,,,,1,Pending\nc,4,4,5,,n,1,Running\n' \
  >"$TMP/p/runs/rnd/seed-1/pods.csv"
kubesim report -q "$TMP/c" "$TMP/p" --out "$TMP/two.html" || fail "report on two directories"
expect_eq "two directories: figures of both" "$(grep -o '<svg' "$TMP/two.html" | wc -l)" $((want * 2))
expect_grep "two directories: figure names per directory" '<figure id="d2-fig-latency-cdf">' "$TMP/two.html"
n_rnd=$(cat "$TMP"/c/runs/rnd/seed-[23]/summary.json | jq -s 'map(.pods.scheduled) | add')
expect_eq "pods.csv: its latencies replace the run's events" \
  "$(awk '/^# rnd:/ { on = 1; next } /^# / { on = 0 } on && NF == 2 { n++; if ($1 == 2.5) a++ } END { print n, a }' "$TMP/two-files/d2-fig-latency-cdf.dat")" \
  "$((n_rnd + 2)) 1"

# ---- bad input -----------------------------------------------------------------------------
bad () { # WHAT PATTERN ARGS...
  what=$1 pattern=$2
  shift 2
  kubesim report "$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
  status=$?
  expect_eq "bad input: $what: exit 2" "$status" 2
  expect_grep "bad input: $what: message" "$pattern" "$TMP/bad.err"
}
bad "no directory" "missing DIR"
bad "not a directory" "nothere: not a directory" "$TMP/nothere"
mkdir -p "$TMP/empty"
bad "no compare.json" "compare.json: .*not a kubesim compare output directory" "$TMP/empty"
echo '{"x": 1}' >"$TMP/empty/compare.json"
bad "another JSON" "not written by kubesim compare" "$TMP/empty"
cp -r "$TMP/m" "$TMP/b1" && rm "$TMP/b1/runs.csv"
bad "no runs.csv" "runs.csv: .*not a kubesim compare output directory" "$TMP/b1"
cp -r "$TMP/m" "$TMP/b2" && echo "default,x" >>"$TMP/b2/comparison.csv"
bad "a short row" "comparison.csv:38: 2 fields, the header has 15" "$TMP/b2"
cp -r "$TMP/c" "$TMP/b3" && echo "10,nodes,cluster,lots" >>"$TMP/b3/runs/rnd/seed-2/metrics.csv"
bad "a bad metrics.csv row" "runs/rnd/seed-2/metrics.csv:[0-9]*: expected t,metric,object,value with numbers" "$TMP/b3"
bad "two directories, no --out" "several directories: give --out" "$TMP/c" "$TMP/m"
[ ! -e "$TMP/b3/report-files/fig-nodes.gp" ] || [ "$TMP/b3/report-files/fig-nodes.gp" -ot "$TMP/b3/runs/rnd/seed-2/metrics.csv" ] \
  && ok "bad input: nothing written" || fail "bad input: files written"

finish

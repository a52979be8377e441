#!/bin/sh
# The report (docs/experiments.md "The report") opened in headless Chromium, inside a private
# network namespace (unshare --net: no packet can leave): it renders, holds one SVG per expected
# figure, each drawn with a size, and the console shows no message at all (the page has no
# script, so any console line is an error: a resource that failed, a parse error).
#
# How the console is read: chromium --enable-logging=stderr --v=0 writes every console message
# as "...:INFO:CONSOLE(line)] "text", source: URL (line)" on stderr; a probe page that calls
# console.error and throws checks that this capture works here before the report is judged by it.
# The rendering is checked on a copy of the page with a script added that logs, after the load,
# how many <svg> elements there are and how many have a laid-out size and drawn content.
. "$TOP_SRCDIR/tests/lib.sh"

command -v chromium >/dev/null 2>&1 || skip "chromium is not installed (scripts/deps installs it)"
command -v gnuplot >/dev/null 2>&1 || skip "gnuplot is not installed (scripts/deps installs gnuplot-nox)"
command -v jq >/dev/null 2>&1 || skip "jq is not installed (scripts/deps installs it)"
if unshare --net true 2>/dev/null; then
  NETNS="unshare --net"
elif unshare --user --map-root-user --net true 2>/dev/null; then
  NETNS="unshare --user --map-root-user --net"
else
  skip "cannot make a private network namespace (unshare --net) here"
fi
cd "$TMP" || exit 1
export HOME="$TMP/home"
mkdir -p "$HOME"

# browse NAME URL: chromium's DOM in NAME.dom, its log in NAME.log, a screenshot in NAME.png.
browse () {
  # shellcheck disable=SC2086
  $NETNS timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-extensions --disable-background-networking --disable-component-update \
    --disable-sync --disable-default-apps --user-data-dir="$TMP/profile-$1" \
    --enable-logging=stderr --v=0 --window-size=1100,2000 --dump-dom "$2" >"$1.dom" 2>"$1.log"
  status=$?
  # shellcheck disable=SC2086
  $NETNS timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-extensions --disable-background-networking --disable-component-update \
    --disable-sync --disable-default-apps --user-data-dir="$TMP/profile-$1" \
    --window-size=1100,2000 --screenshot="$TMP/$1.png" "$2" >/dev/null 2>&1
  return $status
}

printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>probe</title></head><body><p>probe</p><script>console.error("kubesim-probe-error"); no_such_function();</script></body></html>\n' >probe.html
if ! browse probe "file://$TMP/probe.html" || ! grep -q '</html>' probe.dom; then
  cat probe.log >&2
  skip "chromium does not run here (see its log above)"
fi
grep -q 'CONSOLE.*kubesim-probe-error' probe.log && grep -q 'CONSOLE.*no_such_function' probe.log \
  && ok "the console capture sees console.error and an uncaught error" \
  || { fail "chromium's log does not show the probe's console messages"; cat probe.log >&2; }

kubesim compare "$TOP_SRCDIR/examples/hpa.yaml" -q -p k8s=hpa=kubernetes -p step=hpa=step \
  --seeds 3 --out "$TMP/c" >/dev/null 2>"$TMP/c.err" || { fail "compare"; cat "$TMP/c.err" >&2; }
H="$TMP/c/report.html"
# The figures with data: latency, 6 time figures (no GPU), the HPA, the boxplots with values.
want=$((1 + 6 + 1))
for m in $(jq -r '.matrix.metrics[]' "$TMP/c/compare.json"); do
  awk -F, -v m="$m" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == m) c = i; next }
    $c != "" { found = 1 } END { exit !found }' "$TMP/c/runs.csv" && want=$((want + 1))
done
expect_eq "the page has one <svg> per figure" "$(grep -o '<svg' "$H" | wc -l)" "$want"

browse report "file://$H" || fail "chromium on the report: exit $status"
expect_eq "rendered DOM: one <svg> per figure" "$(grep -o '<svg' report.dom | wc -l)" "$want"
expect_grep "rendered DOM: the comparison table" '<table class="comparison">' report.dom
if grep 'CONSOLE' report.log >console.txt; then
  fail "console messages: $(head -n 5 console.txt)"
else ok "no console message"; fi
[ -s report.png ] && ok "a screenshot was taken" || fail "no screenshot"

sed 's#</body>#<script>addEventListener("load", () => { const s = [...document.querySelectorAll("figure > svg")]; console.log("kubesim-svgs " + document.querySelectorAll("svg").length + " " + s.filter(e => e.getBoundingClientRect().width > 300 \&\& e.getBoundingClientRect().height > 100 \&\& e.getBBox().width > 0).length); });</script></body>#' \
  "$H" >"$TMP/c/instrumented.html"
browse instrumented "file://$TMP/c/instrumented.html" || fail "chromium on the instrumented page"
expect_eq "every SVG laid out with a size and drawn" \
  "$(sed -n 's/.*CONSOLE.*"kubesim-svgs \([0-9]*\) \([0-9]*\)".*/\1 \2/p' instrumented.log)" "$want $want"

finish

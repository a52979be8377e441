#!/bin/sh
# kubesim schedule: golden outputs (tests/schedule/cases: -o json must equal NAME.json and
# -o table NAME.txt, byte for byte), what the outputs must agree on, and bad input (exit 2,
# every problem as file:line:column: field: message, nothing on stdout).
# KUBESIM_REGENERATE=1 make check TESTS=tests/schedule.sh rewrites the expected files; review
# the diff before committing it.
. "$TOP_SRCDIR/tests/lib.sh"

cd "$TOP_SRCDIR" || exit 99
golden=tests/schedule
grep -v '^#' "$golden/cases" >"$TMP/cases"
while read -r name args; do
  for format in json table; do
    ext=$format
    [ "$format" = table ] && ext=txt
    # shellcheck disable=SC2086
    if ! kubesim schedule -o "$format" $args >"$TMP/$name.$ext" 2>"$TMP/err"; then
      fail "$name: -o $format failed"
      cat "$TMP/err" >&2
      continue
    fi
    if [ -n "${KUBESIM_REGENERATE:-}" ]; then
      cp "$TMP/$name.$ext" "$golden/$name.$ext"
      ok "$name.$ext: regenerated"
    elif cmp -s "$TMP/$name.$ext" "$golden/$name.$ext"; then
      ok "$name: -o $format"
    else
      fail "$name: -o $format differs from $golden/$name.$ext (KUBESIM_REGENERATE=1 to update)"
      diff "$golden/$name.$ext" "$TMP/$name.$ext" | head -n 20 >&2
    fi
  done
  # The table says what the JSON says: the selected node and each node's total.
  sel=$(sed -n 's/^  "selected": "\(.*\)",$/\1/p' "$TMP/$name.json")
  [ -n "$sel" ] || sel="<none>"
  expect_eq "$name: table and JSON select the same node" \
    "$(sed -n 's/^Selected: *//p' "$TMP/$name.txt")" "$sel"
  totals_json=$(sed -n 's/^      "total": \(.*\)$/\1/p' "$TMP/$name.json" | sed 's/null/-/' | tr '\n' ' ')
  totals_table=$(awk 'index($0, "NODE ") == 1 { c = index($0, "TOTAL"); next }
    c && NF == 0 { exit }
    c { s = substr($0, c); sub(/ .*/, "", s); print s }' "$TMP/$name.txt" | tr '\n' ' ')
  expect_eq "$name: table and JSON give the same totals" "$totals_table" "$totals_json"
done <"$TMP/cases"

# Ties: the seed draws among the best nodes only, and another seed may draw another.
picked=""
for seed in 1 2 3 4 5 6 7 8; do
  picked="$picked $(kubesim schedule --seed "$seed" -o json examples/schedule/identical.yaml \
    examples/schedule/web.yaml | sed -n 's/^  "selected": "\(.*\)",$/\1/p')"
done
n=$(echo "$picked" | tr ' ' '\n' | sort -u | grep -c .)
[ "$n" -gt 1 ] && ok "ties: seeds pick different nodes ($picked)" || fail "ties: always$picked"

# A pod that fits nowhere: the FitError message, exit 0 (the explanation is the answer).
kubesim schedule -o json examples/schedule/cluster.yaml examples/schedule/big.yaml >"$TMP/out"
expect_eq "no fit exits 0" $? 0
expect_grep "no fit: Kubernetes' message, preemption's part included" \
  '"message": "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."' "$TMP/out"
expect_grep "no fit: nothing selected" '"selected": null' "$TMP/out"

# Bad input: tests/schedule/bad-NAME.state.yaml and bad-NAME.pod.yaml (or a case's own args in
# bad-NAME.args), expected stderr in bad-NAME.expected.
for expected in "$golden"/bad-*.expected; do
  name=$(basename "$expected" .expected)
  if [ -e "$golden/$name.args" ]; then
    args=$(cat "$golden/$name.args")
  else
    args="$golden/$name.state.yaml $golden/$name.pod.yaml"
  fi
  # shellcheck disable=SC2086
  kubesim schedule $args >"$TMP/stdout" 2>"$TMP/stderr"
  expect_eq "$name: exit status" $? 2
  if cmp -s "$TMP/stderr" "$expected"; then
    ok "$name: messages"
  else
    fail "$name: messages differ from $expected"
    diff "$expected" "$TMP/stderr" >&2
  fi
  [ -s "$TMP/stdout" ] && fail "$name: wrote to stdout" || ok "$name: nothing on stdout"
done

# Random draws from the profile's stream: the explanation's cycle, which starts that stream from
# the same seed and walks the same nodes, shows the scores the scheduler drew (its pick has the
# highest total), and another seed draws others.
cat >"$TMP/random.yaml" <<'YAML'
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - plugins:
      score: {disabled: [{name: "*"}], enabled: [{name: Random}]}
YAML
for seed in 1 2 3; do
  kubesim schedule --seed "$seed" --config "$TMP/random.yaml" -o json examples/schedule/identical.yaml \
    examples/schedule/web.yaml >"$TMP/random-$seed.json" || fail "Random, seed $seed"
  sel=$(sed -n 's/^  "selected": "\(.*\)",$/\1/p' "$TMP/random-$seed.json")
  best=$(awk '/"name":/ { gsub(/[",]/, "", $2); n = $2 } /"total":/ { if ($2 + 0 > max) { max = $2 + 0; b = n } } END { print b }' \
    "$TMP/random-$seed.json")
  expect_eq "Random, seed $seed: the pick has the highest drawn total" "$sel" "$best"
  grep -q '"Random": {"raw": ' "$TMP/random-$seed.json" && ok "Random, seed $seed: its column" ||
    fail "Random, seed $seed: no Random score"
done
cmp -s "$TMP/random-1.json" "$TMP/random-2.json" && fail "Random: seeds 1 and 2 drew the same" ||
  ok "Random: another seed, other draws"

# A plugin from a policy module (--policy-path) is explained like a built-in one.
if [ -n "${KS_EXAMPLE_MODULE:-}" ] && [ -e "$KS_EXAMPLE_MODULE" ]; then
  mkdir -p "$TMP/modules"
  ln -s "$KS_EXAMPLE_MODULE" "$TMP/modules/prefer-node-label.so"
  cat >"$TMP/prefer-hdd.yaml" <<'YAML'
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - plugins:
      multiPoint:
        enabled: [{name: PreferNodeLabel, weight: 50}]
    pluginConfig:
      - name: PreferNodeLabel
        args: {label: disk, value: hdd}
YAML
  kubesim schedule --policy-path "$TMP/modules" --config "$TMP/prefer-hdd.yaml" \
    examples/schedule/cluster.yaml examples/schedule/web.yaml >"$TMP/module.txt" 2>&1 ||
    { fail "schedule with a policy module"; cat "$TMP/module.txt" >&2; }
  expect_grep "the module's plugin is a column, with its weight" "PreferNodeLabel\*50" "$TMP/module.txt"
  expect_grep "and moves the pod to the hdd node" "^Selected: *node-c$" "$TMP/module.txt"
  kubesim schedule --config "$TMP/prefer-hdd.yaml" examples/schedule/cluster.yaml \
    examples/schedule/web.yaml >"$TMP/e" 2>&1
  expect_eq "without the module the configuration is refused" $? 2
  kubesim schedule --policy-path "$TMP/no-such-dir" examples/schedule/cluster.yaml \
    examples/schedule/web.yaml >"$TMP/e" 2>&1
  expect_eq "a missing policy directory exits 2" $? 2
fi

kubesim schedule examples/schedule/cluster.yaml >"$TMP/e" 2>&1
expect_eq "schedule without POD exits 2" $? 2
expect_grep "schedule says what is missing" "missing POD" "$TMP/e"
kubesim schedule -o yaml examples/schedule/cluster.yaml examples/schedule/web.yaml >"$TMP/e" 2>&1
expect_eq "an unknown format exits 2" $? 2
expect_grep "the format is named" 'unknown format "yaml": expected json or table' "$TMP/e"
kubesim schedule --seed x examples/schedule/cluster.yaml examples/schedule/web.yaml >"$TMP/e" 2>&1
expect_eq "a bad seed exits 2" $? 2
finish

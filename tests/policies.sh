#!/bin/sh
# Scheduler policies from the command line (docs/policies.md, docs/policy-abi.md):
# `kubesim policies` lists the built-in and loaded plugins; the example module
# (policies/examples/prefer-node-label.c) loads from --policy-path and KUBESIM_POLICY_PATH and
# changes where pods go; every bad module is refused with exit 2 and a message naming the file;
# Random places by the seed alone; DominantResourceFairness and GPUPacking change placements.
. "$TOP_SRCDIR/tests/lib.sh"

: "${KS_EXAMPLE_MODULE:?run through make check}"
: "${KS_BAD_MODULES:?run through make check}"
: "${KS_EXAMPLE_AUTOSCALER_MODULE:?run through make check}"
unset KUBESIM_POLICY_PATH
ex="$TOP_SRCDIR/examples/policies"

# A directory holding only the example module.
mods="$TMP/modules"
mkdir -p "$mods"
ln -s "$KS_EXAMPLE_MODULE" "$mods/prefer-node-label.so"

# Nodes of the Scheduled events, in order, and per pod-name prefix.
placements () { grep '"event":"Scheduled"' "$1/events.jsonl" | sed 's/.*"node":"\([^"]*\)".*/\1/'; }
count_on () { grep '"event":"Scheduled"' "$1/events.jsonl" | grep -c "\"node\":\"$2\""; }

# ---- kubesim policies ----
kubesim policies >"$TMP/list" 2>&1 || fail "kubesim policies"
expect_grep "header" '^NAME  *EXTENSION POINTS  *FROM$' "$TMP/list"
expect_grep "PrioritySort is in the default profile" '^PrioritySort  *queueSort  *built in (default profile)$' "$TMP/list"
for p in Random FirstFit BestFit WorstFit DotProduct; do
  expect_grep "$p is a research score" "^$p  *score  *built in (research)$" "$TMP/list"
done
expect_grep "GPUPacking's points" '^GPUPacking  *preFilter,filter,preScore,score  *built in (research)$' "$TMP/list"
for p in FIFO ShortestJobFirst DominantResourceFairness; do
  expect_grep "$p is a research queue sort" "^$p  *queueSort  *built in (research)$" "$TMP/list"
done
expect_grep "autoscaler policies header" '^AUTOSCALER POLICY  *FROM$' "$TMP/list"
expect_grep "kubernetes is the default autoscaler policy" '^kubernetes  *built in (default)$' "$TMP/list"
for p in predictive step; do
  expect_grep "$p is an autoscaler policy" "^$p  *built in$" "$TMP/list"
done
if grep -q PreferNodeLabel "$TMP/list"; then fail "a module plugin listed without a path"; else ok "no module without a path"; fi

kubesim policies --policy-path "$mods" >"$TMP/list" 2>&1 || fail "kubesim policies --policy-path"
expect_grep "the module's plugin and file" "^PreferNodeLabel  *score  *$mods/prefer-node-label.so$" "$TMP/list"
KUBESIM_POLICY_PATH="/nonexistent-is-not-read-first:$mods" kubesim policies >"$TMP/env" 2>&1
expect_eq "a missing directory in KUBESIM_POLICY_PATH is an error" "$?" 2
expect_grep "it is named" 'kubesim policies: KUBESIM_POLICY_PATH: policy path "/nonexistent-is-not-read-first": ' "$TMP/env"
KUBESIM_POLICY_PATH=":$mods:" kubesim policies >"$TMP/env" 2>&1 || fail "KUBESIM_POLICY_PATH"
expect_grep "KUBESIM_POLICY_PATH loads the module" "^PreferNodeLabel  *score  *$mods/prefer-node-label.so$" "$TMP/env"
# --policy-path and the environment name the same module: loaded once, no duplicate
KUBESIM_POLICY_PATH="$mods" kubesim policies --policy-path "$mods" >"$TMP/both" 2>&1
expect_eq "the same directory twice loads once" "$?" 0
expect_eq "listed once" "$(grep -c '^PreferNodeLabel ' "$TMP/both")" 1

kubesim policies -o json --policy-path "$mods" >"$TMP/json" 2>&1 || fail "policies -o json"
expect_grep "json: ABI version" '"abiVersion" : 6,' "$TMP/json"
expect_grep "json: the module" "\"module\" : \"$mods/prefer-node-label.so\"" "$TMP/json"
expect_grep "json: DRF observes the cluster" '"observesCluster" : true' "$TMP/json"
if command -v python3 >/dev/null 2>&1; then
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert any(p["name"] == "PreferNodeLabel" and p["origin"] == "module" and p["extensionPoints"] == ["score"] for p in d["plugins"])' "$TMP/json" \
    && ok "json parses" || fail "json does not parse or lacks the module"
fi
kubesim policies -o yaml >"$TMP/out" 2>&1
expect_eq "-o yaml is refused" "$?" 2
expect_grep "what is valid" 'use table or json' "$TMP/out"

# ---- the example module changes placements ----
kubesim run -q --out "$TMP/gold" "$ex/prefer-gold.yaml" >"$TMP/out" 2>&1
expect_eq "without the module the profile is refused" "$?" 2
expect_grep "unknown plugin" 'unknown plugin "PreferNodeLabel"' "$TMP/out"
kubesim run -q --policy-path "$mods" --out "$TMP/gold" "$ex/prefer-gold.yaml" || fail "run with the module"
# gold-0 has 4 cpu: the first four 1-cpu pods go there, the last two elsewhere
expect_eq "the first four pods on the gold node" "$(placements "$TMP/gold" | head -n 4 | sort -u)" gold-0
expect_eq "four pods on gold-0" "$(count_on "$TMP/gold" gold-0)" 4
KUBESIM_POLICY_PATH="$mods" kubesim run -q --out "$TMP/gold-env" "$ex/prefer-gold.yaml" || fail "run with KUBESIM_POLICY_PATH"
expect_eq "the environment's module works the same" "$(placements "$TMP/gold-env" | head -n 4 | sort -u)" gold-0
kubesim bench -n 200 -p 2 --policy-path "$mods" --config "$ex/least-allocated.yaml" >"$TMP/bench" 2>&1 || fail "bench with --config and --policy-path"
expect_grep "bench names the configuration" "least-allocated.yaml, 100 nodes filtered per pod" "$TMP/bench"

# ---- bad modules: exit 2, the file and what is valid ----
check_bad () { # NAME PATTERN
  dir="$TMP/bad-$1"
  mkdir -p "$dir"
  ln -s "$KS_BAD_MODULES/bad-$1.so" "$dir/bad-$1.so"
  kubesim policies --policy-path "$dir" >"$TMP/out" 2>&1
  expect_eq "bad-$1: exit 2" "$?" 2
  expect_grep "bad-$1: the file and the problem" "^kubesim policies: $dir/bad-$1.so: $2" "$TMP/out"
  kubesim run -q --policy-path "$dir" --out "$TMP/x" "$TOP_SRCDIR/tests/scenarios/three-nodes.yaml" >"$TMP/out" 2>&1
  expect_eq "bad-$1: run refuses it" "$?" 2
}
check_bad no-symbol "not a kubesim policy module: it does not export ks_policy_module_init"
check_bad module-version "built for policy ABI version 5, but this kubesim loads version 6 modules"
check_bad plugin-version 'plugin 0 ("BadModulePlugin") was built for policy ABI version 5'
check_bad builtin-name 'plugin "NodeName" has the name of a built-in plugin: give it another name'
check_bad no-name "plugin 0 has no name: set .name"
check_bad no-point 'plugin "BadModulePlugin" implements no extension point: set at least one of'
check_bad null "ks_policy_module_init returned no plugin table"
check_bad empty "the module has no plugins"
check_bad twice 'the module lists plugin "BadModulePlugin" twice'
check_bad undefined "cannot load the policy module: .*ks_no_such_function_in_kubesim"
check_bad as-module-version "built for autoscaler policy ABI version 2, but this kubesim loads version 1 modules"
check_bad as-builtin-name 'autoscaler policy "kubernetes" has the name of a built-in policy'
check_bad as-no-recommend 'autoscaler policy "bad-policy" has no recommend'
# two modules with one name: the second (in name order) is refused, naming the first
dup="$TMP/dup"
mkdir -p "$dup"
ln -s "$KS_EXAMPLE_MODULE" "$dup/a-prefer.so"
ln -s "$KS_BAD_MODULES/bad-example-name.so" "$dup/b-same-name.so"
kubesim policies --policy-path "$dup" >"$TMP/out" 2>&1
expect_eq "duplicate name: exit 2" "$?" 2
expect_grep "duplicate name: both files" "^kubesim policies: $dup/b-same-name.so: plugin \"PreferNodeLabel\" is already loaded from $dup/a-prefer.so" "$TMP/out"
kubesim control-plane --data-dir "$TMP/cp" --port 0 --policy-path "$TMP/bad-null" >"$TMP/out" 2>&1
expect_eq "control-plane refuses a bad module before it starts" "$?" 2
expect_grep "control-plane names the file" "^kubesim control-plane: $TMP/bad-null/bad-null.so: " "$TMP/out"
kubesim policies --policy-path /nonexistent/policies >"$TMP/out" 2>&1
expect_eq "a missing directory: exit 2" "$?" 2
expect_grep "the directory is named" 'policy path "/nonexistent/policies": ' "$TMP/out"

# ---- the example autoscaler module: listed, selected by the annotation, in both ways ----
amods="$TMP/amodules"
mkdir -p "$amods"
ln -s "$KS_EXAMPLE_AUTOSCALER_MODULE" "$amods/target-tracking.so"
kubesim policies --policy-path "$amods" >"$TMP/list" 2>&1 || fail "kubesim policies with the autoscaler module"
expect_grep "the module's autoscaler policy and file" "^target-tracking  *$amods/target-tracking.so$" "$TMP/list"
kubesim policies -o json --policy-path "$amods" >"$TMP/json" 2>&1 || fail "policies -o json"
expect_grep "json: autoscaler ABI version" '"autoscalerAbiVersion" : 1,' "$TMP/json"
expect_grep "json: the policy's module" "\"module\" : \"$amods/target-tracking.so\"" "$TMP/json"
kubesim run -q --out "$TMP/tt" "$ex/target-tracking.yaml" >"$TMP/out" 2>&1
expect_eq "without the module the annotation is refused" "$?" 2
expect_grep "unknown autoscaler policy" 'unknown autoscaler policy "target-tracking"' "$TMP/out"
kubesim run -q --policy-path "$amods" --out "$TMP/tt" "$ex/target-tracking.yaml" || fail "run with the autoscaler module"
expect_eq "target tracking: 2 → 10 at 30 s, → 2 at 330 s" \
  "$(grep '"event":"SuccessfulRescale"' "$TMP/tt/events.jsonl" | sed 's/.*"t":\([0-9]*\).*New size: \([0-9]*\);.*/\1:\2/' | tr '\n' ' ')" "30:10 330:2 "
KUBESIM_POLICY_PATH="$amods" kubesim run -q --out "$TMP/tt-env" "$ex/target-tracking.yaml" || fail "run with KUBESIM_POLICY_PATH"
cmp -s "$TMP/tt/events.jsonl" "$TMP/tt-env/events.jsonl" && ok "the environment's module gives the same run" || fail "KUBESIM_POLICY_PATH gave another run"
sed 's|annotations: {kubesim.io/autoscaler-policy: target-tracking}|annotations: {}|' "$ex/target-tracking.yaml" \
  | sed 's|^kind: Scenario|kind: Scenario\nhpa: {policy: target-tracking}|' >"$TMP/tt-global.yaml"
kubesim run -q --policy-path "$amods" --out "$TMP/tt-global" "$TMP/tt-global.yaml" || fail "hpa.policy: target-tracking"
expect_eq "hpa.policy selects the module's policy" "$(grep -c '"event":"SuccessfulRescale"' "$TMP/tt-global/events.jsonl")" 2

# ---- Random: the seed decides ----
r="$TOP_SRCDIR/tests/scenarios/random-policy.yaml"
kubesim run -q --out "$TMP/r1" "$r" || fail "random run 1"
kubesim run -q --out "$TMP/r1b" "$r" || fail "random run 1 again"
kubesim run -q --seed 2 --out "$TMP/r2" "$r" || fail "random run seed 2"
placements "$TMP/r1" >"$TMP/p1"
placements "$TMP/r1b" >"$TMP/p1b"
placements "$TMP/r2" >"$TMP/p2"
expect_eq "24 pods placed" "$(wc -l <"$TMP/p1" | tr -d ' ')" 24
cmp -s "$TMP/p1" "$TMP/p1b" && ok "same seed, same placements" || fail "same seed, other placements"
cmp -s "$TMP/p1" "$TMP/p2" && fail "seed 2 gave the same placements" || ok "another seed, other placements"
[ "$(sort -u "$TMP/p1" | wc -l)" -ge 4 ] && ok "Random spreads over the nodes" || fail "Random used fewer than 4 of 8 nodes"

# ---- DominantResourceFairness and GPUPacking ----
kubesim run -q --out "$TMP/drf" "$ex/fair-share.yaml" || fail "fair-share"
expect_eq "DRF: two pods of team-a" "$(grep '"event":"Scheduled"' "$TMP/drf/events.jsonl" | grep -c '"name":"team-a/')" 2
expect_eq "DRF: two pods of team-b" "$(grep '"event":"Scheduled"' "$TMP/drf/events.jsonl" | grep -c '"name":"team-b/')" 2
sed 's/DominantResourceFairness/FIFO/' "$ex/fair-share.yaml" >"$TMP/fifo.yaml"
kubesim run -q --out "$TMP/fifo" "$TMP/fifo.yaml" || fail "fair-share with FIFO"
expect_eq "FIFO: team-a takes all four" "$(grep '"event":"Scheduled"' "$TMP/fifo/events.jsonl" | grep -c '"name":"team-a/')" 4
for seed in 1 2 3; do
  kubesim run -q --seed $seed --out "$TMP/gpu$seed" "$ex/gpu-sharing.yaml" || fail "gpu-sharing seed $seed"
  infer=$(grep '"event":"Scheduled"' "$TMP/gpu$seed/events.jsonl" | grep '"name":"default/infer-' | sed 's/.*"node":"\([^"]*\)".*/\1/' | sort -u)
  train=$(grep '"event":"Scheduled"' "$TMP/gpu$seed/events.jsonl" | grep '"name":"default/train-' | sed 's/.*"node":"\([^"]*\)".*/\1/')
  expect_eq "GPUPacking (seed $seed): the four halves share one node" "$(echo "$infer" | wc -l | tr -d ' ')" 1
  [ -n "$train" ] && [ "$train" != "$infer" ] && ok "GPUPacking (seed $seed): the training pod gets the other node's idle GPUs" \
    || fail "GPUPacking (seed $seed): training pod on '$train', halves on '$infer'"
done
finish

#!/bin/sh
# The command line: help, version, usage errors and their exit status.
. "$TOP_SRCDIR/tests/lib.sh"

kubesim --help >"$TMP/help" 2>&1; expect_eq "--help exits 0" $? 0
expect_grep "--help lists run" "^  run " "$TMP/help"
expect_grep "--help lists bench" "^  bench " "$TMP/help"
expect_grep "--help lists version" "^  version " "$TMP/help"
expect_grep "--help lists image" "^  image " "$TMP/help"
for c in check schedule apply get describe delete scale rollout logs top; do
  expect_grep "--help lists $c" "^  $c " "$TMP/help"
done

kubesim version >"$TMP/v" 2>&1; expect_eq "version exits 0" $? 0
expect_grep "version prints the version" "^kubesim [0-9][0-9.]*$" "$TMP/v"
kubesim --version >"$TMP/v2" 2>&1; expect_eq "--version exits 0" $? 0
cmp -s "$TMP/v" "$TMP/v2" && ok "--version = version" || fail "--version differs from version"

for c in run bench version; do
  kubesim "$c" --help >"$TMP/h" 2>&1; expect_eq "$c --help exits 0" $? 0
  expect_grep "$c --help shows usage" "Usage:" "$TMP/h"
done
kubesim help run >"$TMP/h" 2>&1; expect_eq "help run exits 0" $? 0
expect_grep "help run shows run's options" "--sample-every" "$TMP/h"
expect_grep "help run names the command" "^  kubesim run \[OPTION" "$TMP/h"
kubesim help frobnicate >"$TMP/e" 2>&1; expect_eq "help for an unknown command exits 2" $? 2
expect_grep "help names the unknown command" 'unknown command "frobnicate"' "$TMP/e"

kubesim >"$TMP/e" 2>&1; expect_eq "no command exits 2" $? 2
kubesim frobnicate >"$TMP/e" 2>&1; expect_eq "unknown command exits 2" $? 2
expect_grep "unknown command is named" 'unknown command "frobnicate"' "$TMP/e"
kubesim run >"$TMP/e" 2>&1; expect_eq "run without a scenario exits 2" $? 2
expect_grep "run says what is missing" "missing SCENARIO" "$TMP/e"
kubesim run --bogus x.yaml >"$TMP/e" 2>&1; expect_eq "unknown option exits 2" $? 2
kubesim run --seed=-3 "$TOP_SRCDIR/examples/quickstart.yaml" >"$TMP/e" 2>&1
expect_eq "negative seed exits 2" $? 2
kubesim run --seed 18446744073709551616 "$TOP_SRCDIR/examples/quickstart.yaml" >"$TMP/e" 2>&1
expect_eq "a seed past 2^64-1 exits 2 (not saturated)" $? 2
kubesim run --sample-every 0s "$TOP_SRCDIR/examples/quickstart.yaml" >"$TMP/e" 2>&1
expect_eq "zero sample interval exits 2" $? 2
kubesim run -q --duration 9m --out "$TMP/late" "$TOP_SRCDIR/examples/quickstart.yaml" >"$TMP/e" 2>&1
expect_eq "a run shorter than its events exits 0" $? 0
expect_grep "events after the end are named" "warning: 2 events come after the end of the run (9m0s) and will not run, the first at .*quickstart.yaml:24:5" "$TMP/e"
kubesim run -q --duration 20m --out "$TMP/late" "$TOP_SRCDIR/examples/quickstart.yaml" >"$TMP/e" 2>&1
expect_eq "an event at the end runs: no warning" "$(cat "$TMP/e")" ""
kubesim run "$TMP/does-not-exist.yaml" >"$TMP/e" 2>&1; expect_eq "missing file exits 2" $? 2
expect_grep "missing file is named" "does-not-exist.yaml" "$TMP/e"
kubesim version extra >"$TMP/e" 2>&1; expect_eq "version with an argument exits 2" $? 2

# kubesim image (needs no root: an image store in a scratch data directory)
kubesim image --help >"$TMP/h" 2>&1; expect_eq "image --help exits 0" $? 0
expect_grep "image --help lists import" "^  import NAME" "$TMP/h"
kubesim image import --help >"$TMP/h" 2>&1; expect_eq "image import --help exits 0" $? 0
expect_grep "image import --help names the command" "kubesim image import \[OPTION" "$TMP/h"
kubesim image >"$TMP/e" 2>&1; expect_eq "image without a command exits 2" $? 2
kubesim image frob >"$TMP/e" 2>&1; expect_eq "image with an unknown command exits 2" $? 2
expect_grep "image names the unknown command" 'unknown command "frob"' "$TMP/e"
mkdir -p "$TMP/fs/bin" && echo x >"$TMP/fs/bin/x"
D="$TMP/data"
kubesim image import --data-dir "$D" only-a-name >"$TMP/e" 2>&1
expect_eq "image import without a source exits 2" $? 2
expect_grep "image import says what is missing" "missing DIR|TARBALL" "$TMP/e"
kubesim image import --data-dir "$D" Bad:1 "$TMP/fs" >"$TMP/e" 2>&1
expect_eq "image import of a bad name exits 2" $? 2
expect_grep "image import explains names" 'invalid image reference "Bad:1": the name must be lower case' "$TMP/e"
kubesim image import --data-dir "$D" ok "$TMP/nothing-here" >"$TMP/e" 2>&1
expect_eq "image import of a missing source exits 2" $? 2
expect_grep "image import names the missing source" "nothing-here: no such file or directory" "$TMP/e"
kubesim image import --data-dir "$D" --env NOEQUALS ok "$TMP/fs" >"$TMP/e" 2>&1
expect_eq "image import with a bad --env exits 2" $? 2
kubesim image import --data-dir "$D" --cmd '["sh", 1]' ok "$TMP/fs" >"$TMP/e" 2>&1
expect_eq "image import with a bad --cmd array exits 2" $? 2
kubesim image import --data-dir "$D" --cmd '["sh", "-c", "echo hi"]' --env A=1 ok:v1 "$TMP/fs" >"$TMP/e" 2>&1
expect_eq "image import exits 0" $? 0
expect_grep "image import names the image" "^imported docker.io/library/ok:v1 from " "$TMP/e"
kubesim image import --data-dir "$D" docker.io/library/ok:v1 "$TMP/fs" >"$TMP/e" 2>&1
expect_eq "importing an image twice exits 1" $? 1
expect_grep "the second import says why" "already exists" "$TMP/e"
kubesim image list --data-dir "$D" >"$TMP/l" 2>&1; expect_eq "image list exits 0" $? 0
expect_grep "image list shows the image" "^docker.io/library/ok   v1  *sh -c echo hi$" "$TMP/l"
kubesim image list --data-dir "$D" extra >"$TMP/e" 2>&1
expect_eq "image list with an argument exits 2" $? 2
kubesim bench --nodes 1000000 --pods-per-node 5000 >"$TMP/e" 2>&1
expect_eq "bench with more pods than a count holds exits 2" $? 2

# kubesim top: its commands, and usage errors before any request.
kubesim top --help >"$TMP/h" 2>&1; expect_eq "top --help exits 0" $? 0
expect_grep "top --help lists pod" "^  pod (pods, po) " "$TMP/h"
expect_grep "top --help lists node" "^  node (nodes, no) " "$TMP/h"
for c in pod node; do
  kubesim top "$c" --help >"$TMP/h" 2>&1; expect_eq "top $c --help exits 0" $? 0
  expect_grep "top $c --help names the command" "kubesim top $c \\[OPTION" "$TMP/h"
  expect_grep "top $c --help lists --sort-by" "--sort-by=cpu|memory" "$TMP/h"
done
kubesim top pod --help >"$TMP/h" 2>&1
expect_grep "top pod --help lists --containers" "--containers" "$TMP/h"
kubesim top >"$TMP/e" 2>&1; expect_eq "top without a command exits 2" $? 2
kubesim top frob >"$TMP/e" 2>&1; expect_eq "top with an unknown command exits 2" $? 2
expect_grep "top names the unknown command" 'unknown command "frob"' "$TMP/e"
kubesim top pod a b --server http://127.0.0.1:1 >"$TMP/e" 2>&1
expect_eq "top pod with two names exits 2" $? 2
expect_grep "top pod says one name at most" 'one NAME at most (got "a" and "b")' "$TMP/e"
kubesim top node --server http://127.0.0.1:1 >"$TMP/e" 2>&1
expect_eq "top node without a cluster exits 1" $? 1
expect_grep "top node says the server is not there" "refused" "$TMP/e"

# kubesim control-plane: --metric-resolution is checked before anything starts.
kubesim control-plane --data-dir "$TMP/cp" --metric-resolution 500ms >"$TMP/e" 2>&1
expect_eq "control-plane with a resolution below 1s exits 2" $? 2
expect_grep "control-plane says what is valid" '"500ms" is too short: at least 1s is valid' "$TMP/e"
kubesim control-plane --data-dir "$TMP/cp" --metric-resolution soon >"$TMP/e" 2>&1
expect_eq "control-plane with a bad resolution exits 2" $? 2
expect_eq "and left no data directory" "$(ls "$TMP/cp" 2>/dev/null)" ""

# kubesim node: bad flags exit 2 with what is wrong, before anything needs root.
kubesim node --help >"$TMP/h" 2>&1; expect_eq "node --help exits 0" $? 0
expect_grep "node --help lists --node-status-update-frequency" "node-status-update-frequency" "$TMP/h"
node_ok="--server http://127.0.0.1:1 --name n1 --data-dir $TMP/node"
node_bad () {
  expected=$1
  shift
  kubesim node "$@" >"$TMP/e" 2>&1
  expect_eq "node $* exits 2" $? 2
  expect_grep "node $*: says what" "$expected" "$TMP/e"
}
# shellcheck disable=SC2086
{
  node_bad "^kubesim node: --server: the API server's URL is required" --name n1 --cpu 1 --memory 1Gi
  node_bad "\"ftp://x\" is not an http:// URL" --server ftp://x --name n1 --cpu 1 --memory 1Gi
  node_bad "^kubesim node: --name: the node's name is required" --server http://127.0.0.1:1 --cpu 1 --memory 1Gi
  node_bad "\"N_1\" is not a valid node name" --server http://127.0.0.1:1 --name N_1 --cpu 1 --memory 1Gi
  node_bad "^kubesim node: --cpu: the node's cpu capacity is required" $node_ok --memory 1Gi
  node_bad "^kubesim node: --cpu: invalid quantity \"two\"" $node_ok --cpu two --memory 1Gi
  node_bad "^kubesim node: --cpu: \"-1\" is not valid" $node_ok --cpu -1 --memory 1Gi
  node_bad "^kubesim node: --memory: the node's memory capacity is required" $node_ok --cpu 500m
  node_bad "^kubesim node: --memory: invalid quantity \"1Gb\"" $node_ok --cpu 1 --memory 1Gb
  node_bad "^kubesim node: --pods: 0 is not valid" $node_ok --cpu 1 --memory 1Gi --pods 0
  node_bad "^kubesim node: --cgroup-parent: \"a/b\" is not valid" $node_ok --cpu 1 --memory 1Gi --cgroup-parent a/b
  node_bad "^kubesim node: --node-status-update-frequency: " $node_ok --cpu 1 --memory 1Gi --node-status-update-frequency 10
  node_bad "the duration must be above 0" $node_ok --cpu 1 --memory 1Gi --node-status-update-frequency 0s
  node_bad "^kubesim node: --port: 70000 is not a port" $node_ok --cpu 1 --memory 1Gi --port 70000
  node_bad "^kubesim node: unexpected argument \"extra\"" $node_ok --cpu 1 --memory 1Gi extra
  node_bad "^kubesim node: --cleanup takes only --data-dir and --cgroup-parent" --cleanup --name n1
}
# A machine that cannot run an agent: exit 1 saying what is missing (nothing is touched first).
if [ "$(id -u)" -eq 0 ]; then
  # shellcheck disable=SC2086
  env PATH=/nonexistent "$KUBESIM" node $node_ok --cpu 1 --memory 1Gi >"$TMP/e" 2>&1
  expect_eq "node without runc exits 1" $? 1
  expect_grep "node without runc says so" "runc is not installed" "$TMP/e"
  if command -v setpriv >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    setpriv --reuid=65534 --regid=65534 --clear-groups "$KUBESIM" node $node_ok --cpu 1 \
      --memory 1Gi >"$TMP/e" 2>&1
    expect_eq "node as a user exits 1" $? 1
    expect_grep "node as a user says it needs root" "a node agent must run as root" "$TMP/e"
  fi
  expect_eq "and left no data directory" "$(ls "$TMP/node" 2>/dev/null)" ""
fi

# A bad autoscaler file for cluster up: exit 2, file:line:column and field, before anything else
# (no root needed, nothing created).
printf 'nodeGroups:\n  - name: g\n    min: 1\n    max: 2\n    capacity: {cpu: "1"}\n    size: 3\n' \
  >"$TMP/groups.yaml"
kubesim cluster up --data-dir "$TMP/cluster" --autoscaler "$TMP/groups.yaml" >"$TMP/e" 2>&1
expect_eq "cluster up with a bad autoscaler file exits 2" $? 2
expect_grep "the error names the field and its place" \
  "groups.yaml:6:5: nodeGroups\[0\].size: unknown field" "$TMP/e"
kubesim cluster up --data-dir "$TMP/cluster" --autoscaler "$TMP/missing.yaml" >"$TMP/e" 2>&1
expect_eq "cluster up with a missing autoscaler file exits 2" $? 2
expect_grep "the error names the file" "missing.yaml" "$TMP/e"
expect_eq "and left no data directory" "$(ls "$TMP/cluster" 2>/dev/null)" ""
finish

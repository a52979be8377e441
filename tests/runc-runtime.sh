#!/bin/sh
# The runc runtime with real containers (tests/test-runc-runtime), in private network and mount
# namespaces so that nothing it makes is visible outside; cgroups under a parent of its own.
# Should the program die half-way, what it left is removed here, and the test fails.
. "$TOP_SRCDIR/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (runc containers)"
command -v runc >/dev/null 2>&1 || skip "runc is not installed (scripts/deps installs it)"
[ -x /bin/busybox ] || skip "/bin/busybox is missing (Debian package busybox-static)"
command -v unshare >/dev/null 2>&1 || skip "unshare is missing (util-linux)"
unshare --net --mount true 2>/dev/null || skip "cannot make network and mount namespaces here"

KS_TEST_CGROUP_PARENT="kubesim-test-$$"
KS_TEST_DATA_DIR="$TMP/data"
export KS_TEST_CGROUP_PARENT KS_TEST_DATA_DIR
prog="$(dirname "$KUBESIM")/tests/test-runc-runtime"
# /run/netns on a private tmpfs: nothing of the host's is seen or touched.
# shellcheck disable=SC2086
unshare --net --mount sh -c 'mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns && exec "$@"' \
  sh ${KS_VALGRIND:-} "$prog" >"$TMP/out" 2>&1
status=$?
cat "$TMP/out"
expect_eq "test-runc-runtime exits 0" "$status" 0

# Nothing may be left: runc containers under the test's root, cgroups under its parent.
if [ -d "$KS_TEST_DATA_DIR/runc" ]; then
  left=$(runc --root "$KS_TEST_DATA_DIR/runc" list -q)
  for id in $left; do
    fail "runc container $id is left"
    runc --root "$KS_TEST_DATA_DIR/runc" delete --force "$id"
  done
fi
for d in /sys/fs/cgroup/"$KS_TEST_CGROUP_PARENT" /sys/fs/cgroup/*/"$KS_TEST_CGROUP_PARENT"; do
  if [ -e "$d" ]; then
    fail "cgroup $d is left"
    find "$d" -depth -type d -exec rmdir {} \;
  fi
done
finish

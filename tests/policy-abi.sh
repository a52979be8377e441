#!/bin/sh
# docs/policy-abi.md's external plug-in and autoscaler policy, built the way a third party builds
# them: kubesim's ABI
# headers and kubesim-policy.pc installed (make install-data into a scratch DESTDIR), the page's
# C sources (which must be policies/examples/prefer-node-label.c and target-tracking.c) compiled
# against the installed headers alone with the page's own build commands, then loaded with
# --policy-path by the page's run commands and seen to change placements and replica counts.
# The installed headers must also compile on their own.
. "$TOP_SRCDIR/tests/lib.sh"

: "${TOP_BUILDDIR:?run through make check}"
command -v cc >/dev/null 2>&1 || skip "no C compiler (cc)"
command -v pkg-config >/dev/null 2>&1 || skip "pkg-config is not installed"
command -v make >/dev/null 2>&1 || skip "make is not installed"
doc="$TOP_SRCDIR/docs/policy-abi.md"

# ---- install the ABI ----
dest="$TMP/dest"
# (Not the outer make's job server: this is a make of its own.)
if ! (unset MAKEFLAGS MFLAGS MAKELEVEL; make -s -C "$TOP_BUILDDIR" install-data DESTDIR="$dest") \
    >"$TMP/install.log" 2>&1; then
  fail "make install-data"
  cat "$TMP/install.log" >&2
  finish
fi
pc=$(find "$dest" -name kubesim-policy.pc)
[ -n "$pc" ] && ok "kubesim-policy.pc installed" || { fail "no kubesim-policy.pc under $dest"; finish; }
# Relocate the installed tree, as a package would be: the .pc's directories follow ${prefix}.
prefix=$(sed -n 's/^prefix=//p' "$pc")
sed "s|^prefix=.*|prefix=$dest$prefix|" "$pc" >"$pc.new" && mv "$pc.new" "$pc"
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
incdir=$(pkg-config --variable=includedir kubesim-policy)/kubesim
[ -f "$incdir/policies/ks-policy.h" ] && ok "ks-policy.h under include/kubesim" || fail "no $incdir/policies/ks-policy.h"
abi=$(sed -n 's/^#define KS_POLICY_ABI_VERSION \([0-9]*\)$/\1/p' "$TOP_SRCDIR/policies/ks-policy.h")
expect_eq "abi_version variable" "$(pkg-config --variable=abi_version kubesim-policy)" "$abi"
asabi=$(sed -n 's/^#define KS_AUTOSCALER_POLICY_ABI_VERSION \([0-9]*\)$/\1/p' "$TOP_SRCDIR/policies/ks-autoscaler-policy.h")
expect_eq "autoscaler_abi_version variable" \
  "$(pkg-config --variable=autoscaler_abi_version kubesim-policy)" "$asabi"
# Every quoted include of an installed header resolves inside the installed tree.
for h in $(cd "$incdir" && find . -name '*.h'); do
  for inc in $(sed -n 's/^#include "\([^"]*\)"$/\1/p' "$incdir/$h"); do
    [ -f "$incdir/$(dirname "$h")/$inc" ] || [ -f "$incdir/$inc" ] \
      || fail "$h includes $inc, which is not installed"
  done
done

# ---- the header on its own, strict ----
work="$TMP/work"
mkdir -p "$work"
printf '#include <policies/ks-policy.h>\nint main (void) { return KS_POLICY_ABI_VERSION == %s ? 0 : 1; }\n' \
  "$abi" >"$work/alone.c"
# shellcheck disable=SC2046
if cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags kubesim-policy) -o "$work/alone" \
    "$work/alone.c" $(pkg-config --libs glib-2.0) >"$TMP/cc.log" 2>&1 && "$work/alone"; then
  ok "the installed header compiles alone (-std=c11 -Wall -Wextra -Werror)"
else
  fail "the installed header does not compile alone"
  cat "$TMP/cc.log" >&2
fi
printf '#include <policies/ks-autoscaler-policy.h>\nint main (void) { return KS_AUTOSCALER_POLICY_ABI_VERSION == %s ? 0 : 1; }\n' \
  "$asabi" >"$work/alone-as.c"
# shellcheck disable=SC2046
if cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags kubesim-policy) -o "$work/alone-as" \
    "$work/alone-as.c" $(pkg-config --libs glib-2.0) >"$TMP/cc.log" 2>&1 && "$work/alone-as"; then
  ok "the installed autoscaler header compiles alone"
else
  fail "the installed autoscaler header does not compile alone"
  cat "$TMP/cc.log" >&2
fi

# ---- the page's example ----
# The C block that starts with the example's first line, and the sh blocks that start with
# "# build the plug-in" and "# run the plug-in".
awk -v dir="$work" '
  /^```c$/ { inc = 1; first = 1; next }
  /^```sh$/ { insh = 1; first = 1; next }
  /^```/ { inc = 0; insh = 0; out = ""; next }
  inc && first { first = 0; out = ($0 ~ /^\/\* prefer-node-label\.c:/) ? dir "/prefer-node-label.c" : ($0 ~ /^\/\* target-tracking\.c:/) ? dir "/target-tracking.c" : "" }
  insh && first { first = 0; out = ($0 == "# build the plug-in") ? dir "/build.sh" : ($0 == "# run the plug-in") ? dir "/run.sh" : ($0 == "# build the autoscaler policy") ? dir "/build-as.sh" : ($0 == "# run the autoscaler policy") ? dir "/run-as.sh" : "" }
  out != "" { print > out }
' "$doc"
for f in prefer-node-label.c build.sh run.sh target-tracking.c build-as.sh run-as.sh; do
  [ -s "$work/$f" ] && ok "the page has $f" || fail "docs/policy-abi.md has no block for $f"
done
cmp -s "$work/prefer-node-label.c" "$TOP_SRCDIR/policies/examples/prefer-node-label.c" \
  && ok "the page's source is policies/examples/prefer-node-label.c" \
  || fail "the page's C source differs from policies/examples/prefer-node-label.c"
cmp -s "$work/target-tracking.c" "$TOP_SRCDIR/policies/examples/target-tracking.c" \
  && ok "the page's source is policies/examples/target-tracking.c" \
  || fail "the page's autoscaler C source differs from policies/examples/target-tracking.c"

mkdir -p "$TMP/home" "$TMP/bin"
ln -s "$KUBESIM" "$TMP/bin/kubesim"
ln -s "$TOP_SRCDIR/examples" "$work/examples"
(cd "$work" && HOME="$TMP/home" PATH="$TMP/bin:$PATH" sh ./build.sh) >"$TMP/build.out" 2>&1
expect_eq "the page's build commands succeed" "$?" 0
expect_grep "the module loads and lists its plugin" \
  "^PreferNodeLabel  *score  *$TMP/home/kubesim-policies/prefer-node-label.so$" "$TMP/build.out"
(cd "$work" && HOME="$TMP/home" PATH="$TMP/bin:$PATH" sh ./run.sh) >"$TMP/run.out" 2>&1
expect_eq "the page's run commands succeed" "$?" 0
expect_eq "four pods on the gold node" "$(tail -n 1 "$TMP/run.out")" 4

(cd "$work" && HOME="$TMP/home" PATH="$TMP/bin:$PATH" sh ./build-as.sh) >"$TMP/build-as.out" 2>&1
expect_eq "the page's autoscaler build commands succeed" "$?" 0
expect_grep "the module loads and lists its policy" \
  "^target-tracking  *$TMP/home/kubesim-policies/target-tracking.so$" "$TMP/build-as.out"
# (the page's /tmp/ path goes to this run's own directory)
sed "s#/tmp/#$TMP/#g" "$work/run-as.sh" >"$work/run-as-here.sh"
(cd "$work" && HOME="$TMP/home" PATH="$TMP/bin:$PATH" sh ./run-as-here.sh) >"$TMP/run-as.out" 2>&1
expect_eq "the page's autoscaler run commands succeed" "$?" 0
expect_eq "2 → 10 → 2" "$(tail -n 1 "$TMP/run-as.out")" "New size: 10 New size: 2 "
finish

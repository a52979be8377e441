#!/bin/sh
# docs/policy-abi.md's external plug-in, built the way a third party builds one: kubesim's ABI
# headers and kubesim-policy.pc installed (make install-data into a scratch DESTDIR), the page's
# C source (which must be policies/examples/prefer-node-label.c) compiled against the installed
# headers alone with the page's own build commands, then loaded with --policy-path by the page's
# run commands and seen to change placements.  The installed header must also compile on its own.
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

# ---- the page's example ----
# The C block that starts with the example's first line, and the sh blocks that start with
# "# build the plug-in" and "# run the plug-in".
awk -v dir="$work" '
  /^```c$/ { inc = 1; first = 1; next }
  /^```sh$/ { insh = 1; first = 1; next }
  /^```/ { inc = 0; insh = 0; out = ""; next }
  inc && first { first = 0; out = ($0 ~ /^\/\* prefer-node-label\.c:/) ? dir "/prefer-node-label.c" : "" }
  insh && first { first = 0; out = ($0 == "# build the plug-in") ? dir "/build.sh" : ($0 == "# run the plug-in") ? dir "/run.sh" : "" }
  out != "" { print > out }
' "$doc"
for f in prefer-node-label.c build.sh run.sh; do
  [ -s "$work/$f" ] && ok "the page has $f" || fail "docs/policy-abi.md has no block for $f"
done
cmp -s "$work/prefer-node-label.c" "$TOP_SRCDIR/policies/examples/prefer-node-label.c" \
  && ok "the page's source is policies/examples/prefer-node-label.c" \
  || fail "the page's C source differs from policies/examples/prefer-node-label.c"

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
finish

#!/bin/sh
# The quickstart and the golden scenarios run clean under valgrind: no invalid reads or writes,
# no uninitialised values, no definite leaks.
. "$TOP_SRCDIR/tests/lib.sh"

[ -z "${KS_SANITIZERS:-}" ] || skip "this build uses AddressSanitizer, which valgrind cannot run"
command -v valgrind >/dev/null 2>&1 || skip "valgrind is not installed (scripts/deps installs it)"
supp=/usr/share/glib-2.0/valgrind/glib.supp
[ -r "$supp" ] || skip "GLib's valgrind suppressions ($supp) are missing"
for scenario in "$TOP_SRCDIR/examples/quickstart.yaml" "$TOP_SRCDIR"/tests/golden/*.yaml; do
  name=$(basename "$scenario" .yaml)
  if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
       --show-leak-kinds=definite --suppressions="$supp" \
       "$KUBESIM" run -q --out "$TMP/$name" "$scenario" 2>"$TMP/$name.log"; then
    ok "$name: valgrind clean"
  else
    fail "$name: valgrind reported problems"
    head -n 40 "$TMP/$name.log" >&2
  fi
done
finish

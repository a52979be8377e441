#!/bin/sh
# The C sources follow .clang-format (formatting is checked, not argued).
. "$TOP_SRCDIR/tests/lib.sh"

command -v clang-format >/dev/null 2>&1 || skip "clang-format is not installed (scripts/deps installs it)"
cd "$TOP_SRCDIR" || exit 99
n=0
for f in src/*.c src/*.h src/*/*.c src/*/*.h sim/*.c sim/*.h policies/*.c policies/*.h \
         policies/examples/*.c analysis/*.c analysis/*.h real/*.c real/*.h tests/*.c tests/*.h \
         tests/modules/*.c; do
  [ -e "$f" ] || continue
  n=$((n + 1))
  if ! clang-format --style=file "$f" | cmp -s - "$f"; then
    fail "$f is not formatted (clang-format -i $f)"
    clang-format --style=file "$f" | diff "$f" - | head -n 10 >&2
  fi
done
[ "$n" -gt 0 ] && ok "$n files checked" || fail "no sources found"
finish

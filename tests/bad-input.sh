#!/bin/sh
# Bad scenarios and manifests: exit status 2, one line per problem naming file:line:column and
# the field path (compared with tests/bad/NAME.expected), and no output files at all.
. "$TOP_SRCDIR/tests/lib.sh"

cd "$TOP_SRCDIR/tests/bad" || exit 99
for expected in *.expected; do
  name=${expected%.expected}
  out="$TMP/out-$name"
  kubesim run --out "$out" "$name.yaml" >"$TMP/stdout" 2>"$TMP/stderr"
  expect_eq "$name: exit status" $? 2
  if cmp -s "$TMP/stderr" "$expected"; then
    ok "$name: messages"
  else
    fail "$name: messages differ from tests/bad/$expected"
    diff "$expected" "$TMP/stderr" >&2
  fi
  [ -e "$out" ] && fail "$name: $out was created" || ok "$name: no outputs"
  [ -s "$TMP/stdout" ] && fail "$name: wrote to stdout" || ok "$name: nothing on stdout"
done
finish

#!/bin/sh
# The parsers' fuzz targets, built as plain programs, over the seed corpus in tests/corpus/ and
# every YAML file of the repository: no crash, no leak, every invariant holds.  (Built with
# clang -fsanitize=fuzzer they are libFuzzer targets; see docs/development.md.)
. "$TOP_SRCDIR/tests/lib.sh"

run () {
  if [ -n "${KS_VALGRIND:-}" ]; then
    # shellcheck disable=SC2086
    $KS_VALGRIND "$@"
  else
    "$@"
  fi
}

run "$FUZZ_QUANTITY" "$TOP_SRCDIR"/tests/corpus/quantity/* >"$TMP/q" 2>&1 \
  && ok "quantity and duration parsers" || { fail "fuzz-quantity"; cat "$TMP/q" >&2; }
run "$FUZZ_YAML" "$TOP_SRCDIR"/tests/corpus/yaml/* "$TOP_SRCDIR"/examples/*.yaml \
  "$TOP_SRCDIR"/examples/manifests/*.yaml "$TOP_SRCDIR"/tests/bad/*.yaml \
  "$TOP_SRCDIR"/tests/golden/*.yaml "$TOP_SRCDIR"/tests/scenarios/*.yaml >"$TMP/y" 2>&1 \
  && ok "YAML reader" || { fail "fuzz-yaml"; cat "$TMP/y" >&2; }
finish

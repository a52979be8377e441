# tests/lib.sh: shared helpers for the shell tests (sourced).
# The harness sets KUBESIM (the binary) and TOP_SRCDIR; KS_VALGRIND (from make check-valgrind)
# runs kubesim under valgrind.
set -u
: "${KUBESIM:?run through make check}"
: "${TOP_SRCDIR:?run through make check}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kubesim-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
FAILURES=0

kubesim () {
  if [ -n "${KS_VALGRIND:-}" ]; then
    # shellcheck disable=SC2086
    $KS_VALGRIND "$KUBESIM" "$@"
  else
    "$KUBESIM" "$@"
  fi
}

fail () {
  echo "FAIL: $*" >&2
  FAILURES=$((FAILURES + 1))
}

ok () {
  echo "ok: $*"
}

# expect_eq WHAT ACTUAL EXPECTED
expect_eq () {
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', expected '$3'"; fi
}

# expect_grep WHAT PATTERN FILE
expect_grep () {
  if grep -q -- "$2" "$3"; then ok "$1"; else fail "$1: no line matching '$2' in $3"; cat "$3" >&2; fi
}

# A value from summary.json: json_get FILE '"key"' (a top-level or nested "key": value line).
json_get () {
  sed -n "s/^ *$2: *\([^,]*\),*$/\1/p" "$1" | head -n 1
}

finish () {
  if [ "$FAILURES" -gt 0 ]; then
    echo "$FAILURES check(s) failed" >&2
    exit 1
  fi
  exit 0
}

skip () {
  echo "SKIP: $*"
  exit 77
}

# find_trace RELATIVE: a real trace file or directory from the shared traces folder
# ($KS_TRACES_DIR, else shared/traces beside or above the source tree); prints its path, or
# nothing (status 1) when absent.
find_trace () {
  if [ -n "${KS_TRACES_DIR:-}" ] && [ -e "$KS_TRACES_DIR/$1" ]; then
    echo "$KS_TRACES_DIR/$1"
    return 0
  fi
  _d=$(cd "$TOP_SRCDIR" && pwd)
  for _i in 1 2 3 4 5; do
    if [ -e "$_d/shared/traces/$1" ]; then
      echo "$_d/shared/traces/$1"
      return 0
    fi
    _d=$(dirname "$_d")
  done
  return 1
}

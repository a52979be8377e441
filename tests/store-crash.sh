#!/bin/sh
# A store writing to its SQLite database is killed with SIGKILL at random moments, several rounds
# on one database: after each, every write it acknowledged is there (at its resourceVersion or a
# later one; acknowledged deletions gone), the resourceVersion sequence continues across the
# restarts, and PRAGMA integrity_check is ok.  (tests/store-crash-writer.c writes and checks.)
. "$TOP_SRCDIR/tests/lib.sh"
: "${STORE_CRASH_WRITER:?run through make check}"

db="$TMP/store.db"
acks=""
total=0
for round in 1 2 3 4 5 6 7 8; do
  "$STORE_CRASH_WRITER" write "$db" "$round" >"$TMP/acks.$round" 2>"$TMP/err.$round" &
  pid=$!
  # A random moment between 0.1 and 0.6 s after the start (loading included).
  delay=$(od -An -N2 -tu2 /dev/urandom | awk '{ printf "%.3f", 0.1 + ($1 % 500) / 1000 }')
  sleep "$delay"
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null
  status=$?
  expect_eq "round $round: the writer was killed, not stopped" "$status" 137
  [ -s "$TMP/err.$round" ] && fail "round $round: the writer complained: $(cat "$TMP/err.$round")"
  n=$(wc -l <"$TMP/acks.$round")
  total=$((total + n))
  acks="$acks $TMP/acks.$round"
  # shellcheck disable=SC2086
  if "$STORE_CRASH_WRITER" check "$db" $acks >"$TMP/check.$round" 2>&1; then
    ok "round $round: killed after $delay s and $n acknowledgements; $(tail -n 1 "$TMP/check.$round")"
  else
    fail "round $round: killed after $delay s and $n acknowledgements"
    cat "$TMP/check.$round" >&2
  fi
done
[ "$total" -gt 0 ] || fail "no write was acknowledged in any round"
finish

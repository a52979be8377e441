#!/bin/sh
# Every example in docs/ is run:
#  - In a ```console block, each "$ COMMAND" line runs (from a scratch directory holding the
#    repository's examples/ and tests/, with the /tmp/ paths it names moved into this run's own
#    directory), and the lines after it, up to the next "$" line, must
#    appear in its output in that order ("..." in a line matches anything).
#  - A ```yaml block whose first line is "# file: PATH" must equal, from its second line on, the
#    repository file PATH.
. "$TOP_SRCDIR/tests/lib.sh"

work="$TMP/work"
mkdir -p "$work"
ln -s "$TOP_SRCDIR/examples" "$work/examples"
ln -s "$TOP_SRCDIR/tests" "$work/tests"
mkdir -p "$TMP/bin" "$TMP/tmp"
if [ -n "${KS_VALGRIND:-}" ]; then
  # Under make check-valgrind, valgrind's reports go to files checked after each command.
  mkdir -p "$TMP/valgrind"
  printf '#!/bin/sh\nexec %s --log-file=%s/valgrind/%%p.log "%s" "$@"\n' "$KS_VALGRIND" "$TMP" \
    "$KUBESIM" >"$TMP/bin/kubesim"
else
  ln -s "$KUBESIM" "$TMP/bin/kubesim"
fi
chmod +x "$TMP/bin/kubesim" 2>/dev/null
PATH="$TMP/bin:$PATH"
export PATH

n_commands=0
for doc in "$TOP_SRCDIR"/docs/*.md "$TOP_SRCDIR/README.md"; do
  name=$(basename "$doc")
  # Split the document into blocks: one file per console command and per yaml file block.
  rm -rf "$TMP/blocks"
  mkdir -p "$TMP/blocks"
  awk -v dir="$TMP/blocks" '
    /^```console/ { mode = "console"; next }
    /^```yaml/    { mode = "yaml"; first = 1; next }
    /^```/ && mode != "" { if (mode == "yaml" && out != "") close(out); mode = ""; out = ""; next }
    mode == "console" {
      if ($0 ~ /^\$ /) { n++; out = sprintf("%s/c%03d", dir, n); print substr($0, 3) > out ".cmd"; close(out ".cmd"); next }
      if (out != "") print > (out ".expect")
      next
    }
    mode == "yaml" {
      if (first) { first = 0; if ($0 ~ /^# file: /) { y++; out = sprintf("%s/y%03d", dir, y); print substr($0, 9) > out ".path"; close(out ".path"); printf "" > (out ".yaml") } else out = ""; next }
      if (out != "") print > (out ".yaml")
      next
    }
  ' "$doc"
  for cmd in "$TMP"/blocks/c*.cmd; do
    [ -e "$cmd" ] || continue
    base=${cmd%.cmd}
    n_commands=$((n_commands + 1))
    # The documents' /tmp/ paths go to this run's own directory (another run of the suite on the
    # same machine must not share them), and back in the output, which is matched as shown.
    (cd "$work" && sh -c "$(sed "s#/tmp/#$TMP/tmp/#g" "$cmd")") 2>&1 | sed "s#$TMP/tmp/#/tmp/#g" >"$base.out"
    if [ -n "${KS_VALGRIND:-}" ]; then
      for log in "$TMP"/valgrind/*.log; do
        [ -e "$log" ] || continue
        # valgrind 3.19 does not know pidfd_open (434), which GLib's child watches try first and
        # then do without: its warning about that is not a problem of kubesim's.
        grep -v -e 'unhandled amd64-linux syscall: 434$' -e 'You may be able to write your own handler' \
          -e 'README_MISSING_SYSCALL_OR_IOCTL' -e 'Nevertheless we consider this a bug' \
          -e 'valgrind.org/support/bug_reports.html' "$log" >"$log.kept"
        [ -s "$log.kept" ] || continue
        log=$log.kept
        fail "$name: valgrind found problems running \"$(cat "$cmd")\""
        head -n 30 "$log" >&2
      done
      rm -f "$TMP"/valgrind/*.log "$TMP"/valgrind/*.kept
    fi
    if [ -s "$base.expect" ]; then
      # Each expected line must match some later line of the output, in order.
      if awk -v expect="$base.expect" '
          function glob(s,    r) { r = s; gsub(/[][\\.^$*+?(){}|]/, "\\\\&", r); gsub(/\\\.\\\.\\\./, ".*", r); return "^" r "$" }
          BEGIN { while ((getline line < expect) > 0) { if (line != "") want[++m] = glob(line) } k = 1 }
          k <= m && $0 ~ want[k] { k++ }
          END { exit (k <= m) }' "$base.out"; then
        ok "$name: $(cat "$cmd")"
      else
        fail "$name: \"$(cat "$cmd")\" did not print what the document shows"
        echo "--- expected (in order):" >&2; cat "$base.expect" >&2
        echo "--- got:" >&2; head -n 40 "$base.out" >&2
      fi
    else
      ok "$name: $(cat "$cmd") (no output shown)"
    fi
  done
  for y in "$TMP"/blocks/y*.path; do
    [ -e "$y" ] || continue
    path=$(cat "$y")
    if cmp -s "${y%.path}.yaml" "$TOP_SRCDIR/$path"; then
      ok "$name: shows $path as it is"
    else
      fail "$name: the block labelled $path differs from the file"
      diff "$TOP_SRCDIR/$path" "${y%.path}.yaml" >&2
    fi
  done
done
[ "$n_commands" -gt 0 ] && ok "$n_commands documented commands ran" || fail "no documented commands found"
finish

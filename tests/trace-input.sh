#!/bin/sh
# kubesim trace stats on the input's edge cases: gzip files of several members (as a file, on
# stdin, as parts of a directory), bgzip's empty last member, zero padding, a corrupt or
# truncated member and trailing garbage (exit 2, the file and byte offset named); empty and
# header-only files of every format.
. "$TOP_SRCDIR/tests/lib.sh"

FIX="$TOP_SRCDIR/tests/traces"
P1="$FIX/google-2011/task_events/part-00001-of-00500.csv.gz"
jget () {
  sed -n "s/^ *\"$2\" *: *\([^,]*\),*$/\1/p" "$1" | head -n 1
}
# bgzip's end-of-file marker: an empty member with the BC extra field (28 bytes).
bgzf_eof () {
  printf '\037\213\010\004\000\000\000\000\000\377\006\000BC\002\000\033\000\003\000\000\000\000\000\000\000\000\000'
}

# The same rows as one member, as two members, as two members + bgzip's empty last member.
zcat "$P1" >"$TMP/plain.csv"
head -n 120 "$TMP/plain.csv" | gzip -n >"$TMP/a.gz"
tail -n +121 "$TMP/plain.csv" | gzip -n >"$TMP/b.gz"
cat "$TMP/a.gz" "$TMP/b.gz" >"$TMP/two.csv.gz"
{ cat "$TMP/a.gz" "$TMP/b.gz"; bgzf_eof; } >"$TMP/bgzf.csv.gz"
kubesim trace stats -f google-2011 -o json "$TMP/plain.csv" >"$TMP/plain.json"
expect_eq "plain: 300 rows" "$(jget "$TMP/plain.json" rows)" 300
kubesim trace stats -f google-2011 -o json "$TMP/two.csv.gz" >"$TMP/two.json" 2>"$TMP/err"
expect_eq "two members: exit 0" $? 0
cmp -s "$TMP/plain.json" "$TMP/two.json" && ok "two members = the plain file's stats" \
  || fail "two members differ from the plain file"
expect_eq "two members: nothing on stderr" "$(cat "$TMP/err")" ""
kubesim trace stats -f google-2011 -o json - <"$TMP/two.csv.gz" >"$TMP/stdin.json"
expect_eq "two members on stdin: exit 0" $? 0
cmp -s "$TMP/plain.json" "$TMP/stdin.json" && ok "two members on stdin = the plain file" \
  || fail "two members on stdin differ"
kubesim trace stats -f google-2011 -o json "$TMP/bgzf.csv.gz" >"$TMP/bgzf.json"
expect_eq "bgzip style: exit 0" $? 0
cmp -s "$TMP/plain.json" "$TMP/bgzf.json" && ok "bgzip style (empty last member) = the plain file" \
  || fail "bgzip style differs"
{ cat "$TMP/two.csv.gz"; head -c 4096 /dev/zero; } >"$TMP/padded.gz"
kubesim trace stats -f google-2011 -o json "$TMP/padded.gz" >"$TMP/padded.json"
cmp -s "$TMP/plain.json" "$TMP/padded.json" && ok "zero padding after the last member ignored" \
  || fail "zero padding changes the stats"

# A directory of parts: a multi-member part, an empty part (only bgzip's marker), a plain part.
mkdir "$TMP/parts"
cp "$TMP/two.csv.gz" "$TMP/parts/part-00000.csv.gz"
bgzf_eof >"$TMP/parts/part-00001.csv.gz"
cp "$TMP/plain.csv" "$TMP/parts/part-00002.csv"
kubesim trace stats -f google-2011 -o json "$TMP/two.csv.gz" "$TMP/plain.csv" >"$TMP/files.json"
kubesim trace stats -f google-2011 -o json "$TMP/parts" >"$TMP/dir.json"
expect_eq "directory of gzip parts: exit 0" $? 0
expect_eq "directory of gzip parts: rows" "$(jget "$TMP/dir.json" rows)" 600
cmp -s "$TMP/files.json" "$TMP/dir.json" && ok "the directory = its parts given one by one" \
  || fail "the directory differs from its parts"

# Errors: exit 2, the file and the byte offset named, no stats printed.
a_size=$(wc -c <"$TMP/a.gz")
{ cat "$TMP/a.gz"; head -c 100 "$TMP/b.gz"; } >"$TMP/truncated.gz"
kubesim trace stats -f google-2011 "$TMP/truncated.gz" >"$TMP/out" 2>"$TMP/err"
expect_eq "truncated member: exit 2" $? 2
expect_grep "truncated member named" \
  "^kubesim trace stats: $TMP/truncated.gz: truncated gzip data: the file ends at byte offset $((a_size + 100)) inside the gzip member that starts at byte offset $a_size$" \
  "$TMP/err"
expect_eq "truncated member: no stats" "$(cat "$TMP/out")" ""
# The second member's compression method byte (offset 2) set to 9: only 8, deflate, exists.
{ cat "$TMP/a.gz"; printf '\037\213\011'; tail -c +4 "$TMP/b.gz"; } >"$TMP/corrupt.gz"
kubesim trace stats -f google-2011 "$TMP/corrupt.gz" >"$TMP/out" 2>"$TMP/err"
expect_eq "corrupt second member: exit 2" $? 2
expect_grep "corrupt second member named" \
  "^kubesim trace stats: $TMP/corrupt.gz: corrupt gzip data near byte offset [0-9]* in the gzip member that starts at byte offset $a_size " \
  "$TMP/err"
expect_eq "corrupt second member: no stats" "$(cat "$TMP/out")" ""
kubesim trace stats -f google-2011 - <"$TMP/corrupt.gz" >"$TMP/out" 2>"$TMP/err"
expect_eq "corrupt member on stdin: exit 2" $? 2
expect_grep "corrupt member on stdin named" "^kubesim trace stats: <stdin>: corrupt gzip data" "$TMP/err"
{ cat "$TMP/two.csv.gz"; printf '\000\000junk'; } >"$TMP/garbage.gz"
size=$(wc -c <"$TMP/two.csv.gz")
kubesim trace stats -f google-2011 "$TMP/garbage.gz" >"$TMP/out" 2>"$TMP/err"
expect_eq "trailing garbage: exit 2" $? 2
expect_grep "trailing garbage named" \
  "^kubesim trace stats: $TMP/garbage.gz: byte offset $((size + 2)): data after the end of a gzip member" \
  "$TMP/err"

# Empty and header-only files: no rows (a header is not a row), or a clear error.
: >"$TMP/empty.csv"
gzip -n <"$TMP/empty.csv" >"$TMP/empty.csv.gz"
for format in google-2011 google-2019 alibaba-2017 alibaba-2018 azure-vm kubesim; do
  for f in empty.csv empty.csv.gz; do
    kubesim trace stats -f "$format" -o json "$TMP/$f" >"$TMP/e.json" 2>"$TMP/err"
    expect_eq "$format, $f: exit 0" $? 0
    expect_eq "$format, $f: no rows" "$(jget "$TMP/e.json" rows)/$(jget "$TMP/e.json" records)" 0/0
    expect_eq "$format, $f: nothing on stderr" "$(cat "$TMP/err")" ""
  done
done
for f in empty.csv empty.csv.gz; do
  kubesim trace stats -f alibaba-gpu-2023 "$TMP/$f" >"$TMP/out" 2>"$TMP/err"
  expect_eq "alibaba-gpu-2023, $f: exit 2" $? 2
  expect_grep "alibaba-gpu-2023, $f: what was expected" \
    "$TMP/$f: empty file: an openb node list (header sn,cpu_milli" "$TMP/err"
done
head -n 1 "$FIX/alibaba-2017/batch_task.csv" >"$TMP/batch_task.csv"
head -n 1 "$FIX/alibaba-gpu-2023/openb_pod_list_gpuspec33.csv" >"$TMP/openb_pod_list.csv"
head -n 1 "$FIX/alibaba-gpu-2023/openb_pod_list_multigpu50.csv" >"$TMP/openb_pod_list_5.csv"
head -n 1 "$FIX/alibaba-gpu-2023/openb_node_list_all_node.csv" >"$TMP/openb_node_list.csv"
printf 'vmid,subscriptionid,deploymentid,vmcreated,vmdeleted,maxcpu,avgcpu,p95maxcpu,vmcategory,vmcorecountbucket,vmmemorybucket\r\n' \
  >"$TMP/vmtable.csv"
for x in "alibaba-2017 batch_task.csv" "alibaba-gpu-2023 openb_pod_list.csv" \
  "alibaba-gpu-2023 openb_pod_list_5.csv" "alibaba-gpu-2023 openb_node_list.csv" \
  "azure-vm vmtable.csv"; do
  set -- $x
  kubesim trace stats -f "$1" -o json "$TMP/$2" >"$TMP/h.json" 2>"$TMP/err"
  expect_eq "$1, header-only $2: exit 0" $? 0
  expect_eq "$1, header-only $2: no rows" "$(jget "$TMP/h.json" rows)/$(jget "$TMP/h.json" bad_rows)" 0/0
  expect_eq "$1, header-only $2: nothing on stderr" "$(cat "$TMP/err")" ""
done

finish

#!/bin/sh
# Golden scenarios: tests/golden/NAME.yaml runs and its events.jsonl, metrics.csv, pods.csv and
# summary.json (but wall_time_s) must equal tests/golden/NAME/ byte for byte.
# KUBESIM_REGENERATE=1 make check TESTS=tests/golden.sh rewrites the expected files; review the
# diff before committing it.
. "$TOP_SRCDIR/tests/lib.sh"

golden="$TOP_SRCDIR/tests/golden"
for scenario in "$golden"/*.yaml "$TOP_SRCDIR/examples/quickstart.yaml" "$TOP_SRCDIR/examples/rolling-update.yaml" \
  "$TOP_SRCDIR/examples/volumes.yaml" "$TOP_SRCDIR/examples/cluster-autoscaler.yaml" \
  "$TOP_SRCDIR/examples/node-failure.yaml"; do
  name=$(basename "$scenario" .yaml)
  out="$TMP/$name"
  if ! kubesim run -q --out "$out" "$scenario"; then
    fail "$name: run failed"
    continue
  fi
  grep -v '"wall_time_s"' "$out/summary.json" >"$out/summary.tmp" && mv "$out/summary.tmp" "$out/summary.json"
  if [ -n "${KUBESIM_REGENERATE:-}" ]; then
    mkdir -p "$golden/$name"
    cp "$out/events.jsonl" "$out/metrics.csv" "$out/summary.json" "$out/pods.csv" "$golden/$name/"
    ok "$name: regenerated"
    continue
  fi
  for f in events.jsonl metrics.csv summary.json pods.csv; do
    if cmp -s "$out/$f" "$golden/$name/$f"; then
      ok "$name: $f"
    else
      fail "$name: $f differs from tests/golden/$name/$f (KUBESIM_REGENERATE=1 to update)"
      diff "$golden/$name/$f" "$out/$f" | head -n 20 >&2
    fi
  done
done
finish

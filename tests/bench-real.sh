#!/bin/sh
# bench-real.sh: real mode's benchmark (docs/benchmarks.md): on a fresh 2-node cluster in a
# private network namespace, the time from creating a 50-replica busybox Deployment to every pod
# Running and Ready, each pod's start latency, and the control plane's and agents' resident memory
# and CPU while idle.  Run as root from the build tree: sudo tests/bench-real.sh [REPLICAS]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
replicas=${1:-50}
if [ "$(id -u)" -ne 0 ]; then echo "bench-real.sh: needs root" >&2; exit 77; fi
if [ -z "${KS_BENCH_INSIDE:-}" ]; then
  KS_BENCH_INSIDE=1 exec unshare --net --mount "$0" "$@"
fi
mount --make-rprivate /
mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns
ip link set lo up
dir=$(mktemp -d /tmp/ks-bench-real-XXXXXX)
port=$((20000 + $$ % 20000))
trap '"$top/kubesim" cluster down --data-dir "$dir" --purge >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
"$top/kubesim" cluster up --nodes 2 --node-cpu 2 --node-memory 2Gi --data-dir "$dir" \
  --port "$port" --cgroup-parent "kubesim-bench-$$" >/dev/null
"$top/tests/bench-real-start" --server "http://127.0.0.1:$port" --replicas "$replicas"
# Resident memory and CPU of each process, over 10 s with nothing to do after the Deployment went.
sleep 5
for f in "$dir"/run/*.pid; do
  pid=$(cat "$f")
  name=$(basename "$f" .pid)
  t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  eval "t0_$(echo "$name" | tr -c 'a-z0-9\n' _)=$t0"
done
sleep 10
hz=$(getconf CLK_TCK)
for f in "$dir"/run/*.pid; do
  pid=$(cat "$f")
  name=$(basename "$f" .pid)
  t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  eval "t0=\$t0_$(echo "$name" | tr -c 'a-z0-9\n' _)"
  rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
  echo "$name: RSS $((rss / 1024)) MiB, idle CPU $(echo "$t0 $t1 $hz" | awk '{ printf "%.2f", ($2 - $1) / $3 / 10 * 100 }')%"
done

#!/bin/sh
# LeastAllocated vs MostAllocated vs the research scoring plugins BestFit, DotProduct and
# GPUPacking on the openb GPU trace (Alibaba cluster-trace-gpu-v2023, openb_pod_list_default),
# 5 seeds, each run replaying 90% of the jobs (--sample 0.9: the seed picks them), with the
# report at the end (docs/experiments.md "Example: GPU policies on openb").
#
#   examples/compare/openb.sh [OUT] [more kubesim compare options]
#
# OUT defaults to out/openb-compare.  The trace is looked up in $KS_TRACES_DIR, else in a
# shared/traces folder beside or above this repository.  On all 1,213 GPU nodes of openb no pod
# ever waits, whatever the policy; the comparison uses the first 40 (OUT/openb-nodes-40.csv).
# Without the trace (or with KS_EXAMPLE_SYNTHETIC=1) it compares the same policies on
# examples/compare/synthetic-gpu, a small trace in the same format.  KUBESIM names the kubesim
# to run (default: kubesim on PATH).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-out/openb-compare}
[ $# -gt 0 ] && shift
kubesim=${KUBESIM:-kubesim}

openb=
if [ -z "${KS_EXAMPLE_SYNTHETIC:-}" ]; then
  if [ -n "${KS_TRACES_DIR:-}" ] && [ -e "$KS_TRACES_DIR/alibaba-gpu-v2023/openb_pod_list_default.csv" ]; then
    openb=$KS_TRACES_DIR/alibaba-gpu-v2023
  else
    d=$here
    for _ in 1 2 3 4 5 6; do
      if [ -e "$d/shared/traces/alibaba-gpu-v2023/openb_pod_list_default.csv" ]; then
        openb=$d/shared/traces/alibaba-gpu-v2023
        break
      fi
      d=$(dirname "$d")
    done
  fi
fi
mkdir -p "$out"
if [ -n "$openb" ]; then
  head -n 41 "$openb/openb_node_list_gpu_node.csv" >"$out/openb-nodes-40.csv"
  set -- "$out/openb-nodes-40.csv" "$openb/openb_pod_list_default.csv" "$@"
  echo "openb.sh: the openb trace in $openb, on its first 40 GPU nodes" >&2
else
  set -- "$here/synthetic-gpu/nodes.csv" "$here/synthetic-gpu/pods.csv" "$@"
  echo "openb.sh: no openb trace (KS_TRACES_DIR, shared/traces): the synthetic one" >&2
fi
exec "$kubesim" compare "$@" --format alibaba-gpu-2023 --sample 0.9 \
  --policy LeastAllocated --policy MostAllocated --policy BestFit --policy DotProduct \
  --policy GPUPacking --seeds 5 --out "$out"

EXTRA_DIST += examples/job.yaml examples/rolling-update.yaml examples/drain.yaml
EXTRA_DIST += examples/churn.yaml examples/preemption.yaml examples/preemption-pdb.yaml examples/quickstart.yaml examples/manifests/web.yaml examples/manifests/worker.yaml \
	examples/real/web.yaml examples/real/statefulset.yaml examples/real/placement.yaml examples/real/placement-pods.yaml \
	examples/policies/least-allocated.yaml examples/policies/most-allocated.yaml \
	examples/policies/fair-share.yaml examples/policies/gpu-sharing.yaml examples/policies/prefer-gold.yaml \
	examples/policies/profiles.yaml examples/policies/target-tracking.yaml \
	examples/schedule/cluster.yaml examples/schedule/web.yaml examples/schedule/cache.yaml \
	examples/schedule/trainer.yaml examples/schedule/big.yaml examples/schedule/identical.yaml \
	examples/schedule/busy.yaml examples/schedule/urgent.yaml \
	examples/schedule/volumes.yaml examples/schedule/db.yaml examples/schedule/logger.yaml
EXTRA_DIST += examples/statefulset.yaml examples/volumes.yaml
EXTRA_DIST += examples/crashes.yaml
EXTRA_DIST += examples/traffic.yaml examples/load-shapes.yaml examples/load-rates.csv
EXTRA_DIST += examples/cluster-autoscaler.yaml
EXTRA_DIST += examples/node-failure.yaml
EXTRA_DIST += examples/regression/scale-up.yaml examples/regression/node-failure.yaml \
	examples/regression/latency.yaml examples/regression/overload.yaml
EXTRA_DIST += examples/hpa.yaml examples/hpa-web.yaml
EXTRA_DIST += examples/compare/packing.yaml examples/compare/sweep.sbatch examples/compare/trace-nodes.yaml \
	examples/compare/openb.sh examples/compare/synthetic-gpu/nodes.csv examples/compare/synthetic-gpu/pods.csv \
	examples/compare/synthetic-gpu/README.md

EXTRA_DIST += examples/churn.yaml examples/quickstart.yaml examples/manifests/web.yaml examples/manifests/worker.yaml \
	examples/real/web.yaml

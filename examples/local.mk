EXTRA_DIST += examples/quickstart.yaml examples/manifests/web.yaml examples/manifests/worker.yaml

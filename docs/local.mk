EXTRA_DIST += \
	docs/architecture.md \
	docs/autoscaling.md \
	docs/benchmarks.md \
	docs/ci.md \
	docs/development.md \
	docs/experiments.md \
	docs/formats.md \
	docs/policies.md \
	docs/policy-abi.md \
	docs/real-mode.md \
	docs/scheduler.md \
	docs/traces.md \
	docs/user-guide.md

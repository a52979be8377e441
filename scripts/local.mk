EXTRA_DIST += scripts/build scripts/deps scripts/quickstart scripts/test scripts/trace-bench-inputs.sh

EXTRA_DIST += scripts/build scripts/deps scripts/quickstart scripts/test

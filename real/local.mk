# real/: runc runtime, node agent, API server (the real-mode work fills this in).
EXTRA_DIST += real/README.md

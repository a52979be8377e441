# traces/: streaming readers for public cluster traces (the trace-replay work fills this in).
EXTRA_DIST += traces/README.md traces/ks-trace.h traces/ks-trace-input.h traces/ks-trace-private.h

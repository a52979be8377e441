# traces/: streaming readers for public cluster traces (docs/traces.md), their mapping to
# Kubernetes objects and the native format's writer.
noinst_LTLIBRARIES += traces/libks-traces.la
traces_libks_traces_la_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"kubesim-traces\"
traces_libks_traces_la_SOURCES = \
	traces/ks-trace.c traces/ks-trace.h traces/ks-trace-private.h \
	traces/ks-trace-input.c traces/ks-trace-input.h \
	traces/ks-trace-stats.c traces/ks-trace-stats.h \
	traces/ks-trace-merge.c traces/ks-trace-merge.h \
	traces/ks-trace-google-2011.c \
	traces/ks-trace-google-2019.c \
	traces/ks-trace-queue.c traces/ks-trace-queue.h \
	traces/ks-trace-alibaba-2017.c \
	traces/ks-trace-alibaba-2018.c \
	traces/ks-trace-alibaba-gpu-2023.c \
	traces/ks-trace-azure-vm.c \
	traces/ks-trace-kubesim.c \
	traces/ks-trace-objects.c traces/ks-trace-objects.h \
	traces/ks-trace-writer.c traces/ks-trace-writer.h \
	traces/ks-trace-generate.c traces/ks-trace-generate.h
EXTRA_DIST += traces/README.md

# src/cli/: the kubesim binary (thin: options, then the library).
bin_PROGRAMS += kubesim
kubesim_SOURCES = \
	src/cli/ks-cli.h \
	src/cli/main.c \
	src/cli/kubectl-cli.c src/cli/kubectl-cli.h \
	src/cli/cmd-apply.c \
	src/cli/cmd-bench.c \
	src/cli/cmd-check.c \
	src/cli/cmd-compare.c \
	src/cli/cmd-cluster.c \
	src/cli/cmd-control-plane.c \
	src/cli/cmd-delete.c \
	src/cli/cmd-describe.c \
	src/cli/cmd-get.c \
	src/cli/cmd-image.c \
	src/cli/cmd-logs.c \
	src/cli/cmd-top.c \
	src/cli/cmd-node.c \
	src/cli/cmd-policies.c \
	src/cli/cmd-report.c \
	src/cli/cmd-replay.c \
	src/cli/cmd-rollout.c \
	src/cli/cmd-run.c \
	src/cli/cmd-autoscale.c \
	src/cli/cmd-scale.c \
	src/cli/cmd-schedule.c \
	src/cli/cmd-trace.c \
	src/cli/cmd-trace-convert.c \
	src/cli/cmd-trace-stats.c \
	src/cli/cmd-trace-generate.c \
	src/cli/cmd-version.c
kubesim_LDADD = libkubesim.la
# Policy modules call kubesim's ks_* functions: export them to the modules kubesim loads.
kubesim_LDFLAGS = $(AM_LDFLAGS) -export-dynamic

# src/cli/: the kubesim binary (thin: options, then the library).
bin_PROGRAMS += kubesim
kubesim_SOURCES = \
	src/cli/ks-cli.h \
	src/cli/main.c \
	src/cli/cmd-bench.c \
	src/cli/cmd-cluster.c \
	src/cli/cmd-control-plane.c \
	src/cli/cmd-image.c \
	src/cli/cmd-node.c \
	src/cli/cmd-run.c \
	src/cli/cmd-version.c
kubesim_LDADD = libkubesim.la

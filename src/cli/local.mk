# src/cli/: the kubesim binary.
bin_PROGRAMS += kubesim
kubesim_SOURCES = src/cli/main.c
kubesim_LDADD = libkubesim.la

# policies/: the scheduler policy ABI and the built-in plugins.
noinst_LTLIBRARIES += policies/libks-policies.la
policies_libks_policies_la_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"kubesim-policies\"
policies_libks_policies_la_SOURCES = \
	policies/ks-policy.h \
	policies/ks-builtin-private.h \
	policies/ks-builtin.c \
	policies/plugin-node-affinity.c \
	policies/plugin-node-basic.c \
	policies/plugin-node-resources.c \
	policies/plugin-priority-sort.c \
	policies/plugin-taint-toleration.c

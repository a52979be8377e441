# policies/: the scheduler policy ABI and the built-in plugins.
noinst_LTLIBRARIES += policies/libks-policies.la
policies_libks_policies_la_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"kubesim-policies\"
policies_libks_policies_la_SOURCES = \
	policies/ks-policy.h \
	policies/ks-autoscaler-policy.h \
	policies/ks-builtin-private.h \
	policies/ks-builtin.c \
	policies/ks-match-cache.h \
	policies/ks-node-memo.c \
	policies/ks-node-memo.h \
	policies/ks-policy-modules.c \
	policies/ks-policy-modules.h \
	policies/plugin-gpu-packing.c \
	policies/ks-node-info.c \
	policies/plugin-image-locality.c \
	policies/plugin-node-affinity.c \
	policies/plugin-default-preemption.c \
	policies/plugin-node-basic.c \
	policies/plugin-node-ports.c \
	policies/plugin-node-resources.c \
	policies/plugin-pod-topology-spread.c \
	policies/plugin-inter-pod-affinity.c \
	policies/plugin-priority-sort.c \
	policies/plugin-queue-sort.c \
	policies/plugin-research-score.c \
	policies/plugin-taint-toleration.c \
	policies/plugin-volumes.c

# The installed ABI (docs/policy-abi.md): ks-policy.h, ks-autoscaler-policy.h and the headers
# they include, at the paths
# they have here, under $(includedir)/kubesim, so that the header's own #include lines work
# unchanged with -I$(includedir)/kubesim; and kubesim-policy.pc for pkg-config.
kubesimincludedir = $(includedir)/kubesim
nobase_kubesiminclude_HEADERS = \
	policies/ks-policy.h \
	policies/ks-autoscaler-policy.h \
	src/ks-intern.h \
	src/api/ks-autoscaling.h \
	src/api/ks-decode.h \
	src/api/ks-diag.h \
	src/api/ks-node.h \
	src/api/ks-object.h \
	src/api/ks-pod.h \
	src/api/ks-resources.h \
	src/api/ks-selector.h \
	src/api/ks-strmap.h \
	src/api/ks-taint.h \
	src/api/ks-yaml.h
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = policies/kubesim-policy.pc
EXTRA_DIST += policies/kubesim-policy.pc.in
CLEANFILES += policies/kubesim-policy.pc
# Made by make rather than configure, so that abi_version follows the header; the directories
# stay relative to ${prefix} as configure gave them ($(value ...)), so the file relocates.
policies/kubesim-policy.pc: $(srcdir)/policies/kubesim-policy.pc.in $(srcdir)/policies/ks-policy.h \
		$(srcdir)/policies/ks-autoscaler-policy.h
	$(AM_V_GEN)$(MKDIR_P) policies && \
	abi=`sed -n 's/^#define KS_POLICY_ABI_VERSION \([0-9][0-9]*\)$$/\1/p' $(srcdir)/policies/ks-policy.h` && \
	test -n "$$abi" && \
	asabi=`sed -n 's/^#define KS_AUTOSCALER_POLICY_ABI_VERSION \([0-9][0-9]*\)$$/\1/p' $(srcdir)/policies/ks-autoscaler-policy.h` && \
	test -n "$$asabi" && \
	sed -e 's|[@]prefix[@]|$(prefix)|g' -e 's|[@]exec_prefix[@]|$(value exec_prefix)|g' \
	    -e 's|[@]libdir[@]|$(value libdir)|g' -e 's|[@]includedir[@]|$(value includedir)|g' \
	    -e "s|[@]KS_POLICY_ABI_VERSION[@]|$$abi|g" -e "s|[@]KS_AUTOSCALER_POLICY_ABI_VERSION[@]|$$asabi|g" -e 's|[@]PACKAGE_VERSION[@]|$(PACKAGE_VERSION)|g' \
	    $(srcdir)/policies/kubesim-policy.pc.in >$@.tmp && mv $@.tmp $@

# An external plug-in built as a module (a shared object), the way a third party builds one;
# tests load it with --policy-path.  -rpath makes libtool build a shared object although the
# module is not installed; --tag=disable-static builds it PIC and without a static archive.
noinst_LTLIBRARIES += policies/examples/prefer-node-label.la
policies_examples_prefer_node_label_la_SOURCES = policies/examples/prefer-node-label.c
policies_examples_prefer_node_label_la_LDFLAGS = -module -avoid-version -rpath /nowhere
policies_examples_prefer_node_label_la_LIBTOOLFLAGS = --tag=disable-static
# An external autoscaler policy (target tracking), built and loaded the same way.
noinst_LTLIBRARIES += policies/examples/target-tracking.la
policies_examples_target_tracking_la_SOURCES = policies/examples/target-tracking.c
policies_examples_target_tracking_la_LDFLAGS = -module -avoid-version -rpath /nowhere
policies_examples_target_tracking_la_LIBTOOLFLAGS = --tag=disable-static

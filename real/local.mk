# real/: real mode: wall clock, runc runtime, node agent, API server and client.
noinst_LTLIBRARIES += real/libks-real.la
real_libks_real_la_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"kubesim-real\"
real_libks_real_la_SOURCES = \
	real/ks-api-patch.c real/ks-api-patch.h \
	real/ks-api-select.c real/ks-api-select.h \
	real/ks-api-status.c real/ks-api-status.h \
	real/ks-apiserver.c real/ks-apiserver.h \
	real/ks-cgroup.c real/ks-cgroup.h \
	real/ks-agent-provider.c real/ks-agent-provider.h \
	real/ks-cluster.c real/ks-cluster.h \
	real/ks-control-plane.c real/ks-control-plane.h \
	real/ks-daemon.c real/ks-daemon.h \
	real/ks-fsutil.c real/ks-fsutil.h \
	real/ks-http-client.c real/ks-http-client.h \
	real/ks-image-store.c real/ks-image-store.h \
	real/ks-kubeconfig.c real/ks-kubeconfig.h \
	real/ks-kubectl.c real/ks-kubectl.h real/ks-kubectl-private.h \
	real/ks-kubectl-apply.c \
	real/ks-kubectl-describe.c \
	real/ks-kubectl-logs.c \
	real/ks-kubectl-rollout.c \
	real/ks-kubectl-top.c \
	real/ks-http-listen.c real/ks-http-listen.h \
	real/ks-kubelet-server.c real/ks-kubelet-server.h \
	real/ks-metrics-api.c real/ks-metrics-api.h \
	real/ks-net.c real/ks-net.h real/ks-net-private.h \
	real/ks-node-agent.c real/ks-node-agent.h \
	real/ks-nsfile.c real/ks-nsfile.h \
	real/ks-oci-bundle.c real/ks-oci-bundle.h \
	real/ks-printers.c real/ks-printers.h \
	real/ks-resource-metrics.c real/ks-resource-metrics.h \
	real/ks-rest.c real/ks-rest.h \
	real/ks-prober-gio.c real/ks-prober-gio.h \
	real/ks-runc-runtime.c real/ks-runc-runtime.h \
	real/ks-runc.c real/ks-runc.h \
	real/ks-service-feed.c real/ks-service-feed.h \
	real/ks-service-proxy.c real/ks-service-proxy.h \
	real/ks-volumes.c real/ks-volumes.h \
	real/ks-wall-clock.c real/ks-wall-clock.h

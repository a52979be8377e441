# src/: the shared core (object model, store, scheduler, controllers, kubelet) and the CLI.
noinst_LTLIBRARIES += src/libks-core.la
src_libks_core_la_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"kubesim-core\"
src_libks_core_la_SOURCES = \
	src/ks-clock.h \
	src/ks-event-queue.c src/ks-event-queue.h \
	src/ks-event-sink-objects.c src/ks-event-sink-objects.h \
	src/ks-events.c src/ks-events.h \
	src/ks-intern.c src/ks-intern.h \
	src/ks-rng.c src/ks-rng.h \
	src/api/ks-apps.c src/api/ks-apps.h \
	src/api/ks-autoscaling.c src/api/ks-autoscaling.h src/api/ks-autoscaling-v1.c \
	src/api/ks-batch.c src/api/ks-batch.h \
	src/api/ks-decode.c src/api/ks-decode.h \
	src/api/ks-diag.c src/api/ks-diag.h \
	src/api/ks-duration.c src/api/ks-duration.h \
	src/api/ks-event.c src/api/ks-event.h \
	src/api/ks-kinds-private.h \
	src/api/ks-namespace.c src/api/ks-namespace.h \
	src/api/ks-node.c src/api/ks-node.h \
	src/api/ks-object.c src/api/ks-object.h \
	src/api/ks-pdb.c src/api/ks-pdb.h \
	src/api/ks-pod.c src/api/ks-pod.h \
	src/api/ks-pod-affinity.c \
	src/api/ks-quantity.c src/api/ks-quantity.h \
	src/api/ks-resources.c src/api/ks-resources.h \
	src/api/ks-selector.c src/api/ks-selector.h \
	src/api/ks-service.c src/api/ks-service.h \
	src/api/ks-statefulset.c src/api/ks-statefulset.h \
	src/api/ks-storage.c src/api/ks-storage.h \
	src/api/ks-strmap.c src/api/ks-strmap.h \
	src/api/ks-taint.c src/api/ks-taint.h \
	src/api/ks-yaml.c src/api/ks-yaml.h \
	src/api/ks-yaml-emit.c src/api/ks-yaml-emit.h \
	src/store/ks-admission.c src/store/ks-admission.h \
	src/store/ks-bootstrap.c src/store/ks-bootstrap.h \
	src/store/ks-client.c src/store/ks-client.h \
	src/store/ks-sqlite-backend.c src/store/ks-sqlite-backend.h \
	src/store/ks-store-backend.c src/store/ks-store-backend.h \
	src/store/ks-store.c src/store/ks-store.h \
	src/store/ks-workqueue.c src/store/ks-workqueue.h \
	src/scheduler/ks-explain.c src/scheduler/ks-explain.h \
	src/scheduler/ks-framework.c src/scheduler/ks-framework.h \
	src/scheduler/ks-sched-cache.c src/scheduler/ks-sched-cache.h \
	src/scheduler/ks-sched-config.c src/scheduler/ks-sched-config.h \
	src/scheduler/ks-sched-queue.c src/scheduler/ks-sched-queue.h \
	src/scheduler/ks-scheduler.c src/scheduler/ks-scheduler.h \
	src/controllers/ks-controller-manager.c \
	src/controllers/ks-controller-private.h \
	src/controllers/ks-controller-util.c \
	src/controllers/ks-controllers.h \
	src/controllers/ks-deployment-controller.c \
	src/controllers/ks-disruption-controller.c \
	src/controllers/ks-endpoints-controller.c \
	src/controllers/ks-endpointslice-controller.c \
	src/controllers/ks-garbage-collector.c \
	src/controllers/ks-node-ipam-controller.c \
	src/controllers/ks-node-lifecycle-controller.c \
	src/controllers/ks-pod-gc-controller.c \
	src/controllers/ks-hpa.c src/controllers/ks-hpa.h \
	src/controllers/ks-node-groups.c src/controllers/ks-node-groups.h \
	src/controllers/ks-evict.c src/controllers/ks-evict.h \
	src/controllers/ks-cluster-autoscaler.c src/controllers/ks-cluster-autoscaler.h \
	src/controllers/ks-hpa-controller.c \
	src/controllers/ks-job-controller.c \
	src/controllers/ks-pv-controller.c \
	src/controllers/ks-volume-protection-controller.c \
	src/controllers/ks-replicaset-controller.c \
	src/controllers/ks-rollback.c src/controllers/ks-rollback.h \
	src/controllers/ks-statefulset-controller.c \
	src/controllers/ks-ttl-after-finished-controller.c \
	src/controllers/ks-taint-eviction-controller.c \
	src/kubelet/ks-eviction.c src/kubelet/ks-eviction.h \
	src/kubelet/ks-kubelet.c src/kubelet/ks-kubelet.h \
	src/kubelet/ks-node-lease.c src/kubelet/ks-node-lease.h \
	src/kubelet/ks-node-status.c src/kubelet/ks-node-status.h \
	src/kubelet/ks-prober.h \
	src/kubelet/ks-runtime.h \
	src/metrics/ks-metrics-client.c src/metrics/ks-metrics-client.h \
	src/metrics/ks-metrics-server.c src/metrics/ks-metrics-server.h \
	src/metrics/ks-metrics-storage.c src/metrics/ks-metrics-storage.h

include src/cli/local.mk

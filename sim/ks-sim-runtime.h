/* ks-sim-runtime.h: the modelled container runtime.
 *
 * A container starts (STARTED) after the pod's kubesim.io/startup time, or the runtime's default;
 * with kubesim.io/duration it exits with kubesim.io/exit-code (default 0) that long after it
 * started; with kubesim.io/crash-rate (and no duration) it exits with the exit code (default 1)
 * after exponential times drawn from the container's own seeded stream.  A container whose share
 * of kubesim.io/memory-usage exceeds its memory limit is OOMKilled (137) as soon as it starts.
 * Init containers complete as soon as they start, and sidecars (restartPolicy Always)
 * run until they are stopped.  Asked to stop, a container that is
 * still starting ends at once and a running one is killed when its grace period ends (exit code
 * 137), unless it ends on its own first. */
#pragma once

#include "src/ks-clock.h"
#include "src/kubelet/ks-runtime.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

/* A runtime for one node.  default_startup: µs from start to running. */
KsRuntime *ks_sim_runtime_new (KsClock *clock, gint64 default_startup);
/* The run's seed for the crash-rate streams (default 1); set before any container starts. */
void ks_sim_runtime_set_seed (KsRuntime *runtime, guint64 seed);
guint ks_sim_runtime_n_containers (KsRuntime *runtime);

/* Give the node's pods IPs (set before any pod starts): each pod's sandbox takes the lowest free
 * address of the node's spec.podCIDR, read through client (borrowed) when the sandbox is made,
 * from the second host address (the first is the bridge's, as on real nodes) to the last but
 * one; the address is freed with the sandbox.  A node without a podCIDR (the node IPAM
 * controller has not given it one, or its range is exhausted) fails the sandbox, and the kubelet
 * retries, as a node whose network plugin is not ready does.  Without this call pods get no IP
 * (status.podIP stays empty), which costs nothing. */
void ks_sim_runtime_set_network (KsRuntime *runtime, KsClient *client, const char *node_name);

/* The CPU time (core-nanoseconds) pod has spent serving requests up to now, cumulative from the
 * pod's first request (sim/ks-sim-traffic.h). */
typedef guint64 (*KsSimLoadFunc) (const KsUid *pod_uid, gpointer user_data);
/* Add the CPU of served requests to what container_stats reports (func may be NULL: none):
 * what a pod spends after a container instance started is shared by its running containers as
 * kubesim.io/cpu-usage is.  data is borrowed. */
void ks_sim_runtime_set_load (KsRuntime *runtime, KsSimLoadFunc func, gpointer data);
/* End pod's running containers (not init containers) at time at, or now if that has passed, with
 * exit_code, as if their kubesim.io/duration ended then (reason Completed for 0, else Error):
 * trace replay's recorded ends.  Returns how many containers were running. */
guint ks_sim_runtime_end_pod (KsRuntime *runtime, const KsPod *pod, gint64 at, gint exit_code);
/* The served-request CPU of pod_uid up to now (core-ns): the load function's, 0 without one. */
guint64 ks_sim_runtime_get_load_cpu (KsRuntime *runtime, const KsUid *pod_uid);

G_END_DECLS

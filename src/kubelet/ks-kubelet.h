/* ks-kubelet.h: the kubelet's pod logic, shared by sim and real mode.
 *
 * One kubelet serves one node: it watches the pods bound to it, admits them (resources fit
 * the node's allocatable), creates the pod's sandbox (its IP goes to status.podIP) when the
 * runtime has sandboxes, runs init containers in order (a sidecar, an init container with
 * restartPolicy Always, lets the next one start once it has started, and runs as long as the
 * pod) and then the containers through a KsRuntime, reports status (phase, conditions, container
 * states), restarts exited containers by restartPolicy with CrashLoopBackOff (10 s doubling to
 * 300 s), reports image and create errors (ErrImagePull and ImagePullBackOff with the image
 * back-off, CreateContainerError, RunContainerError) and retries, runs liveness, readiness and
 * startup probes (exec through the runtime, httpGet and tcpSocket through a KsProber), and on
 * deletion stops the containers within the grace period (sidecars last) and then removes the
 * pod.  A pod that has ended has its containers removed and its sandbox torn down. */
#pragma once

#include "ks-eviction.h"
#include "ks-prober.h"
#include "ks-runtime.h"
#include "src/ks-events.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

typedef struct _KsKubelet KsKubelet;

/* Start a kubelet for node_name (runtime is borrowed and must outlive it). */
KsKubelet *ks_kubelet_new (KsClient *client, KsClock *clock, KsRuntime *runtime,
                           KsEventSink *events, const char *node_name);
/* Stop watching and forget every pod without touching containers or objects (the kubelet
 * process ended).  The runtime is not freed. */
void ks_kubelet_free (KsKubelet *kubelet);

/* The prober for httpGet and tcpSocket probes (borrowed, must outlive the kubelet; NULL: such
 * probes fail with "HTTP probes are not supported").  Set it before pods arrive. */
void ks_kubelet_set_prober (KsKubelet *kubelet, KsProber *prober);

const char *ks_kubelet_get_node_name (KsKubelet *kubelet);
/* Post the status of every pod it runs (admitted, not terminal, not being deleted) again, as the
 * kubelet's status manager does when the API server's copy differs from its own: after a network
 * partition, whatever the control plane changed meanwhile (the node lifecycle controller's
 * Ready=False) is set right.  Pods in name order. */
void ks_kubelet_resync_status (KsKubelet *kubelet);

/* Pods the kubelet currently runs (admitted, not terminal). */
guint ks_kubelet_n_active_pods (KsKubelet *kubelet);

/* Node-pressure eviction (ks-eviction.h).  Start the kubelet's eviction manager (once; options
 * may be NULL for the defaults): every options->monitoring_interval it compares the node's
 * memory.available with the hard threshold, reports MemoryPressure changes through func (may be
 * NULL) and evicts a pod when the threshold is met.  It stops with the kubelet. */
void ks_kubelet_start_eviction (KsKubelet *kubelet, const KsEvictionOptions *options,
                                KsMemoryPressureFunc func, gpointer user_data);
/* Whether the node is under memory pressure as the eviction manager last found (FALSE when it
 * is not started).  While it is, BestEffort pods are rejected at admission (reason Evicted,
 * "The node had condition: [MemoryPressure]. "). */
gboolean ks_kubelet_under_memory_pressure (KsKubelet *kubelet);
/* Set by the eviction manager. */
void ks_kubelet_set_memory_pressure (KsKubelet *kubelet, gboolean pressure);
/* The pods the kubelet runs (admitted, not terminal, not being deleted), sorted by namespace and
 * name; a new array of references. */
GPtrArray *ks_kubelet_list_pods (KsKubelet *kubelet);
/* Evict pod (one of ks_kubelet_list_pods): a Warning event "Evicted" with message, the pod's
 * phase Failed with reason Evicted, message, and condition DisruptionTarget True
 * (TerminationByKubelet), and its containers stopped with grace period 0.  The object stays (its
 * controller replaces it).  FALSE when the kubelet does not run it (any more). */
gboolean ks_kubelet_evict_pod (KsKubelet *kubelet, const KsPod *pod, const char *message);

/* The kubelet's restart backoff (flowcontrol.Backoff with 10 s initial, 300 s max). */
#define KS_CONTAINER_BACKOFF_INITIAL (10 * KS_USEC_PER_SEC)
#define KS_CONTAINER_BACKOFF_MAX (300 * KS_USEC_PER_SEC)
/* The image pull back-off (per pod and image): the same values. */
#define KS_IMAGE_BACKOFF_INITIAL (10 * KS_USEC_PER_SEC)
#define KS_IMAGE_BACKOFF_MAX (300 * KS_USEC_PER_SEC)
/* backOffPeriod: a pod whose sync failed (a sandbox, image or container that could not be made)
 * is synced again this long after (Kubernetes adds up to 50 % jitter; kubesim does not). */
#define KS_KUBELET_RETRY_PERIOD (10 * KS_USEC_PER_SEC)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsKubelet, ks_kubelet_free)

G_END_DECLS

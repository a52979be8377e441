/* ks-eviction.h: the kubelet's eviction manager for node-pressure eviction (reference §5.4;
 * pkg/kubelet/eviction), shared by sim and real mode, memory only.
 *
 * Every monitoring interval (10 s) it observes memory.available = the node's memory capacity −
 * the working set of the node (the runtime's node_stats when it has them, else the sum of its
 * running containers' working sets).  Below the hard threshold (memory.available 100Mi):
 *   - the node is under MemoryPressure, and stays so until the threshold has not been met for
 *     the pressure transition period (5 min);
 *   - a Warning event EvictionThresholdMet ("Attempting to reclaim memory") is recorded on the
 *     Node, and one pod is evicted (at most one per interval, as the kubelet): the pods are
 *     ranked as rankMemoryPressure does — pods whose usage exceeds their memory request first,
 *     then lower priority first, then larger usage − request first (ties: namespace and name,
 *     kubesim's order where the kubelet's is its pod list's) — and the first that is not critical
 *     (priority below 2000000000) is evicted with grace period 0 and the message
 *     "The node was low on resource: memory. Threshold quantity: 100Mi, available: <q>. " plus,
 *     for each container whose working set exceeds its request,
 *     "Container <c> was using <q>, request is <q>, has larger consumption of memory. ".
 * MemoryPressure is reported through a callback (the node status updater, or the sim, writes the
 * Node's condition) at the first check and then on each change. */
#pragma once

#include "ks-runtime.h"
#include "src/ks-events.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

typedef struct _KsKubelet KsKubelet;
typedef struct _KsEvictionManager KsEvictionManager;

/* The kubelet's defaults (reference §5.4, Appendix A). */
#define KS_EVICTION_MONITORING_INTERVAL (10 * KS_USEC_PER_SEC)
#define KS_EVICTION_MEMORY_AVAILABLE_HARD (100 * 1024 * 1024)
#define KS_EVICTION_PRESSURE_TRANSITION_PERIOD (300 * KS_USEC_PER_SEC)
/* kubelettypes.IsCriticalPod: scheduling.SystemCriticalPriority. */
#define KS_SYSTEM_CRITICAL_PRIORITY 2000000000

typedef struct
{
  gint64 monitoring_interval;        /* µs, above 0 */
  gint64 memory_available;           /* evictionHard memory.available, bytes */
  gint64 pressure_transition_period; /* µs */
} KsEvictionOptions;

void ks_eviction_options_init (KsEvictionOptions *options);

/* Called with the node's MemoryPressure (TRUE: under pressure) at the first check and when it
 * changes. */
typedef void (*KsMemoryPressureFunc) (KsKubelet *kubelet, gboolean pressure, gpointer user_data);

/* A manager for kubelet (which owns it: use ks_kubelet_start_eviction).  The first check is one
 * interval from now.  options may be NULL for the defaults. */
KsEvictionManager *ks_eviction_manager_new (KsKubelet *kubelet, KsClient *client, KsClock *clock,
                                            KsRuntime *runtime, KsEventSink *events,
                                            const char *node_name, const KsEvictionOptions *options,
                                            KsMemoryPressureFunc func, gpointer user_data);
void ks_eviction_manager_free (KsEvictionManager *manager);

/* Run one check now (what each interval does).  Returns the pod evicted (a new reference) or
 * NULL. */
KsPod *ks_eviction_manager_synchronize (KsEvictionManager *manager);

G_END_DECLS

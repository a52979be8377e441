/* ks-sim-metrics.h: the resource metrics pipeline's source in sim: the modelled runtimes.
 *
 * A scrape of a node reads, for every pod bound to it, each running container's usage from the
 * node's runtime (KsRuntimeOps.container_stats: the pod's kubesim.io/cpu-usage and memory-usage
 * shared by its running containers, CPU accrued since each instance started).  The node's own
 * point is the sum of its pods' modelled usage (sim models no system overhead): its CPU counter
 * accrues, between two scrapes, at the rate the earlier one saw, so a change between scrapes
 * shows from the next window on; the CPU the pods spent on requests (sim/ks-sim-traffic.h) since
 * the last scrape is added to it at each scrape (a container's own counter includes its share at
 * once).  As metrics-server drops points with no CPU or memory, a pod without memory usage (the
 * kubesim.io/memory-usage annotation), and a node none of whose pods have it, have no metrics. */
#pragma once

#include "src/kubelet/ks-runtime.h"
#include "src/metrics/ks-metrics-server.h"

G_BEGIN_DECLS

/* The runtime of node (borrowed), or NULL when the node has none (failed). */
typedef KsRuntime *(*KsSimRuntimeLookup) (const char *node, gpointer user_data);

/* A source that finds pods through client and runtimes through lookup (all borrowed; they must
 * outlive the source), on clock. */
KsMetricsSource *ks_sim_metrics_source_new (KsClient *client, KsClock *clock,
                                            KsSimRuntimeLookup lookup, gpointer user_data);

/* A source answering delay µs after inner does (inner owned): the scrape delay of a scenario's
 * hpa section, so that a point read at t is stored, and seen by the HPA, from t + delay.
 * The points keep the time they were read. */
KsMetricsSource *ks_delayed_metrics_source_new (KsMetricsSource *inner, KsClock *clock,
                                                gint64 delay);

G_END_DECLS

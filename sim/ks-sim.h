/* ks-sim.h: a simulated cluster: the virtual clock, the store, the scheduler, the controllers and
 * one modelled node (kubelet + runtime) per Node, driven by a scenario's objects and timed
 * events (apply, scale, delete, failNode, recoverNode, partitionNode, healPartition, ...) and
 * random node failures. */
#pragma once

#include "ks-scenario.h"
#include "ks-sim-traffic.h"
#include "src/ks-events.h"
#include "src/kubelet/ks-runtime.h"
#include "src/scheduler/ks-scheduler.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

typedef struct _KsSim KsSim;

/* The pod network of a scenario with Services: node IPAM gives each Node a /24 of
 * KS_CLUSTER_CIDR (10.244.0.0/16, 255 nodes), or of this range when the cluster can have more
 * nodes; each node's pods take addresses from its /24 (ks_sim_runtime_set_network). */
#define KS_SIM_LARGE_CLUSTER_CIDR "10.128.0.0/9"

/* Build the cluster for scenario (borrowed; must outlive the sim) with seed.  Nothing runs until
 * ks_sim_start. */
KsSim *ks_sim_new (const KsScenario *scenario, guint64 seed, GError **error);
/* Where the components' events go (NULL: dropped).  Set before ks_sim_start. */
void ks_sim_set_event_sink (KsSim *sim, KsEventSink *sink);
void ks_sim_free (KsSim *sim);

KsClock *ks_sim_get_clock (KsSim *sim);
KsClient *ks_sim_get_client (KsSim *sim);
KsStore *ks_sim_get_store (KsSim *sim);
KsScheduler *ks_sim_get_scheduler (KsSim *sim);
/* The request model of the scenario's loads (borrowed), or NULL when it has none. */
KsSimTraffic *ks_sim_get_traffic (KsSim *sim);
/* The modelled runtime of node name (borrowed), or NULL when there is no such node or it has
 * failed: for the metrics pipeline's source (ks-sim-metrics.h). */
KsRuntime *ks_sim_get_node_runtime (KsSim *sim, const char *name);

/* Whether the HPA controller and the metrics pipeline run (the scenario autoscales). */
gboolean ks_sim_autoscales (KsSim *sim);
/* A metrics.csv row. */
typedef void (*KsSimRowFunc) (gint64 t, const char *metric, const char *object, double value,
                              gpointer data);
/* The HPAs' rows of a sample at now: hpa_current_replicas, hpa_desired_replicas and, for each
 * metric with a current value, hpa_metric_<n> (its utilization in percent, else its average or
 * value), object "namespace/name", in key order (docs/formats.md). */
void ks_sim_sample_hpas (KsSim *sim, KsSimRowFunc row, gpointer data);
/* Append summary.json's "hpas" member (",\n  \"hpas\": {...}"): each HPA that exists at the end
 * or was reconciled: target, min, max, replicas, rescales up and down, the highest and lowest
 * counts it set, the last scale time and its conditions' reasons. */
void ks_sim_append_hpa_summary (KsSim *sim, GString *json);

/* A part of the outputs that a feature of the scenario adds: rows of each metrics.csv sample and
 * a member of summary.json.  ks_sim_get_sections gives those of the run (the request model's
 * services, the HPAs, the node pools), in the order they are written. */
typedef struct
{
  void (*sample) (KsSim *sim, KsSimRowFunc row, gpointer data);
  void (*append_summary) (KsSim *sim, GString *json);
} KsSimSection;

#define KS_SIM_MAX_SECTIONS 3

/* Fill sections (room for KS_SIM_MAX_SECTIONS) and return how many the run has. */
guint ks_sim_get_sections (KsSim *sim, const KsSimSection **sections);

/* Create the nodes and objects at time 0 and schedule the scenario's events.  Fails (with
 * KS_SIM_ERROR_INPUT) when an object cannot be created. */
gboolean ks_sim_start (KsSim *sim, GError **error);

typedef void (*KsSimProgressFunc) (gint64 now, guint64 n_events, gpointer user_data);

/* Run until time end (µs).  progress (may be NULL) is called every few tens of thousands of
 * events. */
void ks_sim_run_until (KsSim *sim, gint64 end, KsSimProgressFunc progress, gpointer user_data);
/* Add a node (copied) with its node agent now, as a machine joining: trace replay's machines.
 * Event RegisteredNode.  Fails when a node of that name exists. */
gboolean ks_sim_add_node (KsSim *sim, const KsNode *node, GError **error);

/* Clock tasks run so far. */
guint64 ks_sim_get_events_processed (KsSim *sim);

/* The scenario the sim runs (borrowed). */
const KsScenario *ks_sim_get_scenario (KsSim *sim);

/* Node pools in the outputs (ks-sim-autoscaler.c), for runs with node groups or a pool with a
 * pricePerHour (ks_sim_reports_pools): metrics.csv rows pool_nodes, pool_target_size (node
 * groups), pool_node_hours and pool_cost per pool, and summary.json's node_pools and cost. */
gboolean ks_sim_reports_pools (KsSim *sim);
void ks_sim_sample_pools (KsSim *sim, KsSimRowFunc row, gpointer data);
void ks_sim_append_pools_summary (KsSim *sim, GString *json);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsSim, ks_sim_free)

G_END_DECLS

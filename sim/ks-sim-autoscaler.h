/* ks-sim-autoscaler.h: the cluster autoscaler of a simulated cluster (docs/formats.md "Node
 * groups and the cluster autoscaler"): every scanInterval it scales node groups up for pods the
 * scheduler found unschedulable that would fit on a group's template node, and removes nodes of
 * groups that stayed unneeded (utilization under the threshold, pods movable elsewhere) for
 * scaleDownUnneededTime, as kubernetes/autoscaler's cluster-autoscaler does.  Its simulations run
 * the Filter plugins of the scenario's scheduler profiles (the real framework, explain mode: no
 * preemption) on snapshots of the cluster. */
#pragma once

#include "ks-scenario.h"
#include "ks-sim-private.h"
#include "src/ks-events.h"

G_BEGIN_DECLS

/* The autoscaler of sim (which must outlive it) for scenario's node groups and options; events
 * go to events (component "cluster-autoscaler").  NULL with error when a scheduler profile
 * cannot be instantiated. */
KsSimAutoscaler *ks_sim_autoscaler_new (KsSim *sim, const KsScenario *scenario, guint64 seed,
                                        KsEventSink *events, GError **error);
void ks_sim_autoscaler_free (KsSimAutoscaler *ca);
/* Schedule the first run at scanInterval. */
void ks_sim_autoscaler_start (KsSimAutoscaler *ca);

typedef struct
{
  guint target_size;   /* the group's size as the autoscaler sets it (nodes being provisioned
                          counted, nodes being removed not) */
  guint scale_ups;     /* scale-ups of this group */
  guint nodes_added;   /* nodes that registered after a scale-up */
  guint nodes_removed; /* nodes removed by scale-down */
  guint failed_removals;
} KsNodeGroupStats;

/* The statistics of the scenario's pool number pool, which must be a node group. */
void ks_sim_autoscaler_get_group_stats (KsSimAutoscaler *ca, guint pool, KsNodeGroupStats *stats);

G_END_DECLS

/* ks-cluster-autoscaler.h: the cluster autoscaler (docs/formats.md "Node groups and the cluster
 * autoscaler"), shared by sim and real mode: every scanInterval it scales node groups up for pods
 * the scheduler found unschedulable that would fit on a group's template node, and removes nodes
 * of groups that stayed unneeded (utilization under the threshold, pods movable elsewhere) for
 * scaleDownUnneededTime, as kubernetes/autoscaler's cluster-autoscaler does.  Its simulations run
 * the Filter plugins of the scheduler profiles (the real framework, explain mode: no preemption)
 * on snapshots of the cluster.
 *
 * What makes and removes nodes is a provider (the role of cloudprovider.NodeGroup): sim's makes
 * simulated nodes after the group's provisioning delay, real mode's starts and stops node agents.
 * The autoscaler keeps each group's target size itself (cloudprovider's TargetSize: nodes being
 * provisioned counted, nodes being removed not), never outside the group's min and max, and knows
 * a node's group by its label KS_NODE_GROUP_LABEL. */
#pragma once

#include "ks-node-groups.h"
#include "src/ks-clock.h"
#include "src/ks-events.h"
#include "src/scheduler/ks-sched-config.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

typedef struct _KsClusterAutoscaler KsClusterAutoscaler;

/* The NoSchedule taint of a node being removed (its value the Unix time it was set). */
#define KS_CLUSTER_AUTOSCALER_TAINT "ToBeDeletedByClusterAutoscaler"

typedef struct
{
  /* A Node as group pool's nodes register (labels with KS_NODE_GROUP_LABEL, capacity,
   * allocatable, taints, the kubelet's labels, Ready), named name; not created.  For the
   * scheduling simulations of a scale-up. */
  KsNode *(*template_node) (gpointer data, guint pool, const char *name);
  /* IncreaseSize by one node named name (no Node of that name exists).  When the node has
   * registered, or could not be made, the provider calls ks_cluster_autoscaler_node_registered
   * (possibly from inside this call on failure). */
  void (*create_node) (gpointer data, guint pool, const char *name);
  /* DeleteNodes: remove node name of group pool, drained (its evictable pods gone), and its
   * Node object.  May finish asynchronously; FALSE with error when it cannot start. */
  gboolean (*delete_node) (gpointer data, guint pool, const char *name, GError **error);
} KsNodeGroupProvider;

/* An autoscaler on client and clock for the node groups among pools (KsNodePool* with group
 * set; the others are ignored; pools and config must outlive it) with options (copied).  Group
 * target sizes start at each pool's count.  provider (static) and provider_data make and remove
 * nodes; events go to events (component "cluster-autoscaler"); the random expander draws from
 * the stream "cluster-autoscaler" of seed.  NULL with error when a scheduler profile of config
 * cannot be instantiated. */
KsClusterAutoscaler *
ks_cluster_autoscaler_new (KsClient *client, KsClock *clock, const KsSchedulerConfig *config,
                           const GPtrArray *pools, const KsAutoscalerOptions *options,
                           const KsNodeGroupProvider *provider, gpointer provider_data,
                           guint64 seed, KsEventSink *events, GError **error);
void ks_cluster_autoscaler_free (KsClusterAutoscaler *ca);
/* Schedule the first run at scanInterval. */
void ks_cluster_autoscaler_start (KsClusterAutoscaler *ca);

/* The provider's report on a node it was asked to create: registered (error NULL), or failed
 * (error says why; a warning is printed and the group's target size goes back down). */
void ks_cluster_autoscaler_node_registered (KsClusterAutoscaler *ca, guint pool, const char *name,
                                            const GError *error);

typedef struct
{
  guint target_size;   /* the group's size as the autoscaler sets it (nodes being provisioned
                          counted, nodes being removed not) */
  guint scale_ups;     /* scale-ups of this group */
  guint nodes_added;   /* nodes that registered after a scale-up */
  guint nodes_removed; /* nodes removed by scale-down */
  guint failed_removals;
} KsNodeGroupStats;

/* The statistics of pool number pool, which must be a node group. */
void ks_cluster_autoscaler_get_group_stats (KsClusterAutoscaler *ca, guint pool,
                                            KsNodeGroupStats *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsClusterAutoscaler, ks_cluster_autoscaler_free)

G_END_DECLS

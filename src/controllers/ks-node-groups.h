/* ks-node-groups.h: node pools and node groups, and the cluster autoscaler's options
 * (docs/formats.md "Node groups and the cluster autoscaler"), shared by sim (a scenario's
 * cluster.nodes, cluster.nodeGroups and autoscaler) and real mode (`kubesim cluster up
 * --autoscaler FILE`): the types, their decoders (errors with file, line, column and field path)
 * and the Node a pool's nodes register as. */
#pragma once

#include "src/api/ks-decode.h"
#include "src/api/ks-node.h"
#include "src/api/ks-resources.h"
#include "src/api/ks-taint.h"

G_BEGIN_DECLS

typedef struct
{
  char *name;
  guint count;
  KsResources capacity;
  KsResources allocatable; /* empty: as capacity */
  KsStrMap *labels;
  KsTaint *taints;
  guint n_taints;
  double price_per_hour; /* for the cost in summary.json; 0: none */
  /* A node group of cluster.nodeGroups (the cluster autoscaler resizes it; count is its size at
   * time 0), or a fixed pool of cluster.nodes. */
  gboolean group;
  guint min, max;
  gint64 provisioning_delay; /* µs from a scale-up decision to the node registering */
} KsNodePool;

/* The label naming the node group of a group's nodes. */
#define KS_NODE_GROUP_LABEL "kubesim.io/node-group"

typedef enum
{
  KS_EXPANDER_LEAST_WASTE,
  KS_EXPANDER_MOST_PODS,
  KS_EXPANDER_RANDOM,
} KsExpander;

/* The cluster autoscaler's options (docs/formats.md "Node groups and the cluster autoscaler"),
 * with cluster-autoscaler's defaults. */
typedef struct
{
  gint64 scan_interval; /* µs */
  KsExpander expander;
  gboolean scale_down_enabled;
  double scale_down_utilization_threshold;
  gint64 scale_down_unneeded_time;
  gint64 scale_down_delay_after_add;
  gint64 scale_down_delay_after_delete;
  gint64 scale_down_delay_after_failure;
  guint max_empty_bulk_delete;
  guint max_nodes_total; /* 0: no limit */
  gint64 max_pod_eviction_time;
  gint64 node_delete_delay_after_taint;
} KsAutoscalerOptions;

/* cluster-autoscaler's flag defaults. */
void ks_autoscaler_options_init (KsAutoscalerOptions *options);
/* Decode an `autoscaler:` mapping over options (fields missing keep their values); errors go to
 * dec. */
void ks_autoscaler_options_decode (KsDecoder *dec, JsonNode *node, KsAutoscalerOptions *options);

void ks_node_pool_free (KsNodePool *pool);
/* Decode one item of cluster.nodes, or with group of cluster.nodeGroups; NULL after reporting
 * errors to dec. */
KsNodePool *ks_node_pool_decode (KsDecoder *dec, JsonNode *node, gboolean group);

/* The Node pool's nodes are made as, named name: the pool's labels (and for a group
 * KS_NODE_GROUP_LABEL), capacity, allocatable (capacity when unset; pods KS_DEFAULT_MAX_PODS when
 * unset) and taints.  No kubelet labels, no conditions. */
KsNode *ks_node_pool_make_node (const KsNodePool *pool, const char *name);

/* The node groups and autoscaler options of a real-mode cluster: a YAML file with the mapping
 * keys `nodeGroups` (a list as a scenario's cluster.nodeGroups, at least one) and `autoscaler`
 * (optional, as a scenario's), where a group's nodes are node agents: its capacity has cpu and
 * memory (and may have pods), and allocatable, provisioningDelay and pricePerHour are refused.
 * Groups go
 * into *groups (KsNodePool*, new array), options over *options (initialize them first).  FALSE
 * with KS_INPUT_ERROR listing every problem as file:line:column: field: message. */
gboolean ks_node_groups_load_file (const char *path, GPtrArray **groups,
                                   KsAutoscalerOptions *options, GError **error);

G_END_DECLS

/* ks-sim-private.h: what the simulated cluster offers the components it runs inside sim/ (the
 * cluster autoscaler's provider): nodes of a pool made and removed as a cloud provider would. */
#pragma once

#include "ks-sim.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"

G_BEGIN_DECLS

typedef struct _KsSimAutoscaler KsSimAutoscaler;

/* A Node as pool's nodes are made (labels, the kubelet's labels, taints, capacity, healthy
 * conditions), named name; not created.  For scheduling simulations on template nodes. */
KsNode *ks_sim_node_from_pool (KsSim *sim, const KsNodePool *pool, const char *name);
/* Create a node of the scenario's pool number pool, named name, with its node agent: a cloud
 * provider's new instance registering.  Event RegisteredNode. */
gboolean ks_sim_add_pool_node (KsSim *sim, guint pool, const char *name, GError **error);
/* Delete node name and stop its node agent (its pods should be gone).  Event RemovingNode. */
gboolean ks_sim_delete_node (KsSim *sim, const char *name, GError **error);

/* Node-hours of pool number pool so far (its nodes' lifetimes summed), and its nodes now. */
double ks_sim_get_pool_node_hours (KsSim *sim, guint pool);
guint ks_sim_get_pool_nodes (KsSim *sim, guint pool);

/* The cluster autoscaler of a scenario with node groups, or NULL. */
KsSimAutoscaler *ks_sim_get_autoscaler (KsSim *sim);

G_END_DECLS

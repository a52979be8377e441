/* ks-sched-cache.h: the scheduler's cache: one KsNodeInfo per node with the summed requests of
 * its pods (assumed pods included), and the node list in kube-scheduler's node-tree order
 * (zones round-robin, nodes in arrival order within a zone).  Terminal pods hold no
 * resources and are not kept.  Each node view also keeps its pods' host ports (used_ports), and
 * the cache counts the nodes holding each image. */
#pragma once

#include "policies/ks-policy.h"

G_BEGIN_DECLS

typedef struct _KsSchedCache KsSchedCache;

KsSchedCache *ks_sched_cache_new (void);
void ks_sched_cache_free (KsSchedCache *cache);

/* Add or replace a node (a reference is kept). */
void ks_sched_cache_set_node (KsSchedCache *cache, KsNode *node);
void ks_sched_cache_remove_node (KsSchedCache *cache, const char *name);

/* A bound pod was seen (added or updated): account it on its node, replacing an assumed entry.
 * A terminal pod is removed instead. */
void ks_sched_cache_set_pod (KsSchedCache *cache, KsPod *pod);
void ks_sched_cache_remove_pod (KsSchedCache *cache, const KsPod *pod);
/* The scheduler chose node (an interned name) for pod: account it there before the binding is
 * seen. */
void ks_sched_cache_assume_pod (KsSchedCache *cache, KsPod *pod, const char *node);
gboolean ks_sched_cache_is_assumed (KsSchedCache *cache, const KsPod *pod);

/* Who hears of the cache's changes (the plugins' cluster observers, through the scheduler).
 * pod: the cache started (added) or stopped accounting pod on node; node is the view after the
 * change.  node: a node was added (old_node NULL), updated, or removed (node NULL). */
typedef struct
{
  void (*pod) (gpointer data, const KsPod *pod, const KsNodeInfo *node, gboolean added);
  void (*node) (gpointer data, const KsNode *old_node, const KsNode *node);
} KsSchedCacheObserver;

/* Set the observer (copied; NULL: none). */
void ks_sched_cache_set_observer (KsSchedCache *cache, const KsSchedCacheObserver *observer,
                                  gpointer data);

/* Nodes in node-tree order (borrowed, valid until the next node change). */
KsNodeInfo *const *ks_sched_cache_list_nodes (KsSchedCache *cache, guint *n_nodes);
KsNodeInfo *ks_sched_cache_get_node (KsSchedCache *cache, const char *name);
guint ks_sched_cache_n_pods (KsSchedCache *cache);
/* How many nodes list image (a name as in status.images[].names) — the framework handle's
 * nodes_with_image, in constant time. */
guint ks_sched_cache_nodes_with_image (KsSchedCache *cache, const char *image);
/* How many node views have pods with pod affinity or anti-affinity terms, and pods with
 * required anti-affinity terms (KsPluginCtx.n_nodes_with_affinity, ...). */
void ks_sched_cache_affinity_counts (KsSchedCache *cache, guint *with_affinity,
                                     guint *with_required_anti_affinity);

/* The zone key of the node tree: region + ":\0:" + zone (printed with "\0" as ":"). */
char *ks_node_zone_key (const KsNode *node);

G_END_DECLS

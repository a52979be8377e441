/* ks-policy.h: the scheduler policy ABI (installed as <policies/ks-policy.h>; pkg-config
 * kubesim-policy).
 *
 * A scheduler plugin is a const KsSchedulerPlugin: a name and the extension points it
 * implements (queue sort, PreFilter, Filter, PostFilter, PreScore, Score, NormalizeScore,
 * Reserve/Unreserve), as in the Kubernetes scheduling framework, and optional observers of the
 * cluster.  The framework calls plugins; plugins never call into the engine.  A plugin sees the
 * pod, the node views (KsNodeInfo) and its own state, so a unit test needs nothing but a
 * hand-built node view.
 *
 * Built-in plugins are listed in policies/ks-builtin.c.  External plugins live in shared objects
 * that export ks_policy_module_init (below); kubesim loads them with GModule from --policy-path
 * and KUBESIM_POLICY_PATH (policies/ks-policy-modules.h).  docs/policy-abi.md documents every
 * struct and callback.
 *
 * Versioning: KS_POLICY_ABI_VERSION changes whenever a struct or a callback here changes
 * incompatibly; the loader refuses modules and plugins built for another version.  Version 1
 * was the first (with Reserve/Unreserve); version 2 adds the framework handle (cluster objects,
 * what-if filtering for preemption), PreFilter extensions (AddPod/RemovePod, cycle cloning),
 * PostFilter victims, and the node view's host ports and affinity pod lists; version 3 adds the
 * module entry point ks_policy_module_init and the cluster observers (observe_pod,
 * observe_node); version 4 changes every object's layout (metadata.finalizers in KsObjectMeta)
 * and adds the pod spec's volumes (KsPodSpec.volumes, claim_names); version 5 adds containers'
 * volume mounts (KsContainer.volume_mounts, n_volume_mounts: every container after the first
 * moves); version 6 drops KsPod.init_container_statuses (ks_pod_init_container_statuses: the
 * init containers' statuses follow the regular ones in container_statuses) and makes pod
 * condition messages interned reference-counted strings.  The entry point's signature never
 * changes, so that the loader can always ask a module for its version. */
#pragma once

#include <glib.h>
#include <gsl/gsl_rng.h>
#include <json-glib/json-glib.h>

#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"

G_BEGIN_DECLS

#define KS_POLICY_ABI_VERSION 6

/* Errors from plugins (bad args).  Messages name the offending field of the args. */
#define KS_POLICY_ERROR (ks_policy_error_quark ())
GQuark ks_policy_error_quark (void);

/* framework constants */
#define KS_MAX_NODE_SCORE 100
#define KS_MIN_NODE_SCORE 0

typedef enum
{
  KS_STATUS_SUCCESS = 0,
  KS_STATUS_UNSCHEDULABLE,                  /* preemption may help */
  KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE, /* preemption cannot help */
  KS_STATUS_SKIP,                           /* PreFilter/PreScore: leave this plugin out */
  KS_STATUS_ERROR,
} KsStatusCode;

#define KS_STATUS_MAX_REASONS 8

/* The outcome of an extension point: a code and reasons.  Reasons must be static or interned
 * strings (ks_intern, src/ks-intern.h): the framework keeps the pointers. */
typedef struct
{
  KsStatusCode code;
  guint n_reasons;
  const char *reasons[KS_STATUS_MAX_REASONS];
} KsStatus;

static inline void
ks_status_add_reason (KsStatus *status, const char *interned_reason)
{
  if (status->n_reasons < KS_STATUS_MAX_REASONS)
    status->reasons[status->n_reasons++] = interned_reason;
}

/* A host port in use on a node (framework.HostPortInfo): ip "0.0.0.0" when the pod gave none. */
typedef struct
{
  const char *ip;       /* interned */
  const char *protocol; /* interned: "TCP", "UDP", "SCTP" */
  gint32 port;
} KsHostPort;

/* framework.HostPortInfo Add/Remove on a node view's used_ports (a set of KsHostPort; NULL
 * while empty): the hostPorts (> 0) of pod's regular containers, with IP "0.0.0.0" and protocol
 * "TCP" when unset.  The scheduler's cache keeps used_ports this way; a plugin that builds a
 * node view without some pods (preemption) can too. */
void ks_host_ports_update (GArray **used, const KsPod *pod, gboolean add);
/* HostPortInfo.CheckConflict: whether (ip, protocol, port) collides with used.  IP 0.0.0.0 (or
 * NULL/empty) collides with the port on any IP; another IP with itself and 0.0.0.0. */
gboolean ks_host_ports_conflict (const GArray *used, const char *ip, const char *protocol,
                                 gint32 port);

/* The scheduler's view of one node (framework.NodeInfo): the Node and the sums of the requests
 * of the pods on it, assumed pods included. */
typedef struct
{
  /* What filters and scores read for every node comes first, together. */
  guint n_pods;           /* pods on the node (== pods->len) */
  gboolean unschedulable; /* copies of the node's fields */
  guint n_taints;
  KsResources allocatable;
  KsResources requested;    /* Σ effective requests (real values) */
  gint64 nonzero_milli_cpu; /* Σ requests with the 100m/200Mi defaults, for scoring */
  gint64 nonzero_memory;
  const KsNode *node; /* borrowed; the latest Node object */
  const char *name;   /* interned */
  guint index;        /* position in the node list */
  GPtrArray *pods;    /* const KsPod * on the node, in arrival order (the cache holds references) */
  /* Kept with pods (NULL while empty): */
  GArray *used_ports;                          /* KsHostPort of the pods' hostPorts */
  GPtrArray *pods_with_affinity;               /* pods with pod affinity or anti-affinity terms */
  GPtrArray *pods_with_required_anti_affinity; /* pods with required anti-affinity terms */
  guint64 generation; /* changes whenever the node or its pods change (incremental state) */
} KsNodeInfo;

/* Node views that a plugin may change, for what-if filtering (framework.NodeInfo's Snapshot,
 * AddPodInfo and RemovePod): preemption removes victims from a copy, filtering with nominated
 * pods adds them to one.  Implemented in policies/ks-node-info.c. */

/* A deep copy of node (its sums, host ports and pod lists; a reference on each pod) that the
 * caller owns and frees with ks_node_info_free. */
KsNodeInfo *ks_node_info_copy (const KsNodeInfo *node) G_GNUC_WARN_UNUSED_RESULT;
void ks_node_info_free (KsNodeInfo *node);
/* Put pod on node (a reference is kept) and account it. */
void ks_node_info_add_pod (KsNodeInfo *node, const KsPod *pod);
/* Take the pod with pod's UID off node and unaccount it; FALSE when node does not hold it. */
gboolean ks_node_info_remove_pod (KsNodeInfo *node, const KsPod *pod);
/* What a pod adds to a node view (sign +1) or takes away (−1), node->pods apart: requests,
 * non-zero requests, host ports, the affinity lists, the generation.  The scheduler cache
 * accounts its pods with it too, so copies and the cache agree. */
void ks_node_info_account_pod (KsNodeInfo *node, const KsPod *pod, int sign);
/* A new KsNodeInfo.generation: unique in the process (across caches and copies), so that a
 * plugin keeping per-node results from cycle to cycle never mistakes one view for another. */
guint64 ks_node_info_next_generation (void);

/* A pod waiting in the scheduling queue, as the queue sort sees it. */
typedef struct
{
  const KsPod *pod;
  gint64 timestamp;                 /* when it (re)entered the queue */
  gint64 initial_attempt_timestamp; /* when it first entered the queue */
  guint attempts;
  guint64 sequence; /* arrival order, the final tie-breaker */
} KsQueuedPod;

/* The plugins' per-cycle states together (framework.CycleState), for what-if filtering. */
typedef struct _KsCycleState KsCycleState;

/* What the framework offers plugins (framework.Handle): cluster objects and what-if filtering.
 * Functions get handle->data.  Valid during a callback only. */
typedef struct
{
  gpointer data;
  /* The objects of kind in namespace ns (NULL: every namespace), as the scheduler's informers
   * see them (Services, ReplicaSets, StatefulSets, PodDisruptionBudgets, ...): a new array
   * holding references (free with g_ptr_array_unref). */
  GPtrArray *(*list_objects) (gpointer data, KsKindId kind, const char *ns);
  /* How many nodes of the snapshot hold image (a normalized "name:tag"), for ImageLocality. */
  guint (*nodes_with_image) (gpointer data, const char *image);
  /* A copy of every plugin's current per-cycle state (clone_cycle); free with free_state. */
  KsCycleState *(*clone_state) (gpointer data);
  void (*free_state) (gpointer data, KsCycleState *state);
  /* PreFilter extensions: tell every plugin of state (NULL: the current one) that added is
   * now (or removed no longer) on node, while scheduling pod.  node must already (or no longer)
   * hold the pod. */
  void (*add_pod) (gpointer data, KsCycleState *state, const KsPod *pod, const KsPod *added,
                   const KsNodeInfo *node);
  void (*remove_pod) (gpointer data, KsCycleState *state, const KsPod *pod, const KsPod *removed,
                      const KsNodeInfo *node);
  /* RunFilterPluginsWithNominatedPods with state (NULL: the current one) on node. */
  KsStatusCode (*run_filters) (gpointer data, KsCycleState *state, const KsPod *pod,
                               const KsNodeInfo *node, KsStatus *status);
  /* The pods nominated to node (status.nominatedNodeName) that wait in the queue: a new array
   * holding references. */
  GPtrArray *(*nominated_pods) (gpointer data, const char *node);
} KsFrameworkHandle;

/* What a PostFilter plugin decided: a node to nominate and the pods to evict from it
 * (PostFilterResult with NominatingMode Override), or that the pod's nomination is to be
 * cleared (clear, with nominated NULL: preemption found no candidate). */
typedef struct
{
  const char *nominated; /* interned node name, or NULL */
  GPtrArray *victims;    /* KsPod* references to delete (the scheduler deletes them) */
  gboolean clear;        /* with nominated NULL: clear the pod's status.nominatedNodeName */
} KsPostFilterResult;

/* What a plugin callback gets besides the pod and node. */
typedef struct
{
  const KsFrameworkHandle *handle;
  gpointer instance; /* the plugin's data from init (may be NULL) */
  gpointer cycle; /* per-attempt state a plugin sets (PreFilter, PreScore); kept until the attempt
                   * ends, after Reserve and binding (free_cycle) */
  KsNodeInfo *const *all_nodes; /* every node of the snapshot, in node-list order */
  guint n_all_nodes;
  gsl_rng *rng; /* the profile's random stream (policies that draw) */
  gint64 now;   /* the current time, µs */
  /* How many nodes of all_nodes have pods with pod affinity or anti-affinity terms (non-NULL
   * pods_with_affinity), and pods with required anti-affinity terms, as kube-scheduler's
   * snapshot keeps its HavePodsWithAffinity lists: a plugin learns that there are none without
   * looking at every node.  Valid when affinity_counts_known (the scheduler's cache provides
   * them; hand-made node lists do not). */
  gboolean affinity_counts_known;
  guint n_nodes_with_affinity;
  guint n_nodes_with_required_anti_affinity;
} KsPluginCtx;

typedef struct _KsSchedulerPlugin KsSchedulerPlugin;

struct _KsSchedulerPlugin
{
  guint32 abi_version; /* KS_POLICY_ABI_VERSION */
  const char *name;    /* as written in KubeSchedulerConfiguration ("NodeResourcesFit") */
  /* The Score weight it has when enabled without a weight (Kubernetes' default profile). */
  gint32 default_weight;

  /* Called once per profile.  args is the plugin's pluginConfig args object, or NULL.  Sets
   * *instance (owned by the framework, freed with destroy) and returns TRUE, or returns FALSE
   * with error for bad args; the message names the field. NULL entry: no args accepted. */
  gboolean (*init) (JsonNode *args, gpointer *instance, GError **error);
  void (*destroy) (gpointer instance);

  /* QueueSort: TRUE when a goes before b.  NULL: not a queue-sort plugin. */
  gboolean (*less) (gpointer instance, const KsQueuedPod *a, const KsQueuedPod *b);

  /* PreFilter: once per attempt before filtering.  Return SKIP to be left out of Filter,
   * UNSCHEDULABLE* (with a reason) to reject the pod on every node.  May set ctx->cycle. */
  KsStatusCode (*pre_filter) (KsPluginCtx *ctx, const KsPod *pod, KsStatus *status);
  /* Filter: can pod run on node?  On failure add reasons to status. */
  KsStatusCode (*filter) (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *node,
                          KsStatus *status);
  /* PreFilter extensions (AddPod/RemovePod): update ctx->cycle for a pod added to or removed
   * from node (nominated pods, preemption's what-if).  NULL: the state does not depend on the
   * pods of nodes. */
  void (*add_pod) (KsPluginCtx *ctx, const KsPod *pod, const KsPod *added, const KsNodeInfo *node);
  void (*remove_pod) (KsPluginCtx *ctx, const KsPod *pod, const KsPod *removed,
                      const KsNodeInfo *node);
  /* A deep copy of a per-cycle state (CycleState.Clone).  Required with add_pod/remove_pod. */
  gpointer (*clone_cycle) (gconstpointer cycle);
  /* PostFilter: called when no node passed the filters.  node_codes[i] is the filter code of
   * ctx->all_nodes[i] (SUCCESS for a node not filtered).  Returns SUCCESS with result->nominated
   * set (a nomination and victims; victims' array is made by the framework), or a failure with
   * reasons, which are joined by ", " and appended to the FailedScheduling message after a
   * space, as kube-scheduler appends the PostFilter status message (a reason carries its own
   * final period).  NULL: none. */
  KsStatusCode (*post_filter) (KsPluginCtx *ctx, const KsPod *pod, const KsStatusCode *node_codes,
                               KsPostFilterResult *result, KsStatus *status);
  /* PreScore: once per attempt with the feasible nodes; SKIP leaves the plugin out of Score. */
  KsStatusCode (*pre_score) (KsPluginCtx *ctx, const KsPod *pod, KsNodeInfo *const *nodes, guint n);
  /* Score: a raw score for node. */
  gint64 (*score) (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *node);
  /* NormalizeScore: rewrite scores[0..n) (of nodes[i]) into [0, 100].  NULL: none. */
  void (*normalize) (KsPluginCtx *ctx, const KsPod *pod, KsNodeInfo *const *nodes, gint64 *scores,
                     guint n);
  /* Frees ctx->cycle at the end of the attempt (NULL: g_free is not called; leave cycle NULL). */
  void (*free_cycle) (gpointer cycle);
  /* Reserve: node (interned) was chosen and the pod is assumed there; keep whatever the plugin
   * holds for the pod.  A failure (with reasons) makes the scheduler unreserve and retry the pod
   * later.  NULL: none. */
  KsStatusCode (*reserve) (KsPluginCtx *ctx, const KsPod *pod, const char *node, KsStatus *status);
  /* Unreserve: undo reserve (a later Reserve plugin failed, or binding failed).  Must not fail.
   * Called in reverse order.  NULL: none. */
  void (*unreserve) (KsPluginCtx *ctx, const KsPod *pod, const char *node);

  /* Observers (version 3), for plugins whose state follows the cluster rather than one cycle
   * (per-namespace usage for a fair queue, which GPU holds which pod).  They get the instance,
   * not a ctx, and run outside scheduling cycles.  Return TRUE when the plugin's queue order
   * may have changed (a queue-sort plugin whose less reads this state): the scheduling queue
   * then re-sorts activeQ before it hands out the next pod.  NULL: not observed. */
  /* The scheduler's cache started (added TRUE) or stopped (FALSE) accounting pod on node: once
   * when a pod is assumed or first seen bound, once when it is deleted, finishes (Succeeded or
   * Failed) or its binding fails; calls for one pod alternate.  node is the view after the
   * change; node->node is NULL while the Node object is unknown. */
  gboolean (*observe_pod) (gpointer instance, const KsPod *pod, const KsNodeInfo *node,
                           gboolean added);
  /* A node was added (old_node NULL), updated, or removed (node NULL). */
  gboolean (*observe_node) (gpointer instance, const KsNode *old_node, const KsNode *node);
};

/* DefaultNormalizeScore (helper/normalize_score.go): scale to [0, max] by the highest score;
 * with reverse, max − s. */
void ks_default_normalize_score (gint64 max, gboolean reverse, gint64 *scores, guint n);

/* The built-in plugins of Kubernetes' default profile, in its order; NULL-terminated. */
const KsSchedulerPlugin *const *ks_builtin_scheduler_plugins (void);
/* The built-in research policies (docs/policies.md), in no profile by default; NULL-terminated. */
const KsSchedulerPlugin *const *ks_research_scheduler_plugins (void);
/* A built-in plugin (default profile or research) by name, or NULL. */
const KsSchedulerPlugin *ks_builtin_scheduler_plugin_lookup (const char *name);

/* External modules.
 *
 * A policy module is a shared object that exports
 *
 *   KS_POLICY_EXPORT const KsSchedulerPlugin *const *
 *   ks_policy_module_init (guint32 host_abi_version, guint32 *module_abi_version);
 *
 * kubesim calls it once, right after loading the module, with the ABI version it was built
 * with.  The module sets *module_abi_version to KS_POLICY_ABI_VERSION (the version it was
 * compiled against) and returns its plugins, a NULL-terminated array that lives as long as the
 * module (a static array).  Each plugin's abi_version must be KS_POLICY_ABI_VERSION as well.  A
 * module may return NULL to refuse a host version it cannot work with.  The module stays loaded
 * until the process exits. */
#define KS_POLICY_MODULE_INIT_SYMBOL "ks_policy_module_init"

typedef const KsSchedulerPlugin *const *(*KsPolicyModuleInitFunc) (guint32 host_abi_version,
                                                                   guint32 *module_abi_version);

/* Marks the entry point exported when a module is built with -fvisibility=hidden. */
#if defined(__GNUC__)
#define KS_POLICY_EXPORT __attribute__ ((visibility ("default")))
#else
#define KS_POLICY_EXPORT
#endif

/* Declared here so that a module's definition is checked against the signature. */
KS_POLICY_EXPORT const KsSchedulerPlugin *const *
ks_policy_module_init (guint32 host_abi_version, guint32 *module_abi_version);

G_END_DECLS

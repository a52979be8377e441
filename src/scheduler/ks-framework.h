/* ks-framework.h: one scheduling profile at work: its plugin instances per extension point and
 * the scheduling cycle of one pod (PreFilter, Filter over the rotating node window, PostFilter,
 * PreScore, Score, NormalizeScore, weights, host selection) with kube-scheduler's arithmetic. */
#pragma once

#include "ks-sched-config.h"
#include "ks-sched-queue.h"
#include "src/ks-events.h"

G_BEGIN_DECLS

typedef struct _KsFramework KsFramework;

/* Instantiate profile's plugins (their init with the profile's args).  seed/stream name the
 * random stream used for ties and by plugins.  global_percentage is the configuration's
 * percentageOfNodesToScore. */
KsFramework *ks_framework_new (const KsProfileConfig *profile, gint32 global_percentage,
                               guint64 seed, GError **error);
void ks_framework_free (KsFramework *fw);

const char *ks_framework_get_name (KsFramework *fw);

/* Where the handle's list_objects finds cluster objects (the scheduler's informers): returns a
 * new array of references.  Without one, plugins see no objects. */
typedef GPtrArray *(*KsFrameworkLister) (gpointer data, KsKindId kind, const char *ns);
void ks_framework_set_lister (KsFramework *fw, KsFrameworkLister lister, gpointer data);
/* Where each cycle's KsPluginCtx.n_nodes_with_affinity and n_nodes_with_required_anti_affinity
 * come from (the scheduler's cache).  Without one, plugins are told the counts are unknown. */
typedef void (*KsFrameworkAffinityCounts) (gpointer data, guint *with_affinity,
                                           guint *with_required_anti_affinity);
void ks_framework_set_affinity_counts (KsFramework *fw, KsFrameworkAffinityCounts counts,
                                       gpointer data);
/* The cluster observers of the profile's plugins (observe_pod, observe_node): whether any
 * plugin has one, and telling them of a change.  Each returns TRUE when a plugin said its queue
 * order may have changed. */
gboolean ks_framework_has_observers (KsFramework *fw);
gboolean ks_framework_observe_pod (KsFramework *fw, const KsPod *pod, const KsNodeInfo *node,
                                   gboolean added);
gboolean ks_framework_observe_node (KsFramework *fw, const KsNode *old_node, const KsNode *node);

/* Where filtering finds the pods nominated to a node (the scheduling queue's nominator;
 * borrowed).  Without one, no pod is nominated: Filter runs once per node. */
void ks_framework_set_nominator (KsFramework *fw, KsNominator *nominator);

/* What the handle's nodes_with_image answers from (the scheduler's cache keeps the counts).
 * Without one, it looks at every node of the cycle's list. */
typedef guint (*KsFrameworkImageCounter) (gpointer data, const char *image);
void ks_framework_set_image_counter (KsFramework *fw, KsFrameworkImageCounter counter,
                                     gpointer data);
/* The queue-sort plugin's less function and its data, for the scheduling queue. */
gboolean ks_framework_queue_less (gpointer fw, const KsQueuedPod *a, const KsQueuedPod *b);

typedef struct
{
  const char *node; /* interned; NULL when the pod does not fit */
  /* What to do with the pod's nomination (NominatingInfo) when it does not fit: with
   * nominate, set status.nominatedNodeName to nominated (interned), or clear it when nominated
   * is NULL; without, leave it as it is.  Errors (not rejected) always clear it. */
  gboolean nominate;
  const char *nominated;
  char *message;            /* FitError message when node is NULL (owned) */
  gboolean rejected;        /* plugins rejected the pod (else an error, e.g. no nodes) */
  gboolean post_filter_ran; /* PostFilter plugins ran (preemption was attempted) */
  guint n_evaluated;        /* nodes filtered */
  guint n_feasible;         /* nodes that passed */
  GPtrArray *victims;       /* from PostFilter: KsPod* references to delete, or NULL */
  /* When plugins rejected the pod: the FitError's histogram, KsReasonCount sorted by reason
   * (a PreFilter rejection: its message, every node); else NULL. */
  GArray *reasons;
} KsScheduleResult;

void ks_schedule_result_clear (KsScheduleResult *result);

/* numFeasibleNodesToFind for n nodes with this profile's percentage. */
guint ks_framework_num_feasible_nodes_to_find (KsFramework *fw, guint n_nodes);
guint ks_num_feasible_nodes_to_find (gint32 percentage, guint n_nodes);

/* Run one scheduling cycle for pod over nodes (the cache's list).  A pod with
 * status.nominatedNodeName is tried on that node first; filtering counts the pods nominated to
 * a node (two passes, as RunFilterPluginsWithNominatedPods).  When a node was chosen the
 * cycle stays open for Reserve: call ks_framework_reserve (and, if binding fails,
 * ks_framework_unreserve), then ks_framework_end_cycle. */
void ks_framework_schedule (KsFramework *fw, const KsPod *pod, KsNodeInfo *const *nodes,
                            guint n_nodes, gint64 now, KsScheduleResult *result);
/* Run the Reserve plugins for the chosen node.  On a failure, the plugins already reserved are
 * unreserved in reverse order and FALSE is returned with the reason in *message (newly
 * allocated). */
gboolean ks_framework_reserve (KsFramework *fw, const KsPod *pod, const char *node, char **message);
/* Run every Reserve plugin's Unreserve, in reverse order. */
void ks_framework_unreserve (KsFramework *fw, const KsPod *pod, const char *node);
/* Free the per-cycle state of the plugins. */
void ks_framework_end_cycle (KsFramework *fw);

/* The per-plugin scores of the last cycle, for explanations and tests: the number of score
 * plugins that ran, and for plugin p its name, weight and normalized score on feasible node i.
 * The feasible nodes of the last cycle in order. */
guint ks_framework_last_n_score_plugins (KsFramework *fw);
const char *ks_framework_last_score_plugin (KsFramework *fw, guint p, gint32 *weight);
gint64 ks_framework_last_score (KsFramework *fw, guint p, guint i);
KsNodeInfo *const *ks_framework_last_feasible (KsFramework *fw, guint *n);
gint64 ks_framework_last_total (KsFramework *fw, guint i);

/* Explain mode, for explanations (`kubesim schedule`), not for scheduling: the filters run on
 * every node (the window of numFeasibleNodesToFind does not stop the walk), every feasible node
 * is scored (a single one too), PostFilter does not run, and the cycle keeps each node's filter
 * status and each plugin's raw score (before NormalizeScore).  Read them with the functions
 * below after ks_framework_schedule. */
void ks_framework_set_explain (KsFramework *fw, gboolean explain);
/* The filter status of the node at node_index of the list (code SUCCESS for a feasible node;
 * a PreFilter rejection gives every node its status).  Explain mode only. */
const KsStatus *ks_framework_last_status (KsFramework *fw, guint node_index);
/* Score plugin p's raw score on feasible node i.  Explain mode only. */
gint64 ks_framework_last_raw_score (KsFramework *fw, guint p, guint i);

G_END_DECLS

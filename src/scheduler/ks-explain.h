/* ks-explain.h: why the scheduler puts a pod where it does (`kubesim schedule`).
 *
 * Given a cluster state (Nodes, bound Pods and the objects plugins read: PriorityClasses,
 * Services, ReplicaSets, ...) and one pending Pod, the state goes through a store as through the
 * API server (admission: priority from the PriorityClass, default tolerations, schedulerName),
 * fills a scheduler cache as the scheduler's watches would, in the order of the state's
 * documents, and the pod's profile runs:
 *
 *   - one real scheduling cycle, as a scheduler that just started would run it (the window of
 *     numFeasibleNodesToFind from node 0, PostFilter when nothing fits, ties broken by the
 *     profile's stream of seed): it decides "selected", "nominated" and the message;
 *   - one cycle in explain mode (ks_framework_set_explain): every node filtered, every feasible
 *     node scored, raw and normalized scores kept: the per-node explanation.
 *
 * When the window covers every node (fewer than 100 nodes, percentageOfNodesToScore 100, or too
 * few feasible nodes to stop early) both cycles see the same nodes and the explanation's scores
 * are the ones the scheduler compared; otherwise the note says where the scheduler stopped. */
#pragma once

#include "ks-sched-config.h"
#include "src/api/ks-diag.h"
#include "src/api/ks-yaml.h"

G_BEGIN_DECLS

typedef struct
{
  const char *name; /* interned */
  gboolean feasible;
  KsStatusCode code; /* the filter status; SUCCESS when feasible */
  guint n_reasons;   /* the failing plugin's reasons, Kubernetes' wording */
  const char *reasons[KS_STATUS_MAX_REASONS];
  gint64 *raw;        /* per score plugin (KsExplanation.plugins), feasible nodes only, else NULL */
  gint64 *normalized; /* after NormalizeScore */
  gint64 total;       /* Σ normalized × weight; 0 when not feasible */
} KsExplainNode;

typedef struct
{
  char *pod;             /* namespace/name */
  char *profile;         /* the schedulerName whose profile ran */
  const char *selected;  /* the node the scheduler's cycle chose, or NULL */
  const char *nominated; /* a node PostFilter nominated (preemption), or NULL */
  char *message;         /* the failure message when selected is NULL, else "" */
  char *note;            /* where the scheduler's cycle differs from the explanation, or "" */
  guint n_filtered;      /* nodes the scheduler's cycle filtered (the first ones in order) */
  guint n_plugins;       /* score plugins that ran */
  const char **plugins;  /* their names, in profile order */
  gint32 *weights;       /* their weights */
  char **skipped;        /* score plugins whose PreScore returned Skip (NULL-terminated) */
  guint n_nodes;         /* every node, in the scheduler's node order */
  KsExplainNode *nodes;
} KsExplanation;

/* Explain scheduling the single Pod of pod_source on the cluster of state_source with config's
 * profile for the pod's schedulerName, ties broken with seed (as the first cycle of
 * `kubesim run --seed`).  Returns NULL after reporting every problem of the input to diag
 * (file:line:column: field path: message): documents that do not decode, objects the API server
 * would refuse, state pods that are not bound or are bound to a node not in the state, a POD
 * file without exactly one Pod or with a bound one, a schedulerName without a profile. */
KsExplanation *ks_explain (KsSource *state_source, KsSource *pod_source, KsSchedulerConfig *config,
                           guint64 seed, KsDiag *diag);
void ks_explanation_free (KsExplanation *explanation);

/* The explanation as JSON (docs/user-guide.md, "Why a pod goes where it goes"), indented, ending
 * with a newline. */
void ks_explanation_to_json (const KsExplanation *explanation, GString *out);
/* The same for a person: a header and a table of the nodes, plugins as columns, aligned. */
void ks_explanation_to_table (const KsExplanation *explanation, GString *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsExplanation, ks_explanation_free)

G_END_DECLS

/* ks-builtin-private.h: the built-in scheduler plugins, one descriptor per file. */
#pragma once

#include "ks-policy.h"

G_BEGIN_DECLS

extern const KsSchedulerPlugin ks_plugin_priority_sort;
extern const KsSchedulerPlugin ks_plugin_node_unschedulable;
extern const KsSchedulerPlugin ks_plugin_node_name;
extern const KsSchedulerPlugin ks_plugin_taint_toleration;
extern const KsSchedulerPlugin ks_plugin_node_affinity;
extern const KsSchedulerPlugin ks_plugin_node_resources_fit;
extern const KsSchedulerPlugin ks_plugin_balanced_allocation;
extern const KsSchedulerPlugin ks_plugin_default_preemption;

/* DefaultPreemption's pieces, for tests (plugin-default-preemption.c). */

/* A node where preemption lets the pod fit: its victims (KsPod references, most important
 * first) and how many of them violate a PodDisruptionBudget. */
typedef struct
{
  const char *node; /* interned */
  GPtrArray *victims;
  guint n_pdb_violations;
} KsPreemptionCandidate;

/* calculateNumCandidates: max(n · percentage div 100, absolute), at most n. */
guint ks_preemption_num_candidates (gint32 percentage, gint32 absolute, guint n_nodes);
/* util.MoreImportantPod: higher priority, then the earlier start (now for a pod not started). */
gboolean ks_preemption_more_important (const KsPod *a, const KsPod *b, gint64 now);
/* pickOneNodeForPreemption: the index of the chosen candidate (n > 0). */
guint ks_preemption_pick_candidate (const KsPreemptionCandidate *candidates, guint n, gint64 now);

/* Research policies (plugin-research-score.c, plugin-gpu-packing.c, plugin-queue-sort.c). */
extern const KsSchedulerPlugin ks_plugin_random;
extern const KsSchedulerPlugin ks_plugin_first_fit;
extern const KsSchedulerPlugin ks_plugin_best_fit;
extern const KsSchedulerPlugin ks_plugin_worst_fit;
extern const KsSchedulerPlugin ks_plugin_dot_product;
extern const KsSchedulerPlugin ks_plugin_gpu_packing;
extern const KsSchedulerPlugin ks_plugin_fifo;
extern const KsSchedulerPlugin ks_plugin_shortest_job_first;
extern const KsSchedulerPlugin ks_plugin_dominant_resource_fairness;

G_END_DECLS

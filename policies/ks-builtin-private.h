/* ks-builtin-private.h: the built-in scheduler plugins, one descriptor per file. */
#pragma once

#include "ks-policy.h"

G_BEGIN_DECLS

extern const KsSchedulerPlugin ks_plugin_priority_sort;
extern const KsSchedulerPlugin ks_plugin_node_unschedulable;
extern const KsSchedulerPlugin ks_plugin_node_name;
extern const KsSchedulerPlugin ks_plugin_taint_toleration;
extern const KsSchedulerPlugin ks_plugin_node_affinity;
extern const KsSchedulerPlugin ks_plugin_node_ports;
extern const KsSchedulerPlugin ks_plugin_node_resources_fit;
extern const KsSchedulerPlugin ks_plugin_volume_restrictions;
extern const KsSchedulerPlugin ks_plugin_node_volume_limits;
extern const KsSchedulerPlugin ks_plugin_volume_binding;
extern const KsSchedulerPlugin ks_plugin_volume_zone;
extern const KsSchedulerPlugin ks_plugin_balanced_allocation;
extern const KsSchedulerPlugin ks_plugin_pod_topology_spread;
extern const KsSchedulerPlugin ks_plugin_inter_pod_affinity;
extern const KsSchedulerPlugin ks_plugin_default_preemption;
extern const KsSchedulerPlugin ks_plugin_image_locality;

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

/* Plugin args.  A plugin reports bad args as lines "field.path: message", the path inside the
 * args ("scoringStrategy.resources[0].weight"), so that the configuration reader can point at
 * the file, line and field (src/scheduler/ks-sched-config.c).  Errors are collected in a
 * GString (NULL while there are none) and turned into the init's GError at the end. */
void ks_args_error (GString **lines, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* Set error from lines (and free them) and return FALSE; TRUE when lines is NULL. */
gboolean ks_args_finish (GString *lines, GError **error);
/* "prefix.field", or "field" when prefix is "" (newly allocated). */
char *ks_args_path (const char *prefix, const char *field);
/* Every member of obj must be in allowed; with kind (the args' kind, e.g. "NodeAffinityArgs"),
 * apiVersion and kind are also accepted, as in kube-scheduler's files, and must match. */
void ks_args_check_fields (JsonObject *obj, const char *prefix, const char *kind,
                           const char *const *allowed, GString **lines);
/* An integer value (JSON int); FALSE for anything else. */
gboolean ks_args_int (JsonNode *node, gint64 *out);

/* ImageLocality (plugin-image-locality.c): normalizedImageName (":latest" when untagged; newly
 * allocated) and calculatePriority. */
char *ks_normalized_image_name (const char *image);
gint64 ks_image_locality_priority (gint64 sum, guint n_containers);

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

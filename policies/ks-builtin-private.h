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

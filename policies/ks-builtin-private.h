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

G_END_DECLS

/* ks-builtin.c: the table of built-in scheduler plugins and shared helpers. */
#include "config.h"

#include <string.h>

#include "ks-builtin-private.h"

/* clang-format off */
G_DEFINE_QUARK (ks-policy-error-quark, ks_policy_error)
/* clang-format on */

/* In the order of Kubernetes v1.32's default profile (default_plugins.go). */
static const KsSchedulerPlugin *const builtin[] = {
  &ks_plugin_priority_sort,      &ks_plugin_node_unschedulable,  &ks_plugin_node_name,
  &ks_plugin_taint_toleration,   &ks_plugin_node_affinity,       &ks_plugin_node_resources_fit,
  &ks_plugin_default_preemption, &ks_plugin_balanced_allocation, NULL,
};

/* ---- Research policies (docs/policies.md) ----------------------------------------------------
 * Not in the default profile: a profile enables them by name.  Kept apart from the table above,
 * which is the default profile's multiPoint list. */
static const KsSchedulerPlugin *const research[] = {
  /* score */
  &ks_plugin_random,
  &ks_plugin_first_fit,
  &ks_plugin_best_fit,
  &ks_plugin_worst_fit,
  &ks_plugin_dot_product,
  &ks_plugin_gpu_packing,
  /* queue sort */
  &ks_plugin_fifo,
  &ks_plugin_shortest_job_first,
  &ks_plugin_dominant_resource_fairness,
  NULL,
};

const KsSchedulerPlugin *const *
ks_builtin_scheduler_plugins (void)
{
  return builtin;
}

const KsSchedulerPlugin *const *
ks_research_scheduler_plugins (void)
{
  return research;
}

const KsSchedulerPlugin *
ks_builtin_scheduler_plugin_lookup (const char *name)
{
  for (guint i = 0; builtin[i] != NULL; i++)
    if (strcmp (builtin[i]->name, name) == 0)
      return builtin[i];
  for (guint i = 0; research[i] != NULL; i++)
    if (strcmp (research[i]->name, name) == 0)
      return research[i];
  return NULL;
}

void
ks_default_normalize_score (gint64 max, gboolean reverse, gint64 *scores, guint n)
{
  gint64 highest = 0;

  for (guint i = 0; i < n; i++)
    highest = MAX (highest, scores[i]);
  if (highest == 0)
    {
      if (reverse)
        for (guint i = 0; i < n; i++)
          scores[i] = max;
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      gint64 s = max * scores[i] / highest;
      scores[i] = reverse ? max - s : s;
    }
}

/* ks-builtin.c: the table of built-in scheduler plugins and shared helpers. */
#include "config.h"

#include <string.h>

#include "ks-builtin-private.h"

/* clang-format off */
G_DEFINE_QUARK (ks-policy-error-quark, ks_policy_error)
/* clang-format on */

/* In the order of Kubernetes v1.32's default profile (default_plugins.go). */
static const KsSchedulerPlugin *const builtin[] = {
  &ks_plugin_priority_sort,       &ks_plugin_node_unschedulable,
  &ks_plugin_node_name,           &ks_plugin_taint_toleration,
  &ks_plugin_node_affinity,       &ks_plugin_node_resources_fit,
  &ks_plugin_balanced_allocation, NULL,
};

const KsSchedulerPlugin *const *
ks_builtin_scheduler_plugins (void)
{
  return builtin;
}

const KsSchedulerPlugin *
ks_builtin_scheduler_plugin_lookup (const char *name)
{
  for (guint i = 0; builtin[i] != NULL; i++)
    if (strcmp (builtin[i]->name, name) == 0)
      return builtin[i];
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

/* ks-builtin.c: the table of built-in scheduler plugins and shared helpers. */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "ks-builtin-private.h"

/* clang-format off */
G_DEFINE_QUARK (ks-policy-error-quark, ks_policy_error)
/* clang-format on */

/* Kubernetes' plugins, in the order of v1.32's default profile (default_plugins.go), one per
 * line so that plugins added later merge cleanly.  Which plugins the default profile enables is
 * src/scheduler/ks-sched-config.c's list (Kubernetes' default multiPoint list); the score
 * weights there are the plugins' default_weight. */
/* clang-format off */
static const KsSchedulerPlugin *const builtin[] = {
  &ks_plugin_priority_sort,
  &ks_plugin_node_unschedulable,
  &ks_plugin_node_name,
  &ks_plugin_taint_toleration,
  &ks_plugin_node_affinity,
  &ks_plugin_node_ports,
  &ks_plugin_node_resources_fit,
  &ks_plugin_volume_restrictions,
  &ks_plugin_node_volume_limits,
  &ks_plugin_volume_binding,
  &ks_plugin_volume_zone,
  &ks_plugin_pod_topology_spread,
  &ks_plugin_inter_pod_affinity,
  &ks_plugin_default_preemption,
  &ks_plugin_balanced_allocation,
  &ks_plugin_image_locality,
  NULL,
};
/* clang-format on */

/* ---- Research policies (docs/policies.md) ----------------------------------------------------
 * Not in the default profile: a profile enables them by name. */
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

/* Plugin args */

void
ks_args_error (GString **lines, const char *format, ...)
{
  va_list ap;

  if (*lines == NULL)
    *lines = g_string_new (NULL);
  else
    g_string_append_c (*lines, '\n');
  va_start (ap, format);
  g_string_append_vprintf (*lines, format, ap);
  va_end (ap);
}

gboolean
ks_args_finish (GString *lines, GError **error)
{
  if (lines == NULL)
    return TRUE;
  g_set_error_literal (error, KS_POLICY_ERROR, 0, lines->str);
  g_string_free (lines, TRUE);
  return FALSE;
}

/* "prefix.field", or "field" at the top of the args. */
char *
ks_args_path (const char *prefix, const char *field)
{
  return prefix[0] != '\0' ? g_strconcat (prefix, ".", field, NULL) : g_strdup (field);
}

void
ks_args_check_fields (JsonObject *obj, const char *prefix, const char *kind,
                      const char *const *allowed, GString **lines)
{
  /* In the order written, so that problems are reported in reading order. */
  g_autoptr (GList) members = json_object_get_members (obj);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *value = json_object_get_member (obj, key);
      g_autofree char *path = ks_args_path (prefix, key);
      if (g_strv_contains (allowed, key))
        continue;
      if (kind != NULL && strcmp (key, "apiVersion") == 0)
        {
          if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING
              || strcmp (json_node_get_string (value), "kubescheduler.config.k8s.io/v1") != 0)
            ks_args_error (lines, "%s: must be \"kubescheduler.config.k8s.io/v1\"", path);
          continue;
        }
      if (kind != NULL && strcmp (key, "kind") == 0)
        {
          if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING
              || strcmp (json_node_get_string (value), kind) != 0)
            ks_args_error (lines, "%s: must be \"%s\"", path, kind);
          continue;
        }
      {
        g_autofree char *valid = g_strjoinv (", ", (char **) allowed);
        ks_args_error (lines, "%s: unknown field \"%s\"; valid fields: %s%s", path, key, valid,
                       kind != NULL ? ", apiVersion, kind" : "");
      }
    }
}

gboolean
ks_args_int (JsonNode *node, gint64 *out)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

/* ks-sched-config.c: KubeSchedulerConfiguration decoding and kube-scheduler's plugin merge. */
#include "config.h"

#include <string.h>

#include "ks-sched-config.h"
#include "policies/ks-policy-modules.h"
#include "src/ks-clock.h"

static const char *const point_names[KS_N_POINTS] = {
  "queueSort", "preFilter", "filter", "postFilter", "preScore", "score", "reserve",
};

/* Extension points kubesim accepts in a configuration but runs itself (binding) or does not
 * have yet; plugins listed there must still be known names. */
static const char *const other_points[]
    = { "preEnqueue", "permit", "preBind", "bind", "postBind", NULL };

/* Every plugin of kube-scheduler v1.32's in-tree registry, so that a configuration written for
 * Kubernetes can disable them; enabling one kubesim lacks is an error. */
static const char *const kubernetes_plugins[] = {
  "PrioritySort",       "SchedulingGates",  "NodeUnschedulable", "NodeName",
  "TaintToleration",    "NodeAffinity",     "NodePorts",         "NodeResourcesFit",
  "VolumeRestrictions", "NodeVolumeLimits", "VolumeBinding",     "VolumeZone",
  "PodTopologySpread",  "InterPodAffinity", "DefaultPreemption", "NodeResourcesBalancedAllocation",
  "ImageLocality",      "DefaultBinder",    "DynamicResources",  NULL,
};

/* Run by kubesim itself, always on; enabling them is accepted and changes nothing. */
static const char *const implicit_plugins[] = { "DefaultBinder", "SchedulingGates", NULL };

const char *
ks_extension_point_name (KsExtensionPoint point)
{
  return point_names[point];
}

static gboolean
implements (const KsSchedulerPlugin *p, KsExtensionPoint point)
{
  switch (point)
    {
    case KS_POINT_QUEUE_SORT:
      return p->less != NULL;
    case KS_POINT_PRE_FILTER:
      return p->pre_filter != NULL;
    case KS_POINT_FILTER:
      return p->filter != NULL;
    case KS_POINT_POST_FILTER:
      return p->post_filter != NULL;
    case KS_POINT_PRE_SCORE:
      return p->pre_score != NULL;
    case KS_POINT_SCORE:
      return p->score != NULL;
    case KS_POINT_RESERVE:
      return p->reserve != NULL;
    default:
      return FALSE;
    }
}

gboolean
ks_plugin_implements (const KsSchedulerPlugin *plugin, KsExtensionPoint point)
{
  return implements (plugin, point);
}

/* A v1.PluginSet: enabled plugins with weights, disabled names. */
typedef struct
{
  GPtrArray *enabled;  /* const char * names (borrowed from the tree or static) */
  GArray *weights;     /* gint32, parallel to enabled */
  GPtrArray *disabled; /* names */
} PluginSet;

static void
plugin_set_init (PluginSet *s)
{
  s->enabled = g_ptr_array_new ();
  s->weights = g_array_new (FALSE, FALSE, sizeof (gint32));
  s->disabled = g_ptr_array_new ();
}

static void
plugin_set_clear (PluginSet *s)
{
  g_ptr_array_unref (s->enabled);
  g_array_unref (s->weights);
  g_ptr_array_unref (s->disabled);
}

static gboolean
names_contain (GPtrArray *names, const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (strcmp (g_ptr_array_index (names, i), name) == 0)
      return TRUE;
  return FALSE;
}

static gint
names_index (GPtrArray *names, const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (strcmp (g_ptr_array_index (names, i), name) == 0)
      return (gint) i;
  return -1;
}

/* mergePluginSet (v1 default_plugins.go). */
static void
merge_plugin_set (const PluginSet *defaults, const PluginSet *custom, PluginSet *out)
{
  g_autoptr (GHashTable) replaced = g_hash_table_new (g_direct_hash, g_direct_equal);

  plugin_set_init (out);
  for (guint i = 0; i < custom->disabled->len; i++)
    g_ptr_array_add (out->disabled, g_ptr_array_index (custom->disabled, i));
  if (!names_contain (custom->disabled, "*"))
    for (guint i = 0; i < defaults->enabled->len; i++)
      {
        const char *name = g_ptr_array_index (defaults->enabled, i);
        gint32 weight = g_array_index (defaults->weights, gint32, i);
        gint c;
        if (names_contain (custom->disabled, name))
          continue;
        if ((c = names_index (custom->enabled, name)) >= 0)
          {
            weight = g_array_index (custom->weights, gint32, c);
            g_hash_table_add (replaced, GINT_TO_POINTER (c + 1));
          }
        g_ptr_array_add (out->enabled, (gpointer) name);
        g_array_append_val (out->weights, weight);
      }
  for (guint i = 0; i < custom->enabled->len; i++)
    if (!g_hash_table_contains (replaced, GINT_TO_POINTER (i + 1)))
      {
        g_ptr_array_add (out->enabled, g_ptr_array_index (custom->enabled, i));
        g_array_append_val (out->weights, g_array_index (custom->weights, gint32, i));
      }
}

static KsProfileConfig *
profile_new (const char *name)
{
  KsProfileConfig *p = g_new0 (KsProfileConfig, 1);
  p->scheduler_name = g_strdup (name);
  p->percentage_of_nodes_to_score = -1;
  for (guint i = 0; i < KS_N_POINTS; i++)
    p->points[i] = g_array_new (FALSE, FALSE, sizeof (KsPluginEntry));
  p->args
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_node_unref);
  return p;
}

static void
profile_free (KsProfileConfig *p)
{
  g_free (p->scheduler_name);
  for (guint i = 0; i < KS_N_POINTS; i++)
    g_array_unref (p->points[i]);
  g_hash_table_unref (p->args);
  g_free (p);
}

/* Build a profile from merged plugin sets: the framework's MultiPoint expansion and score
 * weights.  Returns FALSE with a message in *why on a configuration error. */
static gboolean
profile_expand (KsProfileConfig *p, PluginSet merged[KS_N_POINTS], const PluginSet *multi,
                char **why)
{
  for (guint e = 0; e < KS_N_POINTS; e++)
    {
      GPtrArray *enabled = merged[e].enabled;
      g_autoptr (GPtrArray) overrides = g_ptr_array_new ();
      g_autoptr (GPtrArray) from_multi = g_ptr_array_new ();
      g_autoptr (GPtrArray) order = g_ptr_array_new ();

      if (!names_contain (merged[e].disabled, "*"))
        for (guint i = 0; i < multi->enabled->len; i++)
          {
            const char *name = g_ptr_array_index (multi->enabled, i);
            const KsSchedulerPlugin *plugin = ks_scheduler_plugin_lookup (name);
            if (plugin == NULL || !implements (plugin, e)
                || names_contain (merged[e].disabled, name))
              continue;
            if (names_contain (enabled, name))
              {
                g_ptr_array_add (overrides, (gpointer) name);
                continue;
              }
            if (names_contain (from_multi, name))
              {
                *why = g_strdup_printf ("plugin \"%s\" already registered as %s", name,
                                        point_names[e]);
                return FALSE;
              }
            g_ptr_array_add (from_multi, (gpointer) name);
          }
      for (guint i = 0; i < enabled->len; i++)
        if (names_contain (overrides, g_ptr_array_index (enabled, i)))
          g_ptr_array_add (order, g_ptr_array_index (enabled, i));
      for (guint i = 0; i < from_multi->len; i++)
        g_ptr_array_add (order, g_ptr_array_index (from_multi, i));
      for (guint i = 0; i < enabled->len; i++)
        if (!names_contain (overrides, g_ptr_array_index (enabled, i)))
          g_ptr_array_add (order, g_ptr_array_index (enabled, i));

      for (guint i = 0; i < order->len; i++)
        {
          const char *name = g_ptr_array_index (order, i);
          KsPluginEntry entry = { ks_scheduler_plugin_lookup (name), 0 };
          gint c;
          if (entry.plugin == NULL)
            continue; /* an implicit plugin (DefaultBinder, ...) */
          if (!implements (entry.plugin, e))
            {
              *why = g_strdup_printf ("plugin \"%s\" does not extend %s", name, point_names[e]);
              return FALSE;
            }
          for (guint j = 0; j < p->points[e]->len; j++)
            if (g_array_index (p->points[e], KsPluginEntry, j).plugin == entry.plugin)
              {
                *why = g_strdup_printf ("plugin \"%s\" already registered as %s", name,
                                        point_names[e]);
                return FALSE;
              }
          if (e == KS_POINT_SCORE)
            {
              /* getScoreWeights: the score point's weight wins over MultiPoint's; 0 means 1. */
              if ((c = names_index (merged[KS_POINT_SCORE].enabled, name)) >= 0)
                entry.weight = g_array_index (merged[KS_POINT_SCORE].weights, gint32, c);
              else if ((c = names_index (multi->enabled, name)) >= 0)
                entry.weight = g_array_index (multi->weights, gint32, c);
              if (entry.weight == 0)
                entry.weight = 1;
            }
          g_array_append_val (p->points[e], entry);
        }
    }
  if (p->points[KS_POINT_QUEUE_SORT]->len != 1)
    {
      *why = g_strdup_printf ("exactly one queueSort plugin must be enabled, found %u",
                              p->points[KS_POINT_QUEUE_SORT]->len);
      return FALSE;
    }
  return TRUE;
}

static void
default_multipoint (PluginSet *s)
{
  const KsSchedulerPlugin *const *builtin = ks_builtin_scheduler_plugins ();

  plugin_set_init (s);
  for (guint i = 0; builtin[i] != NULL; i++)
    {
      g_ptr_array_add (s->enabled, (gpointer) builtin[i]->name);
      g_array_append_val (s->weights, builtin[i]->default_weight);
    }
}

static KsProfileConfig *
default_profile (const char *name)
{
  KsProfileConfig *p = profile_new (name);
  PluginSet merged[KS_N_POINTS], multi;
  g_autofree char *why = NULL;

  default_multipoint (&multi);
  for (guint i = 0; i < KS_N_POINTS; i++)
    plugin_set_init (&merged[i]);
  if (!profile_expand (p, merged, &multi, &why))
    g_error ("the built-in default profile is invalid: %s", why);
  for (guint i = 0; i < KS_N_POINTS; i++)
    plugin_set_clear (&merged[i]);
  plugin_set_clear (&multi);
  return p;
}

KsSchedulerConfig *
ks_scheduler_config_new_default (void)
{
  KsSchedulerConfig *c = g_new0 (KsSchedulerConfig, 1);

  c->pod_initial_backoff = 1 * KS_USEC_PER_SEC;
  c->pod_max_backoff = 10 * KS_USEC_PER_SEC;
  c->profiles = g_ptr_array_new_with_free_func ((GDestroyNotify) profile_free);
  g_ptr_array_add (c->profiles, default_profile ("default-scheduler"));
  return c;
}

void
ks_scheduler_config_free (KsSchedulerConfig *config)
{
  if (config == NULL)
    return;
  g_ptr_array_unref (config->profiles);
  g_free (config);
}

KsProfileConfig *
ks_scheduler_config_get_profile (KsSchedulerConfig *config, const char *name)
{
  for (guint i = 0; i < config->profiles->len; i++)
    {
      KsProfileConfig *p = g_ptr_array_index (config->profiles, i);
      if (strcmp (p->scheduler_name, name) == 0)
        return p;
    }
  return NULL;
}

/* Check a plugin name found at node; report and return FALSE when unknown.  enabling: the name
 * is being enabled (unimplemented Kubernetes plugins are an error then). */
static gboolean
check_plugin_name (KsDecoder *dec, JsonNode *at, const char *name, gboolean enabling)
{
  if (ks_scheduler_plugin_lookup (name) != NULL
      || g_strv_contains ((const char *const *) implicit_plugins, name))
    return TRUE;
  if (!enabling && strcmp (name, "*") == 0)
    return TRUE;
  if (g_strv_contains ((const char *const *) kubernetes_plugins, name))
    {
      if (!enabling)
        return TRUE;
      ks_decoder_error (dec, at,
                        "plugin \"%s\" is a Kubernetes plugin this version of kubesim does not "
                        "implement yet",
                        name);
      return FALSE;
    }
  {
    /* Built-in, research and loaded plugins (`kubesim policies` lists them with their points). */
    GString *known = g_string_new (NULL);
    g_autoptr (GPtrArray) all = ks_scheduler_plugin_list ();
    for (guint i = 0; i < all->len; i++)
      g_string_append_printf (known, "%s%s", i ? ", " : "",
                              ((const KsSchedulerPlugin *) g_ptr_array_index (all, i))->name);
    ks_decoder_error (dec, at,
                      "unknown plugin \"%s\"; known plugins: %s (a plugin of a policy module "
                      "needs --policy-path DIR or KUBESIM_POLICY_PATH)",
                      name, known->str);
    g_string_free (known, TRUE);
  }
  return FALSE;
}

/* Decode a PluginSet at node (plugins.<point>). */
static void
plugin_set_decode (KsDecoder *dec, JsonNode *node, PluginSet *set)
{
  static const char *const lists[] = { "enabled", "disabled" };
  static const char *const fields[] = { "enabled", "disabled", NULL };
  static const char *const entry_fields[] = { "name", "weight", NULL };

  if (!ks_decoder_expect_object (dec, node))
    return;
  ks_decoder_check_fields (dec, node, fields);
  for (guint l = 0; l < 2; l++)
    {
      JsonNode *m = ks_decoder_member (node, lists[l]);
      JsonArray *array;
      gsize mark;
      if (m == NULL)
        continue;
      mark = ks_decoder_push (dec, lists[l]);
      if (ks_decoder_expect_array (dec, m))
        {
          array = json_node_get_array (m);
          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *item = json_array_get_element (array, i);
              gsize mark2 = ks_decoder_push_index (dec, i);
              JsonNode *name_node;
              gint32 weight = 0;
              if (ks_decoder_expect_object (dec, item))
                {
                  ks_decoder_check_fields (dec, item, entry_fields);
                  name_node = ks_decoder_member (item, "name");
                  if (name_node == NULL || json_node_get_value_type (name_node) != G_TYPE_STRING)
                    ks_decoder_error_field (dec, item, "name", "required string field is missing");
                  else
                    {
                      const char *name = json_node_get_string (name_node);
                      gsize mark3 = ks_decoder_push (dec, "name");
                      gboolean ok = check_plugin_name (dec, name_node, name, l == 0);
                      ks_decoder_pop (dec, mark3);
                      if (l == 0)
                        {
                          if (ks_decoder_get_int32 (dec, item, "weight", 0, 100, &weight) && ok)
                            {
                              if (names_contain (set->enabled, name))
                                ks_decoder_error (dec, name_node, "plugin \"%s\" is listed twice",
                                                  name);
                              g_ptr_array_add (set->enabled, (gpointer) name);
                              g_array_append_val (set->weights, weight);
                            }
                        }
                      else if (ok)
                        g_ptr_array_add (set->disabled, (gpointer) name);
                    }
                }
              ks_decoder_pop (dec, mark2);
            }
        }
      ks_decoder_pop (dec, mark);
    }
}

/* Validate a plugin's args by instantiating it once; report its error at the args. */
static gboolean
args_check (KsDecoder *dec, JsonNode *item, const char *name, JsonNode *args)
{
  const KsSchedulerPlugin *plugin = ks_scheduler_plugin_lookup (name);
  g_autoptr (GError) error = NULL;
  gpointer instance = NULL;

  if (plugin == NULL || args == NULL)
    return TRUE;
  if (plugin->init == NULL)
    {
      ks_decoder_error_field (dec, item, "args", "plugin \"%s\" takes no arguments", name);
      return FALSE;
    }
  if (!plugin->init (args, &instance, &error))
    {
      ks_decoder_error_field (dec, item, "args", "%s", error->message);
      if (plugin->destroy != NULL)
        plugin->destroy (instance);
      return FALSE;
    }
  if (plugin->destroy != NULL)
    plugin->destroy (instance);
  return TRUE;
}

static KsProfileConfig *
profile_decode (KsDecoder *dec, JsonNode *node)
{
  g_autofree char *name = NULL;
  KsProfileConfig *p;
  PluginSet custom[KS_N_POINTS], merged[KS_N_POINTS], multi_custom, multi_defaults, multi;
  JsonNode *plugins, *config;
  guint errors = ks_decoder_n_errors (dec);
  g_autofree char *why = NULL;

  static const char *const fields[]
      = { "schedulerName", "percentageOfNodesToScore", "plugins", "pluginConfig", NULL };
  static const char *const config_fields[] = { "name", "args", NULL };

  if (!ks_decoder_expect_object (dec, node))
    return NULL;
  ks_decoder_check_fields (dec, node, fields);
  ks_decoder_get_string (dec, node, "schedulerName", &name);
  p = profile_new (name != NULL ? name : "default-scheduler");
  ks_decoder_get_int32 (dec, node, "percentageOfNodesToScore", 0, 100,
                        &p->percentage_of_nodes_to_score);
  for (guint i = 0; i < KS_N_POINTS; i++)
    plugin_set_init (&custom[i]);
  plugin_set_init (&multi_custom);
  plugins = ks_decoder_member (node, "plugins");
  if (plugins != NULL)
    {
      gsize mark = ks_decoder_push (dec, "plugins");
      if (ks_decoder_expect_object (dec, plugins))
        {
          JsonObjectIter iter;
          const char *key;
          JsonNode *value;
          json_object_iter_init (&iter, json_node_get_object (plugins));
          while (json_object_iter_next (&iter, &key, &value))
            {
              gsize mark2 = ks_decoder_push (dec, key);
              PluginSet *target = NULL;
              PluginSet scratch;
              for (guint e = 0; e < KS_N_POINTS; e++)
                if (strcmp (key, point_names[e]) == 0)
                  target = &custom[e];
              if (strcmp (key, "multiPoint") == 0)
                target = &multi_custom;
              if (target == NULL && g_strv_contains ((const char *const *) other_points, key))
                {
                  plugin_set_init (&scratch);
                  plugin_set_decode (dec, value, &scratch);
                  plugin_set_clear (&scratch);
                }
              else if (target == NULL)
                ks_decoder_error (dec, value,
                                  "unknown extension point \"%s\": use multiPoint, queueSort, "
                                  "preFilter, filter, postFilter, preScore, score, reserve, "
                                  "permit, preBind, bind or postBind",
                                  key);
              else if (!JSON_NODE_HOLDS_NULL (value))
                plugin_set_decode (dec, value, target);
              ks_decoder_pop (dec, mark2);
            }
        }
      ks_decoder_pop (dec, mark);
    }
  config = ks_decoder_member (node, "pluginConfig");
  if (config != NULL)
    {
      gsize mark = ks_decoder_push (dec, "pluginConfig");
      if (ks_decoder_expect_array (dec, config))
        {
          JsonArray *array = json_node_get_array (config);
          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *item = json_array_get_element (array, i);
              gsize mark2 = ks_decoder_push_index (dec, i);
              g_autofree char *pname = NULL;
              if (ks_decoder_expect_object (dec, item))
                {
                  ks_decoder_check_fields (dec, item, config_fields);
                  if (!ks_decoder_require_string (dec, item, "name", &pname, NULL) || pname == NULL)
                    ;
                  else if (g_hash_table_contains (p->args, pname))
                    ks_decoder_error_field (dec, item, "name", "plugin \"%s\" is configured twice",
                                            pname);
                  else
                    {
                      gsize mark3 = ks_decoder_push (dec, "name");
                      gboolean ok
                          = check_plugin_name (dec, ks_decoder_member (item, "name"), pname, FALSE);
                      ks_decoder_pop (dec, mark3);
                      if (ok)
                        {
                          JsonNode *args = ks_decoder_member (item, "args");
                          if (args_check (dec, item, pname, args))
                            g_hash_table_insert (p->args, g_strdup (pname),
                                                 args ? json_node_ref (args)
                                                      : json_node_new (JSON_NODE_NULL));
                        }
                    }
                }
              ks_decoder_pop (dec, mark2);
            }
        }
      ks_decoder_pop (dec, mark);
    }

  default_multipoint (&multi_defaults);
  {
    PluginSet empty;
    plugin_set_init (&empty);
    for (guint e = 0; e < KS_N_POINTS; e++)
      merge_plugin_set (&empty, &custom[e], &merged[e]);
    plugin_set_clear (&empty);
  }
  merge_plugin_set (&multi_defaults, &multi_custom, &multi);
  if (ks_decoder_n_errors (dec) == errors && !profile_expand (p, merged, &multi, &why))
    ks_decoder_error_field (dec, node, "plugins", "%s", why);

  for (guint i = 0; i < KS_N_POINTS; i++)
    {
      plugin_set_clear (&custom[i]);
      plugin_set_clear (&merged[i]);
    }
  plugin_set_clear (&multi_custom);
  plugin_set_clear (&multi_defaults);
  plugin_set_clear (&multi);
  if (ks_decoder_n_errors (dec) != errors)
    {
      profile_free (p);
      return NULL;
    }
  return p;
}

KsSchedulerConfig *
ks_scheduler_config_decode (KsDecoder *dec, JsonNode *node)
{
  g_autoptr (KsSchedulerConfig) c = NULL;
  g_autofree char *api_version = NULL, *kind = NULL;
  guint errors = ks_decoder_n_errors (dec);
  gint32 initial = 1, max = 10;
  JsonNode *profiles;

  /* Fields of kube-scheduler's configuration that concern a real process (leader election,
   * client connection, serving) are accepted and have no effect in kubesim. */
  static const char *const fields[] = { "apiVersion",
                                        "kind",
                                        "parallelism",
                                        "leaderElection",
                                        "clientConnection",
                                        "healthzBindAddress",
                                        "metricsBindAddress",
                                        "enableProfiling",
                                        "enableContentionProfiling",
                                        "percentageOfNodesToScore",
                                        "podInitialBackoffSeconds",
                                        "podMaxBackoffSeconds",
                                        "profiles",
                                        "extenders",
                                        "delayCacheUntilActive",
                                        NULL };
  JsonNode *extenders;

  if (!ks_decoder_expect_object (dec, node))
    return NULL;
  ks_decoder_check_fields (dec, node, fields);
  extenders = ks_decoder_member (node, "extenders");
  if (extenders != NULL
      && !(JSON_NODE_HOLDS_ARRAY (extenders)
           && json_array_get_length (json_node_get_array (extenders)) == 0))
    ks_decoder_error_field (dec, node, "extenders",
                            "scheduler extenders are not supported by kubesim");
  ks_decoder_get_string (dec, node, "apiVersion", &api_version);
  ks_decoder_get_string (dec, node, "kind", &kind);
  if (g_strcmp0 (api_version, "kubescheduler.config.k8s.io/v1") != 0)
    ks_decoder_error_field (
        dec, node, "apiVersion", "must be \"kubescheduler.config.k8s.io/v1\"%s%s%s",
        api_version ? ", not \"" : "", api_version ? api_version : "", api_version ? "\"" : "");
  if (g_strcmp0 (kind, "KubeSchedulerConfiguration") != 0)
    ks_decoder_error_field (dec, node, "kind", "must be \"KubeSchedulerConfiguration\"");
  c = g_new0 (KsSchedulerConfig, 1);
  c->profiles = g_ptr_array_new_with_free_func ((GDestroyNotify) profile_free);
  ks_decoder_get_int32 (dec, node, "percentageOfNodesToScore", 0, 100,
                        &c->percentage_of_nodes_to_score);
  ks_decoder_get_int32 (dec, node, "podInitialBackoffSeconds", 1, G_MAXINT32, &initial);
  ks_decoder_get_int32 (dec, node, "podMaxBackoffSeconds", 1, G_MAXINT32, &max);
  if (max < initial)
    ks_decoder_error_field (dec, node, "podMaxBackoffSeconds",
                            "must be greater than or equal to podInitialBackoffSeconds (%d)",
                            initial);
  c->pod_initial_backoff = initial * KS_USEC_PER_SEC;
  c->pod_max_backoff = max * KS_USEC_PER_SEC;
  profiles = ks_decoder_member (node, "profiles");
  if (profiles == NULL)
    g_ptr_array_add (c->profiles, default_profile ("default-scheduler"));
  else
    {
      gsize mark = ks_decoder_push (dec, "profiles");
      if (ks_decoder_expect_array (dec, profiles))
        {
          JsonArray *array = json_node_get_array (profiles);
          /* As kube-scheduler's defaults: no profile means the default one. */
          if (json_array_get_length (array) == 0)
            g_ptr_array_add (c->profiles, default_profile ("default-scheduler"));
          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              gsize mark2 = ks_decoder_push_index (dec, i);
              JsonNode *item = json_array_get_element (array, i);
              KsProfileConfig *p = profile_decode (dec, item);
              if (p != NULL)
                {
                  if (ks_scheduler_config_get_profile (c, p->scheduler_name) != NULL)
                    {
                      ks_decoder_error_field (dec, item, "schedulerName",
                                              "duplicate profile \"%s\"", p->scheduler_name);
                      profile_free (p);
                    }
                  else
                    {
                      KsProfileConfig *first
                          = c->profiles->len ? g_ptr_array_index (c->profiles, 0) : NULL;
                      if (first != NULL
                          && g_array_index (first->points[KS_POINT_QUEUE_SORT], KsPluginEntry, 0)
                                     .plugin
                                 != g_array_index (p->points[KS_POINT_QUEUE_SORT], KsPluginEntry, 0)
                                        .plugin)
                        ks_decoder_error_field (dec, item, "plugins",
                                                "all profiles must use the same queueSort plugin");
                      g_ptr_array_add (c->profiles, p);
                    }
                }
              ks_decoder_pop (dec, mark2);
            }
        }
      ks_decoder_pop (dec, mark);
    }
  if (ks_decoder_n_errors (dec) != errors)
    return NULL;
  return g_steal_pointer (&c);
}

KsSchedulerConfig *
ks_scheduler_config_load_file (const char *path, GError **error)
{
  g_autoptr (KsSource) source = ks_source_new_from_file (path, error);
  g_autoptr (KsDiag) diag = NULL;
  KsSchedulerConfig *config = NULL;
  KsDecoder dec;

  if (source == NULL)
    return NULL;
  diag = ks_diag_new ();
  if (ks_source_get_n_documents (source) != 1)
    ks_diag_add (diag, path, 0, 0, NULL,
                 "expected one KubeSchedulerConfiguration document, found %u",
                 ks_source_get_n_documents (source));
  else
    {
      ks_decoder_init (&dec, source, diag);
      config = ks_scheduler_config_decode (&dec, ks_source_get_document (source, 0));
      ks_decoder_clear (&dec);
    }
  if (!ks_diag_to_error (diag, error))
    g_clear_pointer (&config, ks_scheduler_config_free);
  return config;
}

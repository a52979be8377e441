/* ks-sched-config.c: KubeSchedulerConfiguration decoding, kube-scheduler v1.32's plugin merge and
 * MultiPoint expansion, and the checks kube-scheduler makes (validation.go, NewFramework). */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "ks-sched-config.h"
#include "policies/ks-policy-modules.h"
#include "src/ks-clock.h"

static const char *const point_names[KS_N_POINTS] = {
  "queueSort", "preFilter", "filter", "postFilter", "preScore", "score", "reserve",
};

/* Every extension point of a v1 profile's plugins, in kube-scheduler's getExtensionPoints
 * order.  kubesim runs the seven of KsExtensionPoint; the others are merged and expanded too, so
 * that the configuration is checked as kube-scheduler checks it (a profile needs one Bind
 * plugin, a plugin must implement the points it is enabled at). */
typedef enum
{
  CP_PRE_FILTER,
  CP_FILTER,
  CP_POST_FILTER,
  CP_RESERVE,
  CP_PRE_SCORE,
  CP_SCORE,
  CP_PRE_BIND,
  CP_BIND,
  CP_POST_BIND,
  CP_PERMIT,
  CP_PRE_ENQUEUE,
  CP_QUEUE_SORT,
  N_CP
} ConfigPoint;

static const char *const cp_names[N_CP] = {
  "preFilter", "filter", "postFilter", "reserve", "preScore",   "score",
  "preBind",   "bind",   "postBind",   "permit",  "preEnqueue", "queueSort",
};

static const gint cp_point[N_CP] = {
  KS_POINT_PRE_FILTER,
  KS_POINT_FILTER,
  KS_POINT_POST_FILTER,
  KS_POINT_RESERVE,
  KS_POINT_PRE_SCORE,
  KS_POINT_SCORE,
  -1,
  -1,
  -1,
  -1,
  -1,
  KS_POINT_QUEUE_SORT,
};

/* kube-scheduler v1.32's default profile (v1 default_plugins.go getDefaultPlugins): every
 * plugin enabled through multiPoint, in this order.  Plugins kubesim lacks are left out; the
 * score weights are the plugins' default_weight (TaintToleration 3, NodeAffinity 2,
 * NodeResourcesFit 1, PodTopologySpread 2, InterPodAffinity 2, NodeResourcesBalancedAllocation 1,
 * ImageLocality 1).  Other registered plugins (research policies, external ones) are enabled
 * only by a profile that names them. */
static const char *const default_plugins[] = {
  "SchedulingGates",    "PrioritySort",     "NodeUnschedulable", "NodeName",
  "TaintToleration",    "NodeAffinity",     "NodePorts",         "NodeResourcesFit",
  "VolumeRestrictions", "NodeVolumeLimits", "VolumeBinding",     "VolumeZone",
  "PodTopologySpread",  "InterPodAffinity", "DefaultPreemption", "NodeResourcesBalancedAllocation",
  "ImageLocality",      "DefaultBinder",
};

/* Every plugin of kube-scheduler v1.32's in-tree registry, so that a configuration written for
 * Kubernetes can disable them; enabling one kubesim lacks is an error. */
static const char *const kubernetes_plugins[] = {
  "PrioritySort",       "SchedulingGates",  "NodeUnschedulable", "NodeName",
  "TaintToleration",    "NodeAffinity",     "NodePorts",         "NodeResourcesFit",
  "VolumeRestrictions", "NodeVolumeLimits", "VolumeBinding",     "VolumeZone",
  "PodTopologySpread",  "InterPodAffinity", "DefaultPreemption", "NodeResourcesBalancedAllocation",
  "ImageLocality",      "DefaultBinder",    "DynamicResources",  NULL,
};

/* Plugins kubesim runs itself, always: the binding (DefaultBinder, Bind) and the scheduling
 * gates check (SchedulingGates, PreEnqueue).  They take part in the merge like the others. */
static const struct
{
  const char *name;
  ConfigPoint point;
} implicit_plugins[] = {
  { "DefaultBinder", CP_BIND },
  { "SchedulingGates", CP_PRE_ENQUEUE },
};

const char *
ks_extension_point_name (KsExtensionPoint point)
{
  return point_names[point];
}

static gboolean
is_implicit (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (implicit_plugins); i++)
    if (strcmp (implicit_plugins[i].name, name) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_known (const char *name)
{
  return ks_scheduler_plugin_lookup (name) != NULL || is_implicit (name);
}

/* Whether plugin has the callback of point (the points kubesim runs; plugins have no others). */
static gboolean
plugin_implements (const KsSchedulerPlugin *p, ConfigPoint point)
{
  switch (point)
    {
    case CP_QUEUE_SORT:
      return p->less != NULL;
    case CP_PRE_FILTER:
      return p->pre_filter != NULL;
    case CP_FILTER:
      return p->filter != NULL;
    case CP_POST_FILTER:
      return p->post_filter != NULL;
    case CP_PRE_SCORE:
      return p->pre_score != NULL;
    case CP_SCORE:
      return p->score != NULL;
    case CP_RESERVE:
      return p->reserve != NULL;
    default:
      return FALSE;
    }
}

/* Whether the plugin called name (a plugin or an implicit one) implements point. */
static gboolean
implements (const char *name, ConfigPoint point)
{
  const KsSchedulerPlugin *p = ks_scheduler_plugin_lookup (name);

  if (p != NULL)
    return plugin_implements (p, point);
  for (guint i = 0; i < G_N_ELEMENTS (implicit_plugins); i++)
    if (strcmp (implicit_plugins[i].name, name) == 0)
      return implicit_plugins[i].point == point;
  return FALSE;
}

gboolean
ks_plugin_implements (const KsSchedulerPlugin *plugin, KsExtensionPoint point)
{
  static const ConfigPoint cps[KS_N_POINTS] = {
    CP_QUEUE_SORT, CP_PRE_FILTER, CP_FILTER, CP_POST_FILTER, CP_PRE_SCORE, CP_SCORE, CP_RESERVE,
  };
  return plugin_implements (plugin, cps[point]);
}

/* One enabled plugin of a v1.PluginSet, with where the configuration named it (for errors). */
typedef struct
{
  const char *name; /* borrowed from the tree or static */
  gint32 weight;
  JsonNode *at;   /* the name's node, or NULL for a default */
  const char *in; /* the list it came from: "multiPoint", "score", ... */
  guint index;    /* its index in that list */
} Entry;

/* A v1.PluginSet: enabled plugins with weights, disabled names. */
typedef struct
{
  GArray *enabled;     /* Entry */
  GPtrArray *disabled; /* names */
} PluginSet;

static void
plugin_set_init (PluginSet *s)
{
  s->enabled = g_array_new (FALSE, FALSE, sizeof (Entry));
  s->disabled = g_ptr_array_new ();
}

static void
plugin_set_clear (PluginSet *s)
{
  g_array_unref (s->enabled);
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
entries_index (GArray *entries, const char *name)
{
  for (guint i = 0; i < entries->len; i++)
    if (strcmp (g_array_index (entries, Entry, i).name, name) == 0)
      return (gint) i;
  return -1;
}

/* cmp.Equal of two merged sets (validateCommonQueueSort). */
static gboolean
plugin_set_equal (const PluginSet *a, const PluginSet *b)
{
  if (a->enabled->len != b->enabled->len || a->disabled->len != b->disabled->len)
    return FALSE;
  for (guint i = 0; i < a->enabled->len; i++)
    {
      const Entry *x = &g_array_index (a->enabled, Entry, i);
      const Entry *y = &g_array_index (b->enabled, Entry, i);
      if (strcmp (x->name, y->name) != 0 || x->weight != y->weight)
        return FALSE;
    }
  for (guint i = 0; i < a->disabled->len; i++)
    if (strcmp (g_ptr_array_index (a->disabled, i), g_ptr_array_index (b->disabled, i)) != 0)
      return FALSE;
  return TRUE;
}

/* mergePluginSet (v1 default_plugins.go): the defaults not disabled, in their order, each
 * replaced in place by the profile's entry of the same name; then the profile's other
 * entries.  "*" disables every default. */
static void
merge_plugin_set (const PluginSet *defaults, const PluginSet *custom, PluginSet *out)
{
  g_autoptr (GHashTable) replaced = g_hash_table_new (g_direct_hash, g_direct_equal);

  plugin_set_init (out);
  for (guint i = 0; i < custom->disabled->len; i++)
    g_ptr_array_add (out->disabled, g_ptr_array_index (custom->disabled, i));
  for (guint i = 0; i < defaults->disabled->len; i++)
    g_ptr_array_add (out->disabled, g_ptr_array_index (defaults->disabled, i));
  if (!names_contain (custom->disabled, "*"))
    for (guint i = 0; i < defaults->enabled->len; i++)
      {
        Entry e = g_array_index (defaults->enabled, Entry, i);
        gint c;
        if (names_contain (custom->disabled, e.name))
          continue;
        if ((c = entries_index (custom->enabled, e.name)) >= 0)
          {
            e = g_array_index (custom->enabled, Entry, c);
            g_hash_table_add (replaced, GINT_TO_POINTER (c + 1));
          }
        g_array_append_val (out->enabled, e);
      }
  for (guint i = 0; i < custom->enabled->len; i++)
    if (!g_hash_table_contains (replaced, GINT_TO_POINTER (i + 1)))
      g_array_append_val (out->enabled, g_array_index (custom->enabled, Entry, i));
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

/* Report a configuration error about entry e (at its name when the configuration wrote it,
 * else at the profile's plugins, or at the profile).  profile: the profile's node. */
static void entry_error (KsDecoder *dec, JsonNode *profile, const Entry *e, const char *format, ...)
    G_GNUC_PRINTF (4, 5);

static void
entry_error (KsDecoder *dec, JsonNode *profile, const Entry *e, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  if (dec == NULL)
    g_error ("the built-in default profile is invalid: %s", message);
  if (e != NULL && e->at != NULL)
    {
      gsize mark = ks_decoder_push (dec, "plugins");
      ks_decoder_push (dec, e->in);
      ks_decoder_push (dec, "enabled");
      ks_decoder_push_index (dec, e->index);
      ks_decoder_push (dec, "name");
      ks_decoder_error (dec, e->at, "%s", message);
      ks_decoder_pop (dec, mark);
    }
  else if (ks_decoder_member (profile, "plugins") != NULL)
    ks_decoder_error_field (dec, profile, "plugins", "%s", message);
  else
    ks_decoder_error (dec, profile, "%s", message);
}

/* Build a profile from the merged plugin sets: the framework's MultiPoint expansion
 * (expandMultiPointPlugins), score weights (getScoreWeights) and the checks of NewFramework.
 * dec/node: where to report (NULL for the built-in default, which must be valid).  Returns
 * FALSE after reporting. */
static gboolean
profile_expand (KsProfileConfig *p, PluginSet merged[N_CP], const PluginSet *multi, KsDecoder *dec,
                JsonNode *node)
{
  guint n_bind = 0;

  for (guint e = 0; e < N_CP; e++)
    {
      GArray *enabled = merged[e].enabled;
      g_autoptr (GPtrArray) overrides = g_ptr_array_new ();
      g_autoptr (GArray) from_multi = g_array_new (FALSE, FALSE, sizeof (Entry));
      g_autoptr (GArray) order = g_array_new (FALSE, FALSE, sizeof (Entry));
      GArray *run = cp_point[e] >= 0 ? p->points[cp_point[e]] : NULL;

      /* updatePluginList: the point's own plugins must implement it, once each. */
      for (guint i = 0; i < enabled->len; i++)
        {
          const Entry *x = &g_array_index (enabled, Entry, i);
          if (!implements (x->name, e))
            {
              entry_error (dec, node, x, "plugin \"%s\" does not extend %s", x->name, cp_names[e]);
              return FALSE;
            }
          if (entries_index (enabled, x->name) != (gint) i)
            {
              entry_error (dec, node, x, "plugin \"%s\" already registered as %s", x->name,
                           cp_names[e]);
              return FALSE;
            }
        }
      if (!names_contain (merged[e].disabled, "*"))
        for (guint i = 0; i < multi->enabled->len; i++)
          {
            const Entry *x = &g_array_index (multi->enabled, Entry, i);
            if (!implements (x->name, e) || names_contain (merged[e].disabled, x->name))
              continue;
            /* Enabled at the point too: the point's entry overrides MultiPoint's. */
            if (entries_index (enabled, x->name) >= 0)
              {
                g_ptr_array_add (overrides, (gpointer) x->name);
                continue;
              }
            if (entries_index (from_multi, x->name) >= 0)
              {
                entry_error (dec, node, x, "plugin \"%s\" already registered as %s", x->name,
                             cp_names[e]);
                return FALSE;
              }
            g_array_append_val (from_multi, *x);
          }
      /* The overriding plugins in the point's order, then MultiPoint's, then the point's
       * others. */
      for (guint i = 0; i < enabled->len; i++)
        if (names_contain (overrides, g_array_index (enabled, Entry, i).name))
          g_array_append_val (order, g_array_index (enabled, Entry, i));
      g_array_append_vals (order, from_multi->data, from_multi->len);
      for (guint i = 0; i < enabled->len; i++)
        if (!names_contain (overrides, g_array_index (enabled, Entry, i).name))
          g_array_append_val (order, g_array_index (enabled, Entry, i));

      if (e == CP_BIND)
        n_bind = order->len;
      if (run == NULL)
        continue;
      for (guint i = 0; i < order->len; i++)
        {
          const char *name = g_array_index (order, Entry, i).name;
          KsPluginEntry entry = { ks_scheduler_plugin_lookup (name), 0 };
          gint c;
          if (e == CP_SCORE)
            {
              /* getScoreWeights: the score point's weight wins over MultiPoint's; 0 means 1. */
              if ((c = entries_index (merged[CP_SCORE].enabled, name)) >= 0)
                entry.weight = g_array_index (merged[CP_SCORE].enabled, Entry, c).weight;
              else if ((c = entries_index (multi->enabled, name)) >= 0)
                entry.weight = g_array_index (multi->enabled, Entry, c).weight;
              if (entry.weight == 0)
                entry.weight = 1;
            }
          g_array_append_val (run, entry);
        }
    }
  if (p->points[KS_POINT_QUEUE_SORT]->len != 1)
    {
      entry_error (dec, node, NULL,
                   "only one queue sort plugin required for profile with scheduler name \"%s\", "
                   "but got %u",
                   p->scheduler_name, p->points[KS_POINT_QUEUE_SORT]->len);
      return FALSE;
    }
  if (n_bind == 0)
    {
      entry_error (dec, node, NULL,
                   "at least one bind plugin is needed for profile with scheduler name \"%s\"",
                   p->scheduler_name);
      return FALSE;
    }
  return TRUE;
}

/* The default multiPoint set: default_plugins that kubesim knows. */
static void
default_multipoint (PluginSet *s)
{
  plugin_set_init (s);
  for (guint i = 0; i < G_N_ELEMENTS (default_plugins); i++)
    if (is_known (default_plugins[i]))
      {
        const KsSchedulerPlugin *p = ks_builtin_scheduler_plugin_lookup (default_plugins[i]);
        Entry e = { default_plugins[i], p != NULL ? p->default_weight : 0, NULL, "multiPoint", 0 };
        g_array_append_val (s->enabled, e);
      }
}

static KsProfileConfig *
default_profile (const char *name)
{
  KsProfileConfig *p = profile_new (name);
  PluginSet merged[N_CP], multi;

  default_multipoint (&multi);
  for (guint i = 0; i < N_CP; i++)
    plugin_set_init (&merged[i]);
  profile_expand (p, merged, &multi, NULL, NULL);
  for (guint i = 0; i < N_CP; i++)
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

/* "A, B, C": the names a configuration may enable: built-in, research and loaded plugins
 * (`kubesim policies` lists them with their points), then the implicit ones. */
static char *
known_plugins (void)
{
  g_autoptr (GPtrArray) all = ks_scheduler_plugin_list ();
  GString *known = g_string_new (NULL);

  for (guint i = 0; i < all->len; i++)
    g_string_append_printf (known, "%s%s", i ? ", " : "",
                            ((const KsSchedulerPlugin *) g_ptr_array_index (all, i))->name);
  for (guint i = 0; i < G_N_ELEMENTS (implicit_plugins); i++)
    g_string_append_printf (known, ", %s", implicit_plugins[i].name);
  return g_string_free (known, FALSE);
}

/* Check a plugin name found at node; report and return FALSE when unknown.  enabling: the name
 * is being enabled (unimplemented Kubernetes plugins are an error then; "*" is not a name). */
static gboolean
check_plugin_name (KsDecoder *dec, JsonNode *at, const char *name, gboolean enabling)
{
  g_autofree char *known = NULL;

  if (is_known (name))
    return TRUE;
  if (!enabling && strcmp (name, "*") == 0)
    return TRUE;
  if (g_strv_contains ((const char *const *) kubernetes_plugins, name))
    {
      if (!enabling)
        return TRUE;
      ks_decoder_error (dec, at,
                        "plugin \"%s\" is a Kubernetes plugin this version of kubesim does not "
                        "implement",
                        name);
      return FALSE;
    }
  known = known_plugins ();
  ks_decoder_error (dec, at,
                    "unknown plugin \"%s\"; known plugins: %s (a plugin of a policy module needs "
                    "--policy-path DIR or KUBESIM_POLICY_PATH)",
                    name, known);
  return FALSE;
}

/* Decode a PluginSet at node (plugins.<point>, named in). */
static void
plugin_set_decode (KsDecoder *dec, JsonNode *node, const char *in, PluginSet *set)
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
                      /* Any int32 weight, as kube-scheduler (0 or none means 1). */
                      if (l == 0
                          && ks_decoder_get_int32 (dec, item, "weight", G_MININT32, G_MAXINT32,
                                                   &weight)
                          && ok)
                        {
                          Entry e = { name, weight, name_node, in, i };
                          if (entries_index (set->enabled, name) >= 0)
                            {
                              mark3 = ks_decoder_push (dec, "name");
                              ks_decoder_error (dec, name_node, "plugin \"%s\" is listed twice",
                                                name);
                              ks_decoder_pop (dec, mark3);
                            }
                          g_array_append_val (set->enabled, e);
                        }
                      else if (l == 1 && ok)
                        g_ptr_array_add (set->disabled, (gpointer) name);
                    }
                }
              ks_decoder_pop (dec, mark2);
            }
        }
      ks_decoder_pop (dec, mark);
    }
}

/* The node at path inside args ("scoringStrategy.resources[0].weight"), as deep as the path
 * exists; pushes the path on dec.  FALSE when path is not a field path. */
static gboolean
args_locate (KsDecoder *dec, JsonNode *args, const char *path, JsonNode **found)
{
  const char *p = path;
  JsonNode *at = args;

  for (const char *q = path; *q != '\0'; q++)
    if (!g_ascii_isalnum (*q) && strchr ("_-.[]", *q) == NULL)
      return FALSE;
  while (*p != '\0')
    {
      if (*p == '[')
        {
          char *end;
          guint64 index = g_ascii_strtoull (p + 1, &end, 10);
          if (*end != ']' || end == p + 1)
            return FALSE;
          ks_decoder_push_index (dec, (guint) index);
          if (at != NULL && JSON_NODE_HOLDS_ARRAY (at)
              && index < json_array_get_length (json_node_get_array (at)))
            at = json_array_get_element (json_node_get_array (at), (guint) index);
          else
            at = NULL;
          p = end + 1;
        }
      else
        {
          gsize len = strcspn (p, ".[");
          g_autofree char *field = g_strndup (p, len);
          JsonNode *next;
          if (len == 0)
            return FALSE;
          ks_decoder_push (dec, field);
          next = at != NULL ? ks_decoder_member (at, field) : NULL;
          at = next;
          p += len;
        }
      if (*p == '.')
        p++;
      if (at != NULL)
        *found = at;
    }
  return TRUE;
}

/* Report a plugin's args error (one problem a line, each "field.path: message") at the field
 * of the args it names, or at the args. */
static void
args_report (KsDecoder *dec, JsonNode *item, JsonNode *args, const char *message)
{
  g_auto (GStrv) lines = g_strsplit (message, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *colon = strstr (lines[i], ": ");
      gsize mark = ks_decoder_push (dec, "args");
      JsonNode *at = args;
      g_autofree char *path = colon != NULL ? g_strndup (lines[i], colon - lines[i]) : NULL;
      if (path != NULL && args_locate (dec, args, path, &at))
        ks_decoder_error (dec, at, "%s", colon + 2);
      else
        {
          ks_decoder_pop (dec, mark);
          mark = ks_decoder_push (dec, "args");
          ks_decoder_error (dec, args, "%s", lines[i]);
        }
      ks_decoder_pop (dec, mark);
    }
}

/* Validate a plugin's args by instantiating it once; report its errors at the args. */
static gboolean
args_check (KsDecoder *dec, JsonNode *item, const char *name, JsonNode *args)
{
  const KsSchedulerPlugin *plugin = ks_scheduler_plugin_lookup (name);
  g_autoptr (GError) error = NULL;
  gpointer instance = NULL;
  gboolean ok;

  if (plugin == NULL || args == NULL || JSON_NODE_HOLDS_NULL (args))
    return TRUE;
  if (plugin->init == NULL)
    {
      ks_decoder_error_field (dec, item, "args", "plugin \"%s\" takes no arguments", name);
      return FALSE;
    }
  ok = plugin->init (args, &instance, &error);
  if (!ok)
    args_report (dec, item, args, error->message);
  if (plugin->destroy != NULL)
    plugin->destroy (instance);
  return ok;
}

/* Decode the profile at node, one of n_profiles.  Returns NULL after reporting problems, else
 * the profile and its merged queueSort set in *queue_sort (to clear). */
static KsProfileConfig *
profile_decode (KsDecoder *dec, JsonNode *node, guint n_profiles, PluginSet *queue_sort)
{
  g_autofree char *name = NULL;
  KsProfileConfig *p;
  PluginSet custom[N_CP], merged[N_CP], multi_custom, multi_defaults, multi;
  JsonNode *plugins, *config;
  guint errors = ks_decoder_n_errors (dec);

  static const char *const fields[]
      = { "schedulerName", "percentageOfNodesToScore", "plugins", "pluginConfig", NULL };
  static const char *const config_fields[] = { "name", "args", NULL };

  if (!ks_decoder_expect_object (dec, node))
    return NULL;
  ks_decoder_check_fields (dec, node, fields);
  ks_decoder_get_string (dec, node, "schedulerName", &name);
  /* kube-scheduler names a lone profile default-scheduler; with several, each needs a name. */
  if (name == NULL && n_profiles > 1)
    ks_decoder_error_field (dec, node, "schedulerName",
                            "required: every profile needs a name when there are several");
  else if (name != NULL && name[0] == '\0')
    ks_decoder_error_field (dec, node, "schedulerName", "must not be empty");
  p = profile_new (name != NULL ? name : "default-scheduler");
  ks_decoder_get_int32 (dec, node, "percentageOfNodesToScore", 0, 100,
                        &p->percentage_of_nodes_to_score);
  for (guint i = 0; i < N_CP; i++)
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
              const char *in = NULL;
              for (guint e = 0; e < N_CP; e++)
                if (strcmp (key, cp_names[e]) == 0)
                  {
                    target = &custom[e];
                    in = cp_names[e];
                  }
              if (strcmp (key, "multiPoint") == 0)
                {
                  target = &multi_custom;
                  in = "multiPoint";
                }
              if (target == NULL)
                ks_decoder_error (dec, value,
                                  "unknown extension point \"%s\": use multiPoint, preEnqueue, "
                                  "queueSort, preFilter, filter, postFilter, preScore, score, "
                                  "reserve, permit, preBind, bind or postBind",
                                  key);
              else if (!JSON_NODE_HOLDS_NULL (value))
                plugin_set_decode (dec, value, in, target);
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

  /* setDefaults_KubeSchedulerProfile's mergePlugins: the default sets of the individual
   * points are empty; MultiPoint's is default_plugins. */
  default_multipoint (&multi_defaults);
  {
    PluginSet empty;
    plugin_set_init (&empty);
    for (guint e = 0; e < N_CP; e++)
      merge_plugin_set (&empty, &custom[e], &merged[e]);
    plugin_set_clear (&empty);
  }
  merge_plugin_set (&multi_defaults, &multi_custom, &multi);
  if (ks_decoder_n_errors (dec) == errors)
    profile_expand (p, merged, &multi, dec, node);

  for (guint i = 0; i < N_CP; i++)
    plugin_set_clear (&custom[i]);
  plugin_set_clear (&multi_custom);
  plugin_set_clear (&multi_defaults);
  plugin_set_clear (&multi);
  /* The merged queueSort set is kept for validateCommonQueueSort across profiles. */
  for (guint i = 0; i < N_CP; i++)
    if (i != CP_QUEUE_SORT)
      plugin_set_clear (&merged[i]);
  if (ks_decoder_n_errors (dec) != errors)
    {
      plugin_set_clear (&merged[CP_QUEUE_SORT]);
      profile_free (p);
      return NULL;
    }
  *queue_sort = merged[CP_QUEUE_SORT];
  return p;
}

static gboolean
args_equal (JsonNode *a, JsonNode *b)
{
  if (a != NULL && JSON_NODE_HOLDS_NULL (a))
    a = NULL;
  if (b != NULL && JSON_NODE_HOLDS_NULL (b))
    b = NULL;
  return a == NULL ? b == NULL : b != NULL && json_node_equal (a, b);
}

/* Every profile sorts the one queue: the same queueSort set (validateCommonQueueSort compares
 * the merged sets as written), and the same plugin with the same args (profile.NewMap's
 * validator). */
static void
queue_sort_check (KsDecoder *dec, JsonNode *item, KsProfileConfig *first,
                  const PluginSet *first_sort, KsProfileConfig *p, const PluginSet *sort)
{
  const KsSchedulerPlugin *a
      = g_array_index (first->points[KS_POINT_QUEUE_SORT], KsPluginEntry, 0).plugin;
  const KsSchedulerPlugin *b
      = g_array_index (p->points[KS_POINT_QUEUE_SORT], KsPluginEntry, 0).plugin;

  if (!plugin_set_equal (first_sort, sort))
    {
      gsize mark = ks_decoder_push (dec, "plugins");
      JsonNode *plugins = ks_decoder_member (item, "plugins");
      if (plugins != NULL && ks_decoder_member (plugins, "queueSort") != NULL)
        ks_decoder_error_field (dec, plugins, "queueSort", "must be the same for all profiles");
      else
        {
          ks_decoder_push (dec, "queueSort");
          ks_decoder_error (dec, plugins != NULL ? plugins : item,
                            "must be the same for all profiles");
        }
      ks_decoder_pop (dec, mark);
    }
  else if (a != b)
    ks_decoder_error_field (dec, item, "plugins",
                            "different queue sort plugins for profile \"%s\": \"%s\", first: "
                            "\"%s\"",
                            p->scheduler_name, b->name, a->name);
  else if (!args_equal (g_hash_table_lookup (first->args, a->name),
                        g_hash_table_lookup (p->args, b->name)))
    ks_decoder_error_field (dec, item, "pluginConfig",
                            "different queue sort plugin args for profile \"%s\"",
                            p->scheduler_name);
}

KsSchedulerConfig *
ks_scheduler_config_decode (KsDecoder *dec, JsonNode *node)
{
  g_autoptr (KsSchedulerConfig) c = NULL;
  g_autofree char *api_version = NULL, *kind = NULL;
  guint errors = ks_decoder_n_errors (dec);
  gint32 initial = 1, max = 10, parallelism = 16;
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
  /* Checked as kube-scheduler checks it, though kubesim filters one node at a time. */
  ks_decoder_get_int32 (dec, node, "parallelism", 1, G_MAXINT32, &parallelism);
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
          guint n = json_array_get_length (array);
          PluginSet first_sort = { NULL, NULL };
          gboolean have_first = FALSE;
          for (guint i = 0; i < n; i++)
            {
              gsize mark2 = ks_decoder_push_index (dec, i);
              JsonNode *item = json_array_get_element (array, i);
              PluginSet sort;
              KsProfileConfig *p = profile_decode (dec, item, n, &sort);
              if (p == NULL)
                {
                  ks_decoder_pop (dec, mark2);
                  continue;
                }
              if (ks_scheduler_config_get_profile (c, p->scheduler_name) != NULL)
                ks_decoder_error_field (dec, item, "schedulerName", "duplicate profile \"%s\"",
                                        p->scheduler_name);
              else if (have_first)
                queue_sort_check (dec, item, g_ptr_array_index (c->profiles, 0), &first_sort, p,
                                  &sort);
              if (!have_first)
                {
                  first_sort = sort;
                  have_first = TRUE;
                }
              else
                plugin_set_clear (&sort);
              g_ptr_array_add (c->profiles, p);
              ks_decoder_pop (dec, mark2);
            }
          if (have_first)
            plugin_set_clear (&first_sort);
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

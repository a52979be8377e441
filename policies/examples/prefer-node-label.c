/* prefer-node-label.c: PreferNodeLabel, an external scheduler plug-in (docs/policy-abi.md).
 *
 * Score: 100 on a node whose label `label` has the value `value` (any value when `value` is not
 * given), 0 on the others.  Args: {label: KEY, value: VALUE}; label is required.
 *
 * Build it against an installed kubesim:
 *   cc -shared -fPIC $(pkg-config --cflags kubesim-policy) -o prefer-node-label.so \
 *      prefer-node-label.c
 * and load it with `kubesim run --policy-path DIR` (DIR holds the .so). */
#include <string.h>

#include <policies/ks-policy.h>

typedef struct
{
  char *label;
  char *value; /* NULL: any value */
} Prefer;

static void
prefer_destroy (gpointer p)
{
  Prefer *a = p;

  if (a == NULL)
    return;
  g_free (a->label);
  g_free (a->value);
  g_free (a);
}

/* A string member of the args, or NULL; FALSE with error when it is there but not a string. */
static gboolean
get_string (JsonObject *o, const char *field, char **out, GError **error)
{
  JsonNode *m = json_object_get_member (o, field);

  if (m == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_STRING)
    {
      g_set_error (error, KS_POLICY_ERROR, 0, "%s: must be a string", field);
      return FALSE;
    }
  *out = g_strdup (json_node_get_string (m));
  return TRUE;
}

static gboolean
prefer_init (JsonNode *args, gpointer *instance, GError **error)
{
  Prefer *a = g_new0 (Prefer, 1);
  JsonObject *o;

  *instance = a; /* destroy runs also when init fails */
  if (args == NULL || !JSON_NODE_HOLDS_OBJECT (args))
    {
      g_set_error (error, KS_POLICY_ERROR, 0,
                   "expected args {label: KEY, value: VALUE} (label is required)");
      return FALSE;
    }
  o = json_node_get_object (args);
  if (!get_string (o, "label", &a->label, error) || !get_string (o, "value", &a->value, error))
    return FALSE;
  if (a->label == NULL || a->label[0] == '\0')
    {
      g_set_error (error, KS_POLICY_ERROR, 0, "label: required: the node label to prefer");
      return FALSE;
    }
  return TRUE;
}

static gint64
prefer_score (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *node)
{
  const Prefer *a = ctx->instance;
  /* A helper of kubesim's: the executable exports its symbols to modules. */
  const char *value = ks_object_get_label (KS_OBJECT (node->node), a->label);

  if (value == NULL || (a->value != NULL && strcmp (value, a->value) != 0))
    return KS_MIN_NODE_SCORE;
  return KS_MAX_NODE_SCORE;
}

static const KsSchedulerPlugin prefer_node_label = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "PreferNodeLabel",
  .default_weight = 1,
  .init = prefer_init,
  .destroy = prefer_destroy,
  .score = prefer_score,
};

static const KsSchedulerPlugin *const plugins[] = { &prefer_node_label, NULL };

const KsSchedulerPlugin *const *
ks_policy_module_init (guint32 host_abi_version, guint32 *module_abi_version)
{
  *module_abi_version = KS_POLICY_ABI_VERSION;
  return plugins;
}

/* ks-node-groups.c: node pools, node groups and the cluster autoscaler's options (see
 * ks-node-groups.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ks-node-groups.h"
#include "src/api/ks-diag.h"
#include "src/api/ks-yaml.h"
#include "src/ks-clock.h"

/* A duration field that must not be negative (Go's syntax allows "-5m"); *out is left alone when
 * the field is missing or wrong. */
static void
get_time (KsDecoder *dec, JsonNode *obj, const char *field, gint64 *out)
{
  gint64 v = 0;

  if (!ks_decoder_get_duration (dec, obj, field, &v) || ks_decoder_member (obj, field) == NULL)
    return;
  if (v < 0)
    {
      g_autofree char *text = ks_decoder_scalar_text (dec, ks_decoder_member (obj, field));
      ks_decoder_error_field (dec, obj, field, "invalid duration \"%s\": must not be negative",
                              text);
      return;
    }
  *out = v;
}

/* A number member that must be finite and not negative; *out is left alone when it is
 * missing. */
static void
get_nonneg_number (KsDecoder *dec, JsonNode *obj, const char *field, double max, const char *what,
                   double *out)
{
  JsonNode *m = ks_decoder_member (obj, field);
  double v;

  if (m == NULL)
    return;
  if (!JSON_NODE_HOLDS_VALUE (m)
      || (json_node_get_value_type (m) != G_TYPE_INT64
          && json_node_get_value_type (m) != G_TYPE_DOUBLE))
    {
      ks_decoder_error_field (dec, obj, field, "expected a number (%s), got %s", what,
                              ks_decoder_node_type_name (m));
      return;
    }
  v = json_node_get_value_type (m) == G_TYPE_INT64 ? (double) json_node_get_int (m)
                                                   : json_node_get_double (m);
  if (!isfinite (v) || v < 0 || v > max)
    {
      g_autofree char *text = ks_decoder_scalar_text (dec, m);
      ks_decoder_error_field (
          dec, obj, field, "invalid value %s: must be a number from 0 to %g (%s)", text, max, what);
      return;
    }
  *out = v;
}

/* A pool of cluster.nodes, or with group a node group of cluster.nodeGroups. */
KsNodePool *
ks_node_pool_decode (KsDecoder *dec, JsonNode *node, gboolean group)
{
  static const char *const fields[]
      = { "name", "count", "capacity", "allocatable", "labels", "taints", "pricePerHour", NULL };
  static const char *const group_fields[]
      = { "name", "count", "capacity",          "allocatable",  "labels", "taints",
          "min",  "max",   "provisioningDelay", "pricePerHour", NULL };
  KsNodePool *pool;
  gint32 count = -1;
  JsonNode *m;
  guint errors = ks_decoder_n_errors (dec);

  if (!ks_decoder_expect_object (dec, node))
    return NULL;
  ks_decoder_check_fields (dec, node, group ? group_fields : fields);
  pool = g_new0 (KsNodePool, 1);
  pool->group = group;
  ks_decoder_require_string (dec, node, "name", &pool->name, NULL);
  if (pool->name != NULL && ks_validate_dns1123_subdomain (pool->name) != NULL)
    ks_decoder_error_field (dec, node, "name", "invalid %s name \"%s\": %s",
                            group ? "node group" : "pool", pool->name,
                            ks_validate_dns1123_subdomain (pool->name));
  if (group)
    {
      gint32 min = -1, max = -1;
      if (ks_decoder_member (node, "min") == NULL)
        ks_decoder_error_field (dec, node, "min",
                                "required field is missing (the group's smallest size)");
      else
        ks_decoder_get_int32 (dec, node, "min", 0, 10000, &min);
      if (ks_decoder_member (node, "max") == NULL)
        ks_decoder_error_field (dec, node, "max",
                                "required field is missing (the group's largest size)");
      else
        ks_decoder_get_int32 (dec, node, "max", 1, 10000, &max);
      if (min >= 0 && max >= 1 && max < min)
        ks_decoder_error_field (dec, node, "max", "max (%d) must not be less than min (%d)", max,
                                min);
      if (ks_decoder_member (node, "count") != NULL)
        {
          ks_decoder_get_int32 (dec, node, "count", 0, 10000, &count);
          if (count >= 0 && min >= 0 && max >= 1 && (count < min || count > max))
            ks_decoder_error_field (dec, node, "count",
                                    "the initial size %d must be from min (%d) to max (%d)", count,
                                    min, max);
        }
      else
        count = min;
      pool->min = min < 0 ? 0 : (guint) min;
      pool->max = max < 0 ? 0 : (guint) max;
      get_time (dec, node, "provisioningDelay", &pool->provisioning_delay);
    }
  else if (ks_decoder_member (node, "count") == NULL)
    ks_decoder_error_field (dec, node, "count", "required field is missing (the number of nodes)");
  else
    ks_decoder_get_int32 (dec, node, "count", 0, 1000000, &count);
  pool->count = count < 0 ? 0 : (guint) count;
  get_nonneg_number (dec, node, "pricePerHour", 1e9, "the price of one node for one hour",
                     &pool->price_per_hour);
  if ((m = ks_decoder_member (node, "capacity")) == NULL)
    ks_decoder_error_field (dec, node, "capacity",
                            "required field is missing (e.g. {cpu: \"4\", memory: 16Gi})");
  else
    {
      gsize mark = ks_decoder_push (dec, "capacity");
      ks_resources_decode (dec, m, &pool->capacity);
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (node, "allocatable")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "allocatable");
      ks_resources_decode (dec, m, &pool->allocatable);
      ks_decoder_pop (dec, mark);
    }
  if (ks_decoder_get_str_map (dec, node, "labels", &pool->labels))
    for (guint i = 0; i < ks_str_map_size (pool->labels); i++)
      {
        const char *why = ks_validate_label_key (ks_str_map_key (pool->labels, i));
        if (why == NULL)
          why = ks_validate_label_value (ks_str_map_value (pool->labels, i));
        if (why != NULL)
          {
            gsize mark = ks_decoder_push (dec, "labels");
            ks_decoder_error_field (dec, ks_decoder_member (node, "labels"),
                                    ks_str_map_key (pool->labels, i), "invalid label: %s", why);
            ks_decoder_pop (dec, mark);
          }
      }
  if ((m = ks_decoder_member (node, "taints")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "taints");
      ks_taints_decode (dec, m, &pool->taints, &pool->n_taints);
      ks_decoder_pop (dec, mark);
    }
  if (ks_decoder_n_errors (dec) != errors)
    {
      ks_node_pool_free (pool);
      return NULL;
    }
  return pool;
}

void
ks_node_pool_free (KsNodePool *pool)
{
  g_free (pool->name);
  ks_resources_clear (&pool->capacity);
  ks_resources_clear (&pool->allocatable);
  ks_str_map_unref (pool->labels);
  for (guint i = 0; i < pool->n_taints; i++)
    ks_taint_clear (&pool->taints[i]);
  g_free (pool->taints);
  g_free (pool);
}

void
ks_autoscaler_options_init (KsAutoscalerOptions *o)
{
  /* cluster-autoscaler's flag defaults (config/flags/flags.go, config/const.go). */
  *o = (KsAutoscalerOptions){
    .scan_interval = 10 * KS_USEC_PER_SEC,
    .expander = KS_EXPANDER_LEAST_WASTE,
    .scale_down_enabled = TRUE,
    .scale_down_utilization_threshold = 0.5,
    .scale_down_unneeded_time = 10 * 60 * KS_USEC_PER_SEC,
    .scale_down_delay_after_add = 10 * 60 * KS_USEC_PER_SEC,
    .scale_down_delay_after_delete = 0,
    .scale_down_delay_after_failure = 3 * 60 * KS_USEC_PER_SEC,
    .max_empty_bulk_delete = 10,
    .max_nodes_total = 0,
    .max_pod_eviction_time = 2 * 60 * KS_USEC_PER_SEC,
    .node_delete_delay_after_taint = 5 * KS_USEC_PER_SEC,
  };
}

void
ks_autoscaler_options_decode (KsDecoder *dec, JsonNode *node, KsAutoscalerOptions *o)
{
  static const char *const fields[] = { "scanInterval",
                                        "expander",
                                        "scaleDownEnabled",
                                        "scaleDownUtilizationThreshold",
                                        "scaleDownUnneededTime",
                                        "scaleDownDelayAfterAdd",
                                        "scaleDownDelayAfterDelete",
                                        "scaleDownDelayAfterFailure",
                                        "maxEmptyBulkDelete",
                                        "maxNodesTotal",
                                        "maxPodEvictionTime",
                                        "nodeDeleteDelayAfterTaint",
                                        NULL };
  static const char *const expanders[] = { "least-waste", "most-pods", "random", NULL };
  int expander = o->expander;
  gint32 n;

  if (!ks_decoder_expect_object (dec, node))
    return;
  ks_decoder_check_fields (dec, node, fields);
  get_time (dec, node, "scanInterval", &o->scan_interval);
  if (o->scan_interval == 0)
    ks_decoder_error_field (dec, node, "scanInterval", "must be greater than 0s");
  if (ks_decoder_get_enum (dec, node, "expander", expanders, &expander))
    o->expander = expander;
  ks_decoder_get_bool (dec, node, "scaleDownEnabled", &o->scale_down_enabled);
  get_nonneg_number (dec, node, "scaleDownUtilizationThreshold", 1,
                     "the utilization below which a node may be removed",
                     &o->scale_down_utilization_threshold);
  get_time (dec, node, "scaleDownUnneededTime", &o->scale_down_unneeded_time);
  get_time (dec, node, "scaleDownDelayAfterAdd", &o->scale_down_delay_after_add);
  get_time (dec, node, "scaleDownDelayAfterDelete", &o->scale_down_delay_after_delete);
  get_time (dec, node, "scaleDownDelayAfterFailure", &o->scale_down_delay_after_failure);
  get_time (dec, node, "maxPodEvictionTime", &o->max_pod_eviction_time);
  get_time (dec, node, "nodeDeleteDelayAfterTaint", &o->node_delete_delay_after_taint);
  n = (gint32) o->max_empty_bulk_delete;
  if (ks_decoder_get_int32 (dec, node, "maxEmptyBulkDelete", 1, 10000, &n))
    o->max_empty_bulk_delete = (guint) n;
  n = (gint32) o->max_nodes_total;
  if (ks_decoder_get_int32 (dec, node, "maxNodesTotal", 0, 1000000, &n))
    o->max_nodes_total = (guint) n;
}

KsNode *
ks_node_pool_make_node (const KsNodePool *pool, const char *name)
{
  KsNode *node = ks_node_new (name);

  ks_object_set_labels (KS_OBJECT (node), pool->labels);
  if (pool->group)
    {
      g_autoptr (KsStrMap) labels = ks_str_map_with (pool->labels, KS_NODE_GROUP_LABEL, pool->name);
      ks_object_set_labels (KS_OBJECT (node), labels);
    }
  ks_resources_copy (&node->capacity, &pool->capacity);
  if (pool->allocatable.set != 0 || pool->allocatable.n_scalar != 0)
    ks_resources_copy (&node->allocatable, &pool->allocatable);
  else
    ks_resources_copy (&node->allocatable, &pool->capacity);
  if (!(node->capacity.set & KS_RES_SET_PODS))
    ks_resources_set (&node->capacity, KS_RESOURCE_PODS, KS_DEFAULT_MAX_PODS);
  if (!(node->allocatable.set & KS_RES_SET_PODS))
    ks_resources_set (&node->allocatable, KS_RESOURCE_PODS, node->capacity.pods);
  node->taints = g_new0 (KsTaint, MAX (pool->n_taints, 1));
  for (guint i = 0; i < pool->n_taints; i++)
    ks_taint_copy (&node->taints[i], &pool->taints[i]);
  node->n_taints = pool->n_taints;
  return node;
}

/* What a node agent can be: FALSE after reporting what a scenario's group may have and real
 * mode's may not. */
static gboolean
real_mode_group (KsDecoder *dec, JsonNode *item, const KsNodePool *pool)
{
  static const char *const unsupported[][2] = {
    { "allocatable", "a node agent's allocatable is its capacity" },
    { "provisioningDelay", "a node is ready when its node agent has started" },
    { "pricePerHour", "real mode reports no cost" },
  };
  guint errors = ks_decoder_n_errors (dec);

  for (guint i = 0; i < G_N_ELEMENTS (unsupported); i++)
    if (ks_decoder_member (item, unsupported[i][0]) != NULL)
      ks_decoder_error_field (dec, item, unsupported[i][0], "not supported in real mode (%s)",
                              unsupported[i][1]);
  if (!(pool->capacity.set & KS_RES_SET_CPU) || !(pool->capacity.set & KS_RES_SET_MEMORY)
      || pool->capacity.milli_cpu <= 0 || pool->capacity.memory <= 0 || pool->capacity.n_scalar > 0
      || (pool->capacity.set & KS_RES_SET_EPHEMERAL))
    ks_decoder_error_field (dec, item, "capacity",
                            "a node agent needs cpu and memory above 0, and may have pods; no "
                            "other resources (e.g. {cpu: \"1\", memory: 1Gi})");
  return ks_decoder_n_errors (dec) == errors;
}

static void
load_groups (KsDecoder *dec, JsonNode *root, GPtrArray *groups, KsAutoscalerOptions *options)
{
  static const char *const fields[] = { "nodeGroups", "autoscaler", NULL };
  JsonNode *m;

  if (!ks_decoder_expect_object (dec, root))
    return;
  ks_decoder_check_fields (dec, root, fields);
  if ((m = ks_decoder_member (root, "nodeGroups")) == NULL)
    ks_decoder_error_field (dec, root, "nodeGroups",
                            "required field is missing (a list of node groups, e.g. "
                            "[{name: small, min: 1, max: 3, capacity: {cpu: \"1\", memory: "
                            "1Gi}}])");
  else
    {
      gsize mark = ks_decoder_push (dec, "nodeGroups");
      if (ks_decoder_expect_array (dec, m))
        {
          JsonArray *a = json_node_get_array (m);
          if (json_array_get_length (a) == 0)
            ks_decoder_error (dec, m, "at least one node group is needed");
          for (guint i = 0; i < json_array_get_length (a); i++)
            {
              JsonNode *item = json_array_get_element (a, i);
              gsize mark2 = ks_decoder_push_index (dec, i);
              KsNodePool *pool = ks_node_pool_decode (dec, item, TRUE);
              if (pool != NULL && !real_mode_group (dec, item, pool))
                g_clear_pointer (&pool, ks_node_pool_free);
              for (guint k = 0; pool != NULL && k < groups->len; k++)
                if (strcmp (((KsNodePool *) g_ptr_array_index (groups, k))->name, pool->name) == 0)
                  {
                    ks_decoder_error_field (dec, item, "name",
                                            "duplicate node group name \"%s\": node groups need "
                                            "names of their own",
                                            pool->name);
                    g_clear_pointer (&pool, ks_node_pool_free);
                  }
              if (pool != NULL)
                g_ptr_array_add (groups, pool);
              ks_decoder_pop (dec, mark2);
            }
        }
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (root, "autoscaler")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "autoscaler");
      ks_autoscaler_options_decode (dec, m, options);
      ks_decoder_pop (dec, mark);
    }
}

gboolean
ks_node_groups_load_file (const char *path, GPtrArray **groups, KsAutoscalerOptions *options,
                          GError **error)
{
  g_autoptr (KsSource) source = ks_source_new_from_file (path, error);
  g_autoptr (KsDiag) diag = NULL;
  g_autoptr (GPtrArray) list = NULL;
  KsDecoder dec;

  if (source == NULL)
    return FALSE;
  diag = ks_diag_new ();
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_node_pool_free);
  if (ks_source_get_n_documents (source) != 1)
    ks_diag_add (diag, path, 0, 0, NULL,
                 "expected one document with nodeGroups and autoscaler, found %u",
                 ks_source_get_n_documents (source));
  else
    {
      ks_decoder_init (&dec, source, diag);
      load_groups (&dec, ks_source_get_document (source, 0), list, options);
      ks_decoder_clear (&dec);
    }
  if (!ks_diag_to_error (diag, error))
    return FALSE;
  *groups = g_steal_pointer (&list);
  return TRUE;
}

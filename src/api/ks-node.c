/* ks-node.c: v1 Node. */
#include "config.h"

#include <string.h>

#include "ks-kinds-private.h"
#include "ks-node.h"
#include "src/ks-clock.h"

static const char *const node_condition_names[]
    = { "Ready", "MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable", NULL };

const char *
ks_node_condition_name (KsNodeConditionType type)
{
  return node_condition_names[type];
}

KsNode *
ks_node_new (const char *name)
{
  KsNode *node = (KsNode *) ks_object_new (&ks_node_kind);
  node->parent.meta.name = g_strdup (name);
  return node;
}

KsNode *
ks_node_copy (const KsNode *node)
{
  return (KsNode *) ks_object_copy (KS_OBJECT (node));
}

gboolean
ks_node_is_ready (const KsNode *node)
{
  return node->conditions[KS_NODE_COND_READY].status == KS_CONDITION_TRUE;
}

void
ks_node_set_condition (KsNode *node, KsNodeConditionType type, KsConditionStatus status,
                       const char *reason, const char *message, gint64 now)
{
  KsNodeCondition *c = &node->conditions[type];

  if (c->status != status)
    c->last_transition_time = now;
  c->status = status;
  c->last_heartbeat_time = now;
  c->reason = ks_intern_reason (reason);
  g_free (c->message);
  c->message = g_strdup (message);
}

void
ks_node_add_taint (KsNode *node, const char *key, const char *value, KsTaintEffect effect,
                   gint64 now)
{
  for (guint i = 0; i < node->n_taints; i++)
    if (strcmp (node->taints[i].key, key) == 0 && node->taints[i].effect == effect)
      return;
  node->taints = g_renew (KsTaint, node->taints, node->n_taints + 1);
  node->taints[node->n_taints] = (KsTaint){
    .key = g_strdup (key),
    .value = g_strdup (value != NULL ? value : ""),
    .effect = effect,
    .time_added = effect == KS_TAINT_NO_EXECUTE ? now : KS_TIME_NONE,
  };
  node->n_taints++;
}

void
ks_node_remove_taint (KsNode *node, const char *key, KsTaintEffect effect)
{
  guint j = 0;

  for (guint i = 0; i < node->n_taints; i++)
    {
      if (strcmp (node->taints[i].key, key) == 0 && node->taints[i].effect == effect)
        ks_taint_clear (&node->taints[i]);
      else
        node->taints[j++] = node->taints[i];
    }
  node->n_taints = j;
}

/* NodeSystemInfo's fields in its JSON order, with their offsets in KsNodeSystemInfo. */
static const struct
{
  const char *json;
  gsize offset;
} node_info_fields[] = {
  { "machineID", G_STRUCT_OFFSET (KsNodeSystemInfo, machine_id) },
  { "systemUUID", G_STRUCT_OFFSET (KsNodeSystemInfo, system_uuid) },
  { "bootID", G_STRUCT_OFFSET (KsNodeSystemInfo, boot_id) },
  { "kernelVersion", G_STRUCT_OFFSET (KsNodeSystemInfo, kernel_version) },
  { "osImage", G_STRUCT_OFFSET (KsNodeSystemInfo, os_image) },
  { "containerRuntimeVersion", G_STRUCT_OFFSET (KsNodeSystemInfo, container_runtime_version) },
  { "kubeletVersion", G_STRUCT_OFFSET (KsNodeSystemInfo, kubelet_version) },
  { "kubeProxyVersion", G_STRUCT_OFFSET (KsNodeSystemInfo, kube_proxy_version) },
  { "operatingSystem", G_STRUCT_OFFSET (KsNodeSystemInfo, operating_system) },
  { "architecture", G_STRUCT_OFFSET (KsNodeSystemInfo, architecture) },
};

#define NODE_INFO_FIELD(info, i) G_STRUCT_MEMBER (char *, info, node_info_fields[i].offset)

KsNodeSystemInfo *
ks_node_system_info_copy (const KsNodeSystemInfo *info)
{
  KsNodeSystemInfo *copy;

  if (info == NULL)
    return NULL;
  copy = g_new0 (KsNodeSystemInfo, 1);
  for (guint i = 0; i < G_N_ELEMENTS (node_info_fields); i++)
    NODE_INFO_FIELD (copy, i) = g_strdup (NODE_INFO_FIELD ((KsNodeSystemInfo *) info, i));
  return copy;
}

void
ks_node_system_info_free (KsNodeSystemInfo *info)
{
  if (info == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (node_info_fields); i++)
    g_free (NODE_INFO_FIELD (info, i));
  g_free (info);
}

static void
node_copy (KsObject *dst_obj, const KsObject *src_obj)
{
  KsNode *dst = KS_NODE (dst_obj);
  const KsNode *src = KS_NODE (src_obj);

  dst->taints = g_new (KsTaint, MAX (src->n_taints, 1));
  for (guint i = 0; i < src->n_taints; i++)
    ks_taint_copy (&dst->taints[i], &src->taints[i]);
  dst->pod_cidr = g_strdup (src->pod_cidr);
  dst->provider_id = g_strdup (src->provider_id);
  memset (&dst->capacity, 0, sizeof dst->capacity);
  memset (&dst->allocatable, 0, sizeof dst->allocatable);
  ks_resources_copy (&dst->capacity, &src->capacity);
  ks_resources_copy (&dst->allocatable, &src->allocatable);
  for (guint i = 0; i < KS_N_NODE_CONDITIONS; i++)
    dst->conditions[i].message = g_strdup (src->conditions[i].message);
  dst->images = g_new0 (KsContainerImage, MAX (src->n_images, 1));
  for (guint i = 0; i < src->n_images; i++)
    {
      dst->images[i].names = g_strdupv (src->images[i].names);
      dst->images[i].size_bytes = src->images[i].size_bytes;
    }
  dst->internal_ip = g_strdup (src->internal_ip);
  dst->hostname = g_strdup (src->hostname);
  dst->node_info = ks_node_system_info_copy (src->node_info);
}

static void
node_copy_status (KsObject *dst_obj, const KsObject *src_obj)
{
  KsNode *dst = KS_NODE (dst_obj);
  const KsNode *src = KS_NODE (src_obj);

  ks_resources_clear (&dst->capacity);
  ks_resources_clear (&dst->allocatable);
  ks_resources_copy (&dst->capacity, &src->capacity);
  ks_resources_copy (&dst->allocatable, &src->allocatable);
  for (guint i = 0; i < KS_N_NODE_CONDITIONS; i++)
    {
      g_free (dst->conditions[i].message);
      dst->conditions[i] = src->conditions[i];
      dst->conditions[i].message = g_strdup (src->conditions[i].message);
    }
  for (guint i = 0; i < dst->n_images; i++)
    g_strfreev (dst->images[i].names);
  g_free (dst->images);
  dst->n_images = src->n_images;
  dst->images = g_new0 (KsContainerImage, MAX (src->n_images, 1));
  for (guint i = 0; i < src->n_images; i++)
    {
      dst->images[i].names = g_strdupv (src->images[i].names);
      dst->images[i].size_bytes = src->images[i].size_bytes;
    }
  g_free (dst->internal_ip);
  dst->internal_ip = g_strdup (src->internal_ip);
  g_free (dst->hostname);
  dst->hostname = g_strdup (src->hostname);
  ks_node_system_info_free (dst->node_info);
  dst->node_info = ks_node_system_info_copy (src->node_info);
  dst->kubelet_port = src->kubelet_port;
}

static void
node_finalize (KsObject *obj)
{
  KsNode *node = KS_NODE (obj);

  for (guint i = 0; i < node->n_taints; i++)
    ks_taint_clear (&node->taints[i]);
  g_free (node->taints);
  g_free (node->pod_cidr);
  g_free (node->provider_id);
  ks_resources_clear (&node->capacity);
  ks_resources_clear (&node->allocatable);
  for (guint i = 0; i < KS_N_NODE_CONDITIONS; i++)
    g_free (node->conditions[i].message);
  for (guint i = 0; i < node->n_images; i++)
    g_strfreev (node->images[i].names);
  g_free (node->images);
  g_free (node->internal_ip);
  g_free (node->hostname);
  ks_node_system_info_free (node->node_info);
}

static gboolean
image_decode (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer unused)
{
  KsContainerImage *img = slot;

  ks_decoder_get_strv (dec, item, "names", &img->names);
  ks_decoder_get_int64 (dec, item, "sizeBytes", &img->size_bytes);
  if (img->names == NULL)
    img->names = g_new0 (char *, 1);
  return TRUE;
}

static gboolean
node_condition_decode (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer user_data)
{
  static const char *const statuses[] = { "True", "False", "Unknown", NULL };
  KsNode *node = user_data;
  g_autofree char *type_name = NULL;
  g_autofree char *reason = NULL;
  KsNodeCondition c = { 0 };
  int type = -1, status = -1;

  if (!ks_decoder_require_string (dec, item, "type", &type_name, NULL))
    return FALSE;
  for (int i = 0; i < KS_N_NODE_CONDITIONS; i++)
    if (strcmp (node_condition_names[i], type_name) == 0)
      type = i;
  if (type < 0)
    return FALSE; /* a condition kubesim does not model: dropped */
  if (ks_decoder_member (item, "status") == NULL)
    ks_decoder_error_field (dec, item, "status",
                            "required field is missing (True, False or "
                            "Unknown)");
  else if (ks_decoder_get_enum (dec, item, "status", statuses, &status))
    c.status = status + 1;
  ks_decoder_get_time (dec, item, "lastHeartbeatTime", &c.last_heartbeat_time);
  ks_decoder_get_time (dec, item, "lastTransitionTime", &c.last_transition_time);
  ks_decoder_get_string (dec, item, "reason", &reason);
  ks_decoder_get_string (dec, item, "message", &c.message);
  c.reason = ks_intern_reason (reason);
  if (status < 0)
    {
      g_free (c.message);
      return FALSE;
    }
  g_free (node->conditions[type].message);
  node->conditions[type] = c;
  return FALSE; /* the slot is not kept: conditions live in the node */
}

static gboolean
address_decode (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer user_data)
{
  KsNode *node = user_data;
  g_autofree char *type = NULL;
  g_autofree char *address = NULL;

  ks_decoder_require_string (dec, item, "type", &type, NULL);
  ks_decoder_require_string (dec, item, "address", &address, NULL);
  /* The InternalIP and the Hostname are modelled (the first of each, as the kubelet takes them). */
  if (g_strcmp0 (type, "InternalIP") == 0 && address != NULL && node->internal_ip == NULL)
    node->internal_ip = g_steal_pointer (&address);
  else if (g_strcmp0 (type, "Hostname") == 0 && address != NULL && node->hostname == NULL)
    node->hostname = g_steal_pointer (&address);
  return FALSE;
}

/* What the node agent reports and a manifest does not give: conditions, addresses, the
 * agent's endpoint, the node's system info. */
static void
node_status_decode_stored (KsDecoder *dec, JsonNode *status, KsNode *node)
{
  JsonNode *m;

  if ((m = ks_decoder_member (status, "conditions")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "conditions");
      guint n;
      g_free (ks_decoder_list (dec, m, sizeof (int), node_condition_decode, node, &n));
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (status, "addresses")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "addresses");
      guint n;
      g_free (ks_decoder_list (dec, m, sizeof (int), address_decode, node, &n));
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (status, "daemonEndpoints")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "daemonEndpoints");
      JsonNode *k;
      if (ks_decoder_expect_object (dec, m)
          && (k = ks_decoder_member (m, "kubeletEndpoint")) != NULL)
        {
          gsize mark2 = ks_decoder_push (dec, "kubeletEndpoint");
          if (ks_decoder_expect_object (dec, k))
            ks_decoder_get_int32 (dec, k, "Port", 0, 65535, &node->kubelet_port);
          ks_decoder_pop (dec, mark2);
        }
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (status, "nodeInfo")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "nodeInfo");
      if (ks_decoder_expect_object (dec, m))
        {
          node->node_info = g_new0 (KsNodeSystemInfo, 1);
          for (guint i = 0; i < G_N_ELEMENTS (node_info_fields); i++)
            {
              char **field = &NODE_INFO_FIELD (node->node_info, i);
              ks_decoder_get_string (dec, m, node_info_fields[i].json, field);
              /* "" is how an unknown field is written: keep it unset. */
              if (*field != NULL && (*field)[0] == '\0')
                g_clear_pointer (field, g_free);
            }
        }
      ks_decoder_pop (dec, mark);
    }
}

static void
node_decode (KsDecoder *dec, JsonNode *obj_node, KsObject *obj)
{
  KsNode *node = KS_NODE (obj);
  JsonNode *spec = ks_decoder_member (obj_node, "spec");
  JsonNode *status = ks_decoder_member (obj_node, "status");
  JsonNode *m;

  if (spec != NULL)
    {
      gsize mark = ks_decoder_push (dec, "spec");
      if (ks_decoder_expect_object (dec, spec))
        {
          ks_decoder_get_bool (dec, spec, "unschedulable", &node->unschedulable);
          g_auto (GStrv) cidrs = NULL;
          ks_decoder_get_string (dec, spec, "podCIDR", &node->pod_cidr);
          /* podCIDRs wins: the API's conversion sets podCIDR to its first entry. */
          if (ks_decoder_get_strv (dec, spec, "podCIDRs", &cidrs) && cidrs != NULL
              && cidrs[0] != NULL)
            {
              if (cidrs[1] != NULL)
                ks_decoder_error_field (dec, spec, "podCIDRs",
                                        "Invalid value: %u entries: kubesim's pod network is "
                                        "single-stack, at most one CIDR is valid",
                                        g_strv_length (cidrs));
              g_free (node->pod_cidr);
              node->pod_cidr = g_strdup (cidrs[0]);
            }
          ks_decoder_get_string (dec, spec, "providerID", &node->provider_id);
          if ((m = ks_decoder_member (spec, "taints")) != NULL)
            {
              gsize mark2 = ks_decoder_push (dec, "taints");
              ks_taints_decode (dec, m, &node->taints, &node->n_taints);
              ks_decoder_pop (dec, mark2);
            }
        }
      ks_decoder_pop (dec, mark);
    }
  if (status != NULL)
    {
      gsize mark = ks_decoder_push (dec, "status");
      if (ks_decoder_expect_object (dec, status))
        {
          if ((m = ks_decoder_member (status, "capacity")) != NULL)
            {
              gsize mark2 = ks_decoder_push (dec, "capacity");
              ks_resources_decode (dec, m, &node->capacity);
              ks_decoder_pop (dec, mark2);
            }
          if ((m = ks_decoder_member (status, "allocatable")) != NULL)
            {
              gsize mark2 = ks_decoder_push (dec, "allocatable");
              ks_resources_decode (dec, m, &node->allocatable);
              ks_decoder_pop (dec, mark2);
            }
          if ((m = ks_decoder_member (status, "images")) != NULL)
            {
              gsize mark2 = ks_decoder_push (dec, "images");
              node->images = ks_decoder_list (dec, m, sizeof (KsContainerImage), image_decode, NULL,
                                              &node->n_images);
              ks_decoder_pop (dec, mark2);
            }
          if (dec->mode == KS_DECODE_STORED)
            node_status_decode_stored (dec, status, node);
        }
      ks_decoder_pop (dec, mark);
    }
  /* The kubelet reports allocatable; a manifest that gives only capacity means no reservations. */
  if (node->allocatable.set == 0 && node->allocatable.n_scalar == 0)
    ks_resources_copy (&node->allocatable, &node->capacity);
  if (!(node->capacity.set & KS_RES_SET_PODS))
    ks_resources_set (&node->capacity, KS_RESOURCE_PODS, KS_DEFAULT_MAX_PODS);
  if (!(node->allocatable.set & KS_RES_SET_PODS))
    ks_resources_set (&node->allocatable, KS_RESOURCE_PODS, node->capacity.pods);
}

static void
node_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  const KsNode *node = KS_NODE (obj);
  gboolean any = FALSE;

  json_builder_set_member_name (b, "spec");
  json_builder_begin_object (b);
  if (node->pod_cidr != NULL)
    {
      ks_builder_add_string (b, "podCIDR", node->pod_cidr);
      json_builder_set_member_name (b, "podCIDRs");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, node->pod_cidr);
      json_builder_end_array (b);
    }
  if (node->provider_id != NULL)
    ks_builder_add_string (b, "providerID", node->provider_id);
  if (node->unschedulable)
    ks_builder_add_bool (b, "unschedulable", TRUE);
  if (node->n_taints > 0)
    {
      json_builder_set_member_name (b, "taints");
      ks_taints_encode (node->taints, node->n_taints, b, epoch);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "capacity");
  ks_resources_encode (&node->capacity, b);
  json_builder_set_member_name (b, "allocatable");
  ks_resources_encode (&node->allocatable, b);
  for (guint i = 0; i < KS_N_NODE_CONDITIONS; i++)
    any |= node->conditions[i].status != KS_CONDITION_UNSET;
  if (any)
    {
      json_builder_set_member_name (b, "conditions");
      json_builder_begin_array (b);
      for (guint i = 0; i < KS_N_NODE_CONDITIONS; i++)
        {
          const KsNodeCondition *c = &node->conditions[i];
          if (c->status == KS_CONDITION_UNSET)
            continue;
          json_builder_begin_object (b);
          ks_builder_add_string (b, "type", node_condition_names[i]);
          ks_builder_add_string (b, "status", ks_condition_status_name (c->status));
          ks_builder_add_time (b, "lastHeartbeatTime", c->last_heartbeat_time, epoch);
          ks_builder_add_time (b, "lastTransitionTime", c->last_transition_time, epoch);
          if (c->reason != NULL)
            ks_builder_add_string (b, "reason", c->reason);
          if (c->message != NULL)
            ks_builder_add_string (b, "message", c->message);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  if (node->internal_ip != NULL || node->hostname != NULL)
    {
      json_builder_set_member_name (b, "addresses");
      json_builder_begin_array (b);
      if (node->internal_ip != NULL)
        {
          json_builder_begin_object (b);
          ks_builder_add_string (b, "type", "InternalIP");
          ks_builder_add_string (b, "address", node->internal_ip);
          json_builder_end_object (b);
        }
      if (node->hostname != NULL)
        {
          json_builder_begin_object (b);
          ks_builder_add_string (b, "type", "Hostname");
          ks_builder_add_string (b, "address", node->hostname);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  if (node->kubelet_port != 0)
    {
      json_builder_set_member_name (b, "daemonEndpoints");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "kubeletEndpoint");
      json_builder_begin_object (b);
      ks_builder_add_int (b, "Port", node->kubelet_port);
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  if (node->node_info != NULL)
    {
      json_builder_set_member_name (b, "nodeInfo");
      json_builder_begin_object (b);
      for (guint i = 0; i < G_N_ELEMENTS (node_info_fields); i++)
        {
          const char *value = NODE_INFO_FIELD (node->node_info, i);
          ks_builder_add_string (b, node_info_fields[i].json, value != NULL ? value : "");
        }
      json_builder_end_object (b);
    }
  if (node->n_images > 0)
    {
      json_builder_set_member_name (b, "images");
      json_builder_begin_array (b);
      for (guint i = 0; i < node->n_images; i++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "names");
          json_builder_begin_array (b);
          for (char **p = node->images[i].names; *p != NULL; p++)
            json_builder_add_string_value (b, *p);
          json_builder_end_array (b);
          ks_builder_add_int (b, "sizeBytes", node->images[i].size_bytes);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

const KsKind ks_node_kind = {
  .id = KS_KIND_NODE,
  .name = "Node",
  .api_version = "v1",
  .group = "",
  .plural = "nodes",
  .short_name = "no",
  .namespaced = FALSE,
  .size = sizeof (KsNode),
  .decode = node_decode,
  .encode = node_encode,
  .copy = node_copy,
  .finalize = node_finalize,
  .copy_status = node_copy_status,
};

/* ks-statefulset.c: the apps/v1 StatefulSet codec (reference §4).
 *
 * spec.updateStrategy.rollingUpdate.maxUnavailable needs the MaxUnavailableStatefulSet feature
 * gate, alpha (off) in v1.32, so it is refused with a clear message rather than ignored.
 * volumeClaimTemplates are checked (a name and a spec per template) and kept as written. */
#include "config.h"

#include <string.h>

#include "ks-kinds-private.h"
#include "ks-statefulset.h"

char *
ks_pod_dns_name (const KsObject *pod)
{
  const KsPodSpec *spec = KS_POD (pod)->spec;

  if (spec == NULL || spec->hostname == NULL || spec->subdomain == NULL)
    return NULL;
  return g_strdup_printf ("%s.%s.%s.svc.cluster.local", spec->hostname, spec->subdomain,
                          pod->meta.namespace != NULL ? pod->meta.namespace : "default");
}

static const char *const pvc_policies[] = { "Retain", "Delete", NULL };

static void
update_strategy_decode (KsDecoder *dec, JsonNode *spec, KsStatefulSet *s)
{
  static const char *const types[] = { "RollingUpdate", "OnDelete", NULL };
  JsonNode *strategy = ks_decoder_member (spec, "updateStrategy");
  JsonNode *ru;
  int type = KS_STS_ROLLING_UPDATE;
  gsize mark;

  if (strategy == NULL)
    return;
  mark = ks_decoder_push (dec, "updateStrategy");
  if (ks_decoder_expect_object (dec, strategy))
    {
      ks_decoder_get_enum (dec, strategy, "type", types, &type);
      s->update_strategy = type;
      ru = ks_decoder_member (strategy, "rollingUpdate");
      if (ru != NULL && type == KS_STS_ON_DELETE)
        ks_decoder_error_field (dec, strategy, "rollingUpdate",
                                "only allowed for updateStrategy 'RollingUpdate'");
      else if (ru != NULL)
        {
          gsize mark2 = ks_decoder_push (dec, "rollingUpdate");
          if (ks_decoder_expect_object (dec, ru))
            {
              ks_decoder_get_int32 (dec, ru, "partition", 0, G_MAXINT32, &s->partition);
              if (ks_decoder_member (ru, "maxUnavailable") != NULL)
                ks_decoder_error_field (
                    dec, ru, "maxUnavailable",
                    "needs the MaxUnavailableStatefulSet feature gate, which is alpha and off in "
                    "Kubernetes v1.32 (remove the field; pods are updated one at a time)");
            }
          ks_decoder_pop (dec, mark2);
        }
    }
  ks_decoder_pop (dec, mark);
}

static gboolean
claim_template_check (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer user_data)
{
  JsonNode *meta = ks_decoder_member (item, "metadata");
  g_autofree char *name = NULL;
  const char *problem;
  gsize mark;

  if (meta == NULL)
    {
      ks_decoder_error_field (dec, item, "metadata",
                              "required field is missing (metadata.name names the claims "
                              "<name>-<set>-<ordinal>)");
      return FALSE;
    }
  mark = ks_decoder_push (dec, "metadata");
  if (ks_decoder_expect_object (dec, meta)
      && ks_decoder_require_string (dec, meta, "name", &name, NULL)
      && (problem = ks_validate_dns1123_label (name)) != NULL)
    ks_decoder_error_field (dec, meta, "name", "invalid value \"%s\": %s", name, problem);
  ks_decoder_pop (dec, mark);
  if (ks_decoder_member (item, "spec") == NULL)
    ks_decoder_error_field (dec, item, "spec",
                            "required field is missing (e.g. accessModes: [ReadWriteOnce], "
                            "resources: {requests: {storage: 1Gi}})");
  else
    {
      /* The claim's spec as a PersistentVolumeClaim's (its kind's decode reads "spec"). */
      g_autoptr (KsObject) claim = ks_object_new (ks_kind_get (KS_KIND_PERSISTENT_VOLUME_CLAIM));
      KsDecodeMode mode = dec->mode;
      dec->mode = KS_DECODE_MANIFEST;
      claim->kind->decode (dec, item, claim);
      dec->mode = mode;
    }
  return FALSE;
}

static void
spec_decode (KsDecoder *dec, JsonNode *spec, KsStatefulSet *s)
{
  static const char *const policies[] = { "OrderedReady", "Parallel", NULL };
  JsonNode *m;
  int policy = KS_STS_ORDERED_READY;
  const char *problem;

  ks_decoder_get_int32 (dec, spec, "replicas", 0, G_MAXINT32, &s->replicas);
  ks_decoder_get_int32 (dec, spec, "minReadySeconds", 0, G_MAXINT32, &s->min_ready_seconds);
  ks_decoder_get_int32 (dec, spec, "revisionHistoryLimit", 0, G_MAXINT32,
                        &s->revision_history_limit);
  if (ks_decoder_get_string (dec, spec, "serviceName", &s->service_name) && s->service_name != NULL
      && s->service_name[0] != '\0'
      && (problem = ks_validate_dns1123_label (s->service_name)) != NULL)
    ks_decoder_error_field (dec, spec, "serviceName", "invalid value \"%s\": %s", s->service_name,
                            problem);
  if (s->service_name != NULL && s->service_name[0] == '\0')
    g_clear_pointer (&s->service_name, g_free);
  if (ks_decoder_get_enum (dec, spec, "podManagementPolicy", policies, &policy))
    s->pod_management_policy = policy;
  update_strategy_decode (dec, spec, s);
  if ((m = ks_decoder_member (spec, "ordinals")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "ordinals");
      if (ks_decoder_expect_object (dec, m))
        ks_decoder_get_int32 (dec, m, "start", 0, G_MAXINT32, &s->ordinals_start);
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (spec, "persistentVolumeClaimRetentionPolicy")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "persistentVolumeClaimRetentionPolicy");
      int v;
      if (ks_decoder_expect_object (dec, m))
        {
          if (ks_decoder_member (m, "whenDeleted") != NULL
              && ks_decoder_get_enum (dec, m, "whenDeleted", pvc_policies, &v))
            s->when_deleted = v;
          if (ks_decoder_member (m, "whenScaled") != NULL
              && ks_decoder_get_enum (dec, m, "whenScaled", pvc_policies, &v))
            s->when_scaled = v;
        }
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (spec, "volumeClaimTemplates")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "volumeClaimTemplates");
      guint n, before = ks_decoder_n_errors (dec);
      g_free (ks_decoder_list (dec, m, sizeof (int), claim_template_check, NULL, &n));
      if (ks_decoder_n_errors (dec) == before)
        s->volume_claim_templates = json_node_copy (m);
      ks_decoder_pop (dec, mark);
    }
  ks_apps_selector_template_decode (dec, spec, &s->selector, &s->template);
  /* Kubernetes does not validate a StatefulSet's pod template; its pods are, with the claim
   * templates' volumes added, and fail to be created when a mount names no volume.  kubesim
   * checks the mounts against the template's volumes and the claim templates at once. */
  {
    g_autoptr (GPtrArray) names = g_ptr_array_new ();
    JsonArray *a = s->volume_claim_templates != NULL
                       ? json_node_get_array (s->volume_claim_templates)
                       : NULL;
    for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
      {
        JsonObject *meta
            = json_object_get_object_member (json_array_get_object_element (a, i), "metadata");
        g_ptr_array_add (names, (gpointer) json_object_get_string_member (meta, "name"));
      }
    g_ptr_array_add (names, NULL);
    ks_pod_template_check_mounts (dec, spec, &s->template, (const char *const *) names->pdata);
  }
}

static void
status_decode (KsDecoder *dec, JsonNode *status, KsStatefulSet *s)
{
  if (!ks_decoder_expect_object (dec, status))
    return;
  ks_decoder_get_int64 (dec, status, "observedGeneration", &s->status.observed_generation);
  ks_decoder_get_int32 (dec, status, "replicas", 0, G_MAXINT32, &s->status.replicas);
  ks_decoder_get_int32 (dec, status, "readyReplicas", 0, G_MAXINT32, &s->status.ready_replicas);
  ks_decoder_get_int32 (dec, status, "currentReplicas", 0, G_MAXINT32, &s->status.current_replicas);
  ks_decoder_get_int32 (dec, status, "updatedReplicas", 0, G_MAXINT32, &s->status.updated_replicas);
  ks_decoder_get_int32 (dec, status, "availableReplicas", 0, G_MAXINT32,
                        &s->status.available_replicas);
  ks_decoder_get_string (dec, status, "currentRevision", &s->status.current_revision);
  ks_decoder_get_string (dec, status, "updateRevision", &s->status.update_revision);
}

static void
stateful_set_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  KsStatefulSet *s = KS_STATEFUL_SET (obj);
  JsonNode *spec = ks_decoder_member (node, "spec");
  JsonNode *status;
  gsize mark;

  s->replicas = 1;
  s->revision_history_limit = 10;
  if (spec == NULL)
    {
      ks_decoder_error_field (dec, node, "spec", "required field is missing");
      return;
    }
  mark = ks_decoder_push (dec, "spec");
  if (ks_decoder_expect_object (dec, spec))
    spec_decode (dec, spec, s);
  ks_decoder_pop (dec, mark);
  if (dec->mode == KS_DECODE_STORED && (status = ks_decoder_member (node, "status")) != NULL)
    {
      mark = ks_decoder_push (dec, "status");
      status_decode (dec, status, s);
      ks_decoder_pop (dec, mark);
    }
}

static void
stateful_set_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  const KsStatefulSet *s = KS_STATEFUL_SET (obj);

  json_builder_set_member_name (b, "spec");
  json_builder_begin_object (b);
  ks_builder_add_int (b, "replicas", s->replicas);
  ks_builder_add_selector_and_template (b, s->selector, &s->template);
  if (s->volume_claim_templates != NULL)
    {
      json_builder_set_member_name (b, "volumeClaimTemplates");
      json_builder_add_value (b, json_node_copy (s->volume_claim_templates));
    }
  if (s->service_name != NULL)
    ks_builder_add_string (b, "serviceName", s->service_name);
  ks_builder_add_string (b, "podManagementPolicy",
                         s->pod_management_policy == KS_STS_PARALLEL ? "Parallel" : "OrderedReady");
  json_builder_set_member_name (b, "updateStrategy");
  json_builder_begin_object (b);
  ks_builder_add_string (b, "type",
                         s->update_strategy == KS_STS_ON_DELETE ? "OnDelete" : "RollingUpdate");
  if (s->update_strategy == KS_STS_ROLLING_UPDATE)
    {
      json_builder_set_member_name (b, "rollingUpdate");
      json_builder_begin_object (b);
      ks_builder_add_int (b, "partition", s->partition);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  ks_builder_add_int (b, "revisionHistoryLimit", s->revision_history_limit);
  if (s->min_ready_seconds != 0)
    ks_builder_add_int (b, "minReadySeconds", s->min_ready_seconds);
  if (s->ordinals_start != 0)
    {
      json_builder_set_member_name (b, "ordinals");
      json_builder_begin_object (b);
      ks_builder_add_int (b, "start", s->ordinals_start);
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "persistentVolumeClaimRetentionPolicy");
  json_builder_begin_object (b);
  ks_builder_add_string (b, "whenDeleted", pvc_policies[s->when_deleted]);
  ks_builder_add_string (b, "whenScaled", pvc_policies[s->when_scaled]);
  json_builder_end_object (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "status");
  json_builder_begin_object (b);
  if (s->status.observed_generation)
    ks_builder_add_int (b, "observedGeneration", s->status.observed_generation);
  ks_builder_add_int (b, "replicas", s->status.replicas);
  if (s->status.ready_replicas)
    ks_builder_add_int (b, "readyReplicas", s->status.ready_replicas);
  if (s->status.current_replicas)
    ks_builder_add_int (b, "currentReplicas", s->status.current_replicas);
  if (s->status.updated_replicas)
    ks_builder_add_int (b, "updatedReplicas", s->status.updated_replicas);
  ks_builder_add_int (b, "availableReplicas", s->status.available_replicas);
  if (s->status.current_revision != NULL)
    ks_builder_add_string (b, "currentRevision", s->status.current_revision);
  if (s->status.update_revision != NULL)
    ks_builder_add_string (b, "updateRevision", s->status.update_revision);
  json_builder_end_object (b);
}

static void
status_dup (KsStatefulSet *s)
{
  s->status.current_revision = g_strdup (s->status.current_revision);
  s->status.update_revision = g_strdup (s->status.update_revision);
}

static void
stateful_set_copy (KsObject *dst_obj, const KsObject *src_obj)
{
  KsStatefulSet *dst = KS_STATEFUL_SET (dst_obj);
  const KsStatefulSet *src = KS_STATEFUL_SET (src_obj);

  ks_label_selector_ref (dst->selector);
  ks_pod_template_copy (&dst->template, &src->template);
  dst->service_name = g_strdup (src->service_name);
  if (src->volume_claim_templates != NULL)
    dst->volume_claim_templates = json_node_copy (src->volume_claim_templates);
  status_dup (dst);
}

static void
status_clear (KsStatefulSet *s)
{
  g_free (s->status.current_revision);
  g_free (s->status.update_revision);
}

static void
stateful_set_copy_status (KsObject *dst, const KsObject *src)
{
  status_clear (KS_STATEFUL_SET (dst));
  KS_STATEFUL_SET (dst)->status = KS_STATEFUL_SET (src)->status;
  status_dup (KS_STATEFUL_SET (dst));
}

static void
stateful_set_finalize (KsObject *obj)
{
  KsStatefulSet *s = KS_STATEFUL_SET (obj);

  ks_label_selector_unref (s->selector);
  ks_pod_template_clear (&s->template);
  g_free (s->service_name);
  if (s->volume_claim_templates != NULL)
    json_node_unref (s->volume_claim_templates);
  status_clear (s);
}

static gboolean
stateful_set_spec_changed (const KsObject *a_obj, const KsObject *b_obj)
{
  const KsStatefulSet *a = KS_STATEFUL_SET (a_obj), *b = KS_STATEFUL_SET (b_obj);
  g_autofree char *ta = NULL;
  g_autofree char *tb = NULL;

  if (a->replicas != b->replicas || a->min_ready_seconds != b->min_ready_seconds
      || a->pod_management_policy != b->pod_management_policy
      || a->update_strategy != b->update_strategy || a->partition != b->partition
      || a->revision_history_limit != b->revision_history_limit
      || a->ordinals_start != b->ordinals_start || a->when_deleted != b->when_deleted
      || a->when_scaled != b->when_scaled || g_strcmp0 (a->service_name, b->service_name) != 0
      || !ks_label_selector_equal (a->selector, b->selector))
    return TRUE;
  if ((a->volume_claim_templates == NULL) != (b->volume_claim_templates == NULL)
      || (a->volume_claim_templates != NULL
          && !json_node_equal (a->volume_claim_templates, b->volume_claim_templates)))
    return TRUE;
  if (a->template.spec == NULL || b->template.spec == NULL)
    return a->template.spec != b->template.spec;
  ta = ks_pod_template_to_json (&a->template, NULL);
  tb = ks_pod_template_to_json (&b->template, NULL);
  return strcmp (ta, tb) != 0;
}

const KsKind ks_stateful_set_kind = {
  .id = KS_KIND_STATEFUL_SET,
  .name = "StatefulSet",
  .api_version = "apps/v1",
  .group = "apps",
  .plural = "statefulsets",
  .short_name = "sts",
  .namespaced = TRUE,
  .has_generation = TRUE,
  .size = sizeof (KsStatefulSet),
  .decode = stateful_set_decode,
  .encode = stateful_set_encode,
  .copy = stateful_set_copy,
  .finalize = stateful_set_finalize,
  .copy_status = stateful_set_copy_status,
  .spec_changed = stateful_set_spec_changed,
};

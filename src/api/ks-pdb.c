/* ks-pdb.c: policy/v1 PodDisruptionBudget codec, validation (pkg/apis/policy/validation) and
 * helpers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ks-kinds-private.h"
#include "ks-pdb.h"
#include "src/ks-clock.h"

static const char *const unhealthy_policies[] = { "IfHealthyBudget", "AlwaysAllow", NULL };

gboolean
ks_pdb_selects_for_preemption (const KsPodDisruptionBudget *pdb, const KsPod *pod)
{
  /* A pod without labels matches no budget; a budget without a selector, or with an empty one,
   * matches nothing (filterPodsWithPDBViolation). */
  if (ks_str_map_size (pod->parent.meta.labels) == 0 || pdb->selector == NULL
      || ks_label_selector_is_empty (pdb->selector)
      || g_strcmp0 (pdb->parent.meta.namespace, pod->parent.meta.namespace) != 0)
    return FALSE;
  return ks_label_selector_matches (pdb->selector, pod->parent.meta.labels);
}

gint64
ks_pdb_disrupted_time (const KsPodDisruptionBudget *pdb, const char *pod_name)
{
  for (guint i = 0; i < pdb->status.n_disrupted_pods; i++)
    if (strcmp (pdb->status.disrupted_pods[i].name, pod_name) == 0)
      return pdb->status.disrupted_pods[i].time;
  return KS_TIME_NONE;
}

void
ks_pdb_set_allowed_condition (KsPodDisruptionBudget *pdb, KsConditionStatus status,
                              const char *reason, const char *message, gint64 now)
{
  if (pdb->status.allowed_status != status)
    pdb->status.allowed_transition_time = now;
  pdb->status.allowed_status = status;
  pdb->status.allowed_reason = ks_intern_reason (reason);
  g_free (pdb->status.allowed_message);
  pdb->status.allowed_message = g_strdup (message);
  pdb->status.allowed_observed_generation = pdb->status.observed_generation;
}

/* IsNotMoreThan100Percent */
static void
check_percent (KsDecoder *dec, JsonNode *spec, const char *field, const KsIntOrPercent *v)
{
  if (v->set && v->percent && v->value > 100)
    ks_decoder_error_field (dec, spec, field, "must not be greater than 100%%");
}

static int
disrupted_cmp (const void *a, const void *b)
{
  return strcmp (((const KsDisruptedPod *) a)->name, ((const KsDisruptedPod *) b)->name);
}

static void
status_decode (KsDecoder *dec, JsonNode *status, KsPodDisruptionBudget *pdb)
{
  static const char *const statuses[] = { "True", "False", "Unknown", NULL };
  JsonNode *m;

  if (!ks_decoder_expect_object (dec, status))
    return;
  ks_decoder_get_int64 (dec, status, "observedGeneration", &pdb->status.observed_generation);
  ks_decoder_get_int32 (dec, status, "disruptionsAllowed", 0, G_MAXINT32,
                        &pdb->status.disruptions_allowed);
  ks_decoder_get_int32 (dec, status, "currentHealthy", 0, G_MAXINT32, &pdb->status.current_healthy);
  ks_decoder_get_int32 (dec, status, "desiredHealthy", 0, G_MAXINT32, &pdb->status.desired_healthy);
  ks_decoder_get_int32 (dec, status, "expectedPods", 0, G_MAXINT32, &pdb->status.expected_pods);
  if ((m = ks_decoder_member (status, "disruptedPods")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "disruptedPods");
      if (ks_decoder_expect_object (dec, m))
        {
          JsonObject *o = json_node_get_object (m);
          g_autoptr (GList) names = json_object_get_members (o);
          GArray *pods = g_array_new (FALSE, TRUE, sizeof (KsDisruptedPod));
          for (GList *l = names; l != NULL; l = l->next)
            {
              KsDisruptedPod p = { NULL, KS_TIME_NONE };
              if (ks_decoder_get_time (dec, m, l->data, &p.time))
                {
                  p.name = g_strdup (l->data);
                  g_array_append_val (pods, p);
                }
            }
          if (pods->len > 1)
            qsort (pods->data, pods->len, sizeof (KsDisruptedPod), disrupted_cmp);
          pdb->status.n_disrupted_pods = pods->len;
          pdb->status.disrupted_pods = (KsDisruptedPod *) g_array_free (pods, pods->len == 0);
        }
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (status, "conditions")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "conditions");
      if (ks_decoder_expect_array (dec, m))
        {
          JsonArray *a = json_node_get_array (m);
          for (guint i = 0; i < json_array_get_length (a); i++)
            {
              JsonNode *c = json_array_get_element (a, i);
              gsize mark2 = ks_decoder_push_index (dec, i);
              g_autofree char *type = NULL;
              g_autofree char *reason = NULL;
              int st = -1;
              if (ks_decoder_expect_object (dec, c)
                  && ks_decoder_require_string (dec, c, "type", &type, NULL)
                  && strcmp (type, "DisruptionAllowed") == 0
                  && ks_decoder_get_enum (dec, c, "status", statuses, &st) && st >= 0)
                {
                  pdb->status.allowed_status = st + 1;
                  ks_decoder_get_string (dec, c, "reason", &reason);
                  pdb->status.allowed_reason = ks_intern_reason (reason);
                  ks_decoder_get_string (dec, c, "message", &pdb->status.allowed_message);
                  ks_decoder_get_time (dec, c, "lastTransitionTime",
                                       &pdb->status.allowed_transition_time);
                  ks_decoder_get_int64 (dec, c, "observedGeneration",
                                        &pdb->status.allowed_observed_generation);
                }
              ks_decoder_pop (dec, mark2);
            }
        }
      ks_decoder_pop (dec, mark);
    }
}

static void
pdb_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  KsPodDisruptionBudget *pdb = KS_POD_DISRUPTION_BUDGET (obj);
  JsonNode *spec = ks_decoder_member (node, "spec");
  JsonNode *m;
  gsize mark;

  pdb->status.allowed_transition_time = KS_TIME_NONE;
  if (spec != NULL)
    {
      mark = ks_decoder_push (dec, "spec");
      if (ks_decoder_expect_object (dec, spec))
        {
          int policy = -1;
          if (ks_int_or_percent_decode (dec, spec, "minAvailable", &pdb->min_available))
            check_percent (dec, spec, "minAvailable", &pdb->min_available);
          if (ks_int_or_percent_decode (dec, spec, "maxUnavailable", &pdb->max_unavailable))
            check_percent (dec, spec, "maxUnavailable", &pdb->max_unavailable);
          if (pdb->min_available.set && pdb->max_unavailable.set)
            ks_decoder_error (dec, spec, "minAvailable and maxUnavailable cannot be both set");
          if ((m = ks_decoder_member (spec, "selector")) != NULL)
            {
              gsize mark2 = ks_decoder_push (dec, "selector");
              pdb->selector = ks_label_selector_decode (dec, m);
              ks_decoder_pop (dec, mark2);
            }
          if (ks_decoder_get_enum (dec, spec, "unhealthyPodEvictionPolicy", unhealthy_policies,
                                   &policy)
              && policy >= 0)
            pdb->unhealthy_pod_eviction_policy = policy + 1;
        }
      ks_decoder_pop (dec, mark);
    }
  if (dec->mode == KS_DECODE_STORED && (m = ks_decoder_member (node, "status")) != NULL)
    {
      mark = ks_decoder_push (dec, "status");
      status_decode (dec, m, pdb);
      ks_decoder_pop (dec, mark);
    }
}

static void
pdb_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  const KsPodDisruptionBudget *pdb = KS_POD_DISRUPTION_BUDGET (obj);

  json_builder_set_member_name (b, "spec");
  json_builder_begin_object (b);
  if (pdb->min_available.set)
    ks_int_or_percent_encode (b, "minAvailable", &pdb->min_available);
  if (pdb->selector != NULL)
    {
      json_builder_set_member_name (b, "selector");
      ks_label_selector_encode (pdb->selector, b);
    }
  if (pdb->max_unavailable.set)
    ks_int_or_percent_encode (b, "maxUnavailable", &pdb->max_unavailable);
  if (pdb->unhealthy_pod_eviction_policy != KS_UNHEALTHY_POLICY_UNSET)
    ks_builder_add_string (b, "unhealthyPodEvictionPolicy",
                           unhealthy_policies[pdb->unhealthy_pod_eviction_policy - 1]);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "status");
  json_builder_begin_object (b);
  if (pdb->status.observed_generation != 0)
    ks_builder_add_int (b, "observedGeneration", pdb->status.observed_generation);
  if (pdb->status.n_disrupted_pods > 0)
    {
      json_builder_set_member_name (b, "disruptedPods");
      json_builder_begin_object (b);
      for (guint i = 0; i < pdb->status.n_disrupted_pods; i++)
        ks_builder_add_time (b, pdb->status.disrupted_pods[i].name,
                             pdb->status.disrupted_pods[i].time, epoch);
      json_builder_end_object (b);
    }
  ks_builder_add_int (b, "disruptionsAllowed", pdb->status.disruptions_allowed);
  ks_builder_add_int (b, "currentHealthy", pdb->status.current_healthy);
  ks_builder_add_int (b, "desiredHealthy", pdb->status.desired_healthy);
  ks_builder_add_int (b, "expectedPods", pdb->status.expected_pods);
  if (pdb->status.allowed_status != KS_CONDITION_UNSET)
    {
      json_builder_set_member_name (b, "conditions");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      ks_builder_add_string (b, "type", "DisruptionAllowed");
      ks_builder_add_string (b, "status", ks_condition_status_name (pdb->status.allowed_status));
      if (pdb->status.allowed_observed_generation != 0)
        ks_builder_add_int (b, "observedGeneration", pdb->status.allowed_observed_generation);
      ks_builder_add_time (b, "lastTransitionTime", pdb->status.allowed_transition_time, epoch);
      ks_builder_add_string (b, "reason",
                             pdb->status.allowed_reason ? pdb->status.allowed_reason : "");
      ks_builder_add_string (b, "message",
                             pdb->status.allowed_message ? pdb->status.allowed_message : "");
      json_builder_end_object (b);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

static void
status_copy (KsPodDisruptionBudget *dst, const KsPodDisruptionBudget *src)
{
  dst->status = src->status;
  dst->status.allowed_message = g_strdup (src->status.allowed_message);
  dst->status.disrupted_pods
      = src->status.n_disrupted_pods > 0 ? g_memdup2 (
            src->status.disrupted_pods, src->status.n_disrupted_pods * sizeof (KsDisruptedPod))
                                         : NULL;
  for (guint i = 0; i < dst->status.n_disrupted_pods; i++)
    dst->status.disrupted_pods[i].name = g_strdup (src->status.disrupted_pods[i].name);
}

static void
status_clear (KsPodDisruptionBudget *pdb)
{
  for (guint i = 0; i < pdb->status.n_disrupted_pods; i++)
    g_free (pdb->status.disrupted_pods[i].name);
  g_free (pdb->status.disrupted_pods);
  g_free (pdb->status.allowed_message);
  memset (&pdb->status, 0, sizeof pdb->status);
}

static void
pdb_copy (KsObject *dst_obj, const KsObject *src_obj)
{
  KsPodDisruptionBudget *dst = KS_POD_DISRUPTION_BUDGET (dst_obj);
  const KsPodDisruptionBudget *src = KS_POD_DISRUPTION_BUDGET (src_obj);

  if (dst->selector != NULL)
    ks_label_selector_ref (dst->selector);
  status_copy (dst, src);
}

static void
pdb_copy_status (KsObject *dst_obj, const KsObject *src_obj)
{
  KsPodDisruptionBudget *dst = KS_POD_DISRUPTION_BUDGET (dst_obj);

  status_clear (dst);
  status_copy (dst, KS_POD_DISRUPTION_BUDGET (src_obj));
}

static void
pdb_finalize (KsObject *obj)
{
  KsPodDisruptionBudget *pdb = KS_POD_DISRUPTION_BUDGET (obj);

  if (pdb->selector != NULL)
    ks_label_selector_unref (pdb->selector);
  status_clear (pdb);
}

static gboolean
int_or_percent_equal (const KsIntOrPercent *a, const KsIntOrPercent *b)
{
  return a->set == b->set && (!a->set || (a->percent == b->percent && a->value == b->value));
}

static gboolean
pdb_spec_changed (const KsObject *a_obj, const KsObject *b_obj)
{
  const KsPodDisruptionBudget *a = KS_POD_DISRUPTION_BUDGET (a_obj);
  const KsPodDisruptionBudget *b = KS_POD_DISRUPTION_BUDGET (b_obj);

  return !int_or_percent_equal (&a->min_available, &b->min_available)
         || !int_or_percent_equal (&a->max_unavailable, &b->max_unavailable)
         || (a->selector == NULL) != (b->selector == NULL)
         || (a->selector != NULL && !ks_label_selector_equal (a->selector, b->selector))
         || a->unhealthy_pod_eviction_policy != b->unhealthy_pod_eviction_policy;
}

const KsKind ks_pod_disruption_budget_kind = {
  .id = KS_KIND_POD_DISRUPTION_BUDGET,
  .name = "PodDisruptionBudget",
  .api_version = "policy/v1",
  .group = "policy",
  .plural = "poddisruptionbudgets",
  .short_name = "pdb",
  .namespaced = TRUE,
  .has_generation = TRUE,
  .size = sizeof (KsPodDisruptionBudget),
  .decode = pdb_decode,
  .encode = pdb_encode,
  .copy = pdb_copy,
  .finalize = pdb_finalize,
  .copy_status = pdb_copy_status,
  .spec_changed = pdb_spec_changed,
};

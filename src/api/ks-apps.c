/* ks-apps.c: apps/v1 ReplicaSet and Deployment codecs and helpers. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ks-apps.h"
#include "ks-kinds-private.h"
#include "src/ks-clock.h"

static const char *const deploy_condition_names[]
    = { "Available", "Progressing", "ReplicaFailure", NULL };

const char *
ks_deployment_condition_name (KsDeploymentConditionType type)
{
  return deploy_condition_names[type];
}

gint32
ks_int_or_percent_scaled (const KsIntOrPercent *v, gint32 total, gboolean round_up)
{
  double x;

  if (!v->set)
    return 0;
  if (!v->percent)
    return v->value;
  x = (double) v->value * (double) total / 100.0;
  return (gint32) (round_up ? ceil (x) : floor (x));
}

void
ks_deployment_set_condition (KsDeployment *d, KsDeploymentConditionType type,
                             KsConditionStatus status, const char *reason, const char *message,
                             gint64 now)
{
  KsDeploymentCondition *c = &d->status.conditions[type];

  /* SetDeploymentCondition: an identical status and reason keeps the old condition. */
  if (c->status == status && g_strcmp0 (c->reason, reason) == 0
      && g_strcmp0 (c->message, message) == 0)
    return;
  if (c->status != status)
    c->last_transition_time = now;
  c->last_update_time = now;
  c->status = status;
  c->reason = ks_intern_reason (reason);
  g_free (c->message);
  c->message = g_strdup (message);
}

gboolean
ks_int_or_percent_decode (KsDecoder *dec, JsonNode *obj, const char *field, KsIntOrPercent *out)
{
  JsonNode *m = ks_decoder_member (obj, field);
  gsize mark;
  gboolean ok = TRUE;

  if (m == NULL)
    return TRUE;
  mark = ks_decoder_push (dec, field);
  if (JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_INT64)
    {
      gint64 v = json_node_get_int (m);
      if (v < 0 || v > G_MAXINT32)
        ok = FALSE;
      else
        *out = (KsIntOrPercent){ TRUE, FALSE, (gint32) v };
    }
  else if (JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (m);
      char *end;
      gint64 v = g_ascii_strtoll (s, &end, 10);
      if (end == s || strcmp (end, "%") != 0 || v < 0 || v > G_MAXINT32 || !g_ascii_isdigit (s[0]))
        ok = FALSE;
      else
        *out = (KsIntOrPercent){ TRUE, TRUE, (gint32) v };
    }
  else
    ok = FALSE;
  if (!ok)
    {
      g_autofree char *text = ks_decoder_scalar_text (dec, m);
      ks_decoder_error (dec, m,
                        "invalid value %s%s%s: must be a non-negative integer or a percentage "
                        "(e.g. 1 or \"25%%\")",
                        text ? "\"" : "", text ? text : ks_decoder_node_type_name (m),
                        text ? "\"" : "");
    }
  ks_decoder_pop (dec, mark);
  return ok;
}

void
ks_int_or_percent_encode (JsonBuilder *b, const char *member, const KsIntOrPercent *v)
{
  json_builder_set_member_name (b, member);
  if (v->percent)
    {
      char buf[16];
      g_snprintf (buf, sizeof buf, "%d%%", v->value);
      json_builder_add_string_value (b, buf);
    }
  else
    json_builder_add_int_value (b, v->value);
}

/* selector + template, shared by ReplicaSet and Deployment. */
static void
selector_template_decode (KsDecoder *dec, JsonNode *spec, KsLabelSelector **selector,
                          KsPodTemplate *template, gboolean check_mounts)
{
  JsonNode *m = ks_decoder_member (spec, "selector");

  if (m == NULL)
    ks_decoder_error_field (dec, spec, "selector",
                            "required field is missing (e.g. matchLabels: {app: web})");
  else
    {
      gsize mark = ks_decoder_push (dec, "selector");
      *selector = ks_label_selector_decode (dec, m);
      if (*selector != NULL && ks_label_selector_is_empty (*selector))
        ks_decoder_error (dec, m, "empty selector is invalid: it would select every pod");
      ks_decoder_pop (dec, mark);
    }
  if (ks_pod_template_decode (dec, spec, template)
      && (!check_mounts || ks_pod_template_check_mounts (dec, spec, template, NULL))
      && *selector != NULL && !ks_label_selector_matches (*selector, template->labels))
    {
      JsonNode *t = ks_decoder_member (spec, "template");
      gsize mark = ks_decoder_push (dec, "template");
      gsize mark2 = ks_decoder_push (dec, "metadata");
      ks_decoder_error_field (
          dec, ks_decoder_member (t, "metadata") ? ks_decoder_member (t, "metadata") : t, "labels",
          "`selector` does not match template `labels`");
      ks_decoder_pop (dec, mark2);
      ks_decoder_pop (dec, mark);
    }
}

void
ks_apps_selector_template_decode (KsDecoder *dec, JsonNode *spec, KsLabelSelector **selector,
                                  KsPodTemplate *template)
{
  /* A StatefulSet checks the mounts itself, knowing its claim templates. */
  selector_template_decode (dec, spec, selector, template, FALSE);
}

/* ReplicaSet */

static void
replica_set_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  KsReplicaSet *rs = KS_REPLICA_SET (obj);
  JsonNode *spec = ks_decoder_member (node, "spec");
  JsonNode *status;
  gsize mark;

  rs->replicas = 1;
  if (spec == NULL)
    {
      ks_decoder_error_field (dec, node, "spec", "required field is missing");
      return;
    }
  mark = ks_decoder_push (dec, "spec");
  if (ks_decoder_expect_object (dec, spec))
    {
      ks_decoder_get_int32 (dec, spec, "replicas", 0, G_MAXINT32, &rs->replicas);
      ks_decoder_get_int32 (dec, spec, "minReadySeconds", 0, G_MAXINT32, &rs->min_ready_seconds);
      selector_template_decode (dec, spec, &rs->selector, &rs->template, TRUE);
    }
  ks_decoder_pop (dec, mark);
  if (dec->mode == KS_DECODE_STORED && (status = ks_decoder_member (node, "status")) != NULL)
    {
      mark = ks_decoder_push (dec, "status");
      if (ks_decoder_expect_object (dec, status))
        {
          ks_decoder_get_int32 (dec, status, "replicas", 0, G_MAXINT32, &rs->status.replicas);
          ks_decoder_get_int32 (dec, status, "fullyLabeledReplicas", 0, G_MAXINT32,
                                &rs->status.fully_labeled_replicas);
          ks_decoder_get_int32 (dec, status, "readyReplicas", 0, G_MAXINT32,
                                &rs->status.ready_replicas);
          ks_decoder_get_int32 (dec, status, "availableReplicas", 0, G_MAXINT32,
                                &rs->status.available_replicas);
          ks_decoder_get_int64 (dec, status, "observedGeneration", &rs->status.observed_generation);
        }
      ks_decoder_pop (dec, mark);
    }
}

static void
replica_set_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  const KsReplicaSet *rs = KS_REPLICA_SET (obj);

  json_builder_set_member_name (b, "spec");
  json_builder_begin_object (b);
  ks_builder_add_int (b, "replicas", rs->replicas);
  if (rs->min_ready_seconds != 0)
    ks_builder_add_int (b, "minReadySeconds", rs->min_ready_seconds);
  ks_builder_add_selector_and_template (b, rs->selector, &rs->template);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_begin_object (b);
  ks_builder_add_int (b, "replicas", rs->status.replicas);
  if (rs->status.fully_labeled_replicas)
    ks_builder_add_int (b, "fullyLabeledReplicas", rs->status.fully_labeled_replicas);
  if (rs->status.ready_replicas)
    ks_builder_add_int (b, "readyReplicas", rs->status.ready_replicas);
  if (rs->status.available_replicas)
    ks_builder_add_int (b, "availableReplicas", rs->status.available_replicas);
  if (rs->status.observed_generation)
    ks_builder_add_int (b, "observedGeneration", rs->status.observed_generation);
  json_builder_end_object (b);
}

static void
replica_set_copy (KsObject *dst_obj, const KsObject *src_obj)
{
  KsReplicaSet *dst = KS_REPLICA_SET (dst_obj);
  const KsReplicaSet *src = KS_REPLICA_SET (src_obj);

  ks_label_selector_ref (dst->selector);
  ks_pod_template_copy (&dst->template, &src->template);
}

static void
replica_set_copy_status (KsObject *dst, const KsObject *src)
{
  KS_REPLICA_SET (dst)->status = KS_REPLICA_SET (src)->status;
}

static void
replica_set_finalize (KsObject *obj)
{
  KsReplicaSet *rs = KS_REPLICA_SET (obj);

  ks_label_selector_unref (rs->selector);
  ks_pod_template_clear (&rs->template);
}

static gboolean
templates_differ (const KsPodTemplate *a, const KsPodTemplate *b)
{
  g_autofree char *ja = NULL;
  g_autofree char *jb = NULL;

  if (a->spec == b->spec && a->labels == b->labels && a->annotations == b->annotations)
    return FALSE;
  if (a->spec == NULL || b->spec == NULL)
    return a->spec != b->spec;
  ja = ks_pod_template_to_json (a, NULL);
  jb = ks_pod_template_to_json (b, NULL);
  return strcmp (ja, jb) != 0;
}

static gboolean
replica_set_spec_changed (const KsObject *a_obj, const KsObject *b_obj)
{
  const KsReplicaSet *a = KS_REPLICA_SET (a_obj), *b = KS_REPLICA_SET (b_obj);

  return a->replicas != b->replicas || a->min_ready_seconds != b->min_ready_seconds
         || !ks_label_selector_equal (a->selector, b->selector)
         || templates_differ (&a->template, &b->template);
}

const KsKind ks_replica_set_kind = {
  .id = KS_KIND_REPLICA_SET,
  .name = "ReplicaSet",
  .api_version = "apps/v1",
  .group = "apps",
  .plural = "replicasets",
  .short_name = "rs",
  .namespaced = TRUE,
  .has_generation = TRUE,
  .size = sizeof (KsReplicaSet),
  .decode = replica_set_decode,
  .encode = replica_set_encode,
  .copy = replica_set_copy,
  .finalize = replica_set_finalize,
  .copy_status = replica_set_copy_status,
  .spec_changed = replica_set_spec_changed,
};

/* Deployment */

static void
strategy_decode (KsDecoder *dec, JsonNode *spec, KsDeployment *d)
{
  static const char *const types[] = { "RollingUpdate", "Recreate", NULL };
  JsonNode *strategy = ks_decoder_member (spec, "strategy");
  JsonNode *ru;
  int type = KS_DEPLOY_ROLLING_UPDATE;
  gsize mark;

  d->max_surge = (KsIntOrPercent){ TRUE, TRUE, 25 };
  d->max_unavailable = (KsIntOrPercent){ TRUE, TRUE, 25 };
  if (strategy == NULL)
    return;
  mark = ks_decoder_push (dec, "strategy");
  if (ks_decoder_expect_object (dec, strategy))
    {
      ks_decoder_get_enum (dec, strategy, "type", types, &type);
      d->strategy = type;
      ru = ks_decoder_member (strategy, "rollingUpdate");
      if (ru != NULL && type == KS_DEPLOY_RECREATE)
        ks_decoder_error_field (dec, strategy, "rollingUpdate",
                                "may not be specified when strategy type is 'Recreate'");
      else if (ru != NULL)
        {
          gsize mark2 = ks_decoder_push (dec, "rollingUpdate");
          if (ks_decoder_expect_object (dec, ru))
            {
              gboolean ok = ks_int_or_percent_decode (dec, ru, "maxSurge", &d->max_surge);
              ok &= ks_int_or_percent_decode (dec, ru, "maxUnavailable", &d->max_unavailable);
              if (ok && d->max_unavailable.percent && d->max_unavailable.value > 100)
                ks_decoder_error_field (dec, ru, "maxUnavailable",
                                        "must not be greater than 100%%");
              else if (ok && d->max_surge.value == 0 && d->max_unavailable.value == 0)
                ks_decoder_error_field (dec, ru, "maxUnavailable",
                                        "may not be 0 when `maxSurge` is 0");
            }
          ks_decoder_pop (dec, mark2);
        }
    }
  ks_decoder_pop (dec, mark);
  if (d->strategy == KS_DEPLOY_RECREATE)
    {
      d->max_surge.set = FALSE;
      d->max_unavailable.set = FALSE;
    }
}

static gboolean
deployment_condition_decode (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer user_data)
{
  static const char *const statuses[] = { "True", "False", "Unknown", NULL };
  KsDeployment *d = user_data;
  g_autofree char *type_name = NULL;
  g_autofree char *reason = NULL;
  KsDeploymentCondition c = { 0 };
  int type = -1, status = -1;

  if (!ks_decoder_require_string (dec, item, "type", &type_name, NULL))
    return FALSE;
  for (int i = 0; i < KS_N_DEPLOY_CONDITIONS; i++)
    if (strcmp (deploy_condition_names[i], type_name) == 0)
      type = i;
  if (type < 0)
    return FALSE; /* not modelled: dropped */
  if (ks_decoder_member (item, "status") == NULL)
    ks_decoder_error_field (dec, item, "status",
                            "required field is missing (True, False or "
                            "Unknown)");
  else if (ks_decoder_get_enum (dec, item, "status", statuses, &status))
    c.status = status + 1;
  ks_decoder_get_time (dec, item, "lastUpdateTime", &c.last_update_time);
  ks_decoder_get_time (dec, item, "lastTransitionTime", &c.last_transition_time);
  ks_decoder_get_string (dec, item, "reason", &reason);
  ks_decoder_get_string (dec, item, "message", &c.message);
  c.reason = ks_intern_reason (reason);
  if (status < 0)
    {
      g_free (c.message);
      return FALSE;
    }
  g_free (d->status.conditions[type].message);
  d->status.conditions[type] = c;
  return FALSE; /* the slot is not kept */
}

static void
deployment_status_decode (KsDecoder *dec, JsonNode *status, KsDeployment *d)
{
  JsonNode *m;

  if (!ks_decoder_expect_object (dec, status))
    return;
  ks_decoder_get_int64 (dec, status, "observedGeneration", &d->status.observed_generation);
  ks_decoder_get_int32 (dec, status, "replicas", 0, G_MAXINT32, &d->status.replicas);
  ks_decoder_get_int32 (dec, status, "updatedReplicas", 0, G_MAXINT32, &d->status.updated_replicas);
  ks_decoder_get_int32 (dec, status, "readyReplicas", 0, G_MAXINT32, &d->status.ready_replicas);
  ks_decoder_get_int32 (dec, status, "availableReplicas", 0, G_MAXINT32,
                        &d->status.available_replicas);
  ks_decoder_get_int32 (dec, status, "unavailableReplicas", 0, G_MAXINT32,
                        &d->status.unavailable_replicas);
  if ((m = ks_decoder_member (status, "conditions")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "conditions");
      guint n;
      g_free (ks_decoder_list (dec, m, sizeof (int), deployment_condition_decode, d, &n));
      ks_decoder_pop (dec, mark);
    }
  if (ks_decoder_member (status, "collisionCount") != NULL)
    d->status.has_collision_count = ks_decoder_get_int32 (dec, status, "collisionCount", 0,
                                                          G_MAXINT32, &d->status.collision_count);
}

static void
deployment_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  KsDeployment *d = KS_DEPLOYMENT (obj);
  JsonNode *spec = ks_decoder_member (node, "spec");
  JsonNode *status;
  gsize mark;

  d->replicas = 1;
  d->revision_history_limit = 10;
  d->progress_deadline_seconds = 600;
  if (spec == NULL)
    {
      ks_decoder_error_field (dec, node, "spec", "required field is missing");
      return;
    }
  mark = ks_decoder_push (dec, "spec");
  if (ks_decoder_expect_object (dec, spec))
    {
      ks_decoder_get_int32 (dec, spec, "replicas", 0, G_MAXINT32, &d->replicas);
      ks_decoder_get_int32 (dec, spec, "minReadySeconds", 0, G_MAXINT32, &d->min_ready_seconds);
      ks_decoder_get_int32 (dec, spec, "revisionHistoryLimit", 0, G_MAXINT32,
                            &d->revision_history_limit);
      ks_decoder_get_int32 (dec, spec, "progressDeadlineSeconds", 1, G_MAXINT32,
                            &d->progress_deadline_seconds);
      ks_decoder_get_bool (dec, spec, "paused", &d->paused);
      strategy_decode (dec, spec, d);
      selector_template_decode (dec, spec, &d->selector, &d->template, TRUE);
      if (d->progress_deadline_seconds <= d->min_ready_seconds)
        ks_decoder_error_field (dec, spec, "progressDeadlineSeconds",
                                "must be greater than minReadySeconds");
    }
  ks_decoder_pop (dec, mark);
  if (dec->mode == KS_DECODE_STORED && (status = ks_decoder_member (node, "status")) != NULL)
    {
      mark = ks_decoder_push (dec, "status");
      deployment_status_decode (dec, status, d);
      ks_decoder_pop (dec, mark);
    }
}

static void
deployment_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  const KsDeployment *d = KS_DEPLOYMENT (obj);
  gboolean any = FALSE;

  json_builder_set_member_name (b, "spec");
  json_builder_begin_object (b);
  ks_builder_add_int (b, "replicas", d->replicas);
  ks_builder_add_selector_and_template (b, d->selector, &d->template);
  json_builder_set_member_name (b, "strategy");
  json_builder_begin_object (b);
  ks_builder_add_string (b, "type",
                         d->strategy == KS_DEPLOY_RECREATE ? "Recreate" : "RollingUpdate");
  if (d->strategy == KS_DEPLOY_ROLLING_UPDATE)
    {
      json_builder_set_member_name (b, "rollingUpdate");
      json_builder_begin_object (b);
      ks_int_or_percent_encode (b, "maxUnavailable", &d->max_unavailable);
      ks_int_or_percent_encode (b, "maxSurge", &d->max_surge);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  if (d->min_ready_seconds != 0)
    ks_builder_add_int (b, "minReadySeconds", d->min_ready_seconds);
  ks_builder_add_int (b, "revisionHistoryLimit", d->revision_history_limit);
  if (d->paused)
    ks_builder_add_bool (b, "paused", TRUE);
  ks_builder_add_int (b, "progressDeadlineSeconds", d->progress_deadline_seconds);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "status");
  json_builder_begin_object (b);
  if (d->status.observed_generation)
    ks_builder_add_int (b, "observedGeneration", d->status.observed_generation);
  if (d->status.replicas)
    ks_builder_add_int (b, "replicas", d->status.replicas);
  if (d->status.updated_replicas)
    ks_builder_add_int (b, "updatedReplicas", d->status.updated_replicas);
  if (d->status.ready_replicas)
    ks_builder_add_int (b, "readyReplicas", d->status.ready_replicas);
  if (d->status.available_replicas)
    ks_builder_add_int (b, "availableReplicas", d->status.available_replicas);
  if (d->status.unavailable_replicas)
    ks_builder_add_int (b, "unavailableReplicas", d->status.unavailable_replicas);
  for (guint i = 0; i < KS_N_DEPLOY_CONDITIONS; i++)
    any |= d->status.conditions[i].status != KS_CONDITION_UNSET;
  if (any)
    {
      json_builder_set_member_name (b, "conditions");
      json_builder_begin_array (b);
      for (guint i = 0; i < KS_N_DEPLOY_CONDITIONS; i++)
        {
          const KsDeploymentCondition *c = &d->status.conditions[i];
          if (c->status == KS_CONDITION_UNSET)
            continue;
          json_builder_begin_object (b);
          ks_builder_add_string (b, "type", deploy_condition_names[i]);
          ks_builder_add_string (b, "status", ks_condition_status_name (c->status));
          ks_builder_add_time (b, "lastUpdateTime", c->last_update_time, epoch);
          ks_builder_add_time (b, "lastTransitionTime", c->last_transition_time, epoch);
          if (c->reason != NULL)
            ks_builder_add_string (b, "reason", c->reason);
          if (c->message != NULL)
            ks_builder_add_string (b, "message", c->message);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  if (d->status.has_collision_count)
    ks_builder_add_int (b, "collisionCount", d->status.collision_count);
  json_builder_end_object (b);
}

static void
deployment_copy (KsObject *dst_obj, const KsObject *src_obj)
{
  KsDeployment *dst = KS_DEPLOYMENT (dst_obj);
  const KsDeployment *src = KS_DEPLOYMENT (src_obj);

  ks_label_selector_ref (dst->selector);
  ks_pod_template_copy (&dst->template, &src->template);
  for (guint i = 0; i < KS_N_DEPLOY_CONDITIONS; i++)
    dst->status.conditions[i].message = g_strdup (src->status.conditions[i].message);
}

static void
deployment_copy_status (KsObject *dst_obj, const KsObject *src_obj)
{
  KsDeployment *dst = KS_DEPLOYMENT (dst_obj);
  const KsDeployment *src = KS_DEPLOYMENT (src_obj);

  for (guint i = 0; i < KS_N_DEPLOY_CONDITIONS; i++)
    g_free (dst->status.conditions[i].message);
  dst->status = src->status;
  for (guint i = 0; i < KS_N_DEPLOY_CONDITIONS; i++)
    dst->status.conditions[i].message = g_strdup (src->status.conditions[i].message);
}

static void
deployment_finalize (KsObject *obj)
{
  KsDeployment *d = KS_DEPLOYMENT (obj);

  ks_label_selector_unref (d->selector);
  ks_pod_template_clear (&d->template);
  for (guint i = 0; i < KS_N_DEPLOY_CONDITIONS; i++)
    g_free (d->status.conditions[i].message);
}

static gboolean
int_or_percent_equal (const KsIntOrPercent *a, const KsIntOrPercent *b)
{
  return a->set == b->set && a->percent == b->percent && a->value == b->value;
}

static gboolean
deployment_spec_changed (const KsObject *a_obj, const KsObject *b_obj)
{
  const KsDeployment *a = KS_DEPLOYMENT (a_obj), *b = KS_DEPLOYMENT (b_obj);

  return a->replicas != b->replicas || a->min_ready_seconds != b->min_ready_seconds
         || a->strategy != b->strategy || !int_or_percent_equal (&a->max_surge, &b->max_surge)
         || !int_or_percent_equal (&a->max_unavailable, &b->max_unavailable)
         || a->revision_history_limit != b->revision_history_limit
         || a->progress_deadline_seconds != b->progress_deadline_seconds || a->paused != b->paused
         || !ks_label_selector_equal (a->selector, b->selector)
         || templates_differ (&a->template, &b->template);
}

const KsKind ks_deployment_kind = {
  .id = KS_KIND_DEPLOYMENT,
  .name = "Deployment",
  .api_version = "apps/v1",
  .group = "apps",
  .plural = "deployments",
  .short_name = "deploy",
  .namespaced = TRUE,
  .has_generation = TRUE,
  .size = sizeof (KsDeployment),
  .decode = deployment_decode,
  .encode = deployment_encode,
  .copy = deployment_copy,
  .finalize = deployment_finalize,
  .copy_status = deployment_copy_status,
  .spec_changed = deployment_spec_changed,
};

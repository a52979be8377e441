/* ks-batch.c: batch/v1 Job codec, validation and helpers. */
#include "config.h"

#include <string.h>

#include "ks-batch.h"
#include "ks-kinds-private.h"
#include "src/ks-clock.h"

static const char *const job_condition_names[]
    = { "SuccessCriteriaMet", "FailureTarget", "Complete", "Failed", NULL };

const char *
ks_job_condition_name (KsJobConditionType type)
{
  return job_condition_names[type];
}

const KsJobCondition *
ks_job_get_condition (const KsJob *job, KsJobConditionType type)
{
  for (guint i = 0; i < job->status.n_conditions; i++)
    if (job->status.conditions[i].type == type)
      return &job->status.conditions[i];
  return NULL;
}

void
ks_job_set_condition (KsJob *job, KsJobConditionType type, KsConditionStatus status,
                      const char *reason, const char *message, gint64 now)
{
  KsJobCondition *c = (KsJobCondition *) ks_job_get_condition (job, type);

  if (c == NULL)
    {
      /* One slot per type: decoding refuses duplicates, so a new type always fits. */
      g_return_if_fail (job->status.n_conditions < KS_N_JOB_CONDITIONS);
      c = &job->status.conditions[job->status.n_conditions++];
      c->type = type;
    }
  else if (c->status == status && g_strcmp0 (c->reason, reason) == 0
           && g_strcmp0 (c->message, message) == 0)
    return;
  if (c->status != status)
    c->last_transition_time = now;
  c->last_probe_time = now;
  c->status = status;
  c->reason = ks_intern_reason (reason);
  g_free (c->message);
  c->message = g_strdup (message);
}

gboolean
ks_job_is_finished (const KsJob *job)
{
  const KsJobCondition *c = ks_job_get_condition (job, KS_JOB_COND_COMPLETE);
  const KsJobCondition *f = ks_job_get_condition (job, KS_JOB_COND_FAILED);

  return (c != NULL && c->status == KS_CONDITION_TRUE)
         || (f != NULL && f->status == KS_CONDITION_TRUE);
}

void
ks_job_generate_selector (KsJob *job)
{
  char uid[KS_UID_STRING_LEN];
  const char *name = job->parent.meta.name;
  KsStrMap *labels, *next;

  if (job->manual_selector)
    return;
  ks_uid_to_string (&job->parent.meta.uid, uid);
  labels = job->template.labels != NULL ? ks_str_map_ref (job->template.labels)
                                        : ks_str_map_new (NULL, NULL, 0);
  next = ks_str_map_with (labels, KS_JOB_LABEL_CONTROLLER_UID, uid);
  ks_str_map_unref (labels);
  labels = ks_str_map_with (next, KS_JOB_LABEL_JOB_NAME, name);
  ks_str_map_unref (next);
  next = ks_str_map_with (labels, KS_JOB_LABEL_LEGACY_CONTROLLER_UID, uid);
  ks_str_map_unref (labels);
  labels = ks_str_map_with (next, KS_JOB_LABEL_LEGACY_JOB_NAME, name);
  ks_str_map_unref (next);
  ks_str_map_unref (job->template.labels);
  job->template.labels = labels;
  if (job->selector == NULL)
    {
      g_autoptr (KsStrMap) match = ks_str_map_new_pairs (KS_JOB_LABEL_CONTROLLER_UID, uid, NULL);
      job->selector = ks_label_selector_new (match);
    }
}

static void
job_status_decode (KsDecoder *dec, JsonNode *status, KsJob *job)
{
  JsonNode *conds = ks_decoder_member (status, "conditions");
  gsize mark;

  ks_decoder_get_time (dec, status, "startTime", &job->status.start_time);
  ks_decoder_get_time (dec, status, "completionTime", &job->status.completion_time);
  ks_decoder_get_int32 (dec, status, "active", 0, G_MAXINT32, &job->status.active);
  ks_decoder_get_int32 (dec, status, "succeeded", 0, G_MAXINT32, &job->status.succeeded);
  ks_decoder_get_int32 (dec, status, "failed", 0, G_MAXINT32, &job->status.failed);
  ks_decoder_get_int32 (dec, status, "ready", 0, G_MAXINT32, &job->status.ready);
  ks_decoder_get_int32 (dec, status, "terminating", 0, G_MAXINT32, &job->status.terminating);
  ks_decoder_get_string (dec, status, "completedIndexes", &job->status.completed_indexes);
  if (conds == NULL)
    return;
  mark = ks_decoder_push (dec, "conditions");
  if (ks_decoder_expect_array (dec, conds))
    {
      JsonArray *a = json_node_get_array (conds);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          static const char *const statuses[] = { "", "True", "False", "Unknown", NULL };
          JsonNode *c = json_array_get_element (a, i);
          KsJobCondition *jc = &job->status.conditions[job->status.n_conditions];
          gsize mark2 = ks_decoder_push_index (dec, i);
          int type = 0, st = 0;
          g_autofree char *reason = NULL;
          if (ks_decoder_expect_object (dec, c)
              && ks_decoder_get_enum (dec, c, "type", job_condition_names, &type)
              && ks_decoder_get_enum (dec, c, "status", statuses, &st))
            {
              if (ks_job_get_condition (job, type) != NULL)
                {
                  ks_decoder_error_field (dec, c, "type", "Duplicate value: \"%s\"",
                                          job_condition_names[type]);
                  ks_decoder_pop (dec, mark2);
                  continue;
                }
              jc->type = type;
              jc->status = st;
              ks_decoder_get_time (dec, c, "lastProbeTime", &jc->last_probe_time);
              ks_decoder_get_time (dec, c, "lastTransitionTime", &jc->last_transition_time);
              ks_decoder_get_string (dec, c, "reason", &reason);
              jc->reason = reason != NULL ? ks_intern_reason (reason) : NULL;
              ks_decoder_get_string (dec, c, "message", &jc->message);
              job->status.n_conditions++;
            }
          ks_decoder_pop (dec, mark2);
        }
    }
  ks_decoder_pop (dec, mark);
}

static void
job_spec_decode (KsDecoder *dec, JsonNode *spec, KsJob *job)
{
  static const char *const modes[] = { "NonIndexed", "Indexed", NULL };
  JsonNode *sel = ks_decoder_member (spec, "selector");
  gboolean has_parallelism = ks_decoder_member (spec, "parallelism") != NULL;
  int mode = KS_JOB_NON_INDEXED;

  ks_decoder_get_int32 (dec, spec, "parallelism", 0, G_MAXINT32, &job->parallelism);
  job->has_completions = ks_decoder_member (spec, "completions") != NULL
                         && !JSON_NODE_HOLDS_NULL (ks_decoder_member (spec, "completions"));
  if (job->has_completions)
    ks_decoder_get_int32 (dec, spec, "completions", 0, G_MAXINT32, &job->completions);
  else if (!has_parallelism)
    {
      /* SetDefaults_Job: neither given means one pod to run to completion. */
      job->has_completions = TRUE;
      job->completions = 1;
    }
  ks_decoder_get_int32 (dec, spec, "backoffLimit", 0, G_MAXINT32, &job->backoff_limit);
  if (ks_decoder_member (spec, "activeDeadlineSeconds") != NULL
      && ks_decoder_get_int64 (dec, spec, "activeDeadlineSeconds", &job->active_deadline_seconds)
      && job->active_deadline_seconds <= 0)
    ks_decoder_error_field (dec, spec, "activeDeadlineSeconds",
                            "Invalid value: %" G_GINT64_FORMAT ": must be greater than zero",
                            job->active_deadline_seconds);
  if (ks_decoder_member (spec, "ttlSecondsAfterFinished") != NULL
      && ks_decoder_get_int64 (dec, spec, "ttlSecondsAfterFinished",
                               &job->ttl_seconds_after_finished)
      && job->ttl_seconds_after_finished < 0)
    ks_decoder_error_field (dec, spec, "ttlSecondsAfterFinished",
                            "Invalid value: %" G_GINT64_FORMAT
                            ": must be greater than or equal to 0",
                            job->ttl_seconds_after_finished);
  ks_decoder_get_enum (dec, spec, "completionMode", modes, &mode);
  job->completion_mode = mode;
  if (mode == KS_JOB_INDEXED && !job->has_completions)
    ks_decoder_error_field (dec, spec, "completions",
                            "Required value: when completion mode is Indexed");
  ks_decoder_get_bool (dec, spec, "manualSelector", &job->manual_selector);

  if (sel != NULL)
    {
      gsize mark = ks_decoder_push (dec, "selector");
      job->selector = ks_label_selector_decode (dec, sel);
      /* ValidateGeneratedSelector: a selector in a manifest is the user's, allowed only with
       * manualSelector; stored Jobs carry the generated one. */
      if (job->selector != NULL && !job->manual_selector && dec->mode == KS_DECODE_MANIFEST)
        ks_decoder_error (dec, sel,
                          "Invalid value: `selector` not auto-generated (leave it out, or set "
                          "manualSelector: true)");
      ks_decoder_pop (dec, mark);
    }
  else if (job->manual_selector)
    ks_decoder_error_field (dec, spec, "selector", "Required value: when manualSelector is true");

  if (ks_pod_template_decode (dec, spec, &job->template)
      && ks_pod_template_check_mounts (dec, spec, &job->template, NULL))
    {
      JsonNode *t = ks_decoder_member (spec, "template");
      JsonNode *ts = ks_decoder_member (t, "spec");
      KsRestartPolicy rp = job->template.spec->restart_policy;
      if (rp != KS_RESTART_ON_FAILURE && rp != KS_RESTART_NEVER)
        {
          gsize m1 = ks_decoder_push (dec, "template");
          gsize m2 = ks_decoder_push (dec, "spec");
          /* The pod default (Always) applies first, as in Kubernetes. */
          ks_decoder_error_field (dec, ts, "restartPolicy",
                                  "Unsupported value: \"%s\": supported values: \"OnFailure\", "
                                  "\"Never\"%s",
                                  ks_restart_policy_name (rp),
                                  ks_decoder_member (ts, "restartPolicy") == NULL
                                      ? " (the pod default, Always, is not allowed for a Job)"
                                      : "");
          ks_decoder_pop (dec, m2);
          ks_decoder_pop (dec, m1);
        }
      if (job->selector != NULL && job->manual_selector
          && !ks_label_selector_matches (job->selector, job->template.labels))
        ks_decoder_error_field (dec, spec, "selector",
                                "Invalid value: `selector` does not match template `labels`");
    }
}

static void
job_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  KsJob *job = KS_JOB (obj);
  JsonNode *spec = ks_decoder_member (node, "spec");
  JsonNode *status;
  gsize mark;

  job->parallelism = 1;
  job->backoff_limit = 6;
  job->active_deadline_seconds = -1;
  job->ttl_seconds_after_finished = -1;
  job->status.start_time = KS_TIME_NONE;
  job->status.completion_time = KS_TIME_NONE;
  if (spec == NULL)
    {
      ks_decoder_error_field (dec, node, "spec", "required field is missing");
      return;
    }
  mark = ks_decoder_push (dec, "spec");
  if (ks_decoder_expect_object (dec, spec))
    job_spec_decode (dec, spec, job);
  ks_decoder_pop (dec, mark);
  if (dec->mode == KS_DECODE_STORED && (status = ks_decoder_member (node, "status")) != NULL)
    {
      mark = ks_decoder_push (dec, "status");
      if (ks_decoder_expect_object (dec, status))
        job_status_decode (dec, status, job);
      ks_decoder_pop (dec, mark);
    }
}

static void
job_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  const KsJob *job = KS_JOB (obj);

  json_builder_set_member_name (b, "spec");
  json_builder_begin_object (b);
  ks_builder_add_int (b, "parallelism", job->parallelism);
  if (job->has_completions)
    ks_builder_add_int (b, "completions", job->completions);
  if (job->active_deadline_seconds >= 0)
    ks_builder_add_int (b, "activeDeadlineSeconds", job->active_deadline_seconds);
  ks_builder_add_int (b, "backoffLimit", job->backoff_limit);
  if (job->ttl_seconds_after_finished >= 0)
    ks_builder_add_int (b, "ttlSecondsAfterFinished", job->ttl_seconds_after_finished);
  ks_builder_add_string (b, "completionMode",
                         job->completion_mode == KS_JOB_INDEXED ? "Indexed" : "NonIndexed");
  if (job->manual_selector)
    {
      json_builder_set_member_name (b, "manualSelector");
      json_builder_add_boolean_value (b, TRUE);
    }
  ks_builder_add_selector_and_template (b, job->selector, &job->template);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "status");
  json_builder_begin_object (b);
  if (job->status.n_conditions > 0)
    {
      json_builder_set_member_name (b, "conditions");
      json_builder_begin_array (b);
      for (guint i = 0; i < job->status.n_conditions; i++)
        {
          const KsJobCondition *c = &job->status.conditions[i];
          json_builder_begin_object (b);
          ks_builder_add_string (b, "type", job_condition_names[c->type]);
          ks_builder_add_string (b, "status", ks_condition_status_name (c->status));
          ks_builder_add_time (b, "lastProbeTime", c->last_probe_time, epoch);
          ks_builder_add_time (b, "lastTransitionTime", c->last_transition_time, epoch);
          if (c->reason != NULL)
            ks_builder_add_string (b, "reason", c->reason);
          if (c->message != NULL)
            ks_builder_add_string (b, "message", c->message);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  if (job->status.start_time != KS_TIME_NONE)
    ks_builder_add_time (b, "startTime", job->status.start_time, epoch);
  if (job->status.completion_time != KS_TIME_NONE)
    ks_builder_add_time (b, "completionTime", job->status.completion_time, epoch);
  if (job->status.active)
    ks_builder_add_int (b, "active", job->status.active);
  if (job->status.succeeded)
    ks_builder_add_int (b, "succeeded", job->status.succeeded);
  if (job->status.failed)
    ks_builder_add_int (b, "failed", job->status.failed);
  if (job->status.completed_indexes != NULL)
    ks_builder_add_string (b, "completedIndexes", job->status.completed_indexes);
  if (job->status.start_time != KS_TIME_NONE)
    {
      /* Pointers Kubernetes v1.32 always sets once the controller synced the Job. */
      ks_builder_add_int (b, "terminating", job->status.terminating);
      ks_builder_add_int (b, "ready", job->status.ready);
    }
  json_builder_end_object (b);
}

static void
job_copy_status_strings (KsJob *dst, const KsJob *src)
{
  dst->status.completed_indexes = g_strdup (src->status.completed_indexes);
  for (guint i = 0; i < src->status.n_conditions; i++)
    dst->status.conditions[i].message = g_strdup (src->status.conditions[i].message);
}

static void
job_free_status_strings (KsJob *job)
{
  g_free (job->status.completed_indexes);
  for (guint i = 0; i < job->status.n_conditions; i++)
    g_free (job->status.conditions[i].message);
}

static void
job_copy (KsObject *dst_obj, const KsObject *src_obj)
{
  KsJob *dst = KS_JOB (dst_obj);
  const KsJob *src = KS_JOB (src_obj);

  ks_label_selector_ref (dst->selector);
  ks_pod_template_copy (&dst->template, &src->template);
  job_copy_status_strings (dst, src);
}

static void
job_copy_status (KsObject *dst_obj, const KsObject *src_obj)
{
  KsJob *dst = KS_JOB (dst_obj);

  job_free_status_strings (dst);
  dst->status = KS_JOB (src_obj)->status;
  job_copy_status_strings (dst, KS_JOB (src_obj));
}

static void
job_finalize (KsObject *obj)
{
  KsJob *job = KS_JOB (obj);

  ks_label_selector_unref (job->selector);
  ks_pod_template_clear (&job->template);
  job_free_status_strings (job);
}

static gboolean
job_spec_changed (const KsObject *a_obj, const KsObject *b_obj)
{
  const KsJob *a = KS_JOB (a_obj), *b = KS_JOB (b_obj);
  g_autofree char *ja = NULL;
  g_autofree char *jb = NULL;

  if (a->parallelism != b->parallelism || a->has_completions != b->has_completions
      || a->completions != b->completions || a->backoff_limit != b->backoff_limit
      || a->active_deadline_seconds != b->active_deadline_seconds
      || a->ttl_seconds_after_finished != b->ttl_seconds_after_finished
      || a->completion_mode != b->completion_mode
      || !ks_label_selector_equal (a->selector, b->selector))
    return TRUE;
  if (a->template.spec == NULL || b->template.spec == NULL)
    return a->template.spec != b->template.spec;
  ja = ks_pod_template_to_json (&a->template, NULL);
  jb = ks_pod_template_to_json (&b->template, NULL);
  return strcmp (ja, jb) != 0;
}

static void
job_prepare_for_create (KsObject *obj)
{
  ks_job_generate_selector (KS_JOB (obj));
}

const KsKind ks_job_kind = {
  .id = KS_KIND_JOB,
  .name = "Job",
  .api_version = "batch/v1",
  .group = "batch",
  .plural = "jobs",
  .short_name = NULL,
  .namespaced = TRUE,
  .has_generation = TRUE,
  .size = sizeof (KsJob),
  .decode = job_decode,
  .encode = job_encode,
  .copy = job_copy,
  .finalize = job_finalize,
  .copy_status = job_copy_status,
  .spec_changed = job_spec_changed,
  .prepare_for_create = job_prepare_for_create,
};

/* ks-job-controller.c: the Job controller (pkg/controller/job, v1.32).
 *
 * Keeps min(parallelism, remaining completions) pods active, counts succeeded and failed pods,
 * delays replacements of failed pods by the pod failure backoff (10 s doubling per failure since
 * the last success, capped), and finishes the Job: SuccessCriteriaMet then Complete, or
 * FailureTarget then Failed (BackoffLimitExceeded, DeadlineExceeded) once the pods it deleted are
 * gone, as v1.32 does with JobPodReplacementPolicy on.
 *
 * Differences from Kubernetes (docs/architecture.md): no batch.kubernetes.io/job-tracking
 * finalizers.  succeeded and failed are counted from the terminal pods that still exist (the
 * legacy tracking), never going down: deleting a finished pod of a running Job does not uncount
 * it, but a pod deleted before it finished is not counted as failed.  The backoff record is kept
 * in memory, as in Kubernetes.  No podFailurePolicy, successPolicy, backoffLimitPerIndex or
 * suspend; no expectations (the store is synchronous). */
#include "config.h"

#include <string.h>

#include "ks-controller-private.h"
#include "src/api/ks-batch.h"

#define MAX_POD_CREATE_DELETE_PER_SYNC 500

typedef struct
{
  KsUid uid;                /* the Job's */
  GHashTable *seen;         /* &uid → pod UID copy: terminal pods already in the backoff record */
  gint32 failures;          /* failuresAfterLastSuccess */
  gint64 last_failure_time; /* KS_TIME_NONE when none */
} Backoff;

struct _KsJobController
{
  KsController c;
  GHashTable *backoff; /* &Job uid → Backoff */
};

static void
backoff_free (gpointer p)
{
  Backoff *b = p;
  g_hash_table_unref (b->seen);
  g_free (b);
}

gint64
ks_job_backoff_delay (gint32 failures)
{
  gint64 d = KS_JOB_POD_FAILURE_BACKOFF;

  if (failures <= 0)
    return 0;
  /* getRemainingTimeForFailuresCount: double per failure after the first, stop at the cap. */
  for (gint32 i = 1; i < failures; i++)
    {
      d *= 2;
      if (d >= KS_JOB_MAX_POD_FAILURE_BACKOFF)
        return KS_JOB_MAX_POD_FAILURE_BACKOFF;
    }
  return d;
}

static void
on_job (const KsWatchEvent *event, gpointer data)
{
  KsJobController *jc = data;
  g_autofree char *key = NULL;

  if (event->type == KS_WATCH_DELETED)
    {
      g_hash_table_remove (jc->backoff, &event->object->meta.uid);
      return;
    }
  key = ks_object_key (event->object);
  ks_workqueue_add (jc->c.queue, key);
}

static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  KsJobController *jc = data;

  ks_controller_enqueue_owner (&jc->c, event->object, "Job");
}

/* When the pod finished: the latest container finish, else the Ready condition's last change
 * (getFinishedTime), else now. */
static gint64
pod_finished_time (const KsPod *pod, gint64 now)
{
  gint64 t = KS_TIME_NONE;

  if (pod->container_statuses != NULL)
    for (guint i = 0; i < pod->spec->n_containers; i++)
      if (pod->container_statuses[i].state == KS_CONTAINER_TERMINATED
          && pod->container_statuses[i].finished_at > t)
        t = pod->container_statuses[i].finished_at;
  if (t == KS_TIME_NONE && pod->conditions[KS_POD_COND_READY].status != KS_CONDITION_UNSET)
    t = pod->conditions[KS_POD_COND_READY].last_transition_time;
  return t != KS_TIME_NONE ? t : now;
}

static gint
compare_finished (gconstpointer a, gconstpointer b, gpointer now)
{
  gint64 ta = pod_finished_time (*(KsPod *const *) a, *(gint64 *) now);
  gint64 tb = pod_finished_time (*(KsPod *const *) b, *(gint64 *) now);
  return ta < tb ? -1 : ta > tb;
}

/* newBackoffRecord: fold the pods that finished since the last sync into the record. */
static void
update_backoff (Backoff *b, GPtrArray *pods, gint64 now)
{
  g_autoptr (GPtrArray) succeeded = g_ptr_array_new ();
  g_autoptr (GPtrArray) failed = g_ptr_array_new ();

  for (guint i = 0; i < pods->len; i++)
    {
      KsPod *pod = g_ptr_array_index (pods, i);
      if (!ks_pod_is_terminal (pod) || g_hash_table_contains (b->seen, &pod->parent.meta.uid))
        continue;
      KsUid *uid = g_memdup2 (&pod->parent.meta.uid, sizeof (KsUid));
      g_hash_table_add (b->seen, uid);
      g_ptr_array_add (pod->phase == KS_POD_SUCCEEDED ? succeeded : failed, pod);
    }
  g_ptr_array_sort_with_data (succeeded, compare_finished, &now);
  g_ptr_array_sort_with_data (failed, compare_finished, &now);
  if (succeeded->len == 0)
    {
      if (failed->len == 0)
        return;
      b->failures += failed->len;
      b->last_failure_time = pod_finished_time (g_ptr_array_index (failed, failed->len - 1), now);
      return;
    }
  /* A success resets the count to the failures that came after it. */
  gint64 last_success = pod_finished_time (g_ptr_array_index (succeeded, succeeded->len - 1), now);
  b->failures = 0;
  b->last_failure_time = KS_TIME_NONE;
  for (guint i = failed->len; i-- > 0;)
    {
      gint64 t = pod_finished_time (g_ptr_array_index (failed, i), now);
      if (t <= last_success)
        break;
      if (b->last_failure_time == KS_TIME_NONE)
        b->last_failure_time = t;
      b->failures++;
    }
}

static gint64
backoff_remaining (const Backoff *b, gint64 now)
{
  gint64 delay = ks_job_backoff_delay (b->failures);
  gint64 elapsed;

  if (b->failures == 0)
    return 0;
  elapsed = now - b->last_failure_time;
  return delay < elapsed ? 0 : delay - elapsed;
}

static gint32
pod_index (const KsPod *pod)
{
  const char *v = ks_object_get_annotation (KS_OBJECT (pod), KS_JOB_COMPLETION_INDEX);
  char *end;
  gint64 i;

  if (v == NULL || !g_ascii_isdigit (v[0]))
    return -1;
  i = g_ascii_strtoll (v, &end, 10);
  return *end == '\0' && i <= G_MAXINT32 ? (gint32) i : -1;
}

/* addCompletionIndexEnvVariable: JOB_COMPLETION_INDEX, a downward API reference to the pod's
 * completion-index annotation, for a container that does not set it. */
static void
add_completion_index_env (KsContainer *c)
{
  for (guint i = 0; i < c->n_env; i++)
    if (strcmp (c->env[i].name, "JOB_COMPLETION_INDEX") == 0)
      return;
  c->env = g_renew (KsEnvVar, c->env, c->n_env + 1);
  c->env[c->n_env].name = g_strdup ("JOB_COMPLETION_INDEX");
  c->env[c->n_env].value = g_strdup ("");
  c->env[c->n_env].field_path = g_strdup ("metadata.annotations['" KS_JOB_COMPLETION_INDEX "']");
  c->n_env++;
}

static gboolean
create_pod (KsJobController *jc, KsJob *job, KsOwnerRefs *owner, gint32 index)
{
  g_autoptr (GError) error = NULL;
  KsPod *pod = ks_pod_new_from_template (&job->template);
  KsObject *created;
  g_autofree char *prefix = NULL;

  if (index >= 0)
    {
      /* The index as annotation and label, and as JOB_COMPLETION_INDEX in every container;
       * the pod's hostname "<job>-<index>" and name "<job>-<index>-xxxxx". */
      char idx[16];
      KsPodSpec *spec;
      g_snprintf (idx, sizeof idx, "%d", index);
      prefix = g_strdup_printf ("%s-%d-", job->parent.meta.name, index);
      ks_object_set_annotation (KS_OBJECT (pod), KS_JOB_COMPLETION_INDEX, idx);
      g_autoptr (KsStrMap) labels
          = ks_str_map_with (pod->parent.meta.labels, KS_JOB_COMPLETION_INDEX, idx);
      ks_object_set_labels (KS_OBJECT (pod), labels);
      spec = ks_pod_spec_copy (pod->spec);
      if (spec->hostname == NULL)
        spec->hostname = g_strdup_printf ("%s-%d", job->parent.meta.name, index);
      for (guint i = 0; i < spec->n_init_containers; i++)
        add_completion_index_env (&spec->init_containers[i]);
      for (guint i = 0; i < spec->n_containers; i++)
        add_completion_index_env (&spec->containers[i]);
      ks_pod_spec_unref (pod->spec);
      pod->spec = spec;
    }
  else
    prefix = g_strdup_printf ("%s-", job->parent.meta.name);
  pod->parent.meta.generate_name = ks_intern (prefix);
  pod->parent.meta.namespace = job->parent.meta.namespace;
  ks_object_set_owner_refs (KS_OBJECT (pod), owner);
  created = ks_client_create (jc->c.client, KS_OBJECT (pod), &error);
  ks_object_unref (KS_OBJECT (pod));
  if (created == NULL)
    {
      ks_event_record (&jc->c.events, KS_OBJECT (job), TRUE, "FailedCreate", NULL,
                       "Error creating: %s", error->message);
      return FALSE;
    }
  ks_event_record (&jc->c.events, KS_OBJECT (job), FALSE, "SuccessfulCreate", NULL,
                   "Created pod: %s", created->meta.name);
  ks_object_unref (created);
  return TRUE;
}

static void
delete_pod (KsJobController *jc, KsJob *job, KsPod *pod)
{
  g_autoptr (GError) error = NULL;

  if (!ks_client_delete (jc->c.client, ks_kind_get (KS_KIND_POD), pod->parent.meta.namespace,
                         pod->parent.meta.name, NULL, &error))
    {
      if (!g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
        ks_event_record (&jc->c.events, KS_OBJECT (job), TRUE, "FailedDelete", NULL,
                         "Error deleting: %s", error->message);
      return;
    }
  ks_event_record (&jc->c.events, KS_OBJECT (job), FALSE, "SuccessfulDelete", NULL,
                   "Deleted pod: %s", pod->parent.meta.name);
}

/* "0-2,4,6-7" from a sorted membership array. */
static char *
format_indexes (const gboolean *done, gint32 n)
{
  GString *s = g_string_new (NULL);

  for (gint32 i = 0; i < n; i++)
    {
      gint32 j = i;
      if (!done[i])
        continue;
      while (j + 1 < n && done[j + 1])
        j++;
      if (s->len > 0)
        g_string_append_c (s, ',');
      if (j == i)
        g_string_append_printf (s, "%d", i);
      else
        g_string_append_printf (s, "%d-%d", i, j);
      i = j;
    }
  if (s->len == 0)
    {
      g_string_free (s, TRUE);
      return NULL;
    }
  return g_string_free (s, FALSE);
}

/* pastBackoffLimitOnFailure: restarts of active pods' containers under OnFailure. */
static gboolean
past_backoff_limit_on_failure (const KsJob *job, GPtrArray *active)
{
  gint64 restarts = 0;

  if (job->template.spec->restart_policy != KS_RESTART_ON_FAILURE)
    return FALSE;
  for (guint i = 0; i < active->len; i++)
    {
      const KsPod *pod = g_ptr_array_index (active, i);
      if (pod->container_statuses != NULL)
        for (guint k = 0; k < pod->spec->n_containers; k++)
          restarts += pod->container_statuses[k].restart_count;
      if (ks_pod_init_container_statuses (pod) != NULL)
        for (guint k = 0; k < pod->spec->n_init_containers; k++)
          restarts += ks_pod_init_container_statuses (pod)[k].restart_count;
    }
  if (job->backoff_limit == 0)
    return restarts > 0;
  return restarts >= job->backoff_limit;
}

static void
sync_job (const char *key, gpointer data)
{
  KsJobController *jc = data;
  g_autofree char *ns = NULL;
  const char *name;
  g_autoptr (KsObject) obj = NULL;
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) active = g_ptr_array_new ();
  g_autoptr (KsObject) copy_obj = NULL;
  g_autofree gboolean *index_done = NULL;
  g_autofree gboolean *index_active = NULL;
  gint64 now = ks_clock_now (jc->c.clock);
  KsJob *job, *copy;
  Backoff *b;
  gint32 succeeded = 0, failed = 0, ready = 0, terminating = 0, n_active;
  const KsJobCondition *target;
  gboolean indexed;

  ks_controller_split_key (key, &ns, &name);
  obj = ks_client_get (jc->c.client, ks_kind_get (KS_KIND_JOB), ns, name, NULL);
  if (obj == NULL)
    return;
  job = KS_JOB (obj);
  if (ks_job_is_finished (job) || ks_object_is_being_deleted (obj) || job->template.spec == NULL)
    return;
  indexed = job->completion_mode == KS_JOB_INDEXED;
  b = g_hash_table_lookup (jc->backoff, &obj->meta.uid);
  if (b == NULL)
    {
      b = g_new0 (Backoff, 1);
      b->uid = obj->meta.uid;
      b->seen = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, g_free, NULL);
      b->last_failure_time = KS_TIME_NONE;
      g_hash_table_insert (jc->backoff, &b->uid, b);
    }

  /* The pods the Job controls. */
  all = ks_client_list_dependents (jc->c.client, ks_kind_get (KS_KIND_POD), obj, NULL);
  if (indexed)
    {
      index_done = g_new0 (gboolean, MAX (job->completions, 1));
      index_active = g_new0 (gboolean, MAX (job->completions, 1));
    }
  for (guint i = all->len; i-- > 0;)
    {
      KsPod *pod = g_ptr_array_index (all, i);
      const KsOwnerRef *ref = ks_object_get_controller_ref (KS_OBJECT (pod));
      gint32 idx = indexed ? pod_index (pod) : -1;
      if (ref == NULL || !ks_uid_equal (&ref->uid, &obj->meta.uid))
        {
          g_ptr_array_remove_index (all, i);
          continue;
        }
      if (pod->phase == KS_POD_SUCCEEDED)
        {
          if (!indexed)
            succeeded++;
          else if (idx >= 0 && idx < job->completions)
            index_done[idx] = TRUE;
        }
      else if (pod->phase == KS_POD_FAILED)
        failed++;
      else if (ks_object_is_being_deleted (KS_OBJECT (pod)))
        terminating++;
      else
        {
          g_ptr_array_add (active, pod);
          ready += ks_pod_is_ready (pod);
          if (indexed && idx >= 0 && idx < job->completions)
            index_active[idx] = TRUE;
        }
    }
  if (indexed)
    for (gint32 i = 0; i < job->completions; i++)
      succeeded += index_done[i];
  /* Finished pods stay counted when they are deleted later (see the top of the file). */
  succeeded = MAX (succeeded, job->status.succeeded);
  failed = MAX (failed, job->status.failed);
  update_backoff (b, all, now);

  copy_obj = ks_object_copy (obj);
  copy = KS_JOB (copy_obj);
  if (copy->status.start_time == KS_TIME_NONE)
    copy->status.start_time = now;

  target = ks_job_get_condition (job, KS_JOB_COND_FAILURE_TARGET);
  if (target == NULL)
    target = ks_job_get_condition (job, KS_JOB_COND_SUCCESS_CRITERIA_MET);
  if (target == NULL)
    {
      gint64 deadline = copy->status.start_time + job->active_deadline_seconds * KS_USEC_PER_SEC;
      if (failed > job->backoff_limit || past_backoff_limit_on_failure (job, active))
        ks_job_set_condition (copy, KS_JOB_COND_FAILURE_TARGET, KS_CONDITION_TRUE,
                              "BackoffLimitExceeded", "Job has reached the specified backoff limit",
                              now);
      else if (job->active_deadline_seconds > 0 && now >= deadline)
        ks_job_set_condition (copy, KS_JOB_COND_FAILURE_TARGET, KS_CONDITION_TRUE,
                              "DeadlineExceeded", "Job was active longer than specified deadline",
                              now);
      else if (job->active_deadline_seconds > 0)
        ks_workqueue_add_after (jc->c.queue, key, deadline - now);
      target = ks_job_get_condition (copy, KS_JOB_COND_FAILURE_TARGET);
    }

  n_active = active->len;
  if (target != NULL && target->type == KS_JOB_COND_FAILURE_TARGET)
    {
      /* deleteActivePods: the Job fails; its running pods go. */
      for (guint i = 0; i < active->len; i++)
        delete_pod (jc, job, g_ptr_array_index (active, i));
      terminating += n_active;
      n_active = 0;
      ready = 0;
    }
  else if (target == NULL)
    {
      /* manageJob */
      gint32 want;
      if (!job->has_completions)
        want = succeeded > 0 ? n_active : job->parallelism;
      else
        want = CLAMP (job->completions - succeeded, 0, job->parallelism);
      if (n_active > want)
        {
          /* activePodsForRemoval: Kubernetes' deletion order; highest indexes first when
           * Indexed is close enough, so take the ranking of the ReplicaSet's. */
          gint32 n = MIN (n_active - want, MAX_POD_CREATE_DELETE_PER_SYNC);
          g_autofree KsPod **pods = g_new (KsPod *, active->len);
          g_autofree gint *ranks = g_new0 (gint, active->len);
          for (guint i = 0; i < active->len; i++)
            pods[i] = g_ptr_array_index (active, i);
          ks_sort_pods_for_deletion (pods, ranks, active->len, now);
          for (gint32 i = 0; i < n; i++)
            delete_pod (jc, job, pods[i]);
          terminating += n;
          n_active -= n;
        }
      else if (n_active < want)
        {
          gint64 remaining = backoff_remaining (b, now);
          if (remaining > 0)
            ks_workqueue_add_after (jc->c.queue, key, remaining);
          else
            {
              g_autoptr (KsOwnerRefs) owner = ks_owner_refs_new_controller (obj);
              gint32 todo = MIN (want - n_active, MAX_POD_CREATE_DELETE_PER_SYNC);
              gint32 batch = 1, next_index = 0;
              /* slowStartBatch: 1, 2, 4, ...; stop after a batch with an error. */
              while (todo > 0)
                {
                  gint32 ok = 0, n = MIN (batch, todo);
                  for (gint32 i = 0; i < n; i++)
                    {
                      gint32 idx = -1;
                      if (indexed)
                        {
                          /* firstPendingIndexes: the lowest indexes neither done nor running. */
                          while (next_index < job->completions
                                 && (index_done[next_index] || index_active[next_index]))
                            next_index++;
                          if (next_index >= job->completions)
                            break;
                          idx = next_index++;
                        }
                      ok += create_pod (jc, job, owner, idx);
                    }
                  n_active += ok;
                  if (ok < n)
                    break;
                  todo -= n;
                  batch *= 2;
                }
            }
        }
      if (!job->has_completions ? (succeeded > 0 && n_active == 0)
                                : (succeeded >= job->completions && n_active == 0))
        ks_job_set_condition (copy, KS_JOB_COND_SUCCESS_CRITERIA_MET, KS_CONDITION_TRUE,
                              "CompletionsReached", "Reached expected number of succeeded pods",
                              now);
      target = ks_job_get_condition (copy, KS_JOB_COND_SUCCESS_CRITERIA_MET);
    }

  /* enactJobFinished: the terminal condition once no pod is terminating. */
  if (target != NULL && terminating == 0)
    {
      if (target->type == KS_JOB_COND_SUCCESS_CRITERIA_MET)
        {
          ks_job_set_condition (copy, KS_JOB_COND_COMPLETE, KS_CONDITION_TRUE, "CompletionsReached",
                                "Reached expected number of succeeded pods", now);
          copy->status.completion_time = now;
          ks_event_record (&jc->c.events, obj, FALSE, "Completed", NULL, "Job completed");
        }
      else
        {
          g_autofree char *reason = g_strdup (target->reason);
          g_autofree char *message = g_strdup (target->message);
          ks_job_set_condition (copy, KS_JOB_COND_FAILED, KS_CONDITION_TRUE, reason, message, now);
          ks_event_record (&jc->c.events, obj, TRUE, reason, NULL, "%s", message);
        }
    }

  copy->status.active = n_active;
  copy->status.succeeded = succeeded;
  copy->status.failed = failed;
  copy->status.ready = ready;
  copy->status.terminating = terminating;
  if (indexed)
    {
      g_free (copy->status.completed_indexes);
      copy->status.completed_indexes = format_indexes (index_done, job->completions);
    }
  {
    g_autofree char *a = ks_object_to_json (obj, 0);
    g_autofree char *c = ks_object_to_json (copy_obj, 0);
    if (strcmp (a, c) != 0)
      {
        KsObject *updated = ks_client_update_status (jc->c.client, copy_obj, NULL);
        if (updated != NULL)
          ks_object_unref (updated);
      }
  }
}

KsJobController *
ks_job_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink)
{
  KsJobController *jc = g_new0 (KsJobController, 1);

  ks_controller_init (&jc->c, client, clock, sink, "job-controller", sync_job, jc);
  jc->backoff = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, NULL, backoff_free);
  jc->c.watches[jc->c.n_watches++]
      = ks_client_watch (client, ks_kind_get (KS_KIND_JOB), NULL, TRUE, on_job, jc, NULL);
  jc->c.watches[jc->c.n_watches++]
      = ks_client_watch (client, ks_kind_get (KS_KIND_POD), NULL, TRUE, on_pod, jc, NULL);
  return jc;
}

void
ks_job_controller_free (KsJobController *jc)
{
  if (jc == NULL)
    return;
  ks_controller_clear (&jc->c);
  g_hash_table_unref (jc->backoff);
  g_free (jc);
}

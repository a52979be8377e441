/* ks-ttl-after-finished-controller.c: the TTL-after-finished controller
 * (pkg/controller/ttlafterfinished).
 *
 * A Job that finished (Complete or Failed True) with spec.ttlSecondsAfterFinished set is deleted
 * that many seconds after the condition's lastTransitionTime, with foreground propagation (which
 * kubesim's store treats as background: the garbage collector then deletes the pods). */
#include "config.h"

#include "ks-controller-private.h"
#include "src/api/ks-batch.h"

struct _KsTtlAfterFinishedController
{
  KsController c;
};

static void
on_job (const KsWatchEvent *event, gpointer data)
{
  KsTtlAfterFinishedController *tc = data;
  const KsJob *job = KS_JOB (event->object);
  g_autofree char *key = NULL;

  if (event->type == KS_WATCH_DELETED || job->ttl_seconds_after_finished < 0
      || !ks_job_is_finished (job))
    return;
  key = ks_object_key (event->object);
  ks_workqueue_add (tc->c.queue, key);
}

/* When the Job finished: its terminal condition's transition. */
static gint64
finish_time (const KsJob *job)
{
  const KsJobCondition *c = ks_job_get_condition (job, KS_JOB_COND_COMPLETE);

  if (c == NULL || c->status != KS_CONDITION_TRUE)
    c = ks_job_get_condition (job, KS_JOB_COND_FAILED);
  return c->last_transition_time;
}

static void
sync_job (const char *key, gpointer data)
{
  KsTtlAfterFinishedController *tc = data;
  g_autofree char *ns = NULL;
  const char *name;
  g_autoptr (KsObject) obj = NULL;
  g_autoptr (GError) error = NULL;
  KsDeleteOptions options = KS_DELETE_OPTIONS_DEFAULT;
  const KsJob *job;
  gint64 expire, now = ks_clock_now (tc->c.clock);

  ks_controller_split_key (key, &ns, &name);
  obj = ks_client_get (tc->c.client, ks_kind_get (KS_KIND_JOB), ns, name, NULL);
  if (obj == NULL || ks_object_is_being_deleted (obj))
    return;
  job = KS_JOB (obj);
  if (job->ttl_seconds_after_finished < 0 || !ks_job_is_finished (job))
    return;
  expire = finish_time (job) + job->ttl_seconds_after_finished * KS_USEC_PER_SEC;
  if (now < expire)
    {
      ks_workqueue_add_after (tc->c.queue, key, expire - now);
      return;
    }
  options.propagation = KS_PROPAGATION_FOREGROUND;
  if (!ks_client_delete (tc->c.client, ks_kind_get (KS_KIND_JOB), ns, name, &options, &error)
      && !g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
    ks_workqueue_add_after (tc->c.queue, key, KS_USEC_PER_SEC); /* try again */
}

KsTtlAfterFinishedController *
ks_ttl_after_finished_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink)
{
  KsTtlAfterFinishedController *tc = g_new0 (KsTtlAfterFinishedController, 1);

  ks_controller_init (&tc->c, client, clock, sink, "ttl-after-finished-controller", sync_job, tc);
  tc->c.watches[tc->c.n_watches++]
      = ks_client_watch (client, ks_kind_get (KS_KIND_JOB), NULL, TRUE, on_job, tc, NULL);
  return tc;
}

void
ks_ttl_after_finished_controller_free (KsTtlAfterFinishedController *tc)
{
  if (tc == NULL)
    return;
  ks_controller_clear (&tc->c);
  g_free (tc);
}

/* ks-sim-prober.c: probes answered by the simulation model. */
#include "config.h"

#include "ks-sim-model.h"
#include "ks-sim-prober.h"

typedef struct
{
  KsProber parent;
  KsClock *clock;
} SimProber;

typedef struct
{
  KsProbeDoneFunc done;
  gpointer user_data;
  gboolean success;
  gboolean called;
  char *output;
} Answer;

static void
answer_run (gpointer data)
{
  Answer *a = data;
  a->called = TRUE;
  a->done (a->success, a->output, a->user_data);
}

static void
answer_free (gpointer data)
{
  Answer *a = data;
  /* The clock went first: the caller still hears once. */
  if (!a->called)
    a->done (FALSE, "cancelled", a->user_data);
  g_free (a->output);
  g_free (a);
}

/* The model's answer for one probe at now. */
static gboolean
model_answer (const KsProbeRequest *req, gint64 now, char **output)
{
  KsSimPodModel model;
  g_autoptr (GError) error = NULL;
  const KsStrMap *annotations = req->pod->parent.meta.annotations;
  gint64 since = now - req->started_at;

  if (!ks_sim_pod_model_parse (annotations, &model, &error))
    {
      *output = g_strdup (error->message);
      return FALSE;
    }
  if (req->kind == KS_PROBE_READINESS && model.readiness_delay >= 0
      && since < model.readiness_delay)
    {
      *output = g_strdup_printf ("not ready until %s after the start (%s)",
                                 ks_str_map_lookup (annotations, KS_ANNOTATION_READINESS_DELAY),
                                 KS_ANNOTATION_READINESS_DELAY);
      return FALSE;
    }
  if (req->kind == KS_PROBE_STARTUP && model.startup_probe_delay >= 0
      && since < model.startup_probe_delay)
    {
      *output = g_strdup_printf ("not started until %s after the start (%s)",
                                 ks_str_map_lookup (annotations, KS_ANNOTATION_STARTUP_PROBE_DELAY),
                                 KS_ANNOTATION_STARTUP_PROBE_DELAY);
      return FALSE;
    }
  if (req->kind == KS_PROBE_LIVENESS && model.liveness_fail_after >= 0
      && since >= model.liveness_fail_after)
    {
      *output = g_strdup_printf ("unhealthy from %s after the start (%s)",
                                 ks_str_map_lookup (annotations, KS_ANNOTATION_LIVENESS_FAIL_AFTER),
                                 KS_ANNOTATION_LIVENESS_FAIL_AFTER);
      return FALSE;
    }
  /* The windows count from the pod's start, so that they outlast the container's restarts. */
  if (req->pod->start_time != KS_TIME_NONE)
    {
      gint64 age = now - req->pod->start_time;
      const char *key = NULL;
      if (req->kind == KS_PROBE_READINESS && age >= model.readiness_fail_from
          && age < model.readiness_fail_to)
        key = KS_ANNOTATION_READINESS_FAIL_WINDOW;
      else if (req->kind == KS_PROBE_LIVENESS && age >= model.liveness_fail_from
               && age < model.liveness_fail_to)
        key = KS_ANNOTATION_LIVENESS_FAIL_WINDOW;
      if (key != NULL)
        {
          *output = g_strdup_printf ("failing while the pod's age is in %s (%s)",
                                     ks_str_map_lookup (annotations, key), key);
          return FALSE;
        }
    }
  *output = NULL;
  return TRUE;
}

static void
sp_probe (KsProber *self, const KsProbeRequest *req, KsProbeDoneFunc done, gpointer user_data)
{
  SimProber *p = (SimProber *) self;
  Answer *a = g_new0 (Answer, 1);
  gint64 now = ks_clock_now (p->clock);

  a->done = done;
  a->user_data = user_data;
  a->success = model_answer (req, now, &a->output);
  ks_clock_schedule (p->clock, now, answer_run, a, answer_free);
}

static void
sp_free (KsProber *self)
{
  g_free (self);
}

static const KsProberOps sim_prober_ops = {
  .http_get = sp_probe,
  .tcp = sp_probe,
  .exec = sp_probe,
  .free = sp_free,
};

KsProber *
ks_sim_prober_new (KsClock *clock)
{
  SimProber *p = g_new0 (SimProber, 1);

  p->parent.ops = &sim_prober_ops;
  p->clock = clock;
  return &p->parent;
}

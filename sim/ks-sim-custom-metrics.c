/* ks-sim-custom-metrics.c: request-rate metrics from the load model (see the header). */
#include "config.h"

#include <string.h>

#include "ks-sim-custom-metrics.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-service.h"
#include "src/controllers/ks-controllers.h"

/* One reading: the counters at a time. */
typedef struct
{
  gint64 time;
  GHashTable *pods;     /* "ns/name" → guint64 * requests received */
  GHashTable *services; /* "ns/name" → guint64 * requests sent (Services with a load) */
} Reading;

typedef struct
{
  KsCustomMetricsSource parent;
  KsClient *client;
  KsClock *clock;
  KsSimTraffic *traffic;
  gint64 resolution;
  guint64 task;
  Reading last, prev; /* time KS_TIME_NONE until read */
} SimCustom;

static void
reading_clear (Reading *r)
{
  g_clear_pointer (&r->pods, g_hash_table_unref);
  g_clear_pointer (&r->services, g_hash_table_unref);
  r->time = KS_TIME_NONE;
}

static void
read_counters (gpointer data)
{
  SimCustom *s = data;
  g_autoptr (GPtrArray) pods = ks_client_list (s->client, ks_kind_get (KS_KIND_POD), NULL, NULL);

  s->task = ks_clock_schedule_in (s->clock, s->resolution, read_counters, s, NULL);
  reading_clear (&s->prev);
  s->prev = s->last;
  s->last.time = ks_clock_now (s->clock);
  s->last.pods = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; pods != NULL && i < pods->len; i++)
    {
      const KsObject *pod = g_ptr_array_index (pods, i);
      guint64 *n = g_new (guint64, 1);
      *n = s->traffic != NULL ? ks_sim_traffic_pod_requests (s->traffic, &pod->meta.uid) : 0;
      g_hash_table_insert (s->last.pods, ks_object_key (pod), n);
    }
  s->last.services = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (s->traffic != NULL)
    {
      g_autoptr (GPtrArray) services
          = ks_client_list (s->client, ks_kind_get (KS_KIND_SERVICE), NULL, NULL);
      for (guint i = 0; services != NULL && i < services->len; i++)
        {
          const KsObject *svc = g_ptr_array_index (services, i);
          KsServiceTraffic totals;
          if (ks_sim_traffic_get_totals (s->traffic, svc->meta.namespace, svc->meta.name, &totals))
            {
              guint64 *n = g_new (guint64, 1);
              *n = totals.requests;
              g_hash_table_insert (s->last.services, ks_object_key (svc), n);
            }
        }
    }
}

static gboolean
no_window (SimCustom *s, const char *metric, GError **error)
{
  if (s->prev.time != KS_TIME_NONE)
    return FALSE;
  g_set_error (error, KS_CONTROLLER_ERROR, 0,
               "unable to fetch metrics from custom metrics API: no metrics for %s yet", metric);
  return TRUE;
}

/* Requests per second, milli, from two counter values over the window. */
static gint64
rate_milli (SimCustom *s, guint64 last, guint64 prev)
{
  guint64 d = last >= prev ? last - prev : 0;
  return (gint64) (d * 1000 * KS_USEC_PER_SEC / (guint64) (s->last.time - s->prev.time));
}

static gboolean
pods_metric (KsCustomMetricsSource *self, const char *ns, const char *metric, GHashTable *out,
             gint64 *timestamp, GError **error)
{
  SimCustom *s = (SimCustom *) self;
  GHashTableIter iter;
  gpointer key, value;
  g_autofree char *prefix = g_strconcat (ns, "/", NULL);

  if (strcmp (metric, KS_CUSTOM_METRIC_RPS) != 0)
    {
      g_set_error (error, KS_CONTROLLER_ERROR, 0,
                   "unable to fetch metrics from custom metrics API: the server could not find "
                   "the metric %s for pods",
                   metric);
      return FALSE;
    }
  if (no_window (s, metric, error))
    return FALSE;
  g_hash_table_iter_init (&iter, s->last.pods);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const guint64 *prev = g_hash_table_lookup (s->prev.pods, key);
      gint64 *v;
      if (prev == NULL || !g_str_has_prefix (key, prefix))
        continue;
      v = g_new (gint64, 1);
      *v = rate_milli (s, *(const guint64 *) value, *prev);
      g_hash_table_insert (out, g_strdup ((const char *) key + strlen (prefix)), v);
    }
  *timestamp = s->last.time;
  return TRUE;
}

static gboolean
object_metric (KsCustomMetricsSource *self, const char *ns, const KsHpaObjectRef *described,
               const char *metric, gint64 *value, gint64 *timestamp, GError **error)
{
  SimCustom *s = (SimCustom *) self;
  g_autofree char *service = NULL;
  g_autofree char *key = NULL;
  const guint64 *last, *prev;

  if (described != NULL)
    {
      if (g_strcmp0 (described->kind, "Service") != 0 || strcmp (metric, KS_CUSTOM_METRIC_RPS) != 0)
        {
          g_set_error (error, KS_CONTROLLER_ERROR, 0,
                       "unable to fetch metrics from custom metrics API: the server could not "
                       "find the metric %s for %s %s",
                       metric, described->kind, described->name);
          return FALSE;
        }
      service = g_strdup (described->name);
    }
  else
    {
      if (!g_str_has_suffix (metric, "_" KS_CUSTOM_METRIC_RPS)
          || strlen (metric) == strlen ("_" KS_CUSTOM_METRIC_RPS))
        {
          g_set_error (error, KS_CONTROLLER_ERROR, 0,
                       "unable to fetch metrics from external metrics API: the server could not "
                       "find the requested resource (external metric %s; kubesim serves "
                       "<service>_" KS_CUSTOM_METRIC_RPS ")",
                       metric);
          return FALSE;
        }
      service = g_strndup (metric, strlen (metric) - strlen ("_" KS_CUSTOM_METRIC_RPS));
    }
  if (no_window (s, metric, error))
    return FALSE;
  key = g_strdup_printf ("%s/%s", ns, service);
  last = g_hash_table_lookup (s->last.services, key);
  prev = g_hash_table_lookup (s->prev.services, key);
  if (last == NULL || prev == NULL)
    {
      g_set_error (error, KS_CONTROLLER_ERROR, 0,
                   "unable to fetch metrics from custom metrics API: the server could not find "
                   "the metric %s for services %s (no load is sent to it)",
                   KS_CUSTOM_METRIC_RPS, service);
      return FALSE;
    }
  *value = rate_milli (s, *last, *prev);
  *timestamp = s->last.time;
  return TRUE;
}

static const KsCustomMetricsSourceOps ops = { pods_metric, object_metric };

KsCustomMetricsSource *
ks_sim_custom_metrics_new (KsClient *client, KsClock *clock, KsSimTraffic *traffic,
                           gint64 resolution)
{
  SimCustom *s = g_new0 (SimCustom, 1);

  s->parent.ops = &ops;
  s->client = client;
  s->clock = clock;
  s->traffic = traffic;
  s->resolution = resolution;
  s->last.time = s->prev.time = KS_TIME_NONE;
  s->task = ks_clock_schedule (clock, ks_clock_now (clock), read_counters, s, NULL);
  return &s->parent;
}

void
ks_sim_custom_metrics_free (KsCustomMetricsSource *source)
{
  SimCustom *s = (SimCustom *) source;

  if (s == NULL)
    return;
  ks_clock_cancel (s->clock, s->task);
  reading_clear (&s->last);
  reading_clear (&s->prev);
  g_free (s);
}

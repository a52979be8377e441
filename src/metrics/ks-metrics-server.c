/* ks-metrics-server.c: the periodic scrape of every node (see ks-metrics-server.h).
 *
 * A Cycle is one scrape of the cluster: it asks the source for every Node and collects the
 * batches; when the last answer has come it stores them all.  The cycle is reference-counted by
 * the scrapes in flight, so a source that answers after the server is gone finds a detached
 * cycle and only frees what it sent. */
#include "config.h"

#include "ks-metrics-server.h"

typedef struct _Cycle Cycle;

struct _KsMetricsServer
{
  KsClient *client;
  KsClock *clock;
  KsMetricsSource *source;
  gint64 resolution;
  KsMetricsStorage *storage;
  guint64 task;
  Cycle *cycle; /* in flight, or NULL */
  guint n_scrapes;
};

struct _Cycle
{
  gint ref_count;
  KsMetricsServer *server; /* NULL once detached */
  GPtrArray *batches;      /* KsMetricsBatch * */
  guint pending;
};

static void
cycle_unref (Cycle *c)
{
  if (--c->ref_count > 0)
    return;
  g_ptr_array_unref (c->batches);
  g_free (c);
}

static void
cycle_finish (Cycle *c)
{
  KsMetricsServer *s = c->server;

  ks_metrics_storage_store (s->storage, c->batches);
  s->n_scrapes++;
  s->cycle = NULL;
  c->server = NULL;
  cycle_unref (c); /* the server's reference */
}

static void
on_scraped (KsMetricsBatch *batch, const GError *error, gpointer data)
{
  Cycle *c = data;

  if (c->server == NULL)
    ks_metrics_batch_free (batch);
  else
    {
      if (batch != NULL)
        g_ptr_array_add (c->batches, batch);
      else if (error != NULL)
        g_debug ("metrics: %s", error->message);
      if (--c->pending == 0)
        cycle_finish (c);
    }
  cycle_unref (c);
}

static void
tick (gpointer data)
{
  KsMetricsServer *s = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) nodes = NULL;
  Cycle *c;

  s->task = ks_clock_schedule_in (s->clock, s->resolution, tick, s, NULL);
  if (s->cycle != NULL)
    {
      g_message ("metrics: the previous scrape is still running; skipping this one");
      return;
    }
  nodes = ks_client_list (s->client, ks_kind_get (KS_KIND_NODE), NULL, &error);
  if (nodes == NULL)
    {
      g_message ("metrics: cannot list nodes: %s", error->message);
      return;
    }
  c = g_new0 (Cycle, 1);
  c->ref_count = 1; /* the server's, until the cycle finishes */
  c->server = s;
  c->batches = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_metrics_batch_free);
  c->pending = nodes->len + 1; /* + 1: not finished while the scrapes are being started */
  s->cycle = c;
  for (guint i = 0; i < nodes->len; i++)
    {
      c->ref_count++;
      s->source->ops->scrape (s->source, KS_NODE (g_ptr_array_index (nodes, i)), on_scraped, c);
    }
  c->ref_count++;
  on_scraped (NULL, NULL, c);
}

KsMetricsServer *
ks_metrics_server_new (KsClient *client, KsClock *clock, KsMetricsSource *source, gint64 resolution)
{
  KsMetricsServer *s;

  g_return_val_if_fail (client != NULL && clock != NULL && source != NULL, NULL);
  g_return_val_if_fail (resolution > 0, NULL);
  s = g_new0 (KsMetricsServer, 1);
  s->client = client;
  s->clock = clock;
  s->source = source;
  s->resolution = resolution;
  s->storage = ks_metrics_storage_new (resolution);
  s->task = ks_clock_schedule (clock, ks_clock_now (clock), tick, s, NULL);
  return s;
}

void
ks_metrics_server_free (KsMetricsServer *s)
{
  if (s == NULL)
    return;
  ks_clock_cancel (s->clock, s->task);
  if (s->cycle != NULL)
    {
      s->cycle->server = NULL;
      cycle_unref (s->cycle);
    }
  s->source->ops->free (s->source);
  ks_metrics_storage_free (s->storage);
  g_free (s);
}

gint64
ks_metrics_server_get_resolution (KsMetricsServer *s)
{
  return s->resolution;
}

KsMetricsStorage *
ks_metrics_server_get_storage (KsMetricsServer *s)
{
  return s->storage;
}

guint
ks_metrics_server_get_n_scrapes (KsMetricsServer *s)
{
  return s->n_scrapes;
}

KsPodMetrics *
ks_metrics_server_get_pod_metrics (KsMetricsServer *s, const KsPod *pod)
{
  return ks_metrics_storage_get_pod (s->storage, KS_OBJECT (pod)->meta.namespace,
                                     KS_OBJECT (pod)->meta.name);
}

KsNodeMetrics *
ks_metrics_server_get_node_metrics (KsMetricsServer *s, const KsNode *node)
{
  return ks_metrics_storage_get_node (s->storage, KS_OBJECT (node)->meta.name);
}

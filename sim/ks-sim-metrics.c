/* ks-sim-metrics.c: the metrics source over the modelled runtimes (see ks-sim-metrics.h).
 *
 * The pods of each node come from one list of every pod, made again at the first scrape at a new
 * clock time (a scrape of the whole cluster happens at one instant), so that a cycle lists the
 * pods once rather than once per node. */
#include "config.h"

#include "ks-sim-metrics.h"
#include "ks-sim-model.h"
#include "ks-sim-runtime.h"

typedef struct
{
  gint64 time;      /* of the last scrape */
  gint64 rate;      /* millicores the node's pods used then */
  guint64 cpu_ns;   /* accrued until time */
  gboolean started; /* scraped before */
} NodeCounter;

typedef struct
{
  KsMetricsSource parent;
  KsClient *client;
  KsClock *clock;
  KsSimRuntimeLookup lookup;
  gpointer user_data;
  gint64 index_time;
  GHashTable *pods_by_node; /* node name → GPtrArray of KsPod (references) */
  GHashTable *counters;     /* node name → NodeCounter */
  GHashTable *pod_load;     /* KsUid* (owned) → guint64* served-request CPU at the last scrape */
} SimSource;

static void
rebuild_index (SimSource *s)
{
  gint64 now = ks_clock_now (s->clock);
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (GError) error = NULL;

  if (s->pods_by_node != NULL && s->index_time == now)
    return;
  g_clear_pointer (&s->pods_by_node, g_hash_table_unref);
  s->pods_by_node
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  s->index_time = now;
  pods = ks_client_list (s->client, ks_kind_get (KS_KIND_POD), NULL, &error);
  if (pods == NULL)
    {
      g_message ("metrics: cannot list pods: %s", error->message);
      return;
    }
  for (guint i = 0; i < pods->len; i++)
    {
      KsPod *pod = g_ptr_array_index (pods, i);
      GPtrArray *list;
      if (pod->node_name == NULL || ks_pod_is_terminal (pod))
        continue;
      list = g_hash_table_lookup (s->pods_by_node, pod->node_name);
      if (list == NULL)
        {
          list = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
          g_hash_table_insert (s->pods_by_node, g_strdup (pod->node_name), list);
        }
      g_ptr_array_add (list, ks_object_ref (KS_OBJECT (pod)));
    }
}

/* Add pod's running containers (sidecars, then containers) to batch; the pod's modelled usage
 * to *rate and *memory when any of them runs. */
static void
add_pod (SimSource *s, KsRuntime *rt, const KsPod *pod, KsMetricsBatch *batch, gint64 *rate,
         gint64 *memory, guint64 *load)
{
  const KsPodSpec *spec = pod->spec;
  const KsObject *obj = KS_OBJECT (pod);
  gboolean any = FALSE;
  KsSimPodModel model;

  for (guint i = 0; i < spec->n_init_containers + spec->n_containers; i++)
    {
      gboolean init = i < spec->n_init_containers;
      const KsContainer *c
          = init ? &spec->init_containers[i] : &spec->containers[i - spec->n_init_containers];
      KsStats stats;
      KsMetricsPoint point;
      if (!rt->ops->container_stats (rt, pod, c, init, &stats))
        continue;
      point
          = (KsMetricsPoint){ stats.timestamp, stats.start_time, stats.cpu_ns, stats.working_set };
      ks_metrics_batch_add_container (batch, obj->meta.namespace, obj->meta.name, c->name, &point);
      /* The running containers' shares make up the pod's usage (with any growth). */
      *memory += (gint64) stats.working_set;
      any = TRUE;
    }
  if (any && ks_sim_pod_model_parse (obj->meta.annotations, &model, NULL))
    *rate += MAX (model.cpu_usage, 0);
  /* The CPU of served requests since the last scrape (sim/ks-sim-traffic.h). */
  {
    guint64 now = ks_sim_runtime_get_load_cpu (rt, &obj->meta.uid);
    guint64 *last = g_hash_table_lookup (s->pod_load, &obj->meta.uid);
    if (now == 0)
      return;
    if (last == NULL)
      {
        KsUid *uid = g_new (KsUid, 1);
        *uid = obj->meta.uid;
        last = g_new0 (guint64, 1);
        g_hash_table_insert (s->pod_load, uid, last);
      }
    *load += now - MIN (*last, now);
    *last = now;
  }
}

static void
sim_scrape (KsMetricsSource *self, const KsNode *node, KsMetricsScrapeFunc done, gpointer user_data)
{
  SimSource *s = (SimSource *) self;
  const char *name = KS_OBJECT (node)->meta.name;
  KsRuntime *rt = s->lookup (name, s->user_data);
  gint64 now = ks_clock_now (s->clock);
  gint64 rate = 0, memory = 0;
  guint64 load = 0;
  g_autoptr (KsMetricsBatch) batch = NULL;
  GPtrArray *pods;
  NodeCounter *counter;

  if (rt == NULL || rt->ops->container_stats == NULL)
    {
      g_autoptr (GError) error
          = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "node %s has no runtime", name);
      done (NULL, error, user_data);
      return;
    }
  rebuild_index (s);
  batch = ks_metrics_batch_new (name);
  pods = g_hash_table_lookup (s->pods_by_node, name);
  for (guint i = 0; pods != NULL && i < pods->len; i++)
    add_pod (s, rt, g_ptr_array_index (pods, i), batch, &rate, &memory, &load);
  counter = g_hash_table_lookup (s->counters, name);
  if (counter == NULL)
    {
      counter = g_new0 (NodeCounter, 1);
      g_hash_table_insert (s->counters, g_strdup (name), counter);
    }
  if (counter->started && now > counter->time)
    counter->cpu_ns += (guint64) counter->rate * (guint64) (now - counter->time);
  counter->cpu_ns += load;
  counter->time = now;
  counter->rate = rate;
  counter->started = TRUE;
  batch->has_node = TRUE;
  batch->node_point = (KsMetricsPoint){ now, 0, counter->cpu_ns, (guint64) memory };
  done (g_steal_pointer (&batch), NULL, user_data);
}

static void
sim_free (KsMetricsSource *self)
{
  SimSource *s = (SimSource *) self;

  g_clear_pointer (&s->pods_by_node, g_hash_table_unref);
  g_hash_table_unref (s->counters);
  g_hash_table_unref (s->pod_load);
  g_free (s);
}

static const KsMetricsSourceOps sim_source_ops = {
  .scrape = sim_scrape,
  .free = sim_free,
};

KsMetricsSource *
ks_sim_metrics_source_new (KsClient *client, KsClock *clock, KsSimRuntimeLookup lookup,
                           gpointer user_data)
{
  SimSource *s;

  g_return_val_if_fail (client != NULL && clock != NULL && lookup != NULL, NULL);
  s = g_new0 (SimSource, 1);
  s->parent.ops = &sim_source_ops;
  s->client = client;
  s->clock = clock;
  s->lookup = lookup;
  s->user_data = user_data;
  s->counters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  s->pod_load = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, g_free, g_free);
  return &s->parent;
}

/* A scrape delay: the inner source's answers reach the server delay µs after the scrape. */

typedef struct _DelayedSource DelayedSource;

typedef struct
{
  DelayedSource *source;
  KsMetricsBatch *batch;
  KsMetricsScrapeFunc done;
  gpointer user_data;
  guint64 task;
} Pending;

struct _DelayedSource
{
  KsMetricsSource parent;
  KsMetricsSource *inner;
  KsClock *clock;
  gint64 delay;
  GQueue pending; /* Pending *, in answer order */
};

static void
pending_deliver (gpointer data)
{
  Pending *p = data;

  g_queue_remove (&p->source->pending, p);
  p->done (p->batch, NULL, p->user_data);
  g_free (p);
}

static void
delayed_answer (KsMetricsBatch *batch, const GError *error, gpointer data)
{
  Pending *p = data;

  if (batch == NULL)
    {
      p->done (NULL, error, p->user_data);
      g_free (p);
      return;
    }
  p->batch = batch;
  g_queue_push_tail (&p->source->pending, p);
  p->task = ks_clock_schedule_in (p->source->clock, p->source->delay, pending_deliver, p, NULL);
}

static void
delayed_scrape (KsMetricsSource *self, const KsNode *node, KsMetricsScrapeFunc done,
                gpointer user_data)
{
  DelayedSource *s = (DelayedSource *) self;
  Pending *p = g_new0 (Pending, 1);

  p->source = s;
  p->done = done;
  p->user_data = user_data;
  s->inner->ops->scrape (s->inner, node, delayed_answer, p);
}

static void
delayed_free (KsMetricsSource *self)
{
  DelayedSource *s = (DelayedSource *) self;
  Pending *p;

  /* Answers still waiting end with an error, as a cancelled scrape does. */
  while ((p = g_queue_pop_head (&s->pending)) != NULL)
    {
      g_autoptr (GError) error
          = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "the metrics server stopped");
      ks_clock_cancel (s->clock, p->task);
      ks_metrics_batch_free (p->batch);
      p->done (NULL, error, p->user_data);
      g_free (p);
    }
  s->inner->ops->free (s->inner);
  g_free (s);
}

static const KsMetricsSourceOps delayed_source_ops = {
  .scrape = delayed_scrape,
  .free = delayed_free,
};

KsMetricsSource *
ks_delayed_metrics_source_new (KsMetricsSource *inner, KsClock *clock, gint64 delay)
{
  DelayedSource *s = g_new0 (DelayedSource, 1);

  s->parent.ops = &delayed_source_ops;
  s->inner = inner;
  s->clock = clock;
  s->delay = delay;
  g_queue_init (&s->pending);
  return &s->parent;
}

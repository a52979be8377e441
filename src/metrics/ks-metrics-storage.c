/* ks-metrics-storage.c: metrics-server's storage of scraped points (see ks-metrics-storage.h).
 *
 * The last and previous points of every node and container live in two hash tables (nodes by
 * name; pods by "namespace/name", each with its containers in the order the scrape listed them).
 * A store builds new tables from the batches and the old tables, then replaces the old ones: what
 * the scrape did not report is gone. */
#include "config.h"

#include <string.h>

#include "ks-metrics-storage.h"

/* ---- batches and results -------------------------------------------------------------------- */

static void
container_point_clear (gpointer p)
{
  KsContainerPoint *c = p;
  g_free (c->namespace);
  g_free (c->pod);
  g_free (c->container);
}

KsMetricsBatch *
ks_metrics_batch_new (const char *node)
{
  KsMetricsBatch *b = g_new0 (KsMetricsBatch, 1);

  b->node = g_strdup (node);
  b->containers = g_array_new (FALSE, TRUE, sizeof (KsContainerPoint));
  g_array_set_clear_func (b->containers, container_point_clear);
  return b;
}

void
ks_metrics_batch_add_container (KsMetricsBatch *b, const char *ns, const char *pod,
                                const char *container, const KsMetricsPoint *point)
{
  KsContainerPoint c = {
    g_strdup (ns),
    g_strdup (pod),
    g_strdup (container),
    *point,
  };
  g_array_append_val (b->containers, c);
}

void
ks_metrics_batch_free (KsMetricsBatch *b)
{
  if (b == NULL)
    return;
  g_free (b->node);
  g_array_unref (b->containers);
  g_free (b);
}

KsPodMetrics *
ks_pod_metrics_new (const char *ns, const char *name, guint n_containers)
{
  KsPodMetrics *m = g_new0 (KsPodMetrics, 1);

  m->namespace = g_strdup (ns);
  m->name = g_strdup (name);
  m->containers = g_new0 (KsContainerMetrics, MAX (n_containers, 1));
  m->n_containers = n_containers;
  return m;
}

void
ks_pod_metrics_free (KsPodMetrics *m)
{
  if (m == NULL)
    return;
  for (guint i = 0; i < m->n_containers; i++)
    g_free (m->containers[i].name);
  g_free (m->containers);
  g_free (m->namespace);
  g_free (m->name);
  g_free (m);
}

/* ceil(n / d) for n >= 0 */
static gint64
div_up (gint64 n, gint64 d)
{
  return n / d + (n % d != 0 ? 1 : 0);
}

gint64
ks_container_metrics_milli_cpu (const KsContainerMetrics *m)
{
  return div_up (m->nano_cpu, 1000000);
}

void
ks_pod_metrics_total (const KsPodMetrics *m, gint64 *milli_cpu, gint64 *memory)
{
  gint64 nano = 0, bytes = 0;

  for (guint i = 0; i < m->n_containers; i++)
    {
      nano += m->containers[i].nano_cpu;
      bytes += m->containers[i].memory;
    }
  if (milli_cpu != NULL)
    *milli_cpu = div_up (nano, 1000000);
  if (memory != NULL)
    *memory = bytes;
}

KsNodeMetrics *
ks_node_metrics_new (const char *name)
{
  KsNodeMetrics *m = g_new0 (KsNodeMetrics, 1);
  m->name = g_strdup (name);
  return m;
}

void
ks_node_metrics_free (KsNodeMetrics *m)
{
  if (m == NULL)
    return;
  g_free (m->name);
  g_free (m);
}

gboolean
ks_metrics_cpu_rate (const KsMetricsPoint *last, const KsMetricsPoint *prev, gint64 *nano_cpu,
                     gint64 *window)
{
  gint64 w = last->timestamp - prev->timestamp;
  double rate;

  if (last->cpu_ns < prev->cpu_ns || w <= 0)
    return FALSE;
  /* float64(Δ) / window.Seconds(), then uint64(): truncated. */
  rate = (double) (last->cpu_ns - prev->cpu_ns) / ((double) w / G_USEC_PER_SEC);
  *nano_cpu = rate >= (double) G_MAXINT64 ? G_MAXINT64 : (gint64) rate;
  *window = w;
  return TRUE;
}

/* ---- the storage ------------------------------------------------------------------------------
 */

typedef struct
{
  KsMetricsPoint last;
  KsMetricsPoint prev;
  gboolean has_prev;
} Points;

typedef struct
{
  char *name;
  Points points;
} ContainerEntry;

typedef struct
{
  char *namespace;
  char *name;
  GArray *containers; /* ContainerEntry */
} PodEntry;

struct _KsMetricsStorage
{
  gint64 resolution;
  GHashTable *nodes; /* name → Points */
  GHashTable *pods;  /* "ns/name" → PodEntry */
};

static void
container_entry_clear (gpointer p)
{
  g_free (((ContainerEntry *) p)->name);
}

static void
pod_entry_free (gpointer p)
{
  PodEntry *e = p;
  g_free (e->namespace);
  g_free (e->name);
  g_array_unref (e->containers);
  g_free (e);
}

static GHashTable *
new_nodes (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static GHashTable *
new_pods (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, pod_entry_free);
}

KsMetricsStorage *
ks_metrics_storage_new (gint64 resolution)
{
  KsMetricsStorage *s = g_new0 (KsMetricsStorage, 1);

  g_return_val_if_fail (resolution > 0, NULL);
  s->resolution = resolution;
  s->nodes = new_nodes ();
  s->pods = new_pods ();
  return s;
}

void
ks_metrics_storage_free (KsMetricsStorage *s)
{
  if (s == NULL)
    return;
  g_hash_table_unref (s->nodes);
  g_hash_table_unref (s->pods);
  g_free (s);
}

static char *
pod_key (const char *ns, const char *name)
{
  return g_strconcat (ns, "/", name, NULL);
}

static const ContainerEntry *
find_container (const PodEntry *e, const char *name)
{
  for (guint i = 0; e != NULL && i < e->containers->len; i++)
    {
      const ContainerEntry *c = &g_array_index (e->containers, ContainerEntry, i);
      if (strcmp (c->name, name) == 0)
        return c;
    }
  return NULL;
}

/* nodeStorage.Store for one node's new point. */
static void
store_node (KsMetricsStorage *s, GHashTable *nodes, const char *name, const KsMetricsPoint *point)
{
  const Points *old = g_hash_table_lookup (s->nodes, name);
  Points *p;

  if (g_hash_table_contains (nodes, name))
    return; /* a duplicate: the first one counts */
  p = g_new0 (Points, 1);
  p->last = *point;
  if (old != NULL)
    {
      if (point->timestamp > old->last.timestamp)
        p->prev = old->last, p->has_prev = TRUE;
      else if (old->has_prev && old->prev.timestamp < point->timestamp)
        p->prev = old->prev, p->has_prev = TRUE;
    }
  g_hash_table_insert (nodes, g_strdup (name), p);
}

/* podStorage.Store for one container's new point. */
static void
store_container (KsMetricsStorage *s, const PodEntry *old, PodEntry *e, const char *name,
                 const KsMetricsPoint *point)
{
  ContainerEntry c = { g_strdup (name), { *point, { 0 }, FALSE } };
  gint64 age = point->timestamp - point->start_time;
  const ContainerEntry *before;

  if (find_container (e, name) != NULL)
    {
      g_free (c.name);
      return; /* a duplicate */
    }
  if (point->start_time < point->timestamp && age < s->resolution
      && age >= KS_METRICS_FRESH_CONTAINER_MIN)
    {
      /* Fresh: it used nothing when it started. */
      c.points.prev = *point;
      c.points.prev.timestamp = point->start_time;
      c.points.prev.cpu_ns = 0;
      c.points.has_prev = TRUE;
    }
  else if ((before = find_container (old, name)) != NULL
           && point->start_time < before->points.last.timestamp)
    {
      /* The same instance as the stored point (it started before that was read). */
      if (point->timestamp > before->points.last.timestamp)
        c.points.prev = before->points.last, c.points.has_prev = TRUE;
      else if (before->points.has_prev && before->points.prev.timestamp < point->timestamp)
        c.points.prev = before->points.prev, c.points.has_prev = TRUE;
    }
  g_array_append_val (e->containers, c);
}

/* checkContainerMetrics: a pod with a container without CPU or memory has no point at all. */
static gboolean
pod_points_complete (const KsMetricsBatch *b, guint first, guint end)
{
  for (guint i = first; i < end; i++)
    {
      const KsContainerPoint *c = &g_array_index (b->containers, KsContainerPoint, i);
      if (c->point.cpu_ns == 0 || c->point.memory == 0)
        return FALSE;
    }
  return TRUE;
}

static void
store_batch (KsMetricsStorage *s, const KsMetricsBatch *b, GHashTable *nodes, GHashTable *pods)
{
  guint i = 0;

  if (b->has_node && b->node_point.cpu_ns != 0 && b->node_point.memory != 0
      && b->node_point.timestamp != 0)
    store_node (s, nodes, b->node, &b->node_point);
  while (i < b->containers->len)
    {
      const KsContainerPoint *first = &g_array_index (b->containers, KsContainerPoint, i);
      g_autofree char *key = pod_key (first->namespace, first->pod);
      const PodEntry *old = g_hash_table_lookup (s->pods, key);
      guint end = i + 1;
      PodEntry *e;

      /* The pod's points: the run of its containers (the batch lists them together). */
      while (end < b->containers->len)
        {
          const KsContainerPoint *c = &g_array_index (b->containers, KsContainerPoint, end);
          if (strcmp (c->namespace, first->namespace) != 0 || strcmp (c->pod, first->pod) != 0)
            break;
          end++;
        }
      if (!pod_points_complete (b, i, end) || g_hash_table_contains (pods, key))
        {
          i = end;
          continue;
        }
      e = g_new0 (PodEntry, 1);
      e->namespace = g_strdup (first->namespace);
      e->name = g_strdup (first->pod);
      e->containers = g_array_new (FALSE, TRUE, sizeof (ContainerEntry));
      g_array_set_clear_func (e->containers, container_entry_clear);
      for (; i < end; i++)
        {
          const KsContainerPoint *c = &g_array_index (b->containers, KsContainerPoint, i);
          store_container (s, old, e, c->container, &c->point);
        }
      g_hash_table_insert (pods, g_steal_pointer (&key), e);
    }
}

void
ks_metrics_storage_store (KsMetricsStorage *s, GPtrArray *batches)
{
  GHashTable *nodes = new_nodes ();
  GHashTable *pods = new_pods ();

  for (guint i = 0; i < batches->len; i++)
    store_batch (s, g_ptr_array_index (batches, i), nodes, pods);
  g_hash_table_unref (s->nodes);
  g_hash_table_unref (s->pods);
  s->nodes = nodes;
  s->pods = pods;
}

KsPodMetrics *
ks_metrics_storage_get_pod (KsMetricsStorage *s, const char *ns, const char *name)
{
  g_autofree char *key = pod_key (ns, name);
  const PodEntry *e = g_hash_table_lookup (s->pods, key);
  g_autoptr (KsPodMetrics) m = NULL;
  gint64 earliest = 0, window = 0;
  guint n = 0;

  if (e == NULL || e->containers->len == 0)
    return NULL;
  for (guint i = 0; i < e->containers->len; i++)
    if (!g_array_index (e->containers, ContainerEntry, i).points.has_prev)
      return NULL; /* not every container has a window yet */
  m = ks_pod_metrics_new (ns, name, e->containers->len);
  for (guint i = 0; i < e->containers->len; i++)
    {
      const ContainerEntry *c = &g_array_index (e->containers, ContainerEntry, i);
      KsContainerMetrics *out = &m->containers[n];
      gint64 w;

      /* A counter that went down: that container is left out (metrics-server logs it). */
      if (!ks_metrics_cpu_rate (&c->points.last, &c->points.prev, &out->nano_cpu, &w))
        continue;
      out->name = g_strdup (c->name);
      out->memory = (gint64) MIN (c->points.last.memory, (guint64) G_MAXINT64);
      if (n == 0 || c->points.last.timestamp < earliest)
        {
          earliest = c->points.last.timestamp;
          window = w;
        }
      n++;
    }
  m->n_containers = n;
  if (n == 0)
    return NULL;
  m->timestamp = earliest;
  m->window = window;
  return g_steal_pointer (&m);
}

KsNodeMetrics *
ks_metrics_storage_get_node (KsMetricsStorage *s, const char *name)
{
  const Points *p = g_hash_table_lookup (s->nodes, name);
  KsNodeMetrics *m;
  gint64 nano, window;

  if (p == NULL || !p->has_prev || !ks_metrics_cpu_rate (&p->last, &p->prev, &nano, &window))
    return NULL;
  m = ks_node_metrics_new (name);
  m->timestamp = p->last.timestamp;
  m->window = window;
  m->nano_cpu = nano;
  m->memory = (gint64) MIN (p->last.memory, (guint64) G_MAXINT64);
  return m;
}

guint
ks_metrics_storage_n_points (KsMetricsStorage *s)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init (&iter, s->nodes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    n += ((Points *) value)->has_prev ? 2 : 1;
  g_hash_table_iter_init (&iter, s->pods);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      PodEntry *e = value;
      for (guint i = 0; i < e->containers->len; i++)
        n += g_array_index (e->containers, ContainerEntry, i).points.has_prev ? 2 : 1;
    }
  return n;
}

/* ks-controller-util.c: controller plumbing, the pod deletion ranking and template hashing. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ks-controller-private.h"

void
ks_controller_init (KsController *c, KsClient *client, KsClock *clock, KsEventSink *sink,
                    const char *source, KsWorkFunc func, gpointer user_data)
{
  memset (c, 0, sizeof *c);
  c->client = client;
  c->clock = clock;
  ks_event_recorder_init (&c->events, sink, clock, source);
  c->queue = ks_workqueue_new (clock, func, user_data);
}

void
ks_controller_clear (KsController *c)
{
  for (guint i = 0; i < c->n_watches; i++)
    ks_client_unwatch (c->client, c->watches[i]);
  c->n_watches = 0;
  g_clear_pointer (&c->queue, ks_workqueue_free);
}

void
ks_controller_split_key (const char *key, char **ns, const char **name)
{
  const char *slash = strchr (key, '/');

  if (slash == NULL)
    {
      *ns = NULL;
      *name = key;
      return;
    }
  *ns = g_strndup (key, slash - key);
  *name = slash + 1;
}

void
ks_controller_enqueue_owner (KsController *c, const KsObject *obj, const char *kind_name)
{
  const KsOwnerRef *ref = ks_object_get_controller_ref (obj);
  g_autofree char *key = NULL;

  if (ref == NULL || strcmp (ref->kind, kind_name) != 0)
    return;
  key = g_strdup_printf ("%s/%s", obj->meta.namespace, ref->name);
  ks_workqueue_add (c->queue, key);
}

/* Pods by node */

struct _KsPodIndex
{
  GHashTable *by_node; /* interned node name → GTree ("namespace/name" → KsPod reference) */
};

static gint
key_compare (gconstpointer a, gconstpointer b, gpointer unused)
{
  return strcmp (a, b);
}

KsPodIndex *
ks_pod_index_new (void)
{
  KsPodIndex *index = g_new0 (KsPodIndex, 1);

  index->by_node
      = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) g_tree_unref);
  return index;
}

void
ks_pod_index_free (KsPodIndex *index)
{
  if (index == NULL)
    return;
  g_hash_table_unref (index->by_node);
  g_free (index);
}

static void
index_remove (KsPodIndex *index, const KsPod *pod)
{
  GTree *pods;
  g_autofree char *key = NULL;

  if (pod->node_name == NULL
      || (pods = g_hash_table_lookup (index->by_node, pod->node_name)) == NULL)
    return;
  key = ks_object_key (KS_OBJECT (pod));
  g_tree_remove (pods, key);
  if (g_tree_nnodes (pods) == 0)
    g_hash_table_remove (index->by_node, pod->node_name);
}

void
ks_pod_index_apply (KsPodIndex *index, const KsWatchEvent *event)
{
  const KsPod *pod = KS_POD (event->object);
  GTree *pods;

  if (event->old_object != NULL && KS_POD (event->old_object)->node_name != pod->node_name)
    index_remove (index, KS_POD (event->old_object));
  if (event->type == KS_WATCH_DELETED)
    {
      index_remove (index, pod);
      return;
    }
  if (pod->node_name == NULL)
    return;
  pods = g_hash_table_lookup (index->by_node, pod->node_name);
  if (pods == NULL)
    {
      pods = g_tree_new_full (key_compare, NULL, g_free, (GDestroyNotify) ks_object_unref);
      g_hash_table_insert (index->by_node, (gpointer) pod->node_name, pods);
    }
  g_tree_replace (pods, ks_object_key (KS_OBJECT (pod)), ks_object_ref (event->object));
}

static gboolean
append_pod (gpointer key, gpointer value, gpointer data)
{
  g_ptr_array_add (data, ks_object_ref (value));
  return FALSE;
}

GPtrArray *
ks_pod_index_list (KsPodIndex *index, const char *node)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  GTree *pods = g_hash_table_lookup (index->by_node, ks_intern (node));

  if (pods != NULL)
    g_tree_foreach (pods, append_pod, out);
  return out;
}

/* Deletion ranking */

typedef struct
{
  KsPod *pod;
  gint rank;
  gint64 now;
} Ranked;

static int
phase_ordinal (KsPodPhase phase)
{
  switch (phase)
    {
    case KS_POD_UNKNOWN:
      return 1;
    case KS_POD_RUNNING:
      return 2;
    default:
      return 0;
    }
}

static gint32
deletion_cost (const KsPod *pod)
{
  const char *v
      = ks_object_get_annotation (KS_OBJECT (pod), "controller.kubernetes.io/pod-deletion-cost");
  char *end;
  gint64 cost;

  if (v == NULL)
    return 0;
  cost = g_ascii_strtoll (v, &end, 10);
  if (*end != '\0' || end == v || cost < G_MININT32 || cost > G_MAXINT32)
    return 0;
  return (gint32) cost;
}

/* metav1.Time has second precision once it went through the API: compare at that precision. */
static gint64
seconds_floor (gint64 t)
{
  return t >= 0 ? t / KS_USEC_PER_SEC * KS_USEC_PER_SEC
                : -((-t + KS_USEC_PER_SEC - 1) / KS_USEC_PER_SEC) * KS_USEC_PER_SEC;
}

/* logarithmicRankDiff: int64(log2(now − t)) on nanoseconds, −1 when now − t ≤ 0. */
static gint64
log_rank (gint64 t, gint64 now)
{
  gint64 d = (now - t) * 1000;
  return d > 0 ? (gint64) log2 ((double) d) : -1;
}

static void
max_restarts (const KsPod *pod, gint32 *regular, gint32 *sidecar)
{
  *regular = ks_pod_max_restarts (pod);
  *sidecar = 0;
  if (ks_pod_init_container_statuses (pod) != NULL)
    for (guint i = 0; i < pod->spec->n_init_containers; i++)
      if (pod->spec->init_containers[i].restart_always)
        *sidecar = MAX (*sidecar, ks_pod_init_container_statuses (pod)[i].restart_count);
}

/* ActivePodsWithRanks.Less: negative when a should be deleted before b. */
static int
ranked_compare (gconstpointer pa, gconstpointer pb, gpointer unused)
{
  const Ranked *a = pa, *b = pb;
  const KsPod *pi = a->pod, *pj = b->pod;
  gboolean ri = ks_pod_is_ready (pi), rj = ks_pod_is_ready (pj);
  gint32 ci, cj, regi, regj, sidei, sidej;

  if ((pi->node_name == NULL) != (pj->node_name == NULL))
    return pi->node_name == NULL ? -1 : 1;
  if (phase_ordinal (pi->phase) != phase_ordinal (pj->phase))
    return phase_ordinal (pi->phase) < phase_ordinal (pj->phase) ? -1 : 1;
  if (ri != rj)
    return !ri ? -1 : 1;
  ci = deletion_cost (pi);
  cj = deletion_cost (pj);
  if (ci != cj)
    return ci < cj ? -1 : 1;
  if (a->rank != b->rank)
    return a->rank > b->rank ? -1 : 1;
  if (ri && rj)
    {
      gint64 ti = seconds_floor (pi->conditions[KS_POD_COND_READY].last_transition_time);
      gint64 tj = seconds_floor (pj->conditions[KS_POD_COND_READY].last_transition_time);
      if (ti != tj)
        {
          gint64 diff = log_rank (ti, a->now) - log_rank (tj, a->now);
          if (diff == 0)
            return ks_uid_compare (&pi->parent.meta.uid, &pj->parent.meta.uid);
          return diff < 0 ? -1 : 1;
        }
    }
  max_restarts (pi, &regi, &sidei);
  max_restarts (pj, &regj, &sidej);
  if (regi != regj)
    return regi > regj ? -1 : 1;
  if (sidei != sidej)
    return sidei > sidej ? -1 : 1;
  {
    gint64 ti = seconds_floor (pi->parent.meta.creation_timestamp);
    gint64 tj = seconds_floor (pj->parent.meta.creation_timestamp);
    if (ti != tj)
      {
        gint64 diff = log_rank (ti, a->now) - log_rank (tj, a->now);
        if (diff == 0)
          return ks_uid_compare (&pi->parent.meta.uid, &pj->parent.meta.uid);
        return diff < 0 ? -1 : 1;
      }
  }
  return 0;
}

void
ks_sort_pods_for_deletion (KsPod **pods, gint *ranks, guint n, gint64 now)
{
  g_autofree Ranked *items = g_new (Ranked, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    items[i] = (Ranked){ pods[i], ranks[i], now };
  /* g_qsort_with_data is a stable merge sort: equal pods keep list (name) order. */
  g_qsort_with_data (items, n, sizeof (Ranked), ranked_compare, NULL);
  for (guint i = 0; i < n; i++)
    {
      pods[i] = items[i].pod;
      ranks[i] = items[i].rank;
    }
}

/* Template hashing */

char *
ks_pod_template_hash (const KsPodTemplate *template, gboolean has_collision_count,
                      gint32 collision_count)
{
  static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  g_autofree char *json = ks_pod_template_to_json (template, KS_LABEL_POD_TEMPLATE_HASH);
  guint32 h = 2166136261u;
  char decimal[16];
  GString *out = g_string_new (NULL);

  for (const char *p = json; *p != '\0'; p++)
    h = (h ^ (guint8) *p) * 16777619u;
  if (has_collision_count)
    {
      guint8 bytes[8] = { 0 };
      guint32 c = (guint32) collision_count;
      for (guint i = 0; i < 4; i++)
        bytes[i] = (c >> (8 * i)) & 0xff;
      for (guint i = 0; i < 8; i++)
        h = (h ^ bytes[i]) * 16777619u;
    }
  g_snprintf (decimal, sizeof decimal, "%u", h);
  for (const char *p = decimal; *p != '\0'; p++)
    g_string_append_c (out, alphabet[(guint8) *p % (sizeof alphabet - 1)]);
  return g_string_free (out, FALSE);
}

/* a and b are equal once key is left out of both. */
static gboolean
maps_equal_except (const KsStrMap *a, const KsStrMap *b, const char *key)
{
  guint i = 0, j = 0, na = ks_str_map_size (a), nb = ks_str_map_size (b);

  while (TRUE)
    {
      if (i < na && strcmp (ks_str_map_key (a, i), key) == 0)
        i++;
      if (j < nb && strcmp (ks_str_map_key (b, j), key) == 0)
        j++;
      if (i == na || j == nb)
        return i == na && j == nb;
      if (strcmp (ks_str_map_key (a, i), ks_str_map_key (b, j)) != 0
          || strcmp (ks_str_map_value (a, i), ks_str_map_value (b, j)) != 0)
        return FALSE;
      i++;
      j++;
    }
}

gboolean
ks_pod_templates_equal_ignore_hash (const KsPodTemplate *a, const KsPodTemplate *b)
{
  g_autofree char *ja = NULL, *jb = NULL;

  if (!maps_equal_except (a->labels, b->labels, KS_LABEL_POD_TEMPLATE_HASH)
      || !ks_str_map_equal (a->annotations, b->annotations))
    return FALSE;
  /* A ReplicaSet made from a Deployment shares its spec: the common case costs nothing. */
  if (a->spec == b->spec)
    return TRUE;
  ja = ks_pod_spec_to_json (a->spec);
  jb = ks_pod_spec_to_json (b->spec);
  return strcmp (ja, jb) == 0;
}

/* ks-pod-gc-controller.c: the pod garbage collector (pkg/controller/podgc, v1.32).
 *
 * Every gcCheckPeriod (20 s) a pass:
 *
 * - terminated pods (Succeeded or Failed): when there are more than --terminated-pod-gc-threshold
 *   (12500), the oldest (by creation time; then namespace and name) above it are deleted at once
 *   (grace period 0);
 * - orphaned pods: a node some pod is bound to that does not exist is put in quarantine for 40 s;
 *   at the first pass once that has passed, if the Node still does not exist, its pods are
 *   marked Failed (when not terminal) with the condition DisruptionTarget=True, reason
 *   DeletionByPodGC, message "PodGC: node no longer exists", and deleted at once;
 * - pods being deleted that were never bound to a node are deleted at once.
 *
 * Kubernetes lists every pod each pass; kubesim counts from the pod and node watches what the
 * passes need (terminated pods, pods being deleted with no node, nodes pods are bound to that do
 * not exist) and lists pods only when one of them calls for it, so that a cluster with nothing
 * to collect pays a few comparisons per pod change; and a pass is scheduled (on the same 20 s
 * grid) only while there is something for it to do, so an idle collector adds no clock events.  Not
 * modelled: gcTerminating (pods of nodes tainted node.kubernetes.io/out-of-service). */
#include "config.h"

#include <string.h>

#include "ks-controller-private.h"
#include "src/api/ks-node.h"

/* gcCheckPeriod and quarantineTime in pkg/controller/podgc/gc_controller.go. */
#define GC_CHECK_PERIOD (20 * KS_USEC_PER_SEC)
#define QUARANTINE_TIME (40 * KS_USEC_PER_SEC)

struct _KsPodGcController
{
  KsController c;
  gint32 threshold;
  GTree *terminated;        /* the pods Succeeded or Failed (their last state, referenced),
                             * oldest first (compare_created) */
  guint n_unbound_deleting; /* pods being deleted that have no node */
  GHashTable *nodes;        /* names of the Nodes that exist */
  GHashTable *suspects;     /* node names pods are bound to that do not exist → quarantine end
                             * (gint64*), KS_TIME_NONE until a pass has seen them */
  gint64 origin;            /* passes fall on origin + k × gcCheckPeriod */
  guint64 task;
};

typedef KsPodGcController Gc;

static void
force_delete (Gc *gc, const char *ns, const char *name)
{
  KsDeleteOptions force = { .grace_period_seconds = 0 };
  g_autoptr (GError) error = NULL;

  if (!ks_client_delete (gc->c.client, ks_kind_get (KS_KIND_POD), ns, name, &force, &error)
      && !g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
    g_message ("pod gc: cannot delete pod %s/%s: %s", ns, name, error->message);
}

/* The pods being deleted with no node (a new array, in the store's order). */
static GPtrArray *
unbound_deleting_pods (Gc *gc)
{
  g_autoptr (GPtrArray) all = ks_client_list (gc->c.client, ks_kind_get (KS_KIND_POD), NULL, NULL);
  GPtrArray *pods = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);

  /* Copied in one pass, in order: removing pods from the list one by one would move the rest
   * each time, a cost quadratic in the pods (a trace replay keeps 150,000 running). */
  for (guint i = 0; i < all->len; i++)
    {
      KsPod *pod = g_ptr_array_index (all, i);
      if (pod->node_name == NULL && ks_object_is_being_deleted (KS_OBJECT (pod)))
        g_ptr_array_add (pods, ks_object_ref (KS_OBJECT (pod)));
    }
  return pods;
}

/* Kubernetes' order of deletion: by creation time, then namespace and name (pods of one
 * namespace and name are one entry of gc->terminated). */
static gint
compare_created (gconstpointer a, gconstpointer b, gpointer unused)
{
  const KsObject *x = a, *y = b;
  gint c;

  if (x->meta.creation_timestamp != y->meta.creation_timestamp)
    return x->meta.creation_timestamp < y->meta.creation_timestamp ? -1 : 1;
  c = g_strcmp0 (x->meta.namespace, y->meta.namespace);
  return c != 0 ? c : strcmp (x->meta.name, y->meta.name);
}

/* gcTerminated */
static void
gc_terminated (Gc *gc)
{
  g_autoptr (GPtrArray) pods = NULL;
  guint n = (guint) g_tree_nnodes (gc->terminated);
  GTreeNode *node;

  if (gc->threshold <= 0 || n <= (guint) gc->threshold)
    return;
  /* From the watch's own set (the informer's cache, as Kubernetes lists them), kept in the
   * order of deletion: each pass takes the few oldest pods above the threshold, where copying
   * and ordering the 12,500 kept every 20 s was a quarter of a long trace replay. */
  pods = g_ptr_array_new_full (n - (guint) gc->threshold, (GDestroyNotify) ks_object_unref);
  for (node = g_tree_node_first (gc->terminated); node != NULL && pods->len + gc->threshold < n;
       node = g_tree_node_next (node))
    g_ptr_array_add (pods, ks_object_ref (g_tree_node_key (node)));
  for (guint i = 0; i < pods->len; i++)
    {
      const KsObject *pod = g_ptr_array_index (pods, i);
      force_delete (gc, pod->meta.namespace, pod->meta.name);
    }
}

/* markFailedAndDeletePodWithCondition */
static void
delete_orphan (Gc *gc, const KsPod *seen)
{
  const KsObject *obj = KS_OBJECT (seen);
  g_autoptr (KsObject) pod
      = ks_client_get (gc->c.client, obj->kind, obj->meta.namespace, obj->meta.name, NULL);

  if (pod == NULL)
    return;
  if (!ks_pod_is_terminal (KS_POD (pod)))
    {
      g_autoptr (GError) error = NULL;
      KsPod *copy = ks_pod_copy (KS_POD (pod));
      KsObject *updated;
      copy->phase = KS_POD_FAILED;
      ks_pod_set_condition (copy, KS_POD_COND_DISRUPTION_TARGET, KS_CONDITION_TRUE,
                            "DeletionByPodGC", "PodGC: node no longer exists",
                            ks_clock_now (gc->c.clock));
      updated = ks_client_update_status (gc->c.client, KS_OBJECT (copy), &error);
      ks_object_unref (KS_OBJECT (copy));
      if (updated == NULL)
        {
          g_message ("pod gc: cannot mark pod %s/%s failed: %s", obj->meta.namespace,
                     obj->meta.name, error->message);
          return;
        }
      ks_object_unref (updated);
    }
  force_delete (gc, obj->meta.namespace, obj->meta.name);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* gcOrphaned: suspects seen for the first time start their quarantine; those whose quarantine
 * is over and whose Node still does not exist lose their pods. */
static void
gc_orphaned (Gc *gc, gint64 now)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, gc->suspects);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 *until = value;
      if (*until == KS_TIME_NONE)
        *until = now + QUARANTINE_TIME;
      else if (*until <= now)
        g_ptr_array_add (names, key);
    }
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    {
      const char *node = g_ptr_array_index (names, i);
      g_autoptr (KsObject) exists
          = ks_client_get (gc->c.client, ks_kind_get (KS_KIND_NODE), NULL, node, NULL);
      g_autoptr (GPtrArray) pods = NULL;
      if (exists != NULL)
        continue; /* the watch will say so */
      pods = ks_client_list (gc->c.client, ks_kind_get (KS_KIND_POD), NULL, NULL);
      for (guint j = 0; j < pods->len; j++)
        if (g_strcmp0 (KS_POD (g_ptr_array_index (pods, j))->node_name, node) == 0)
          delete_orphan (gc, g_ptr_array_index (pods, j));
      g_hash_table_remove (gc->suspects, node);
    }
}

/* gcUnscheduledTerminating */
static void
gc_unbound_deleting (Gc *gc)
{
  g_autoptr (GPtrArray) pods = NULL;

  if (gc->n_unbound_deleting == 0)
    return;
  pods = unbound_deleting_pods (gc);
  for (guint i = 0; i < pods->len; i++)
    {
      const KsObject *pod = g_ptr_array_index (pods, i);
      force_delete (gc, pod->meta.namespace, pod->meta.name);
    }
}

static void pass (gpointer data);

/* Schedule the next pass on the grid (strictly after now) if there is work for it. */
static void
ensure_pass (Gc *gc)
{
  gint64 now = ks_clock_now (gc->c.clock);
  gint64 at;

  if (gc->task != 0)
    return;
  if (!((gc->threshold > 0 && (guint) g_tree_nnodes (gc->terminated) > (guint) gc->threshold)
        || gc->n_unbound_deleting > 0 || g_hash_table_size (gc->suspects) > 0))
    return;
  at = gc->origin + ((now - gc->origin) / GC_CHECK_PERIOD + 1) * GC_CHECK_PERIOD;
  gc->task = ks_clock_schedule (gc->c.clock, at, pass, gc, NULL);
}

static void
pass (gpointer data)
{
  Gc *gc = data;
  gint64 now = ks_clock_now (gc->c.clock);

  gc->task = 0;
  gc_terminated (gc);
  gc_orphaned (gc, now);
  gc_unbound_deleting (gc);
  ensure_pass (gc);
}

/* A node some pod is bound to: a suspect when it does not exist. */
static void
suspect (Gc *gc, const char *node)
{
  if (node != NULL && !g_hash_table_contains (gc->nodes, node)
      && !g_hash_table_contains (gc->suspects, node))
    {
      gint64 *until = g_new (gint64, 1);
      *until = KS_TIME_NONE;
      g_hash_table_insert (gc->suspects, g_strdup (node), until);
    }
}

static gboolean
unbound_deleting (const KsObject *obj)
{
  return KS_POD (obj)->node_name == NULL && ks_object_is_being_deleted (obj);
}

static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  Gc *gc = data;
  const KsObject *now = event->type == KS_WATCH_DELETED ? NULL : event->object;
  const KsObject *before = event->type == KS_WATCH_ADDED     ? NULL
                           : event->type == KS_WATCH_DELETED ? event->object
                                                             : event->old_object;

  /* The set and count follow each pod's last state. */
  if (before != NULL)
    {
      if (ks_pod_is_terminal (KS_POD (before)))
        g_tree_remove (gc->terminated, before);
      gc->n_unbound_deleting -= unbound_deleting (before);
    }
  if (now != NULL)
    {
      if (ks_pod_is_terminal (KS_POD (now)))
        g_tree_replace (gc->terminated, ks_object_ref ((KsObject *) now), NULL);
      gc->n_unbound_deleting += unbound_deleting (now);
      if (KS_POD (now)->node_name != NULL
          && (before == NULL || KS_POD (before)->node_name != KS_POD (now)->node_name))
        suspect (gc, KS_POD (now)->node_name);
    }
  ensure_pass (gc);
}

static void
on_node (const KsWatchEvent *event, gpointer data)
{
  Gc *gc = data;
  const char *name = event->object->meta.name;
  g_autoptr (GPtrArray) pods = NULL;

  if (event->type != KS_WATCH_DELETED)
    {
      g_hash_table_add (gc->nodes, g_strdup (name));
      g_hash_table_remove (gc->suspects, name);
      return;
    }
  g_hash_table_remove (gc->nodes, name);
  /* Rare: list the pods to see whether any is bound to it. */
  pods = ks_client_list (gc->c.client, ks_kind_get (KS_KIND_POD), NULL, NULL);
  for (guint i = 0; i < pods->len; i++)
    if (g_strcmp0 (KS_POD (g_ptr_array_index (pods, i))->node_name, name) == 0)
      {
        suspect (gc, name);
        break;
      }
  ensure_pass (gc);
}

KsPodGcController *
ks_pod_gc_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink, gint32 threshold)
{
  Gc *gc = g_new0 (Gc, 1);

  ks_controller_init (&gc->c, client, clock, sink, "pod-garbage-collector", NULL, NULL);
  gc->threshold = threshold;
  gc->origin = ks_clock_now (clock);
  gc->nodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gc->terminated = g_tree_new_full (compare_created, NULL, (GDestroyNotify) ks_object_unref, NULL);
  gc->suspects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* Nodes first, so that the pods replayed next find theirs. */
  gc->c.watches[gc->c.n_watches++]
      = ks_client_watch (client, ks_kind_get (KS_KIND_NODE), NULL, TRUE, on_node, gc, NULL);
  gc->c.watches[gc->c.n_watches++]
      = ks_client_watch (client, ks_kind_get (KS_KIND_POD), NULL, TRUE, on_pod, gc, NULL);
  ensure_pass (gc);
  return gc;
}

void
ks_pod_gc_controller_free (KsPodGcController *gc)
{
  if (gc == NULL)
    return;
  ks_clock_cancel (gc->c.clock, gc->task);
  ks_controller_clear (&gc->c);
  g_hash_table_unref (gc->nodes);
  g_tree_destroy (gc->terminated);
  g_hash_table_unref (gc->suspects);
  g_free (gc);
}

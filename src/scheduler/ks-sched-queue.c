/* ks-sched-queue.c: activeQ, backoffQ and unschedulable pods. */
#include "config.h"

#include "ks-sched-queue.h"

#define BACKOFF_FLUSH_PERIOD (1 * KS_USEC_PER_SEC)
#define UNSCHEDULABLE_FLUSH_PERIOD (30 * KS_USEC_PER_SEC)

typedef enum
{
  WHERE_ACTIVE,
  WHERE_BACKOFF,
  WHERE_UNSCHEDULABLE,
  WHERE_IN_FLIGHT,
} Where;

typedef struct
{
  KsQueuedPod info; /* info.pod is a reference */
  KsUid uid;
  Where where;
  guint heap_index;
  gint64 backoff_expiry;
  gint64 unschedulable_since;
  GList *link;            /* in the unschedulable list */
  guint64 popped_at_move; /* q->n_moves when it was popped */
} Entry;

/* A binary heap of entries, each knowing its index. */
typedef struct
{
  GPtrArray *items;
  gboolean (*less) (KsSchedQueue *q, const Entry *a, const Entry *b);
} Heap;

struct _KsNominator
{
  GHashTable *by_node; /* interned node → GPtrArray of KsPod references, nomination order */
  GHashTable *node_of; /* KsUid (owned copy) → interned node */
  guint count;
};

struct _KsSchedQueue
{
  KsNominator nominator;
  KsClock *clock;
  KsQueueLessFunc less;
  gpointer less_data;
  gint64 initial_backoff;
  gint64 max_backoff;
  GFunc ready;
  gpointer ready_data;
  GHashTable *entries; /* &entry->uid → entry */
  Heap active;
  Heap backoff;
  GQueue unschedulable;
  guint64 next_sequence;
  guint64 n_moves; /* move requests so far (moveRequestCycle) */
  guint64 backoff_tick;
  guint64 unschedulable_tick;
  gboolean active_unsorted; /* activeQ's heap order is stale (ks_sched_queue_resort) */
};

static gboolean
active_less (KsSchedQueue *q, const Entry *a, const Entry *b)
{
  return q->less (q->less_data, &a->info, &b->info);
}

static gboolean
backoff_less (KsSchedQueue *q, const Entry *a, const Entry *b)
{
  if (a->backoff_expiry != b->backoff_expiry)
    return a->backoff_expiry < b->backoff_expiry;
  return a->info.sequence < b->info.sequence;
}

static void
heap_swap (Heap *h, guint i, guint j)
{
  Entry *a = h->items->pdata[i], *b = h->items->pdata[j];
  h->items->pdata[i] = b;
  h->items->pdata[j] = a;
  b->heap_index = i;
  a->heap_index = j;
}

static void
heap_up (KsSchedQueue *q, Heap *h, guint i)
{
  while (i > 0)
    {
      guint parent = (i - 1) / 2;
      if (!h->less (q, h->items->pdata[i], h->items->pdata[parent]))
        break;
      heap_swap (h, i, parent);
      i = parent;
    }
}

static void
heap_down (KsSchedQueue *q, Heap *h, guint i)
{
  guint n = h->items->len;
  while (TRUE)
    {
      guint l = 2 * i + 1, r = l + 1, best = i;
      if (l < n && h->less (q, h->items->pdata[l], h->items->pdata[best]))
        best = l;
      if (r < n && h->less (q, h->items->pdata[r], h->items->pdata[best]))
        best = r;
      if (best == i)
        break;
      heap_swap (h, i, best);
      i = best;
    }
}

static void
heap_push (KsSchedQueue *q, Heap *h, Entry *e)
{
  e->heap_index = h->items->len;
  g_ptr_array_add (h->items, e);
  heap_up (q, h, e->heap_index);
}

static void
heap_remove (KsSchedQueue *q, Heap *h, Entry *e)
{
  guint i = e->heap_index, last = h->items->len - 1;

  if (i != last)
    heap_swap (h, i, last);
  g_ptr_array_remove_index (h->items, last);
  if (i < h->items->len)
    {
      heap_up (q, h, i);
      heap_down (q, h, i);
    }
}

/* Restore the heap property everywhere (Floyd's construction, O(n)). */
static void
heap_rebuild (KsSchedQueue *q, Heap *h)
{
  for (guint i = h->items->len / 2; i-- > 0;)
    heap_down (q, h, i);
}

static Entry *
heap_peek (Heap *h)
{
  return h->items->len > 0 ? h->items->pdata[0] : NULL;
}

static void
entry_free (gpointer p)
{
  Entry *e = p;
  ks_object_unref (KS_OBJECT (e->info.pod));
  g_free (e);
}

KsSchedQueue *
ks_sched_queue_new (KsClock *clock, KsQueueLessFunc less, gpointer less_data,
                    gint64 initial_backoff, gint64 max_backoff, GFunc ready, gpointer ready_data)
{
  KsSchedQueue *q = g_new0 (KsSchedQueue, 1);

  q->clock = clock;
  q->less = less;
  q->less_data = less_data;
  q->initial_backoff = initial_backoff;
  q->max_backoff = max_backoff;
  q->ready = ready;
  q->ready_data = ready_data;
  q->entries = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, NULL, entry_free);
  q->active = (Heap){ g_ptr_array_new (), active_less };
  q->backoff = (Heap){ g_ptr_array_new (), backoff_less };
  g_queue_init (&q->unschedulable);
  q->nominator.by_node = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                                (GDestroyNotify) g_ptr_array_unref);
  q->nominator.node_of = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, g_free, NULL);
  return q;
}

void
ks_sched_queue_free (KsSchedQueue *q)
{
  if (q == NULL)
    return;
  ks_clock_cancel (q->clock, q->backoff_tick);
  ks_clock_cancel (q->clock, q->unschedulable_tick);
  g_queue_clear (&q->unschedulable);
  g_ptr_array_unref (q->active.items);
  g_ptr_array_unref (q->backoff.items);
  g_hash_table_unref (q->entries);
  g_hash_table_unref (q->nominator.by_node);
  g_hash_table_unref (q->nominator.node_of);
  g_free (q);
}

/* The nominator (nominator.go) */

/* status.nominatedNodeName, NULL when unset or empty. */
static const char *
nominated_node_name (const KsPod *pod)
{
  const char *node = ks_pod_get_status_string (pod, KS_POD_NOMINATED_NODE_NAME);
  return node != NULL && node[0] != '\0' ? node : NULL;
}

KsNominator *
ks_sched_queue_get_nominator (KsSchedQueue *q)
{
  return &q->nominator;
}

void
ks_nominator_delete (KsNominator *nm, const KsPod *pod)
{
  const KsUid *uid = &pod->parent.meta.uid;
  const char *node = g_hash_table_lookup (nm->node_of, uid);
  GPtrArray *pods;

  if (node == NULL)
    return;
  g_hash_table_remove (nm->node_of, uid);
  nm->count--;
  pods = g_hash_table_lookup (nm->by_node, node);
  for (guint i = 0; pods != NULL && i < pods->len; i++)
    if (ks_uid_equal (&KS_OBJECT (g_ptr_array_index (pods, i))->meta.uid, uid))
      {
        ks_object_unref (g_ptr_array_steal_index (pods, i));
        break;
      }
  if (pods != NULL && pods->len == 0)
    g_hash_table_remove (nm->by_node, node);
}

void
ks_nominator_add (KsNominator *nm, KsPod *pod, const char *node)
{
  GPtrArray *pods;

  /* Never more than one entry per pod. */
  ks_nominator_delete (nm, pod);
  if (node == NULL)
    node = nominated_node_name (pod);
  /* A pod already bound is not nominated (the lister check of addNominatedPodUnlocked). */
  if (node == NULL || node[0] == '\0' || pod->node_name != NULL)
    return;
  node = ks_intern (node);
  g_hash_table_insert (nm->node_of, g_memdup2 (&pod->parent.meta.uid, sizeof (KsUid)),
                       (gpointer) node);
  nm->count++;
  pods = g_hash_table_lookup (nm->by_node, node);
  if (pods == NULL)
    {
      pods = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
      g_hash_table_insert (nm->by_node, (gpointer) node, pods);
    }
  g_ptr_array_add (pods, ks_object_ref (KS_OBJECT (pod)));
}

/* UpdateNominatedPod: a nomination the scheduler made outlives an update that carries no
 * nominatedNodeName in the old or the new pod (the status update may not have been seen). */
static void
nominator_update (KsNominator *nm, const KsPod *old, KsPod *pod)
{
  const char *keep = NULL;

  if (nominated_node_name (old) == NULL && nominated_node_name (pod) == NULL)
    keep = g_hash_table_lookup (nm->node_of, &old->parent.meta.uid);
  ks_nominator_add (nm, pod, keep);
}

const GPtrArray *
ks_nominator_pods_for_node (KsNominator *nm, const char *node)
{
  if (nm->count == 0 || node == NULL)
    return NULL;
  return g_hash_table_lookup (nm->by_node, ks_intern (node));
}

const char *
ks_nominator_node_of (KsNominator *nm, const KsPod *pod)
{
  return nm->count == 0 ? NULL : g_hash_table_lookup (nm->node_of, &pod->parent.meta.uid);
}

guint
ks_nominator_count (KsNominator *nm)
{
  return nm->count;
}

gint64
ks_sched_backoff_duration (gint64 initial, gint64 max, guint attempts)
{
  gint64 d = initial;

  if (attempts == 0)
    return 0;
  for (guint i = 1; i < attempts; i++)
    {
      if (d > max - d)
        return max;
      d += d;
    }
  return d;
}

static void backoff_tick (gpointer data);
static void unschedulable_tick (gpointer data);

static gint64
next_tick (gint64 now, gint64 period)
{
  return (now / period + 1) * period;
}

static void
ensure_ticks (KsSchedQueue *q)
{
  gint64 now = ks_clock_now (q->clock);

  if (q->backoff_tick == 0 && q->backoff.items->len > 0)
    q->backoff_tick = ks_clock_schedule (q->clock, next_tick (now, BACKOFF_FLUSH_PERIOD),
                                         backoff_tick, q, NULL);
  if (q->unschedulable_tick == 0 && q->unschedulable.length > 0)
    q->unschedulable_tick = ks_clock_schedule (
        q->clock, next_tick (now, UNSCHEDULABLE_FLUSH_PERIOD), unschedulable_tick, q, NULL);
}

/* Take e out of whatever structure holds it. */
static void
detach (KsSchedQueue *q, Entry *e)
{
  switch (e->where)
    {
    case WHERE_ACTIVE:
      heap_remove (q, &q->active, e);
      break;
    case WHERE_BACKOFF:
      heap_remove (q, &q->backoff, e);
      break;
    case WHERE_UNSCHEDULABLE:
      g_queue_delete_link (&q->unschedulable, e->link);
      e->link = NULL;
      break;
    case WHERE_IN_FLIGHT:
      break;
    }
}

static void
to_active (KsSchedQueue *q, Entry *e)
{
  e->where = WHERE_ACTIVE;
  heap_push (q, &q->active, e);
  if (q->ready != NULL)
    q->ready (q, q->ready_data);
}

static gboolean
backing_off (KsSchedQueue *q, Entry *e)
{
  return e->backoff_expiry > ks_clock_now (q->clock);
}

static void
to_backoff (KsSchedQueue *q, Entry *e)
{
  e->where = WHERE_BACKOFF;
  e->backoff_expiry
      = e->info.timestamp
        + ks_sched_backoff_duration (q->initial_backoff, q->max_backoff, e->info.attempts);
  heap_push (q, &q->backoff, e);
  ensure_ticks (q);
}

/* Move an unschedulable pod: backoffQ while backing off, else activeQ. */
static void
move (KsSchedQueue *q, Entry *e)
{
  detach (q, e);
  e->backoff_expiry
      = e->info.timestamp
        + ks_sched_backoff_duration (q->initial_backoff, q->max_backoff, e->info.attempts);
  if (backing_off (q, e))
    to_backoff (q, e);
  else
    to_active (q, e);
}

static void
backoff_tick (gpointer data)
{
  KsSchedQueue *q = data;
  gint64 now = ks_clock_now (q->clock);
  Entry *e;

  q->backoff_tick = 0;
  while ((e = heap_peek (&q->backoff)) != NULL && e->backoff_expiry <= now)
    {
      heap_remove (q, &q->backoff, e);
      to_active (q, e);
    }
  ensure_ticks (q);
}

static void
unschedulable_tick (gpointer data)
{
  KsSchedQueue *q = data;
  gint64 now = ks_clock_now (q->clock);
  GList *l = q->unschedulable.head;

  q->unschedulable_tick = 0;
  while (l != NULL)
    {
      Entry *e = l->data;
      l = l->next;
      if (now - e->unschedulable_since > KS_POD_MAX_IN_UNSCHEDULABLE)
        move (q, e);
    }
  ensure_ticks (q);
}

void
ks_sched_queue_add (KsSchedQueue *q, KsPod *pod)
{
  Entry *e = g_hash_table_lookup (q->entries, &pod->parent.meta.uid);
  gint64 now = ks_clock_now (q->clock);

  if (e != NULL)
    {
      ks_sched_queue_update (q, pod);
      return;
    }
  e = g_new0 (Entry, 1);
  e->uid = pod->parent.meta.uid;
  e->info.pod = KS_POD (ks_object_ref (KS_OBJECT (pod)));
  e->info.timestamp = now;
  e->info.initial_attempt_timestamp = now;
  e->info.sequence = q->next_sequence++;
  g_hash_table_insert (q->entries, &e->uid, e);
  ks_nominator_add (&q->nominator, pod, NULL);
  to_active (q, e);
}

/* isPodUpdated: did more than the status (and resourceVersion) change? */
static gboolean
pod_updated (const KsPod *a, const KsPod *b)
{
  return a->spec != b->spec || !ks_str_map_equal (a->parent.meta.labels, b->parent.meta.labels)
         || !ks_str_map_equal (a->parent.meta.annotations, b->parent.meta.annotations)
         || a->node_name != b->node_name;
}

void
ks_sched_queue_update (KsSchedQueue *q, KsPod *pod)
{
  Entry *e = g_hash_table_lookup (q->entries, &pod->parent.meta.uid);
  KsPod *old;

  if (e == NULL)
    return;
  old = (KsPod *) e->info.pod;
  e->info.pod = KS_POD (ks_object_ref (KS_OBJECT (pod)));
  nominator_update (&q->nominator, old, pod);
  if (e->where == WHERE_ACTIVE)
    {
      heap_up (q, &q->active, e->heap_index);
      heap_down (q, &q->active, e->heap_index);
    }
  else if (e->where == WHERE_UNSCHEDULABLE && pod_updated (old, pod))
    move (q, e);
  ks_object_unref (KS_OBJECT (old));
}

void
ks_sched_queue_delete (KsSchedQueue *q, const KsPod *pod)
{
  Entry *e = g_hash_table_lookup (q->entries, &pod->parent.meta.uid);

  ks_nominator_delete (&q->nominator, pod);
  if (e == NULL)
    return;
  detach (q, e);
  g_hash_table_remove (q->entries, &e->uid);
}

gboolean
ks_sched_queue_contains (KsSchedQueue *q, const KsPod *pod)
{
  return g_hash_table_contains (q->entries, &pod->parent.meta.uid);
}

void
ks_sched_queue_resort (KsSchedQueue *q)
{
  q->active_unsorted = TRUE;
}

const KsQueuedPod *
ks_sched_queue_pop (KsSchedQueue *q)
{
  Entry *e;

  /* Pushes and removals on the stale heap kept its shape; one rebuild puts it in order. */
  if (q->active_unsorted)
    {
      heap_rebuild (q, &q->active);
      q->active_unsorted = FALSE;
    }
  e = heap_peek (&q->active);

  if (e == NULL)
    return NULL;
  heap_remove (q, &q->active, e);
  e->where = WHERE_IN_FLIGHT;
  e->popped_at_move = q->n_moves;
  e->info.attempts++;
  return &e->info;
}

void
ks_sched_queue_done (KsSchedQueue *q, const KsPod *pod)
{
  ks_sched_queue_delete (q, pod);
}

void
ks_sched_queue_requeue (KsSchedQueue *q, const KsPod *pod, gboolean rejected_by_plugins)
{
  Entry *e = g_hash_table_lookup (q->entries, &pod->parent.meta.uid);
  gint64 now = ks_clock_now (q->clock);

  if (e == NULL || e->where != WHERE_IN_FLIGHT)
    return;
  e->info.timestamp = now;
  /* A cluster event while the pod was being scheduled (a victim of its own preemption that
   * went at once) may have made it schedulable: it backs off instead of waiting. */
  if (rejected_by_plugins && e->popped_at_move == q->n_moves)
    {
      e->where = WHERE_UNSCHEDULABLE;
      e->unschedulable_since = now;
      g_queue_push_tail (&q->unschedulable, e);
      e->link = q->unschedulable.tail;
      ensure_ticks (q);
    }
  else
    to_backoff (q, e);
}

void
ks_sched_queue_move_all (KsSchedQueue *q)
{
  GList *l = q->unschedulable.head;

  q->n_moves++;
  while (l != NULL)
    {
      Entry *e = l->data;
      l = l->next;
      move (q, e);
    }
}

guint
ks_sched_queue_n_active (KsSchedQueue *q)
{
  return q->active.items->len;
}

guint
ks_sched_queue_n_backoff (KsSchedQueue *q)
{
  return q->backoff.items->len;
}

guint
ks_sched_queue_n_unschedulable (KsSchedQueue *q)
{
  return q->unschedulable.length;
}

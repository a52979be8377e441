/* ks-taint-eviction-controller.c: the taint eviction controller (pkg/controller/tainteviction,
 * reference §5.2): deletes the pods of a node with NoExecute taints that they do not tolerate, at
 * once, or when the shortest tolerationSeconds of the tolerations that match has passed.
 *
 * When a node's NoExecute taints change, each of its pods is looked at; so is a pod that is
 * bound or whose tolerations change.  For each taint the first toleration that tolerates it is
 * the one used; a taint none tolerates means deletion now; otherwise the deletion is scheduled
 * at now + the least tolerationSeconds among them (0 when one is 0 or less), or never when none
 * sets it.  A scheduled deletion stands against later changes unless the pod stops being
 * subject to it (taints removed, tolerated forever, pod gone): then it is cancelled with the
 * event TaintManagerEviction "Cancelling deletion of Pod ns/name".  When it fires, the event
 * TaintManagerEviction "Marking for deletion Pod ns/name" is recorded, the pod gets the condition
 * DisruptionTarget=True (DeletionByTaintManager) and is deleted with its grace period.
 *
 * Node and pod changes are handled from one work queue at the time of the change, in order. */
#include "config.h"

#include <string.h>

#include "ks-controller-private.h"
#include "src/api/ks-node.h"

/* addConditionAndDeletePod is tried this many times. */
#define DELETE_RETRIES 5

/* A scheduled deletion (TimedWorker).  task is 0 once the work has fired or, for a deletion due
 * at once, was started: such an entry cannot be cancelled any more and keeps the pod from being
 * scheduled again, as Kubernetes' nil worker does. */
typedef struct
{
  gint64 created_at;
  gint64 fire_at;
  guint64 task;
  KsObject *pod; /* as last seen, for the events */
} Work;

/* What a deletion task carries: it runs even if its entry was dropped meanwhile. */
typedef struct
{
  KsTaintEvictionController *tc;
  char *key;
  KsObject *pod; /* the pod as last seen, for the event */
  guint64 id;
} Firing;

struct _KsTaintEvictionController
{
  KsController c; /* keys "N:<node>" and "P:<namespace>/<name>" */
  KsPodIndex *pods;
  GHashTable *tainted; /* node name → GArray of KsTaint (its NoExecute taints, copies) */
  GHashTable *work;    /* "namespace/name" → Work */
  GHashTable *firings; /* Firing* of the tasks not run yet */
};

typedef KsTaintEvictionController Tec;

static void
work_free (gpointer p)
{
  Work *w = p;
  ks_object_unref (w->pod);
  g_free (w);
}

static void
taint_array_free (gpointer p)
{
  GArray *a = p;
  for (guint i = 0; i < a->len; i++)
    ks_taint_clear (&g_array_index (a, KsTaint, i));
  g_array_unref (a);
}

/* The node's NoExecute taints (copies). */
static GArray *
no_execute_taints (const KsNode *node)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (KsTaint));

  for (guint i = 0; node != NULL && i < node->n_taints; i++)
    if (node->taints[i].effect == KS_TAINT_NO_EXECUTE)
      {
        KsTaint t;
        ks_taint_copy (&t, &node->taints[i]);
        g_array_append_val (out, t);
      }
  return out;
}

static gboolean
taints_equal (const GArray *a, const GArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      const KsTaint *x = &g_array_index (a, KsTaint, i), *y = &g_array_index (b, KsTaint, i);
      if (strcmp (x->key, y->key) != 0 || strcmp (x->value, y->value) != 0 || x->effect != y->effect
          || x->time_added != y->time_added)
        return FALSE;
    }
  return TRUE;
}

static gboolean
tolerations_equal (const KsPodSpec *a, const KsPodSpec *b)
{
  if (a == b)
    return TRUE;
  if (a->n_tolerations != b->n_tolerations)
    return FALSE;
  for (guint i = 0; i < a->n_tolerations; i++)
    {
      const KsToleration *x = &a->tolerations[i], *y = &b->tolerations[i];
      if (strcmp (x->key, y->key) != 0 || x->op != y->op || strcmp (x->value, y->value) != 0
          || x->effect != y->effect || x->has_seconds != y->has_seconds
          || (x->has_seconds && x->toleration_seconds != y->toleration_seconds))
        return FALSE;
    }
  return TRUE;
}

/* ---- the deletion ------------------------------------------------------------------------- */

static void
firing_free (gpointer p)
{
  Firing *f = p;

  g_hash_table_remove (f->tc->firings, f);
  g_free (f->key);
  ks_object_unref (f->pod);
  g_free (f);
}

/* addConditionAndDeletePod */
static gboolean
add_condition_and_delete_pod (Tec *tc, const char *ns, const char *name, GError **error)
{
  g_autoptr (KsPod) pod
      = KS_POD (ks_client_get (tc->c.client, ks_kind_get (KS_KIND_POD), ns, name, error));
  const KsCondition *c;

  if (pod == NULL)
    return FALSE;
  c = &pod->conditions[KS_POD_COND_DISRUPTION_TARGET];
  if (c->status != KS_CONDITION_TRUE || g_strcmp0 (c->reason, "DeletionByTaintManager") != 0
      || g_strcmp0 (c->message, "Taint manager: deleting due to NoExecute taint") != 0)
    {
      KsPod *copy = ks_pod_copy (pod);
      KsObject *updated;
      ks_pod_set_condition (
          copy, KS_POD_COND_DISRUPTION_TARGET, KS_CONDITION_TRUE, "DeletionByTaintManager",
          "Taint manager: deleting due to NoExecute taint", ks_clock_now (tc->c.clock));
      updated = ks_client_update_status (tc->c.client, KS_OBJECT (copy), error);
      ks_object_unref (KS_OBJECT (copy));
      if (updated == NULL)
        return FALSE;
      ks_object_unref (updated);
    }
  return ks_client_delete (tc->c.client, ks_kind_get (KS_KIND_POD), ns, name, NULL, error);
}

/* The timed work: the event, then the condition and the deletion (retried).  On success the key
 * stays, fired, so the pod is not scheduled again; on failure it goes. */
static void
fire (gpointer data)
{
  Firing *f = data;
  Tec *tc = f->tc;
  g_autofree char *ns = NULL;
  const char *name;
  g_autoptr (GError) error = NULL;
  gboolean ok = FALSE;
  Work *w;

  g_hash_table_remove (tc->firings, f);
  ks_event_record (&tc->c.events, f->pod, FALSE, "TaintManagerEviction", KS_POD (f->pod)->node_name,
                   "Marking for deletion Pod %s", f->key);
  ks_controller_split_key (f->key, &ns, &name);
  for (guint i = 0; i < DELETE_RETRIES && !ok; i++)
    {
      g_clear_error (&error);
      ok = add_condition_and_delete_pod (tc, ns, name, &error);
    }
  if (!ok)
    {
      g_debug ("pod %s: taint eviction failed: %s", f->key, error->message);
      g_hash_table_remove (tc->work, f->key);
      return;
    }
  w = g_hash_table_lookup (tc->work, f->key);
  if (w == NULL)
    {
      w = g_new0 (Work, 1);
      w->pod = ks_object_ref (f->pod);
      g_hash_table_replace (tc->work, g_strdup (f->key), w);
    }
  w->task = 0;
}

static Firing *
firing_new (Tec *tc, const char *key, const KsObject *pod)
{
  Firing *f = g_new0 (Firing, 1);

  f->tc = tc;
  f->key = g_strdup (key);
  f->pod = ks_object_ref ((KsObject *) pod);
  g_hash_table_add (tc->firings, f);
  return f;
}

/* TimedWorkerQueue.AddWork: nothing if the key has work, fired or not.  The timer runs for
 * fire_at − created_at from now, as Kubernetes' does; due at once, it starts now. */
static void
add_work (Tec *tc, const char *key, const KsObject *pod, gint64 created_at, gint64 fire_at)
{
  gint64 delay = fire_at - created_at;
  Firing *f;
  Work *w;

  if (g_hash_table_contains (tc->work, key))
    return;
  w = g_new0 (Work, 1);
  w->created_at = created_at;
  w->fire_at = fire_at;
  w->pod = ks_object_ref ((KsObject *) pod);
  f = firing_new (tc, key, pod);
  f->id = ks_clock_schedule_in (tc->c.clock, MAX (delay, 0), fire, f, firing_free);
  if (delay > 0)
    w->task = f->id;
  g_hash_table_replace (tc->work, g_strdup (key), w);
}

/* cancelWorkWithEvent: the event only when a deletion was still to come. */
static void
cancel_work (Tec *tc, const char *key)
{
  Work *w = g_hash_table_lookup (tc->work, key);

  if (w == NULL)
    return;
  if (w->task != 0)
    {
      ks_clock_cancel (tc->c.clock, w->task);
      ks_event_record (&tc->c.events, w->pod, FALSE, "TaintManagerEviction",
                       KS_POD (w->pod)->node_name, "Cancelling deletion of Pod %s", key);
    }
  g_hash_table_remove (tc->work, key);
}

/* ---- deciding ----------------------------------------------------------------------------- */

/* processPodOnNode */
static void
process_pod_on_node (Tec *tc, const KsPod *pod, const GArray *taints, gint64 now)
{
  const KsPodSpec *spec = pod->spec;
  g_autofree char *key = ks_object_key (KS_OBJECT (pod));
  gint64 min_seconds = G_MAXINT64;
  gboolean any_used = FALSE, zero = FALSE;
  gint64 trigger, start = now;
  Work *w;

  if (taints->len == 0)
    {
      cancel_work (tc, key);
      return;
    }
  /* GetMatchingTolerations: for each taint, the first toleration that tolerates it. */
  for (guint i = 0; i < taints->len; i++)
    {
      const KsToleration *used = NULL;
      for (guint j = 0; j < spec->n_tolerations && used == NULL; j++)
        if (ks_toleration_tolerates (&spec->tolerations[j], &g_array_index (taints, KsTaint, i)))
          used = &spec->tolerations[j];
      if (used == NULL)
        {
          /* Not tolerated: delete now. */
          cancel_work (tc, key);
          add_work (tc, key, KS_OBJECT (pod), now, now);
          return;
        }
      any_used = TRUE;
      if (used->has_seconds)
        {
          if (used->toleration_seconds <= 0)
            zero = TRUE;
          else
            min_seconds = MIN (min_seconds, used->toleration_seconds);
        }
    }
  /* getMinTolerationTime */
  if (!any_used || zero)
    min_seconds = 0;
  else if (min_seconds == G_MAXINT64)
    {
      /* Tolerated forever. */
      cancel_work (tc, key);
      return;
    }
  trigger = now + min_seconds * KS_USEC_PER_SEC;
  w = g_hash_table_lookup (tc->work, key);
  if (w != NULL && w->task != 0)
    {
      /* The earlier deletion stands.  (Kubernetes' clock never repeats an instant; here a
       * deletion scheduled at this instant for the same time is the same deletion.) */
      if (w->created_at + min_seconds * KS_USEC_PER_SEC < trigger || w->fire_at == trigger)
        return;
      start = w->created_at;
      cancel_work (tc, key);
    }
  add_work (tc, key, KS_OBJECT (pod), start, trigger);
}

/* handleNodeUpdate */
static void
handle_node (Tec *tc, const char *name)
{
  g_autoptr (KsNode) node
      = KS_NODE (ks_client_get (tc->c.client, ks_kind_get (KS_KIND_NODE), NULL, name, NULL));
  g_autoptr (GPtrArray) pods = NULL;
  GArray *taints;
  gint64 now = ks_clock_now (tc->c.clock);

  if (node == NULL)
    {
      g_hash_table_remove (tc->tainted, name);
      return;
    }
  taints = no_execute_taints (node);
  if (taints->len == 0)
    {
      taint_array_free (taints);
      g_hash_table_remove (tc->tainted, name);
      taints = NULL;
    }
  else
    g_hash_table_replace (tc->tainted, g_strdup (name), taints);
  pods = ks_pod_index_list (tc->pods, name);
  for (guint i = 0; i < pods->len; i++)
    {
      const KsPod *pod = g_ptr_array_index (pods, i);
      if (taints == NULL)
        {
          g_autofree char *key = ks_object_key (KS_OBJECT (pod));
          cancel_work (tc, key);
        }
      else
        process_pod_on_node (tc, pod, taints, now);
    }
}

/* handlePodUpdate */
static void
handle_pod (Tec *tc, const char *key)
{
  g_autofree char *ns = NULL;
  const char *name;
  g_autoptr (KsPod) pod = NULL;
  const GArray *taints;
  Work *w;

  ks_controller_split_key (key, &ns, &name);
  pod = KS_POD (ks_client_get (tc->c.client, ks_kind_get (KS_KIND_POD), ns, name, NULL));
  if (pod == NULL)
    {
      /* Gone: a deletion still to come is cancelled. */
      cancel_work (tc, key);
      return;
    }
  /* Another pod under the name (a StatefulSet's, made again before this update was handled):
   * the work of the one that went is cancelled, as Kubernetes' lister would most often have
   * answered NotFound; otherwise the new pod would never be evicted. */
  w = g_hash_table_lookup (tc->work, key);
  if (w != NULL && !ks_uid_equal (&w->pod->meta.uid, &KS_OBJECT (pod)->meta.uid))
    cancel_work (tc, key);
  if (pod->node_name == NULL
      || (taints = g_hash_table_lookup (tc->tainted, pod->node_name)) == NULL)
    return;
  process_pod_on_node (tc, pod, taints, ks_clock_now (tc->c.clock));
}

static void
process (const char *item, gpointer data)
{
  Tec *tc = data;

  if (g_str_has_prefix (item, "N:"))
    handle_node (tc, item + 2);
  else
    handle_pod (tc, item + 2);
}

/* ---- watches and lifetime ----------------------------------------------------------------- */

/* NodeUpdated: only changes of the NoExecute taints matter. */
static void
on_node (const KsWatchEvent *event, gpointer data)
{
  Tec *tc = data;
  g_autofree char *item = NULL;

  if (event->type == KS_WATCH_MODIFIED)
    {
      GArray *a = no_execute_taints (KS_NODE (event->old_object));
      GArray *b = no_execute_taints (KS_NODE (event->object));
      gboolean same = taints_equal (a, b);
      taint_array_free (a);
      taint_array_free (b);
      if (same)
        return;
    }
  item = g_strconcat ("N:", event->object->meta.name, NULL);
  ks_workqueue_add (tc->c.queue, item);
}

/* PodUpdated: additions, deletions, and changes of the node or the tolerations. */
static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  Tec *tc = data;
  const KsPod *pod = KS_POD (event->object);
  g_autofree char *key = NULL, *item = NULL;

  ks_pod_index_apply (tc->pods, event);
  if (event->type == KS_WATCH_MODIFIED)
    {
      const KsPod *old = KS_POD (event->old_object);
      if (old->node_name == pod->node_name && tolerations_equal (old->spec, pod->spec))
        return;
    }
  key = ks_object_key (event->object);
  item = g_strconcat ("P:", key, NULL);
  ks_workqueue_add (tc->c.queue, item);
}

KsTaintEvictionController *
ks_taint_eviction_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink)
{
  Tec *tc = g_new0 (Tec, 1);

  ks_controller_init (&tc->c, client, clock, sink, "taint-eviction-controller", process, tc);
  tc->pods = ks_pod_index_new ();
  tc->tainted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, taint_array_free);
  tc->work = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, work_free);
  tc->firings = g_hash_table_new (g_direct_hash, g_direct_equal);
  tc->c.watches[tc->c.n_watches++]
      = ks_client_watch (client, ks_kind_get (KS_KIND_POD), NULL, TRUE, on_pod, tc, NULL);
  tc->c.watches[tc->c.n_watches++]
      = ks_client_watch (client, ks_kind_get (KS_KIND_NODE), NULL, TRUE, on_node, tc, NULL);
  return tc;
}

void
ks_taint_eviction_controller_free (KsTaintEvictionController *tc)
{
  g_autoptr (GPtrArray) ids = NULL;
  GHashTableIter iter;
  Firing *f;

  if (tc == NULL)
    return;
  ks_controller_clear (&tc->c);
  /* Cancelling a task frees its Firing, which leaves the table: take the ids first. */
  ids = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, tc->firings);
  while (g_hash_table_iter_next (&iter, (gpointer *) &f, NULL))
    g_ptr_array_add (ids, f);
  for (guint i = 0; i < ids->len; i++)
    ks_clock_cancel (tc->c.clock, ((Firing *) g_ptr_array_index (ids, i))->id);
  ks_pod_index_free (tc->pods);
  g_hash_table_unref (tc->tainted);
  g_hash_table_unref (tc->work);
  g_hash_table_unref (tc->firings);
  g_free (tc);
}

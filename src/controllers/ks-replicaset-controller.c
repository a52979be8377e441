/* ks-replicaset-controller.c: the ReplicaSet controller (pkg/controller/replicaset).
 *
 * Creates pods from the template until the active pods equal spec.replicas (at most 500 per
 * sync, in slow-start batches 1, 2, 4, ...), deletes the surplus in Kubernetes' ranking, and
 * keeps status.  Differences from Kubernetes (docs/architecture.md): the store is synchronous, so
 * there are no creation/deletion expectations to wait for, and orphan pods are not adopted.
 *
 * A ReplicaSet of many pods whose pods change at different times would cost a listing of all
 * its pods per change.  So the controller keeps, per ReplicaSet, the counts a listing gives
 * (active, ready, fully labeled pods), taken by one listing and kept up to date from the pod
 * watch; it lists the pods again only to choose pods to delete, to judge availability under
 * minReadySeconds, or when the template's labels changed. */
#include "config.h"

#include <string.h>

#include "ks-controller-private.h"

#define BURST_REPLICAS 500
#define SLOW_START_INITIAL_BATCH_SIZE 1

typedef struct
{
  KsUid uid;                 /* the ReplicaSet's */
  KsStrMap *template_labels; /* the labels "fully labeled" was counted against */
  gint32 active;             /* pods that are neither terminal nor being deleted */
  gint32 ready;              /* ... and Ready */
  gint32 labeled;            /* ... with every template label */
} Counts;

struct _KsReplicaSetController
{
  KsController c;
  GHashTable *counts; /* &uid → Counts, for ReplicaSets synced by a listing */
};

static void
counts_free (gpointer p)
{
  Counts *c = p;
  ks_str_map_unref (c->template_labels);
  g_free (c);
}

/* What one pod adds to its ReplicaSet's counts. */
static void
contribution (const Counts *c, const KsPod *pod, gint32 sign, Counts *out)
{
  if (!ks_pod_is_active (pod))
    return;
  out->active += sign;
  if (ks_pod_is_ready (pod))
    out->ready += sign;
  if (ks_str_map_is_subset (c->template_labels, pod->parent.meta.labels))
    out->labeled += sign;
}

static void
count_pod (KsReplicaSetController *rsc, const KsObject *pod, gint32 sign)
{
  const KsOwnerRef *ref = pod != NULL ? ks_object_get_controller_ref (pod) : NULL;
  Counts *c;

  if (ref == NULL || strcmp (ref->kind, "ReplicaSet") != 0)
    return;
  c = g_hash_table_lookup (rsc->counts, &ref->uid);
  if (c != NULL)
    contribution (c, KS_POD (pod), sign, c);
}

static void
on_replica_set (const KsWatchEvent *event, gpointer data)
{
  KsReplicaSetController *rsc = data;
  g_autofree char *key = NULL;

  if (event->type == KS_WATCH_DELETED)
    {
      g_hash_table_remove (rsc->counts, &event->object->meta.uid);
      return;
    }
  key = ks_object_key (event->object);
  ks_workqueue_add (rsc->c.queue, key);
}

static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  KsReplicaSetController *rsc = data;
  const KsPod *pod = KS_POD (event->object);
  const KsOwnerRef *ref;

  /* Keep the counts: take the old version out, put the new one in (the owner may differ). */
  if (event->type != KS_WATCH_ADDED)
    count_pod (rsc, event->type == KS_WATCH_DELETED ? event->object : event->old_object, -1);
  if (event->type != KS_WATCH_DELETED)
    count_pod (rsc, event->object, +1);

  /* Only changes that matter to a ReplicaSet: creation, deletion, readiness, phase, deletion
   * timestamps; every pod event is cheap to enqueue, so take them all. */
  ks_controller_enqueue_owner (&rsc->c, event->object, "ReplicaSet");

  /* updatePod: a pod that just became ready is available minReadySeconds later; look again then
   * (plus a second, as Kubernetes does). */
  ref = ks_object_get_controller_ref (event->object);
  if (event->type == KS_WATCH_MODIFIED && ref != NULL && strcmp (ref->kind, "ReplicaSet") == 0
      && !ks_pod_is_ready (KS_POD (event->old_object)) && ks_pod_is_ready (pod))
    {
      g_autoptr (KsObject) rs = ks_client_get (rsc->c.client, ks_kind_get (KS_KIND_REPLICA_SET),
                                               event->object->meta.namespace, ref->name, NULL);
      if (rs != NULL && ks_uid_equal (&rs->meta.uid, &ref->uid)
          && KS_REPLICA_SET (rs)->min_ready_seconds > 0)
        {
          g_autofree char *key = ks_object_key (rs);
          ks_workqueue_add_after (rsc->c.queue, key,
                                  (KS_REPLICA_SET (rs)->min_ready_seconds + 1) * KS_USEC_PER_SEC);
        }
    }
}

/* The pods the ReplicaSet controls (owner reference with controller=true to it). */
static GPtrArray *
owned_pods (KsReplicaSetController *rsc, KsObject *rs)
{
  GPtrArray *pods = ks_client_list_dependents (rsc->c.client, ks_kind_get (KS_KIND_POD), rs, NULL);

  for (guint i = pods->len; i-- > 0;)
    {
      const KsOwnerRef *ref = ks_object_get_controller_ref (g_ptr_array_index (pods, i));
      if (ref == NULL || !ks_uid_equal (&ref->uid, &rs->meta.uid))
        g_ptr_array_remove_index (pods, i);
    }
  return pods;
}

/* Active pods of every ReplicaSet with the same controller as rs (rs included), for ranks.  A
 * ReplicaSet without a controller has no related pods (getReplicaSetsWithSameController returns
 * nil), so all its pods rank 0. */
static GPtrArray *
related_pods (KsReplicaSetController *rsc, KsReplicaSet *rs)
{
  const KsOwnerRef *ref = ks_object_get_controller_ref (KS_OBJECT (rs));
  GPtrArray *related = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_autoptr (GPtrArray) siblings = NULL;

  if (ref == NULL)
    return related;
  siblings = ks_client_list (rsc->c.client, ks_kind_get (KS_KIND_REPLICA_SET),
                             rs->parent.meta.namespace, NULL);
  for (guint i = 0; i < siblings->len; i++)
    {
      KsObject *sib = g_ptr_array_index (siblings, i);
      const KsOwnerRef *sref = ks_object_get_controller_ref (sib);
      g_autoptr (GPtrArray) pods = NULL;
      if (sref == NULL || !ks_uid_equal (&sref->uid, &ref->uid))
        continue;
      pods = owned_pods (rsc, sib);
      for (guint j = 0; j < pods->len; j++)
        if (ks_pod_is_active (g_ptr_array_index (pods, j)))
          g_ptr_array_add (related, ks_object_ref (g_ptr_array_index (pods, j)));
    }
  return related;
}

/* "<rs>-", interned: every pod of the set shares it. */
static const char *
rs_generate_name (KsReplicaSet *rs)
{
  g_autofree char *prefix = g_strdup_printf ("%s-", rs->parent.meta.name);
  return ks_intern (prefix);
}

static gboolean
create_pod (KsReplicaSetController *rsc, KsReplicaSet *rs, KsOwnerRefs *owner)
{
  g_autoptr (GError) error = NULL;
  KsPod *pod = ks_pod_new_from_template (&rs->template);
  KsObject *created;

  pod->parent.meta.generate_name = rs_generate_name (rs);
  pod->parent.meta.namespace = rs->parent.meta.namespace;
  ks_object_set_owner_refs (KS_OBJECT (pod), owner);
  created = ks_client_create (rsc->c.client, KS_OBJECT (pod), &error);
  ks_object_unref (KS_OBJECT (pod));
  if (created == NULL)
    {
      ks_event_record (&rsc->c.events, KS_OBJECT (rs), TRUE, "FailedCreate", NULL,
                       "Error creating: %s", error->message);
      return FALSE;
    }
  ks_event_record (&rsc->c.events, KS_OBJECT (rs), FALSE, "SuccessfulCreate", NULL,
                   "Created pod: %s", created->meta.name);
  ks_object_unref (created);
  return TRUE;
}

/* Create or delete pods so that n_active becomes spec.replicas.  active (the active pods) is
 * needed only when there are pods to delete. */
static void
manage_replicas (KsReplicaSetController *rsc, KsReplicaSet *rs, gint32 n_active, GPtrArray *active)
{
  gint diff = (gint) n_active - rs->replicas;

  if (diff < 0)
    {
      g_autoptr (KsOwnerRefs) owner = ks_owner_refs_new_controller (KS_OBJECT (rs));
      gint todo = MIN (-diff, BURST_REPLICAS);
      gint batch = MIN (todo, SLOW_START_INITIAL_BATCH_SIZE);
      /* slowStartBatch: batches of 1, 2, 4, ...; stop after a batch with an error. */
      while (todo > 0)
        {
          gint ok = 0;
          for (gint i = 0; i < batch; i++)
            ok += create_pod (rsc, rs, owner) ? 1 : 0;
          if (ok < batch)
            return;
          todo -= batch;
          batch = MIN (2 * batch, todo);
        }
    }
  else if (diff > 0)
    {
      gint n = MIN (diff, BURST_REPLICAS);

      g_return_if_fail (active != NULL && active->len == (guint) n_active);
      g_autofree KsPod **pods = g_new (KsPod *, active->len);
      g_autofree gint *ranks = g_new0 (gint, active->len);

      for (guint i = 0; i < active->len; i++)
        pods[i] = g_ptr_array_index (active, i);
      if ((guint) n < active->len)
        {
          g_autoptr (GPtrArray) related = related_pods (rsc, rs);
          g_autoptr (GHashTable) on_node = g_hash_table_new (g_direct_hash, g_direct_equal);
          for (guint i = 0; i < related->len; i++)
            {
              const char *node = KS_POD (g_ptr_array_index (related, i))->node_name;
              gpointer key = (gpointer) (node != NULL ? node : "");
              g_hash_table_insert (
                  on_node, key,
                  GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (on_node, key)) + 1));
            }
          for (guint i = 0; i < active->len; i++)
            {
              const char *node = pods[i]->node_name;
              ranks[i] = GPOINTER_TO_INT (g_hash_table_lookup (on_node, node != NULL ? node : ""));
            }
          ks_sort_pods_for_deletion (pods, ranks, active->len, ks_clock_now (rsc->c.clock));
        }
      for (gint i = 0; i < n; i++)
        {
          g_autoptr (GError) error = NULL;
          if (!ks_client_delete (rsc->c.client, ks_kind_get (KS_KIND_POD),
                                 pods[i]->parent.meta.namespace, pods[i]->parent.meta.name, NULL,
                                 &error))
            {
              if (!g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
                ks_event_record (&rsc->c.events, KS_OBJECT (rs), TRUE, "FailedDelete", NULL,
                                 "Error deleting: %s", error->message);
              continue;
            }
          ks_event_record (&rsc->c.events, KS_OBJECT (rs), FALSE, "SuccessfulDelete", NULL,
                           "Deleted pod: %s", pods[i]->parent.meta.name);
        }
    }
}

static void
sync_replica_set (const char *key, gpointer data)
{
  KsReplicaSetController *rsc = data;
  g_autofree char *ns = NULL;
  const char *name;
  g_autoptr (KsObject) obj = NULL;
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (GPtrArray) active = NULL;
  KsReplicaSet *rs;
  Counts *c, before;
  gint32 available;
  gint64 now = ks_clock_now (rsc->c.clock);

  ks_controller_split_key (key, &ns, &name);
  obj = ks_client_get (rsc->c.client, ks_kind_get (KS_KIND_REPLICA_SET), ns, name, NULL);
  if (obj == NULL)
    return;
  rs = KS_REPLICA_SET (obj);
  c = g_hash_table_lookup (rsc->counts, &obj->meta.uid);
  if (c == NULL || c->template_labels != rs->template.labels || rs->min_ready_seconds > 0
      || c->active > rs->replicas)
    {
      /* List the pods: to recount, to judge availability, or to choose pods to delete. */
      if (c == NULL)
        {
          c = g_new0 (Counts, 1);
          c->uid = obj->meta.uid;
          g_hash_table_insert (rsc->counts, &c->uid, c);
        }
      ks_str_map_unref (c->template_labels);
      c->template_labels = ks_str_map_ref (rs->template.labels);
      c->active = c->ready = c->labeled = 0;
      pods = owned_pods (rsc, obj);
      active = g_ptr_array_new ();
      for (guint i = 0; i < pods->len; i++)
        {
          KsPod *pod = g_ptr_array_index (pods, i);
          contribution (c, pod, +1, c);
          if (ks_pod_is_active (pod))
            g_ptr_array_add (active, pod);
        }
    }
  /* calculateStatus counts the pods as they were at the start of the sync. */
  before = *c;
  available = before.ready;
  if (active != NULL && rs->min_ready_seconds > 0)
    {
      available = 0;
      for (guint i = 0; i < active->len; i++)
        available
            += ks_pod_is_available (g_ptr_array_index (active, i), rs->min_ready_seconds, now);
    }
  if (!ks_object_is_being_deleted (obj))
    manage_replicas (rsc, rs, before.active, active);

  if (rs->status.replicas != before.active || rs->status.ready_replicas != before.ready
      || rs->status.available_replicas != available
      || rs->status.fully_labeled_replicas != before.labeled
      || rs->status.observed_generation != obj->meta.generation)
    {
      KsReplicaSet *copy = KS_REPLICA_SET (ks_object_copy (obj));
      KsObject *updated;
      copy->status.replicas = before.active;
      copy->status.ready_replicas = before.ready;
      copy->status.available_replicas = available;
      copy->status.fully_labeled_replicas = before.labeled;
      copy->status.observed_generation = obj->meta.generation;
      updated = ks_client_update_status (rsc->c.client, KS_OBJECT (copy), NULL);
      ks_object_unref (KS_OBJECT (copy));
      if (updated != NULL)
        ks_object_unref (updated);
    }
  /* Pods become available minReadySeconds after they are ready: look again then.  A second
   * later, as on_pod does: availability needs lastTransitionTime + minReadySeconds < now, and
   * simulated time has no latency to make that true at exactly minReadySeconds. */
  if (rs->min_ready_seconds > 0 && before.ready == rs->replicas && available != rs->replicas)
    ks_workqueue_add_after (rsc->c.queue, key, (rs->min_ready_seconds + 1) * KS_USEC_PER_SEC);
}

KsReplicaSetController *
ks_replicaset_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink)
{
  KsReplicaSetController *rsc = g_new0 (KsReplicaSetController, 1);

  ks_controller_init (&rsc->c, client, clock, sink, "replicaset-controller", sync_replica_set, rsc);
  rsc->counts = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, NULL, counts_free);
  rsc->c.watches[rsc->c.n_watches++] = ks_client_watch (client, ks_kind_get (KS_KIND_REPLICA_SET),
                                                        NULL, TRUE, on_replica_set, rsc, NULL);
  rsc->c.watches[rsc->c.n_watches++]
      = ks_client_watch (client, ks_kind_get (KS_KIND_POD), NULL, TRUE, on_pod, rsc, NULL);
  return rsc;
}

void
ks_replicaset_controller_free (KsReplicaSetController *rsc)
{
  if (rsc == NULL)
    return;
  ks_controller_clear (&rsc->c);
  g_hash_table_unref (rsc->counts);
  g_free (rsc);
}

/* ks-sim-link.c: a node agent's link to the API server, which a partition cuts. */
#include "config.h"

#include "ks-sim-link.h"
#include "src/api/ks-object.h"

typedef struct _Link Link;

typedef struct
{
  Link *link;
  guint id; /* the inner client's */
  KsWatchFunc func;
  gpointer data;
  GDestroyNotify destroy;
} LinkWatch;

/* A watch event held while the link is cut. */
typedef struct
{
  LinkWatch *watch;
  KsWatchEventType type;
  KsObject *object;
  KsObject *old_object;
} Held;

struct _Link
{
  KsClient parent;
  KsClient *inner;
  char *node;
  gboolean cut;
  GQueue held;        /* Held*, oldest first */
  GPtrArray *watches; /* LinkWatch* */
  /* The last pod status the agent tried to write while cut, per pod UID (KsObject*), and the
   * pods in the order first written (the keys). */
  GHashTable *statuses;
  GPtrArray *status_order;
};

static void
held_free (Held *h)
{
  ks_object_unref (h->object);
  if (h->old_object != NULL)
    ks_object_unref (h->old_object);
  g_free (h);
}

static gboolean
unreachable (Link *l, GError **error)
{
  if (!l->cut)
    return FALSE;
  g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_INTERNAL,
               "node %s cannot reach the API server: network partition", l->node);
  return TRUE;
}

static KsObject *
link_get (KsClient *self, const KsKind *kind, const char *ns, const char *name, GError **error)
{
  Link *l = (Link *) self;
  return unreachable (l, error) ? NULL : ks_client_get (l->inner, kind, ns, name, error);
}

static GPtrArray *
link_list (KsClient *self, const KsKind *kind, const char *ns, GError **error)
{
  Link *l = (Link *) self;
  return unreachable (l, error) ? NULL : ks_client_list (l->inner, kind, ns, error);
}

static GPtrArray *
link_list_dependents (KsClient *self, const KsKind *kind, const KsObject *owner, GError **error)
{
  Link *l = (Link *) self;
  return unreachable (l, error) ? NULL : ks_client_list_dependents (l->inner, kind, owner, error);
}

static KsObject *
link_create (KsClient *self, KsObject *obj, GError **error)
{
  Link *l = (Link *) self;
  return unreachable (l, error) ? NULL : ks_client_create (l->inner, obj, error);
}

static KsObject *
link_update (KsClient *self, KsObject *obj, GError **error)
{
  Link *l = (Link *) self;
  return unreachable (l, error) ? NULL : ks_client_update (l->inner, obj, error);
}

static KsObject *
link_update_status (KsClient *self, KsObject *obj, GError **error)
{
  Link *l = (Link *) self;

  if (!unreachable (l, error))
    return ks_client_update_status (l->inner, obj, error);
  /* The kubelet's status manager keeps the latest status of each pod and writes it once the
   * API server answers again. */
  if (obj->kind->id == KS_KIND_POD)
    {
      KsUid *uid = g_new (KsUid, 1);
      *uid = obj->meta.uid;
      if (!g_hash_table_contains (l->statuses, uid))
        g_ptr_array_add (l->status_order, uid);
      /* An existing key stays (the order holds it); the new one is freed. */
      g_hash_table_insert (l->statuses, uid, ks_object_ref (obj));
    }
  return NULL;
}

static gboolean
link_delete (KsClient *self, const KsKind *kind, const char *ns, const char *name,
             const KsDeleteOptions *options, GError **error)
{
  Link *l = (Link *) self;
  return !unreachable (l, error) && ks_client_delete (l->inner, kind, ns, name, options, error);
}

static gboolean
link_bind (KsClient *self, const KsPod *pod, const char *node, GError **error)
{
  Link *l = (Link *) self;
  return !unreachable (l, error) && ks_client_bind (l->inner, pod, node, error);
}

static void
forward (const KsWatchEvent *event, gpointer data)
{
  LinkWatch *w = data;
  Link *l = w->link;

  if (l->cut)
    {
      Held *h = g_new0 (Held, 1);
      h->watch = w;
      h->type = event->type;
      h->object = ks_object_ref (event->object);
      h->old_object = event->old_object != NULL ? ks_object_ref (event->old_object) : NULL;
      g_queue_push_tail (&l->held, h);
      return;
    }
  w->func (event, w->data);
}

static guint
link_watch (KsClient *self, const KsKind *kind, const char *node_name, gboolean replay,
            KsWatchFunc func, gpointer user_data, GDestroyNotify destroy)
{
  Link *l = (Link *) self;
  LinkWatch *w = g_new0 (LinkWatch, 1);

  w->link = l;
  w->func = func;
  w->data = user_data;
  w->destroy = destroy;
  g_ptr_array_add (l->watches, w);
  w->id = ks_client_watch (l->inner, kind, node_name, replay, forward, w, NULL);
  return w->id;
}

static void
drop_held (Link *l, LinkWatch *w)
{
  for (GList *i = l->held.head; i != NULL;)
    {
      GList *next = i->next;
      Held *h = i->data;
      if (w == NULL || h->watch == w)
        {
          held_free (h);
          g_queue_delete_link (&l->held, i);
        }
      i = next;
    }
}

static void
watch_free (LinkWatch *w)
{
  if (w->destroy != NULL)
    w->destroy (w->data);
  g_free (w);
}

static void
link_unwatch (KsClient *self, guint id)
{
  Link *l = (Link *) self;

  for (guint i = 0; i < l->watches->len; i++)
    {
      LinkWatch *w = g_ptr_array_index (l->watches, i);
      if (w->id != id)
        continue;
      ks_client_unwatch (l->inner, id);
      drop_held (l, w);
      g_ptr_array_remove_index (l->watches, i);
      watch_free (w);
      return;
    }
}

static void
link_free (KsClient *self)
{
  Link *l = (Link *) self;

  drop_held (l, NULL);
  for (guint i = 0; i < l->watches->len; i++)
    {
      LinkWatch *w = g_ptr_array_index (l->watches, i);
      ks_client_unwatch (l->inner, w->id);
      watch_free (w);
    }
  g_ptr_array_unref (l->watches);
  g_ptr_array_unref (l->status_order);
  g_hash_table_unref (l->statuses);
  g_free (l->node);
  g_free (l);
}

static const KsClientOps link_ops = {
  .get = link_get,
  .list = link_list,
  .list_dependents = link_list_dependents,
  .create = link_create,
  .update = link_update,
  .update_status = link_update_status,
  .delete = link_delete,
  .bind = link_bind,
  .watch = link_watch,
  .unwatch = link_unwatch,
  .free = link_free,
};

KsClient *
ks_sim_link_new (KsClient *inner, const char *node)
{
  Link *l = g_new0 (Link, 1);

  l->parent.ops = &link_ops;
  l->inner = inner;
  l->node = g_strdup (node);
  l->watches = g_ptr_array_new ();
  l->statuses = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, g_free,
                                       (GDestroyNotify) ks_object_unref);
  l->status_order = g_ptr_array_new ();
  g_queue_init (&l->held);
  return &l->parent;
}

/* The statuses held while cut, each written over the pod's current status (the kubelet owns a
 * pod's status; the control plane's changes meanwhile, the node lifecycle controller's Ready
 * False, are what the status manager's sync corrects), in the order first written.  A pod gone
 * meanwhile, or replaced by another of the same name, is skipped. */
static void
flush_statuses (Link *l)
{
  g_autoptr (GPtrArray) order = l->status_order;
  g_autoptr (GHashTable) statuses = l->statuses;

  l->status_order = g_ptr_array_new ();
  l->statuses = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, g_free,
                                       (GDestroyNotify) ks_object_unref);
  for (guint i = 0; i < order->len; i++)
    {
      const KsObject *want = g_hash_table_lookup (statuses, g_ptr_array_index (order, i));
      g_autoptr (KsObject) current
          = ks_client_get (l->inner, want->kind, want->meta.namespace, want->meta.name, NULL);
      g_autoptr (GError) error = NULL;
      KsObject *copy, *written;

      if (current == NULL || !ks_uid_equal (&current->meta.uid, &want->meta.uid))
        continue;
      copy = ks_object_copy (want);
      copy->meta.resource_version = current->meta.resource_version;
      ks_object_set_labels (copy, current->meta.labels);
      ks_object_set_annotations (copy, current->meta.annotations);
      written = ks_client_update_status (l->inner, copy, &error);
      ks_object_unref (copy);
      if (written != NULL)
        ks_object_unref (written);
      else
        g_debug ("node %s: pod %s/%s: held status not written: %s", l->node, want->meta.namespace,
                 want->meta.name, error->message);
    }
}

void
ks_sim_link_set_cut (KsClient *link, gboolean cut)
{
  Link *l = (Link *) link;
  Held *h;

  g_return_if_fail (link != NULL && link->ops == &link_ops);
  l->cut = cut;
  if (cut)
    return;
  /* The watches catch up; a callback that cuts the link again stops the replay. */
  while (!l->cut && (h = g_queue_pop_head (&l->held)) != NULL)
    {
      KsWatchEvent event = { h->type, h->object, h->old_object };
      h->watch->func (&event, h->watch->data);
      held_free (h);
    }
  if (!l->cut)
    flush_statuses (l);
}

gboolean
ks_sim_link_is_cut (KsClient *link)
{
  return ((Link *) link)->cut;
}

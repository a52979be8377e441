/* ks-client.c: the client interface over a local store. */
#include "config.h"

#include "ks-client.h"

typedef struct
{
  KsClient parent;
  KsStore *store;
} StoreClient;

#define STORE(self) (((StoreClient *) (self))->store)

static KsObject *
ref_or_null (KsObject *obj)
{
  return obj != NULL ? ks_object_ref (obj) : NULL;
}

static KsObject *
sc_get (KsClient *self, const KsKind *kind, const char *ns, const char *name, GError **error)
{
  KsObject *obj = ks_store_get (STORE (self), kind, ns, name);

  /* NewNotFound names the qualified resource: pods, deployments.apps, ... */
  if (obj == NULL)
    g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND, "%s%s%s \"%s\" not found",
                 kind->plural, kind->group[0] != '\0' ? "." : "", kind->group, name);
  return ref_or_null (obj);
}

static GPtrArray *
refs (GPtrArray *borrowed)
{
  GPtrArray *out = g_ptr_array_new_full (borrowed->len, (GDestroyNotify) ks_object_unref);
  for (guint i = 0; i < borrowed->len; i++)
    g_ptr_array_add (out, ks_object_ref (g_ptr_array_index (borrowed, i)));
  return out;
}

static GPtrArray *
sc_list (KsClient *self, const KsKind *kind, const char *ns, GError **error)
{
  g_autoptr (GPtrArray) borrowed = g_ptr_array_new ();
  ks_store_list (STORE (self), kind, ns, borrowed);
  return refs (borrowed);
}

static GPtrArray *
sc_list_dependents (KsClient *self, const KsKind *kind, const KsObject *owner, GError **error)
{
  g_autoptr (GPtrArray) borrowed = g_ptr_array_new ();
  ks_store_list_dependents (STORE (self), kind, &owner->meta.uid, borrowed);
  return refs (borrowed);
}

static KsObject *
sc_create (KsClient *self, KsObject *obj, GError **error)
{
  return ref_or_null (ks_store_create (STORE (self), obj, error));
}

static KsObject *
sc_update (KsClient *self, KsObject *obj, GError **error)
{
  return ref_or_null (ks_store_update (STORE (self), obj, FALSE, error));
}

static KsObject *
sc_update_status (KsClient *self, KsObject *obj, GError **error)
{
  return ref_or_null (ks_store_update (STORE (self), obj, TRUE, error));
}

static gboolean
sc_delete (KsClient *self, const KsKind *kind, const char *ns, const char *name,
           const KsDeleteOptions *options, GError **error)
{
  return ks_store_delete (STORE (self), kind, ns, name, options, error);
}

static gboolean
sc_bind (KsClient *self, const KsPod *pod, const char *node, GError **error)
{
  return ks_store_bind (STORE (self), pod->parent.meta.namespace, pod->parent.meta.name,
                        &pod->parent.meta.uid, node, error);
}

static guint
sc_watch (KsClient *self, const KsKind *kind, const char *node_name, gboolean replay,
          KsWatchFunc func, gpointer user_data, GDestroyNotify destroy)
{
  return ks_store_watch (STORE (self), kind, node_name, replay, func, user_data, destroy);
}

static void
sc_unwatch (KsClient *self, guint id)
{
  ks_store_unwatch (STORE (self), id);
}

static void
sc_free (KsClient *self)
{
  g_free (self);
}

static const KsClientOps store_client_ops = {
  .get = sc_get,
  .list = sc_list,
  .list_dependents = sc_list_dependents,
  .create = sc_create,
  .update = sc_update,
  .update_status = sc_update_status,
  .delete = sc_delete,
  .bind = sc_bind,
  .watch = sc_watch,
  .unwatch = sc_unwatch,
  .free = sc_free,
};

KsClient *
ks_store_client_new (KsStore *store)
{
  StoreClient *c = g_new0 (StoreClient, 1);
  c->parent.ops = &store_client_ops;
  c->store = store;
  return &c->parent;
}

void
ks_client_free (KsClient *client)
{
  if (client != NULL)
    client->ops->free (client);
}

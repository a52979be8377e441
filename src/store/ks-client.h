/* ks-client.h: how controllers, the scheduler and kubelets reach objects.
 *
 * One interface, two transports: in sim and inside the control plane the client is the store
 * itself (ks_store_client_new); a real-mode node agent talks to the API server over HTTP.
 * Components never touch a KsStore directly.
 *
 * Returned objects are new references the caller releases; they must not be modified (copy
 * first).  Objects passed to create/update become the client's: do not modify them afterwards.
 * Lists are sorted by namespace and name. */
#pragma once

#include "ks-store.h"
#include "src/api/ks-pod.h"

G_BEGIN_DECLS

typedef struct _KsClient KsClient;

typedef struct
{
  KsObject *(*get) (KsClient *self, const KsKind *kind, const char *ns, const char *name,
                    GError **error);
  /* Objects of kind in ns (all namespaces when NULL). */
  GPtrArray *(*list) (KsClient *self, const KsKind *kind, const char *ns, GError **error);
  /* Objects of kind with an owner reference to owner. */
  GPtrArray *(*list_dependents) (KsClient *self, const KsKind *kind, const KsObject *owner,
                                 GError **error);
  KsObject *(*create) (KsClient *self, KsObject *obj, GError **error);
  KsObject *(*update) (KsClient *self, KsObject *obj, GError **error);
  /* The status subresource: does not bump generation. */
  KsObject *(*update_status) (KsClient *self, KsObject *obj, GError **error);
  gboolean (*delete) (KsClient *self, const KsKind *kind, const char *ns, const char *name,
                      const KsDeleteOptions *options, GError **error);
  /* The pods/binding subresource: assign pod to node (sets PodScheduled=True). */
  gboolean (*bind) (KsClient *self, const KsPod *pod, const char *node, GError **error);
  /* As ks_store_watch. */
  guint (*watch) (KsClient *self, const KsKind *kind, const char *node_name, gboolean replay,
                  KsWatchFunc func, gpointer user_data, GDestroyNotify destroy);
  void (*unwatch) (KsClient *self, guint id);
  void (*free) (KsClient *self);
} KsClientOps;

struct _KsClient
{
  const KsClientOps *ops;
};

/* A client backed directly by store (borrowed; must outlive the client). */
KsClient *ks_store_client_new (KsStore *store);
void ks_client_free (KsClient *client);

static inline KsObject *
ks_client_get (KsClient *c, const KsKind *kind, const char *ns, const char *name, GError **error)
{
  return c->ops->get (c, kind, ns, name, error);
}

static inline GPtrArray *
ks_client_list (KsClient *c, const KsKind *kind, const char *ns, GError **error)
{
  return c->ops->list (c, kind, ns, error);
}

static inline GPtrArray *
ks_client_list_dependents (KsClient *c, const KsKind *kind, const KsObject *owner, GError **error)
{
  return c->ops->list_dependents (c, kind, owner, error);
}

static inline KsObject *
ks_client_create (KsClient *c, KsObject *obj, GError **error)
{
  return c->ops->create (c, obj, error);
}

static inline KsObject *
ks_client_update (KsClient *c, KsObject *obj, GError **error)
{
  return c->ops->update (c, obj, error);
}

static inline KsObject *
ks_client_update_status (KsClient *c, KsObject *obj, GError **error)
{
  return c->ops->update_status (c, obj, error);
}

static inline gboolean
ks_client_delete (KsClient *c, const KsKind *kind, const char *ns, const char *name,
                  const KsDeleteOptions *options, GError **error)
{
  return c->ops->delete (c, kind, ns, name, options, error);
}

static inline gboolean
ks_client_bind (KsClient *c, const KsPod *pod, const char *node, GError **error)
{
  return c->ops->bind (c, pod, node, error);
}

static inline guint
ks_client_watch (KsClient *c, const KsKind *kind, const char *node_name, gboolean replay,
                 KsWatchFunc func, gpointer user_data, GDestroyNotify destroy)
{
  return c->ops->watch (c, kind, node_name, replay, func, user_data, destroy);
}

static inline void
ks_client_unwatch (KsClient *c, guint id)
{
  c->ops->unwatch (c, id);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsClient, ks_client_free)

G_END_DECLS

/* ks-bootstrap.c: the cluster's built-in namespaces and priority classes (ks-bootstrap.h). */
#include "config.h"

#include "ks-bootstrap.h"
#include "src/api/ks-namespace.h"

static gboolean
ensure (KsClient *client, KsObject *obj, GError **error)
{
  g_autoptr (KsObject) owned = obj;
  g_autoptr (KsObject) existing = NULL;
  g_autoptr (GError) local = NULL;
  KsObject *created;

  existing = ks_client_get (client, obj->kind, obj->meta.namespace, obj->meta.name, &local);
  if (existing != NULL)
    return TRUE;
  if (!g_error_matches (local, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  created = ks_client_create (client, obj, error);
  if (created == NULL)
    return FALSE;
  ks_object_unref (created);
  return TRUE;
}

gboolean
ks_bootstrap_objects (KsClient *client, GError **error)
{
  static const char *const namespaces[]
      = { "default", "kube-system", "kube-public", "kube-node-lease", NULL };

  for (guint i = 0; namespaces[i] != NULL; i++)
    if (!ensure (client, KS_OBJECT (ks_namespace_new (namespaces[i])), error))
      return FALSE;
  return ensure (client,
                 KS_OBJECT (ks_priority_class_new ("system-cluster-critical",
                                                   KS_SYSTEM_CRITICAL_PRIORITY)),
                 error)
         && ensure (client,
                    KS_OBJECT (ks_priority_class_new ("system-node-critical",
                                                      KS_SYSTEM_CRITICAL_PRIORITY + 1000)),
                    error);
}

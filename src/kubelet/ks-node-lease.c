/* ks-node-lease.c: the kubelet's node Lease renewals (component-helpers/apimachinery/lease). */
#include "config.h"

#include "ks-node-lease.h"
#include "src/api/ks-node.h"

struct _KsNodeLease
{
  KsClient *client;
  KsClock *clock;
  char *node;
  guint64 task;
  guint64 n_renewals;
};

/* newLease: the Lease of a node that has none, owned by its Node. */
static KsLease *
new_lease (KsNodeLease *l, const KsObject *node, gint64 now)
{
  KsLease *lease = ks_lease_new (KS_NODE_LEASE_NAMESPACE, l->node);
  KsOwnerRef ref = {
    .api_version = (char *) "v1",
    .kind = (char *) "Node",
    .name = (char *) node->meta.name,
    .uid = node->meta.uid,
  };
  g_autoptr (KsOwnerRefs) refs = ks_owner_refs_new (&ref, 1);

  lease->holder_identity = g_strdup (l->node);
  lease->lease_duration_seconds = KS_NODE_LEASE_DURATION_SECONDS;
  lease->renew_time = now;
  ks_object_set_owner_refs (KS_OBJECT (lease), refs);
  return lease;
}

gboolean
ks_node_lease_renew (KsNodeLease *l, GError **error)
{
  const KsKind *kind = ks_kind_get (KS_KIND_LEASE);
  gint64 now = ks_clock_now (l->clock);
  g_autoptr (GError) local = NULL;
  g_autoptr (KsObject) existing
      = ks_client_get (l->client, kind, KS_NODE_LEASE_NAMESPACE, l->node, &local);
  KsObject *written;

  if (existing == NULL)
    {
      g_autoptr (KsObject) node = NULL;
      if (!g_error_matches (local, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      node = ks_client_get (l->client, ks_kind_get (KS_KIND_NODE), NULL, l->node, error);
      if (node == NULL)
        return FALSE;
      KsLease *lease = new_lease (l, node, now);
      written = ks_client_create (l->client, KS_OBJECT (lease), error);
      ks_object_unref (KS_OBJECT (lease));
    }
  else
    {
      KsLease *copy = KS_LEASE (ks_object_copy (existing));
      copy->renew_time = now;
      if (copy->holder_identity == NULL)
        copy->holder_identity = g_strdup (l->node);
      written = ks_client_update (l->client, KS_OBJECT (copy), error);
      ks_object_unref (KS_OBJECT (copy));
    }
  if (written == NULL)
    return FALSE;
  ks_object_unref (written);
  l->n_renewals++;
  return TRUE;
}

static void
tick (gpointer data)
{
  KsNodeLease *l = data;
  g_autoptr (GError) error = NULL;

  l->task = 0;
  if (!ks_node_lease_renew (l, &error))
    g_debug ("node %s: cannot renew its lease: %s; will retry", l->node, error->message);
  l->task = ks_clock_schedule_in (l->clock, KS_NODE_LEASE_RENEW_INTERVAL, tick, l, NULL);
}

KsNodeLease *
ks_node_lease_new (KsClient *client, KsClock *clock, const char *node_name)
{
  KsNodeLease *l;

  g_return_val_if_fail (node_name != NULL, NULL);
  l = g_new0 (KsNodeLease, 1);
  l->client = client;
  l->clock = clock;
  l->node = g_strdup (node_name);
  l->task = ks_clock_schedule (clock, ks_clock_now (clock), tick, l, NULL);
  return l;
}

void
ks_node_lease_free (KsNodeLease *l)
{
  if (l == NULL)
    return;
  ks_clock_cancel (l->clock, l->task);
  g_free (l->node);
  g_free (l);
}

guint64
ks_node_lease_get_n_renewals (KsNodeLease *l)
{
  return l->n_renewals;
}

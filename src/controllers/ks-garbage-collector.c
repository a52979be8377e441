/* ks-garbage-collector.c: the garbage collector (pkg/controller/garbagecollector), background
 * propagation: when an object goes, its dependents that have no other existing owner are
 * deleted; dependents that still have an owner lose the dangling reference. */
#include "config.h"

#include <string.h>

#include "ks-controller-private.h"

struct _KsGarbageCollector
{
  KsController c;
  GHashTable *gone; /* uid string → KsObject (the deleted owner, a reference) */
};

static void
on_any (const KsWatchEvent *event, gpointer data)
{
  KsGarbageCollector *gc = data;
  char uid[KS_UID_STRING_LEN];

  if (event->type != KS_WATCH_DELETED)
    return;
  ks_uid_to_string (&event->object->meta.uid, uid);
  g_hash_table_replace (gc->gone, g_strdup (uid), ks_object_ref (event->object));
  ks_workqueue_add (gc->c.queue, uid);
}

static gboolean
owner_exists (KsGarbageCollector *gc, const KsObject *dependent, const KsOwnerRef *ref)
{
  const KsKind *kind = ks_kind_lookup (ref->api_version, ref->kind);
  g_autoptr (KsObject) owner = NULL;

  if (kind == NULL)
    return TRUE; /* a kind kubesim does not know: leave the reference alone */
  owner = ks_client_get (gc->c.client, kind, kind->namespaced ? dependent->meta.namespace : NULL,
                         ref->name, NULL);
  return owner != NULL && ks_uid_equal (&owner->meta.uid, &ref->uid);
}

static void
collect (const char *uid, gpointer data)
{
  KsGarbageCollector *gc = data;
  g_autoptr (KsObject) owner = NULL;
  g_autoptr (GPtrArray) deps = NULL;
  g_autofree char *stolen_key = NULL;

  if (!g_hash_table_steal_extended (gc->gone, uid, (gpointer *) &stolen_key, (gpointer *) &owner))
    return;
  deps = ks_client_list_dependents (gc->c.client, NULL, owner, NULL);
  for (guint i = 0; i < deps->len; i++)
    {
      KsObject *dep = g_ptr_array_index (deps, i);
      KsOwnerRefs *refs = dep->meta.owner_refs;
      g_autofree KsOwnerRef *kept = g_new (KsOwnerRef, refs->n);
      guint n = 0;

      for (guint j = 0; j < refs->n; j++)
        if (owner_exists (gc, dep, &refs->refs[j]))
          kept[n++] = refs->refs[j];
      if (n == 0)
        ks_client_delete (gc->c.client, dep->kind, dep->meta.namespace, dep->meta.name, NULL, NULL);
      else if (n < refs->n)
        {
          g_autoptr (KsOwnerRefs) new_refs = ks_owner_refs_new (kept, n);
          KsObject *copy = ks_object_copy (dep);
          KsObject *updated;
          ks_object_set_owner_refs (copy, new_refs);
          updated = ks_client_update (gc->c.client, copy, NULL);
          ks_object_unref (copy);
          if (updated != NULL)
            ks_object_unref (updated);
        }
    }
}

static void
free_key (gpointer p)
{
  g_free (p);
}

KsGarbageCollector *
ks_garbage_collector_new (KsClient *client, KsClock *clock)
{
  KsGarbageCollector *gc = g_new0 (KsGarbageCollector, 1);

  ks_controller_init (&gc->c, client, clock, NULL, "garbage-collector", collect, gc);
  gc->gone
      = g_hash_table_new_full (g_str_hash, g_str_equal, free_key, (GDestroyNotify) ks_object_unref);
  gc->c.watches[gc->c.n_watches++] = ks_client_watch (client, NULL, NULL, FALSE, on_any, gc, NULL);
  return gc;
}

void
ks_garbage_collector_free (KsGarbageCollector *gc)
{
  if (gc == NULL)
    return;
  ks_controller_clear (&gc->c);
  g_hash_table_unref (gc->gone);
  g_free (gc);
}

/* ks-volume-protection-controller.c: the PVC and PV protection controllers
 * (pkg/controller/volume/pvcprotection, pkg/controller/volume/pvprotection).
 *
 * A claim being deleted keeps its kubernetes.io/pvc-protection finalizer while a scheduled pod
 * uses it; a volume being deleted keeps kubernetes.io/pv-protection
 * while it is Bound.  Removing the last finalizer lets the store remove the object.  Claims are
 * looked at again when a pod of their namespace goes or finishes, volumes when their phase
 * changes. */
#include "config.h"

#include <string.h>

#include "ks-controller-private.h"
#include "src/api/ks-storage.h"

#define CLAIM_PREFIX "claim:"
#define VOLUME_PREFIX "volume:"

struct _KsVolumeProtectionController
{
  KsController c;
};

static void
enqueue (KsVolumeProtectionController *vc, const char *prefix, const KsObject *obj)
{
  g_autofree char *key = ks_object_key (obj);
  g_autofree char *full = g_strconcat (prefix, key, NULL);

  ks_workqueue_add (vc->c.queue, full);
}

static void
on_claim (const KsWatchEvent *event, gpointer data)
{
  if (event->type != KS_WATCH_DELETED && ks_object_is_being_deleted (event->object)
      && ks_object_has_finalizer (event->object, KS_FINALIZER_PVC_PROTECTION))
    enqueue (data, CLAIM_PREFIX, event->object);
}

static void
on_volume (const KsWatchEvent *event, gpointer data)
{
  if (event->type != KS_WATCH_DELETED && ks_object_is_being_deleted (event->object)
      && ks_object_has_finalizer (event->object, KS_FINALIZER_PV_PROTECTION))
    enqueue (data, VOLUME_PREFIX, event->object);
}

/* A pod that goes or finishes may free the claims it used (enqueuePVCs): those being deleted are
 * looked at. */
static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  KsVolumeProtectionController *vc = data;
  const KsPod *pod = KS_POD (event->object);
  char **names = ks_pod_claim_names (pod);

  if (names == NULL)
    return;
  if (event->type != KS_WATCH_DELETED && !ks_pod_is_terminal (pod))
    return;
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr (KsObject) claim
          = ks_client_get (vc->c.client, ks_kind_get (KS_KIND_PERSISTENT_VOLUME_CLAIM),
                           pod->parent.meta.namespace, names[i], NULL);
      if (claim != NULL && ks_object_is_being_deleted (claim))
        enqueue (vc, CLAIM_PREFIX, claim);
    }
}

/* podUsesPVC over the namespace's pods: one that is scheduled (bound to a node; finished or not:
 * it still exists) and mounts the claim.  Pods not yet scheduled do not count: the kubelet would
 * not start them with a claim being deleted. */
static gboolean
claim_in_use (KsVolumeProtectionController *vc, const KsObject *claim)
{
  g_autoptr (GPtrArray) pods
      = ks_client_list (vc->c.client, ks_kind_get (KS_KIND_POD), claim->meta.namespace, NULL);

  for (guint i = 0; pods != NULL && i < pods->len; i++)
    {
      const KsPod *pod = g_ptr_array_index (pods, i);
      char **names = ks_pod_claim_names (pod);
      if (names != NULL && pod->node_name != NULL
          && g_strv_contains ((const char *const *) names, claim->meta.name))
        return TRUE;
    }
  return FALSE;
}

static void
remove_finalizer (KsVolumeProtectionController *vc, const KsObject *obj, const char *finalizer,
                  const char *key)
{
  g_autoptr (KsObject) copy = ks_object_copy (obj);
  KsObject *updated;

  ks_object_remove_finalizer (copy, finalizer);
  updated = ks_client_update (vc->c.client, copy, NULL);
  if (updated != NULL)
    ks_object_unref (updated);
  else
    ks_workqueue_add_after (vc->c.queue, key, KS_USEC_PER_SEC); /* a conflict: again */
}

static void
sync_key (const char *key, gpointer data)
{
  KsVolumeProtectionController *vc = data;
  g_autofree char *ns = NULL;
  const char *name;

  if (g_str_has_prefix (key, CLAIM_PREFIX))
    {
      g_autoptr (KsObject) claim = NULL;
      ks_controller_split_key (key + strlen (CLAIM_PREFIX), &ns, &name);
      claim = ks_client_get (vc->c.client, ks_kind_get (KS_KIND_PERSISTENT_VOLUME_CLAIM), ns, name,
                             NULL);
      if (claim != NULL && ks_object_is_being_deleted (claim)
          && ks_object_has_finalizer (claim, KS_FINALIZER_PVC_PROTECTION)
          && !claim_in_use (vc, claim))
        remove_finalizer (vc, claim, KS_FINALIZER_PVC_PROTECTION, key);
    }
  else if (g_str_has_prefix (key, VOLUME_PREFIX))
    {
      g_autoptr (KsObject) volume
          = ks_client_get (vc->c.client, ks_kind_get (KS_KIND_PERSISTENT_VOLUME), NULL,
                           key + strlen (VOLUME_PREFIX), NULL);
      if (volume != NULL && ks_object_is_being_deleted (volume)
          && ks_object_has_finalizer (volume, KS_FINALIZER_PV_PROTECTION)
          && KS_PERSISTENT_VOLUME (volume)->status.phase != KS_PV_BOUND)
        remove_finalizer (vc, volume, KS_FINALIZER_PV_PROTECTION, key);
    }
}

KsVolumeProtectionController *
ks_volume_protection_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink)
{
  KsVolumeProtectionController *vc = g_new0 (KsVolumeProtectionController, 1);

  ks_controller_init (&vc->c, client, clock, sink, "pvc-protection-controller", sync_key, vc);
  vc->c.watches[vc->c.n_watches++] = ks_client_watch (
      client, ks_kind_get (KS_KIND_PERSISTENT_VOLUME_CLAIM), NULL, TRUE, on_claim, vc, NULL);
  vc->c.watches[vc->c.n_watches++] = ks_client_watch (
      client, ks_kind_get (KS_KIND_PERSISTENT_VOLUME), NULL, TRUE, on_volume, vc, NULL);
  vc->c.watches[vc->c.n_watches++]
      = ks_client_watch (client, ks_kind_get (KS_KIND_POD), NULL, FALSE, on_pod, vc, NULL);
  return vc;
}

void
ks_volume_protection_controller_free (KsVolumeProtectionController *vc)
{
  if (vc == NULL)
    return;
  ks_controller_clear (&vc->c);
  g_free (vc);
}

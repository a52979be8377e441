/* ks-pv-controller.c: the PersistentVolume binder controller
 * (pkg/controller/volume/persistentvolume, reference §6) with a modelled external provisioner.
 *
 * Claims: an unbound claim gets the matching volume (ks_pv_find_matching: pre-bound, else the
 * smallest fitting Available volume among the smallest superset of access modes, same class,
 * selector, volume mode); binding writes the volume's claimRef and phase Bound, then the claim's
 * volumeName, annotations and status.  A claim of a WaitForFirstConsumer class waits until the
 * scheduler names a node (volume.kubernetes.io/selected-node) or pre-binds a volume; with no
 * volume and a class with a provisioner, the provisioner creates pvc-<claim UID> after the
 * class's modelled delay (kubesim.io/provisioning-delay), with the class's reclaim policy and,
 * for a selected node, node affinity to that node.  A bound claim whose volume is gone is Lost.
 *
 * Volumes: no claimRef → Available; a claimRef to an existing claim → Bound; to a deleted claim →
 * reclaimed: Retain → Released, Delete → the volume is deleted, Recycle → Available again.
 *
 * Differences from Kubernetes: work is event-driven (claim and volume events, StorageClass
 * events) rather than also resynced every 15 s, which gives the same bindings at the times of
 * the events; protection finalizers are not modelled (kubesim's store has no finalizers), so a
 * deleted claim in use is released at once; the provisioner is part of this controller rather
 * than a separate external process. */
#include "config.h"

#include <string.h>

#include "ks-controller-private.h"
#include "src/api/ks-storage.h"

#define CLAIM_PREFIX "claim:"
#define VOLUME_PREFIX "volume:"

/* What a claim was told once (first_announcement). */
static const char *const announcement_tags[] = { "wait", "unbound", "class", "provision", "other" };

struct _KsPvController
{
  KsController c;
  /* "ns/name" of claims being provisioned → when the volume appears (µs). */
  GHashTable *provisioning;
  /* UIDs (strings) of claims told they wait for a consumer or a volume, so that the event is
   * recorded once per claim rather than on every sync. */
  GHashTable *announced;
  /* The kubesim.io/hostpath provisioner's host directory and deleter (NULL: modelled). */
  char *hostpath_dir;
  KsHostPathDeleteFunc hostpath_delete;
};

static const KsKind *
pv_kind (void)
{
  return ks_kind_get (KS_KIND_PERSISTENT_VOLUME);
}

static const KsKind *
pvc_kind (void)
{
  return ks_kind_get (KS_KIND_PERSISTENT_VOLUME_CLAIM);
}

static void
enqueue_claim (KsPvController *pc, const char *ns, const char *name)
{
  g_autofree char *key = g_strdup_printf (CLAIM_PREFIX "%s/%s", ns, name);
  ks_workqueue_add (pc->c.queue, key);
}

static void
enqueue_volume (KsPvController *pc, const char *name)
{
  g_autofree char *key = g_strconcat (VOLUME_PREFIX, name, NULL);
  ks_workqueue_add (pc->c.queue, key);
}

/* Every claim still waiting for a volume: a new or freed volume or a new class may serve it. */
static void
enqueue_pending_claims (KsPvController *pc)
{
  g_autoptr (GPtrArray) claims = ks_client_list (pc->c.client, pvc_kind (), NULL, NULL);

  for (guint i = 0; claims != NULL && i < claims->len; i++)
    {
      const KsPersistentVolumeClaim *pvc = g_ptr_array_index (claims, i);
      if (pvc->status.phase == KS_PVC_PENDING)
        enqueue_claim (pc, pvc->parent.meta.namespace, pvc->parent.meta.name);
    }
}

static void
on_claim (const KsWatchEvent *event, gpointer data)
{
  KsPvController *pc = data;
  const KsPersistentVolumeClaim *pvc = KS_PERSISTENT_VOLUME_CLAIM (event->object);
  const KsObject *o = event->object;

  if (event->type != KS_WATCH_DELETED)
    {
      enqueue_claim (pc, o->meta.namespace, o->meta.name);
      return;
    }
  /* A deleted claim releases its volume (and any volume pre-bound to it). */
  {
    g_autoptr (GPtrArray) pvs = ks_client_list (pc->c.client, pv_kind (), NULL, NULL);
    char uid[KS_UID_STRING_LEN];
    for (guint i = 0; pvs != NULL && i < pvs->len; i++)
      {
        const KsPersistentVolume *pv = g_ptr_array_index (pvs, i);
        if (ks_pv_claim_ref_is (pv, pvc))
          enqueue_volume (pc, pv->parent.meta.name);
      }
    ks_uid_to_string (&o->meta.uid, uid);
    for (guint i = 0; i < G_N_ELEMENTS (announcement_tags); i++)
      {
        g_autofree char *key = g_strconcat (uid, ":", announcement_tags[i], NULL);
        g_hash_table_remove (pc->announced, key);
      }
    {
      g_autofree char *key = ks_object_key (o);
      g_hash_table_remove (pc->provisioning, key);
    }
  }
}

static void
on_volume (const KsWatchEvent *event, gpointer data)
{
  KsPvController *pc = data;
  const KsPersistentVolume *pv = KS_PERSISTENT_VOLUME (event->object);

  if (event->type != KS_WATCH_DELETED)
    enqueue_volume (pc, pv->parent.meta.name);
  if (pv->has_claim_ref && pv->claim_ref.namespace != NULL && pv->claim_ref.name != NULL)
    enqueue_claim (pc, pv->claim_ref.namespace, pv->claim_ref.name);
  enqueue_pending_claims (pc);
}

static void
on_class (const KsWatchEvent *event, gpointer data)
{
  if (event->type == KS_WATCH_ADDED)
    enqueue_pending_claims (data);
}

/* Events are recorded once per claim and reason kind. */
static gboolean
first_announcement (KsPvController *pc, const KsObject *claim, const char *tag)
{
  char uid[KS_UID_STRING_LEN];
  g_autofree char *key = g_strconcat (ks_uid_to_string (&claim->meta.uid, uid), ":", tag, NULL);

  if (g_hash_table_contains (pc->announced, key))
    return FALSE;
  g_hash_table_add (pc->announced, g_steal_pointer (&key));
  return TRUE;
}

static void
set_pv_phase (KsPersistentVolume *pv, KsPvPhase phase, gint64 now)
{
  if (pv->status.phase != phase)
    pv->status.last_phase_transition_time = now;
  pv->status.phase = phase;
}

/* Write the volume's status when its phase differs. */
static void
update_pv_phase (KsPvController *pc, const KsPersistentVolume *pv, KsPvPhase phase)
{
  g_autoptr (KsObject) copy = NULL;
  KsObject *updated;

  if (pv->status.phase == phase)
    return;
  copy = ks_object_copy (KS_OBJECT (pv));
  set_pv_phase (KS_PERSISTENT_VOLUME (copy), phase, ks_clock_now (pc->c.clock));
  updated = ks_client_update_status (pc->c.client, copy, NULL);
  if (updated != NULL)
    ks_object_unref (updated);
}

/* bind: the volume's side (claimRef, annotation, phase Bound), then the claim's (volumeName,
 * annotations, status).  Each write is skipped when already done.  FALSE when a write failed
 * (the claim is retried). */
static gboolean
bind (KsPvController *pc, const KsPersistentVolume *pv, const KsPersistentVolumeClaim *pvc)
{
  const KsObject *claim = KS_OBJECT (pvc);
  const char *pv_name = pv->parent.meta.name;
  g_autoptr (KsObject) stored_pv = ks_object_ref (KS_OBJECT (pv));
  gint64 now = ks_clock_now (pc->c.clock);

  /* bindVolumeToClaim */
  if (!pv->has_claim_ref || !ks_uid_is_set (&pv->claim_ref.uid))
    {
      g_autoptr (KsObject) copy = ks_object_copy (KS_OBJECT (pv));
      KsPersistentVolume *p = KS_PERSISTENT_VOLUME (copy);
      KsObject *updated;
      char rv[32];
      if (!p->has_claim_ref)
        ks_object_set_annotation (copy, KS_ANN_BOUND_BY_CONTROLLER, "yes");
      ks_object_reference_clear (&p->claim_ref);
      ks_object_reference_set (&p->claim_ref, claim);
      g_snprintf (rv, sizeof rv, "%" G_GUINT64_FORMAT, claim->meta.resource_version);
      g_free (p->claim_ref.resource_version);
      p->claim_ref.resource_version = g_strdup (rv);
      p->has_claim_ref = TRUE;
      updated = ks_client_update (pc->c.client, copy, NULL);
      if (updated == NULL)
        return FALSE;
      g_clear_pointer (&stored_pv, ks_object_unref);
      stored_pv = updated;
    }
  if (KS_PERSISTENT_VOLUME (stored_pv)->status.phase != KS_PV_BOUND)
    {
      g_autoptr (KsObject) copy = ks_object_copy (stored_pv);
      KsObject *updated;
      set_pv_phase (KS_PERSISTENT_VOLUME (copy), KS_PV_BOUND, now);
      updated = ks_client_update_status (pc->c.client, copy, NULL);
      if (updated == NULL)
        return FALSE;
      ks_object_unref (updated);
    }

  /* bindClaimToVolume */
  {
    g_autoptr (KsObject) current = ks_object_ref ((KsObject *) claim);
    if (g_strcmp0 (pvc->volume_name, pv_name) != 0
        || g_strcmp0 (ks_object_get_annotation (claim, KS_ANN_BIND_COMPLETED), "yes") != 0)
      {
        g_autoptr (KsObject) copy = ks_object_copy (claim);
        KsPersistentVolumeClaim *c = KS_PERSISTENT_VOLUME_CLAIM (copy);
        KsObject *updated;
        if (c->volume_name == NULL)
          ks_object_set_annotation (copy, KS_ANN_BOUND_BY_CONTROLLER, "yes");
        g_free (c->volume_name);
        c->volume_name = g_strdup (pv_name);
        ks_object_set_annotation (copy, KS_ANN_BIND_COMPLETED, "yes");
        updated = ks_client_update (pc->c.client, copy, NULL);
        if (updated == NULL)
          return FALSE;
        g_clear_pointer (&current, ks_object_unref);
        current = updated;
      }
    {
      const KsPersistentVolumeClaim *cur = KS_PERSISTENT_VOLUME_CLAIM (current);
      if (cur->status.phase != KS_PVC_BOUND || cur->status.capacity != pv->capacity
          || cur->status.access_modes != pv->access_modes)
        {
          g_autoptr (KsObject) copy = ks_object_copy (current);
          KsPersistentVolumeClaim *c = KS_PERSISTENT_VOLUME_CLAIM (copy);
          KsObject *updated;
          c->status.phase = KS_PVC_BOUND;
          c->status.capacity = pv->capacity;
          c->status.access_modes = pv->access_modes;
          updated = ks_client_update_status (pc->c.client, copy, NULL);
          if (updated == NULL)
            return FALSE;
          ks_object_unref (updated);
        }
    }
  }
  return TRUE;
}

/* Whether volumes of provisioner are host directories this controller makes and removes. */
static gboolean
is_hostpath (const KsPvController *pc, const char *provisioner)
{
  return pc->hostpath_dir != NULL && g_strcmp0 (provisioner, KS_HOSTPATH_PROVISIONER) == 0;
}

/* The external provisioner's volume for claim: pvc-<uid>, the requested size, the class's
 * reclaim policy, node affinity to the selected node when there is one (a topology-aware
 * provisioner of node-local volumes). */
static void
provision (KsPvController *pc, const KsPersistentVolumeClaim *pvc, const KsStorageClass *sc)
{
  const KsObject *claim = KS_OBJECT (pvc);
  const char *node = ks_object_get_annotation (claim, KS_ANN_SELECTED_NODE);
  g_autoptr (KsObject) obj = ks_object_new (pv_kind ());
  KsPersistentVolume *pv = KS_PERSISTENT_VOLUME (obj);
  char uid[KS_UID_STRING_LEN];
  g_autoptr (GError) error = NULL;
  KsObject *created;
  g_autoptr (JsonBuilder) b = json_builder_new ();

  ks_uid_to_string (&claim->meta.uid, uid);
  obj->meta.name = g_strconcat ("pvc-", uid, NULL);
  ks_object_set_annotation (obj, KS_ANN_PROVISIONED_BY, sc->provisioner);
  pv->capacity = pvc->request;
  pv->access_modes = pvc->access_modes;
  pv->reclaim_policy = sc->reclaim_policy;
  pv->storage_class_name = g_strdup (sc->parent.meta.name);
  pv->volume_mode = pvc->volume_mode;
  pv->has_claim_ref = TRUE;
  ks_object_reference_set (&pv->claim_ref, claim);
  pv->mount_options = g_strdupv (sc->mount_options);
  if (is_hostpath (pc, sc->provisioner))
    {
      /* A host directory, made by the node agent that first mounts it. */
      g_autofree char *path = g_build_filename (pc->hostpath_dir, obj->meta.name, NULL);
      pv->source_type = g_strdup ("hostPath");
      json_builder_begin_object (b);
      ks_builder_add_string (b, "path", path);
      ks_builder_add_string (b, "type", "DirectoryOrCreate");
      json_builder_end_object (b);
    }
  else
    {
      pv->source_type = g_strdup ("csi");
      json_builder_begin_object (b);
      ks_builder_add_string (b, "driver", sc->provisioner);
      ks_builder_add_string (b, "volumeHandle", obj->meta.name);
      json_builder_end_object (b);
    }
  pv->source = json_builder_get_root (b);
  if (node != NULL)
    {
      g_autofree char *text = g_strdup_printf (
          "{\"required\":{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":"
          "\"kubernetes.io/hostname\",\"operator\":\"In\",\"values\":[\"%s\"]}]}]}}",
          node);
      g_autoptr (KsDiag) diag = ks_diag_new ();
      KsDecoder dec;
      JsonNode *req;
      pv->node_affinity_json = json_from_string (text, NULL);
      req = json_object_get_member (json_node_get_object (pv->node_affinity_json), "required");
      ks_decoder_init (&dec, NULL, diag);
      pv->node_affinity = ks_node_selector_decode (&dec, req);
      ks_decoder_clear (&dec);
    }
  pv->status.phase = KS_PV_PENDING;
  created = ks_client_create (pc->c.client, obj, &error);
  if (created == NULL)
    {
      if (!g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_ALREADY_EXISTS))
        ks_event_record (&pc->c.events, claim, TRUE, "ProvisioningFailed", NULL,
                         "failed to provision volume with StorageClass \"%s\": %s",
                         sc->parent.meta.name, error->message);
      return;
    }
  ks_event_record (&pc->c.events, claim, FALSE, "ProvisioningSucceeded", NULL,
                   "Successfully provisioned volume %s", created->meta.name);
  ks_object_unref (created);
}

/* provisionClaim: mark the claim for the external provisioner, which starts now and finishes
 * after the class's delay. */
static void
start_provisioning (KsPvController *pc, const char *key, const KsPersistentVolumeClaim *pvc,
                    const KsStorageClass *sc)
{
  const KsObject *claim = KS_OBJECT (pvc);
  gint64 now = ks_clock_now (pc->c.clock);
  g_autofree char *claim_key = ks_object_key (claim);
  gpointer ready;

  if (g_hash_table_lookup_extended (pc->provisioning, claim_key, NULL, &ready))
    {
      gint64 at = *(gint64 *) ready;
      if (now < at)
        ks_workqueue_add_after (pc->c.queue, key, at - now);
      else
        {
          g_hash_table_remove (pc->provisioning, claim_key);
          provision (pc, pvc, sc);
        }
      return;
    }
  if (g_strcmp0 (ks_object_get_annotation (claim, KS_ANN_STORAGE_PROVISIONER), sc->provisioner)
      != 0)
    {
      g_autoptr (KsObject) copy = ks_object_copy (claim);
      KsObject *updated;
      ks_object_set_annotation (copy, KS_ANN_STORAGE_PROVISIONER, sc->provisioner);
      ks_object_set_annotation (copy, KS_ANN_BETA_STORAGE_PROVISIONER, sc->provisioner);
      updated = ks_client_update (pc->c.client, copy, NULL);
      if (updated != NULL)
        ks_object_unref (updated);
    }
  ks_event_record (&pc->c.events, claim, FALSE, "ExternalProvisioning", NULL,
                   "Waiting for a volume to be created either by the external provisioner "
                   "'%s' or manually by the system administrator. If volume creation is "
                   "delayed, please verify that the provisioner is running and correctly "
                   "registered.",
                   sc->provisioner);
  if (strcmp (sc->provisioner, KS_NO_PROVISIONER) == 0)
    return;
  ks_event_record (&pc->c.events, claim, FALSE, "Provisioning", NULL,
                   "External provisioner is provisioning volume for claim \"%s\"", claim_key);
  if (sc->provisioning_delay > 0)
    {
      gint64 *at = g_new (gint64, 1);
      *at = now + sc->provisioning_delay;
      g_hash_table_insert (pc->provisioning, g_strdup (claim_key), at);
      ks_workqueue_add_after (pc->c.queue, key, sc->provisioning_delay);
      return;
    }
  provision (pc, pvc, sc);
}

static void
sync_unbound_claim (KsPvController *pc, const char *key, const KsPersistentVolumeClaim *pvc)
{
  const KsObject *claim = KS_OBJECT (pvc);
  const char *class = ks_pvc_class (pvc);
  g_autoptr (KsObject) sc_obj = NULL;
  const KsStorageClass *sc = NULL;
  g_autoptr (GPtrArray) pvs = NULL;
  gboolean delay;
  KsPersistentVolume *pv;

  if (class[0] != '\0')
    {
      sc_obj = ks_client_get (pc->c.client, ks_kind_get (KS_KIND_STORAGE_CLASS), NULL, class, NULL);
      sc = sc_obj != NULL ? KS_STORAGE_CLASS (sc_obj) : NULL;
    }
  /* IsDelayBindingMode: a WaitForFirstConsumer class, until the scheduler selects a node. */
  delay = sc != NULL && sc->volume_binding_mode == KS_BINDING_WAIT_FOR_FIRST_CONSUMER
          && ks_object_get_annotation (claim, KS_ANN_SELECTED_NODE) == NULL;
  pvs = ks_client_list (pc->c.client, pv_kind (), NULL, NULL);
  pv = pvs != NULL ? ks_pv_find_matching (pvs, pvc, NULL, delay, NULL) : NULL;
  if (pv != NULL)
    {
      if (!bind (pc, pv, pvc))
        ks_workqueue_add_after (pc->c.queue, key, KS_USEC_PER_SEC);
      return;
    }
  if (delay)
    {
      if (first_announcement (pc, claim, "wait"))
        ks_event_record (&pc->c.events, claim, FALSE, "WaitForFirstConsumer", NULL,
                         "waiting for first consumer to be created before binding");
      return;
    }
  if (class[0] == '\0')
    {
      if (first_announcement (pc, claim, "unbound"))
        ks_event_record (&pc->c.events, claim, FALSE, "FailedBinding", NULL,
                         "no persistent volumes available for this claim and no storage class "
                         "is set");
      return;
    }
  if (sc == NULL)
    {
      if (first_announcement (pc, claim, "class"))
        ks_event_record (&pc->c.events, claim, TRUE, "ProvisioningFailed", NULL,
                         "storageclass.storage.k8s.io \"%s\" not found", class);
      return;
    }
  if (!g_hash_table_contains (pc->provisioning, key + strlen (CLAIM_PREFIX))
      && !first_announcement (pc, claim, "provision"))
    return; /* provisioning done (its volume binds on its event) or waiting for a volume */
  start_provisioning (pc, key, pvc, sc);
}

static void
sync_claim (KsPvController *pc, const char *key, const char *ns, const char *name)
{
  g_autoptr (KsObject) obj = ks_client_get (pc->c.client, pvc_kind (), ns, name, NULL);
  const KsPersistentVolumeClaim *pvc;
  g_autoptr (KsObject) pv_obj = NULL;

  if (obj == NULL)
    return;
  pvc = KS_PERSISTENT_VOLUME_CLAIM (obj);
  if (pvc->volume_name == NULL)
    {
      sync_unbound_claim (pc, key, pvc);
      return;
    }
  pv_obj = ks_client_get (pc->c.client, pv_kind (), NULL, pvc->volume_name, NULL);
  if (pv_obj == NULL)
    {
      /* The volume is gone: a bound claim is lost; a claim pre-bound by its user waits. */
      if (pvc->status.phase == KS_PVC_BOUND)
        {
          g_autoptr (KsObject) copy = ks_object_copy (obj);
          KsObject *updated;
          KS_PERSISTENT_VOLUME_CLAIM (copy)->status.phase = KS_PVC_LOST;
          updated = ks_client_update_status (pc->c.client, copy, NULL);
          if (updated != NULL)
            ks_object_unref (updated);
          ks_event_record (&pc->c.events, obj, TRUE, "ClaimLost", NULL,
                           "Bound claim has lost its PersistentVolume. Data on the volume is "
                           "lost!");
        }
      return;
    }
  {
    const KsPersistentVolume *pv = KS_PERSISTENT_VOLUME (pv_obj);
    if (!pv->has_claim_ref || ks_pv_claim_ref_is (pv, pvc))
      {
        if (!bind (pc, pv, pvc))
          ks_workqueue_add_after (pc->c.queue, key, KS_USEC_PER_SEC);
      }
    else if (first_announcement (pc, obj, "other"))
      ks_event_record (&pc->c.events, obj, TRUE, "FailedBinding", NULL,
                       "volume \"%s\" already bound to a different claim.", pv->parent.meta.name);
  }
}

static void
sync_volume (KsPvController *pc, const char *name)
{
  g_autoptr (KsObject) obj = ks_client_get (pc->c.client, pv_kind (), NULL, name, NULL);
  const KsPersistentVolume *pv;
  g_autoptr (KsObject) claim_obj = NULL;
  const KsPersistentVolumeClaim *claim = NULL;

  if (obj == NULL || ks_object_is_being_deleted (obj))
    return;
  pv = KS_PERSISTENT_VOLUME (obj);
  if (!pv->has_claim_ref)
    {
      update_pv_phase (pc, pv, KS_PV_AVAILABLE);
      return;
    }
  if (pv->claim_ref.namespace != NULL && pv->claim_ref.name != NULL)
    claim_obj = ks_client_get (pc->c.client, pvc_kind (), pv->claim_ref.namespace,
                               pv->claim_ref.name, NULL);
  if (claim_obj != NULL)
    claim = KS_PERSISTENT_VOLUME_CLAIM (claim_obj);
  if (!ks_uid_is_set (&pv->claim_ref.uid))
    {
      /* Pre-bound by the administrator: Available until the claim's sync binds it. */
      update_pv_phase (pc, pv, KS_PV_AVAILABLE);
      return;
    }
  if (claim != NULL && ks_uid_equal (&claim_obj->meta.uid, &pv->claim_ref.uid))
    {
      if (claim->volume_name == NULL || strcmp (claim->volume_name, name) == 0)
        {
          /* Bound, or the claim's side is still to be written (its sync does it). */
          update_pv_phase (pc, pv, KS_PV_BOUND);
          return;
        }
      /* The claim went to another volume: a volume the controller bound is freed. */
      if (g_strcmp0 (ks_object_get_annotation (obj, KS_ANN_BOUND_BY_CONTROLLER), "yes") == 0)
        {
          g_autoptr (KsObject) copy = ks_object_copy (obj);
          KsPersistentVolume *p = KS_PERSISTENT_VOLUME (copy);
          KsObject *updated;
          ks_object_reference_clear (&p->claim_ref);
          p->has_claim_ref = FALSE;
          updated = ks_client_update (pc->c.client, copy, NULL);
          if (updated != NULL)
            {
              update_pv_phase (pc, KS_PERSISTENT_VOLUME (updated), KS_PV_AVAILABLE);
              ks_object_unref (updated);
            }
        }
      return;
    }
  /* The claim is gone: reclaim. */
  switch (pv->reclaim_policy)
    {
    case KS_RECLAIM_RETAIN:
      update_pv_phase (pc, pv, KS_PV_RELEASED);
      break;
    case KS_RECLAIM_DELETE:
      {
        KsDeleteOptions options = KS_DELETE_OPTIONS_DEFAULT;
        if (is_hostpath (pc, ks_object_get_annotation (obj, KS_ANN_PROVISIONED_BY))
            && g_strcmp0 (pv->source_type, "hostPath") == 0 && pv->source != NULL
            && JSON_NODE_HOLDS_OBJECT (pv->source))
          {
            /* The provisioner's deleter removes the directory before the volume goes (the
             * external provisioner's job in Kubernetes); a failure leaves the volume Failed. */
            const char *path = json_object_get_string_member_with_default (
                json_node_get_object (pv->source), "path", "");
            g_autoptr (GError) error = NULL;
            if (pc->hostpath_delete != NULL
                && !pc->hostpath_delete (pc->hostpath_dir, path, &error))
              {
                ks_event_record (&pc->c.events, obj, TRUE, "VolumeFailedDelete", NULL, "%s",
                                 error->message);
                update_pv_phase (pc, pv, KS_PV_FAILED);
                break;
              }
          }
        update_pv_phase (pc, pv, KS_PV_RELEASED);
        ks_client_delete (pc->c.client, pv_kind (), NULL, name, &options, NULL);
        break;
      }
    case KS_RECLAIM_RECYCLE:
      {
        /* The volume is scrubbed (instantly, in the model) and offered again. */
        g_autoptr (KsObject) copy = ks_object_copy (obj);
        KsPersistentVolume *p = KS_PERSISTENT_VOLUME (copy);
        KsObject *updated;
        ks_object_reference_clear (&p->claim_ref);
        p->has_claim_ref = FALSE;
        updated = ks_client_update (pc->c.client, copy, NULL);
        if (updated != NULL)
          {
            update_pv_phase (pc, KS_PERSISTENT_VOLUME (updated), KS_PV_AVAILABLE);
            ks_object_unref (updated);
          }
        break;
      }
    }
}

static void
sync_key (const char *key, gpointer data)
{
  KsPvController *pc = data;

  if (g_str_has_prefix (key, CLAIM_PREFIX))
    {
      g_autofree char *ns = NULL;
      const char *name;
      ks_controller_split_key (key + strlen (CLAIM_PREFIX), &ns, &name);
      sync_claim (pc, key, ns, name);
    }
  else if (g_str_has_prefix (key, VOLUME_PREFIX))
    sync_volume (pc, key + strlen (VOLUME_PREFIX));
}

KsPvController *
ks_pv_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink)
{
  KsPvController *pc = g_new0 (KsPvController, 1);

  ks_controller_init (&pc->c, client, clock, sink, "persistentvolume-controller", sync_key, pc);
  pc->provisioning = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  pc->announced = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  pc->c.watches[pc->c.n_watches++] = ks_client_watch (client, ks_kind_get (KS_KIND_STORAGE_CLASS),
                                                      NULL, TRUE, on_class, pc, NULL);
  pc->c.watches[pc->c.n_watches++]
      = ks_client_watch (client, pv_kind (), NULL, TRUE, on_volume, pc, NULL);
  pc->c.watches[pc->c.n_watches++]
      = ks_client_watch (client, pvc_kind (), NULL, TRUE, on_claim, pc, NULL);
  return pc;
}

void
ks_pv_controller_set_hostpath (KsPvController *pc, const char *dir,
                               KsHostPathDeleteFunc delete_func)
{
  g_free (pc->hostpath_dir);
  pc->hostpath_dir = g_strdup (dir);
  pc->hostpath_delete = delete_func;
}

void
ks_pv_controller_free (KsPvController *pc)
{
  if (pc == NULL)
    return;
  g_free (pc->hostpath_dir);
  ks_controller_clear (&pc->c);
  g_hash_table_unref (pc->provisioning);
  g_hash_table_unref (pc->announced);
  g_free (pc);
}

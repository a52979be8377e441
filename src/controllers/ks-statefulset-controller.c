/* ks-statefulset-controller.c: the StatefulSet controller (pkg/controller/statefulset,
 * reference §4).
 *
 * One sync walks the ordinals as StatefulSetControl.updateStatefulSet does: replicas in
 * ascending order (recreate Failed/Succeeded pods, create missing ones, and under OrderedReady
 * stop at the first create or at a pod that is not Running and Ready), then condemned pods in
 * descending order (one at a time, and not while another pod is unhealthy, under OrderedReady),
 * then the RollingUpdate from the highest ordinal down to the partition, one pod per sync.
 *
 * Differences from Kubernetes (docs/architecture.md): revisions are not stored as
 * ControllerRevision objects.  A revision is named "<set>-<hash of the pod template>" and the
 * controller remembers the template of each revision it has seen in memory, so a pod below the
 * partition that is deleted comes back at the current revision only if the controller saw that
 * revision (after a controller restart it comes back at the update revision).  Hence
 * revisionHistoryLimit has nothing to cut.  The store is synchronous: no expectations.
 *
 * volumeClaimTemplates: before a pod is created, each template's claim <template>-<set>-<ordinal>
 * is created if missing (createPersistentVolumeClaims), labelled with the template's labels and
 * the selector's matchLabels, and the pod gets a persistentVolumeClaim volume named after the
 * template (replacing one of that name in the pod template).  Claims outlive their pods, so a
 * pod created again for an ordinal finds its claim (and its volume) again.  With
 * persistentVolumeClaimRetentionPolicy.whenDeleted Delete the claims are owned by the set (the
 * garbage collector deletes them with it); with whenScaled Delete the claims of a pod removed by a
 * scale-down are owned by the pod instead of the set and go with it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ks-controller-private.h"
#include "src/api/ks-statefulset.h"
#include "src/api/ks-storage.h"

struct _KsStatefulSetController
{
  KsController c;
  GHashTable *revisions; /* "ns/revision" → KsPodTemplate * */
};

static void
template_free (gpointer p)
{
  ks_pod_template_clear (p);
  g_free (p);
}

static void
on_stateful_set (const KsWatchEvent *event, gpointer data)
{
  KsStatefulSetController *ssc = data;
  g_autofree char *key = NULL;

  if (event->type == KS_WATCH_DELETED)
    return;
  key = ks_object_key (event->object);
  ks_workqueue_add (ssc->c.queue, key);
}

static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  KsStatefulSetController *ssc = data;

  ks_controller_enqueue_owner (&ssc->c, event->object, "StatefulSet");
}

/* The ordinal of a pod named "<set>-<n>", or -1 (getOrdinal). */
static gint64
pod_ordinal (const KsStatefulSet *set, const KsObject *pod)
{
  const char *name = set->parent.meta.name;
  gsize len = strlen (name);
  const char *digits;
  char *end;
  gint64 v;

  if (strncmp (pod->meta.name, name, len) != 0 || pod->meta.name[len] != '-')
    return -1;
  digits = pod->meta.name + len + 1;
  if (!g_ascii_isdigit (digits[0]) || (digits[0] == '0' && digits[1] != '\0'))
    return -1;
  v = g_ascii_strtoll (digits, &end, 10);
  return *end == '\0' && v <= G_MAXINT32 ? v : -1;
}

static const char *
pod_revision (const KsObject *pod)
{
  return ks_str_map_lookup (pod->meta.labels, KS_LABEL_CONTROLLER_REVISION_HASH);
}

static gboolean
is_terminating (const KsObject *pod)
{
  return ks_object_is_being_deleted (pod);
}

/* isRunningAndReady, or isRunningAndAvailable with minReadySeconds. */
static gboolean
is_healthy (const KsStatefulSet *set, const KsObject *pod, gint64 now)
{
  const KsPod *p = KS_POD (pod);

  if (p->phase != KS_POD_RUNNING || is_terminating (pod) || !ks_pod_is_ready (p))
    return FALSE;
  return set->min_ready_seconds == 0 || ks_pod_is_available (p, set->min_ready_seconds, now);
}

static KsPodTemplate *
remember_revision (KsStatefulSetController *ssc, const KsStatefulSet *set, const char *revision)
{
  g_autofree char *key = g_strdup_printf ("%s/%s", set->parent.meta.namespace, revision);
  KsPodTemplate *t = g_hash_table_lookup (ssc->revisions, key);

  if (t == NULL)
    {
      t = g_new0 (KsPodTemplate, 1);
      ks_pod_template_copy (t, &set->template);
      g_hash_table_insert (ssc->revisions, g_steal_pointer (&key), t);
    }
  return t;
}

static const KsPodTemplate *
lookup_revision (KsStatefulSetController *ssc, const KsStatefulSet *set, const char *revision)
{
  g_autofree char *key = g_strdup_printf ("%s/%s", set->parent.meta.namespace, revision);
  return g_hash_table_lookup (ssc->revisions, key);
}

typedef struct
{
  KsStatefulSet *set;
  const char *update_revision;
  const char *current_revision;
  gint64 now;
} Sync;

/* A volumeClaimTemplate's metadata.name (checked when the set was decoded). */
static const char *
template_name (JsonObject *t)
{
  return json_object_get_string_member (json_object_get_object_member (t, "metadata"), "name");
}

/* The claims of ordinal's pod from the set's volumeClaimTemplates (getPersistentVolumeClaims):
 * create the missing ones, and give spec (modifiable) a volume per template.  FALSE when a claim
 * could not be created (the pod is not created either). */
static gboolean
create_claims (KsStatefulSetController *ssc, KsStatefulSet *set, const char *pod_name,
               KsPodSpec *spec)
{
  JsonArray *templates;
  JsonArray *volumes;
  g_autoptr (GPtrArray) claims = NULL;

  if (set->volume_claim_templates == NULL)
    return TRUE;
  templates = json_node_get_array (set->volume_claim_templates);
  volumes = json_array_new ();
  claims = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (templates); i++)
    {
      JsonObject *t = json_array_get_object_element (templates, i);
      const char *tpl = template_name (t);
      g_autofree char *claim_name = g_strdup_printf ("%s-%s", tpl, pod_name);
      g_autoptr (KsObject) existing
          = ks_client_get (ssc->c.client, ks_kind_get (KS_KIND_PERSISTENT_VOLUME_CLAIM),
                           set->parent.meta.namespace, claim_name, NULL);
      JsonObject *volume = json_object_new ();
      JsonObject *source = json_object_new ();

      json_object_set_string_member (volume, "name", tpl);
      json_object_set_string_member (source, "claimName", claim_name);
      json_object_set_object_member (volume, "persistentVolumeClaim", source);
      json_array_add_object_element (volumes, volume);
      g_ptr_array_add (claims, g_strdup (claim_name));
      if (existing == NULL)
        {
          g_autoptr (JsonNode) doc = json_node_new (JSON_NODE_OBJECT);
          JsonObject *o = json_object_new ();
          g_autoptr (KsDiag) diag = ks_diag_new ();
          g_autoptr (KsObject) claim = NULL;
          g_autoptr (GError) error = NULL;
          KsObject *created;
          KsDecoder dec;
          json_object_set_string_member (o, "apiVersion", "v1");
          json_object_set_string_member (o, "kind", "PersistentVolumeClaim");
          json_object_set_member (o, "metadata",
                                  json_node_copy (json_object_get_member (t, "metadata")));
          json_object_set_member (o, "spec", json_node_copy (json_object_get_member (t, "spec")));
          json_node_take_object (doc, o);
          ks_decoder_init (&dec, NULL, diag);
          claim = ks_object_decode (&dec, doc, set->parent.meta.namespace);
          ks_decoder_clear (&dec);
          if (claim == NULL)
            return FALSE; /* validated with the set: not reached */
          g_free (claim->meta.name);
          claim->meta.name = g_strdup (claim_name);
          claim->meta.namespace = set->parent.meta.namespace;
          if (set->selector != NULL)
            for (guint k = 0; k < ks_str_map_size (set->selector->match_labels); k++)
              {
                KsStrMap *labels = ks_str_map_with (
                    claim->meta.labels, ks_str_map_key (set->selector->match_labels, k),
                    ks_str_map_value (set->selector->match_labels, k));
                ks_object_set_labels (claim, labels);
                ks_str_map_unref (labels);
              }
          if (set->when_deleted == KS_STS_PVC_DELETE)
            {
              KsOwnerRef ref = {
                .api_version = (char *) set->parent.kind->api_version,
                .kind = (char *) set->parent.kind->name,
                .name = set->parent.meta.name,
                .uid = set->parent.meta.uid,
                .block_owner_deletion = TRUE,
              };
              g_autoptr (KsOwnerRefs) refs = ks_owner_refs_new (&ref, 1);
              ks_object_set_owner_refs (claim, refs);
            }
          created = ks_client_create (ssc->c.client, claim, &error);
          if (created == NULL)
            {
              ks_event_record (&ssc->c.events, KS_OBJECT (set), TRUE, "FailedCreate", NULL,
                               "create Claim %s for Pod %s in StatefulSet %s failed error: %s",
                               claim_name, pod_name, set->parent.meta.name, error->message);
              json_array_unref (volumes);
              return FALSE;
            }
          ks_event_record (&ssc->c.events, KS_OBJECT (set), FALSE, "SuccessfulCreate", NULL,
                           "create Claim %s Pod %s in StatefulSet %s success", claim_name, pod_name,
                           set->parent.meta.name);
          ks_object_unref (created);
        }
    }
  /* The pod template's own volumes, but those the templates replace. */
  if (spec->volumes != NULL)
    {
      JsonArray *own = json_node_get_array (spec->volumes);
      for (guint i = 0; i < json_array_get_length (own); i++)
        {
          JsonObject *v = json_array_get_object_element (own, i);
          const char *name = json_object_get_string_member_with_default (v, "name", "");
          gboolean replaced = FALSE;
          for (guint k = 0; k < json_array_get_length (templates) && !replaced; k++)
            replaced
                = g_strcmp0 (template_name (json_array_get_object_element (templates, k)), name)
                  == 0;
          for (guint k = 0; k < json_array_get_length (volumes) && !replaced; k++)
            replaced = g_strcmp0 (json_object_get_string_member (
                                      json_array_get_object_element (volumes, k), "name"),
                                  name)
                       == 0;
          if (replaced)
            continue;
          json_array_add_element (volumes, json_node_copy (json_array_get_element (own, i)));
          if (json_object_has_member (v, "persistentVolumeClaim"))
            g_ptr_array_add (claims, g_strdup (json_object_get_string_member (
                                         json_object_get_object_member (v, "persistentVolumeClaim"),
                                         "claimName")));
        }
      json_node_unref (spec->volumes);
    }
  spec->volumes = json_node_init_array (json_node_alloc (), volumes);
  json_array_unref (volumes);
  g_strfreev (spec->claim_names);
  g_ptr_array_add (claims, NULL);
  spec->claim_names = (char **) g_ptr_array_steal (claims, NULL);
  return TRUE;
}

/* newVersionedStatefulSetPod + createPersistentVolumeClaims + create. */
static gboolean
create_pod (KsStatefulSetController *ssc, Sync *s, gint64 ordinal)
{
  KsStatefulSet *set = s->set;
  const char *revision = s->update_revision;
  const KsPodTemplate *t = NULL;
  g_autofree char *name = g_strdup_printf ("%s-%" G_GINT64_FORMAT, set->parent.meta.name, ordinal);
  g_autofree char *index = g_strdup_printf ("%" G_GINT64_FORMAT, ordinal);
  g_autoptr (KsOwnerRefs) owner = ks_owner_refs_new_controller (KS_OBJECT (set));
  g_autoptr (GError) error = NULL;
  g_autoptr (KsStrMap) l1 = NULL;
  g_autoptr (KsStrMap) l2 = NULL;
  g_autoptr (KsStrMap) labels = NULL;
  KsPodSpec *spec;
  KsPod *pod;
  KsObject *created;

  if (set->update_strategy == KS_STS_ROLLING_UPDATE
      && ordinal < (gint64) set->ordinals_start + set->partition)
    {
      t = lookup_revision (ssc, set, s->current_revision);
      if (t != NULL)
        revision = s->current_revision;
    }
  if (t == NULL)
    t = lookup_revision (ssc, set, s->update_revision);
  spec = ks_pod_spec_copy (t->spec);
  g_free (spec->hostname);
  spec->hostname = g_strdup (name);
  g_free (spec->subdomain);
  spec->subdomain = g_strdup (set->service_name);
  if (!create_claims (ssc, set, name, spec))
    {
      ks_pod_spec_unref (spec);
      return FALSE;
    }
  pod = ks_pod_new (spec);
  ks_pod_spec_unref (spec);
  if (t->spec->node_name != NULL)
    pod->node_name = ks_intern (t->spec->node_name);
  pod->parent.meta.annotations = ks_str_map_ref (t->annotations);
  l1 = ks_str_map_with (t->labels, KS_LABEL_STS_POD_NAME, name);
  l2 = ks_str_map_with (l1, KS_LABEL_POD_INDEX, index);
  labels = ks_str_map_with (l2, KS_LABEL_CONTROLLER_REVISION_HASH, revision);
  ks_object_set_labels (KS_OBJECT (pod), labels);
  pod->parent.meta.name = g_strdup (name);
  pod->parent.meta.namespace = set->parent.meta.namespace;
  ks_object_set_owner_refs (KS_OBJECT (pod), owner);
  created = ks_client_create (ssc->c.client, KS_OBJECT (pod), &error);
  ks_object_unref (KS_OBJECT (pod));
  if (created == NULL)
    {
      ks_event_record (&ssc->c.events, KS_OBJECT (set), TRUE, "FailedCreate", NULL,
                       "create Pod %s in StatefulSet %s failed error: %s", name,
                       set->parent.meta.name, error->message);
      return FALSE;
    }
  ks_event_record (&ssc->c.events, KS_OBJECT (set), FALSE, "SuccessfulCreate", NULL,
                   "create Pod %s in StatefulSet %s successful", name, set->parent.meta.name);
  ks_object_unref (created);
  return TRUE;
}

/* persistentVolumeClaimRetentionPolicy.whenScaled Delete: a condemned pod's claims are owned by
 * the pod instead of the set (updateClaimOwnerRefForSetAndPod), so that the garbage collector
 * deletes them once the pod is gone. */
static void
own_claims_by_pod (KsStatefulSetController *ssc, KsStatefulSet *set, const KsObject *pod)
{
  JsonArray *templates;

  if (set->volume_claim_templates == NULL)
    return;
  templates = json_node_get_array (set->volume_claim_templates);
  for (guint i = 0; i < json_array_get_length (templates); i++)
    {
      g_autofree char *name = g_strdup_printf (
          "%s-%s", template_name (json_array_get_object_element (templates, i)), pod->meta.name);
      g_autoptr (KsObject) claim
          = ks_client_get (ssc->c.client, ks_kind_get (KS_KIND_PERSISTENT_VOLUME_CLAIM),
                           pod->meta.namespace, name, NULL);
      const KsOwnerRefs *refs;
      guint n, m;
      g_autofree KsOwnerRef *list = NULL;
      g_autoptr (KsOwnerRefs) new_refs = NULL;
      g_autoptr (KsObject) copy = NULL;
      KsObject *updated;
      gboolean owned = FALSE;

      if (claim == NULL)
        continue;
      refs = claim->meta.owner_refs;
      n = refs != NULL ? refs->n : 0;
      for (guint k = 0; k < n && !owned; k++)
        owned = ks_uid_equal (&refs->refs[k].uid, &pod->meta.uid);
      if (owned)
        continue;
      /* The set's reference goes (removeOwnerRef), the pod's comes. */
      list = g_new0 (KsOwnerRef, n + 1);
      m = 0;
      for (guint k = 0; k < n; k++)
        if (!ks_uid_equal (&refs->refs[k].uid, &set->parent.meta.uid))
          list[m++] = refs->refs[k];
      list[m] = (KsOwnerRef){
        .api_version = (char *) pod->kind->api_version,
        .kind = (char *) pod->kind->name,
        .name = pod->meta.name,
        .uid = pod->meta.uid,
        .block_owner_deletion = TRUE,
      };
      new_refs = ks_owner_refs_new (list, m + 1);
      copy = ks_object_copy (claim);
      ks_object_set_owner_refs (copy, new_refs);
      updated = ks_client_update (ssc->c.client, copy, NULL);
      if (updated != NULL)
        ks_object_unref (updated);
    }
}

static gboolean
delete_pod (KsStatefulSetController *ssc, Sync *s, const KsObject *pod)
{
  g_autoptr (GError) error = NULL;

  if (!ks_client_delete (ssc->c.client, ks_kind_get (KS_KIND_POD), pod->meta.namespace,
                         pod->meta.name, NULL, &error))
    {
      if (!g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
        ks_event_record (&ssc->c.events, KS_OBJECT (s->set), TRUE, "FailedDelete", NULL,
                         "delete Pod %s in StatefulSet %s failed error: %s", pod->meta.name,
                         s->set->parent.meta.name, error->message);
      return FALSE;
    }
  ks_event_record (&ssc->c.events, KS_OBJECT (s->set), FALSE, "SuccessfulDelete", NULL,
                   "delete Pod %s in StatefulSet %s successful", pod->meta.name,
                   s->set->parent.meta.name);
  return TRUE;
}

static gint
by_ordinal_desc (gconstpointer a, gconstpointer b, gpointer set)
{
  gint64 oa = pod_ordinal (set, *(KsObject *const *) a);
  gint64 ob = pod_ordinal (set, *(KsObject *const *) b);
  return oa < ob ? 1 : oa > ob ? -1 : 0;
}

/* The pods, creations and deletions of one pass; returns with the pass ended early or not. */
static void
update_stateful_set (KsStatefulSetController *ssc, Sync *s, KsObject **replicas, guint n,
                     GPtrArray *condemned, gint32 *current_replicas)
{
  KsStatefulSet *set = s->set;
  gboolean monotonic = set->pod_management_policy == KS_STS_ORDERED_READY;
  const KsObject *first_unhealthy = NULL;
  gint64 start = set->ordinals_start;

  for (guint i = 0; i < n && first_unhealthy == NULL; i++)
    if (replicas[i] != NULL && !is_healthy (set, replicas[i], s->now))
      first_unhealthy = replicas[i];
  for (guint i = 0; i < condemned->len && first_unhealthy == NULL; i++)
    if (!is_healthy (set, g_ptr_array_index (condemned, i), s->now))
      first_unhealthy = g_ptr_array_index (condemned, i);

  for (guint i = 0; i < n; i++)
    {
      KsObject *pod = replicas[i];
      /* A Failed or Succeeded pod is deleted and made again with the same name; the store
       * removes a terminal pod at once. */
      if (pod != NULL && ks_pod_is_terminal (KS_POD (pod)) && !is_terminating (pod))
        {
          if (!delete_pod (ssc, s, pod) && monotonic)
            return;
          pod = replicas[i] = NULL;
        }
      if (pod == NULL)
        {
          create_pod (ssc, s, start + i);
          if (monotonic)
            return;
          continue;
        }
      if (is_terminating (pod) && monotonic)
        return;
      if (!is_healthy (set, pod, s->now) && monotonic)
        return;
    }

  /* Condemned pods, highest ordinal first. */
  for (guint i = 0; i < condemned->len; i++)
    {
      KsObject *pod = g_ptr_array_index (condemned, i);
      if (is_terminating (pod))
        {
          if (monotonic)
            return;
          continue;
        }
      if (monotonic && first_unhealthy != NULL && first_unhealthy != pod)
        return;
      if (set->when_scaled == KS_STS_PVC_DELETE)
        own_claims_by_pod (ssc, set, pod);
      delete_pod (ssc, s, pod);
      if (monotonic)
        return;
    }

  if (set->update_strategy == KS_STS_ON_DELETE)
    return;
  for (gint64 i = (gint64) n - 1; i >= MIN ((gint64) set->partition, (gint64) n); i--)
    {
      KsObject *pod = replicas[i];
      if (pod == NULL)
        return;
      if (g_strcmp0 (pod_revision (pod), s->update_revision) != 0 && !is_terminating (pod))
        {
          if (delete_pod (ssc, s, pod) && g_strcmp0 (pod_revision (pod), s->current_revision) == 0)
            (*current_replicas)--;
          return;
        }
      if (!is_healthy (set, pod, s->now))
        return;
    }
}

static void
sync_stateful_set (const char *key, gpointer data)
{
  KsStatefulSetController *ssc = data;
  g_autofree char *ns = NULL;
  const char *name;
  g_autoptr (KsObject) obj = NULL;
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (GPtrArray) condemned = g_ptr_array_new ();
  g_autofree KsObject **replicas = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *update_revision = NULL;
  KsStatefulSet *set;
  Sync s;
  gint32 created = 0, ready = 0, available = 0, current = 0, updated = 0;
  const char *current_revision;

  ks_controller_split_key (key, &ns, &name);
  obj = ks_client_get (ssc->c.client, ks_kind_get (KS_KIND_STATEFUL_SET), ns, name, NULL);
  if (obj == NULL)
    return;
  set = KS_STATEFUL_SET (obj);
  hash = ks_pod_template_hash (&set->template, FALSE, 0);
  update_revision = g_strdup_printf ("%s-%s", set->parent.meta.name, hash);
  remember_revision (ssc, set, update_revision);
  current_revision
      = set->status.current_revision != NULL ? set->status.current_revision : update_revision;
  s = (Sync){ set, update_revision, current_revision, ks_clock_now (ssc->c.clock) };

  pods = ks_client_list_dependents (ssc->c.client, ks_kind_get (KS_KIND_POD), obj, NULL);
  replicas = g_new0 (KsObject *, MAX (set->replicas, 1));
  for (guint i = 0; i < pods->len; i++)
    {
      KsObject *pod = g_ptr_array_index (pods, i);
      const KsOwnerRef *ref = ks_object_get_controller_ref (pod);
      gint64 ord;
      if (ref == NULL || !ks_uid_equal (&ref->uid, &obj->meta.uid))
        continue;
      /* computeReplicaStatus, on the pods as they were at the start of the sync. */
      created++;
      if (KS_POD (pod)->phase == KS_POD_RUNNING && ks_pod_is_ready (KS_POD (pod)))
        {
          ready++;
          if (set->min_ready_seconds == 0
              || ks_pod_is_available (KS_POD (pod), set->min_ready_seconds, s.now))
            available++;
        }
      if (!is_terminating (pod))
        {
          current += g_strcmp0 (pod_revision (pod), current_revision) == 0;
          updated += g_strcmp0 (pod_revision (pod), update_revision) == 0;
        }
      ord = pod_ordinal (set, pod);
      if (ord >= set->ordinals_start && ord < (gint64) set->ordinals_start + set->replicas)
        replicas[ord - set->ordinals_start] = pod;
      else
        g_ptr_array_add (condemned, pod);
    }
  g_ptr_array_sort_with_data (condemned, by_ordinal_desc, set);

  if (!ks_object_is_being_deleted (obj))
    update_stateful_set (ssc, &s, replicas, set->replicas, condemned, &current);

  /* completeRollingUpdate */
  if (set->update_strategy == KS_STS_ROLLING_UPDATE && updated == created && ready == created)
    {
      current = updated;
      current_revision = update_revision;
    }
  if (set->status.replicas != created || set->status.ready_replicas != ready
      || set->status.available_replicas != available || set->status.current_replicas != current
      || set->status.updated_replicas != updated
      || g_strcmp0 (set->status.current_revision, current_revision) != 0
      || g_strcmp0 (set->status.update_revision, update_revision) != 0
      || set->status.observed_generation != obj->meta.generation)
    {
      KsStatefulSet *copy = KS_STATEFUL_SET (ks_object_copy (obj));
      KsObject *result;
      /* current_revision may point into copy's old status: duplicate first. */
      char *cur = g_strdup (current_revision);
      g_free (copy->status.current_revision);
      copy->status.current_revision = cur;
      g_free (copy->status.update_revision);
      copy->status.update_revision = g_strdup (update_revision);
      copy->status.replicas = created;
      copy->status.ready_replicas = ready;
      copy->status.available_replicas = available;
      copy->status.current_replicas = current;
      copy->status.updated_replicas = updated;
      copy->status.observed_generation = obj->meta.generation;
      result = ks_client_update_status (ssc->c.client, KS_OBJECT (copy), NULL);
      ks_object_unref (KS_OBJECT (copy));
      if (result != NULL)
        ks_object_unref (result);
    }
  /* Pods become available minReadySeconds after they are ready: look again then. */
  if (set->min_ready_seconds > 0 && available < ready)
    ks_workqueue_add_after (ssc->c.queue, key, (set->min_ready_seconds + 1) * KS_USEC_PER_SEC);
}

KsStatefulSetController *
ks_statefulset_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink)
{
  KsStatefulSetController *ssc = g_new0 (KsStatefulSetController, 1);

  ks_controller_init (&ssc->c, client, clock, sink, "statefulset-controller", sync_stateful_set,
                      ssc);
  ssc->revisions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, template_free);
  ssc->c.watches[ssc->c.n_watches++] = ks_client_watch (client, ks_kind_get (KS_KIND_STATEFUL_SET),
                                                        NULL, TRUE, on_stateful_set, ssc, NULL);
  ssc->c.watches[ssc->c.n_watches++]
      = ks_client_watch (client, ks_kind_get (KS_KIND_POD), NULL, TRUE, on_pod, ssc, NULL);
  return ssc;
}

void
ks_statefulset_controller_free (KsStatefulSetController *ssc)
{
  if (ssc == NULL)
    return;
  ks_controller_clear (&ssc->c);
  g_hash_table_unref (ssc->revisions);
  g_free (ssc);
}

/* ks-storage.c: StorageClass, PersistentVolume and PersistentVolumeClaim codecs with
 * Kubernetes' defaults and validation (pkg/apis/core/v1/defaults.go,
 * pkg/apis/core/validation, pkg/apis/storage/validation), and volume matching
 * (component-helpers/storage/volume/pv_helpers.go FindMatchingVolume, v1.32). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ks-duration.h"
#include "ks-kinds-private.h"
#include "ks-quantity.h"
#include "ks-storage.h"
#include "src/ks-clock.h"

static const char *const access_mode_names[] = {
  "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod", NULL,
};
static const char *const access_mode_short[] = { "RWO", "ROX", "RWX", "RWOP" };
static const char *const reclaim_names[] = { "Retain", "Delete", "Recycle", NULL };
static const char *const binding_mode_names[] = { "Immediate", "WaitForFirstConsumer", NULL };
static const char *const volume_mode_names[] = { "Filesystem", "Block", NULL };
static const char *const pv_phase_names[] = {
  "Pending", "Available", "Bound", "Released", "Failed", NULL,
};
static const char *const pvc_phase_names[] = { "Pending", "Bound", "Lost", NULL };

/* The volume sources a PersistentVolume may name (PersistentVolumeSource). */
static const char *const pv_sources[] = {
  "hostPath",
  "local",
  "csi",
  "nfs",
  "iscsi",
  "fc",
  "cephfs",
  "rbd",
  "cinder",
  "flexVolume",
  "azureFile",
  "azureDisk",
  "glusterfs",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "vsphereVolume",
  "portworxVolume",
  "quobyte",
  "scaleIO",
  "storageos",
  "photonPersistentDisk",
  "flocker",
  NULL,
};

const char *
ks_pv_phase_name (KsPvPhase phase)
{
  return pv_phase_names[phase];
}

const char *
ks_pvc_phase_name (KsPvcPhase phase)
{
  return pvc_phase_names[phase];
}

const char *
ks_reclaim_policy_name (KsReclaimPolicy policy)
{
  return reclaim_names[policy];
}

char *
ks_access_modes_to_string (guint modes)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (access_mode_short); i++)
    if (modes & (1u << i))
      g_string_append_printf (s, "%s%s", s->len ? "," : "", access_mode_short[i]);
  return g_string_free (s, FALSE);
}

/* Shared pieces */

/* accessModes: a list of known modes; ReadWriteOncePod alone (ValidatePersistentVolumeSpec and
 * ValidatePersistentVolumeClaimSpec).  required: at least one. */
static guint
access_modes_decode (KsDecoder *dec, JsonNode *spec, gboolean required)
{
  JsonNode *list = ks_decoder_member (spec, "accessModes");
  guint set = 0, n = 0;
  gsize mark;

  if (list == NULL)
    {
      if (required)
        ks_decoder_error_field (dec, spec, "accessModes",
                                "Required value: at least 1 access mode is required");
      return 0;
    }
  mark = ks_decoder_push (dec, "accessModes");
  if (ks_decoder_expect_array (dec, list))
    {
      JsonArray *array = json_node_get_array (list);
      n = json_array_get_length (array);
      for (guint i = 0; i < n; i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          gsize mark2 = ks_decoder_push_index (dec, i);
          g_autofree char *mode = NULL;
          if (ks_decoder_string (dec, item, &mode))
            {
              gint k = -1;
              for (guint j = 0; access_mode_names[j] != NULL; j++)
                if (strcmp (mode, access_mode_names[j]) == 0)
                  k = j;
              if (k < 0)
                ks_decoder_error (dec, item,
                                  "Unsupported value: \"%s\": supported values: "
                                  "\"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", "
                                  "\"ReadWriteOncePod\"",
                                  mode);
              else
                set |= 1u << k;
            }
          ks_decoder_pop (dec, mark2);
        }
      if (n == 0 && required)
        ks_decoder_error (dec, list, "Required value: at least 1 access mode is required");
      if ((set & KS_ACCESS_RWOP) && (set & ~KS_ACCESS_RWOP))
        ks_decoder_error (dec, list,
                          "Forbidden: may not use ReadWriteOncePod with other access modes");
    }
  ks_decoder_pop (dec, mark);
  return set;
}

static void
access_modes_encode (JsonBuilder *b, const char *member, guint modes)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; access_mode_names[i] != NULL; i++)
    if (modes & (1u << i))
      json_builder_add_string_value (b, access_mode_names[i]);
  json_builder_end_array (b);
}

/* A resource list's storage entry ({storage: 1Gi}); other resources are refused as Kubernetes
 * refuses them for volumes. */
static gboolean
storage_decode (KsDecoder *dec, JsonNode *list, gint64 *out)
{
  JsonNode *m;
  gsize mark;
  gboolean ok = TRUE;

  if (!ks_decoder_expect_object (dec, list))
    return FALSE;
  if ((m = ks_decoder_member (list, "storage")) == NULL)
    return TRUE;
  mark = ks_decoder_push (dec, "storage");
  ok = ks_decoder_quantity_value (dec, m, out);
  if (ok && *out <= 0)
    {
      ks_decoder_error (dec, m, "Invalid value: must be greater than zero");
      ok = FALSE;
    }
  ks_decoder_pop (dec, mark);
  return ok;
}

static void
storage_encode (JsonBuilder *b, const char *member, gint64 bytes)
{
  g_autofree char *q = ks_quantity_format_value (bytes, TRUE);

  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  ks_builder_add_string (b, "storage", q);
  json_builder_end_object (b);
}

/* StorageClass */

gboolean
ks_storage_class_is_default (const KsStorageClass *sc)
{
  return g_strcmp0 (ks_object_get_annotation (KS_OBJECT (sc), KS_ANN_DEFAULT_CLASS), "true") == 0;
}

gboolean
ks_storage_class_allows_node (const KsStorageClass *sc, const KsObject *node)
{
  if (sc->allowed_topologies == NULL)
    return TRUE;
  return ks_node_selector_matches (sc->allowed_topologies, node->meta.labels, node->meta.name);
}

/* allowedTopologies as a node selector: each term's matchLabelExpressions (key In values). */
static KsNodeSelector *
topologies_to_selector (JsonNode *topologies)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (KsDiag) diag = ks_diag_new ();
  JsonArray *terms = json_node_get_array (topologies);
  KsNodeSelector *sel;
  KsDecoder dec;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "nodeSelectorTerms");
  json_builder_begin_array (b);
  for (guint i = 0; i < json_array_get_length (terms); i++)
    {
      JsonObject *t = json_array_get_object_element (terms, i);
      JsonArray *exprs = json_object_get_array_member (t, "matchLabelExpressions");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "matchExpressions");
      json_builder_begin_array (b);
      for (guint k = 0; k < json_array_get_length (exprs); k++)
        {
          JsonObject *e = json_array_get_object_element (exprs, k);
          json_builder_begin_object (b);
          ks_builder_add_string (b, "key", json_object_get_string_member (e, "key"));
          ks_builder_add_string (b, "operator", "In");
          json_builder_set_member_name (b, "values");
          json_builder_add_value (b, json_node_copy (json_object_get_member (e, "values")));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  ks_decoder_init (&dec, NULL, diag);
  sel = ks_node_selector_decode (&dec, root);
  ks_decoder_clear (&dec);
  return sel;
}

/* allowedTopologies (ValidateAllowedTopologies): terms of matchLabelExpressions, each with a key
 * and at least one value. */
static void
topologies_decode (KsDecoder *dec, JsonNode *node, KsStorageClass *sc)
{
  JsonNode *list = ks_decoder_member (node, "allowedTopologies");
  guint errors = ks_decoder_n_errors (dec);
  gsize mark;

  if (list == NULL)
    return;
  mark = ks_decoder_push (dec, "allowedTopologies");
  if (ks_decoder_expect_array (dec, list))
    {
      JsonArray *terms = json_node_get_array (list);
      for (guint i = 0; i < json_array_get_length (terms); i++)
        {
          JsonNode *t = json_array_get_element (terms, i);
          JsonNode *exprs;
          gsize mark2 = ks_decoder_push_index (dec, i);
          if (ks_decoder_expect_object (dec, t))
            {
              if ((exprs = ks_decoder_member (t, "matchLabelExpressions")) == NULL)
                ks_decoder_error_field (dec, t, "matchLabelExpressions",
                                        "Required value: must have at least one label "
                                        "requirement");
              else
                {
                  gsize mark3 = ks_decoder_push (dec, "matchLabelExpressions");
                  if (ks_decoder_expect_array (dec, exprs))
                    {
                      JsonArray *a = json_node_get_array (exprs);
                      if (json_array_get_length (a) == 0)
                        ks_decoder_error (dec, exprs,
                                          "Required value: must have at least one label "
                                          "requirement");
                      for (guint k = 0; k < json_array_get_length (a); k++)
                        {
                          JsonNode *e = json_array_get_element (a, k);
                          gsize mark4 = ks_decoder_push_index (dec, k);
                          g_autofree char *key = NULL;
                          g_auto (GStrv) values = NULL;
                          if (ks_decoder_expect_object (dec, e))
                            {
                              ks_decoder_require_string (dec, e, "key", &key, NULL);
                              if (ks_decoder_get_strv (dec, e, "values", &values)
                                  && (values == NULL || values[0] == NULL))
                                ks_decoder_error_field (dec, e, "values",
                                                        "Required value: must specify as least "
                                                        "one value");
                            }
                          ks_decoder_pop (dec, mark4);
                        }
                    }
                  ks_decoder_pop (dec, mark3);
                }
            }
          ks_decoder_pop (dec, mark2);
        }
    }
  ks_decoder_pop (dec, mark);
  if (ks_decoder_n_errors (dec) == errors && json_array_get_length (json_node_get_array (list)) > 0)
    {
      sc->allowed_topologies_json = json_node_copy (list);
      sc->allowed_topologies = topologies_to_selector (list);
    }
}

static void
sc_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  KsStorageClass *sc = KS_STORAGE_CLASS (obj);
  int reclaim = KS_RECLAIM_DELETE, mode = KS_BINDING_IMMEDIATE;
  const char *delay = ks_object_get_annotation (obj, KS_ANN_PROVISIONING_DELAY);

  if (ks_decoder_require_string (dec, node, "provisioner", &sc->provisioner, NULL)
      && sc->provisioner[0] == '\0')
    ks_decoder_error_field (dec, node, "provisioner", "Required value");
  ks_decoder_get_str_map (dec, node, "parameters", &sc->parameters);
  if (ks_decoder_get_enum (dec, node, "reclaimPolicy", reclaim_names, &reclaim)
      && reclaim == KS_RECLAIM_RECYCLE)
    ks_decoder_error_field (dec, node, "reclaimPolicy",
                            "Unsupported value: \"Recycle\": supported values: \"Delete\", "
                            "\"Retain\"");
  sc->reclaim_policy = reclaim;
  ks_decoder_get_enum (dec, node, "volumeBindingMode", binding_mode_names, &mode);
  sc->volume_binding_mode = mode;
  ks_decoder_get_bool (dec, node, "allowVolumeExpansion", &sc->allow_volume_expansion);
  ks_decoder_get_strv (dec, node, "mountOptions", &sc->mount_options);
  topologies_decode (dec, node, sc);
  if (delay != NULL)
    {
      /* Reported at the annotation itself (metadata.annotations["..."]). */
      JsonNode *meta = ks_decoder_member (node, "metadata");
      JsonNode *anns = meta != NULL ? ks_decoder_member (meta, "annotations") : NULL;
      g_autoptr (GError) error = NULL;
      if (!ks_duration_parse (delay, &sc->provisioning_delay, &error) || sc->provisioning_delay < 0)
        {
          gsize mark = ks_decoder_push (dec, "metadata");
          gsize mark2 = ks_decoder_push (dec, "annotations");
          ks_decoder_error_field (dec, anns != NULL ? anns : node, KS_ANN_PROVISIONING_DELAY, "%s",
                                  error != NULL ? error->message
                                                : "must not be negative (a duration such "
                                                  "as \"5s\")");
          ks_decoder_pop (dec, mark2);
          ks_decoder_pop (dec, mark);
        }
    }
}

static void
sc_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  const KsStorageClass *sc = KS_STORAGE_CLASS (obj);

  ks_builder_add_string (b, "provisioner", sc->provisioner);
  if (ks_str_map_size (sc->parameters) > 0)
    ks_builder_add_str_map (b, "parameters", sc->parameters);
  ks_builder_add_string (b, "reclaimPolicy", reclaim_names[sc->reclaim_policy]);
  if (sc->allow_volume_expansion)
    ks_builder_add_bool (b, "allowVolumeExpansion", TRUE);
  if (sc->mount_options != NULL)
    {
      json_builder_set_member_name (b, "mountOptions");
      json_builder_begin_array (b);
      for (guint i = 0; sc->mount_options[i] != NULL; i++)
        json_builder_add_string_value (b, sc->mount_options[i]);
      json_builder_end_array (b);
    }
  ks_builder_add_string (b, "volumeBindingMode", binding_mode_names[sc->volume_binding_mode]);
  if (sc->allowed_topologies_json != NULL)
    {
      json_builder_set_member_name (b, "allowedTopologies");
      json_builder_add_value (b, json_node_copy (sc->allowed_topologies_json));
    }
}

static void
sc_copy (KsObject *dst_obj, const KsObject *src_obj)
{
  KsStorageClass *dst = KS_STORAGE_CLASS (dst_obj);
  const KsStorageClass *src = KS_STORAGE_CLASS (src_obj);

  dst->provisioner = g_strdup (src->provisioner);
  dst->parameters = src->parameters != NULL ? ks_str_map_ref (src->parameters) : NULL;
  dst->mount_options = g_strdupv (src->mount_options);
  if (src->allowed_topologies_json != NULL)
    {
      dst->allowed_topologies_json = json_node_copy (src->allowed_topologies_json);
      dst->allowed_topologies = topologies_to_selector (src->allowed_topologies_json);
    }
}

static void
sc_finalize (KsObject *obj)
{
  KsStorageClass *sc = KS_STORAGE_CLASS (obj);

  g_free (sc->provisioner);
  if (sc->parameters != NULL)
    ks_str_map_unref (sc->parameters);
  g_strfreev (sc->mount_options);
  if (sc->allowed_topologies_json != NULL)
    json_node_unref (sc->allowed_topologies_json);
  ks_node_selector_free (sc->allowed_topologies);
}

const KsKind ks_storage_class_kind = {
  .id = KS_KIND_STORAGE_CLASS,
  .name = "StorageClass",
  .api_version = "storage.k8s.io/v1",
  .group = "storage.k8s.io",
  .plural = "storageclasses",
  .short_name = "sc",
  .namespaced = FALSE,
  .size = sizeof (KsStorageClass),
  .decode = sc_decode,
  .encode = sc_encode,
  .copy = sc_copy,
  .finalize = sc_finalize,
};

/* PersistentVolume */

const char *
ks_pv_class (const KsPersistentVolume *pv)
{
  const char *ann = ks_object_get_annotation (KS_OBJECT (pv), KS_ANN_BETA_STORAGE_CLASS);

  if (ann != NULL)
    return ann;
  return pv->storage_class_name != NULL ? pv->storage_class_name : "";
}

gboolean
ks_pv_claim_ref_is (const KsPersistentVolume *pv, const KsPersistentVolumeClaim *claim)
{
  const KsObject *c = KS_OBJECT (claim);

  if (!pv->has_claim_ref || g_strcmp0 (pv->claim_ref.name, c->meta.name) != 0
      || g_strcmp0 (pv->claim_ref.namespace, c->meta.namespace) != 0)
    return FALSE;
  return !ks_uid_is_set (&pv->claim_ref.uid) || ks_uid_equal (&pv->claim_ref.uid, &c->meta.uid);
}

gboolean
ks_pv_matches_node (const KsPersistentVolume *pv, const KsObject *node)
{
  if (pv->node_affinity == NULL)
    return TRUE;
  return ks_node_selector_matches (pv->node_affinity, node->meta.labels, node->meta.name);
}

static KsNodeSelector *
node_affinity_from_json (KsDecoder *dec, JsonNode *na)
{
  JsonNode *req;
  KsNodeSelector *sel = NULL;
  gsize mark;

  if (!ks_decoder_expect_object (dec, na) || (req = ks_decoder_member (na, "required")) == NULL)
    return NULL;
  mark = ks_decoder_push (dec, "required");
  sel = ks_node_selector_decode (dec, req);
  ks_decoder_pop (dec, mark);
  return sel;
}

static void
pv_status_decode (KsDecoder *dec, JsonNode *status, KsPersistentVolume *pv)
{
  int phase = KS_PV_PENDING;

  if (!ks_decoder_expect_object (dec, status))
    return;
  ks_decoder_get_enum (dec, status, "phase", pv_phase_names, &phase);
  pv->status.phase = phase;
  ks_decoder_get_string (dec, status, "reason", &pv->status.reason);
  ks_decoder_get_string (dec, status, "message", &pv->status.message);
  ks_decoder_get_time (dec, status, "lastPhaseTransitionTime",
                       &pv->status.last_phase_transition_time);
}

static void
pv_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  KsPersistentVolume *pv = KS_PERSISTENT_VOLUME (obj);
  JsonNode *spec = ks_decoder_member (node, "spec");
  JsonNode *m;
  gsize mark;

  pv->status.last_phase_transition_time = KS_TIME_NONE;
  mark = ks_decoder_push (dec, "spec");
  if (spec == NULL)
    ks_decoder_error (dec, node, "required field is missing");
  else if (ks_decoder_expect_object (dec, spec))
    {
      int reclaim = KS_RECLAIM_RETAIN, vmode = KS_VOLUME_FILESYSTEM;
      guint n_sources = 0;
      if ((m = ks_decoder_member (spec, "capacity")) == NULL)
        ks_decoder_error_field (dec, spec, "capacity", "Required value");
      else
        {
          gsize mark2 = ks_decoder_push (dec, "capacity");
          if (storage_decode (dec, m, &pv->capacity) && pv->capacity == 0)
            ks_decoder_error (dec, m, "Required value: capacity.storage");
          ks_decoder_pop (dec, mark2);
        }
      pv->access_modes = access_modes_decode (dec, spec, TRUE);
      ks_decoder_get_enum (dec, spec, "persistentVolumeReclaimPolicy", reclaim_names, &reclaim);
      pv->reclaim_policy = reclaim;
      ks_decoder_get_string (dec, spec, "storageClassName", &pv->storage_class_name);
      ks_decoder_get_enum (dec, spec, "volumeMode", volume_mode_names, &vmode);
      pv->volume_mode = vmode;
      ks_decoder_get_strv (dec, spec, "mountOptions", &pv->mount_options);
      if ((m = ks_decoder_member (spec, "claimRef")) != NULL)
        {
          gsize mark2 = ks_decoder_push (dec, "claimRef");
          pv->has_claim_ref = ks_object_reference_decode (dec, m, &pv->claim_ref);
          if (pv->has_claim_ref && pv->claim_ref.name == NULL)
            ks_decoder_error_field (dec, m, "name", "Required value");
          if (pv->has_claim_ref && pv->claim_ref.namespace == NULL)
            ks_decoder_error_field (dec, m, "namespace", "Required value");
          ks_decoder_pop (dec, mark2);
        }
      if ((m = ks_decoder_member (spec, "nodeAffinity")) != NULL)
        {
          gsize mark2 = ks_decoder_push (dec, "nodeAffinity");
          pv->node_affinity = node_affinity_from_json (dec, m);
          pv->node_affinity_json = json_node_copy (m);
          ks_decoder_pop (dec, mark2);
        }
      for (guint i = 0; pv_sources[i] != NULL; i++)
        if ((m = ks_decoder_member (spec, pv_sources[i])) != NULL)
          {
            if (n_sources++ == 0)
              {
                pv->source_type = g_strdup (pv_sources[i]);
                pv->source = json_node_copy (m);
              }
            else
              ks_decoder_error_field (dec, spec, pv_sources[i],
                                      "Forbidden: may not specify more than 1 volume type");
          }
      if (n_sources == 0)
        ks_decoder_error (dec, spec,
                          "Required value: must specify a volume type (hostPath, local, csi, "
                          "nfs, ...)");
      if (pv->source_type != NULL && strcmp (pv->source_type, "local") == 0
          && pv->node_affinity == NULL)
        ks_decoder_error_field (dec, spec, "nodeAffinity",
                                "Required value: Local volume requires node affinity");
    }
  ks_decoder_pop (dec, mark);
  if (dec->mode == KS_DECODE_STORED && (m = ks_decoder_member (node, "status")) != NULL)
    {
      mark = ks_decoder_push (dec, "status");
      pv_status_decode (dec, m, pv);
      ks_decoder_pop (dec, mark);
    }
}

static void
pv_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  const KsPersistentVolume *pv = KS_PERSISTENT_VOLUME (obj);

  json_builder_set_member_name (b, "spec");
  json_builder_begin_object (b);
  storage_encode (b, "capacity", pv->capacity);
  if (pv->source_type != NULL)
    {
      json_builder_set_member_name (b, pv->source_type);
      json_builder_add_value (b, json_node_copy (pv->source));
    }
  access_modes_encode (b, "accessModes", pv->access_modes);
  if (pv->has_claim_ref)
    {
      json_builder_set_member_name (b, "claimRef");
      ks_object_reference_encode (&pv->claim_ref, b);
    }
  ks_builder_add_string (b, "persistentVolumeReclaimPolicy", reclaim_names[pv->reclaim_policy]);
  if (pv->storage_class_name != NULL)
    ks_builder_add_string (b, "storageClassName", pv->storage_class_name);
  if (pv->mount_options != NULL)
    {
      json_builder_set_member_name (b, "mountOptions");
      json_builder_begin_array (b);
      for (guint i = 0; pv->mount_options[i] != NULL; i++)
        json_builder_add_string_value (b, pv->mount_options[i]);
      json_builder_end_array (b);
    }
  ks_builder_add_string (b, "volumeMode", volume_mode_names[pv->volume_mode]);
  if (pv->node_affinity_json != NULL)
    {
      json_builder_set_member_name (b, "nodeAffinity");
      json_builder_add_value (b, json_node_copy (pv->node_affinity_json));
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "status");
  json_builder_begin_object (b);
  ks_builder_add_string (b, "phase", pv_phase_names[pv->status.phase]);
  if (pv->status.reason != NULL)
    ks_builder_add_string (b, "reason", pv->status.reason);
  if (pv->status.message != NULL)
    ks_builder_add_string (b, "message", pv->status.message);
  if (pv->status.last_phase_transition_time != KS_TIME_NONE)
    ks_builder_add_time (b, "lastPhaseTransitionTime", pv->status.last_phase_transition_time,
                         epoch);
  json_builder_end_object (b);
}

static KsNodeSelector *
node_selector_copy (JsonNode *json)
{
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsDecoder dec;
  KsNodeSelector *sel;

  ks_decoder_init (&dec, NULL, diag);
  sel = node_affinity_from_json (&dec, json);
  ks_decoder_clear (&dec);
  return sel;
}

static void
pv_status_copy (KsPersistentVolume *dst, const KsPersistentVolume *src)
{
  dst->status = src->status;
  dst->status.reason = g_strdup (src->status.reason);
  dst->status.message = g_strdup (src->status.message);
}

static void
pv_status_clear (KsPersistentVolume *pv)
{
  g_free (pv->status.reason);
  g_free (pv->status.message);
  memset (&pv->status, 0, sizeof pv->status);
}

static void
pv_copy (KsObject *dst_obj, const KsObject *src_obj)
{
  KsPersistentVolume *dst = KS_PERSISTENT_VOLUME (dst_obj);
  const KsPersistentVolume *src = KS_PERSISTENT_VOLUME (src_obj);

  dst->storage_class_name = g_strdup (src->storage_class_name);
  if (src->has_claim_ref)
    ks_object_reference_copy (&dst->claim_ref, &src->claim_ref);
  dst->node_affinity_json
      = src->node_affinity_json != NULL ? json_node_copy (src->node_affinity_json) : NULL;
  dst->node_affinity
      = src->node_affinity_json != NULL ? node_selector_copy (src->node_affinity_json) : NULL;
  dst->source_type = g_strdup (src->source_type);
  dst->source = src->source != NULL ? json_node_copy (src->source) : NULL;
  dst->mount_options = g_strdupv (src->mount_options);
  pv_status_copy (dst, src);
}

static void
pv_copy_status (KsObject *dst_obj, const KsObject *src_obj)
{
  pv_status_clear (KS_PERSISTENT_VOLUME (dst_obj));
  pv_status_copy (KS_PERSISTENT_VOLUME (dst_obj), KS_PERSISTENT_VOLUME (src_obj));
}

static void
pv_finalize (KsObject *obj)
{
  KsPersistentVolume *pv = KS_PERSISTENT_VOLUME (obj);

  g_free (pv->storage_class_name);
  ks_object_reference_clear (&pv->claim_ref);
  ks_node_selector_free (pv->node_affinity);
  if (pv->node_affinity_json != NULL)
    json_node_unref (pv->node_affinity_json);
  g_free (pv->source_type);
  if (pv->source != NULL)
    json_node_unref (pv->source);
  g_strfreev (pv->mount_options);
  pv_status_clear (pv);
}

const KsKind ks_persistent_volume_kind = {
  .id = KS_KIND_PERSISTENT_VOLUME,
  .name = "PersistentVolume",
  .api_version = "v1",
  .group = "",
  .plural = "persistentvolumes",
  .short_name = "pv",
  .namespaced = FALSE,
  .size = sizeof (KsPersistentVolume),
  .decode = pv_decode,
  .encode = pv_encode,
  .copy = pv_copy,
  .finalize = pv_finalize,
  .copy_status = pv_copy_status,
};

/* PersistentVolumeClaim */

const char *
ks_pvc_class (const KsPersistentVolumeClaim *pvc)
{
  const char *ann = ks_object_get_annotation (KS_OBJECT (pvc), KS_ANN_BETA_STORAGE_CLASS);

  if (ann != NULL)
    return ann;
  return pvc->storage_class_name != NULL ? pvc->storage_class_name : "";
}

static void
pvc_status_decode (KsDecoder *dec, JsonNode *status, KsPersistentVolumeClaim *pvc)
{
  int phase = KS_PVC_PENDING;
  JsonNode *m;

  if (!ks_decoder_expect_object (dec, status))
    return;
  ks_decoder_get_enum (dec, status, "phase", pvc_phase_names, &phase);
  pvc->status.phase = phase;
  pvc->status.access_modes = access_modes_decode (dec, status, FALSE);
  if ((m = ks_decoder_member (status, "capacity")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "capacity");
      storage_decode (dec, m, &pvc->status.capacity);
      ks_decoder_pop (dec, mark);
    }
}

static void
pvc_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  KsPersistentVolumeClaim *pvc = KS_PERSISTENT_VOLUME_CLAIM (obj);
  JsonNode *spec = ks_decoder_member (node, "spec");
  JsonNode *m;
  gsize mark;

  mark = ks_decoder_push (dec, "spec");
  if (spec == NULL)
    ks_decoder_error (dec, node, "required field is missing");
  else if (ks_decoder_expect_object (dec, spec))
    {
      int vmode = KS_VOLUME_FILESYSTEM;
      guint errors = ks_decoder_n_errors (dec);
      pvc->access_modes = access_modes_decode (dec, spec, TRUE);
      if ((m = ks_decoder_member (spec, "selector")) != NULL)
        {
          gsize mark2 = ks_decoder_push (dec, "selector");
          pvc->selector = ks_label_selector_decode (dec, m);
          ks_decoder_pop (dec, mark2);
        }
      if ((m = ks_decoder_member (spec, "resources")) == NULL)
        {
          gsize mark2 = ks_decoder_push (dec, "resources");
          gsize mark3 = ks_decoder_push (dec, "requests");
          ks_decoder_error_field (dec, spec, "storage", "Required value");
          ks_decoder_pop (dec, mark3);
          ks_decoder_pop (dec, mark2);
        }
      else
        {
          gsize mark2 = ks_decoder_push (dec, "resources");
          if (ks_decoder_expect_object (dec, m))
            {
              JsonNode *r;
              if ((r = ks_decoder_member (m, "requests")) != NULL)
                {
                  gsize mark3 = ks_decoder_push (dec, "requests");
                  storage_decode (dec, r, &pvc->request);
                  ks_decoder_pop (dec, mark3);
                }
              if ((r = ks_decoder_member (m, "limits")) != NULL)
                {
                  gsize mark3 = ks_decoder_push (dec, "limits");
                  storage_decode (dec, r, &pvc->limit);
                  ks_decoder_pop (dec, mark3);
                }
              if ((pvc->request == 0 && ks_decoder_n_errors (dec) == errors)
                  || (pvc->limit > 0 && pvc->request > pvc->limit))
                {
                  gsize mark3 = ks_decoder_push (dec, "requests");
                  JsonNode *req = ks_decoder_member (m, "requests");
                  if (pvc->request == 0)
                    ks_decoder_error_field (dec, req != NULL ? req : m, "storage",
                                            "Required value");
                  else
                    ks_decoder_error_field (dec, req, "storage",
                                            "Invalid value: must be less than or equal to the "
                                            "storage limit");
                  ks_decoder_pop (dec, mark3);
                }
            }
          ks_decoder_pop (dec, mark2);
        }
      ks_decoder_get_string (dec, spec, "storageClassName", &pvc->storage_class_name);
      if (pvc->storage_class_name != NULL && pvc->storage_class_name[0] != '\0')
        {
          const char *bad = ks_validate_dns1123_subdomain (pvc->storage_class_name);
          if (bad != NULL)
            ks_decoder_error_field (dec, spec, "storageClassName", "Invalid value: \"%s\": %s",
                                    pvc->storage_class_name, bad);
        }
      ks_decoder_get_enum (dec, spec, "volumeMode", volume_mode_names, &vmode);
      pvc->volume_mode = vmode;
      ks_decoder_get_string (dec, spec, "volumeName", &pvc->volume_name);
      if (pvc->volume_name != NULL && pvc->volume_name[0] == '\0')
        g_clear_pointer (&pvc->volume_name, g_free);
    }
  ks_decoder_pop (dec, mark);
  if (dec->mode == KS_DECODE_STORED && (m = ks_decoder_member (node, "status")) != NULL)
    {
      mark = ks_decoder_push (dec, "status");
      pvc_status_decode (dec, m, pvc);
      ks_decoder_pop (dec, mark);
    }
}

static void
pvc_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  const KsPersistentVolumeClaim *pvc = KS_PERSISTENT_VOLUME_CLAIM (obj);

  json_builder_set_member_name (b, "spec");
  json_builder_begin_object (b);
  access_modes_encode (b, "accessModes", pvc->access_modes);
  if (pvc->selector != NULL)
    {
      json_builder_set_member_name (b, "selector");
      ks_label_selector_encode (pvc->selector, b);
    }
  json_builder_set_member_name (b, "resources");
  json_builder_begin_object (b);
  if (pvc->limit > 0)
    storage_encode (b, "limits", pvc->limit);
  storage_encode (b, "requests", pvc->request);
  json_builder_end_object (b);
  if (pvc->volume_name != NULL)
    ks_builder_add_string (b, "volumeName", pvc->volume_name);
  if (pvc->storage_class_name != NULL)
    ks_builder_add_string (b, "storageClassName", pvc->storage_class_name);
  ks_builder_add_string (b, "volumeMode", volume_mode_names[pvc->volume_mode]);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "status");
  json_builder_begin_object (b);
  ks_builder_add_string (b, "phase", pvc_phase_names[pvc->status.phase]);
  if (pvc->status.access_modes != 0)
    access_modes_encode (b, "accessModes", pvc->status.access_modes);
  if (pvc->status.capacity > 0)
    storage_encode (b, "capacity", pvc->status.capacity);
  json_builder_end_object (b);
}

static void
pvc_copy (KsObject *dst_obj, const KsObject *src_obj)
{
  KsPersistentVolumeClaim *dst = KS_PERSISTENT_VOLUME_CLAIM (dst_obj);
  const KsPersistentVolumeClaim *src = KS_PERSISTENT_VOLUME_CLAIM (src_obj);

  if (dst->selector != NULL)
    ks_label_selector_ref (dst->selector);
  dst->storage_class_name = g_strdup (src->storage_class_name);
  dst->volume_name = g_strdup (src->volume_name);
}

static void
pvc_copy_status (KsObject *dst_obj, const KsObject *src_obj)
{
  KS_PERSISTENT_VOLUME_CLAIM (dst_obj)->status = KS_PERSISTENT_VOLUME_CLAIM (src_obj)->status;
}

static void
pvc_finalize (KsObject *obj)
{
  KsPersistentVolumeClaim *pvc = KS_PERSISTENT_VOLUME_CLAIM (obj);

  if (pvc->selector != NULL)
    ks_label_selector_unref (pvc->selector);
  g_free (pvc->storage_class_name);
  g_free (pvc->volume_name);
}

const KsKind ks_persistent_volume_claim_kind = {
  .id = KS_KIND_PERSISTENT_VOLUME_CLAIM,
  .name = "PersistentVolumeClaim",
  .api_version = "v1",
  .group = "",
  .plural = "persistentvolumeclaims",
  .short_name = "pvc",
  .namespaced = TRUE,
  .size = sizeof (KsPersistentVolumeClaim),
  .decode = pvc_decode,
  .encode = pvc_encode,
  .copy = pvc_copy,
  .finalize = pvc_finalize,
  .copy_status = pvc_copy_status,
};

/* Matching */

/* FindMatchingVolume over the PVs whose access-mode set is exactly modes. */
static KsPersistentVolume *
find_in_set (GPtrArray *pvs, guint modes, const KsPersistentVolumeClaim *claim,
             const KsObject *node, gboolean delay_binding, GHashTable *excluded)
{
  const char *class = ks_pvc_class (claim);
  KsPersistentVolume *smallest = NULL;

  for (guint i = 0; i < pvs->len; i++)
    {
      KsPersistentVolume *pv = g_ptr_array_index (pvs, i);
      const KsObject *o = KS_OBJECT (pv);
      if (pv->access_modes != modes)
        continue;
      if (excluded != NULL && g_hash_table_contains (excluded, o->meta.name))
        continue;
      /* Bound to a different claim. */
      if (pv->has_claim_ref && !ks_pv_claim_ref_is (pv, claim))
        continue;
      if (pv->capacity < claim->request)
        continue;
      if (pv->volume_mode != claim->volume_mode)
        continue;
      if (ks_object_is_being_deleted (o))
        continue;
      if (pv->has_claim_ref)
        {
          /* Pre-bound to this claim: it, at once (the node must fit on the scheduler's path). */
          if (node != NULL && !ks_pv_matches_node (pv, node))
            return NULL;
          return pv;
        }
      if (node == NULL && delay_binding)
        continue;
      if (pv->status.phase != KS_PV_AVAILABLE)
        continue;
      if (claim->selector != NULL && !ks_label_selector_matches (claim->selector, o->meta.labels))
        continue;
      if (strcmp (ks_pv_class (pv), class) != 0)
        continue;
      if (node != NULL && !ks_pv_matches_node (pv, node))
        continue;
      if (smallest == NULL || pv->capacity < smallest->capacity)
        smallest = pv;
    }
  return smallest;
}

static int
popcount_cmp (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;
  int px = __builtin_popcount (x), py = __builtin_popcount (y);

  if (px != py)
    return px - py;
  return (int) x - (int) y;
}

KsPersistentVolume *
ks_pv_find_matching (GPtrArray *pvs, const KsPersistentVolumeClaim *claim, const KsObject *node,
                     gboolean delay_binding, GHashTable *excluded)
{
  guint sets[16];
  guint n = 0;

  /* The index's access-mode sets that contain every requested mode, fewest modes first
   * (findByClaim).  The order among sets of one size is made fixed here (by the bits). */
  for (guint modes = 1; modes < 16; modes++)
    {
      gboolean present = FALSE;
      if ((modes & claim->access_modes) != claim->access_modes)
        continue;
      for (guint i = 0; i < pvs->len && !present; i++)
        present = KS_PERSISTENT_VOLUME (g_ptr_array_index (pvs, i))->access_modes == modes;
      if (present)
        sets[n++] = modes;
    }
  qsort (sets, n, sizeof sets[0], popcount_cmp);
  for (guint i = 0; i < n; i++)
    {
      KsPersistentVolume *pv = find_in_set (pvs, sets[i], claim, node, delay_binding, excluded);
      if (pv != NULL)
        return pv;
    }
  return NULL;
}

gboolean
ks_pv_choose_for_node (GPtrArray *volumes, GPtrArray *delayed, GPtrArray *classes,
                       const KsObject *node, GPtrArray *chosen)
{
  g_autoptr (GHashTable) excluded = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < delayed->len; i++)
    {
      const KsPersistentVolumeClaim *pvc = g_ptr_array_index (delayed, i);
      KsPersistentVolume *pv = ks_pv_find_matching (volumes, pvc, node, FALSE, excluded);
      const KsStorageClass *sc = g_ptr_array_index (classes, i);
      if (pv != NULL)
        {
          g_hash_table_add (excluded, pv->parent.meta.name);
          if (chosen != NULL)
            g_ptr_array_add (chosen, pv);
          continue;
        }
      /* checkVolumeProvisions: the class must name a provisioner that provisions, for this
       * node. */
      if (sc == NULL || strcmp (sc->provisioner, KS_NO_PROVISIONER) == 0
          || !ks_storage_class_allows_node (sc, node))
        return FALSE;
      if (chosen != NULL)
        g_ptr_array_add (chosen, NULL);
    }
  return TRUE;
}

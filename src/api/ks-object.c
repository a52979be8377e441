/* ks-object.c: common object machinery: references, metadata codec, the kind registry, UIDs,
 * timestamps. */
#include "config.h"

#include <string.h>

#include "ks-kinds-private.h"
#include "ks-object.h"
#include "src/ks-clock.h"

/* The kinds, in the order `kubesim` lists them. */
static const KsKind *const kinds[KS_N_KINDS] = {
  [KS_KIND_NAMESPACE] = &ks_namespace_kind,
  [KS_KIND_NODE] = &ks_node_kind,
  [KS_KIND_PRIORITY_CLASS] = &ks_priority_class_kind,
  [KS_KIND_POD] = &ks_pod_kind,
  [KS_KIND_REPLICA_SET] = &ks_replica_set_kind,
  [KS_KIND_DEPLOYMENT] = &ks_deployment_kind,
  [KS_KIND_SERVICE] = &ks_service_kind,
  [KS_KIND_ENDPOINTS] = &ks_endpoints_kind,
  [KS_KIND_EVENT] = &ks_event_kind,
  [KS_KIND_LEASE] = &ks_lease_kind,
  [KS_KIND_POD_DISRUPTION_BUDGET] = &ks_pod_disruption_budget_kind,
  [KS_KIND_STATEFUL_SET] = &ks_stateful_set_kind,
  [KS_KIND_JOB] = &ks_job_kind,
  [KS_KIND_ENDPOINT_SLICE] = &ks_endpoint_slice_kind,
  [KS_KIND_STORAGE_CLASS] = &ks_storage_class_kind,
  [KS_KIND_PERSISTENT_VOLUME] = &ks_persistent_volume_kind,
  [KS_KIND_PERSISTENT_VOLUME_CLAIM] = &ks_persistent_volume_claim_kind,
  [KS_KIND_HORIZONTAL_POD_AUTOSCALER] = &ks_horizontal_pod_autoscaler_kind,
};

const KsKind *
ks_kind_get (KsKindId id)
{
  g_return_val_if_fail (id < KS_N_KINDS, NULL);
  return kinds[id];
}

const KsKind *
ks_kind_lookup (const char *api_version, const char *kind)
{
  for (guint i = 0; i < KS_N_KINDS; i++)
    if (strcmp (kinds[i]->name, kind) == 0
        && (api_version == NULL || strcmp (kinds[i]->api_version, api_version) == 0
            || g_strcmp0 (kinds[i]->other_api_version, api_version) == 0))
      return kinds[i];
  return NULL;
}

const KsKind *
ks_kind_lookup_resource (const char *resource)
{
  for (guint i = 0; i < KS_N_KINDS; i++)
    {
      g_autofree char *singular = g_ascii_strdown (kinds[i]->name, -1);
      if (g_ascii_strcasecmp (kinds[i]->plural, resource) == 0
          || g_ascii_strcasecmp (singular, resource) == 0
          || (kinds[i]->short_name != NULL
              && g_ascii_strcasecmp (kinds[i]->short_name, resource) == 0))
        return kinds[i];
    }
  return NULL;
}

const char *
ks_kind_list_known (void)
{
  static gsize once;
  static char *list;

  if (g_once_init_enter (&once))
    {
      GString *s = g_string_new (NULL);
      for (guint i = 0; i < KS_N_KINDS; i++)
        g_string_append_printf (s, "%s%s %s", i ? ", " : "", kinds[i]->api_version, kinds[i]->name);
      list = g_string_free (s, FALSE);
      g_once_init_leave (&once, 1);
    }
  return list;
}

const char *
ks_intern_reason (const char *reason)
{
  return reason != NULL ? ks_intern (reason) : NULL;
}

/* UIDs */

gboolean
ks_uid_is_set (const KsUid *uid)
{
  for (guint i = 0; i < 16; i++)
    if (uid->bytes[i] != 0)
      return TRUE;
  return FALSE;
}

gboolean
ks_uid_equal (const KsUid *a, const KsUid *b)
{
  return memcmp (a->bytes, b->bytes, 16) == 0;
}

int
ks_uid_compare (const KsUid *a, const KsUid *b)
{
  return memcmp (a->bytes, b->bytes, 16);
}

guint
ks_uid_hash (gconstpointer p)
{
  const KsUid *uid = p;
  guint h;
  memcpy (&h, uid->bytes + 12, sizeof h);
  return h;
}

gboolean
ks_uid_equal_func (gconstpointer a, gconstpointer b)
{
  return ks_uid_equal (a, b);
}

char *
ks_uid_to_string (const KsUid *uid, char buf[KS_UID_STRING_LEN])
{
  static const char hex[] = "0123456789abcdef";
  char *p = buf;

  for (guint i = 0; i < 16; i++)
    {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        *p++ = '-';
      *p++ = hex[uid->bytes[i] >> 4];
      *p++ = hex[uid->bytes[i] & 15];
    }
  *p = '\0';
  return buf;
}

gboolean
ks_uid_parse (const char *text, KsUid *out)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      int v;
      if (*p == '-')
        continue;
      v = g_ascii_xdigit_value (*p);
      if (v < 0 || n >= 32)
        return FALSE;
      if (n % 2 == 0)
        out->bytes[n / 2] = v << 4;
      else
        out->bytes[n / 2] |= v;
      n++;
    }
  return n == 32;
}

/* Owner references */

KsOwnerRefs *
ks_owner_refs_new (const KsOwnerRef *refs, guint n)
{
  KsOwnerRefs *r;

  if (n == 0)
    return NULL;
  r = g_malloc (sizeof (KsOwnerRefs) + n * sizeof (KsOwnerRef));
  r->ref_count = 1;
  r->n = n;
  for (guint i = 0; i < n; i++)
    {
      r->refs[i] = refs[i];
      r->refs[i].api_version = g_strdup (refs[i].api_version);
      r->refs[i].kind = g_strdup (refs[i].kind);
      r->refs[i].name = g_strdup (refs[i].name);
    }
  return r;
}

KsOwnerRefs *
ks_owner_refs_new_controller (const KsObject *owner)
{
  KsOwnerRef ref = {
    .api_version = (char *) owner->kind->api_version,
    .kind = (char *) owner->kind->name,
    .name = owner->meta.name,
    .uid = owner->meta.uid,
    .controller = TRUE,
    .block_owner_deletion = TRUE,
  };
  return ks_owner_refs_new (&ref, 1);
}

KsOwnerRefs *
ks_owner_refs_ref (KsOwnerRefs *refs)
{
  if (refs != NULL)
    refs->ref_count++;
  return refs;
}

void
ks_owner_refs_unref (KsOwnerRefs *refs)
{
  if (refs == NULL || --refs->ref_count > 0)
    return;
  for (guint i = 0; i < refs->n; i++)
    {
      g_free (refs->refs[i].api_version);
      g_free (refs->refs[i].kind);
      g_free (refs->refs[i].name);
    }
  g_free (refs);
}

const KsOwnerRef *
ks_owner_refs_get_controller (const KsOwnerRefs *refs)
{
  if (refs == NULL)
    return NULL;
  for (guint i = 0; i < refs->n; i++)
    if (refs->refs[i].controller)
      return &refs->refs[i];
  return NULL;
}

/* Object references */

void
ks_object_reference_clear (KsObjectReference *ref)
{
  g_free (ref->kind);
  g_free (ref->namespace);
  g_free (ref->name);
  g_free (ref->api_version);
  g_free (ref->resource_version);
  g_free (ref->field_path);
  memset (ref, 0, sizeof *ref);
}

void
ks_object_reference_copy (KsObjectReference *dst, const KsObjectReference *src)
{
  dst->kind = g_strdup (src->kind);
  dst->namespace = g_strdup (src->namespace);
  dst->name = g_strdup (src->name);
  dst->uid = src->uid;
  dst->api_version = g_strdup (src->api_version);
  dst->resource_version = g_strdup (src->resource_version);
  dst->field_path = g_strdup (src->field_path);
}

KsObjectReference *
ks_object_reference_dup (const KsObjectReference *src)
{
  KsObjectReference *dst;

  if (src == NULL)
    return NULL;
  dst = g_new0 (KsObjectReference, 1);
  ks_object_reference_copy (dst, src);
  return dst;
}

void
ks_object_reference_free (KsObjectReference *ref)
{
  if (ref == NULL)
    return;
  ks_object_reference_clear (ref);
  g_free (ref);
}

void
ks_object_reference_set (KsObjectReference *ref, const KsObject *obj)
{
  ks_object_reference_clear (ref);
  ref->kind = g_strdup (obj->kind->name);
  ref->namespace = g_strdup (obj->meta.namespace);
  ref->name = g_strdup (obj->meta.name);
  ref->uid = obj->meta.uid;
  ref->api_version = g_strdup (obj->kind->api_version);
  if (obj->meta.resource_version != 0)
    ref->resource_version = g_strdup_printf ("%" G_GUINT64_FORMAT, obj->meta.resource_version);
}

gboolean
ks_object_reference_decode (KsDecoder *dec, JsonNode *node, KsObjectReference *ref)
{
  g_autofree char *uid = NULL;
  guint errors = ks_decoder_n_errors (dec);

  memset (ref, 0, sizeof *ref);
  if (!ks_decoder_expect_object (dec, node))
    return FALSE;
  ks_decoder_get_string (dec, node, "kind", &ref->kind);
  ks_decoder_get_string (dec, node, "namespace", &ref->namespace);
  ks_decoder_get_string (dec, node, "name", &ref->name);
  ks_decoder_get_string (dec, node, "uid", &uid);
  ks_decoder_get_string (dec, node, "apiVersion", &ref->api_version);
  ks_decoder_get_string (dec, node, "resourceVersion", &ref->resource_version);
  ks_decoder_get_string (dec, node, "fieldPath", &ref->field_path);
  if (uid != NULL && uid[0] != '\0' && !ks_uid_parse (uid, &ref->uid))
    ks_decoder_error_field (dec, node, "uid", "invalid uid \"%s\": expected a UUID", uid);
  if (ks_decoder_n_errors (dec) != errors)
    {
      ks_object_reference_clear (ref);
      return FALSE;
    }
  return TRUE;
}

void
ks_object_reference_encode (const KsObjectReference *ref, JsonBuilder *b)
{
  /* v1.ObjectReference's field order. */
  json_builder_begin_object (b);
  if (ref->kind != NULL)
    ks_builder_add_string (b, "kind", ref->kind);
  if (ref->namespace != NULL)
    ks_builder_add_string (b, "namespace", ref->namespace);
  if (ref->name != NULL)
    ks_builder_add_string (b, "name", ref->name);
  if (ks_uid_is_set (&ref->uid))
    {
      char buf[KS_UID_STRING_LEN];
      ks_builder_add_string (b, "uid", ks_uid_to_string (&ref->uid, buf));
    }
  if (ref->api_version != NULL)
    ks_builder_add_string (b, "apiVersion", ref->api_version);
  if (ref->resource_version != NULL)
    ks_builder_add_string (b, "resourceVersion", ref->resource_version);
  if (ref->field_path != NULL)
    ks_builder_add_string (b, "fieldPath", ref->field_path);
  json_builder_end_object (b);
}

/* Objects */

KsObject *
ks_object_new (const KsKind *kind)
{
  KsObject *obj = g_malloc0 (kind->size);

  obj->kind = kind;
  obj->ref_count = 1;
  obj->meta.creation_timestamp = KS_TIME_NONE;
  obj->meta.deletion_timestamp = KS_TIME_NONE;
  obj->meta.deletion_grace_period_seconds = -1;
  return obj;
}

KsObject *
ks_object_ref (KsObject *obj)
{
  g_return_val_if_fail (obj != NULL, NULL);
  obj->ref_count++;
  return obj;
}

void
ks_object_unref (KsObject *obj)
{
  if (obj == NULL || --obj->ref_count > 0)
    return;
  if (obj->kind->finalize != NULL)
    obj->kind->finalize (obj);
  g_free (obj->meta.name);
  ks_str_map_unref (obj->meta.labels);
  ks_str_map_unref (obj->meta.annotations);
  ks_owner_refs_unref (obj->meta.owner_refs);
  if (obj->meta.finalizers != NULL)
    g_strfreev (obj->meta.finalizers);
  g_free (obj);
}

gboolean
ks_object_has_finalizer (const KsObject *obj, const char *name)
{
  return obj->meta.finalizers != NULL
         && g_strv_contains ((const char *const *) obj->meta.finalizers, name);
}

void
ks_object_add_finalizer (KsObject *obj, const char *name)
{
  guint n = obj->meta.finalizers != NULL ? g_strv_length (obj->meta.finalizers) : 0;

  if (ks_object_has_finalizer (obj, name))
    return;
  obj->meta.finalizers = g_renew (char *, obj->meta.finalizers, n + 2);
  obj->meta.finalizers[n] = g_strdup (name);
  obj->meta.finalizers[n + 1] = NULL;
}

void
ks_object_remove_finalizer (KsObject *obj, const char *name)
{
  guint j = 0;

  if (obj->meta.finalizers == NULL)
    return;
  for (guint i = 0; obj->meta.finalizers[i] != NULL; i++)
    {
      if (strcmp (obj->meta.finalizers[i], name) == 0)
        g_free (obj->meta.finalizers[i]);
      else
        obj->meta.finalizers[j++] = obj->meta.finalizers[i];
    }
  obj->meta.finalizers[j] = NULL;
  if (j == 0)
    g_clear_pointer (&obj->meta.finalizers, g_strfreev);
}

KsObject *
ks_object_copy (const KsObject *src)
{
  KsObject *dst = g_malloc (src->kind->size);

  memcpy (dst, src, src->kind->size);
  dst->ref_count = 1;
  dst->meta.name = g_strdup (src->meta.name);
  ks_str_map_ref (dst->meta.labels);
  ks_str_map_ref (dst->meta.annotations);
  ks_owner_refs_ref (dst->meta.owner_refs);
  if (src->meta.finalizers != NULL)
    dst->meta.finalizers = g_strdupv (src->meta.finalizers);
  if (src->kind->copy != NULL)
    src->kind->copy (dst, src);
  return dst;
}

void
ks_object_append_key (const KsObject *obj, GString *out)
{
  if (obj->meta.namespace != NULL)
    {
      g_string_append (out, obj->meta.namespace);
      g_string_append_c (out, '/');
    }
  g_string_append (out, obj->meta.name != NULL ? obj->meta.name : "");
}

void
ks_object_swap_contents (KsObject *a, KsObject *b)
{
  const gsize header = G_STRUCT_OFFSET (KsObject, meta);
  gsize size = a->kind->size - header;
  g_autofree guint8 *tmp = NULL;

  g_return_if_fail (a->kind == b->kind);
  tmp = g_malloc (size);
  memcpy (tmp, (guint8 *) a + header, size);
  memcpy ((guint8 *) a + header, (guint8 *) b + header, size);
  memcpy ((guint8 *) b + header, tmp, size);
}

char *
ks_object_key (const KsObject *obj)
{
  GString *s = g_string_new (NULL);
  ks_object_append_key (obj, s);
  return g_string_free (s, FALSE);
}

const char *
ks_object_get_annotation (const KsObject *obj, const char *key)
{
  return ks_str_map_lookup (obj->meta.annotations, key);
}

const char *
ks_object_get_label (const KsObject *obj, const char *key)
{
  return ks_str_map_lookup (obj->meta.labels, key);
}

void
ks_object_set_labels (KsObject *obj, KsStrMap *labels)
{
  KsStrMap *old = obj->meta.labels;
  obj->meta.labels = ks_str_map_ref (labels);
  ks_str_map_unref (old);
}

void
ks_object_set_annotations (KsObject *obj, KsStrMap *annotations)
{
  KsStrMap *old = obj->meta.annotations;
  obj->meta.annotations = ks_str_map_ref (annotations);
  ks_str_map_unref (old);
}

void
ks_object_set_annotation (KsObject *obj, const char *key, const char *value)
{
  KsStrMap *old = obj->meta.annotations;
  obj->meta.annotations = ks_str_map_with (old, key, value);
  ks_str_map_unref (old);
}

void
ks_object_set_owner_refs (KsObject *obj, KsOwnerRefs *refs)
{
  KsOwnerRefs *old = obj->meta.owner_refs;
  obj->meta.owner_refs = ks_owner_refs_ref (refs);
  ks_owner_refs_unref (old);
}

gboolean
ks_object_is_being_deleted (const KsObject *obj)
{
  return obj->meta.deletion_timestamp != KS_TIME_NONE;
}

const KsOwnerRef *
ks_object_get_controller_ref (const KsObject *obj)
{
  return ks_owner_refs_get_controller (obj->meta.owner_refs);
}

/* Metadata codec */

static void
validate_map_keys (KsDecoder *dec, JsonNode *meta, const char *field, KsStrMap *map,
                   gboolean values)
{
  JsonNode *m = ks_decoder_member (meta, field);
  gsize mark = ks_decoder_push (dec, field);

  for (guint i = 0; i < ks_str_map_size (map); i++)
    {
      const char *k = ks_str_map_key (map, i), *v = ks_str_map_value (map, i);
      const char *why = ks_validate_label_key (k);
      if (why != NULL)
        ks_decoder_error_field (dec, m, k, "invalid key \"%s\": %s", k, why);
      else if (values && (why = ks_validate_label_value (v)) != NULL)
        ks_decoder_error_field (dec, m, k, "invalid label value \"%s\": %s", v, why);
    }
  ks_decoder_pop (dec, mark);
}

static void
owner_refs_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  JsonArray *array;
  guint n;
  g_autofree KsOwnerRef *refs = NULL;
  guint count = 0;

  if (!ks_decoder_expect_array (dec, node))
    return;
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  refs = g_new0 (KsOwnerRef, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      KsOwnerRef *r = &refs[count];
      g_autofree char *uid = NULL;
      gsize mark = ks_decoder_push_index (dec, i);
      guint errors = ks_decoder_n_errors (dec);

      if (ks_decoder_expect_object (dec, item))
        {
          static const char *const required[] = { "apiVersion", "kind", "name", "uid" };
          for (guint j = 0; j < G_N_ELEMENTS (required); j++)
            if (ks_decoder_member (item, required[j]) == NULL)
              ks_decoder_error_field (dec, item, required[j], "required field is missing");
          ks_decoder_get_string (dec, item, "apiVersion", &r->api_version);
          ks_decoder_get_string (dec, item, "kind", &r->kind);
          ks_decoder_get_string (dec, item, "name", &r->name);
          ks_decoder_get_string (dec, item, "uid", &uid);
          ks_decoder_get_bool (dec, item, "controller", &r->controller);
          ks_decoder_get_bool (dec, item, "blockOwnerDeletion", &r->block_owner_deletion);
          if (uid != NULL && !ks_uid_parse (uid, &r->uid))
            ks_decoder_error_field (dec, item, "uid", "invalid uid \"%s\": expected a UUID", uid);
        }
      if (ks_decoder_n_errors (dec) == errors)
        count++;
      ks_decoder_pop (dec, mark);
    }
  obj->meta.owner_refs = ks_owner_refs_new (refs, count);
  for (guint i = 0; i < n; i++)
    {
      g_free (refs[i].api_version);
      g_free (refs[i].kind);
      g_free (refs[i].name);
    }
}

void
ks_object_meta_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  JsonNode *meta = ks_decoder_member (node, "metadata");
  g_autofree char *ns = NULL;
  g_autofree char *rv = NULL;
  JsonNode *m;
  gsize mark;

  if (meta == NULL)
    {
      ks_decoder_error_field (dec, node, "metadata", "required field is missing (metadata.name)");
      return;
    }
  mark = ks_decoder_push (dec, "metadata");
  if (!ks_decoder_expect_object (dec, meta))
    {
      ks_decoder_pop (dec, mark);
      return;
    }
  ks_decoder_get_string (dec, meta, "name", &obj->meta.name);
  {
    g_autofree char *generate_name = NULL;
    ks_decoder_get_string (dec, meta, "generateName", &generate_name);
    if (generate_name != NULL)
      obj->meta.generate_name = ks_intern (generate_name);
  }
  ks_decoder_get_string (dec, meta, "namespace", &ns);
  ks_decoder_get_string (dec, meta, "resourceVersion", &rv);
  if (dec->mode == KS_DECODE_STORED)
    {
      g_autofree char *uid = NULL;
      if (ks_decoder_get_string (dec, meta, "uid", &uid) && uid != NULL
          && !ks_uid_parse (uid, &obj->meta.uid))
        ks_decoder_error_field (dec, meta, "uid", "invalid uid \"%s\": expected a UUID", uid);
      ks_decoder_get_time (dec, meta, "creationTimestamp", &obj->meta.creation_timestamp);
      ks_decoder_get_time (dec, meta, "deletionTimestamp", &obj->meta.deletion_timestamp);
      ks_decoder_get_int64 (dec, meta, "deletionGracePeriodSeconds",
                            &obj->meta.deletion_grace_period_seconds);
    }
  ks_decoder_get_int64 (dec, meta, "generation", &obj->meta.generation);
  if (ks_decoder_get_str_map (dec, meta, "labels", &obj->meta.labels))
    validate_map_keys (dec, meta, "labels", obj->meta.labels, TRUE);
  if (ks_decoder_get_str_map (dec, meta, "annotations", &obj->meta.annotations))
    validate_map_keys (dec, meta, "annotations", obj->meta.annotations, FALSE);
  if ((m = ks_decoder_member (meta, "ownerReferences")) != NULL)
    {
      gsize mark2 = ks_decoder_push (dec, "ownerReferences");
      owner_refs_decode (dec, m, obj);
      ks_decoder_pop (dec, mark2);
    }
  if (ks_decoder_get_strv (dec, meta, "finalizers", &obj->meta.finalizers)
      && obj->meta.finalizers != NULL && obj->meta.finalizers[0] == NULL)
    g_clear_pointer (&obj->meta.finalizers, g_strfreev);
  if (rv != NULL && rv[0] != '\0')
    {
      char *end;
      obj->meta.resource_version = g_ascii_strtoull (rv, &end, 10);
      if (*end != '\0')
        ks_decoder_error_field (dec, meta, "resourceVersion",
                                "invalid resourceVersion \"%s\": expected a number as returned "
                                "by the API",
                                rv);
    }
  if (obj->meta.name == NULL && obj->meta.generate_name == NULL
      && ks_decoder_member (meta, "name") == NULL
      && ks_decoder_member (meta, "generateName") == NULL)
    ks_decoder_error_field (dec, meta, "name", "required field is missing");
  else if (obj->meta.name != NULL)
    {
      const char *why = obj->kind->id == KS_KIND_NAMESPACE
                            ? ks_validate_dns1123_label (obj->meta.name)
                            : ks_validate_dns1123_subdomain (obj->meta.name);
      if (why != NULL)
        ks_decoder_error_field (dec, meta, "name", "invalid name \"%s\": %s", obj->meta.name, why);
    }
  if (ns != NULL && obj->kind->namespaced)
    {
      const char *why = ks_validate_dns1123_label (ns);
      if (why != NULL)
        ks_decoder_error_field (dec, meta, "namespace", "invalid namespace \"%s\": %s", ns, why);
      obj->meta.namespace = ks_intern (ns);
    }
  ks_decoder_pop (dec, mark);
}

KsObject *
ks_object_decode (KsDecoder *dec, JsonNode *node, const char *default_namespace)
{
  g_autofree char *api_version = NULL;
  g_autofree char *kind_name = NULL;
  g_autoptr (KsObject) obj = NULL;
  const KsKind *kind;
  guint errors = ks_decoder_n_errors (dec);

  if (!ks_decoder_expect_object (dec, node))
    return NULL;
  ks_decoder_get_string (dec, node, "apiVersion", &api_version);
  ks_decoder_get_string (dec, node, "kind", &kind_name);
  if (kind_name == NULL)
    {
      if (ks_decoder_member (node, "kind") == NULL)
        ks_decoder_error_field (dec, node, "kind", "required field is missing (one of: %s)",
                                ks_kind_list_known ());
      return NULL;
    }
  if (api_version == NULL)
    {
      if (ks_decoder_member (node, "apiVersion") == NULL)
        ks_decoder_error_field (dec, node, "apiVersion", "required field is missing");
      return NULL;
    }
  kind = ks_kind_lookup (api_version, kind_name);
  if (kind == NULL)
    {
      const KsKind *other = ks_kind_lookup (NULL, kind_name);
      if (other != NULL)
        ks_decoder_error_field (dec, node, "apiVersion",
                                "no kind \"%s\" in apiVersion \"%s\": use apiVersion \"%s\"",
                                kind_name, api_version, other->api_version);
      else
        ks_decoder_error_field (dec, node, "kind",
                                "unknown kind \"%s\" (apiVersion \"%s\"); kubesim knows: %s",
                                kind_name, api_version, ks_kind_list_known ());
      return NULL;
    }
  obj = ks_object_new (kind);
  ks_object_meta_decode (dec, node, obj);
  if (kind->namespaced && obj->meta.namespace == NULL && default_namespace != NULL)
    obj->meta.namespace = ks_intern (default_namespace);
  kind->decode (dec, node, obj);
  if (ks_decoder_n_errors (dec) != errors)
    return NULL;
  return g_steal_pointer (&obj);
}

/* Encoding */

/* Unix seconds and the µs within the second (floored, so negative times work), or FALSE for
 * KS_TIME_NONE and times GDateTime cannot hold. */
static GDateTime *
time_split (gint64 t, gint64 epoch, gint64 *usec_part)
{
  gint64 usec, secs;

  if (t == KS_TIME_NONE)
    return NULL;
  usec = epoch + t;
  secs = usec >= 0 ? usec / KS_USEC_PER_SEC : -((-usec + KS_USEC_PER_SEC - 1) / KS_USEC_PER_SEC);
  *usec_part = usec - secs * KS_USEC_PER_SEC;
  return g_date_time_new_from_unix_utc (secs);
}

char *
ks_time_format_rfc3339 (gint64 t, gint64 epoch)
{
  gint64 usec;
  g_autoptr (GDateTime) dt = time_split (t, epoch, &usec);

  if (dt == NULL)
    return g_strdup ("0001-01-01T00:00:00Z");
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

char *
ks_time_format_rfc3339_micro (gint64 t, gint64 epoch)
{
  gint64 usec = 0;
  g_autoptr (GDateTime) dt = time_split (t, epoch, &usec);
  g_autofree char *secs = NULL;

  if (dt == NULL)
    return g_strdup ("0001-01-01T00:00:00.000000Z");
  secs = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%06" G_GINT64_FORMAT "Z", secs, usec);
}

void
ks_builder_add_time (JsonBuilder *b, const char *member, gint64 t, gint64 epoch)
{
  g_autofree char *s = ks_time_format_rfc3339 (t, epoch);
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, s);
}

void
ks_builder_add_micro_time (JsonBuilder *b, const char *member, gint64 t, gint64 epoch)
{
  g_autofree char *s = ks_time_format_rfc3339_micro (t, epoch);
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, s);
}

void
ks_builder_add_string (JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, value);
}

void
ks_builder_add_int (JsonBuilder *b, const char *member, gint64 value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_int_value (b, value);
}

void
ks_builder_add_bool (JsonBuilder *b, const char *member, gboolean value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_boolean_value (b, value);
}

void
ks_builder_add_str_map (JsonBuilder *b, const char *member, const KsStrMap *map)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  for (guint i = 0; i < ks_str_map_size (map); i++)
    {
      json_builder_set_member_name (b, ks_str_map_key (map, i));
      json_builder_add_string_value (b, ks_str_map_value (map, i));
    }
  json_builder_end_object (b);
}

static void
meta_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  const KsObjectMeta *m = &obj->meta;

  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  if (m->name != NULL)
    ks_builder_add_string (b, "name", m->name);
  if (m->generate_name != NULL)
    ks_builder_add_string (b, "generateName", m->generate_name);
  if (m->namespace != NULL)
    ks_builder_add_string (b, "namespace", m->namespace);
  if (ks_uid_is_set (&m->uid))
    {
      char buf[KS_UID_STRING_LEN];
      ks_builder_add_string (b, "uid", ks_uid_to_string (&m->uid, buf));
    }
  if (m->resource_version != 0)
    {
      char buf[24];
      g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, m->resource_version);
      ks_builder_add_string (b, "resourceVersion", buf);
    }
  if (m->generation != 0)
    ks_builder_add_int (b, "generation", m->generation);
  if (m->creation_timestamp != KS_TIME_NONE)
    ks_builder_add_time (b, "creationTimestamp", m->creation_timestamp, epoch);
  if (m->deletion_timestamp != KS_TIME_NONE)
    ks_builder_add_time (b, "deletionTimestamp", m->deletion_timestamp, epoch);
  if (m->deletion_grace_period_seconds >= 0)
    ks_builder_add_int (b, "deletionGracePeriodSeconds", m->deletion_grace_period_seconds);
  if (ks_str_map_size (m->labels) > 0)
    ks_builder_add_str_map (b, "labels", m->labels);
  if (ks_str_map_size (m->annotations) > 0)
    ks_builder_add_str_map (b, "annotations", m->annotations);
  if (m->owner_refs != NULL)
    {
      json_builder_set_member_name (b, "ownerReferences");
      json_builder_begin_array (b);
      for (guint i = 0; i < m->owner_refs->n; i++)
        {
          const KsOwnerRef *r = &m->owner_refs->refs[i];
          char buf[KS_UID_STRING_LEN];
          json_builder_begin_object (b);
          ks_builder_add_string (b, "apiVersion", r->api_version);
          ks_builder_add_string (b, "kind", r->kind);
          ks_builder_add_string (b, "name", r->name);
          ks_builder_add_string (b, "uid", ks_uid_to_string (&r->uid, buf));
          if (r->controller)
            ks_builder_add_bool (b, "controller", TRUE);
          if (r->block_owner_deletion)
            ks_builder_add_bool (b, "blockOwnerDeletion", TRUE);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  if (m->finalizers != NULL)
    {
      json_builder_set_member_name (b, "finalizers");
      json_builder_begin_array (b);
      for (guint i = 0; m->finalizers[i] != NULL; i++)
        json_builder_add_string_value (b, m->finalizers[i]);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

JsonNode *
ks_object_encode (const KsObject *obj, gint64 epoch)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  ks_builder_add_string (b, "apiVersion", obj->kind->api_version);
  ks_builder_add_string (b, "kind", obj->kind->name);
  meta_encode (obj, b, epoch);
  obj->kind->encode (obj, b, epoch);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
ks_object_to_json (const KsObject *obj, gint64 epoch)
{
  g_autoptr (JsonNode) node = ks_object_encode (obj, epoch);
  return json_to_string (node, FALSE);
}

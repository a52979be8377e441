/* ks-object.h: the common part of every API object (kind, metadata, reference count) and the
 * table of kinds kubesim knows.
 *
 * Objects are reference-counted and, once in a store, immutable: to change one, take a copy
 * (ks_object_copy), change the copy and hand it to the client's update.  Each kind's struct
 * starts with a KsObject, so a KsPod * can be used as a KsObject * (KS_OBJECT). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ks-decode.h"
#include "ks-strmap.h"
#include "src/ks-intern.h"

G_BEGIN_DECLS

typedef enum
{
  KS_KIND_NAMESPACE,
  KS_KIND_NODE,
  KS_KIND_PRIORITY_CLASS,
  KS_KIND_POD,
  KS_KIND_REPLICA_SET,
  KS_KIND_DEPLOYMENT,
  KS_KIND_SERVICE,
  KS_KIND_ENDPOINTS,
  KS_KIND_EVENT,
  KS_KIND_LEASE,
  KS_KIND_POD_DISRUPTION_BUDGET,
  KS_KIND_STATEFUL_SET,
  KS_KIND_JOB,
  KS_KIND_ENDPOINT_SLICE,
  KS_KIND_STORAGE_CLASS,
  KS_KIND_PERSISTENT_VOLUME,
  KS_KIND_PERSISTENT_VOLUME_CLAIM,
  KS_KIND_HORIZONTAL_POD_AUTOSCALER,
  KS_N_KINDS
} KsKindId;

typedef struct _KsKind KsKind;
typedef struct _KsObject KsObject;

#define KS_OBJECT(o) ((KsObject *) (o))

/* A 128-bit UID, printed as a version-4 UUID.  Byte order equals the order of the printed
 * strings, so memcmp sorts UIDs the way Kubernetes compares them as strings. */
typedef struct
{
  guint8 bytes[16];
} KsUid;

#define KS_UID_STRING_LEN 37
gboolean ks_uid_is_set (const KsUid *uid);
gboolean ks_uid_equal (const KsUid *a, const KsUid *b);
int ks_uid_compare (const KsUid *a, const KsUid *b);
/* Writes 36 characters and a NUL into buf. */
char *ks_uid_to_string (const KsUid *uid, char buf[KS_UID_STRING_LEN]);
gboolean ks_uid_parse (const char *text, KsUid *out);
guint ks_uid_hash (gconstpointer uid);
gboolean ks_uid_equal_func (gconstpointer a, gconstpointer b);

/* metav1.OwnerReference. */
typedef struct
{
  char *api_version;
  char *kind;
  char *name;
  KsUid uid;
  gboolean controller;
  gboolean block_owner_deletion;
} KsOwnerRef;

/* An immutable, shared list of owner references (all pods of a ReplicaSet share one). */
typedef struct
{
  gint ref_count;
  guint n;
  KsOwnerRef refs[];
} KsOwnerRefs;

KsOwnerRefs *ks_owner_refs_new (const KsOwnerRef *refs, guint n);
/* One reference to owner with controller=true and blockOwnerDeletion=true, as controllers
 * create it. */
KsOwnerRefs *ks_owner_refs_new_controller (const KsObject *owner);
KsOwnerRefs *ks_owner_refs_ref (KsOwnerRefs *refs);
void ks_owner_refs_unref (KsOwnerRefs *refs);
/* The reference with controller=true, or NULL. */
const KsOwnerRef *ks_owner_refs_get_controller (const KsOwnerRefs *refs);

/* v1.ObjectReference (an Event's involvedObject, an endpoint address's targetRef).  Strings are
 * owned and NULL when unset; uid unset when all zero. */
typedef struct
{
  char *kind;
  char *namespace;
  char *name;
  KsUid uid;
  char *api_version;
  char *resource_version;
  char *field_path;
} KsObjectReference;

void ks_object_reference_clear (KsObjectReference *ref);
void ks_object_reference_copy (KsObjectReference *dst, const KsObjectReference *src);
/* An optional reference (an endpoint's targetRef): a new copy of src, or NULL when src is NULL;
 * freed (NULL allowed) with ks_object_reference_free. */
KsObjectReference *ks_object_reference_dup (const KsObjectReference *src);
void ks_object_reference_free (KsObjectReference *ref);
/* Point ref (cleared first) at obj: kind, namespace, name, uid, apiVersion, resourceVersion. */
void ks_object_reference_set (KsObjectReference *ref, const KsObject *obj);
/* Decode the mapping node into ref (zeroed); FALSE after reporting problems. */
gboolean ks_object_reference_decode (KsDecoder *dec, JsonNode *node, KsObjectReference *ref);
/* Add ref as a JSON object value (after json_builder_set_member_name). */
void ks_object_reference_encode (const KsObjectReference *ref, JsonBuilder *b);

typedef struct
{
  char *name;
  const char *namespace;     /* interned; NULL for cluster-scoped kinds */
  const char *generate_name; /* interned */
  KsUid uid;
  guint64 resource_version;
  gint64 generation;
  gint64 creation_timestamp;            /* µs of cluster time; KS_TIME_NONE before creation */
  gint64 deletion_timestamp;            /* KS_TIME_NONE when not being deleted */
  gint64 deletion_grace_period_seconds; /* -1 when unset */
  KsStrMap *labels;
  KsStrMap *annotations;
  KsOwnerRefs *owner_refs;
  /* metadata.finalizers: NULL-terminated, NULL when none.  An object with finalizers is not
   * removed by a delete: it gets a deletionTimestamp and goes when an update removes the last
   * one (the store does it). */
  char **finalizers;
} KsObjectMeta;

struct _KsObject
{
  const KsKind *kind;
  gint ref_count;
  KsObjectMeta meta;
};

struct _KsKind
{
  KsKindId id;
  const char *name;        /* "Deployment" */
  const char *api_version; /* "apps/v1" */
  /* An older version whose manifests the kind's decode also reads, converting them (the
   * autoscaling/v1 HorizontalPodAutoscaler), or NULL. */
  const char *other_api_version;
  const char *group;      /* "apps", "" for the core group */
  const char *plural;     /* "deployments" */
  const char *short_name; /* "deploy", or NULL */
  gboolean namespaced;
  gboolean has_generation; /* spec changes bump metadata.generation */
  gsize size;              /* sizeof the kind's struct */
  /* Decode the kind-specific fields of node (metadata is already in obj).  Report problems
   * through dec; the caller drops obj when any was reported. */
  void (*decode) (KsDecoder *dec, JsonNode *node, KsObject *obj);
  /* Add the kind-specific members (spec, status, ...) to an open JSON object. */
  void (*encode) (const KsObject *obj, JsonBuilder *builder, gint64 epoch);
  /* Copy the kind-specific fields of src into dst (dst's struct is a memcpy of src: take new
   * references and duplicate owned memory). */
  void (*copy) (KsObject *dst, const KsObject *src);
  /* Free the kind-specific fields. */
  void (*finalize) (KsObject *obj);
  /* TRUE when the spec of a and b differ (drives metadata.generation); NULL: never. */
  gboolean (*spec_changed) (const KsObject *a, const KsObject *b);
  /* Replace the status of dst (a modifiable object) with a copy of src's: the API server's
   * update strategies (an update of the object keeps its status, a status update keeps the
   * rest).  NULL: the kind has no status subresource. */
  void (*copy_status) (KsObject *dst, const KsObject *src);
  /* The kind's PrepareForCreate once the store has given obj (modifiable) its UID, e.g. the Job
   * selector generated from it.  NULL: nothing to do. */
  void (*prepare_for_create) (KsObject *obj);
};

/* The kinds, by id, by name (apiVersion may be NULL to match any), by plural or short name
 * ("pods", "po", "deployments", "deploy", case-insensitive; for the CLI). */
const KsKind *ks_kind_get (KsKindId id);
const KsKind *ks_kind_lookup (const char *api_version, const char *kind);
const KsKind *ks_kind_lookup_resource (const char *resource);
/* "v1 Pod, apps/v1 Deployment, ..." for error messages.  Static. */
const char *ks_kind_list_known (void);

/* A new object of kind with ref_count 1 and empty metadata (namespace NULL). */
KsObject *ks_object_new (const KsKind *kind);
KsObject *ks_object_ref (KsObject *obj);
void ks_object_unref (KsObject *obj);
/* A modifiable copy (ref_count 1) sharing immutable parts with obj. */
KsObject *ks_object_copy (const KsObject *obj);

/* Exchange everything but the kind and reference count of two modifiable objects of one kind
 * (metadata and the kind's fields): a, which others may hold, takes b's contents. */
void ks_object_swap_contents (KsObject *a, KsObject *b);

/* "namespace/name" or "name" for cluster-scoped objects.  Newly allocated. */
char *ks_object_key (const KsObject *obj);
/* Write "namespace/name" (or "name") into a GString. */
void ks_object_append_key (const KsObject *obj, GString *out);

const char *ks_object_get_annotation (const KsObject *obj, const char *key);
const char *ks_object_get_label (const KsObject *obj, const char *key);
void ks_object_set_labels (KsObject *obj, KsStrMap *labels);           /* takes a new ref */
void ks_object_set_annotations (KsObject *obj, KsStrMap *annotations); /* takes a new ref */
void ks_object_set_annotation (KsObject *obj, const char *key, const char *value);
void ks_object_set_owner_refs (KsObject *obj, KsOwnerRefs *refs); /* takes a new ref */
gboolean ks_object_is_being_deleted (const KsObject *obj);
/* Finalizers of a modifiable object: whether it has name, and adding (once) or removing it. */
gboolean ks_object_has_finalizer (const KsObject *obj, const char *name);
void ks_object_add_finalizer (KsObject *obj, const char *name);
void ks_object_remove_finalizer (KsObject *obj, const char *name);
/* The controller owner reference, or NULL. */
const KsOwnerRef *ks_object_get_controller_ref (const KsObject *obj);

/* Decode one document (mapping with apiVersion, kind, metadata, ...).  Returns NULL after
 * reporting every problem to dec.  default_namespace is used for namespaced kinds without
 * metadata.namespace (NULL: leave unset).
 *
 * dec->mode says what the document is.  A manifest (KS_DECODE_MANIFEST) gets what the API server
 * reads on create: server-set metadata and status are ignored.  A stored object
 * (KS_DECODE_STORED: what the API returns or a store backend saved) is read whole, times
 * converted with dec->epoch, so that ks_object_encode of the result, with that epoch, gives the
 * same JSON; a stored pod's spec counts as admitted (KsPodSpec.admitted), so the store's
 * admission leaves it as it is.  API servers decode request bodies for create as manifests. */
KsObject *ks_object_decode (KsDecoder *dec, JsonNode *node, const char *default_namespace);

/* Encode to a JSON tree in Kubernetes' schema; timestamps are printed as RFC 3339 times,
 * epoch being the Unix time in µs of cluster time 0. */
JsonNode *ks_object_encode (const KsObject *obj, gint64 epoch);
/* Compact JSON text.  Newly allocated. */
char *ks_object_to_json (const KsObject *obj, gint64 epoch);

/* Helpers for kinds' codecs. */
void ks_object_meta_decode (KsDecoder *dec, JsonNode *node, KsObject *obj);
/* RFC 3339 with second precision ("2025-01-01T00:00:05Z"), as metav1.Time; KS_TIME_NONE gives
 * Go's zero time "0001-01-01T00:00:00Z". */
char *ks_time_format_rfc3339 (gint64 t, gint64 epoch);
/* RFC 3339 with 6 fractional digits ("2025-01-01T00:00:05.250000Z"), as metav1.MicroTime. */
char *ks_time_format_rfc3339_micro (gint64 t, gint64 epoch);
void ks_builder_add_time (JsonBuilder *b, const char *member, gint64 t, gint64 epoch);
void ks_builder_add_micro_time (JsonBuilder *b, const char *member, gint64 t, gint64 epoch);
void ks_builder_add_string (JsonBuilder *b, const char *member, const char *value);
void ks_builder_add_int (JsonBuilder *b, const char *member, gint64 value);
void ks_builder_add_bool (JsonBuilder *b, const char *member, gboolean value);
void ks_builder_add_str_map (JsonBuilder *b, const char *member, const KsStrMap *map);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsObject, ks_object_unref)

/* g_autoptr support for a kind's struct type (KsPod, KsNode, ...). */
#define KS_DEFINE_OBJECT_AUTOPTR(Type, prefix)                                                     \
  static inline void prefix##_unref (Type *obj) { ks_object_unref ((KsObject *) obj); }            \
  G_DEFINE_AUTOPTR_CLEANUP_FUNC (Type, prefix##_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsOwnerRefs, ks_owner_refs_unref)

G_END_DECLS

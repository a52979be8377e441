/* ks-store-backend.h: where a KsStore keeps its objects durably.
 *
 * The store holds every object in memory and writes each change through its backend before the
 * change becomes visible (ks_store_set_backend): so a write acknowledged to a client survives a
 * crash of the process.  At start the store loads every object back (ks_store_load).
 *
 * A backend keeps one record per object, keyed by (kind, namespace, name), with the object's JSON
 * and resourceVersion, and the store-wide last resourceVersion, which continues the sequence after
 * a restart even when the newest objects were deleted.  Each put and delete is one atomic, durable
 * change of the record and of the last resourceVersion: when it returns TRUE, it survives a crash;
 * when it returns FALSE, nothing changed.
 *
 * The SQLite backend (ks-sqlite-backend.h) is the one for a single machine; an etcd backend for
 * control planes spread over several machines would implement the same operations. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KS_STORE_BACKEND_ERROR (ks_store_backend_error_quark ())
GQuark ks_store_backend_error_quark (void);

typedef enum
{
  KS_STORE_BACKEND_ERROR_FAILED,      /* the storage failed (I/O error, disk full, ...) */
  KS_STORE_BACKEND_ERROR_NOT_A_STORE, /* the file is not a kubesim store */
  KS_STORE_BACKEND_ERROR_TOO_NEW,     /* written by a newer kubesim, in a format this one lacks */
  KS_STORE_BACKEND_ERROR_BUSY,        /* in use by another process */
  KS_STORE_BACKEND_ERROR_CORRUPT,     /* a stored record cannot be read back */
} KsStoreBackendError;

/* One stored object.  Strings are borrowed. */
typedef struct
{
  const char *kind;      /* Kind.group ("Pod", "Deployment.apps"): ks_store_backend_kind_key */
  const char *namespace; /* NULL for cluster-scoped objects */
  const char *name;
  guint64 resource_version;
  const char *json; /* the object as ks_object_to_json writes it */
} KsBackendRecord;

/* Called for each record by load; returning FALSE (with error) stops the load. */
typedef gboolean (*KsBackendLoadFunc) (const KsBackendRecord *record, gpointer user_data,
                                       GError **error);

typedef struct _KsStoreBackend KsStoreBackend;

typedef struct
{
  /* Call func for every stored record, in any order, and set *resource_version to the last
   * resourceVersion written (0 for a new store).  An error of func is passed on (the backend may
   * prefix where it stores its records). */
  gboolean (*load) (KsStoreBackend *self, KsBackendLoadFunc func, gpointer user_data,
                    guint64 *resource_version, GError **error);
  /* Insert or replace the record of (kind, namespace, name) and set the last resourceVersion to
   * record->resource_version, atomically and durably. */
  gboolean (*put) (KsStoreBackend *self, const KsBackendRecord *record, GError **error);
  /* Remove the record of (kind, namespace, name) (absent is not an error) and set the last
   * resourceVersion to resource_version (the deletion's), atomically and durably. */
  gboolean (*remove) (KsStoreBackend *self, const char *kind, const char *ns, const char *name,
                      guint64 resource_version, GError **error);
  void (*free) (KsStoreBackend *self);
} KsStoreBackendOps;

struct _KsStoreBackend
{
  const KsStoreBackendOps *ops;
};

/* The record key of a kind: its name, then "." and its group unless core ("Deployment.apps"), as
 * Kubernetes prints a GroupKind.  kind_name and group are those of a KsKind.  Newly allocated. */
char *ks_store_backend_kind_key (const char *kind_name, const char *group);

static inline gboolean
ks_store_backend_load (KsStoreBackend *b, KsBackendLoadFunc func, gpointer user_data,
                       guint64 *resource_version, GError **error)
{
  return b->ops->load (b, func, user_data, resource_version, error);
}

static inline gboolean
ks_store_backend_put (KsStoreBackend *b, const KsBackendRecord *record, GError **error)
{
  return b->ops->put (b, record, error);
}

static inline gboolean
ks_store_backend_remove (KsStoreBackend *b, const char *kind, const char *ns, const char *name,
                         guint64 resource_version, GError **error)
{
  return b->ops->remove (b, kind, ns, name, resource_version, error);
}

/* Close and free (NULL is ignored). */
void ks_store_backend_free (KsStoreBackend *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsStoreBackend, ks_store_backend_free)

G_END_DECLS
